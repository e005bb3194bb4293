/**
 * What a service definition is made from, the same on every OS: which program runs, as whom,
 * with which config, and where its files live. The generators (systemd.ts, launchd.ts, winsw.ts)
 * turn one of these into file text and nothing else, so they are tested without installing.
 */
export interface ServiceSettings {
  /** Service name: `posdiag` → posdiag.service, com.posdiag.agent, posdiag (Windows). */
  name: string;
  description: string;
  /** Absolute path of the node binary that runs the agent (the one running the installer). */
  nodePath: string;
  /** V8 flags, the same as `npm start` and the Docker image use. */
  nodeFlags: string[];
  /** Absolute path of bin/posdiag.js in the installed package. */
  entryScript: string;
  /** Absolute path of the config file the service runs with. */
  configPath: string;
  /** The account the agent runs as (Linux: created by the installer; macOS: an existing one). */
  user: string;
  /** Extra group for serial ports: `dialout` on Debian/Ubuntu (`uucp` on Arch). */
  serialGroup: string;
  /** Working directory: storage.dir `./data` lands under it. */
  stateDir: string;
  /** Where stdout/stderr go where there is no journal (macOS, Windows). */
  logDir: string;
  /** systemd: restart the agent when it stops pinging for this long. */
  watchdogSeconds: number;
}

export type ServicePlatform = 'linux' | 'darwin' | 'win32';

export const SERVICE_PLATFORMS: readonly ServicePlatform[] = ['linux', 'darwin', 'win32'];

/** The platform's conventional places, used unless the command line says otherwise. */
export function defaultLocations(platform: ServicePlatform): Pick<ServiceSettings, 'configPath' | 'stateDir' | 'logDir' | 'user'> {
  switch (platform) {
    case 'linux':
      return { configPath: '/etc/posdiag/posdiag.yaml', stateDir: '/var/lib/posdiag', logDir: '/var/log/posdiag', user: 'posdiag' };
    case 'darwin':
      // `daemon` is macOS's built-in account for system daemons; serial ports (/dev/cu.*) are
      // world-readable and -writable there, so no group is needed.
      return {
        configPath: '/usr/local/etc/posdiag/posdiag.yaml',
        stateDir: '/usr/local/var/posdiag',
        logDir: '/usr/local/var/log/posdiag',
        user: 'daemon',
      };
    case 'win32':
      // WinSW runs the service as LocalService (see winsw.ts); COM ports need no group.
      return {
        configPath: 'C:\\ProgramData\\posdiag\\posdiag.yaml',
        stateDir: 'C:\\ProgramData\\posdiag',
        logDir: 'C:\\ProgramData\\posdiag\\logs',
        user: 'LocalService',
      };
  }
}
