import { type DeviceKind, deviceKind } from '../../health/device-kind.js';
import type { Localized } from '../../runbooks/catalogue.js';
import { runbookFor } from '../../runbooks/catalogue.js';
import { type ActiveRunbook, selectRunbooks } from '../../runbooks/select.js';
import { type SubjectState, stateFromOverall, stateFromSeverities } from '../../history/state.js';
import { deviceSubject, hostSubject, networkSubject } from '../../history/watch.js';
import type { DeviceStatusView, StatusDocument } from '../status-document.js';

/**
 * What the status page shows, worked out from the status document: plain data with message keys
 * (looked up in the page's message files) and the runbooks' own texts in both languages. The
 * page only renders it, so everything a shop owner reads is decided here, where it is tested.
 */
export interface PageView {
  generatedAt: string;
  overall: SubjectState;
  /** The one sentence under the overall state, e.g. "your internet is down, the devices are fine". */
  headline: Message;
  cards: Card[];
  /** One per active condition, the most urgent first. */
  actions: ActiveRunbook[];
}

/**
 * A message-file key with its parameters; `{localized}` is text that comes in both languages. A
 * `{ time }` parameter is an ISO time the page writes in its own language and time zone.
 */
export type Message = { key: string; params?: Record<string, string | number | { time: string }> };

export type FactValue =
  | { text: string }
  | Message
  | { time: string }
  | { ms: number }
  | { localized: Localized<string> };

export interface Fact {
  label: Message;
  value: FactValue;
  /** The fact shows a problem (rendered with the fault style, and announced as such). */
  bad?: boolean;
}

export interface Card {
  /** The history subject (`device:<id>`, `network`, `host`): the same key as /api/v1/history. */
  subject: string;
  kind: DeviceKind | 'network' | 'host';
  /** The device's configured name; null for network and host (their title is a message). */
  name: string | null;
  simulated: boolean;
  state: SubjectState;
  /** A word other than the state's own for the badge (the network card when nothing is configured). */
  badge?: Message;
  /** Since when the card has been in this state; null when not known. */
  since: string | null;
  summary: Message | { localized: Localized<string> };
  /** A calm word under the summary, e.g. "the till is using it now" (normal, not a problem). */
  note?: Message;
  facts: Fact[];
}

export interface PageContext {
  /** Start of a subject's current state, from the history; null when not recorded. */
  stateSince(subject: string): string | null;
  /** How many network targets are configured: none means the network card says so. */
  networkTargets: number;
  /** When the agent started: the earliest any state can be said to hold since. */
  startedAt: string;
}

export function pageView(statusDoc: StatusDocument, context: PageContext): PageView {
  // Only firing alerts call for action; the alert engine also lists recently resolved ones.
  const document: StatusDocument = { ...statusDoc, alerts: statusDoc.alerts.filter((a) => a.state === 'firing') };
  const actions = selectRunbooks(document.alerts, document.devices);
  const cards = [...document.devices.map((d) => deviceCard(d, document, context)), networkCard(document, context), hostCard(document, context)];
  return {
    generatedAt: document.generatedAt,
    overall: stateFromOverall(document.overall),
    headline: headline(document, cards),
    cards,
    actions,
  };
}

function headline(document: StatusDocument, cards: Card[]): Message {
  const overall = stateFromOverall(document.overall);
  const network = cards.find((c) => c.kind === 'network');
  const troubled = cards.filter((c) => c.state === 'fault' || c.state === 'attention');
  const troubledDevices = troubled.filter((c) => c.name !== null);
  if (overall === 'ok') return { key: 'headline.ok' };
  if (overall === 'unknown' && troubled.length === 0) return { key: 'headline.unknown' };
  // "Your internet is down, the terminal is fine": the one thing an owner needs to hear when
  // every device answers but the path to the payment service does not.
  if (troubledDevices.length === 0 && network && troubled.includes(network)) {
    return { key: document.devices.length > 0 ? 'headline.networkOnly' : 'headline.networkNoDevices' };
  }
  if (troubledDevices.length > 0 && network?.state === 'ok') {
    return { key: 'headline.devicesNetworkOk', params: { names: troubledDevices.map((c) => c.name).join(', ') } };
  }
  if (troubledDevices.length > 0) return { key: 'headline.devices', params: { names: troubledDevices.map((c) => c.name).join(', ') } };
  return { key: 'headline.other' };
}

