/**
 * `posdiag run` as a service manager drives it: a real process, real signals, a real config file
 * on disk. Reload on SIGHUP and on a file change (good configs applied, bad ones refused with
 * file:line key while the running agent keeps serving), SIGTERM within the grace period with
 * exit code 0 and the port closed, and the sd_notify messages a Type=notify unit relies on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shutdownGraceMs } from '../../src/cli/run.js';
import { requireCommand } from '../helpers/commands.js';
import { freePort } from '../helpers/ports.js';
import { PosdiagProcess } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

/** A config with simulated printers (in-process, no pty) on a fixed loopback port. */
function configText(port: number, deviceIds: string[]): string {
  return [
    'http:',
    `  listen: 127.0.0.1:${port}`,
    'selfCheck:',
    '  cron: null',
    'devices:',
    ...deviceIds.flatMap((id) => [`  - id: ${id}`, '    driver: escpos', '    transport: { type: simulator, pty: never }', '    pollInterval: 200ms']),
    '',
  ].join('\n');
}

async function deviceIds(port: number): Promise<string[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/status`);
  const body = (await response.json()) as { devices: { id: string }[] };
  return body.devices.map((device) => device.id);
}

/** Resolves with the first line after `mark` (an index into agent.lines) that matches. */
function lineAfter(agent: PosdiagProcess, mark: number, match: (line: Record<string, unknown>) => boolean, timeoutMs = 15_000) {
  return agent.waitForLine((line) => agent.lines.indexOf(line) >= mark && match(line), timeoutMs);
}

/** Writes a file the way editors save: a new file renamed over the old one. */
async function save(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

describe('posdiag run as a service', () => {
  let dir: string;
  const agents: PosdiagProcess[] = [];
  const start = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const agent = new PosdiagProcess(args, { POSDIAG_CONFIG: '', ...env });
    agents.push(agent);
    return agent;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-service-run-'));
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.kill()));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('SIGHUP applies a good config and refuses a bad one with file:line key, keeping the running agent', async () => {
    const port = await freePort();
    // The agent is given a symlink whose target lives in another directory: the file watcher
    // (which watches the symlink's directory) sees no change there, so only SIGHUP reloads.
    const targetDir = await mkdtemp(path.join(dir, 'target-'));
    const target = path.join(targetDir, 'real.yaml');
    const linkDir = await mkdtemp(path.join(dir, 'link-'));
    const config = path.join(linkDir, 'posdiag.yaml');
    await writeFile(target, configText(port, ['printer-a']));
    await symlink(target, config);
    const agent = start(['run', '--config', config]);
    await agent.waitForLine((line) => String(line.msg).startsWith('running;'));
    expect(await deviceIds(port)).toEqual(['printer-a']);

    await writeFile(target, configText(port, ['printer-a', 'printer-b']));
    let mark = agent.lines.length;
    agent.child.kill('SIGHUP');
    const reloaded = await lineAfter(agent, mark, (line) => line.msg === 'configuration reloaded');
    expect(reloaded).toMatchObject({ reason: 'SIGHUP', outcome: 'reloaded' });
    expect(await deviceIds(port)).toEqual(['printer-a', 'printer-b']);

    await writeFile(target, `${configText(port, ['printer-a'])}    pollIntervall: 1s\n`);
    mark = agent.lines.length;
    agent.child.kill('SIGHUP');
    const refused = await lineAfter(agent, mark, (line) => String(line.msg).startsWith('new configuration refused'));
    expect(refused.errors).toEqual([`${config}:10 devices[0].pollIntervall: unknown key; did you mean pollInterval?`]);
    expect(refused.msg).toContain(`${config}:10 devices[0].pollIntervall`);
    // Still the previous agent, still serving.
    expect(await deviceIds(port)).toEqual(['printer-a', 'printer-b']);
    expect(agent.child.exitCode).toBeNull();
  });

  it('reloads when the config file is saved, and refuses a broken save', async () => {
    const port = await freePort();
    const config = path.join(await mkdtemp(path.join(dir, 'watch-')), 'posdiag.yaml');
    await writeFile(config, configText(port, ['printer-a']));
    const agent = start(['run', '--config', config]);
    await agent.waitForLine((line) => String(line.msg).startsWith('running;'));

    let mark = agent.lines.length;
    await save(config, configText(port, ['printer-c']));
    expect(await lineAfter(agent, mark, (line) => line.msg === 'configuration reloaded')).toMatchObject({ reason: 'file changed' });
    expect(await deviceIds(port)).toEqual(['printer-c']);

    mark = agent.lines.length;
    await save(config, 'http:\n  listen: 127.0.0.1:99999\n');
    const refused = await lineAfter(agent, mark, (line) => String(line.msg).startsWith('new configuration refused'));
    expect(refused.errors).toEqual([expect.stringMatching(new RegExp(`^${escape(config)}:2 http\\.listen: `))]);
    expect(await deviceIds(port)).toEqual(['printer-c']);
  });

  it(`stops on SIGTERM within ${shutdownGraceMs / 1000} s with exit code 0, and closes the port`, async () => {
    const port = await freePort();
    const config = path.join(await mkdtemp(path.join(dir, 'term-')), 'posdiag.yaml');
    await writeFile(config, configText(port, ['printer-a', 'printer-b']));
    const agent = start(['run', '--config', config]);
    await agent.waitForLine((line) => String(line.msg).startsWith('running;'));
    // Mid-poll: both devices have been polled at least once and keep polling.
    await waitUntil(() => fetch(`http://127.0.0.1:${port}/api/v1/status`).then((r) => r.json() as Promise<{ devices: { lastPollAt: string | null }[] }>), (s) =>
      s.devices.every((d) => d.lastPollAt !== null),
    );
    const sent = Date.now();
    agent.child.kill('SIGTERM');
    const code = await agent.exited;
    const elapsed = Date.now() - sent;
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(shutdownGraceMs);
    expect(await agent.waitForLine((line) => line.msg === 'stopped')).toHaveProperty('ms');
    expect(await canConnect(port)).toBe(false);
  });

  it('tells systemd READY=1 once serving, WATCHDOG=1 while running, RELOADING=1 around a reload and STOPPING=1', async () => {
    const python = requireCommand('python3', 'python3-minimal');
    requireCommand('systemd-notify', 'systemd');
    const socket = path.join(await mkdtemp(path.join(dir, 'notify-')), 'notify.sock');
    const receiver = await notifySocket(python, socket);
    try {
      const port = await freePort();
      const config = path.join(path.dirname(socket), 'posdiag.yaml');
      await writeFile(config, configText(port, ['printer-a']));
      // 400 ms watchdog: pings every 200 ms.
      const agent = start(['run', '--config', config], { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '400000' });
      await receiver.waitFor('READY=1');
      // READY=1 is sent only once the HTTP port answers.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      await receiver.waitFor('WATCHDOG=1', 2);
      await agent.waitForLine((line) => String(line.msg).startsWith('running;'));

      await save(config, configText(port, ['printer-b']));
      await receiver.waitFor('RELOADING=1');
      await receiver.waitFor('READY=1', 2);
      expect(await deviceIds(port)).toEqual(['printer-b']);

      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      await receiver.waitFor('STOPPING=1');
      expect(agent.lines.filter((line) => line.msg === 'cannot notify systemd')).toEqual([]);
    } finally {
      receiver.close();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A stand-in for systemd's notify socket. Node has no unix datagram sockets, so a few lines of
 * Python receive them; like systemd it closes the file descriptor that systemd-notify's barrier
 * sends along (BARRIER=1), which is what lets systemd-notify return.
 */
async function notifySocket(python: string, socketPath: string) {
  const script = [
    'import array, os, socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    's.bind(sys.argv[1])',
    'print("LISTENING", flush=True)',
    'while True:',
    '    data, ancdata, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))',
    '    for level, kind, payload in ancdata:',
    '        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:',
    '            fds = array.array("i")',
    '            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])',
    '            for fd in fds: os.close(fd)',
    '    for line in data.decode().split("\\n"):',
    '        if line: print(line, flush=True)',
  ].join('\n');
  const child: ChildProcess = spawn(python, ['-c', script, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const received: string[] = [];
  const waiters = new Set<() => void>();
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    received.push(line);
    for (const wake of waiters) wake();
  });
  const waitFor = (message: string, count = 1, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (received.filter((line) => line === message).length >= count) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${count}× ${message} within ${timeoutMs} ms; received: ${received.join(', ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  await waitFor('LISTENING');
  return { waitFor, received, close: () => child.kill() };
}
