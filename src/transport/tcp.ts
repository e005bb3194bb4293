import net from 'node:net';
import { type ByteLink, closedSignal, DataListeners, errorText, LinkClosedError, type LinkOpener } from './link.js';

export interface TcpSettings {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

/**
 * Connects to a network device (a raw port 9100 printer, a ZVT-over-TCP terminal) as a ByteLink.
 * Keep-alive is on so a cable pulled on the far side of a switch is noticed even when the
 * driver is quiet; Nagle is off because requests are a few bytes and latency matters.
 */
export function tcpOpener(settings: TcpSettings, onListenerError: (error: unknown) => void): LinkOpener {
  const description = `tcp:${settings.host}:${settings.port}`;
  return () =>
    new Promise<ByteLink>((resolve, reject) => {
      const socket = net.connect({ host: settings.host, port: settings.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`cannot connect to ${settings.host}:${settings.port}: no answer within ${settings.connectTimeoutMs} ms`));
      }, settings.connectTimeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${settings.host}:${settings.port}: ${errorText(error)}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 5_000);
        resolve(wrapSocket(socket, description, onListenerError));
      });
    });
}

/** Also used for accepted sockets (the simulator's TCP listener). */
export function wrapSocket(socket: net.Socket, description: string, onListenerError: (error: unknown) => void): ByteLink {
  const listeners = new DataListeners();
  const closed = closedSignal();
  let open = true;
  let lastError: string | null = null;

  socket.on('data', (chunk) => listeners.emit(chunk, onListenerError));
  socket.on('error', (error) => {
    lastError = errorText(error);
  });
  socket.on('close', () => {
    if (!open) return;
    open = false;
    listeners.clear();
    closed.resolve({ disconnected: true, reason: lastError ?? 'connection closed by the device' });
  });

  return {
    description,
    closed: closed.promise,
    write(bytes) {
      if (!open || socket.destroyed) return Promise.reject(new LinkClosedError(description));
      return new Promise((resolve, reject) => {
        socket.write(bytes, (error) => {
          if (error) reject(new Error(`write to ${description} failed: ${error.message}`));
          else resolve();
        });
      });
    },
    onData: (listener) => listeners.add(listener),
    close() {
      if (!open) return Promise.resolve();
      open = false;
      listeners.clear();
      closed.resolve({ disconnected: false, reason: 'closed by the agent' });
      return new Promise((resolve) => {
        socket.end(() => resolve());
        socket.destroySoon();
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 1_000).unref();
      });
    },
  };
}
