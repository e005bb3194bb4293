/**
 * `posdiag service install|uninstall|status|logs`: one command each on Linux (systemd), macOS
 * (launchd) and Windows (WinSW). The plan of named steps is made first (src/service/plan.ts);
 * --dry-run prints it, --root DIR writes the files below DIR and runs no command.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
import { embeddedDefaultConfigPath } from '../config/index.js';
import { packageRoot } from '../config/paths.js';
import { executePlan, StepFailed } from '../service/execute.js';
import { describeStep, planService, type ServiceAction, type Step } from '../service/plan.js';
import { defaultLocations, SERVICE_PLATFORMS, type ServicePlatform, type ServiceSettings } from '../service/settings.js';
import { configSource, loadOrReport } from './config-source.js';
import { exitCodes, UsageError } from './main.js';

const ACTIONS: readonly ServiceAction[] = ['install', 'uninstall', 'status', 'logs'];

export async function serviceCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      'dry-run': { type: 'boolean' },
      root: { type: 'string' },
      config: { type: 'string', short: 'c' },
      user: { type: 'string' },
      platform: { type: 'string' },
      winsw: { type: 'string' },
      lines: { type: 'string', short: 'n' },
      follow: { type: 'boolean', short: 'f' },
    },
  });
  const action = positionals[0] as ServiceAction | undefined;
  if (positionals.length !== 1 || !action || !ACTIONS.includes(action)) throw new UsageError(`expected one of ${ACTIONS.join(', ')}`);
  const platform = (values.platform ?? process.platform) as ServicePlatform;
  if (!SERVICE_PLATFORMS.includes(platform)) throw new UsageError(`no service support for platform '${platform}' (supported: ${SERVICE_PLATFORMS.join(', ')})`);
  const dryRun = values['dry-run'] === true;
  const root = path.resolve(values.root ?? path.parse(process.cwd()).root);
  const intoRoot = values.root !== undefined;
  if (platform !== process.platform && !dryRun && !intoRoot) {
    throw new UsageError(`--platform ${platform} differs from this machine (${process.platform}): use it with --dry-run or --root DIR`);
  }
  const lines = values.lines === undefined ? 200 : Number(values.lines);
  if (!Number.isInteger(lines) || lines < 1) throw new UsageError('--lines must be a whole number of at least 1');

  const locations = defaultLocations(platform);
  let configPath = locations.configPath;
  if (values.config !== undefined && action === 'install') {
    // The service will run with this file: refuse to install one it would refuse to run.
    configPath = path.resolve(values.config);
    if (!(await loadOrReport(configSource(configPath), io.stderr))) return exitCodes.usage;
  }
  const settings: ServiceSettings = {
    ...locations,
    name: 'posdiag',
    description: 'posdiag point-of-sale diagnostic agent',
    nodePath: process.execPath,
    nodeFlags: ['--max-semi-space-size=1'],
    entryScript: path.join(packageRoot(), 'bin', 'posdiag.js'),
    configPath,
    user: values.user ?? locations.user,
    serialGroup: 'dialout',
    watchdogSeconds: 30,
  };
  if (platform === 'win32' && action === 'install' && !values.winsw && !dryRun) {
    throw new UsageError('Windows needs the WinSW service wrapper: download WinSW-x64.exe (github.com/winsw/winsw releases) and pass --winsw PATH');
  }
  const steps = planService(action, {
    platform,
    settings,
    starterConfig: starterConfig(platform, settings),
    ...(values.winsw ? { winswExecutable: path.resolve(values.winsw) } : {}),
    lines,
    follow: values.follow === true,
  });

  if (dryRun) {
    printDryRun(steps, intoRoot ? root : null, io.stdout);
    return exitCodes.ok;
  }
  const changesSystem = action === 'install' || action === 'uninstall';
  if (changesSystem && !intoRoot && platform !== 'win32' && process.getuid?.() !== 0) {
    io.stderr.write(`posdiag service ${action}: this changes system files and services, so it needs root. Run:\n  sudo ${process.execPath} ${settings.entryScript} service ${args.join(' ')}\n`);
    return exitCodes.usage;
  }
  try {
    await executePlan(steps, { root, out: io.stdout });
  } catch (error) {
    const message = error instanceof StepFailed ? error.message : `${(error as Error).message}`;
    io.stderr.write(`posdiag service ${action}: ${message}\n`);
    return exitCodes.faults;
  }
  if (action === 'install') io.stdout.write(`installed; configuration: ${settings.configPath}; status: posdiag service status; logs: posdiag service logs\n`);
  return exitCodes.ok;
}

/**
 * The embedded default, as the config a fresh install starts with. Where there is no journal
 * (macOS, Windows) it logs to a rotated file in the service's log directory.
 */
export function starterConfig(platform: ServicePlatform, settings: Pick<ServiceSettings, 'logDir'>): string {
  const text = readFileSync(embeddedDefaultConfigPath(), 'utf8');
  if (platform === 'linux') return text;
  const document = parseDocument(text);
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  document.setIn(['log', 'file'], join(settings.logDir, 'posdiag.log'));
  return document.toString();
}

/** Every step, and the full text of every file that would be written. */
function printDryRun(steps: Step[], root: string | null, out: NodeJS.WritableStream): void {
  out.write(`dry run${root ? ` (files would go below ${root}; no command would run)` : ''}: nothing is changed\n`);
  for (const step of steps) {
    out.write(`${describeStep(step)}\n`);
    if (step.kind === 'write') {
      out.write(`----- ${step.path} -----\n${step.content}${step.content.endsWith('\n') ? '' : '\n'}----- end of ${step.path} -----\n`);
    }
  }
}
