/**
 * What `posdiag service install|uninstall|status|logs` does on each OS, as a list of named
 * steps: pure data, made before anything is touched. `--dry-run` prints the list; execute.ts
 * carries it out. Keeping the two apart means the tests see exactly what an install would do
 * without installing anything on the test machine.
 */
import path from 'node:path';
import { renderLaunchdPlist, launchdLabel } from './launchd.js';
import type { ServicePlatform, ServiceSettings } from './settings.js';
import { renderSystemdUnit } from './systemd.js';
import { renderWinswXml } from './winsw.js';

export type Step =
  /** Create a directory (and its parents) unless it exists. */
  | { kind: 'mkdir'; path: string; why: string }
  /** Write a file; with `keepExisting`, leave one that is already there alone (a user's config). */
  | { kind: 'write'; path: string; content: string; mode: number; keepExisting?: boolean; why: string }
  | { kind: 'copy'; from: string; to: string; why: string }
  | { kind: 'remove'; path: string; why: string }
  /**
   * Run a program with an argument list (never through a shell). `unless`: skip it when this
   * command succeeds (e.g. the user exists). `mayFail`: a failure is reported but not fatal
   * (stopping a service that is not running).
   */
  | { kind: 'run'; argv: string[]; why: string; unless?: string[]; mayFail?: boolean }
  /** Print the last lines of a log file (and keep following it), done in Node on every OS. */
  | { kind: 'tail'; path: string; lines: number; follow: boolean; why: string };

export type ServiceAction = 'install' | 'uninstall' | 'status' | 'logs';

export interface PlanInputs {
  platform: ServicePlatform;
  settings: ServiceSettings;
  /** The config to write when settings.configPath does not exist yet (install only). */
  starterConfig: string;
  /** Windows: the WinSW executable to copy next to its XML. */
  winswExecutable?: string;
  /** logs: how many lines, and whether to keep following. */
  lines?: number;
  follow?: boolean;
}

/** Where each OS keeps the service definition. */
export function serviceFilePath(platform: ServicePlatform, settings: ServiceSettings): string {
  switch (platform) {
    case 'linux':
      return `/etc/systemd/system/${settings.name}.service`;
    case 'darwin':
      return `/Library/LaunchDaemons/${launchdLabel(settings)}.plist`;
    case 'win32':
      return path.win32.join(settings.stateDir, 'service', `${settings.name}.xml`);
  }
}

export function planService(action: ServiceAction, inputs: PlanInputs): Step[] {
  switch (inputs.platform) {
    case 'linux':
      return linuxPlan(action, inputs);
    case 'darwin':
      return macosPlan(action, inputs);
    case 'win32':
      return windowsPlan(action, inputs);
  }
}

function linuxPlan(action: ServiceAction, { settings, starterConfig, lines = 200, follow = false }: PlanInputs): Step[] {
  const unit = `${settings.name}.service`;
  const unitFile = serviceFilePath('linux', settings);
  switch (action) {
    case 'install':
      return [
        {
          kind: 'run',
          why: `create the system user ${settings.user} (no login, no home of its own) in group ${settings.serialGroup} for the serial ports`,
          unless: ['getent', 'passwd', settings.user],
          argv: ['useradd', '--system', '--user-group', '--groups', settings.serialGroup, '--home-dir', settings.stateDir, '--no-create-home', '--shell', '/usr/sbin/nologin', settings.user],
        },
        { kind: 'mkdir', path: path.posix.dirname(settings.configPath), why: 'configuration directory' },
        { kind: 'write', path: settings.configPath, content: starterConfig, mode: 0o644, keepExisting: true, why: 'starter configuration (an existing one is kept)' },
        { kind: 'mkdir', path: path.posix.dirname(unitFile), why: 'systemd unit directory' },
        { kind: 'write', path: unitFile, content: renderSystemdUnit(settings), mode: 0o644, why: 'the systemd unit' },
        { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'make systemd read the unit' },
        { kind: 'run', argv: ['systemctl', 'enable', unit], why: 'start at boot' },
        // restart, not start: after an upgrade the running agent must pick up the new files.
        { kind: 'run', argv: ['systemctl', 'restart', unit], why: 'start now (or restart after an upgrade)' },
      ];
    case 'uninstall':
      return [
        { kind: 'run', argv: ['systemctl', 'disable', '--now', unit], why: 'stop it and stop starting it at boot', mayFail: true },
        { kind: 'remove', path: unitFile, why: `the unit (${settings.configPath}, ${settings.stateDir} and the user ${settings.user} are kept)` },
        { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'make systemd forget the unit' },
      ];
    case 'status':
      return [{ kind: 'run', argv: ['systemctl', 'status', unit, '--no-pager'], why: 'service state and the last log lines' }];
    case 'logs':
      return [
        {
          kind: 'run',
          argv: ['journalctl', '--unit', unit, '--lines', String(lines), '--no-pager', ...(follow ? ['--follow'] : [])],
          why: 'the journal of the service',
        },
      ];
  }
}

