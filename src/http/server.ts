import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { HealthModel } from '../health/model.js';
import type { PathHealth } from '../health/path-health.js';
import type { SimulatorEndpoint } from '../devices/simulator-endpoint.js';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics/registry.js';
import { bearerTokenHook } from './auth.js';
import { ApiError, errorBody, type ApiErrorCode } from './errors.js';
import { apiRoutes } from './api.js';
import { loopbackHostOnly, newCsrfToken } from './csrf.js';
import { type StatusPageDeps, statusPageApi, statusPageFiles } from './status-page.js';
import type { AlertView } from './status-document.js';

export interface HttpDeps {
  health: HealthModel;
  paths: PathHealth;
  metrics: AgentMetrics;
  log: Logger;
  version: string;
  startedAt: Date;
  /** null: no token configured (allowed only on loopback; the config refuses otherwise). */
  token: string | null;
  /** PEM text of the certificate and key: serve HTTPS. Absent or null: plain HTTP. */
  tls?: { cert: string; key: string } | null;
  simulators: ReadonlyMap<string, SimulatorEndpoint>;
  /** Ends the waits of one device (or all): they poll now. */
  pollNow(deviceId?: string): void;
  /** The alert states for /api/v1/status; absent: alerts are the active conditions. */
  alerts?: () => readonly AlertView[];
  now(): Date;
  /** The status page at `/` with its events, history, check-now and support bundle; absent: no page. */
  statusPage?: StatusPageDeps;
}

/**
 * Builds the HTTP app without listening, so tests use `inject()` and the agent decides where to
 * listen. `/healthz` sits outside the token scope: a load balancer or Docker HEALTHCHECK must
 * reach it without credentials, and it says nothing but "the agent runs".
 */
export async function buildServer(deps: HttpDeps): Promise<FastifyInstance> {
  // One app type whether it serves HTTP or HTTPS: routes and hooks do not care which.
  const app = (Fastify as (options: object) => FastifyInstance)({
    ...(deps.tls ? { https: { cert: deps.tls.cert, key: deps.tls.key } } : {}),
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    // Per-request lines would drown the device log on a till polled every second by the POS.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // A malformed request must get a clear 400, never take the agent down.
    return503OnClosing: true,
    // The faults body allows a list of types on purpose (api.ts); without this ajv prints a
    // "strict mode" warning to stderr, outside the JSON log, at every start.
    ajv: { customOptions: { allowUnionTypes: true } },
  });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.status).send(errorBody(error.code, error.message));
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error, url: request.url }, 'request failed');
      return reply.code(500).send(errorBody('INTERNAL', 'internal error; see the agent log'));
    }
    const code: ApiErrorCode = status === 401 ? 'UNAUTHORIZED' : status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
    return reply.code(status).send(errorBody(code, error.message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.get('/healthz', async () => ({
    status: 'ok',
    version: deps.version,
    uptimeSeconds: Math.round((deps.now().getTime() - deps.startedAt.getTime()) / 1000),
  }));

  // Per process: the page carries it, and state-changing requests from a browser must echo it.
  const csrfToken = newCsrfToken();
  if (deps.statusPage) {
    // The page's files hold no data, so a browser can load them before it has the token.
    await app.register(async (scope) => {
      if (deps.token === null) scope.addHook('onRequest', loopbackHostOnly);
      await scope.register(statusPageFiles, { deps, page: deps.statusPage!, csrfToken });
    });
  }

  await app.register(async (scope) => {
    if (deps.token !== null) scope.addHook('onRequest', bearerTokenHook(deps.token));
    else scope.addHook('onRequest', loopbackHostOnly);
    await scope.register(apiRoutes, { deps, csrfToken });
    if (deps.statusPage) await scope.register(statusPageApi, { deps, page: deps.statusPage, csrfToken });
    scope.get('/metrics', async (_request, reply) => {
      const text = await deps.metrics.text();
      return reply.type(deps.metrics.registry.contentType).send(text);
    });
  });

  return app;
}
