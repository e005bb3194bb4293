import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * A pair of connected pseudo-terminals made by socat: what one end writes, the other reads,
 * exactly like a null-modem cable. The agent uses it to run its built-in simulated devices over
 * the real serial code path; tests use it to plug a simulator process into the agent.
 */
export interface PtyPair {
  /** The agent (host) side. */
  hostPath: string;
  /** The device (simulator) side. */
  devicePath: string;
  /** Ends the pair (the "cable" is pulled); resolves once socat has exited. */
  close(): Promise<void>;
  /** Resolves when socat exits for any reason. */
  readonly exited: Promise<number | null>;
  /** socat's process id. */
  readonly pid: number | undefined;
}

export interface PtyPairOptions {
  /** A program outside our control opens and closes this end, perhaps many times (a till). */
  hostReopenable?: boolean;
  deviceReopenable?: boolean;
}

export async function findSocat(): Promise<string | null> {
  return findProgram('socat');
}

async function findProgram(name: string): Promise<string | null> {
  const dirs = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(path.delimiter);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

let setprivPath: Promise<string | null> | undefined;

/**
 * How to start socat so that it ends with us. A process killed with SIGKILL (the OOM killer, a
 * test, `kill -9`) runs no cleanup, and socat would serve a dead pty pair for ever. On Linux,
 * util-linux's `setpriv --pdeathsig` asks the kernel to send socat SIGTERM when we die, then
 * execs it (same pid, same command line). Elsewhere socat is started as it is; the passthrough
 * link lock then lets the next agent end a socat left behind.
 */
async function tiedToUs(program: string, args: string[]): Promise<[string, string[]]> {
  if (process.platform !== 'linux') return [program, args];
  setprivPath ??= findProgram('setpriv');
  const setpriv = await setprivPath;
  return setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', program, ...args]] : [program, args];
}

/**
 * Starts `socat` with an argument array (never a shell string). Resolves once socat reports its
 * data loop running, which happens only after both links exist.
 */
export async function openPtyPair(
  socat: string,
  hostPath: string,
  devicePath: string,
  timeoutMs = 5_000,
  options: PtyPairOptions = {},
): Promise<PtyPair> {
  await mkdir(path.dirname(hostPath), { recursive: true });
  await mkdir(path.dirname(devicePath), { recursive: true });
  const end = (link: string, reopenable: boolean | undefined) =>
    // ignoreeof: when the program on this end closes it, socat keeps the pair and waits for the
    // next open, instead of ending the data loop (and with it the link path).
    `pty,raw,echo=0,link=${link}${reopenable ? ',ignoreeof,mode=660' : ''}`;
  const [program, args] = await tiedToUs(socat, ['-d', '-d', end(hostPath, options.hostReopenable), end(devicePath, options.deviceReopenable)]);
  const child = spawn(program, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitForReady(child, exited, timeoutMs);
  return {
    hostPath,
    devicePath,
    exited,
    pid: child.pid,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function waitForReady(child: ChildProcess, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`socat did not create the pty pair within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('starting data transfer loop')) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`socat exited (code ${code}) before the pty pair was ready: ${stderr.trim()}`));
    });
  });
}
