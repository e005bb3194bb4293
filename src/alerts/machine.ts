/**
 * The alert state machine: a pure step from (previous state, one evaluation, now) to (next
 * state, what to record, what to send). Nothing is stored or sent here; the engine does that,
 * and the tests drive this with any clock they like.
 *
 *   (none) ──fail──▶ pending ──fail × failureThreshold──▶ firing ──pass × successThreshold──▶ resolved
 *                      │ pass                                 │ fail (resets the pass count)
 *                      ▼                                      ▼
 *                   (none)                                 firing
 *
 * Like gatus's alert.go, thresholds count consecutive evaluations, so a condition that flaps
 * (fail, pass, fail, …) never fires and a firing alert that flickers never resolves.
 */
import type { Severity } from '../health/conditions.js';
import { effectiveSeverity } from './catalogue.js';

export type AlertPhase = 'pending' | 'firing' | 'resolved';

export interface AlertState {
  /** `<device or target>/<condition>`, the id the status API has always used. */
  id: string;
  condition: string;
  device: string | null;
  target: string | null;
  phase: AlertPhase;
  /** The severity now (opening hours applied). */
  severity: Severity;
  /** When the current phase began (ISO-8601). */
  since: string;
  /** First failing evaluation of this episode: Alertmanager's startsAt. */
  startedAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  /** Consecutive failing evaluations while pending. */
  failures: number;
  /** Consecutive passing evaluations while firing. */
  successes: number;
  /** The firing went to the notifiers (false while silenced by maintenance). */
  notified: boolean;
  lastNotifiedAt: string | null;
  reason: string | null;
}

export interface AlertPolicy {
  failureThreshold: number;
  successThreshold: number;
  /** Repeat a firing alert this often; null: never. */
  reminderIntervalMs: number | null;
}

/** One evaluation of one condition on one device or target. */
export interface Observation {
  id: string;
  condition: string;
  device: string | null;
  target: string | null;
  active: boolean;
  /** The condition's own severity (conditions table, or the network finding). */
  severity: Severity;
  reason?: string | null;
}

export interface Circumstances {
  now: Date;
  /** Inside opening hours. */
  open: boolean;
  /** Inside a maintenance window for this subject. */
  silenced: boolean;
}

export type NotificationKind = 'firing' | 'reminder' | 'severity' | 'resolved';

export interface Notification {
  kind: NotificationKind;
  alert: AlertState;
  /** For `severity`: what the receivers knew before. */
  previousSeverity?: Severity;
}

export interface Transition {
  id: string;
  from: AlertPhase | 'none';
  to: AlertPhase | 'none';
  at: string;
}

export interface StepResult {
  /** null: no alert (never fired, or a pending one that cleared). */
  next: AlertState | null;
  /** The state differs from `previous` and must be persisted. */
  changed: boolean;
  transitions: Transition[];
  notifications: Notification[];
}

export const defaultPolicy: AlertPolicy = { failureThreshold: 3, successThreshold: 2, reminderIntervalMs: 4 * 3_600_000 };

export function step(previous: AlertState | null, observation: Observation, policy: AlertPolicy, when: Circumstances): StepResult {
  const at = when.now.toISOString();
  const severity = effectiveSeverity(observation.condition, observation.severity, when.open);
  const result: StepResult = { next: previous, changed: false, transitions: [], notifications: [] };
  const move = (from: AlertPhase | 'none', to: AlertPhase | 'none') => result.transitions.push({ id: observation.id, from, to, at });

  if (observation.active) {
    if (!previous || previous.phase === 'resolved') {
      const fresh: AlertState = {
        id: observation.id,
        condition: observation.condition,
        device: observation.device,
        target: observation.target,
        phase: 'pending',
        severity,
        since: at,
        startedAt: at,
        firedAt: null,
        resolvedAt: null,
        failures: 1,
        successes: 0,
        notified: false,
        lastNotifiedAt: null,
        reason: observation.reason ?? null,
      };
      move(previous?.phase ?? 'none', 'pending');
      return finishFailing(fresh, result, policy, when, at);
    }
    if (previous.phase === 'pending') {
      const counted = { ...previous, failures: previous.failures + 1, severity, reason: observation.reason ?? previous.reason };
      return finishFailing(counted, { ...result, changed: true }, policy, when, at);
    }
    // Firing and still failing: the pass count starts over; maybe a late first send, a new
    // severity or a reminder.
    let next: AlertState = previous.successes === 0 ? previous : { ...previous, successes: 0 };
    if (!next.notified && !when.silenced) {
      next = { ...next, severity, notified: true, lastNotifiedAt: at };
      result.notifications.push({ kind: 'firing', alert: next });
    } else if (severity !== next.severity) {
      const before = next.severity;
      next = { ...next, severity };
      // Receivers that know the alert must learn its new severity even during maintenance,
      // or they keep a label that no longer holds (Alertmanager keys alerts by their labels).
      if (next.notified) result.notifications.push({ kind: 'severity', alert: next, previousSeverity: before });
    } else if (
      next.notified &&
      !when.silenced &&
      policy.reminderIntervalMs !== null &&
      next.lastNotifiedAt !== null &&
      when.now.getTime() - Date.parse(next.lastNotifiedAt) >= policy.reminderIntervalMs
    ) {
      next = { ...next, lastNotifiedAt: at };
      result.notifications.push({ kind: 'reminder', alert: next });
    }
    return { ...result, next, changed: next !== previous };
  }

  // The condition is not active.
  if (!previous || previous.phase === 'resolved') return result;
  if (previous.phase === 'pending') {
    // Below the threshold: a blip, not an alert. Nobody was told, so nobody is told now.
    move('pending', 'none');
    return { ...result, next: null, changed: true };
  }
  const successes = previous.successes + 1;
  if (successes < policy.successThreshold) return { ...result, next: { ...previous, successes }, changed: true };
  const resolved: AlertState = { ...previous, phase: 'resolved', since: at, resolvedAt: at, successes };
  move('firing', 'resolved');
  // Send-on-resolved: whoever was told it fired is told it ended, maintenance or not, so no
  // receiver keeps an alert that is over. One that was never sent ends silently.
  if (previous.notified) result.notifications.push({ kind: 'resolved', alert: resolved });
  return { ...result, next: resolved, changed: true };
}

function finishFailing(state: AlertState, result: StepResult, policy: AlertPolicy, when: Circumstances, at: string): StepResult {
  if (state.failures < policy.failureThreshold) return { ...result, next: state, changed: true };
  const notify = !when.silenced;
  const firing: AlertState = { ...state, phase: 'firing', since: at, firedAt: at, notified: notify, lastNotifiedAt: notify ? at : null };
  result.transitions.push({ id: state.id, from: 'pending', to: 'firing', at });
  if (notify) result.notifications.push({ kind: 'firing', alert: firing });
  return { ...result, next: firing, changed: true };
}
