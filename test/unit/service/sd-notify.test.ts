import { describe, expect, it } from 'vitest';
import { createNotifier, watchdogIntervalMs } from '../../../src/service/sd-notify.js';

describe('sd_notify', () => {
  it('pings the watchdog at half of WATCHDOG_USEC, only in the process it is meant for', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 42)).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '41' }, 42)).toBeNull();
    expect(watchdogIntervalMs({}, 42)).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'nope' }, 42)).toBeNull();
  });

  it('says nothing outside a Type=notify unit', async () => {
    const sent: string[][] = [];
    const notifier = createNotifier({}, { send: async (args) => void sent.push(args) });
    await notifier.ready();
    notifier.startWatchdog()();
    expect(notifier.active).toBe(false);
    expect(sent).toEqual([]);
  });

  it('sends READY=1, RELOADING=1 and STOPPING=1 under systemd, and reports a failed send instead of throwing', async () => {
    const sent: string[][] = [];
    const errors: Error[] = [];
    let fail = false;
    const notifier = createNotifier(
      { NOTIFY_SOCKET: '/run/systemd/notify' },
      {
        send: async (args) => {
          if (fail) throw new Error('no socket');
          sent.push(args);
        },
        onError: (error) => errors.push(error),
      },
    );
    await notifier.ready();
    await notifier.reloading();
    await notifier.stopping();
    fail = true;
    await notifier.ready();
    expect(sent).toEqual([['--ready'], ['RELOADING=1'], ['STOPPING=1']]);
    expect(errors.map((e) => e.message)).toEqual(['no socket']);
  });
});
