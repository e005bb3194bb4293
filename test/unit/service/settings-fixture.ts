import type { ServiceSettings } from '../../../src/service/settings.js';

/** Linux settings as `posdiag service install` makes them, with this machine's node. */
export function linuxSettings(overrides: Partial<ServiceSettings> = {}): ServiceSettings {
  return {
    name: 'posdiag',
    description: 'posdiag point-of-sale diagnostic agent',
    nodePath: process.execPath,
    nodeFlags: ['--max-semi-space-size=1'],
    entryScript: '/usr/lib/node_modules/posdiag/bin/posdiag.js',
    configPath: '/etc/posdiag/posdiag.yaml',
    user: 'posdiag',
    serialGroup: 'dialout',
    stateDir: '/var/lib/posdiag',
    logDir: '/var/log/posdiag',
    watchdogSeconds: 30,
    ...overrides,
  };
}
