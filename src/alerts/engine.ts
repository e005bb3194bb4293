/**
 * The alert machine's I/O edge: feeds it evaluations from the health model and the path
 * checks, keeps the current states in memory, writes every change (state, history, outbox
 * rows) to the store in one transaction, then hands the rows to the outbox. Memory is the
 * source of truth while running; the store is what survives a restart.
 */
import type { DeviceState } from '../health/model.js';
import type { SubjectCondition } from '../health/path-health.js';
import type { Logger } from '../log.js';
import type { Outbox } from '../notify/outbox.js';
import type { AgentStore } from '../store/store.js';
import type { AlertCommit, HistoryRow } from '../store/types.js';
import { activeMaintenance, isOpen, type MaintenanceWindow, type WeeklyCalendar } from './calendar.js';
import { summaryOf } from './catalogue.js';
import { type AlertPolicy, type AlertState, type Observation, step } from './machine.js';

export interface AlertSettings {
  policy: AlertPolicy;
  openingHours: WeeklyCalendar | null;
  maintenance: MaintenanceWindow[];
  site: { id: string; name: string | null };
}

/** What the status API lists for an alert. */
export interface AlertView {
  id: string;
  condition: string;
  device: string | null;
  target: string | null;
  severity: string;
  state: 'pending' | 'firing' | 'resolved';
  since: string;
}

/** A resolved alert stays on the status page this long, so the shop sees that it cleared. */
export const RESOLVED_VISIBLE_MS = 15 * 60_000;

export class AlertEngine {
  private readonly states = new Map<string, AlertState>();
  private readonly log: Logger;

  constructor(
    private readonly settings: AlertSettings,
    private readonly store: AgentStore,
    private readonly outbox: Outbox,
    log: Logger,
    private readonly now: () => Date,
  ) {
    this.log = log.child({ component: 'alerts' });
    store.onFreshDatabase(() => store.commitAlerts({ upserts: [...this.states.values()], deletes: [], history: [], outbox: [] }));
  }

  /**
   * Takes over the states of the previous run: a firing alert stays firing and is not sent
   * again. Alerts about devices or targets no longer configured are resolved now, or they
   * would fire forever.
   */
  restore(knownSubjects: ReadonlySet<string>): void {
    for (const state of this.store.loadAlerts()) this.states.set(state.id, state);
    const firing = [...this.states.values()].filter((s) => s.phase === 'firing').map((s) => s.id);
    if (this.states.size > 0) this.log.info({ alerts: this.states.size, firing }, 'alert states restored');
    const gone = [...this.states.values()].filter((s) => !knownSubjects.has(s.device ?? s.target ?? ''));
    for (const state of gone) {
      const observation = this.observationOf(state, false);
      for (let i = 0; i < this.settings.policy.successThreshold && this.states.get(state.id)?.phase !== 'resolved'; i += 1) {
        this.apply([observation]);
      }
    }
  }

  /** One evaluation of a device: every condition active now, and every alert it had. */
  evaluateDevice(device: DeviceState): void {
    const observations: Observation[] = device.conditions.map((c) => ({
      id: `${device.id}/${c.id}`,
      condition: c.id,
      device: device.id,
      target: null,
      active: true,
      severity: c.severity,
      reason: device.lastError,
    }));
    this.addCleared(observations, (s) => s.device === device.id);
    this.apply(observations);
  }

  /** One round of network (or host) checks: `scope` says whose alerts the round covers. */
  evaluatePath(conditions: readonly SubjectCondition[], scope: 'network' | 'host'): void {
    const observations: Observation[] = conditions.map((c) => ({
      id: `${c.subject}/${c.id}`,
      condition: c.id,
      device: null,
      target: c.subject,
      active: true,
      severity: c.severity,
      reason: c.reason,
    }));
    this.addCleared(observations, (s) => s.device === null && (s.condition.startsWith('host.') ? 'host' : 'network') === scope);
    this.apply(observations);
  }

  views(): AlertView[] {
    const cutoff = this.now().getTime() - RESOLVED_VISIBLE_MS;
    return [...this.states.values()]
      .filter((s) => s.phase !== 'resolved' || Date.parse(s.since) >= cutoff)
      .map((s) => ({ id: s.id, condition: s.condition, device: s.device, target: s.target, severity: s.severity, state: s.phase, since: s.since }));
  }

  /** Firing alerts the receivers know about, for Alertmanager's reposts. */
  firingNotified(): AlertState[] {
    return [...this.states.values()].filter((s) => s.phase === 'firing' && s.notified);
  }

  private addCleared(observations: Observation[], belongs: (s: AlertState) => boolean): void {
    const active = new Set(observations.map((o) => o.id));
    for (const state of this.states.values()) {
      if (belongs(state) && !active.has(state.id) && state.phase !== 'resolved') observations.push(this.observationOf(state, false));
    }
  }

  private observationOf(state: AlertState, active: boolean): Observation {
    return { id: state.id, condition: state.condition, device: state.device, target: state.target, active, severity: state.severity };
  }

  private apply(observations: readonly Observation[]): void {
    const now = this.now();
    const commit: AlertCommit = { upserts: [], deletes: [], history: [], outbox: [] };
    // Logged after the commit: a line saying "alert firing" means it is already on disk.
    const announcements: Array<() => void> = [];
    const open = isOpen(this.settings.openingHours, now);
    for (const observation of observations) {
      const previous = this.states.get(observation.id) ?? null;
      const subject = observation.device ?? observation.target ?? '';
      const silenced = activeMaintenance(this.settings.maintenance, subject, now, this.settings.openingHours?.timezone ?? null) !== null;
      const result = step(previous, observation, this.settings.policy, { now, open, silenced });
      if (!result.changed) continue;
      if (result.next) {
        this.states.set(observation.id, result.next);
        commit.upserts.push(result.next);
      } else {
        this.states.delete(observation.id);
        commit.deletes.push(observation.id);
      }
      const severity = result.next?.severity ?? previous?.severity ?? observation.severity;
      for (const t of result.transitions) {
        const row: HistoryRow = { ...t, condition: observation.condition, subject, severity };
        commit.history.push(row);
        if (t.to === 'firing' || t.to === 'resolved') {
          announcements.push(() => this.log.info({ alert: t.id, severity, silenced, notified: result.notifications.length > 0 }, `alert ${t.to}`));
        }
      }
      for (const n of result.notifications) {
        commit.outbox.push(
          ...this.outbox.rowsFor({
            kind: n.kind,
            at: now.toISOString(),
            site: this.settings.site,
            alert: n.alert,
            previousSeverity: n.previousSeverity ?? null,
            summary: summaryOf(n.alert.condition),
          }),
        );
      }
    }
    if (commit.upserts.length + commit.deletes.length === 0) return;
    // Written before sent: if the process dies right after this line, the next start sends it.
    this.store.commitAlerts(commit);
    this.outbox.enqueue(commit.outbox);
    for (const announce of announcements) announce();
  }
}
