/**
 * The parsed configuration, as the rest of the agent sees it. Every default is applied, paths
 * are absolute, and durations are whole milliseconds in fields ending in `Ms` (the YAML says
 * `pollInterval: 1s`, the code reads `pollIntervalMs: 1000`). Descriptions of the keys live
 * once, in the zod schema (schema.ts, device-schema.ts) and the JSON Schema made from it.
 */
import type { z } from 'zod';
import type { DriverName, driverOptionSchemas } from '../../drivers/index.js';
import type { ListenAddress } from './host.js';
import type { AlertsConfig, NotifyConfig, SiteConfig } from './alerts-schema.js';

export type { AlertsConfig, NotifyConfig, SiteConfig } from './alerts-schema.js';

export type { ListenAddress } from './host.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600] as const;
export type BaudRate = (typeof BAUD_RATES)[number];

export interface Config {
  http: HttpConfig;
  storage: StorageConfig;
  log: LogConfig;
  devices: DeviceConfig[];
  network: NetworkConfig;
  host: HostConfig;
  selfCheck: SelfCheckConfig;
  /** Same shape: a cron time (closing time) and its time zone; cron null turns it off. */
  settlementReminder: SelfCheckConfig;
  site: SiteConfig;
  alerts: AlertsConfig;
  notify: NotifyConfig;
  heartbeat: HeartbeatConfig;
}

export interface SelfCheckConfig {
  /** node-cron expression, or null for none. */
  cron: string | null;
  timezone: string | null;
}

export interface HttpConfig {
  listen: ListenAddress;
  /** Bearer token for everything but /healthz; null means no token (loopback only). */
  token: string | null;
  /** HTTPS from these PEM files (absolute paths); null: plain HTTP. */
  tls: HttpTlsConfig | null;
}

export interface HttpTlsConfig {
  cert: string;
  key: string;
}

export type HeartbeatSinkAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string };

export interface HeartbeatConfig {
  intervalMs: number;
  /** Deadline of one push. */
  timeoutMs: number;
  /** The instance label; null: the host name, filled in by the agent. (The site label is site.id.) */
  instance: string | null;
  pushgateway: { url: string; job: string; auth: HeartbeatSinkAuth; caFile: string | null } | null;
  webhook: { url: string; auth: HeartbeatSinkAuth; caFile: string | null } | null;
}

export interface StorageConfig {
  /** Absolute: resolved against the working directory the config was loaded from. */
  dir: string;
  maxSizeMb: number;
  readingsDays: number;
  historyDays: number;
  sampleIntervalMs: number;
}

export interface LogConfig {
  level: LogLevel;
  format: LogFormat;
  /** Rotated log file (as written: relative to the working directory); null: stdout. */
  file: string | null;
  /** Size at which a new file is started, in bytes. */
  maxSize: number;
  /** Files kept, the current one included. */
  maxFiles: number;
}

export interface SerialTransportConfig {
  type: 'serial';
  path: string;
  baudRate: BaudRate;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  rtscts: boolean;
}

export interface TcpTransportConfig {
  type: 'tcp';
  host: string;
  port: number;
  connectTimeoutMs: number;
}

export interface SimulatorTransportConfig {
  type: 'simulator';
  /** Passed to the driver's simulator as-is; it validates the names. */
  faults: Record<string, unknown>;
  /** `auto`: also expose the simulator on a pty where the platform has them. */
  pty: 'auto' | 'never';
}

export type TransportConfig = SerialTransportConfig | TcpTransportConfig | SimulatorTransportConfig;

export type PassthroughConfig = ({ type: 'pty'; link: string } | { type: 'tcp'; listen: ListenAddress }) & {
  /** The till must have been quiet this long before the agent sends a query of its own. */
  idleGapMs: number;
};

export type DeviceMode = 'exclusive' | 'passthrough';

export interface ReconnectConfig {
  minDelayMs: number;
  maxDelayMs: number;
}

export interface DeviceCommonConfig {
  id: string;
  /** Human label; the id when not configured. */
  name: string;
  transport: TransportConfig;
  mode: DeviceMode;
  passthrough: PassthroughConfig | null;
  pollIntervalMs: number;
  requestTimeoutMs: number;
  /** Consecutive failed polls before the device counts as unreachable. */
  unreachableAfter: number;
  reconnect: ReconnectConfig;
}

/** The parsed `options:` of driver N, defaults applied. */
export type DriverOptions<N extends DriverName> = z.output<(typeof driverOptionSchemas)[N]>;

/** `driver` and its matching `options`, one member per driver in drivers/index.ts. */
export type DriverSection = { [N in DriverName]: { driver: N; options: DriverOptions<N> } }[DriverName];

export type DeviceConfig = DeviceCommonConfig & DriverSection;

export interface NetworkTargetConfig {
  name: string;
  host: string;
  port: number;
  tls: boolean;
  icmp: boolean;
  http?: { path: string; expectStatus: number };
  /** PEM file of a CA to trust instead of the system store. */
  ca?: string;
}

export interface NetworkConfig {
  intervalMs: number;
  /** Deadline of each single check (DNS, ping, connect, TLS, HTTP). */
  timeoutMs: number;
  checkGateway: boolean;
  tlsExpiryWarningDays: number;
  lossThresholdPercent: number;
  latencyThresholdMs: number;
  targets: NetworkTargetConfig[];
}

export interface HostConfig {
  intervalMs: number;
  minFreeDiskMb: number;
  minFreeDiskPercent: number;
}
