import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import http from 'node:http';
import net from 'node:net';
import readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { driverDefinition, driverNames, type DriverName } from '../../drivers/index.js';
import { parseListenAddress } from '../config/index.js';
import { createSimulatorEndpoint, type SimulatorEndpoint } from '../devices/simulator-endpoint.js';
import { backoffDelay } from '../transport/backoff.js';
import { atLineSpeed } from '../transport/line-speed.js';
import { errorText } from '../transport/link.js';
import { serialOpener } from '../transport/serial.js';
import { wrapSocket } from '../transport/tcp.js';
import { exitCodes, UsageError } from './main.js';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

/**
 * `posdiag simulate <driver> (--port PATH [--pace] | --listen HOST:PORT)`: a device on a serial port
 * (one end of a pty pair, or a real null-modem cable) or on a TCP port. Faults are switched
 * with `--fault NAME=VALUE` at start, then at run time by typing `set NAME=VALUE …` on stdin or
 * with `POST /faults` on the `--control` HTTP port. Events go to stdout as JSON lines.
 */
export async function simulateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      listen: { type: 'string' },
      control: { type: 'string' },
      fault: { type: 'string', multiple: true },
      pace: { type: 'boolean' },
      capture: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const driver = positionals[0];
  if (!driver || !(driverNames as string[]).includes(driver)) {
    throw new UsageError(`which device? one of: ${driverNames.join(', ')}`);
  }
  if (Boolean(values.port) === Boolean(values.listen)) throw new UsageError('give exactly one of --port PATH or --listen HOST:PORT');
  if (values.pace && !values.port) throw new UsageError('--pace applies to --port only: a TCP port has no line speed');

  // A device on a serial port frames its bytes as on a serial line, one on a TCP port as on TCP.
  // --capture: every chunk in and out, in order, one JSON line each, for byte-exact comparisons.
  const capture = values.capture ? createWriteStream(values.capture, { flags: 'a' }) : null;
  const record = capture
    ? (dir: 'in' | 'out', bytes: Uint8Array) => capture.write(`${JSON.stringify({ at: Date.now(), dir, hex: Buffer.from(bytes).toString('hex') })}\n`)
    : undefined;
  const endpoint = createSimulatorEndpoint(driverDefinition(driver as DriverName), values.port ? 'serial' : 'tcp', record);
  const emit = (event: object) => io.stdout.write(`${JSON.stringify(event)}\n`);
  try {
    endpoint.simulator.setFaults(parseAssignments(values.fault ?? [], endpoint.simulator.faults()));
  } catch (error) {
    throw new UsageError(errorText(error));
  }

  const stop = new AbortController();
  const control = values.control ? await startControlServer(endpoint, values.control, emit) : null;
  const wire = values.port
    ? serveSerial(endpoint, values.port, emit, stop.signal, values.pace === true)
    : await serveTcp(endpoint, values.listen as string, emit);
  emit({ event: 'ready', driver, wire: wire.description, control: control?.address ?? null, faults: endpoint.simulator.faults() });
  const stdin = acceptStdinCommands(endpoint, emit, io.stderr);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  stop.abort();
  stdin?.close();
  await wire.close();
  control?.server.closeAllConnections();
  control?.server.close();
  endpoint.close();
  if (capture) await new Promise((resolve) => capture.end(resolve));
  return exitCodes.ok;
}

/**
 * Keeps the serial port open, reopening it whenever it goes away (the pty pair was recreated).
 * `pace`: move bytes at the 9600 baud the port is set to, which a pty does not do by itself.
 */
function serveSerial(endpoint: SimulatorEndpoint, path: string, emit: (e: object) => void, signal: AbortSignal, pace: boolean) {
  const baudRate = 9600;
  const open = serialOpener({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false }, () => undefined);
  let current: Awaited<ReturnType<typeof open>> | null = null;
  const loop = (async () => {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        current = await open();
        attempt = 0;
        endpoint.attach(pace ? atLineSpeed(current, baudRate) : current);
        emit({ event: 'port-open', path, paced: pace });
        const closed = await current.closed;
        emit({ event: 'port-closed', path, reason: closed.reason });
      } catch (error) {
        if (attempt === 0) emit({ event: 'port-unavailable', path, reason: errorText(error) });
      }
      await delay(backoffDelay(attempt++, 100, 2_000, Math.random), undefined, { signal }).catch(() => undefined);
    }
  })();
  return {
    description: `serial:${path}`,
    async close() {
      await current?.close();
      await loop;
    },
  };
}

