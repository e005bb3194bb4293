import { describe, expect, it } from 'vitest';
import { MAX_BLOCK_BYTES } from '../../../../drivers/escpos/codec.js';
import { describeRequest, ReplyDemux, type DemuxEvent } from '../../../../drivers/escpos/demux.js';
import { ascii } from './helpers.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

/** Events with byte arrays turned into plain arrays, for readable assertions. */
function plain(events: DemuxEvent[]) {
  return events.map((e) => (e.type === 'discarded' ? e : { ...e, bytes: [...e.bytes] }));
}

describe('ReplyDemux', () => {
  it('answers each DLE EOT request in order', () => {
    const demux = new ReplyDemux();
    const id1 = demux.expect({ kind: 'eot', n: 1 });
    const id4 = demux.expect({ kind: 'eot', n: 4 });
    expect(plain(demux.push(bytes(0x16, 0x72)))).toEqual([
      { type: 'reply', id: id1, request: { kind: 'eot', n: 1 }, bytes: [0x16] },
      { type: 'reply', id: id4, request: { kind: 'eot', n: 4 }, bytes: [0x72] },
    ]);
    expect(demux.outstandingCount).toBe(0);
  });

  it('reassembles a block split across chunks', () => {
    const demux = new ReplyDemux();
    const id = demux.expect({ kind: 'info', n: 66 });
    expect(demux.push(bytes(0x5f, 0x45))).toEqual([]);
    expect(demux.push(bytes(0x50, 0x53))).toEqual([]);
    expect(demux.bufferedBytes).toBe(4);
    expect(plain(demux.push(bytes(0x4f, 0x4e, 0x00)))).toEqual([
      { type: 'reply', id, request: { kind: 'info', n: 66 }, bytes: [0x5f, ...ascii('EPSON'), 0x00] },
    ]);
    expect(demux.bufferedBytes).toBe(0);
  });

  it('separates a block and a status reply merged in one chunk, each to its own FIFO', () => {
    const demux = new ReplyDemux();
    const info = demux.expect({ kind: 'info', n: 67 });
    const eot = demux.expect({ kind: 'eot', n: 1 });
    // The real-time reply may overtake the queued one (§3).
    const events = plain(demux.push(bytes(0x1a, 0x5f, ...ascii('TM-T88'), 0x00)));
    expect(events.map((e) => (e.type === 'reply' ? e.id : e.type))).toEqual([eot, info]);
  });

  it('discards garbage before and between replies, and counts it', () => {
    const demux = new ReplyDemux();
    demux.expect({ kind: 'eot', n: 1 });
    demux.expect({ kind: 'eot', n: 2 });
    const events = plain(demux.push(bytes(0xff, 0x80, 0x12, 0xc3, 0xa5, 0x99, 0x16, 0x20)));
    expect(events).toEqual([
      { type: 'discarded', count: 2, reason: 'noise' },
      expect.objectContaining({ type: 'reply', bytes: [0x12] }),
      { type: 'discarded', count: 3, reason: 'noise' },
      expect.objectContaining({ type: 'reply', bytes: [0x16] }),
      { type: 'discarded', count: 1, reason: 'unexpected' },
    ]);
    expect(demux.discardedBytes).toBe(6);
  });

  it('drops XON/XOFF outside blocks, even between ASB bytes, but keeps them inside a block', () => {
    const demux = new ReplyDemux({ asb: true });
    demux.expect({ kind: 'eot', n: 1 });
    demux.expect({ kind: 'info', n: 66 });
    const events = plain(demux.push(bytes(0x11, 0x12, 0x13, 0x10, 0x13, 0x00, 0x00, 0x11, 0x00, 0x5f, 0x41, 0x13, 0x00)));
    expect(events).toEqual([
      expect.objectContaining({ type: 'reply', bytes: [0x12] }),
      { type: 'asb', bytes: [0x10, 0x00, 0x00, 0x00] },
      expect.objectContaining({ type: 'reply', bytes: [0x5f, 0x41, 0x13, 0x00] }),
    ]);
    expect(demux.flowControlBytes).toBe(4);
    expect(demux.discardedBytes).toBe(0);
  });

  it('recognises ASB messages only when enabled', () => {
    const off = new ReplyDemux();
    expect(plain(off.push(bytes(0x10, 0x00, 0x00, 0x00)))).toEqual([
      { type: 'discarded', count: 1, reason: 'noise' },
      { type: 'discarded', count: 3, reason: 'unexpected' },
    ]);
    const on = new ReplyDemux();
    on.setAsbEnabled(true);
    expect(plain(on.push(bytes(0x38, 0x00)))).toEqual([]);
    expect(plain(on.push(bytes(0x0f, 0x00)))).toEqual([{ type: 'asb', bytes: [0x38, 0x00, 0x0f, 0x00] }]);
  });

  it('drops a broken ASB and reads the byte that broke it afresh', () => {
    const demux = new ReplyDemux({ asb: true });
    const id = demux.expect({ kind: 'eot', n: 1 });
    expect(plain(demux.push(bytes(0x10, 0x00, 0x12)))).toEqual([
      { type: 'discarded', count: 2, reason: 'bad-asb' },
      { type: 'reply', id, request: { kind: 'eot', n: 1 }, bytes: [0x12] },
    ]);
  });

  it('after reset(), a late reply is discarded and not taken for the next request', () => {
    const demux = new ReplyDemux();
    demux.expect({ kind: 'eot', n: 1 });
    demux.reset(); // the driver's timeout fired
    expect(plain(demux.push(bytes(0x12)))).toEqual([{ type: 'discarded', count: 1, reason: 'unexpected' }]);
    const next = demux.expect({ kind: 'eot', n: 1 });
    expect(plain(demux.push(bytes(0x1a)))).toEqual([{ type: 'reply', id: next, request: { kind: 'eot', n: 1 }, bytes: [0x1a] }]);
  });

  it('finishes a block in progress across reset(), so its text is not read as status bytes', () => {
    const demux = new ReplyDemux();
    demux.expect({ kind: 'info', n: 68 });
    demux.push(bytes(0x5f, ...ascii('R2')));
    demux.reset();
    const eot = demux.expect({ kind: 'eot', n: 1 });
    // 'R' (0x52) and '2' (0x32) match the DLE EOT pattern; inside the block they are text.
    expect(plain(demux.push(bytes(...ascii('R2'), 0x00, 0x1a)))).toEqual([
      { type: 'discarded', count: 6, reason: 'unexpected' },
      { type: 'reply', id: eot, request: { kind: 'eot', n: 1 }, bytes: [0x1a] },
    ]);
  });

  it('keeps queued replies in order: a 1-byte reply does not answer a pending block request', () => {
    const demux = new ReplyDemux();
    const block = demux.expect({ kind: 'info', n: 66 });
    const oneByte = demux.expect({ kind: 'info', n: 1 });
    expect(plain(demux.push(bytes(0x20)))).toEqual([{ type: 'discarded', count: 1, reason: 'unexpected' }]);
    const events = plain(demux.push(bytes(0x5f, 0x41, 0x00, 0x20)));
    expect(events.map((e) => (e.type === 'reply' ? e.id : e.type))).toEqual([block, oneByte]);
  });

  it('caps a block without NUL at MAX_BLOCK_BYTES and recovers afterwards', () => {
    const demux = new ReplyDemux();
    demux.expect({ kind: 'info', n: 66 });
    const events: DemuxEvent[] = [];
    for (let i = 0; i < 200; i++) {
      events.push(...demux.push(bytes(i === 0 ? 0x5f : 0xc1)));
      expect(demux.bufferedBytes).toBeLessThan(MAX_BLOCK_BYTES);
    }
    expect(events[0]).toEqual({ type: 'discarded', count: MAX_BLOCK_BYTES, reason: 'block-too-long' });
    const eot = demux.expect({ kind: 'eot', n: 1 });
    expect(plain(demux.push(bytes(0x12))).at(-1)).toEqual({ type: 'reply', id: eot, request: { kind: 'eot', n: 1 }, bytes: [0x12] });
    expect(demux.discardedBytes).toBe(200);
  });

  it('refuses more outstanding requests than its limit', () => {
    const demux = new ReplyDemux({ maxOutstanding: 4 });
    for (const n of [1, 2, 3, 4] as const) demux.expect({ kind: 'eot', n });
    expect(() => demux.expect({ kind: 'eot', n: 1 })).toThrow(RangeError);
    demux.reset();
    expect(() => demux.expect({ kind: 'eot', n: 1 })).not.toThrow();
  });

  it('names requests as the protocol does', () => {
    expect(describeRequest({ kind: 'eot', n: 3 })).toBe('DLE EOT 3');
    expect(describeRequest({ kind: 'info', n: 66 })).toBe('GS I 66');
    expect(describeRequest({ kind: 'status', n: 1 })).toBe('GS r 1');
  });
});
