/**
 * The whole config file. Every object is strict (a misspelt key is an error, not a silent
 * default), every default is written once here, and every description here ends up in
 * config/config.schema.json for editors. Durations come out as milliseconds under `…Ms` keys.
 */
import cron from 'node-cron';
import { z } from 'zod';
import { alertsSchema, notifySchema, siteSchema } from './alerts-schema.js';
import { deviceSchema } from './device-schema.js';
import { duration, host, identifier, listenAddress, port } from './fields.js';
import { heartbeatSchema } from './heartbeat-schema.js';
import { formatListenAddress, isLoopbackHost } from './host.js';
import { size } from './size.js';
import { type HostConfig, LOG_FORMATS, LOG_LEVELS, type NetworkConfig, type StorageConfig } from './types.js';

const TOKEN_MIN = 16;

const tokenSchema = z
  .string({ error: `must be text of at least ${TOKEN_MIN} characters, or null for no token` })
  .min(TOKEN_MIN, { error: (issue) => `must be at least ${TOKEN_MIN} characters long (got ${String(issue.input).length})` })
  .max(512, { error: 'must be at most 512 characters long' })
  // It travels in an HTTP header (Authorization: Bearer …). The value is never echoed in errors.
  .regex(/^[\x21-\x7e]+$/, { error: 'may only contain letters, digits and punctuation, without spaces' })
  .nullable()
  .default(null)
  .describe(
    `Secret for the HTTP API: clients send "Authorization: Bearer <token>". At least ${TOKEN_MIN} characters; required when listen is not a loopback address. null: no token.`,
  );

const tlsSchema = z
  .strictObject({
    cert: z
      .string()
      .min(1)
      .describe('PEM file with the server certificate, followed by any intermediate certificates. Read at start.')
      .meta({ examples: ['/etc/posdiag/tls/cert.pem'] }),
    key: z
      .string()
      .min(1)
      .describe("PEM file with the certificate's private key; keep it readable by the agent's user only. Read at start.")
      .meta({ examples: ['/etc/posdiag/tls/key.pem'] }),
  })
  .nullable()
  .default(null)
  .describe('Serve HTTPS with this certificate and key instead of plain HTTP. Relative paths start at the working directory. null: plain HTTP.');

const httpSchema = z
  .strictObject({
    listen: listenAddress({ allowPortZero: true })
      .prefault('127.0.0.1:9137')
      .describe(
        'host:port for the status page and API. 127.0.0.1 (or [::1], quoted in YAML) keeps it on this machine; any other address also needs http.token. Port 0 picks a free port.',
      ),
    token: tokenSchema,
    tls: tlsSchema,
  })
  .superRefine((http, ctx) => {
    if (http.token === null && !isLoopbackHost(http.listen.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['listen'],
        message: `${formatListenAddress(http.listen)} can be reached from other machines, so http.token is required; set http.token to a secret of at least ${TOKEN_MIN} characters, or listen on 127.0.0.1`,
      });
    }
  })
  .describe('The HTTP server: status page, JSON API, /metrics.');

const storageSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .default('./data')
      .describe('Directory for the database and support bundles; relative paths start at the working directory.'),
    maxSizeMb: z.number().int().min(1).max(100_000).default(64).describe('Bound on the database: past it the oldest readings, then events and alert history are dropped (never pending notifications).'),
    readingsDays: z.number().int().min(1).max(3650).default(7).describe('Days of readings (state and latency for the charts) kept.'),
    historyDays: z.number().int().min(1).max(3650).default(90).describe('Days of alert history and device/probe events kept.'),
    sampleInterval: duration('1m', { minMs: 1000, maxMs: 3_600_000 }).describe('One reading per device and target this often for the charts; state changes are recorded at once.'),
  })
  .transform(({ sampleInterval, ...rest }): StorageConfig => ({ ...rest, sampleIntervalMs: sampleInterval }))
  .describe('Where posdiag keeps its data.');

const logSchema = z
  .strictObject({
    level: z.enum(LOG_LEVELS).default('info').describe('Least important messages that are still logged.'),
    format: z
      .enum(LOG_FORMATS)
      .default('auto')
      .describe('auto: readable text on a terminal, JSON lines otherwise (for journald and log collectors).'),
    file: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'Write JSON lines to this file instead of stdout, rotated: posdiag.1.log, posdiag.2.log, … beside it. Relative paths start at the working directory. null: stdout (the journal under systemd, docker logs in a container).',
      )
      .meta({ examples: ['/var/log/posdiag/posdiag.log'] }),
    maxSize: size('10MB', { minBytes: 64 * 1024, maxBytes: 1024 ** 3 }).describe('Start a new log file when the current one reaches this size (KB, MB or GB).'),
    maxFiles: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('Log files kept, the current one included; the oldest is deleted. Disk use stays below maxSize × maxFiles.'),
  })
  .describe('Logging.');