/** A network printer or terminal: one client at a time, as most such devices allow. */
async function serveTcp(endpoint: SimulatorEndpoint, listen: string, emit: (e: object) => void) {
  const { host, port } = listenAddress(listen, '--listen');
  const sockets = new Set<net.Socket>();
  // Nagle off: a ZVT exchange is many small messages, each waiting for the last (40 ms delayed ACKs otherwise).
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const link = wrapSocket(socket, `tcp-client:${socket.remoteAddress}:${socket.remotePort}`, () => undefined);
    endpoint.attach(link);
    emit({ event: 'client-connected', remote: `${socket.remoteAddress}:${socket.remotePort}` });
    void link.closed.then((closed) => emit({ event: 'client-disconnected', reason: closed.reason }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    description: `tcp:${address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** `GET /faults` shows them, `POST /faults` with a JSON object switches them. Loopback only by intent. */
async function startControlServer(endpoint: SimulatorEndpoint, listen: string, emit: (e: object) => void) {
  const { host, port } = listenAddress(listen, '--control');
  const server = http.createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url !== '/faults') return reply(404, { error: 'use /faults' });
    if (request.method === 'GET') return reply(200, endpoint.simulator.faults());
    if (request.method !== 'POST') return reply(405, { error: 'GET or POST' });
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 16_384) request.destroy();
    });
    request.on('end', () => {
      try {
        const changes = JSON.parse(body) as unknown;
        if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) throw new Error('expected a JSON object of faults');
        const faults = endpoint.simulator.setFaults(changes as Record<string, unknown>);
        emit({ event: 'faults', faults });
        reply(200, faults);
      } catch (error) {
        reply(400, { error: errorText(error) });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return { server, address: `${address.address}:${address.port}` };
}

function acceptStdinCommands(endpoint: SimulatorEndpoint, emit: (e: object) => void, stderr: NodeJS.WritableStream) {
  if (process.stdin.destroyed) return null;
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [verb, ...rest] = line.trim().split(/\s+/);
    try {
      if (verb === 'set') emit({ event: 'faults', faults: endpoint.simulator.setFaults(parseAssignments(rest, endpoint.simulator.faults())) });
      else if (verb === 'show' || verb === '') emit({ event: 'faults', faults: endpoint.simulator.faults() });
      else stderr.write(`unknown command '${verb}'; use: set NAME=VALUE …, show\n`);
    } catch (error) {
      stderr.write(`${errorText(error)}\n`);
    }
  });
  // No stdin (CI, a service): nothing to read, and that is fine.
  lines.on('error', () => undefined);
  return lines;
}

function listenAddress(text: string, flag: string) {
  const parsed = parseListenAddress(text, { allowPortZero: true });
  if (!parsed.ok) throw new UsageError(`${flag} ${text}: ${parsed.reason}`);
  return parsed.address;
}

/**
 * `paperOut=on slowMs=200 terminalStatus=0xDC` → { paperOut: true, slowMs: 200, terminalStatus: 220 }.
 * A fault whose current value is a string stays a string (`serialNumber=12345678` is not a
 * number), and `null` switches a nullable fault off (`lastSettlementAt=null`).
 */
export function parseAssignments(items: string[], current: Record<string, unknown> = {}): Record<string, FaultValue> {
  const result: Record<string, FaultValue> = {};
  for (const item of items) {
    const match = /^([A-Za-z][\w]*)=(.*)$/.exec(item);
    if (!match?.[1]) throw new Error(`'${item}' is not NAME=VALUE`);
    result[match[1]] = faultValue(match[2] ?? '', typeof current[match[1]] === 'string');
  }
  return result;
}

type FaultValue = boolean | number | string | null;

function faultValue(raw: string, isText: boolean): FaultValue {
  if (raw === 'null') return null;
  if (isText) return raw;
  if (/^(true|on|yes)$/i.test(raw)) return true;
  if (/^(false|off|no)$/i.test(raw)) return false;
  return raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
}
