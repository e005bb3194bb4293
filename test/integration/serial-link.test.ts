import { mkdtemp, rm, symlink, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../../src/transport/pty-pair.js';
import { serialOpener, type SerialSettings } from '../../src/transport/serial.js';
import { requireSocat } from '../helpers/tools.js';

const settings = (p: string): SerialSettings => ({ path: p, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false });
const noListenerErrors = (error: unknown) => {
  throw error;
};

/**
 * The serial link ends when its device node goes away or becomes another device, even when the
 * port itself reports nothing (socat still holds the pty here, so no hangup reaches the port).
 */
describe('serial link: device node watch', () => {
  let dir: string;
  let pairs: PtyPair[];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-serial-'));
    pairs = [];
  });

  afterEach(async () => {
    for (const pair of pairs) await pair.close();
    await rm(dir, { recursive: true, force: true });
  });

  const pair = async (name: string) => {
    const p = await openPtyPair(await requireSocat(), path.join(dir, `${name}-a`), path.join(dir, `${name}-b`));
    pairs.push(p);
    return p;
  };

  it('ends the link as unplugged when the device node disappears', async () => {
    const p = await pair('one');
    const stable = path.join(dir, 'printer');
    await symlink(p.hostPath, stable);
    const link = await serialOpener(settings(stable), noListenerErrors, 20)();
    await unlink(stable);
    const closed = await link.closed;
    expect(closed).toEqual({ disconnected: true, reason: `${stable} is gone (device unplugged)` });
    await expect(link.write(Uint8Array.of(0x10, 0x04, 0x01))).rejects.toThrow();
  });

  it('ends the link when the same name now leads to another device', async () => {
    const first = await pair('one');
    const second = await pair('two');
    const stable = path.join(dir, 'terminal');
    await symlink(first.hostPath, stable);
    const link = await serialOpener(settings(stable), noListenerErrors, 20)();
    await unlink(stable);
    await symlink(second.hostPath, stable);
    const closed = await link.closed;
    expect(closed.disconnected).toBe(true);
    expect(closed.reason).toMatch(/is (another device now \(replugged\)|gone \(device unplugged\))$/);
  });

  it('keeps a link whose device node stays', async () => {
    const p = await pair('one');
    const link = await serialOpener(settings(p.hostPath), noListenerErrors, 20)();
    let closedEarly = false;
    void link.closed.then(() => (closedEarly = true));
    const received = new Promise<Uint8Array>((resolve) => link.onData(resolve));
    const other = await serialOpener(settings(p.devicePath), noListenerErrors, 20)();
    // The absence of a false alarm needs a window: about ten checks of both nodes.
    await new Promise((r) => setTimeout(r, 200));
    await other.write(Uint8Array.of(0x12));
    expect([...(await received)]).toEqual([0x12]);
    expect(closedEarly).toBe(false);
    await link.close();
    await other.close();
    expect((await link.closed).disconnected).toBe(false);
  });
});
