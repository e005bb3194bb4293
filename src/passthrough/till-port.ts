/**
 * The till's side of a passthrough: the virtual port the till software opens instead of the
 * device. A pty at a stable path (socat keeps the pair; the till may open and close its end as
 * often as it likes) or a TCP listener (one till connection at a time; a new one replaces the
 * old, so a till that reconnects after a crash is served at once).
 */
import { lstat, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ListenAddress } from '../config/index.js';
import type { Logger } from '../log.js';
import { backoffDelay } from '../transport/backoff.js';
import { DataListeners, errorText, type ByteLink } from '../transport/link.js';
import { findSocat, openPtyPair, type PtyPair } from '../transport/pty-pair.js';
import { serialOpener } from '../transport/serial.js';

export interface TillPort {
  /** `pty:/run/posdiag/printer-1` or `tcp:127.0.0.1:9100`. */
  readonly description: string;
  /** TCP: whether a till is connected. A pty cannot tell whether the till has it open: null. */
  connected(): boolean | null;
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Best effort, in order: bytes for a till that is not there are dropped (it would not get them from the device either). */
  write(bytes: Uint8Array): void;
  /**
   * The device is gone (false) or back (true). TCP mirrors it: without the device the till's
   * connection is closed and new ones refused, as the device itself would.
   */
  deviceAvailable(available: boolean): void;
  /** Closes the till's connection (TCP): the device would have dropped it too. */
  dropTill(reason: string): void;
  close(): Promise<void>;
}

export interface TillPortEvents {
  /** TCP: a till connected or went away. */
  onTillConnection?(connected: boolean): void;
}

// ---------------------------------------------------------------------------------------------
// pty

/**
 * A pty pair made by socat: the till opens `link`, the agent holds the other end. If socat ever
 * exits, it is started again (with backoff), so the link comes back by itself.
 */
export async function openPtyTillPort(link: string, deviceId: string, log: Logger, events: TillPortEvents = {}): Promise<TillPort> {
  void events;
  const socat = await findSocat();
  if (!socat) throw new Error('passthrough type pty needs socat (apt-get install socat; brew install socat on macOS)');
  const lockPath = `${link}.lock`;
  await claimLink(link, lockPath, log);
  const dir = await mkdtemp(path.join(os.tmpdir(), `posdiag-passthrough-${deviceId}-`));
  const agentPath = path.join(dir, 'agent');
  const listeners = new DataListeners();
  const onListenerError = (error: unknown) => log.error({ err: error }, 'passthrough listener failed');
  let pair: PtyPair | null = null;
  let agentEnd: ByteLink | null = null;
  let closing = false;
  let attempt = 0;

  const start = async (): Promise<void> => {
    pair = await openPtyPair(socat, link, agentPath, 5_000, { hostReopenable: true });
    const opened = pair;
    await writeFile(lockPath, JSON.stringify({ agentPid: process.pid, socatPid: opened.pid ?? null }));
    // Line settings of a pty are not on any wire; the till may set whatever it likes on its end.
    agentEnd = await serialOpener({ path: agentPath, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false }, onListenerError)();
    agentEnd.onData((chunk) => listeners.emit(chunk, onListenerError));
    attempt = 0;
    void opened.exited.then(async (code) => {
      if (closing) return;
      log.warn({ code, link }, 'passthrough pty ended (socat exited); making it again');
      await agentEnd?.close();
      agentEnd = null;
      await restart();
    });
  };

  const restart = async (): Promise<void> => {
    while (!closing) {
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt++, 250, 10_000, Math.random)).unref());
      try {
        await removeStaleLink(link);
        await start();
        return;
      } catch (error) {
        log.warn({ err: errorText(error), link }, 'cannot make the passthrough pty; will retry');
      }
    }
  };

  await start();
  return {
    description: `pty:${link}`,
    connected: () => null,
    onData: (listener) => listeners.add(listener),
    write(bytes) {
      agentEnd?.write(bytes).catch((error: unknown) => log.debug({ err: errorText(error) }, 'passthrough: write to the till pty failed'));
    },
    deviceAvailable() {
      // A serial till sees an absent device as silence; nothing to do.
    },
    dropTill() {
      // A serial line cannot be hung up on; the till sees silence.
    },
    async close() {
      closing = true;
      await agentEnd?.close();
      await (pair as PtyPair | null)?.close();
      await rm(dir, { recursive: true, force: true });
      await rm(lockPath, { force: true });
    },
  };
}

