import { driverNames } from '../../drivers/index.js';
import { version } from '../version.js';
import { bundleCommand } from './bundle.js';
import { checkCommand } from './check.js';
import { healthCommand } from './health.js';
import { devicesCommand } from './devices.js';
import { runCommand } from './run.js';
import { serviceCommand } from './service.js';
import { simulateCommand } from './simulate.js';
import { tillCommand } from './till.js';

export const exitCodes = { ok: 0, faults: 1, usage: 2 } as const;

const usage = `posdiag ${version} — diagnostic agent for point-of-sale tills

Usage:
  posdiag run      [--config FILE]          run the agent (HTTP on 127.0.0.1:9137 by default)
  posdiag check    [--config FILE] [--json] one round of every check; exit 0 healthy, 1 faults, 2 config error
  posdiag bundle   [--config FILE] [--out FILE|-]
                                            support bundle from the running agent (or from the config)
  posdiag health   [--config FILE]          is the agent on this machine alive? exit 0 yes, 1 no (container health check)
  posdiag devices  [--json]                 serial ports found, with VID/PID, serial number and by-id path
  posdiag simulate <${driverNames.join('|')}> (--port PATH [--pace] | --listen HOST:PORT)
                   [--control HOST:PORT] [--fault NAME=VALUE ...] [--capture FILE]
                                            run a device simulator; switch faults on stdin or over --control
  posdiag till     <zvt|escpos> (--port PATH | --connect HOST:PORT) [--payments N] [--end-of-day]
                   [--amount CENTS] [--jobs N] [--pause MS] [--capture FILE]
                                            act as the till: run payments or print jobs, one JSON line each
  posdiag service  <install|uninstall|status|logs> [--dry-run] [--root DIR] [--config FILE]
                   [--user NAME] [--platform linux|darwin|win32] [--winsw EXE] [--lines N] [--follow]
                                            run as a system service (systemd, launchd, WinSW)
  posdiag --version | --help

Config: --config FILE, else $POSDIAG_CONFIG, else the embedded default (simulated devices).
`;

/** The one entry point. Returns the exit code; only bin/posdiag.js exits. */
export async function main(argv: string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'check':
        return await checkCommand(rest, io);
      case 'bundle':
        return await bundleCommand(rest, io);
      case 'health':
        return await healthCommand(rest, io);
      case 'devices':
        return await devicesCommand(rest, io);
      case 'simulate':
        return await simulateCommand(rest, io);
      case 'till':
        return await tillCommand(rest, io);
      case 'service':
        return await serviceCommand(rest, io);
      case '--version':
      case '-v':
      case 'version':
        io.stdout.write(`${version}\n`);
        return exitCodes.ok;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(usage);
        return command === undefined ? exitCodes.usage : exitCodes.ok;
      default:
        io.stderr.write(`posdiag: unknown command '${command}'\n\n${usage}`);
        return exitCodes.usage;
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr.write(`posdiag ${command}: ${(error as Error).message}\n\n${usage}`);
      return exitCodes.usage;
    }
    throw error;
  }
}

export class UsageError extends Error {}

/** node:util parseArgs rejects unknown or malformed flags with ERR_PARSE_ARGS_* codes. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
