import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DeviceReading, PrinterReading } from '../../../../drivers/model.js';
import { HealthModel } from '../../../../src/health/model.js';
import { PathHealth } from '../../../../src/health/path-health.js';
import { type StatusDocument, statusDocument } from '../../../../src/http/status-document.js';
import { type Card, type PageView, pageView } from '../../../../src/http/ui/page-view.js';

const okPrinter: PrinterReading = {
  status: 'ok',
  coverOpen: false,
  offline: false,
  paperLow: false,
  paperOut: false,
  cutterError: false,
  unrecoverableError: false,
  autoRecoverableError: false,
  drawerPin3High: false,
};
const printerReading = (printer: Partial<PrinterReading> = {}): DeviceReading => ({
  power: 'online',
  globalStatus: 'ok',
  printer: { ...okPrinter, ...printer },
  cardReader: null,
  locked: null,
  loggedOn: null,
  tamper: null,
  lastSettlementAt: null,
  outOfOrder: null,
  settlementDue: null,
});
const terminalReading: DeviceReading = {
  power: 'online',
  globalStatus: 'ok',
  printer: null,
  cardReader: 'ok',
  locked: false,
  loggedOn: true,
  tamper: false,
  lastSettlementAt: '2026-11-30T22:00:00.000Z',
  outOfOrder: false,
  settlementDue: false,
};
const identity = { manufacturer: 'EPSON', model: 'TM-T88V', serial: 'X1', firmware: '30.01' };
const now = new Date('2026-12-01T09:00:00.000Z');

function documentWith(printer: Partial<PrinterReading> | 'silent' = {}): StatusDocument {
  const health = new HealthModel();
  health.addDevice({ id: 'printer-1', name: 'Counter printer', driver: 'escpos', simulated: true, transport: 'simulator' });
  health.addDevice({ id: 'terminal-1', name: 'Card terminal', driver: 'zvt', simulated: false, transport: 'tcp:127.0.0.1:20007' });
  if (printer !== 'silent') health.answered('printer-1', printerReading(printer), identity, new Date('2026-12-01T08:50:00Z'), true);
  health.answered('terminal-1', terminalReading, { manufacturer: null, model: 'Move/5000', serial: 'T-77', firmware: '2.1' }, new Date('2026-12-01T08:50:00Z'), true);
  const paths = new PathHealth();
  return statusDocument({ devices: health.allDevices(), network: paths.network(), host: paths.host() }, now);
}

/** The network path as the verdict reports the acquirer refusing connections. */
function withAcquirerDown(document: StatusDocument): StatusDocument {
  return {
    ...document,
    overall: 'down',
    network: {
      ...document.network,
      verdict: 'down',
      failedLayer: 'tcp',
      reason: 'connection refused',
      checkedAt: '2026-12-01T08:59:50.000Z',
      targets: [
        { name: 'acquirer', host: '127.0.0.1', port: 443, verdict: 'down', failedLayer: 'tcp', reason: 'refused', conditions: ['network.acquirer_unreachable'], latency: null, layers: [] },
      ],
      conditions: ['network.acquirer_unreachable'],
    },
    alerts: [
      ...document.alerts,
      { id: 'acquirer/network.acquirer_unreachable', condition: 'network.acquirer_unreachable', device: null, target: 'acquirer', severity: 'critical', state: 'firing', since: '2026-12-01T08:55:00.000Z' },
    ],
  };
}

const context = { stateSince: () => null, networkTargets: 1, startedAt: '2026-12-01T08:00:00.000Z' };
const card = (view: PageView, subject: string): Card => view.cards.find((c) => c.subject === subject)!;

