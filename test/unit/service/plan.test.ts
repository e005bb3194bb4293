/** The install plans: what each OS gets, step by step, before anything is touched. */
import { describe, expect, it } from 'vitest';
import { describeStep, planService, serviceFilePath, type Step } from '../../../src/service/plan.js';
import { defaultLocations } from '../../../src/service/settings.js';
import { linuxSettings } from './settings-fixture.js';

const runs = (steps: Step[]) => steps.filter((step) => step.kind === 'run').map((step) => step.argv.join(' '));
const writes = (steps: Step[]) => steps.filter((step) => step.kind === 'write').map((step) => step.path);

describe('service plans', () => {
  const linux = linuxSettings();

  it('Linux install: user in the serial group, config kept if present, unit, enable, restart', () => {
    const steps = planService('install', { platform: 'linux', settings: linux, starterConfig: 'log: {}\n' });
    expect(runs(steps)).toEqual([
      'useradd --system --user-group --groups dialout --home-dir /var/lib/posdiag --no-create-home --shell /usr/sbin/nologin posdiag',
      'systemctl daemon-reload',
      'systemctl enable posdiag.service',
      'systemctl restart posdiag.service',
    ]);
    expect(steps[0]).toMatchObject({ unless: ['getent', 'passwd', 'posdiag'] });
    expect(writes(steps)).toEqual(['/etc/posdiag/posdiag.yaml', '/etc/systemd/system/posdiag.service']);
    expect(steps.find((step) => step.kind === 'write' && step.path.endsWith('.yaml'))).toMatchObject({ keepExisting: true });
  });

  it('Linux uninstall stops and removes the unit but keeps config, data and user', () => {
    const steps = planService('uninstall', { platform: 'linux', settings: linux, starterConfig: '' });
    expect(runs(steps)).toEqual(['systemctl disable --now posdiag.service', 'systemctl daemon-reload']);
    expect(steps.filter((step) => step.kind === 'remove').map((step) => step.path)).toEqual(['/etc/systemd/system/posdiag.service']);
  });

  it('Linux status and logs go through systemctl and the journal', () => {
    expect(runs(planService('status', { platform: 'linux', settings: linux, starterConfig: '' }))).toEqual(['systemctl status posdiag.service --no-pager']);
    expect(runs(planService('logs', { platform: 'linux', settings: linux, starterConfig: '', lines: 50, follow: true }))).toEqual([
      'journalctl --unit posdiag.service --lines 50 --no-pager --follow',
    ]);
  });

  it('macOS install: directories for the daemon user, the plist, then bootout and bootstrap', () => {
    const settings = linuxSettings(defaultLocations('darwin'));
    const steps = planService('install', { platform: 'darwin', settings, starterConfig: '' });
    expect(writes(steps)).toEqual(['/usr/local/etc/posdiag/posdiag.yaml', '/Library/LaunchDaemons/com.posdiag.agent.plist']);
    expect(runs(steps)).toEqual([
      'chown -R daemon /usr/local/var/posdiag /usr/local/var/log/posdiag',
      'launchctl bootout system/com.posdiag.agent',
      'launchctl bootstrap system /Library/LaunchDaemons/com.posdiag.agent.plist',
    ]);
    expect(planService('logs', { platform: 'darwin', settings, starterConfig: '' })).toEqual([
      expect.objectContaining({ kind: 'tail', path: '/usr/local/var/log/posdiag/posdiag.log', lines: 200, follow: false }),
    ]);
  });

  it('Windows install: XML and WinSW side by side, then install and start', () => {
    const settings = linuxSettings(defaultLocations('win32'));
    const steps = planService('install', { platform: 'win32', settings, starterConfig: '', winswExecutable: 'D:\\WinSW-x64.exe' });
    expect(serviceFilePath('win32', settings)).toBe('C:\\ProgramData\\posdiag\\service\\posdiag.xml');
    expect(steps.find((step) => step.kind === 'copy')).toMatchObject({ from: 'D:\\WinSW-x64.exe', to: 'C:\\ProgramData\\posdiag\\service\\posdiag.exe' });
    expect(runs(steps).slice(-2)).toEqual(['C:\\ProgramData\\posdiag\\service\\posdiag.exe install', 'C:\\ProgramData\\posdiag\\service\\posdiag.exe start']);
  });

  it('describes each step on one line, quoting what a reader could misread', () => {
    expect(describeStep({ kind: 'run', argv: ['chown', '-R', 'daemon', '/a b'], why: 'x' })).toBe('run    chown -R daemon "/a b"    # x');
    expect(describeStep({ kind: 'write', path: '/etc/p.yaml', content: '', mode: 0o644, keepExisting: true, why: 'y' })).toBe(
      'write  /etc/p.yaml (mode 644, only if missing)    # y',
    );
  });
});
