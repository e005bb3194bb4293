/**
 * sd_notify(3) for Type=notify units: READY=1 once the agent serves, WATCHDOG=1 while its event
 * loop turns, RELOADING=1/READY=1 around a config reload, STOPPING=1 on the way out.
 *
 * The message is a datagram on the unix socket in $NOTIFY_SOCKET, and Node has no unix datagram
 * sockets. The npm options are native addons built at install time (sd-notify wraps libsystemd
 * and needs its headers and a compiler; unix-dgram needs node-gyp): on a shop PC that is one
 * more way for an install or a Node upgrade to fail. So we run systemd's own `systemd-notify`,
 * which is on every systemd machine, with an argument list (no shell). Two consequences, both
 * in the unit: NotifyAccess=all (the sender is a child, not the main process), and
 * systemd-notify waits until systemd has taken the message (it does so by default since
 * systemd 246; without that, a short-lived sender could exit before systemd knew whose message
 * it was). A spawn every WatchdogSec/2 (15 s) costs a few milliseconds.
 */
import { execFile } from 'node:child_process';

export interface Notifier {
  /** True when running under a unit that listens (Type=notify), false otherwise. */
  readonly active: boolean;
  ready(): Promise<void>;
  reloading(): Promise<void>;
  stopping(): Promise<void>;
  /** Starts WATCHDOG=1 pings at half the unit's WatchdogSec, if it has one; returns a stopper. */
  startWatchdog(): () => void;
}

type Send = (args: string[]) => Promise<void>;

const sendWithSystemdNotify: Send = (args) =>
  new Promise((resolve, reject) => {
    execFile('systemd-notify', args, { timeout: 5_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`systemd-notify ${args.join(' ')} failed: ${stderr.trim() || error.message}`)) : resolve(),
    );
  });

/**
 * From the environment systemd gives the service: NOTIFY_SOCKET, and WATCHDOG_USEC with
 * WATCHDOG_PID (the watchdog is for the main process only; a child started with the same
 * environment must not ping on its behalf).
 */
export function createNotifier(
  env: NodeJS.ProcessEnv = process.env,
  { send = sendWithSystemdNotify, pid = process.pid, onError = (_error: Error) => {} }: { send?: Send; pid?: number; onError?: (error: Error) => void } = {},
): Notifier {
  const active = Boolean(env.NOTIFY_SOCKET);
  const notify = async (args: string[]) => {
    if (!active) return;
    try {
      await send(args);
    } catch (error) {
      onError(error as Error);
    }
  };
  const watchdogMs = watchdogIntervalMs(env, pid);
  return {
    active,
    ready: () => notify(['--ready']),
    reloading: () => notify(['RELOADING=1']),
    stopping: () => notify(['STOPPING=1']),
    startWatchdog() {
      if (!active || watchdogMs === null) return () => {};
      const timer = setInterval(() => void notify(['WATCHDOG=1']), watchdogMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/** Half of WATCHDOG_USEC in ms (the interval sd_watchdog_enabled(3) recommends), or null. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2_000));
}
