import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { type ByteLink, closedSignal, DataListeners, errorText, LinkClosedError, type LinkOpener } from './link.js';
import { untilNextSlot } from './schedule-grid.js';

export interface SerialSettings {
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  rtscts: boolean;
}

/**
 * Opens a serial port (RS-232, USB-serial, or a pty) as a ByteLink.
 *
 * Unplug shows up three ways and each ends the link: node-serialport emits `close` with
 * `disconnected: true` (USB adapter removed, pty master gone), a read/write fails with EIO, or
 * the device node itself vanishes or is replaced (checked every second). The last catches what
 * the first two miss: node-serialport's poller can miss the hangup of a busy port, and then only
 * poll timeouts would tell, many seconds later.
 * The port is opened with an exclusive lock, so a second program (or a second agent) cannot
 * silently share it: that fails here with "Cannot lock port", which is what the operator must see.
 */
export function serialOpener(
  settings: SerialSettings,
  onListenerError: (error: unknown) => void,
  nodeCheckIntervalMs = DEVICE_NODE_CHECK_MS,
): LinkOpener {
  const description = `serial:${settings.path}@${settings.baudRate}`;
  return () =>
    new Promise<ByteLink>((resolve, reject) => {
      const port = new SerialPort({
        path: settings.path,
        baudRate: settings.baudRate,
        dataBits: settings.dataBits,
        parity: settings.parity,
        stopBits: settings.stopBits,
        rtscts: settings.rtscts,
        autoOpen: false,
        lock: true,
      });
      port.open((openError) => {
        if (openError) {
          reject(new Error(`cannot open ${settings.path}: ${openError.message}`));
          return;
        }
        const link = wrapPort(port, description, onListenerError);
        void watchDeviceNode(settings.path, link, nodeCheckIntervalMs);
        resolve(link);
      });
    });
}

function wrapPort(
  port: SerialPort,
  description: string,
  onListenerError: (error: unknown) => void,
): ByteLink & { unplugged(reason: string): void } {
  const listeners = new DataListeners();
  const closed = closedSignal();
  let open = true;

  const finish = (disconnected: boolean, reason: string) => {
    if (!open) return;
    open = false;
    listeners.clear();
    port.removeAllListeners('data');
    closed.resolve({ disconnected, reason });
  };

  port.on('data', (chunk: Buffer) => listeners.emit(chunk, onListenerError));
  port.on('close', (error?: Error & { disconnected?: boolean }) => {
    finish(error?.disconnected ?? false, error ? errorText(error) : 'port closed');
  });
  port.on('error', (error: Error) => {
    // An I/O error on an open port means the device side is gone (EIO on a pty whose master
    // closed, ENXIO on a removed adapter): treat it as an unplug and let the session reopen.
    finish(true, errorText(error));
    if (port.isOpen) port.close(() => undefined);
  });

  return {
    description,
    closed: closed.promise,
    unplugged(reason: string) {
      finish(true, reason);
      if (port.isOpen) port.close(() => undefined);
    },
    write(bytes) {
      if (!open) return Promise.reject(new LinkClosedError(description));
      return new Promise((resolve, reject) => {
        port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
          if (error) reject(new Error(`write to ${description} failed: ${error.message}`));
          else resolve();
        });
      });
    },
    onData: (listener) => listeners.add(listener),
    close() {
      if (!open || !port.isOpen) {
        finish(false, 'closed by the agent');
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        port.close(() => {
          finish(false, 'closed by the agent');
          resolve();
        });
      });
    },
  };
}

const DEVICE_NODE_CHECK_MS = 1_000;

/**
 * Ends the link when the device node it was opened on disappears (adapter unplugged, socat gone)
 * or is another device now (replugged fast enough to get the same name). Paths that are not
 * files (Windows COM ports) are not watched.
 */
async function watchDeviceNode(path: string, link: ReturnType<typeof wrapPort>, intervalMs: number): Promise<void> {
  const opened = await stat(path).catch(() => null);
  if (!opened) return;
  let open = true;
  let timer: NodeJS.Timeout | undefined;
  void link.closed.then(() => {
    open = false;
    clearTimeout(timer);
  });
  // On the same grid as the polls: the check shares their wake-up instead of adding its own.
  const next = (startedAt: number) => {
    if (!open) return;
    timer = setTimeout(check, untilNextSlot(startedAt, performance.now(), intervalMs));
    timer.unref();
  };
  const check = () => {
    const startedAt = performance.now();
    stat(path).then(
      (now) => {
        if (open && (now.rdev !== opened.rdev || now.ino !== opened.ino)) link.unplugged(`${path} is another device now (replugged)`);
      },
      (error: NodeJS.ErrnoException) => {
        if (open && error.code === 'ENOENT') link.unplugged(`${path} is gone (device unplugged)`);
      },
    ).finally(() => next(startedAt));
  };
  next(performance.now());
}
