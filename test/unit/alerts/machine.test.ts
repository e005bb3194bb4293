import { describe, expect, it } from 'vitest';
import { type AlertPolicy, type AlertState, type Circumstances, type Observation, step, type StepResult } from '../../../src/alerts/machine.js';

const policy: AlertPolicy = { failureThreshold: 3, successThreshold: 2, reminderIntervalMs: 3_600_000 };
const t0 = Date.parse('2026-03-02T10:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);
const open = (seconds: number, extra: Partial<Circumstances> = {}): Circumstances => ({ now: at(seconds), open: true, silenced: false, ...extra });

const paperOut = (active: boolean): Observation => ({
  id: 'printer-1/printer.paper_out',
  condition: 'printer.paper_out',
  device: 'printer-1',
  target: null,
  active,
  severity: 'critical',
});

/** Runs a sequence of evaluations (true = condition active), one per second; collects everything. */
function run(pattern: boolean[], start: AlertState | null = null, when: (i: number) => Partial<Circumstances> = () => ({}), p = policy) {
  let state = start;
  const results: StepResult[] = [];
  pattern.forEach((active, i) => {
    const r = step(state, paperOut(active), p, open(i, when(i)));
    results.push(r);
    state = r.next;
  });
  return { state, results, sent: results.flatMap((r) => r.notifications.map((n) => n.kind)), moves: results.flatMap((r) => r.transitions.map((t) => `${t.from}>${t.to}`)) };
}

describe('alert state machine', () => {
  it('fires on the third consecutive failure, once', () => {
    const { state, sent, moves, results } = run([true, true, true, true, true]);
    expect(results.map((r) => r.next?.phase)).toEqual(['pending', 'pending', 'firing', 'firing', 'firing']);
    expect(sent).toEqual(['firing']);
    expect(moves).toEqual(['none>pending', 'pending>firing']);
    expect(state).toMatchObject({ startedAt: at(0).toISOString(), firedAt: at(2).toISOString(), since: at(2).toISOString(), notified: true });
  });

  it('never fires on a flapping condition (fail, pass, fail, …)', () => {
    const { state, sent, moves } = run([true, false, true, true, false, true, false, true, true, false]);
    expect(sent).toEqual([]);
    expect(state).toBeNull();
    expect(moves.filter((m) => m === 'pending>firing')).toEqual([]);
  });

  it('stays firing while it flickers, resolves after two consecutive passes', () => {
    const { results, sent } = run([true, true, true, false, true, false, true, false, false]);
    expect(results.map((r) => r.next?.phase)).toEqual(['pending', 'pending', 'firing', 'firing', 'firing', 'firing', 'firing', 'firing', 'resolved']);
    expect(sent).toEqual(['firing', 'resolved']);
    expect(results[8]?.next).toMatchObject({ resolvedAt: at(8).toISOString(), since: at(8).toISOString() });
  });

  it('starts a new episode after a resolve, with a new start time', () => {
    const { state, sent, moves } = run([true, true, true, false, false, true, true, true]);
    expect(sent).toEqual(['firing', 'resolved', 'firing']);
    expect(moves).toContain('resolved>pending');
    expect(state).toMatchObject({ phase: 'firing', startedAt: at(5).toISOString(), resolvedAt: null, firedAt: at(7).toISOString() });
  });

  it('honours other thresholds: 1 fires at once, 5 needs five', () => {
    expect(run([true], null, () => ({}), { ...policy, failureThreshold: 1 }).sent).toEqual(['firing']);
    const five = run([true, true, true, true, false, true, true, true, true, true], null, () => ({}), { ...policy, failureThreshold: 5 });
    expect(five.results.findIndex((r) => r.next?.phase === 'firing')).toBe(9);
  });

  it('reminds after the interval, not before, and not during maintenance', () => {
    let state = run([true, true, true]).state;
    const remind = (seconds: number, silenced = false) => {
      const r = step(state, paperOut(true), policy, open(seconds, { silenced }));
      state = r.next;
      return r.notifications.map((n) => n.kind);
    };
    expect(remind(2 + 3599)).toEqual([]);
    expect(remind(2 + 3600)).toEqual(['reminder']);
    expect(remind(2 + 3600 + 1800)).toEqual([]);
    expect(remind(2 + 7200, true)).toEqual([]); // silenced
    expect(remind(2 + 7201)).toEqual(['reminder']);
    expect(step(state, paperOut(true), { ...policy, reminderIntervalMs: null }, open(99_999)).notifications).toEqual([]);
  });

  it('maintenance: fires silently, sends when the window ends if still active', () => {
    const silenced = run([true, true, true, true], null, (i) => ({ silenced: i < 3 }));
    expect(silenced.results[2]?.next).toMatchObject({ phase: 'firing', notified: false });
    expect(silenced.sent).toEqual(['firing']);
    expect(silenced.results[3]?.notifications[0]?.kind).toBe('firing');
  });

  it('maintenance: an alert that fires and resolves inside the window is never sent', () => {
    const { sent, state } = run([true, true, true, false, false], null, () => ({ silenced: true }));
    expect(sent).toEqual([]);
    expect(state).toMatchObject({ phase: 'resolved', notified: false });
  });

  it('maintenance: an alert sent before the window still gets its resolve', () => {
    const { sent } = run([true, true, true, false, false], null, (i) => ({ silenced: i >= 3 }));
    expect(sent).toEqual(['firing', 'resolved']);
  });

  it('opening hours: critical while open, warning when closed, and receivers learn the change', () => {
    const { results, sent } = run([true, true, true, true, true], null, (i) => ({ open: i < 3 }));
    expect(results[2]?.next?.severity).toBe('critical');
    expect(results[3]?.next?.severity).toBe('warning');
    expect(sent).toEqual(['firing', 'severity']);
    expect(results[3]?.notifications[0]?.previousSeverity).toBe('critical');
    // Fired while closed: a warning from the start.
    expect(run([true, true, true], null, () => ({ open: false })).state?.severity).toBe('warning');
  });

  it('opening hours: tampering stays critical at night', () => {
    const tamper: Observation = { ...paperOut(true), id: 't/terminal.tamper', condition: 'terminal.tamper' };
    let state: AlertState | null = null;
    for (let i = 0; i < 3; i += 1) state = step(state, tamper, policy, open(i, { open: false })).next;
    expect(state).toMatchObject({ phase: 'firing', severity: 'critical' });
  });

  describe('restart in every state: a restored state continues exactly where it was', () => {
    // Persisting is JSON (src/store); a restart is a round trip through it.
    const restart = (s: AlertState | null) => (s ? (JSON.parse(JSON.stringify(s)) as AlertState) : null);

    it('pending: the count continues (two more failures fire, not three)', () => {
      const before = run([true]).state;
      const after = run([true, true], restart(before));
      expect(after.sent).toEqual(['firing']);
    });

    it('firing: no second firing notification, resolves normally', () => {
      const before = run([true, true, true]).state;
      const after = run([true, true, false, false], restart(before));
      expect(after.sent).toEqual(['resolved']);
    });

    it('firing with one pass counted: one more pass resolves', () => {
      const before = run([true, true, true, false]).state;
      expect(before?.successes).toBe(1);
      expect(run([false], restart(before)).sent).toEqual(['resolved']);
    });

    it('firing but silenced (not sent): sent after the restart once maintenance is over', () => {
      const before = run([true, true, true], null, () => ({ silenced: true })).state;
      expect(run([true], restart(before)).sent).toEqual(['firing']);
    });

    it('resolved: stays quiet while healthy, a new failure starts a new episode', () => {
      const before = run([true, true, true, false, false]).state;
      expect(run([false, false], restart(before)).sent).toEqual([]);
      expect(run([true, true, true], restart(before)).sent).toEqual(['firing']);
    });

    it('reminder clock survives: due reminders are not lost, not repeated', () => {
      const before = run([true, true, true]).state;
      const r = step(restart(before), paperOut(true), policy, open(2 + 3600));
      expect(r.notifications.map((n) => n.kind)).toEqual(['reminder']);
      expect(step(restart(r.next), paperOut(true), policy, open(2 + 3601)).notifications).toEqual([]);
    });
  });

  it('reports unchanged states as unchanged (nothing to write)', () => {
    const firing = run([true, true, true]).state;
    expect(step(firing, paperOut(true), policy, open(10)).changed).toBe(false);
    expect(step(null, paperOut(false), policy, open(10)).changed).toBe(false);
  });
});
