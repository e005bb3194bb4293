import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/index.js';
import { createFleet, type Fleet } from './devices/fleet.js';
import { PathHealth } from './health/path-health.js';
import { buildServer } from './http/server.js';
import { createPathChecks, type PathMonitor, startPathMonitor } from './probes/monitor.js';
import type { Logger } from './log.js';
import { version } from './version.js';

export interface RunningAgent {
  fleet: Fleet;
  paths: PathHealth;
  /** Where the HTTP server listens, e.g. `http://127.0.0.1:9137`. */
  url: string;
  http: FastifyInstance;
  stop(): Promise<void>;
}

/** Starts everything a config describes: the devices' sessions, then the HTTP server. */
export async function startAgent(config: Config, log: Logger): Promise<RunningAgent> {
  // The data directory must exist and be ours before anything is written to it.
  await mkdir(config.storage.dir, { recursive: true });
  const fleet = await createFleet(config.devices, log);
  const paths = new PathHealth();
  const http = await buildServer({
    health: fleet.health,
    paths,
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
  const monitor: PathMonitor = startPathMonitor(
    createPathChecks(config.network, config.host, config.storage.dir, paths),
    config.network,
    config.host,
    log,
  );

  return {
    fleet,
    paths,
    url: address,
    http,
    async stop() {
      await http.close();
      await Promise.all([fleet.stop(), monitor.stop()]);
    },
  };
}
