import { type DeviceKind, deviceKind } from '../health/device-kind.js';
import { callKit, type Contact, fallbackRunbook, type Localized, type RunbookComponent, runbookFor } from './catalogue.js';

/** The fields of an alert that runbook selection reads (a subset of the status document's). */
export interface AlertFacts {
  id: string;
  condition: string;
  device: string | null;
  target: string | null;
  severity: string;
  since: string;
}

export interface DeviceFactsForRunbook {
  id: string;
  name: string;
  driver: string;
}

/** One active condition with what to do about it, ready for the page (both languages). */
export interface ActiveRunbook {
  alertId: string;
  condition: string;
  severity: string;
  since: string;
  /** What the condition is about: a device's name, a network target's name, or `host`. */
  subject: { kind: DeviceKind | 'network' | 'host'; id: string; name: string };
  title: Localized<string>;
  /** In order: cheapest and safest first. */
  steps: Localized<string[]>;
  /** What to have ready when calling `contact`. */
  prepare: Localized<string[]>;
  contact: Contact;
  /** False when the id has no runbook yet and a generic one is shown. */
  known: boolean;
}

const severityRank: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/**
 * The runbook for every active alert, the most urgent first (critical before warning, then the
 * oldest first): the order a shop owner should work through them.
 */
export function selectRunbooks(alerts: readonly AlertFacts[], devices: readonly DeviceFactsForRunbook[]): ActiveRunbook[] {
  const deviceById = new Map(devices.map((d) => [d.id, d]));
  return [...alerts]
    .sort((a, b) => rank(a.severity) - rank(b.severity) || a.since.localeCompare(b.since) || a.id.localeCompare(b.id))
    .map((alert) => {
      const runbook = runbookFor(alert.condition);
      const book = runbook ?? fallbackRunbook;
      const device = alert.device === null ? undefined : deviceById.get(alert.device);
      const subject = device
        ? { kind: deviceKind(device.driver), id: device.id, name: device.name }
        : alert.target === 'host'
          ? { kind: 'host' as const, id: 'host', name: 'host' }
          : { kind: 'network' as const, id: alert.target ?? 'network', name: alert.target ?? 'network' };
      const kitFor: RunbookComponent = book.component === 'device' || !runbook ? subject.kind : book.component;
      return {
        alertId: alert.id,
        condition: alert.condition,
        severity: alert.severity,
        since: alert.since,
        subject,
        title: book.title,
        steps: book.steps,
        prepare: {
          en: [...(book.prepare?.en ?? []), ...callKit[kitFor].en],
          'zh-CN': [...(book.prepare?.['zh-CN'] ?? []), ...callKit[kitFor]['zh-CN']],
        },
        contact: book.contact,
        known: runbook !== undefined,
      };
    });
}

function rank(severity: string): number {
  return severityRank[severity] ?? 3;
}
