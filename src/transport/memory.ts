import { type ByteLink, closedSignal, DataListeners, LinkClosedError } from './link.js';

/**
 * Two ends of an in-process byte pipe. Used for the built-in simulated device when no pty tool
 * (socat) is installed: the driver still speaks the real protocol, byte for byte, to the
 * simulator; only the wire is missing. Delivery is asynchronous, as on a real port.
 */
export function memoryLinkPair(name: string, onListenerError: (error: unknown) => void): [ByteLink, ByteLink] {
  const a = new MemoryEnd(`memory:${name}`, onListenerError);
  const b = new MemoryEnd(`memory:${name}:device`, onListenerError);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryEnd implements ByteLink {
  peer: MemoryEnd | null = null;
  private readonly listeners = new DataListeners();
  private readonly signal = closedSignal();
  private open = true;
  readonly closed = this.signal.promise;

  constructor(
    readonly description: string,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  write(bytes: Uint8Array): Promise<void> {
    if (!this.open) return Promise.reject(new LinkClosedError(this.description));
    const copy = Uint8Array.from(bytes);
    const peer = this.peer;
    setImmediate(() => peer?.deliver(copy));
    return Promise.resolve();
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.listeners.add(listener);
  }

  close(): Promise<void> {
    this.end(false, 'closed by the agent');
    this.peer?.end(true, 'the other end closed');
    return Promise.resolve();
  }

  private deliver(chunk: Uint8Array): void {
    if (this.open) this.listeners.emit(chunk, this.onListenerError);
  }

  private end(disconnected: boolean, reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.listeners.clear();
    this.signal.resolve({ disconnected, reason });
  }
}