function macosPlan(action: ServiceAction, { settings, starterConfig, lines = 200, follow = false }: PlanInputs): Step[] {
  const plist = serviceFilePath('darwin', settings);
  const target = `system/${launchdLabel(settings)}`;
  switch (action) {
    case 'install':
      return [
        { kind: 'mkdir', path: path.posix.dirname(settings.configPath), why: 'configuration directory' },
        { kind: 'write', path: settings.configPath, content: starterConfig, mode: 0o644, keepExisting: true, why: 'starter configuration (an existing one is kept)' },
        { kind: 'mkdir', path: settings.stateDir, why: 'data directory' },
        { kind: 'mkdir', path: settings.logDir, why: 'log directory' },
        { kind: 'run', argv: ['chown', '-R', settings.user, settings.stateDir, settings.logDir], why: `let ${settings.user} write its data and logs` },
        { kind: 'write', path: plist, content: renderLaunchdPlist(settings), mode: 0o644, why: 'the launchd job' },
        // bootout first so that an upgrade replaces a loaded job; it fails when none is loaded.
        { kind: 'run', argv: ['launchctl', 'bootout', target], why: 'unload a previous version', mayFail: true },
        { kind: 'run', argv: ['launchctl', 'bootstrap', 'system', plist], why: 'load and start the job (and at every boot)' },
      ];
    case 'uninstall':
      return [
        { kind: 'run', argv: ['launchctl', 'bootout', target], why: 'stop and unload the job', mayFail: true },
        { kind: 'remove', path: plist, why: `the job (${settings.configPath} and ${settings.stateDir} are kept)` },
      ];
    case 'status':
      return [{ kind: 'run', argv: ['launchctl', 'print', target], why: 'job state' }];
    case 'logs':
      return [{ kind: 'tail', path: path.posix.join(settings.logDir, 'posdiag.log'), lines, follow, why: 'the newest log file (log.file, rotated)' }];
  }
}

function windowsPlan(action: ServiceAction, inputs: PlanInputs): Step[] {
  const { settings, starterConfig } = inputs;
  const xml = serviceFilePath('win32', settings);
  // WinSW finds its XML by its own file name: posdiag.exe reads posdiag.xml beside it.
  const exe = path.win32.join(path.win32.dirname(xml), `${settings.name}.exe`);
  switch (action) {
    case 'install':
      return [
        { kind: 'mkdir', path: path.win32.dirname(settings.configPath), why: 'configuration directory' },
        { kind: 'write', path: settings.configPath, content: starterConfig, mode: 0o644, keepExisting: true, why: 'starter configuration (an existing one is kept)' },
        { kind: 'mkdir', path: settings.logDir, why: 'log directory' },
        { kind: 'mkdir', path: path.win32.dirname(xml), why: 'service wrapper directory' },
        { kind: 'write', path: xml, content: renderWinswXml(settings), mode: 0o644, why: 'the WinSW service definition' },
        { kind: 'copy', from: inputs.winswExecutable ?? '(--winsw PATH)', to: exe, why: 'the WinSW service wrapper' },
        { kind: 'run', argv: [exe, 'stop'], why: 'stop a previous version', mayFail: true },
        { kind: 'run', argv: [exe, 'install'], why: 'register the service (starts at boot)', mayFail: true },
        { kind: 'run', argv: [exe, 'start'], why: 'start it now' },
      ];
    case 'uninstall':
      return [
        { kind: 'run', argv: [exe, 'stop'], why: 'stop the service', mayFail: true },
        { kind: 'run', argv: [exe, 'uninstall'], why: `unregister it (${settings.configPath} and the data are kept)` },
      ];
    case 'status':
      return [{ kind: 'run', argv: [exe, 'status'], why: 'service state' }];
    case 'logs':
      return [
        { kind: 'tail', path: path.win32.join(settings.logDir, 'posdiag.log'), lines: inputs.lines ?? 200, follow: inputs.follow ?? false, why: 'the newest log file (log.file, rotated)' },
      ];
  }
}

/** A step as one line for --dry-run and for the progress output. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'mkdir':
      return `mkdir  ${step.path}    # ${step.why}`;
    case 'write':
      return `write  ${step.path} (mode ${step.mode.toString(8)}${step.keepExisting ? ', only if missing' : ''})    # ${step.why}`;
    case 'copy':
      return `copy   ${step.from} -> ${step.to}    # ${step.why}`;
    case 'remove':
      return `remove ${step.path}    # ${step.why}`;
    case 'tail':
      return `tail   ${step.path} (last ${step.lines} lines${step.follow ? ', following' : ''})    # ${step.why}`;
    case 'run':
      return `run    ${step.argv.map(showArgument).join(' ')}${step.unless ? `    (unless ${step.unless.map(showArgument).join(' ')} succeeds)` : ''}    # ${step.why}`;
  }
}

/** For reading only: arguments are passed as a list, never through a shell. */
function showArgument(argument: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(argument) ? argument : JSON.stringify(argument);
}
