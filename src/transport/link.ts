import type { DeviceLink } from '../../drivers/model.js';

/**
 * An open connection to a device: the driver's DeviceLink plus what the agent needs to manage
 * it. A link is used once: when it closes (unplug, socket reset, our own close) a new one is
 * opened by the device session.
 */
export interface ByteLink extends DeviceLink {
  /** Human-readable endpoint for logs and the API, e.g. `serial:/dev/ttyUSB0@9600`. */
  readonly description: string;
  /** Resolves once, when the link is gone for whatever reason; carries the reason. */
  readonly closed: Promise<LinkClosed>;
  close(): Promise<void>;
}

export interface LinkClosed {
  /** True when the other side went away (unplug, reset), false when we closed it. */
  disconnected: boolean;
  reason: string;
}

/** Written to a link that is no longer open. */
export class LinkClosedError extends Error {
  override readonly name = 'LinkClosedError';
  constructor(description: string) {
    super(`${description} is closed`);
  }
}

/** Opens a fresh link; rejects with an Error whose message says why (ENOENT, ECONNREFUSED …). */
export type LinkOpener = () => Promise<ByteLink>;

/**
 * Fan-out of received chunks to subscribers, shared by every link kind. A throwing listener is
 * a bug in a driver, but it must not take the transport down with it.
 */
export class DataListeners {
  private readonly listeners = new Set<(chunk: Uint8Array) => void>();

  add(listener: (chunk: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(chunk: Uint8Array, onListenerError: (error: unknown) => void): void {
    for (const listener of this.listeners) {
      try {
        listener(chunk);
      } catch (error) {
        onListenerError(error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** A promise with its resolve function, for `closed`. */
export function closedSignal(): { promise: Promise<LinkClosed>; resolve: (value: LinkClosed) => void } {
  let resolve!: (value: LinkClosed) => void;
  const promise = new Promise<LinkClosed>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
