import { describe, expect, it } from 'vitest';
import { createEscposPassthroughWatch } from '../../../../drivers/escpos/passthrough.js';
import type { RoutedBytes } from '../../../../drivers/model.js';

const watch = () => createEscposPassthroughWatch({ transport: 'serial', options: {}, requestTimeoutMs: 500 });
const b = (...bytes: number[]) => Uint8Array.from(bytes);
const agentBurst = b(0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04);
const flat = (runs: RoutedBytes[]) => runs.map((r) => ({ to: r.to, bytes: [...r.bytes] }));

describe('ESC/POS passthrough watch', () => {
  it('is idle on a fresh line and after whole commands', () => {
    const w = watch();
    expect(w.idle(0)).toBe(true);
    w.toDevice('till', b(0x1b, 0x40, 0x48, 0x69, 0x0a), 1); // ESC @ "Hi" LF
    expect(w.idle(2)).toBe(true);
  });

  it('is not idle inside a command or inside raster image data', () => {
    const w = watch();
    w.toDevice('till', b(0x1b), 0);
    expect(w.idle(1)).toBe(false);
    w.toDevice('till', b(0x21, 0x08), 2);
    expect(w.idle(3)).toBe(true);
    // GS v 0: 1 byte wide, 3 rows: 3 data bytes after the 8-byte header.
    w.toDevice('till', b(0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x03, 0x00, 0x10, 0x04), 4);
    expect(w.idle(5)).toBe(false);
    expect(w.activity()).toBe('till: printing');
    w.toDevice('till', b(0x01), 6);
    // The image held 10 04 01: a printer answers that anyway, so an answer is now owed to the till.
    expect(w.idle(7)).toBe(false);
    expect(flat(w.fromDevice(b(0x16), 8))).toEqual([{ to: 'till', bytes: [0x16] }]);
    expect(w.idle(9)).toBe(true);
  });

  it('gives the agent its DLE EOT answers and the till everything else, in order', () => {
    const w = watch();
    w.toDevice('agent', agentBurst, 0);
    expect(w.idle(1)).toBe(false);
    // An ASB message of the till's (4 bytes) arrives between the agent's answers.
    const routed = w.fromDevice(b(0x16, 0x12, 0x10, 0x00, 0x00, 0x0f, 0x12, 0x12), 2);
    expect(flat(routed)).toEqual([
      { to: 'agent', bytes: [0x16, 0x12] },
      { to: 'till', bytes: [0x10, 0x00, 0x00, 0x0f] },
      { to: 'agent', bytes: [0x12, 0x12] },
    ]);
    expect(w.idle(3)).toBe(true);
    // Nothing outstanding for the agent: a status-looking byte now is the till's.
    expect(flat(w.fromDevice(b(0x12), 4))).toEqual([{ to: 'till', bytes: [0x12] }]);
  });

  it('waits for the answers to the till\'s own queries before the agent may ask', () => {
    const w = watch();
    w.toDevice('till', b(0x10, 0x04, 0x04), 0);
    expect(w.idle(1)).toBe(false);
    expect(w.activity()).toBe('till: waiting for a status reply');
    expect(flat(w.fromDevice(b(0x12), 2))).toEqual([{ to: 'till', bytes: [0x12] }]);
    expect(w.idle(3)).toBe(true);
  });

  it('gives up on a till query the printer never answers', () => {
    const w = watch();
    w.toDevice('till', b(0x1d, 0x49, 0x43), 0); // GS I 67
    expect(w.idle(1_000)).toBe(false);
    expect(w.idle(2_001)).toBe(true);
  });

  it('after a query whose answer it cannot parse, waits for the printer to be quiet', () => {
    const w = watch();
    w.toDevice('till', b(0x1d, 0x28, 0x48, 0x06, 0x00, 0x30, 0x30, 0x31, 0x32, 0x33, 0x34), 0); // GS ( H fn 48
    expect(w.idle(100)).toBe(false);
    w.fromDevice(b(0x37, 0x22, 0x31, 0x32, 0x33, 0x34, 0x00), 1_900);
    expect(w.idle(2_100)).toBe(false);
    expect(w.idle(2_500)).toBe(true);
  });

  it('after an unknown command, trusts boundaries again only once the till was quiet', () => {
    const w = watch();
    w.toDevice('till', b(0x1b, 0x99, 0x05, 0x41), 0);
    expect(w.drain()).toEqual([expect.objectContaining({ type: 'unrecognised' })]);
    expect(w.idle(100)).toBe(false);
    expect(w.idle(501)).toBe(true);
  });

  it('takes a till silent inside a command for 5 s as gone, so the agent is not blinded for good', () => {
    const w = watch();
    // GS V 66 (partial cut with feed) without its last byte: the till closed the port mid-command.
    w.toDevice('till', b(0x1d, 0x56, 0x42), 1_000);
    expect(w.idle(1_500)).toBe(false);
    expect(w.idle(5_999)).toBe(false); // a till held by flow control for a few seconds still owes the rest
    expect(w.idle(6_000)).toBe(true);
    expect(w.activity()).toBeNull();
    // A fresh job after that starts at a command boundary.
    w.toDevice('till', b(0x1b, 0x40), 6_100);
    expect(w.idle(6_101)).toBe(true);
  });

  it('counts receipts from paper cuts', () => {
    const w = watch();
    w.toDevice('till', b(0x41, 0x0a, 0x1d, 0x56, 0x42, 0x00, 0x42, 0x0a, 0x1d, 0x56, 0x01), 5);
    expect(w.drain()).toEqual([
      { type: 'receipt', at: 5 },
      { type: 'receipt', at: 5 },
    ]);
  });

  it('keeps late answers to a timed-out agent query from the till for a while, without holding the line', () => {
    const w = watch();
    w.toDevice('agent', agentBurst, 0);
    w.agentGaveUp(500);
    expect(w.idle(501)).toBe(true);
    expect(flat(w.fromDevice(b(0x16, 0x12), 600))).toEqual([{ to: 'agent', bytes: [0x16, 0x12] }]);
    // Past the grace period, the bytes are the till's.
    expect(flat(w.fromDevice(b(0x12), 1_100))).toEqual([{ to: 'till', bytes: [0x12] }]);
  });

  it('a till DLE EOT takes precedence over late agent answers', () => {
    const w = watch();
    w.toDevice('agent', agentBurst, 0);
    w.agentGaveUp(500);
    w.toDevice('till', b(0x10, 0x04, 0x01), 510);
    expect(flat(w.fromDevice(b(0x16), 520))).toEqual([{ to: 'till', bytes: [0x16] }]);
  });
});
