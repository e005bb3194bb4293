/**
 * One entry of `devices:`. The keys every device has (id, transport, timing) are checked apart
 * from the driver-specific part (`driver` + `options`), and the two are joined with an
 * intersection: that way an unknown driver is reported together with the device's other
 * problems instead of hiding them. The driver part is derived from drivers/index.ts, so a new
 * protocol needs no change here.
 */
import { z } from 'zod';
import { driverNames, driverOptionSchemas, type DriverName, framedByTransport } from '../../drivers/index.js';
import { formatDuration } from './duration.js';
import { duration, host, identifier, listenAddress, port } from './fields.js';
import { describeValue, didYouMean, orList } from './messages.js';
import {
  BAUD_RATES,
  type DeviceCommonConfig,
  type PassthroughConfig,
  type DriverSection,
  type ReconnectConfig,
  type TcpTransportConfig,
} from './types.js';

const serialTransport = z
  .strictObject({
    type: z.literal('serial'),
    path: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? 'is required: the serial port, e.g. /dev/serial/by-id/usb-…-if00-port0 or COM3 (`posdiag devices` lists them)'
            : undefined,
      })
      .min(1)
      .describe(
        'The serial port. On Linux prefer /dev/serial/by-id/…: it names the adapter itself, while /dev/ttyUSB0, /dev/ttyUSB1 are handed out in plug-in order and change after a replug or reboot. `posdiag devices` lists the ports.',
      )
      .meta({ examples: ['/dev/serial/by-id/usb-Prolific_Technology_Inc._USB-Serial_Controller-if00-port0', 'COM3'] }),
    baudRate: z
      .literal(BAUD_RATES)
      .default(9600)
      .describe("Line speed in bit/s; must match the device's setting (ESC/POS printers ship with 9600 or 19200, set by DIP switch or service menu)."),
    dataBits: z.literal([7, 8]).default(8).describe('Data bits per character.'),
    parity: z.enum(['none', 'even', 'odd']).default('none').describe('Parity bit.'),
    stopBits: z.literal([1, 2]).default(1).describe('Stop bits.'),
    rtscts: z.boolean().default(false).describe('Hardware flow control (RTS/CTS). Needs a cable with those lines wired.'),
  })
  .describe('A serial port, directly or through a USB-serial adapter.');

const tcpTransport = z
  .strictObject({
    type: z.literal('tcp'),
    host: host().describe('Host name or IP address of the device.'),
    port: port().describe('TCP port of the device: 9100 for raw network printers, 20007 for many ZVT terminals.'),
    connectTimeout: duration('3s', { minMs: 10 }).describe('Give up a connection attempt after this long. At least 10ms.'),
  })
  .transform(
    ({ connectTimeout, ...rest }): TcpTransportConfig => ({ ...rest, connectTimeoutMs: connectTimeout }),
  )
  .describe('A device on the network that accepts a TCP connection.');

const simulatorTransport = z
  .strictObject({
    type: z.literal('simulator'),
    faults: z
      .record(z.string(), z.unknown())
      .prefault({})
      .describe("Faults switched on at start, e.g. { paperOut: true }. The driver's simulator checks the names."),
    pty: z
      .enum(['auto', 'never'])
      .default('auto')
      .describe(
        'auto: put the simulated device behind a pty pair (through socat, where installed), so the same serial code as for real hardware runs; never: connect in-process.',
      ),
  })
  .describe('A simulated device built into posdiag, for trying things out without hardware. Reported as simulated.');

const transportSchema = z
  .discriminatedUnion('type', [serialTransport, tcpTransport, simulatorTransport], {
    error: (issue) =>
      issue.input === undefined
        ? 'is required, e.g. { type: serial, path: /dev/serial/by-id/… }, { type: tcp, host: 192.168.1.50, port: 9100 } or { type: simulator }'
        : undefined,
  })
  .describe('How posdiag reaches the device.');

/** socat reads `pty,link=PATH`: a comma or colon in PATH would add options of its own. */
const SAFE_LINK_PATH = /^[A-Za-z0-9/_.+-]+$/;

const idleGap = () =>
  duration('100ms', { minMs: 0 }).describe(
    "How long the till must have been quiet, at a command boundary and with no exchange open, before posdiag sends a status query of its own. Longer: fewer collisions with a till that sends its next command right after the last one; shorter: fresher status on a busy till.",
  );

const passthroughSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z.literal('pty'),
        link: z
          .string()
          .min(1)
          .regex(SAFE_LINK_PATH, { error: 'may hold only letters, digits and / _ . + - (it is handed to socat, which treats , and : as separators)' })
          .describe('Path of the symlink to the virtual port the till software opens instead of the real one, e.g. /run/posdiag/printer-1.')
          .meta({ examples: ['/run/posdiag/printer-1'] }),
        idleGap: idleGap(),
      })
      .transform(({ idleGap: gap, ...rest }): PassthroughConfig => ({ ...rest, idleGapMs: gap }))
      .describe('Offer the till a virtual serial port (pty, made by socat) at a stable path.'),
    z
      .strictObject({
        type: z.literal('tcp'),
        listen: listenAddress()
          .describe('host:port the till software connects to instead of the device.')
          .meta({ examples: ['127.0.0.1:20007'] }),
        idleGap: idleGap(),
      })
      .transform(({ idleGap: gap, ...rest }): PassthroughConfig => ({ ...rest, idleGapMs: gap }))
      .describe('Offer the till a TCP port (ZVT over TCP, raw port 9100 printers).'),
  ])
  .describe('How the till software reaches the device while posdiag owns it (mode: passthrough).');

