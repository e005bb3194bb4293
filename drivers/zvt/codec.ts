/**
 * The pure ZVT codec: APDUs, serial and TCP framing, BER-TLV, BMP fields and the message
 * builders. No I/O and no timers; see the modules for the spec references.
 */
import type { Framer, FramerOptions, TransportFraming } from './framing.js';
import { createSerialFramer } from './serial-framing.js';
import { createTcpFramer } from './tcp-framing.js';

export * from './apdu.js';
export * from './framing.js';
export * from './serial-framing.js';
export * from './tcp-framing.js';
export * from './tlv.js';
export * from './bmp.js';
export * from './commands.js';

/** The framer for a transport: serial blocks with ACK/NAK, or bare APDUs over TCP. */
export function createFramer(framing: TransportFraming, options: FramerOptions = {}): Framer {
  return framing === 'serial' ? createSerialFramer(options) : createTcpFramer(options);
}
