/**
 * Reload decisions with fake agents: which agent runs after each reload, and that two never run
 * at once. The real process is tested in test/integration/service-run.test.ts.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AgentSupervisor } from '../../../src/cli/supervisor.js';
import { type Config, type ConfigResult, parseConfigText } from '../../../src/config/index.js';

function configWith(port: number): Config {
  const result = parseConfigText(`http:\n  listen: 127.0.0.1:${port}\n`, 'test.yaml');
  if (!result.ok) throw new Error('bad fixture');
  return result.config;
}

const badResult: ConfigResult = parseConfigText('http:\n  listen: 127.0.0.1:99999\n', '/etc/posdiag/posdiag.yaml');

/** Fake agents that record their lifecycle; `refusePort` makes a start fail like EADDRINUSE. */
function harness(initial: Config) {
  const events: string[] = [];
  let running = 0;
  let maxRunning = 0;
  let refusePort: number | null = null;
  let next: ConfigResult = { ok: true, config: initial };
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const supervisor = new AgentSupervisor(initial, {
    log,
    loadConfig: async () => next,
    startAgent: async (config) => {
      const port = config.http.listen.port;
      // A real start takes time: let other work interleave.
      await new Promise((r) => setImmediate(r));
      if (port === refusePort) throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${port}`);
      return {
        stop: async () => {
          await new Promise((r) => setImmediate(r));
          running -= 1;
          events.push(`stop ${port}`);
        },
      };
    },
  });
  return {
    supervisor,
    events,
    lines,
    maxRunning: () => maxRunning,
    setNext: (result: ConfigResult) => (next = result),
    refuse: (port: number) => (refusePort = port),
  };
}

describe('AgentSupervisor', () => {
  it('refuses a bad config with file:line key and leaves the running agent alone', async () => {
    const h = harness(configWith(9001));
    await h.supervisor.start();
    h.setNext(badResult);
    expect(await h.supervisor.reload('SIGHUP')).toBe('refused');
    expect(h.events).toEqual(['start 9001']);
    const refusal = h.lines.find((line) => line.msg?.toString().startsWith('new configuration refused'));
    expect(refusal?.errors).toEqual([expect.stringMatching(/^\/etc\/posdiag\/posdiag\.yaml:2 http\.listen: /)]);
    expect(h.supervisor.currentConfig.http.listen.port).toBe(9001);
  });

  it('replaces the agent for a good config: stop, then start', async () => {
    const h = harness(configWith(9001));
    await h.supervisor.start();
    h.setNext({ ok: true, config: configWith(9002) });
    expect(await h.supervisor.reload('file changed')).toBe('reloaded');
    expect(h.events).toEqual(['start 9001', 'stop 9001', 'start 9002']);
    expect(h.supervisor.currentConfig.http.listen.port).toBe(9002);
  });

  it('does nothing when the file says the same as before', async () => {
    const h = harness(configWith(9001));
    await h.supervisor.start();
    h.setNext({ ok: true, config: configWith(9001) });
    expect(await h.supervisor.reload('file changed')).toBe('unchanged');
    expect(h.events).toEqual(['start 9001']);
  });

  it('starts the previous config again when the new one cannot start', async () => {
    const h = harness(configWith(9001));
    await h.supervisor.start();
    h.refuse(9002);
    h.setNext({ ok: true, config: configWith(9002) });
    expect(await h.supervisor.reload('SIGHUP')).toBe('rolled-back');
    expect(h.events).toEqual(['start 9001', 'stop 9001', 'start 9001']);
    expect(h.supervisor.currentConfig.http.listen.port).toBe(9001);
  });

  it('runs reloads one after another, never two agents at once', async () => {
    const h = harness(configWith(9001));
    await h.supervisor.start();
    h.setNext({ ok: true, config: configWith(9002) });
    const [first, second] = await Promise.all([h.supervisor.reload('SIGHUP'), h.supervisor.reload('SIGHUP')]);
    expect([first, second]).toEqual(['reloaded', 'unchanged']);
    await h.supervisor.stop();
    expect(h.events).toEqual(['start 9001', 'stop 9001', 'start 9002', 'stop 9002']);
    expect(h.maxRunning()).toBe(1);
  });

  it('a stop wins over reloads still waiting, and nothing starts after it', async () => {
    const h = harness(configWith(9001));
    await h.supervisor.start();
    h.setNext({ ok: true, config: configWith(9002) });
    const reload = h.supervisor.reload('SIGHUP');
    await h.supervisor.stop();
    expect(await reload).toBe('stopped');
    expect(await h.supervisor.reload('SIGHUP')).toBe('stopped');
    expect(h.events).toEqual(['start 9001', 'stop 9001']);
  });
});