const reconnectSchema = z
  .strictObject({
    minDelay: duration('250ms', { minMs: 10 }).describe('Wait after the first failed attempt. At least 10ms.'),
    maxDelay: duration('10s', { minMs: 10 }).describe('Longest wait between attempts. At least 10ms, at most 24h.'),
  })
  .superRefine((value, ctx) => {
    if (value.minDelay > value.maxDelay) {
      ctx.addIssue({
        code: 'custom',
        path: ['minDelay'],
        message: `must not be longer than maxDelay (${formatDuration(value.minDelay)} > ${formatDuration(value.maxDelay)})`,
      });
    }
  })
  .transform(({ minDelay, maxDelay }): ReconnectConfig => ({ minDelayMs: minDelay, maxDelayMs: maxDelay }))
  .describe('Reconnecting after the device is lost: the wait doubles from minDelay up to maxDelay, with random jitter.');

const deviceCommonSchema = z
  .strictObject({
    id: identifier(['-', '_']).describe(
      'Unique id: a-z, 0-9, "-" and "_", up to 64 characters. Appears in the API, metrics and alerts; keep it stable.',
    ),
    name: z.string().min(1).max(200).optional().describe('Human label for the status page. Default: the id.'),
    transport: transportSchema,
    mode: z
      .enum(['exclusive', 'passthrough'])
      .default('exclusive')
      .describe(
        "exclusive: posdiag owns the port and polls freely. passthrough: posdiag owns the port, offers the till software a virtual one (see passthrough), forwards the till's traffic unchanged both ways and polls only in idle gaps.",
      ),
    passthrough: passthroughSchema.optional(),
    pollInterval: duration('1s', { minMs: 1 }).describe('Time between status polls. At least 1ms; values under 100ms are for benchmarks.'),
    requestTimeout: duration('500ms', { minMs: 10 }).describe('How long one status request may take before it counts as failed. At least 10ms.'),
    unreachableAfter: z
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe('Consecutive failed polls before the device is reported unreachable (1 to 100).'),
    reconnect: reconnectSchema.prefault({}),
  })
  .superRefine((device, ctx) => {
    if (device.mode === 'passthrough' && device.passthrough === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['passthrough'],
        message: 'is required with mode: passthrough, e.g. { type: pty, link: /run/posdiag/printer-1 } or { type: tcp, listen: 127.0.0.1:9100 }',
      });
    }
    if (device.mode !== 'passthrough' && device.passthrough !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['passthrough'], message: 'applies only with mode: passthrough; add it, or remove this section' });
    }
  })
  .transform(
    (device): DeviceCommonConfig => ({
      id: device.id,
      name: device.name ?? device.id,
      transport: device.transport,
      mode: device.mode,
      passthrough: device.passthrough ?? null,
      pollIntervalMs: device.pollInterval,
      requestTimeoutMs: device.requestTimeout,
      unreachableAfter: device.unreachableAfter,
      reconnect: device.reconnect,
    }),
  );

/** The input side of DriverSection, for the cast below. */
type DriverSectionInput = {
  [N in DriverName]: { driver: N; options?: z.input<(typeof driverOptionSchemas)[N]> };
}[DriverName];

function driverSectionFor(name: DriverName) {
  // Widened: TypeScript cannot call `prefault` on the union of every driver's schema type.
  const options: z.ZodType = driverOptionSchemas[name];
  return z.strictObject({
    driver: z.literal(name).describe(`Protocol spoken by the device: ${orList(driverNames)}.`),
    options: options.prefault({}).describe(`Settings of the ${name} driver.`),
  });
}

const [firstDriver, ...otherDrivers] = driverNames.map(driverSectionFor);
if (firstDriver === undefined) throw new Error('drivers/index.ts lists no drivers');

/**
 * Built from the driver list at run time, so TypeScript sees only the union of all sections;
 * the cast restores the pairing of each `driver` with its own `options` type.
 */
const driverSectionSchema = z.discriminatedUnion('driver', [firstDriver, ...otherDrivers], {
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined;
    const driver = (issue.input as { driver?: unknown } | undefined)?.driver;
    if (driver === undefined) return `is required: one of ${orList(driverNames)}`;
    return `unknown driver ${describeValue(driver)}; known drivers: ${orList(driverNames)}${didYouMean(driver, driverNames)}`;
  },
}) as unknown as z.ZodType<DriverSection, DriverSectionInput>;

export const deviceSchema = z
  .intersection(deviceCommonSchema, driverSectionSchema)
  .superRefine((device, ctx) => {
    const passthrough = device.passthrough;
    if (!passthrough || !framedByTransport.includes(device.driver) || device.transport.type === 'simulator') return;
    const wanted = device.transport.type === 'serial' ? 'pty' : 'tcp';
    if (passthrough.type !== wanted) {
      ctx.addIssue({
        code: 'custom',
        path: ['passthrough', 'type'],
        message: `must be ${wanted} for a ${device.driver} device on ${device.transport.type}: ${device.driver} frames its bytes differently on a serial line and on TCP, and passthrough forwards them unchanged`,
      });
    }
  })
  .describe('A device posdiag watches.');
