/**
 * Rotation with the real pino-roll and pino writing real files: the number of files and the
 * bytes on disk stay bounded however much is logged.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDaemonLogger } from '../../src/log.js';
import { newestRolledFile } from '../../src/log-files.js';

describe('rotated log files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-logs-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps at most maxFiles files of about maxSize each, newest last, and removes older runs too', async () => {
    const file = path.join(dir, 'logs', 'posdiag.log');
    const maxSize = 64 * 1024;
    const settings = { level: 'info' as const, format: 'auto' as const, file, maxSize, maxFiles: 3 };
    // Two runs, as across a service restart: the second must also clean up the first's files.
    for (const run of [1, 2]) {
      const { log, close } = await createDaemonLogger(settings);
      // In batches, as a running agent logs: pino-roll starts the next file between writes.
      for (let i = 0; i < 2_000; i += 1) {
        log.info({ run, i, padding: 'x'.repeat(100) }, 'filler line');
        if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
      }
      await close();
      // pino-roll deletes the oldest files asynchronously after a roll.
      await waitForFileCount(path.dirname(file), 3);
    }
    const names = (await readdir(path.dirname(file))).sort();
    expect(names.length).toBe(3);
    for (const name of names) expect(name).toMatch(/^posdiag\.\d+\.log$/);
    let total = 0;
    for (const name of names) total += (await stat(path.join(path.dirname(file), name))).size;
    // A file may pass maxSize by the lines of one write before the roll.
    expect(total).toBeLessThanOrEqual(3 * (maxSize + 4096));

    const newest = await newestRolledFile(file);
    const lines = (await readFile(newest!, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ run: 2, i: 1_999, msg: 'filler line' });
  });

  it('finds no rolled file where there is none', async () => {
    expect(await newestRolledFile(path.join(dir, 'nothing', 'posdiag.log'))).toBeNull();
  });
});

async function waitForFileCount(dir: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const names = await readdir(dir);
    if (names.length <= count) return;
    if (Date.now() > deadline) throw new Error(`still ${names.length} files in ${dir}: ${names.join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
