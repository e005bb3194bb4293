/**
 * One long-running `ping` per address instead of one `ping` per round (Linux iputils).
 *
 * Why: starting the ping program costs about 1 ms of CPU in the child and as much again in the
 * daemon, every round, for every target; that alone is what a whole blackbox_exporter ICMP probe
 * costs. A ping that keeps running sends the same number of echoes (spaced evenly over the
 * round interval instead of in a burst), and each reply is one short line to parse.
 *
 * Each round takes the echo outcomes that arrived since the previous round; when there are none
 * yet (first round, or rounds closer together than the spacing) it waits for the next one.
 * `-O` makes iputils print "no answer yet for icmp_seq=N" when it sends the next echo while N is
 * still unanswered: that is how a lost echo becomes an outcome. Anything that keeps the stream
 * from running (no binary, ICMP not permitted, busybox without -O) hands the round to the
 * per-round pinger, which knows how to report it, and the stream is retried later.
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { isIP } from 'node:net';
import type { PingOutcome, PingRequest } from './ping.js';
import { parsePingReplies } from './ping-parse.js';
import { InvalidProbeHostError, assertProbeHost } from './validate-host.js';

type Pinger = (request: PingRequest, signal: AbortSignal) => Promise<PingOutcome>;

export interface StreamingPingerOptions {
  /** Time between echoes of one stream: the round interval divided by the echoes per round. */
  spacingMs: number;
  /** Used while a stream cannot run, and on platforms other than Linux. */
  fallback: Pinger;
  platform?: NodeJS.Platform;
  command?: string;
  spawn?: typeof nodeSpawn;
  now?: () => number;
}

export interface StreamingPinger {
  ping: Pinger;
  /** Stops every ping process. */
  close(): void;
}

/** Outcomes kept per stream when rounds stop asking (a target removed from the config). */
const MAX_PENDING = 256;
/** After a stream failed to run, rounds use the per-round pinger for this long. */
const RETRY_STREAM_AFTER_MS = 5 * 60_000;

interface Echo {
  replied: boolean;
  /** Null for a loss, or a reply whose time could not be read. */
  rttMs: number | null;
}

interface Stream {
  child: ChildProcess;
  pending: Echo[];
  /** Sequence numbers already counted: a late reply to an echo counted as lost is not counted again. */
  counted: Set<number>;
  partialLine: string;
  stderr: string;
  lastAskedAt: number;
  exited: boolean;
  wake: (() => void) | null;
}

/** iputils' argv for an endless stream. The address is validated and comes after `--`. */
export function pingStreamArgs(address: string, spacingMs: number, waitMs: number): string[] {
  const interval = (Math.max(200, spacingMs) / 1000).toFixed(3);
  const waitSeconds = String(Math.max(1, Math.ceil(waitMs / 1000)));
  return ['-n', '-O', '-i', interval, '-W', waitSeconds, isIP(address) === 6 ? '-6' : '-4', '--', address];
}

/**
 * Reads one line of iputils output into an outcome: a reply (language-independent parse), a
 * loss ("no answer yet", "Destination Host Unreachable": any other line with a sequence number),
 * or nothing (the banner).
 */
export function readStreamLine(line: string): { seq: number; echo: Echo } | null {
  const seq = /\bicmp_seq=(\d+)/.exec(line) ?? /\bseq=(\d+)/.exec(line);
  if (seq === null) return null;
  const reply = parsePingReplies(line)[0];
  return { seq: Number(seq[1]), echo: { replied: reply !== undefined, rttMs: reply?.rttMs ?? null } };
}

export function createStreamingPinger(options: StreamingPingerOptions): StreamingPinger {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return { ping: options.fallback, close: () => undefined };
  const spawn = options.spawn ?? nodeSpawn;
  const now = options.now ?? Date.now;
  const streams = new Map<string, Stream>();
  const failedUntil = new Map<string, number>();
  const idleAfterMs = Math.max(60_000, options.spacingMs * 10);

  const stopStream = (address: string, stream: Stream): void => {
    if (streams.get(address) === stream) streams.delete(address);
    if (!stream.exited) stream.child.kill('SIGKILL');
  };

  const record = (stream: Stream, line: string): void => {
    const outcome = readStreamLine(line);
    if (outcome === null || stream.counted.has(outcome.seq)) return;
    stream.counted.add(outcome.seq);
    // Only recent echoes can still be answered late.
    if (stream.counted.size > MAX_PENDING) stream.counted.delete(stream.counted.values().next().value as number);
    stream.pending.push(outcome.echo);
    if (stream.pending.length > MAX_PENDING) stream.pending.shift();
    stream.wake?.();
  };

  const startStream = (address: string, waitMs: number): Stream => {
    const child = spawn(options.command ?? 'ping', pingStreamArgs(address, options.spacingMs, waitMs), {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    const stream: Stream = {
      child,
      pending: [],
      counted: new Set(),
      partialLine: '',
      stderr: '',
      lastAskedAt: now(),
      exited: false,
      wake: null,
    };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (stream.partialLine + chunk).split('\n');
      stream.partialLine = (lines.pop() ?? '').slice(-4096);
      for (const line of lines) record(stream, line);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stream.stderr = (stream.stderr + chunk).slice(-4096)));
    const ended = (): void => {
      if (stream.exited) return;
      stream.exited = true;
      if (streams.get(address) === stream) streams.delete(address);
      // A stream that never produced an echo could not run here: give rounds to the fallback.
      if (stream.counted.size === 0) failedUntil.set(address, now() + RETRY_STREAM_AFTER_MS);
      stream.wake?.();
    };
    child.once('error', ended);
    child.once('close', ended);
    streams.set(address, stream);
    return stream;
  };

  const dropIdle = (): void => {
    const t = now();
    for (const [address, stream] of streams) if (t - stream.lastAskedAt > idleAfterMs) stopStream(address, stream);
  };

  const ping: Pinger = async (request, signal) => {
    assertProbeHost(request.address);
    if (isIP(request.address) === 0) {
      throw new InvalidProbeHostError(request.address, `ping needs an IP address, got ${JSON.stringify(request.address)}`);
    }
    dropIdle();
    const address = request.address;
    if ((failedUntil.get(address) ?? 0) > now()) return options.fallback(request, signal);
    const stream = streams.get(address) ?? startStream(address, request.waitMs);
    stream.lastAskedAt = now();
    if (stream.pending.length === 0 && !stream.exited) {
      // The first echo goes out at once; it is answered within its RTT or declared lost when
      // the next one is sent, one spacing later.
      const patienceMs = Math.max(200, options.spacingMs) + 1_000;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(done, patienceMs);
        const onAbort = (): void => {
          done();
          reject(signal.reason);
        };
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          stream.wake = null;
          resolve();
        }
        if (signal.aborted) return onAbort();
        stream.wake = done;
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    const echoes = stream.pending.splice(0);
    if (echoes.length === 0) {
      if (stream.exited) return options.fallback(request, signal);
      // Running, but not even a "no answer yet" line: the echo is overdue, so count it lost.
      return { kind: 'ran', sent: 1, received: 0, rttsMs: [] };
    }
    const rttsMs = echoes.flatMap((e) => (e.rttMs === null ? [] : [e.rttMs]));
    return { kind: 'ran', sent: echoes.length, received: echoes.filter((e) => e.replied).length, rttsMs };
  };

  return {
    ping,
    close() {
      for (const [address, stream] of streams) stopStream(address, stream);
    },
  };
}
