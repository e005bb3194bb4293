import type { ByteLink } from './link.js';

/**
 * A link that moves bytes no faster than a serial line at `baudRate` would: each direction is
 * its own line (RS-232 is full duplex), and a chunk takes 10 bit times per byte (start bit,
 * 8 data bits, stop bit) after the previous one on the same line has finished.
 *
 * A pty has no line speed: socat hands bytes over at memory speed whatever baud rate the port
 * is set to. `posdiag simulate --pace` puts this around the simulator's port so that benchmarks
 * and demos on a pty see the timing of a real 9600-baud cable.
 */
export function atLineSpeed(link: ByteLink, baudRate: number): ByteLink {
  const byteMs = 10_000 / baudRate;
  // When each line is free again (performance.now() time).
  let sendFreeAt = 0;
  let receiveFreeAt = 0;
  const timers = new Set<NodeJS.Timeout>();

  const finishTime = (freeAt: number, bytes: number): number =>
    Math.max(performance.now(), freeAt) + bytes * byteMs;
  // Node's timers run on the event loop's cached millisecond clock and can fire up to a
  // millisecond before `at` by performance.now(); waiting out the remainder keeps the promise
  // that bytes never arrive faster than the line carries them.
  const at = (time: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (performance.now() < time) at(time, fn);
      else fn();
    }, Math.max(0, time - performance.now()));
    timers.add(timer);
  };
  void link.closed.then(() => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  });

  return {
    description: link.description,
    closed: link.closed,
    close: () => link.close(),
    write(bytes) {
      const copy = Uint8Array.from(bytes);
      sendFreeAt = finishTime(sendFreeAt, copy.length);
      // The bytes leave when the line has carried them; the caller may go on meanwhile, as with
      // a UART's transmit buffer.
      at(sendFreeAt, () => void link.write(copy).catch(() => undefined));
      return Promise.resolve();
    },
    onData(listener) {
      return link.onData((chunk) => {
        const copy = Uint8Array.from(chunk);
        receiveFreeAt = finishTime(receiveFreeAt, copy.length);
        at(receiveFreeAt, () => listener(copy));
      });
    },
  };
}
