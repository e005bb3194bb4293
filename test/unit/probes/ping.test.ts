import type { spawn as nodeSpawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createPinger, pingCommand } from '../../../src/probes/ping.js';
import { InvalidProbeHostError } from '../../../src/probes/validate-host.js';

const request = { address: '192.0.2.10', count: 3, intervalMs: 200, waitMs: 1_500 };

describe('pingCommand', () => {
  it('iputils: numeric, count, interval, whole-second wait, family, "--" before the address, nothing else', () => {
    expect(pingCommand('linux', request)).toEqual({
      command: 'ping',
      args: ['-n', '-c', '3', '-i', '0.200', '-W', '2', '-4', '--', '192.0.2.10'],
      expectedMs: 2 * 200 + 2_000,
    });
    expect(pingCommand('linux', { ...request, address: '2001:db8::1' }).args).toEqual(['-n', '-c', '3', '-i', '0.200', '-W', '2', '-6', '--', '2001:db8::1']);
  });

  it('macOS: -W in ms, ping6 for IPv6', () => {
    expect(pingCommand('darwin', request)).toMatchObject({ command: 'ping', args: ['-n', '-c', '3', '-i', '0.200', '-W', '1500', '--', '192.0.2.10'] });
    expect(pingCommand('darwin', { ...request, address: '::1' })).toMatchObject({ command: 'ping6', args: ['-n', '-c', '3', '-i', '0.200', '--', '::1'] });
  });

  it('Windows: -n count, -w ms, one echo per second', () => {
    expect(pingCommand('win32', request)).toEqual({ command: 'ping', args: ['-n', '3', '-w', '1500', '-4', '192.0.2.10'], expectedMs: 2_000 + 1_500 });
  });
});

interface FakeChild extends EventEmitter {
  stdout: PassThrough;
  stderr: PassThrough;
  kill: ReturnType<typeof vi.fn>;
}

function fakeSpawn(script: (child: FakeChild) => void) {
  const calls: { command: string; args: readonly string[]; options: Record<string, unknown> }[] = [];
  const spawn = vi.fn((command: string, args: readonly string[], options: Record<string, unknown>) => {
    calls.push({ command, args, options });
    const child = Object.assign(new EventEmitter(), { stdout: new PassThrough(), stderr: new PassThrough(), kill: vi.fn() }) as FakeChild;
    queueMicrotask(() => script(child));
    return child;
  });
  return { spawn: spawn as unknown as typeof nodeSpawn, calls, mock: spawn };
}

const exit = (child: FakeChild, code: number, stdout = '', stderr = ''): void => {
  child.stdout.end(stdout);
  child.stderr.end(stderr);
  setImmediate(() => child.emit('close', code, null));
};

const signal = () => new AbortController().signal;

describe('createPinger', () => {
  it('refuses "-f" and host names before spawning anything', async () => {
    const fake = fakeSpawn(() => undefined);
    const ping = createPinger({ platform: 'linux', spawn: fake.spawn });
    await expect(ping({ ...request, address: '-f' }, signal())).rejects.toThrow(InvalidProbeHostError);
    await expect(ping({ ...request, address: 'pay.example.com' }, signal())).rejects.toThrow('ping needs an IP address, got "pay.example.com"');
    expect(fake.mock).not.toHaveBeenCalled();
  });

  it('spawns without a shell, with a copied environment forcing LC_ALL=C', async () => {
    const fake = fakeSpawn((c) => exit(c, 0, '64 bytes from 192.0.2.10: icmp_seq=1 ttl=64 time=1.5 ms\n'));
    const before = { ...process.env };
    const outcome = await createPinger({ platform: 'linux', spawn: fake.spawn })(request, signal());
    const { options } = fake.calls[0]!;
    expect(options.shell).toBe(false);
    expect(options.env).toMatchObject({ LC_ALL: 'C', LANG: 'C' });
    expect(options.env).not.toBe(process.env);
    expect(process.env).toEqual(before);
    expect(outcome).toEqual({ kind: 'ran', sent: 3, received: 1, rttsMs: [1.5] });
  });

  it('iputils exit 1 without replies: ran, nobody answered', async () => {
    const fake = fakeSpawn((c) => exit(c, 1, 'PING 192.0.2.10 (192.0.2.10) 56(84) bytes of data.\n'));
    expect(await createPinger({ platform: 'linux', spawn: fake.spawn })(request, signal())).toEqual({ kind: 'ran', sent: 3, received: 0, rttsMs: [] });
  });

  it('exit 2 with an error: unavailable, with the first stderr line', async () => {
    const fake = fakeSpawn((c) => exit(c, 2, '', 'ping: socket: Operation not permitted\n'));
    expect(await createPinger({ platform: 'linux', spawn: fake.spawn })(request, signal())).toEqual({
      kind: 'unavailable',
      code: 'EXIT_2',
      reason: 'ping: socket: Operation not permitted',
    });
  });

  it('BSD exit 2 means no reply, not an error', async () => {
    const fake = fakeSpawn((c) => exit(c, 2));
    expect(await createPinger({ platform: 'darwin', spawn: fake.spawn })(request, signal())).toMatchObject({ kind: 'ran', received: 0 });
  });

  it('a missing binary: unavailable ENOENT', async () => {
    const fake = fakeSpawn((c) => c.emit('error', Object.assign(new Error('spawn ping ENOENT'), { code: 'ENOENT' })));
    expect(await createPinger({ platform: 'linux', spawn: fake.spawn })(request, signal())).toEqual({ kind: 'unavailable', code: 'ENOENT', reason: 'no ping program on PATH' });
  });

  it('abort kills the child and rejects with the reason', async () => {
    const controller = new AbortController();
    let child: FakeChild | undefined;
    const fake = fakeSpawn((c) => {
      child = c;
      c.kill.mockImplementation(() => exit(c, 1));
      controller.abort(new Error('round cancelled'));
    });
    await expect(createPinger({ platform: 'linux', spawn: fake.spawn })(request, controller.signal)).rejects.toThrow('round cancelled');
    expect(child?.kill).toHaveBeenCalledWith('SIGKILL');
  });

  it('never counts more replies than echoes sent', async () => {
    const line = '64 bytes from 192.0.2.10: icmp_seq=1 ttl=64 time=1 ms\n';
    const fake = fakeSpawn((c) => exit(c, 0, line.repeat(5)));
    expect(await createPinger({ platform: 'linux', spawn: fake.spawn })(request, signal())).toMatchObject({ received: 3 });
  });
});