function severitiesOf(document: StatusDocument, match: (a: StatusDocument['alerts'][number]) => boolean): string[] {
  return document.alerts.filter(match).map((a) => a.severity);
}

function since(context: PageContext, subject: string, state: SubjectState, conditionSince: string[]): string | null {
  const recorded = context.stateSince(subject);
  if (recorded) return recorded;
  if (state === 'fault' || state === 'attention') return conditionSince.sort()[0] ?? null;
  return state === 'ok' ? context.startedAt : null;
}

/** The worst condition's title (catalogue text), or a plain word for a device without one. */
function summaryFor(conditions: string[], fallback: Message): Card['summary'] {
  for (const id of conditions) {
    const runbook = runbookFor(id);
    if (runbook) return { localized: runbook.title };
  }
  return conditions.length > 0 ? { key: 'summary.problem' } : fallback;
}

function deviceCard(device: DeviceStatusView, document: StatusDocument, context: PageContext): Card {
  const alerts = document.alerts.filter((a) => a.device === device.id);
  const critical = alerts.filter((a) => a.severity === 'critical').map((a) => a.condition);
  const others = alerts.filter((a) => a.severity !== 'critical').map((a) => a.condition);
  const state = stateFromSeverities(severitiesOf(document, (a) => a.device === device.id), device.lastSeenAt !== null);
  const kind = deviceKind(device.driver);
  return {
    subject: deviceSubject(device.id),
    kind,
    name: device.name,
    simulated: device.simulated,
    state,
    since: since(context, deviceSubject(device.id), state, alerts.map((a) => a.since)),
    summary: summaryFor([...critical, ...others], { key: state === 'unknown' ? 'summary.waiting' : `summary.${kind}.ok` }),
    ...noteFor(device),
    facts: deviceFacts(device, context),
  };
}

function noteFor(device: DeviceStatusView): Pick<Card, 'note'> {
  const note = tillBusy(device.passthrough?.activity ?? null);
  return note ? { note } : {};
}

/**
 * mode: passthrough: what the till is doing on the shared line ("till: payment 06 01", "till:
 * printing"), in the owner's words; nothing when the line is idle or the agent itself asks.
 */
export function tillBusy(activity: string | null): Message | null {
  if (!activity?.startsWith('till:')) return null;
  const what = activity.slice('till:'.length).trim();
  if (/^(payment|pre-authorisation|book-total)\b/.test(what)) return { key: 'card.tillBusy.payment' };
  if (/^refund\b/.test(what)) return { key: 'card.tillBusy.refund' };
  if (/^reversal\b/.test(what)) return { key: 'card.tillBusy.reversal' };
  if (/^end-of-day\b/.test(what)) return { key: 'card.tillBusy.endOfDay' };
  if (/^printing\b/.test(what)) return { key: 'card.tillBusy.printing' };
  return { key: 'card.tillBusy' };
}

function yesNo(value: boolean | null, yes: string, no: string): FactValue {
  return { key: value === null ? 'value.unknown' : value ? yes : no };
}

