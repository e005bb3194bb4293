/**
 * The generated unit, read by systemd itself: `systemd-analyze verify` must print nothing (it
 * exits 0 on unknown keys and bad values and only says so), and `systemd-analyze security`
 * must keep rating it at most the exposure the README states.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteArgument, renderSystemdUnit } from '../../../src/service/systemd.js';
import { requireCommand } from '../../helpers/commands.js';
import { linuxSettings } from './settings-fixture.js';

const run = promisify(execFile);

/** The exposure stated in the README ("Installing on Linux"); lower is better. */
const STATED_EXPOSURE = 2.3;

describe('systemd unit', () => {
  let dir: string;
  let analyze: string;
  beforeAll(async () => {
    analyze = requireCommand('systemd-analyze', 'systemd');
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-unit-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Everything verify prints, on stdout or stderr, whatever its exit code. */
  async function verify(unitText: string, name = 'posdiag.service'): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, unitText);
    // No PID 1 systemd in a container: verify still parses and checks the unit on its own.
    // SYSTEMD_LOG_COLOR=0 keeps escape codes out of what we compare.
    const result = await run(analyze, ['verify', file], { env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } }).then(
      ({ stdout, stderr }) => stdout + stderr,
      (error: { stdout?: string; stderr?: string; message: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message,
    );
    return result.trim();
  }

  it('passes systemd-analyze verify without a single line of output', async () => {
    expect(await verify(renderSystemdUnit(linuxSettings()))).toBe('');
  });

  it('the verify check itself catches a misspelt key (so an empty output means something)', async () => {
    const broken = renderSystemdUnit(linuxSettings()).replace('Restart=always', 'Restrat=always');
    expect(await verify(broken)).toMatch(/Unknown key (name )?'Restrat'/);
  });

  it('passes verify with paths outside the standard directories and characters systemd would expand', async () => {
    const settings = linuxSettings({
      configPath: '/srv/shop 1/posdiag %h $HOME.yaml',
      stateDir: '/srv/shop 1/data',
      logDir: '/srv/shop 1/logs',
    });
    const unit = renderSystemdUnit(settings);
    expect(unit).toContain('ReadWritePaths="/srv/shop 1/data"');
    expect(unit).toContain('"/srv/shop 1/posdiag %%h $$HOME.yaml"');
    expect(await verify(unit)).toBe('');
  });

  it(`rates an exposure of at most ${STATED_EXPOSURE} in systemd-analyze security --offline`, async () => {
    const file = path.join(dir, 'posdiag.service');
    await writeFile(file, renderSystemdUnit(linuxSettings()));
    const { stdout } = await run(analyze, ['security', '--offline=yes', '--no-pager', file], { env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
    const score = Number(/Overall exposure level for posdiag\.service: (\d+\.\d)/.exec(stdout)?.[1]);
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThanOrEqual(STATED_EXPOSURE);
  });

  it('runs the agent as its own user with the serial group, restarts it always, and is notify-ready with a watchdog', () => {
    const unit = renderSystemdUnit(linuxSettings());
    for (const line of [
      'Type=notify',
      'NotifyAccess=all',
      'WatchdogSec=30s',
      'Restart=always',
      'User=posdiag',
      'SupplementaryGroups=dialout',
      'AmbientCapabilities=CAP_NET_RAW',
      'CapabilityBoundingSet=CAP_NET_RAW',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'StateDirectory=posdiag',
      'LogsDirectory=posdiag',
      'ExecReload=/bin/kill -HUP $MAINPID',
      `ExecStart=${process.execPath} --max-semi-space-size=1 /usr/lib/node_modules/posdiag/bin/posdiag.js run --config /etc/posdiag/posdiag.yaml`,
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
  });

  it('refuses values that would break out of a line or name a user systemd cannot', () => {
    expect(() => renderSystemdUnit(linuxSettings({ configPath: '/etc/x\nExecStartPre=/bin/sh' }))).toThrow(/line break/);
    expect(() => renderSystemdUnit(linuxSettings({ user: 'root;x' }))).toThrow(/user or group name/);
    expect(() => renderSystemdUnit(linuxSettings({ stateDir: 'relative/dir' }))).toThrow(/absolute/);
  });

  it.each([
    ['/usr/bin/node', '/usr/bin/node'],
    ['/a b', '"/a b"'],
    ['50%', '50%%'],
    ['$HOME', '$$HOME'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
  ])('quotes the ExecStart argument %j as %s', (argument, quoted) => {
    expect(quoteArgument(argument)).toBe(quoted);
  });
});
