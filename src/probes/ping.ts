/**
 * Runs the system `ping` with an argv array (never a shell), a copied environment with LC_ALL=C,
 * and a kill deadline, and reports the replies.
 *
 * Why not the `ping` npm package (0.4.4, the last release for Node 20): it assigns LANG=C onto the
 * global process.env on every probe, passes LANG only (an LC_ALL in the daemon's environment still
 * translates the output its parser depends on), puts the host after the options without `--`,
 * forwards a config `extra: []` verbatim, and gives no handle to kill a hung child.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { isIP } from 'node:net';
import { parsePingReplies } from './ping-parse.js';
import { InvalidProbeHostError, assertProbeHost } from './validate-host.js';

export interface PingRequest {
  /** An IP address (the DNS layer resolves first). */
  address: string;
  count: number;
  intervalMs: number;
  /** How long to wait for a reply to the last echo. */
  waitMs: number;
}

export type PingOutcome =
  | { kind: 'ran'; sent: number; received: number; rttsMs: number[] }
  /** ping could not send: binary missing, ICMP not permitted, other error. */
  | { kind: 'unavailable'; code: string; reason: string };

export interface PingCommand {
  command: string;
  args: string[];
  /** Longest the command should run when nothing answers. */
  expectedMs: number;
}

/** Exit status meaning "ran fine, nobody answered" (iputils 1, BSD 2, Windows 1). */
const NO_REPLY_EXIT: Partial<Record<NodeJS.Platform, number>> = { darwin: 2, freebsd: 2, openbsd: 2 };

/** The command line for `platform`; pure, so every platform's argv is unit-tested here. */
export function pingCommand(platform: NodeJS.Platform, request: PingRequest): PingCommand {
  const v6 = isIP(request.address) === 6;
  const count = String(request.count);
  const interval = (request.intervalMs / 1000).toFixed(3);
  if (platform === 'win32') {
    // No interval option: Windows sends one echo per second.
    return {
      command: 'ping',
      args: ['-n', count, '-w', String(Math.ceil(request.waitMs)), v6 ? '-6' : '-4', request.address],
      expectedMs: (request.count - 1) * 1000 + request.waitMs,
    };
  }
  if (platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd') {
    // BSD ping: -W is in milliseconds; IPv6 is the separate ping6.
    const wait = v6 ? [] : ['-W', String(Math.ceil(request.waitMs))];
    return {
      command: v6 ? 'ping6' : 'ping',
      args: ['-n', '-c', count, '-i', interval, ...wait, '--', request.address],
      expectedMs: (request.count - 1) * request.intervalMs + request.waitMs,
    };
  }
  // iputils (and busybox): -W is whole seconds. No -w deadline: with -w, iputils keeps sending
  // past -c until it has -c replies, which would hide loss.
  const waitSeconds = Math.max(1, Math.ceil(request.waitMs / 1000));
  return {
    command: 'ping',
    args: ['-n', '-c', count, '-i', interval, '-W', String(waitSeconds), v6 ? '-6' : '-4', '--', request.address],
    expectedMs: (request.count - 1) * request.intervalMs + waitSeconds * 1000,
  };
}

export interface PingerOptions {
  platform?: NodeJS.Platform;
  /** Override the binary (tests: a missing path to force the fallback). */
  command?: string;
  spawn?: typeof nodeSpawn;
}

const MAX_OUTPUT = 64 * 1024;

/** Makes the `ping` function of ProbeDeps. */
export function createPinger(options: PingerOptions = {}) {
  const platform = options.platform ?? process.platform;
  const spawn = options.spawn ?? nodeSpawn;
  return async (request: PingRequest, signal: AbortSignal): Promise<PingOutcome> => {
    assertProbeHost(request.address);
    if (isIP(request.address) === 0) {
      throw new InvalidProbeHostError(request.address, `ping needs an IP address, got ${JSON.stringify(request.address)}`);
    }
    const cmd = pingCommand(platform, request);
    return new Promise<PingOutcome>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const child = spawn(options.command ?? cmd.command, cmd.args, {
        shell: false,
        windowsHide: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        // A copy: the daemon's own environment is never touched.
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      });
      let stdout = '';
      let stderr = '';
      let killedByDeadline = false;
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-MAX_OUTPUT)));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-MAX_OUTPUT)));
      const deadline = setTimeout(() => {
        killedByDeadline = true;
        child.kill('SIGKILL');
      }, cmd.expectedMs + 1_000);
      const onAbort = (): void => {
        child.kill('SIGKILL');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const finish = (): void => {
        clearTimeout(deadline);
        signal.removeEventListener('abort', onAbort);
      };
      child.once('error', (error: NodeJS.ErrnoException) => {
        finish();
        const code = error.code ?? 'EUNKNOWN';
        const why = code === 'ENOENT' ? 'no ping program on PATH' : `cannot run ping (${code})`;
        resolve({ kind: 'unavailable', code, reason: why });
      });
      child.once('close', (exitCode: number | null) => {
        finish();
        if (signal.aborted) return reject(signal.reason);
        const replies = parsePingReplies(stdout).slice(0, request.count);
        const noReplyExit = NO_REPLY_EXIT[platform] ?? 1;
        if (replies.length > 0 || exitCode === 0 || exitCode === noReplyExit || killedByDeadline) {
          const rttsMs = replies.flatMap((r) => (r.rttMs === null ? [] : [r.rttMs]));
          return resolve({ kind: 'ran', sent: request.count, received: replies.length, rttsMs });
        }
        const firstLine = (stderr || stdout).split('\n').find((l) => l.trim() !== '')?.trim();
        resolve({
          kind: 'unavailable',
          code: `EXIT_${exitCode ?? 'SIGNAL'}`,
          reason: firstLine ?? `ping exited with status ${exitCode ?? 'unknown'}`,
        });
      });
    });
  };
}