const targetSchema = z
  .strictObject({
    name: identifier(['_', '.', '-']).describe('Unique name: a-z, 0-9, "_", "." and "-", up to 64 characters.'),
    host: host().describe('Host name or IP address (no URL, no port).').meta({ examples: ['pay.example.com'] }),
    port: port().describe('TCP port, 443 for most acquirers.'),
    tls: z.boolean().default(false).describe('Also check the TLS handshake and how long the certificate stays valid.'),
    icmp: z
      .boolean()
      .default(true)
      .describe('Also ping the host. Many acquirers drop pings; posdiag then measures with TCP and never calls that "down".'),
    http: z
      .strictObject({
        path: z.string().regex(/^\/[\x21-\x7e]*$/, 'must start with "/" and contain no spaces').default('/').describe('Path to request.'),
        expectStatus: z.number().int().min(100).max(599).default(200).describe('HTTP status that counts as success.'),
      })
      .optional()
      .describe('Also send an HTTP(S) request (HTTPS when tls is true) and check its status.'),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe('PEM file of the CA to trust for this target instead of the system store (private acquirer CAs).'),
  })
  .describe('A host the shop must reach, usually the card acquirer.');

const networkSchema = z
  .strictObject({
    interval: duration('10s', { minMs: 100 }).describe('Time between rounds of network checks. At least 100ms.'),
    timeout: duration('5s', { minMs: 10 }).describe('How long each single check (DNS, ping, connect, TLS) may take. At least 10ms.'),
    checkGateway: z
      .boolean()
      .default(true)
      .describe('Check that the default gateway (the shop router) answers. Skipped anyway when every target is on this machine.'),
    tlsExpiryWarningDays: z
      .number()
      .int()
      .min(0)
      .max(365)
      .default(14)
      .describe('Warn (network.tls_problem) when a certificate expires within this many days.'),
    lossThreshold: z
      .number()
      .min(0)
      .max(100)
      .default(10)
      .describe('Packet loss in percent over the last 5 minutes at or above which the path is degraded.'),
    latencyThreshold: duration('400ms', { minMs: 1 }).describe('Average round trip over the last 5 minutes at or above which the path is degraded.'),
    targets: z
      .array(targetSchema)
      .prefault([])
      .describe('Hosts to check, in order. May be empty.'),
  })
  .transform(
    ({ interval, timeout, checkGateway, tlsExpiryWarningDays, lossThreshold, latencyThreshold, targets }): NetworkConfig => ({
      intervalMs: interval,
      timeoutMs: timeout,
      checkGateway,
      tlsExpiryWarningDays,
      lossThresholdPercent: lossThreshold,
      latencyThresholdMs: latencyThreshold,
      targets,
    }),
  )
  .describe('Checks of the path to the acquirer: link, gateway, DNS, ping, TCP, TLS.');

const cronExpression = () =>
  z.string().refine((text) => cron.validate(text), { message: 'is not a cron expression (five fields, e.g. "0 6 * * *" for 06:00 every day)' });

const cronTimeZone = () =>
  z
    .string()
    .refine((zone) => isTimeZone(zone), { message: 'is not an IANA time zone such as Asia/Shanghai or Europe/Berlin' })
    .nullable()
    .default(null)
    .describe("Time zone of the cron times; null is the PC's own.");

const selfCheckSchema = z
  .strictObject({
    cron: cronExpression()
      .nullable()
      .default('0 6 * * *')
      .describe('When to run the daily self-check (every device polled, every network and host check run, one summary log line). null turns it off.'),
    timezone: cronTimeZone(),
  })
  .describe('A daily self-check at a fixed local time, so the log shows every morning that the agent and its checks work.');

const settlementReminderSchema = z
  .strictObject({
    cron: cronExpression()
      .nullable()
      .default(null)
      .describe(
        'Closing time, e.g. "30 21 * * *": every payment terminal without an end-of-day in the 12 hours before raises terminal.settlement_reminder until one is seen. null (the default) turns it off.',
      ),
    timezone: cronTimeZone(),
  })
  .describe('A reminder at closing time to run the end-of-day settlement on the payment terminals.');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const hostSchema = z
  .strictObject({
    interval: duration('1m', { minMs: 1000 }).describe('Time between checks of this PC: free disk, memory, clock, CPU.'),
    minFreeDiskMb: z.number().int().min(0).default(500).describe('Free space of storage.dir, in MB, below which host.resources is raised.'),
    minFreeDiskPercent: z.number().min(0).max(100).default(5).describe('Free space of storage.dir, in percent, below which host.resources is raised.'),
  })
  .transform(({ interval, minFreeDiskMb, minFreeDiskPercent }): HostConfig => ({ intervalMs: interval, minFreeDiskMb, minFreeDiskPercent }))
  .describe('Checks of the shop PC itself.');

export const configSchema = z
  .strictObject({
    http: httpSchema.prefault({}),
    storage: storageSchema.prefault({}),
    log: logSchema.prefault({}),
    devices: z
      .array(deviceSchema)
      .prefault([])
      .describe('Devices to watch. May be empty.'),
    network: networkSchema.prefault({}),
    host: hostSchema.prefault({}),
    selfCheck: selfCheckSchema.prefault({}),
    settlementReminder: settlementReminderSchema.prefault({}),
    site: siteSchema.prefault({}),
    alerts: alertsSchema.prefault({}),
    notify: notifySchema.prefault({}),
    heartbeat: heartbeatSchema.prefault({}),
  })
  .meta({ title: 'posdiag configuration', description: 'Configuration of the posdiag point-of-sale diagnostic agent.' });

/**
 * Lists whose entries need a unique key. Checked by unique.ts on the document as written rather
 * than inside the zod schema, because zod skips an array's refinements once any entry has a
 * problem, and a duplicate id must be reported together with everything else.
 */
export const uniqueKeys = [
  { list: ['devices'], key: 'id' },
  { list: ['network', 'targets'], key: 'name' },
  { list: ['notify', 'webhooks'], key: 'name' },
] as const;
