import type { FastifyPluginAsync } from 'fastify';
import { stateChangeGuard } from './csrf.js';
import { ApiError } from './errors.js';
import type { HttpDeps } from './server.js';
import { statusDocument } from './status-document.js';

const faultsBodySchema = {
  type: 'object',
  // A type list, not anyOf: fastify's ajv coerces types, and in anyOf it would turn 0 into false
  // and "12345678" into a number before the simulator sees them; with a list it keeps the value.
  additionalProperties: { type: ['boolean', 'number', 'string', 'null'] },
  maxProperties: 32,
} as const;

/** The JSON API under /api/v1. Handlers read the health model; they never touch a device. */
export const apiRoutes: FastifyPluginAsync<{ deps: HttpDeps; csrfToken: string }> = async (app, { deps, csrfToken }) => {
  // Same origin, the page's token and JSON for browser requests (src/http/csrf.ts).
  const stateChanging = stateChangeGuard(csrfToken);
  const snapshot = () => ({ devices: deps.health.allDevices(), network: deps.paths.network(), host: deps.paths.host(), alerts: deps.alerts?.() });

  app.get('/api/v1/status', async () => statusDocument(snapshot(), deps.now()));

  app.get<{ Params: { id: string } }>('/api/v1/devices/:id', async (request) => {
    const document = statusDocument(snapshot(), deps.now());
    const device = document.devices.find((d) => d.id === request.params.id);
    if (!device) throw new ApiError('UNKNOWN_DEVICE');
    return device;
  });

  app.post<{ Params: { id: string } }>(
    '/api/v1/devices/:id/poll',
    { onRequest: stateChanging },
    async (request, reply) => {
      if (!deps.health.device(request.params.id)) throw new ApiError('UNKNOWN_DEVICE');
      deps.pollNow(request.params.id);
      return reply.code(202).send({ accepted: true });
    },
  );

  // Simulated devices only: switch faults at run time (demos, benchmarks, training).
  app.get<{ Params: { id: string } }>('/api/v1/simulators/:id/faults', async (request) => {
    return simulatorFor(deps, request.params.id).simulator.faults();
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/api/v1/simulators/:id/faults',
    { onRequest: stateChanging, schema: { body: faultsBodySchema } },
    async (request) => {
      const endpoint = simulatorFor(deps, request.params.id);
      try {
        return endpoint.simulator.setFaults(request.body);
      } catch (error) {
        throw new ApiError('BAD_REQUEST', error instanceof Error ? error.message : String(error));
      }
    },
  );
};

function simulatorFor(deps: HttpDeps, id: string) {
  if (!deps.health.device(id)) throw new ApiError('UNKNOWN_DEVICE');
  const endpoint = deps.simulators.get(id);
  if (!endpoint) throw new ApiError('NOT_SIMULATED');
  return endpoint;
}
