import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { PosdiagProcess, runPosdiag } from '../helpers/process.js';
import { requireSocat, requireTool } from '../helpers/tools.js';
import { waitUntil } from '../helpers/wait.js';
import { openPtyPair, type PtyPair } from '../../src/transport/pty-pair.js';

// The till's pty link belongs to one agent at a time. A second agent on the same config refuses
// with a message naming the other. An agent killed with SIGKILL takes its socat with it (Linux:
// setpriv --pdeathsig); where a socat is left behind all the same (no setpriv, other systems),
// still serving the old pty, the next agent ends it and takes the link over.

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('passthrough: who owns the till\'s pty link', () => {
  let dir: string;
  let link: string;
  const configFor = async (name: string) => {
    const file = path.join(dir, `${name}.yaml`);
    await writeFile(
      file,
      `
http: { listen: 127.0.0.1:${await freePort()} }
storage: { dir: ${path.join(dir, name)} }
network: { targets: [] }
devices:
  - id: printer-1
    driver: escpos
    transport: { type: simulator }
    mode: passthrough
    passthrough: { type: pty, link: ${link} }
`,
    );
    return file;
  };

  beforeAll(async () => {
    await requireSocat();
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-pt-link-'));
    link = path.join(dir, 'printer-1');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second agent; one killed with SIGKILL takes its socat along; a socat left behind is taken over', async () => {
    requireTool('setpriv', 'util-linux');
    const first = new PosdiagProcess(['run', '--config', await configFor('a')], { POSDIAG_CONFIG: '' });
    await first.waitForLine((l) => l.msg === 'posdiag listening');
    const lock = JSON.parse(await readFile(`${link}.lock`, 'utf8')) as { agentPid: number; socatPid: number };
    expect(lock.agentPid).toBe(first.child.pid);
    expect(alive(lock.socatPid)).toBe(true);

    const second = await runPosdiag(['run', '--config', await configFor('b')], { POSDIAG_CONFIG: '' });
    expect(second.code).not.toBe(0);
    expect(second.stdout + second.stderr).toContain(`passthrough link ${link} is served by another posdiag (process ${first.child.pid}`);

    await first.kill();
    await waitUntil(async () => alive(lock.socatPid), (running) => !running, { what: "the killed agent's socat to end" });

    // What a killed agent leaves where socat cannot be tied to it: a socat serving the link, and
    // a lock naming the dead agent and that socat.
    const leftBehind: PtyPair = await openPtyPair(await requireSocat(), link, path.join(dir, 'left-behind-device'));
    await writeFile(`${link}.lock`, JSON.stringify({ agentPid: first.child.pid, socatPid: leftBehind.pid }));

    const third = new PosdiagProcess(['run', '--config', await configFor('c')], { POSDIAG_CONFIG: '' });
    try {
      await third.waitForLine((l) => l.msg === 'passthrough: ending the socat a previous agent left behind' && l.socatPid === leftBehind.pid);
      await leftBehind.exited;
      await third.waitForLine((l) => l.msg === 'posdiag listening');
      const till = new PosdiagProcess(['till', 'escpos', '--port', link, '--jobs', '2']);
      const summary = await till.waitForLine((l) => l.event === 'summary');
      expect(summary).toMatchObject({ printed: 2, failed: 0 });
      expect(await till.exited).toBe(0);
      expect(JSON.parse(await readFile(`${link}.lock`, 'utf8'))).toMatchObject({ agentPid: third.child.pid });
    } finally {
      await third.stop();
      await leftBehind.close();
    }
  }, 60_000);

  it('posdiag check beside the running agent leaves the shared device and its link alone', async () => {
    const config = await configFor('d');
    const agent = new PosdiagProcess(['run', '--config', config], { POSDIAG_CONFIG: '' });
    try {
      await agent.waitForLine((l) => l.msg === 'posdiag listening');
      const lockBefore = await readFile(`${link}.lock`, 'utf8');
      const check = await runPosdiag(['check', '--config', config], { POSDIAG_CONFIG: '' });
      expect(check.stdout).toContain('printer-1 (escpos): shared with the till (mode: passthrough); not polled here');
      expect(check.stderr).toBe('');
      expect(await readFile(`${link}.lock`, 'utf8')).toBe(lockBefore);
      const till = new PosdiagProcess(['till', 'escpos', '--port', link, '--jobs', '1']);
      expect(await till.waitForLine((l) => l.event === 'summary')).toMatchObject({ printed: 1 });
    } finally {
      await agent.stop();
    }
  }, 60_000);
});
