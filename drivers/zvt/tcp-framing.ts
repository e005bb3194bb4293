/** Bare APDUs over TCP [PA00P016 §4.1, §5.2.4]: no DLE, no CRC, no ACK; the length field is the framing. */
import { decodeApdu, knownApduClasses, maxApduBytes, readApduHeader } from './apdu.js';
import { type FrameEvent, type Framer, type FramerOptions, zvtTimers } from './framing.js';

/**
 * Framer for bare APDUs over TCP. There is no sync marker, so it skips bytes that cannot open an
 * APDU (unknown CLASS), drops announced lengths over the cap one byte at a time, and forgets a
 * partial APDU after a gap of `interByteTimeoutMs` (default T3: "if a message arrives so
 * fragmented that T3 elapses, the receiver closes the connection" [PA00P016 §5.2.5]).
 */
export function createTcpFramer(options: FramerOptions & { classes?: readonly number[] } = {}): Framer {
  // At least one extended header, so a full buffer always holds a complete APDU or a bad header.
  const cap = Math.max(5, options.maxApduBytes ?? maxApduBytes);
  const gap = options.interByteTimeoutMs ?? zvtTimers.responseMs;
  const classes = new Set(options.classes ?? knownApduClasses);
  const buf = new Uint8Array(cap);
  let start = 0;
  let end = 0;
  let lastByteAt: number | null = null;
  let discarded = 0;

  const parse = (events: FrameEvent[]) => {
    let overflowed = false;
    while (end > start) {
      if (!classes.has(buf[start]!)) {
        start++;
        discarded++;
        continue;
      }
      const header = readApduHeader(buf, start, end);
      if (header.status === 'incomplete') break;
      const total = header.headerBytes + header.dataBytes;
      if (total > cap) {
        if (!overflowed) events.push({ type: 'error', code: 'overflow', message: `APDU of ${total} bytes exceeds ${cap}` });
        overflowed = true;
        start++;
        discarded++;
        continue;
      }
      if (end - start < total) break;
      const bytes = buf.slice(start, start + total);
      start += total;
      const decoded = decodeApdu(bytes);
      if (decoded.ok) events.push({ type: 'apdu', apdu: decoded.apdu, bytes });
    }
    if (start === end) start = end = 0;
  };

  const timeOut = (events: FrameEvent[]) => {
    if (end > start) {
      discarded += end - start;
      events.push({ type: 'error', code: 'inter-byte-timeout', message: `partial APDU of ${end - start} bytes dropped after ${gap} ms` });
    }
    start = end = 0;
  };

  return {
    push(chunk, now) {
      const events: FrameEvent[] = [];
      if (lastByteAt !== null && now - lastByteAt >= gap) timeOut(events);
      let i = 0;
      while (i < chunk.length) {
        if (end === cap) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        }
        const n = Math.min(cap - end, chunk.length - i);
        buf.set(chunk.subarray(i, i + n), end);
        end += n;
        i += n;
        parse(events);
      }
      if (chunk.length > 0) lastByteAt = now;
      return events;
    },
    expire(now) {
      const events: FrameEvent[] = [];
      if (lastByteAt !== null && now - lastByteAt >= gap) timeOut(events);
      return events;
    },
    get pending() {
      return end > start;
    },
    get buffered() {
      return end - start;
    },
    get discarded() {
      return discarded;
    },
    reset() {
      start = end = 0;
      lastByteAt = null;
    },
  };
}

