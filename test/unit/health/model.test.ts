import { describe, expect, it } from 'vitest';
import type { DeviceReading, PrinterReading } from '../../../drivers/model.js';
import { HealthModel } from '../../../src/health/model.js';
import { overallState } from '../../../src/health/overall.js';

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
const reading = (printer: Partial<PrinterReading> = {}): DeviceReading => ({
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
const identity = { manufacturer: 'EPSON', model: 'TM-T88V', serial: 'X1', firmware: '30.01' };
const t = (seconds: number) => new Date(Date.UTC(2026, 10, 23, 9, 0, seconds));

function model() {
  const health = new HealthModel();
  health.addDevice({ id: 'p1', name: 'p1', driver: 'escpos', simulated: false, transport: 'serial:/dev/x@9600' });
  return health;
}

describe('HealthModel', () => {
  it('derives conditions from readings and keeps their start time while they last', () => {
    const health = model();
    health.answered('p1', reading({ paperLow: true }), identity, t(0), true);
    health.answered('p1', reading({ paperLow: true, coverOpen: true }), identity, t(5), true);
    expect(health.device('p1')?.conditions).toEqual([
      { id: 'printer.paper_low', severity: 'warning', since: t(0).toISOString() },
      { id: 'printer.cover_open', severity: 'critical', since: t(5).toISOString() },
    ]);
    health.answered('p1', reading(), identity, t(9), true);
    expect(health.device('p1')?.conditions).toEqual([]);
  });

  it('shows only paper out, not near end too, when the roll has run out', () => {
    const health = model();
    health.answered('p1', reading({ paperLow: true, paperOut: true }), identity, t(0), true);
    expect(health.device('p1')?.conditions.map((c) => c.id)).toEqual(['printer.paper_out']);
  });

  it('reports a lost link as unreachable and forgets the stale reading', () => {
    const health = model();
    health.answered('p1', reading({ paperOut: true }), identity, t(0), true);
    health.linkDown('p1', 'port closed', t(3));
    const device = health.device('p1');
    expect(device?.conditions.map((c) => c.id)).toEqual(['device.unreachable']);
    expect(device?.reading).toBeNull();
    expect(device?.identity).toEqual(identity);
  });

  it('counts failed polls and becomes unreachable only when the session says so', () => {
    const health = model();
    health.answered('p1', reading(), identity, t(0), true);
    health.pollFailed('p1', 'no answer', false, t(1));
    expect(health.device('p1')?.conditions).toEqual([]);
    health.pollFailed('p1', 'no answer', true, t(2));
    expect(health.device('p1')).toMatchObject({ consecutiveFailures: 2, unreachable: true, lastError: 'no answer' });
    health.answered('p1', reading(), identity, t(3), true);
    expect(health.device('p1')).toMatchObject({ consecutiveFailures: 0, unreachable: false, conditions: [] });
  });

  it('keeps the identity read earlier when an unsolicited reading carries none', () => {
    const health = model();
    health.answered('p1', reading(), identity, t(0), true);
    health.answered('p1', reading(), { manufacturer: null, model: null, serial: null, firmware: null }, t(1), false);
    expect(health.device('p1')?.identity).toEqual(identity);
    expect(health.device('p1')?.pollCount).toBe(1);
  });

  it('emits a change event per update', () => {
    const health = model();
    const changes: string[] = [];
    health.on('change', (id) => changes.push(id));
    health.linkUp('p1', 'serial', t(0));
    health.answered('p1', reading(), identity, t(1), true);
    expect(changes).toEqual(['p1', 'p1']);
  });
});

describe('overallState', () => {
  it('is unknown before a device answered, ok after, and worst-wins with conditions', () => {
    const health = model();
    expect(overallState(health.allDevices())).toBe('unknown');
    health.answered('p1', reading(), identity, t(0), true);
    expect(overallState(health.allDevices())).toBe('ok');
    health.answered('p1', reading({ paperLow: true }), identity, t(1), true);
    expect(overallState(health.allDevices())).toBe('degraded');
    health.answered('p1', reading({ paperOut: true }), identity, t(2), true);
    expect(overallState(health.allDevices())).toBe('down');
  });

  it('is ok with no devices at all', () => {
    expect(overallState([])).toBe('ok');
  });
});
