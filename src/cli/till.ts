import { createWriteStream, type WriteStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { buildPrintJob, createPrintClient, type PrintResult } from '../../drivers/escpos/print-client.js';
import { createZvtTill, type TillResult } from '../../drivers/zvt/till.js';
import { parseListenAddress } from '../config/index.js';
import { type ByteLink, errorText } from '../transport/link.js';
import { serialOpener } from '../transport/serial.js';
import { tcpOpener } from '../transport/tcp.js';
import { exitCodes, UsageError } from './main.js';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

const devices = ['zvt', 'escpos'] as const;
type TillDevice = (typeof devices)[number];

/**
 * `posdiag till <zvt|escpos> (--port PATH | --connect HOST:PORT) …`: the till software's side, as a
 * process. It runs payments (ZVT) or print jobs (ESC/POS) back to back through a port, the way a
 * till would, prints one JSON line per payment or job and a summary, and with --capture writes
 * every APDU (ZVT) or every write and received chunk (ESC/POS) to a file, one JSON line each.
 * Its purpose is to drive a device, or posdiag's passthrough in front of one, with real traffic.
 *
 * Exit 0 when every payment ended approved or declined (and the end-of-day settled), or every
 * job printed with nothing stray on the line; 1 otherwise.
 */
export async function tillCommand(args: string[], io: Io): Promise<number> {
  const plan = readPlan(args);
  const emit = (event: object) => io.stdout.write(`${JSON.stringify(event)}\n`);
  const capture = plan.capture ? createWriteStream(plan.capture, { flags: 'w' }) : null;
  const record: Capture = (r) => capture?.write(`${JSON.stringify({ at: new Date(r.at).toISOString(), dir: r.dir, hex: r.hex })}\n`);

  let link: Tracked;
  try {
    link = tracked(await open(plan, (error) => io.stderr.write(`posdiag till: ${errorText(error)}\n`)));
  } catch (error) {
    io.stderr.write(`posdiag till: ${errorText(error)}\n`);
    await closeCapture(capture);
    return exitCodes.faults;
  }
  emit({ event: 'connected', device: plan.device, wire: link.description });

  // A signal or a lost link ends the run: the command in hand ends as a link error, no more start.
  const stop: Stop = { reason: null, hooks: [] };
  const halt = (reason: string) => {
    if (stop.reason !== null) return;
    stop.reason = reason;
    for (const hook of stop.hooks) hook();
  };
  const onSignal = (signal: NodeJS.Signals) => halt(`stopped by ${signal}`);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let finished = false;
  void link.closed.then((closed) => {
    if (!finished) halt(`link closed: ${closed.reason}`);
  });

  try {
    const ok = plan.device === 'zvt' ? await runPayments(link, plan, emit, record, stop) : await runJobs(link, plan, emit, record, stop);
    return ok && stop.reason === null ? exitCodes.ok : exitCodes.faults;
  } finally {
    finished = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await link.settle();
    await link.close();
    await closeCapture(capture);
  }
}

interface Plan {
  device: TillDevice;
  port: string | null;
  connect: { host: string; port: number } | null;
  payments: number;
  endOfDay: boolean;
  amountMinor: number;
  jobs: number;
  pauseMs: number;
  capture: string | null;
}

/** Every flag checked before the port is opened. */
function readPlan(args: string[]): Plan {
  const { values, positionals } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      connect: { type: 'string' },
      payments: { type: 'string' },
      'end-of-day': { type: 'boolean' },
      jobs: { type: 'string' },
      amount: { type: 'string' },
      capture: { type: 'string' },
      pause: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const device = positionals[0] as TillDevice | undefined;
  if (!device || !devices.includes(device)) throw new UsageError(`which device? one of: ${devices.join(', ')}`);
  if (positionals.length > 1) throw new UsageError(`unexpected '${positionals[1]}'`);
  if (Boolean(values.port) === Boolean(values.connect)) throw new UsageError('give exactly one of --port PATH or --connect HOST:PORT');
  const zvtOnly = (['payments', 'end-of-day', 'amount'] as const).filter((k) => values[k] !== undefined);
  if (device === 'escpos' && zvtOnly.length > 0) throw new UsageError(`--${zvtOnly[0]} is for zvt; a printer takes --jobs`);
  if (device === 'zvt' && values.jobs !== undefined) throw new UsageError('--jobs is for escpos; a terminal takes --payments');
  let connect: Plan['connect'] = null;
  if (values.connect !== undefined) {
    const parsed = parseListenAddress(values.connect);
    if (!parsed.ok) throw new UsageError(`--connect ${values.connect}: ${parsed.reason}`);
    connect = parsed.address;
  }
  const endOfDay = values['end-of-day'] === true;
  // BMP 04 holds 12 BCD digits of cents.
  const amountMinor = count(values.amount, '--amount', 1, 999_999_999_999) ?? 1_000;
  return {
    device,
    port: values.port ?? null,
    connect,
    // With only --end-of-day, no payment first; with nothing, one payment.
    payments: count(values.payments, '--payments', 0) ?? (endOfDay ? 0 : 1),
    endOfDay,
    amountMinor,
    jobs: count(values.jobs, '--jobs', 0) ?? 1,
    pauseMs: count(values.pause, '--pause', 0, 3_600_000) ?? 0,
    capture: values.capture ?? null,
  };
}

type Emit = (event: object) => void;
type Capture = (r: { at: number; dir: string; hex: string }) => void;
interface Stop {
  reason: string | null;
  hooks: (() => void)[];
}

async function runPayments(link: ByteLink, plan: Plan, emit: Emit, capture: Capture, stop: Stop): Promise<boolean> {
  const till = createZvtTill({ framing: plan.port ? 'serial' : 'tcp', link, schedule, now: Date.now, onApdu: capture });
  stop.hooks.push(() => till.close());
  const tally = { approved: 0, declined: 0, failed: 0 };
  const started = Date.now();
  let ran = 0;
  let settlement: TillResult | null = null;
  for (let n = 1; n <= plan.payments && stop.reason === null; n++) {
    if (n > 1 && plan.pauseMs) await delay(plan.pauseMs);
    const result = await till.payment(plan.amountMinor);
    ran++;
    if (result.outcome === 'approved') tally.approved++;
    else if (result.outcome === 'declined') tally.declined++;
    else tally.failed++;
    emit({ event: 'payment', n, ...summary(result) });
  }
  if (plan.endOfDay && stop.reason === null) {
    if (ran > 0 && plan.pauseMs) await delay(plan.pauseMs);
    settlement = await till.endOfDay();
    emit({ event: 'end-of-day', ...summary(settlement) });
  }
  till.close();
  const ms = Date.now() - started;
  emit({
    event: 'summary',
    device: 'zvt',
    payments: ran,
    requested: plan.payments,
    ...tally,
    endOfDay: settlement ? settlement.outcome : null,
    ms,
    msPerPayment: ran > 0 ? Math.round(ms / ran) : null,
    stopped: stop.reason,
  });
  const settled = !plan.endOfDay || settlement?.outcome === 'approved';
  return ran === plan.payments && tally.failed === 0 && settled;
}

function summary(r: TillResult) {
  return {
    outcome: r.outcome,
    resultCode: r.resultCode,
    amountMinor: r.amountMinor,
    ms: r.durationMs,
    ...(r.error === null ? {} : { error: r.error }),
  };
}

async function runJobs(link: ByteLink, plan: Plan, emit: Emit, capture: Capture, stop: Stop): Promise<boolean> {
  const jobs = plan.jobs;
  const client = createPrintClient({ link, schedule, now: Date.now, onBytes: capture });
  stop.hooks.push(() => client.close());
  const started = Date.now();
  let ran = 0;
  let printed = 0;
  let bytes = 0;
  for (let n = 1; n <= jobs && stop.reason === null; n++) {
    if (n > 1 && plan.pauseMs) await delay(plan.pauseMs);
    const result: PrintResult = await client.print(buildPrintJob(n));
    ran++;
    bytes += result.bytes;
    if (result.outcome === 'printed') printed++;
    emit({
      event: 'job',
      n,
      outcome: result.outcome,
      bytes: result.bytes,
      replies: result.replies,
      paper: result.paper === null ? null : result.paper.paperEnd ? 'out' : result.paper.nearEnd ? 'near-end' : 'ok',
      ms: result.durationMs,
      ...(result.error === null ? {} : { error: result.error }),
    });
  }
  client.close();
  const ms = Date.now() - started;
  emit({ event: 'summary', device: 'escpos', jobs: ran, requested: jobs, printed, failed: ran - printed, bytes, strayBytes: client.strayBytes, ms, stopped: stop.reason });
  return ran === jobs && printed === jobs && client.strayBytes === 0;
}

function schedule(delayMs: number, fn: () => void) {
  const timer = setTimeout(fn, delayMs);
  return { cancel: () => clearTimeout(timer) };
}

function open(plan: Plan, onListenerError: (error: unknown) => void): Promise<ByteLink> {
  if (plan.port !== null) {
    // A pty ignores the speed; a real cable to a terminal or printer is 9600 8N1 far more often than not.
    return serialOpener({ path: plan.port, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false }, onListenerError)();
  }
  return tcpOpener({ ...plan.connect!, connectTimeoutMs: 5_000 }, onListenerError)();
}

interface Tracked extends ByteLink {
  /** Waits for writes in flight, then for the line to go quiet: the device's last ACK. */
  settle(): Promise<void>;
}

/**
 * Closing a serial port fails the writes still in flight, and a run ends right after the till's
 * last 80 00 00 went out. So the close waits for the writes, and for up to a second for the line
 * to be quiet for 100 ms (over serial the terminal ACKs that last block).
 */
function tracked(link: ByteLink): Tracked {
  const inFlight = new Set<Promise<void>>();
  let lastByteAt = Date.now();
  link.onData(() => {
    lastByteAt = Date.now();
  });
  return {
    description: link.description,
    closed: link.closed,
    close: () => link.close(),
    onData: (listener) => link.onData(listener),
    write(bytes) {
      const write = link.write(bytes);
      const settled = write.then(
        () => undefined,
        () => undefined,
      );
      inFlight.add(settled);
      void settled.then(() => inFlight.delete(settled));
      return write;
    },
    async settle() {
      await Promise.all([...inFlight]);
      const deadline = Date.now() + 1_000;
      while (Date.now() - lastByteAt < 100 && Date.now() < deadline) await delay(20);
    },
  };
}

/** A whole number from a flag, within [min, max]; null when the flag is absent. */
function count(text: string | undefined, flag: string, min: number, max = 1_000_000): number | null {
  if (text === undefined) return null;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, got '${text}'`);
  }
  return Number(text);
}

function closeCapture(stream: WriteStream | null): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => stream.end(() => resolve()));
}