describe('pageView', () => {
  it('says "everything works" with one card per device, the network and this computer', () => {
    const document = documentWith();
    document.overall = 'ok';
    const view = pageView(document, { ...context, networkTargets: 0 });
    expect(view.overall).toBe('ok');
    expect(view.headline).toEqual({ key: 'headline.ok' });
    expect(view.cards.map((c) => [c.subject, c.kind, c.state])).toEqual([
      ['device:printer-1', 'printer', 'ok'],
      ['device:terminal-1', 'terminal', 'ok'],
      ['network', 'network', 'unknown'],
      ['host', 'host', 'unknown'],
    ]);
    expect(card(view, 'device:printer-1').simulated).toBe(true);
    expect(card(view, 'device:terminal-1').simulated).toBe(false);
    expect(card(view, 'network').summary).toEqual({ key: 'summary.network.notConfigured' });
    expect(card(view, 'network').badge).toEqual({ key: 'state.notChecked' });
    expect(view.actions).toEqual([]);
  });

  it('tells the owner the internet is down while the devices are fine', () => {
    const view = pageView(withAcquirerDown(documentWith()), context);
    expect(view.overall).toBe('fault');
    expect(view.headline).toEqual({ key: 'headline.networkOnly' });
    expect(card(view, 'network').state).toBe('fault');
    expect(card(view, 'network').summary).toEqual({ key: 'summary.network.unreachable' });
    expect(card(view, 'network').facts[0]).toEqual({ label: { key: 'fact.target', params: { name: 'acquirer' } }, value: { key: 'value.target.down.tcp' }, bad: true });
    expect(card(view, 'device:terminal-1').state).toBe('ok');
    expect(view.actions.map((a) => a.condition)).toEqual(['network.acquirer_unreachable']);
  });

  it('names the device with a fault, shows the runbook title, and since when', () => {
    const view = pageView(documentWith({ paperOut: true }), context);
    expect(view.overall).toBe('fault');
    expect(view.headline).toEqual({ key: 'headline.devices', params: { names: 'Counter printer' } });
    const printer = card(view, 'device:printer-1');
    expect(printer.state).toBe('fault');
    expect(printer.summary).toEqual({ localized: { en: 'Printer is out of paper', 'zh-CN': '打印机缺纸' } });
    expect(printer.since).toBe('2026-12-01T08:50:00.000Z');
    expect(printer.facts).toContainEqual({ label: { key: 'fact.paper' }, value: { key: 'value.paperOut' }, bad: true });
    expect(printer.facts).toContainEqual({ label: { key: 'fact.serial' }, value: { text: 'X1' } });
    expect(view.actions[0]!.steps.en[0]).toBe('Open the paper cover');
  });

  it('takes "since" from the history when it has one, else the agent\'s start for a working device', () => {
    const document = documentWith();
    const fromHistory = pageView(document, { ...context, stateSince: (s) => (s === 'device:printer-1' ? '2026-12-01T08:42:00.000Z' : null) });
    expect(card(fromHistory, 'device:printer-1').since).toBe('2026-12-01T08:42:00.000Z');
    expect(card(fromHistory, 'device:terminal-1').since).toBe(context.startedAt);
  });

  it('shows a device that never answered as not known yet', () => {
    const view = pageView(documentWith('silent'), context);
    expect(card(view, 'device:printer-1').state).toBe('unknown');
    expect(card(view, 'device:printer-1').summary).toEqual({ key: 'summary.waiting' });
  });

  it('uses only message keys that both message files have', () => {
    const messages = ['en', 'zh-CN'].map((l) => JSON.parse(readFileSync(new URL(`../../../../src/http/ui/messages/${l}.json`, import.meta.url), 'utf8')) as Record<string, string>);
    const views = [
      pageView(documentWith(), { ...context, networkTargets: 0 }),
      pageView(withAcquirerDown(documentWith()), context),
      pageView(withAcquirerDown(documentWith({ paperLow: true, coverOpen: true })), context),
      pageView(documentWith('silent'), context),
    ];
    const keys = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        if (typeof record.key === 'string') keys.add(record.key);
        Object.values(record).forEach(collect);
      }
    };
    views.forEach(collect);
    expect(keys.size).toBeGreaterThan(15);
    for (const key of keys) for (const m of messages) expect(m[key], key).toBeTruthy();
  });
});