function deviceFacts(device: DeviceStatusView, context: PageContext): Fact[] {
  const facts: Fact[] = [{ label: { key: 'fact.connection' }, value: { key: device.connected ? 'value.connected' : 'value.notConnected' }, bad: !device.connected }];
  const shared = device.passthrough;
  if (shared) facts.push(tillFact(shared));
  if (device.printer) {
    const p = device.printer;
    const paper = p.paperOut === null ? 'value.unknown' : p.paperOut ? 'value.paperOut' : p.paperLow ? 'value.paperLow' : 'value.paperOk';
    facts.push({ label: { key: 'fact.paper' }, value: { key: paper }, bad: p.paperOut === true || p.paperLow === true });
    facts.push({ label: { key: 'fact.cover' }, value: yesNo(p.coverOpen, 'value.open', 'value.closed'), bad: p.coverOpen === true });
  }
  if (device.cardReader !== null) facts.push({ label: { key: 'fact.cardReader' }, value: { key: `value.reader.${device.cardReader}` }, bad: device.cardReader === 'fault' });
  if (device.loggedOn !== null) facts.push({ label: { key: 'fact.loggedOn' }, value: yesNo(device.loggedOn, 'value.yes', 'value.no'), bad: !device.loggedOn });
  if (device.locked !== null) facts.push({ label: { key: 'fact.locked' }, value: yesNo(device.locked, 'value.yes', 'value.no'), bad: device.locked });
  if (shared) facts.push(...passthroughFacts(shared, device.lastSettlementAt, context));
  else if (device.lastSettlementAt) facts.push({ label: { key: 'fact.lastSettlement' }, value: { time: device.lastSettlementAt } });
  if (device.lastSeenAt) facts.push({ label: { key: 'fact.lastAnswer' }, value: { time: device.lastSeenAt } });
  const identity: Array<[string, string | null]> = [
    ['fact.model', [device.manufacturer, device.model].filter(Boolean).join(' ') || null],
    ['fact.serial', device.serial],
    ['fact.firmware', device.firmware],
  ];
  for (const [label, value] of identity) if (value) facts.push({ label: { key: label }, value: { text: value } });
  return facts;
}

type Passthrough = NonNullable<DeviceStatusView['passthrough']>;
type Tally = NonNullable<Passthrough['transactions']>;

/** "Shared with the till: via 127.0.0.1:20007, till connected" (the port without its `tcp:`/`pty:`). */
function tillFact(shared: Passthrough): Fact {
  const port = shared.till.replace(/^(pty|tcp):/, '');
  const key = shared.tillConnected === null ? 'value.till' : shared.tillConnected ? 'value.till.connected' : 'value.till.notConnected';
  return { label: { key: 'fact.till' }, value: { key, params: { port } } };
}

const lastLabel: Record<NonNullable<Tally['last']>['kind'], string> = {
  payment: 'fact.lastPayment',
  'pre-authorisation': 'fact.lastPayment',
  'book-total': 'fact.lastPayment',
  refund: 'fact.lastRefund',
  reversal: 'fact.lastReversal',
};

const outcomeKey: Record<NonNullable<Tally['last']>['outcome'], string> = {
  approved: 'value.outcome.approved',
  declined: 'value.outcome.declined',
  refused: 'value.outcome.refused',
  cancelled: 'value.outcome.cancelled',
  'no-completion': 'value.outcome.noCompletion',
};

/**
 * What the till's traffic showed: payments and the last one, the last end-of-day (terminals),
 * receipts (printers). The counts are the agent's since it started, and say so. A declined card
 * is everyday business: only a run of failures (terminal.transactions_failing) is marked.
 */
function passthroughFacts(shared: Passthrough, lastSettlementAt: string | null, context: PageContext): Fact[] {
  const facts: Fact[] = [];
  const since = { time: context.startedAt };
  const t = shared.transactions;
  if (t) {
    const failing = t.failedInARow >= t.failingAfter;
    const failed = t.declined + t.refused + t.noCompletion;
    facts.push({
      label: { key: 'fact.payments', params: { time: since } },
      value: t.cancelled > 0
        ? { key: 'value.payments.cancelled', params: { approved: t.approved, failed, cancelled: t.cancelled } }
        : { key: 'value.payments', params: { approved: t.approved, failed } },
      ...(failing ? { bad: true } : {}),
    });
    if (t.last) {
      const failedLast = t.last.outcome !== 'approved' && t.last.outcome !== 'cancelled';
      facts.push({
        label: { key: lastLabel[t.last.kind] },
        value: { key: outcomeKey[t.last.outcome], params: { time: { time: t.last.at } } },
        ...(failing && failedLast ? { bad: true } : {}),
      });
    }
    facts.push(endOfDayFact(shared.lastEndOfDay, lastSettlementAt));
  }
  if (shared.receipts !== null) {
    facts.push({ label: { key: 'fact.receipts', params: { time: since } }, value: { key: 'value.receipts', params: { count: shared.receipts } } });
  }
  return facts;
}

