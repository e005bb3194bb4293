import type { FastifyInstance } from 'fastify';
import type { Config } from './config/index.js';
import { createFleet, type Fleet } from './devices/fleet.js';
import { buildServer } from './http/server.js';
import type { Logger } from './log.js';
import { version } from './version.js';

export interface RunningAgent {
  fleet: Fleet;
  /** Where the HTTP server listens, e.g. `http://127.0.0.1:9137`. */
  url: string;
  http: FastifyInstance;
  stop(): Promise<void>;
}

/** Starts everything a config describes: the devices' sessions, then the HTTP server. */
export async function startAgent(config: Config, log: Logger): Promise<RunningAgent> {
  const fleet = await createFleet(config.devices, log);
  const http = await buildServer({
    health: fleet.health,
    log,
    version,
    startedAt: new Date(),
    token: config.http.token,
    simulators: fleet.simulators,
    pollNow: fleet.pollNow,
    now: () => new Date(),
  });
  let address: string;
  try {
    address = await http.listen({ host: config.http.listen.host, port: config.http.listen.port });
  } catch (error) {
    await fleet.stop();
    throw error;
  }
  log.info({ url: address, devices: config.devices.length }, 'posdiag listening');
  fleet.start();

  return {
    fleet,
    url: address,
    http,
    async stop() {
      await http.close();
      await fleet.stop();
    },
  };
}