/**
 * The link is ours to make unless another running agent serves it. `<link>.lock` names the agent
 * and its socat: a lock of a live posdiag refuses; one left by an agent that was killed (kill -9
 * leaves its socat running, still serving the old pty) is taken over, ending that socat.
 */
async function claimLink(link: string, lockPath: string, log: Logger): Promise<void> {
  type Lock = { agentPid?: unknown; socatPid?: unknown } | null;
  const lock: Lock = await readFile(lockPath, 'utf8').then(
    (text) => JSON.parse(text) as Lock,
    () => null, // no lock, or an unreadable one: nobody we can ask
  ).catch(() => null);
  const agentPid = typeof lock?.agentPid === 'number' ? lock.agentPid : null;
  const socatPid = typeof lock?.socatPid === 'number' ? lock.socatPid : null;
  if (agentPid !== null && agentPid !== process.pid && (await runs(agentPid, 'posdiag'))) {
    throw new Error(`passthrough link ${link} is served by another posdiag (process ${agentPid}, see ${lockPath}); two agents cannot share one device`);
  }
  if (socatPid !== null && (await runs(socatPid, 'socat'))) {
    log.warn({ socatPid, link }, 'passthrough: ending the socat a previous agent left behind');
    try {
      process.kill(socatPid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
    // socat removes its link (by path) as it exits: wait, or it would remove the one we make next.
    for (let waited = 0; waited < 3_000 && (await runs(socatPid, 'socat')); waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await removeStaleLink(link);
}

/** Whether `pid` runs a program whose command line mentions `name` (Linux: /proc; elsewhere: only that it runs). */
async function runs(pid: number, name: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return name === 'posdiag'; // cannot tell: never kill, but respect a lock
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(name);
  } catch {
    return false;
  }
}

/** A symlink left by an agent that was killed; anything else at that path is not ours to delete. */
async function removeStaleLink(link: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(link);
  } catch {
    return;
  }
  if (!stats.isSymbolicLink()) throw new Error(`passthrough link ${link} exists and is not a symlink; refusing to replace it`);
  await unlink(link).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

// ---------------------------------------------------------------------------------------------
// TCP

export async function openTcpTillPort(listen: ListenAddress, log: Logger, events: TillPortEvents = {}): Promise<TillPort> {
  const listeners = new DataListeners();
  const onListenerError = (error: unknown) => log.error({ err: error }, 'passthrough listener failed');
  let till: net.Socket | null = null;
  let deviceUp = false;

  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', (error) => log.debug({ err: errorText(error) }, 'passthrough: till connection error'));
    if (!deviceUp) {
      // What the till would get from a device that is off: no connection.
      socket.resetAndDestroy();
      return;
    }
    if (till) {
      log.info({ remote: socket.remoteAddress }, 'passthrough: a new till connection replaces the previous one');
      till.destroy();
    }
    till = socket;
    events.onTillConnection?.(true);
    socket.on('data', (chunk: Buffer) => {
      if (till === socket) listeners.emit(chunk, onListenerError);
    });
    socket.on('close', () => {
      if (till !== socket) return;
      till = null;
      events.onTillConnection?.(false);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`passthrough cannot listen on ${listen.host}:${listen.port}: ${errorText(error)}`)));
    server.listen({ host: listen.host, port: listen.port }, resolve);
  });
  const bound = server.address() as net.AddressInfo;
  return {
    description: `tcp:${listen.host}:${bound.port}`,
    connected: () => till !== null,
    onData: (listener) => listeners.add(listener),
    write(bytes) {
      till?.write(bytes);
    },
    deviceAvailable(available) {
      deviceUp = available;
      if (!available) till?.destroy();
    },
    dropTill(reason) {
      if (!till) return;
      log.info({ reason }, 'passthrough: closing the till connection');
      till.destroy();
    },
    close() {
      till?.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