/** The later of the terminal's own last settlement and the till's last end-of-day run; a failed run is marked. */
function endOfDayFact(seen: Passthrough['lastEndOfDay'], lastSettlementAt: string | null): Fact {
  const label = { key: 'fact.lastSettlement' };
  if (seen && (lastSettlementAt === null || Date.parse(seen.at) >= Date.parse(lastSettlementAt))) {
    return seen.ok ? { label, value: { time: seen.at } } : { label, value: { key: 'value.endOfDay.failed', params: { time: { time: seen.at } } }, bad: true };
  }
  if (lastSettlementAt) return { label, value: { time: lastSettlementAt } };
  return { label, value: { key: 'value.endOfDay.none' } };
}

/** The layers the verdict names; each has its own words on the page (no "fails at: tcp"). */
const networkLayers = new Set(['link', 'gateway', 'dns', 'tcp', 'tls', 'http']);

const layerSummary: Record<string, string> = {
  link: 'summary.network.link',
  gateway: 'summary.network.gateway',
  dns: 'summary.network.dns',
  tcp: 'summary.network.unreachable',
  http: 'summary.network.unreachable',
  tls: 'summary.network.tls',
};

function networkCard(document: StatusDocument, context: PageContext): Card {
  const network = document.network;
  const pathAlerts = document.alerts.filter((a) => a.device === null && a.target !== 'host');
  const configured = context.networkTargets > 0;
  const state = configured ? stateFromSeverities(pathAlerts.map((a) => a.severity), network.checkedAt !== null) : 'unknown';
  let summary: Message;
  if (!configured) summary = { key: 'summary.network.notConfigured' };
  else if (network.verdict === 'unknown') summary = { key: 'summary.waiting' };
  else if (network.verdict === 'ok') summary = { key: 'summary.network.ok' };
  else if (network.verdict === 'degraded' && network.targets.some((t) => t.verdict === 'down')) summary = { key: 'summary.network.someDown' };
  else if (network.verdict === 'degraded') summary = { key: 'summary.network.slow' };
  else summary = { key: layerSummary[network.failedLayer ?? ''] ?? 'summary.network.unreachable' };
  const facts: Fact[] = network.targets.map((t): Fact => ({
    label: { key: 'fact.target', params: { name: t.name } },
    value:
      t.verdict === 'down'
        ? { key: `value.target.down.${networkLayers.has(t.failedLayer ?? '') ? t.failedLayer : 'other'}` }
        : t.latency?.avgMs != null
          ? { key: `value.target.${t.verdict}.ms`, params: { ms: Math.round(t.latency.avgMs) } }
          : { key: `value.target.${t.verdict}` },
    bad: t.verdict !== 'ok',
  }));
  if (network.checkedAt) facts.push({ label: { key: 'fact.lastCheck' }, value: { time: network.checkedAt } });
  return {
    subject: networkSubject,
    kind: 'network',
    name: null,
    simulated: false,
    state,
    ...(configured ? {} : { badge: { key: 'state.notChecked' } }),
    since: configured ? since(context, networkSubject, state, pathAlerts.map((a) => a.since)) : null,
    summary,
    facts,
  };
}

function hostCard(document: StatusDocument, context: PageContext): Card {
  const host = document.host;
  const alerts = document.alerts.filter((a) => a.target === 'host');
  const state = stateFromSeverities(alerts.map((a) => a.severity), host.ok !== null);
  const facts: Fact[] = host.checks.map((c) => ({
    label: { key: `fact.host.${c.check}` },
    value: c.ok ? { key: 'value.ok' } : { text: c.reason ?? '' },
    bad: !c.ok,
  }));
  return {
    subject: hostSubject,
    kind: 'host',
    name: null,
    simulated: false,
    state,
    since: since(context, hostSubject, state, alerts.map((a) => a.since)),
    summary: host.ok === null ? { key: 'summary.waiting' } : host.ok ? { key: 'summary.host.ok' } : { key: 'summary.host.problem' },
    facts,
  };
}
