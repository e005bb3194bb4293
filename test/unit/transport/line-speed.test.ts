import { describe, expect, it } from 'vitest';
import { atLineSpeed } from '../../../src/transport/line-speed.js';
import { memoryLinkPair } from '../../../src/transport/memory.js';

const fail = (error: unknown) => {
  throw error;
};

/** Resolves with the time at which `count` bytes have arrived. */
function arrival(link: { onData(l: (c: Uint8Array) => void): () => void }, count: number): Promise<number> {
  let got = 0;
  return new Promise((resolve) => {
    link.onData((chunk) => {
      got += chunk.length;
      if (got >= count) resolve(performance.now());
    });
  });
}

describe('atLineSpeed', () => {
  it('sends 96 bytes at 9600 baud in no less than 100 ms, in order', async () => {
    const [a, b] = memoryLinkPair('x', fail);
    const paced = atLineSpeed(a, 9600);
    const received: number[] = [];
    b.onData((chunk) => received.push(...chunk));
    const started = performance.now();
    const done = arrival(b, 96);
    await paced.write(Uint8Array.from({ length: 48 }, (_, i) => i));
    await paced.write(Uint8Array.from({ length: 48 }, (_, i) => 48 + i));
    expect((await done) - started).toBeGreaterThanOrEqual(99);
    expect(received).toEqual(Array.from({ length: 96 }, (_, i) => i));
  });

  it('delivers what arrives no faster than the line carries it', async () => {
    const [a, b] = memoryLinkPair('y', fail);
    const paced = atLineSpeed(a, 19200);
    const started = performance.now();
    const done = arrival(paced, 48);
    await b.write(new Uint8Array(48));
    expect((await done) - started).toBeGreaterThanOrEqual(24);
  });
});
