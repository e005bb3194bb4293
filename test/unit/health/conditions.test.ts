import { describe, expect, it } from 'vitest';
import type { DeviceReading } from '../../../drivers/model.js';
import { toReading, type ZvtObservation } from '../../../drivers/zvt/status.js';
import { activeDeviceConditions, deviceSwapNoticeMs, type DeviceFacts } from '../../../src/health/conditions.js';
import { HealthModel } from '../../../src/health/model.js';

const now = new Date(Date.UTC(2026, 10, 23, 9, 0, 0));
const identity = { manufacturer: null, model: 'T1', serial: 'AA01', firmware: '1.0' };

/** A reading as the zvt driver makes it from what the terminal said. */
function terminal(o: Partial<ZvtObservation>): DeviceReading {
  return toReading({
    terminalStatus: 0x00,
    resultCode: null,
    lockBits: 0,
    deviceState: 0,
    terminalId: '52523535',
    lastSettlementAt: now.getTime() - 3_600_000,
    settlementOverdueAfterMs: 26 * 3_600_000,
    now: now.getTime(),
    ...o,
  });
}

const facts = (reading: DeviceReading | null, more: Partial<DeviceFacts> = {}): DeviceFacts => ({
  connected: true,
  unreachable: false,
  reading,
  identity,
  swap: null,
  settlementReminder: null,
  passthrough: null,
  ...more,
});
const conditions = (o: Partial<ZvtObservation>) => activeDeviceConditions(facts(terminal(o)), now);

describe('terminal conditions', () => {
  it('a ready terminal has none', () => {
    expect(conditions({})).toEqual([]);
  });

  // [observation, conditions]: one row per family of status code, lock bit and device state.
  const cases: Array<[string, Partial<ZvtObservation>, string[]]> = [
    ['status E2 card reader defective', { terminalStatus: 0xe2, lockBits: null, deviceState: null }, ['terminal.card_reader_fault']],
    ['status C0 card locking mechanism', { terminalStatus: 0xc0 }, ['terminal.card_reader_fault']],
    ['lock bit card reader not found', { lockBits: 0x0040 }, ['terminal.card_reader_fault']],
    ['status C2 diagnosis required', { terminalStatus: 0xc2 }, ['terminal.locked']],
    ['lock bit service', { lockBits: 0x1000 }, ['terminal.locked']],
    ['status 51 initialisation required', { terminalStatus: 0x51 }, ['terminal.not_logged_on']],
    ['lock bit initialisation', { lockBits: 0x4000 }, ['terminal.not_logged_on']],
    ['device state 01 initialisation needed', { deviceState: 0x01 }, ['terminal.not_logged_on']],
    ['result code 6B: not registered', { terminalStatus: null, resultCode: 0x6b, lockBits: null, deviceState: null }, ['terminal.not_logged_on']],
    ['status DF out of order', { terminalStatus: 0xdf }, ['terminal.out_of_order']],
    ['lock bit out of order', { lockBits: 0x0800 }, ['terminal.out_of_order']],
    ['lock bit secure module changed', { lockBits: 0x0100 }, ['terminal.tamper']],
    ['device state 03 fraud', { deviceState: 0x03 }, ['terminal.tamper']],
    ['status F0 reconciliation required', { terminalStatus: 0xf0 }, ['terminal.settlement_overdue']],
    ['reconciliation lock: locked until the end-of-day', { lockBits: 0x8000 }, ['terminal.locked', 'terminal.settlement_overdue']],
    ['last end-of-day 30 h ago', { lastSettlementAt: now.getTime() - 30 * 3_600_000 }, ['terminal.settlement_overdue']],
    ['diagnosis lock and initialisation lock: log on first', { lockBits: 0x6000 }, ['terminal.not_logged_on']],
  ];
  for (const [name, observation, expected] of cases) {
    it(`${name} → ${expected.join(', ')}`, () => {
      expect(conditions(observation)).toEqual(expected);
    });
  }

  it('a payment in progress is busy, not a fault', () => {
    for (const busy of [{ terminalStatus: 0xdc }, { lockBits: 0x0020 }, { terminalStatus: null, resultCode: 0x9c, lockBits: null, deviceState: null }]) {
      const reading = terminal(busy);
      expect(reading.globalStatus).toBe('busy');
      expect(activeDeviceConditions(facts(reading), now)).toEqual([]);
    }
  });

  it('says nothing about a terminal that does not answer but that it is unreachable', () => {
    const stale = terminal({ terminalStatus: 0xe2 });
    expect(activeDeviceConditions(facts(stale, { connected: false, unreachable: true }), now)).toEqual(['device.unreachable']);
  });
});

describe('device.swapped', () => {
  const t = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  const reading = terminal({});

  function model() {
    const health = new HealthModel();
    health.addDevice({ id: 'pt', name: 'pt', driver: 'zvt', simulated: false, transport: 'tcp:127.0.0.1:20007' });
    return health;
  }

  it('is raised when another serial number answers, for a day, then clears by itself', () => {
    const health = model();
    health.answered('pt', reading, identity, t(0), true);
    expect(health.device('pt')?.conditions).toEqual([]);
    health.answered('pt', reading, { ...identity, serial: 'BB02' }, t(5), true);
    expect(health.device('pt')?.swap).toEqual({ previousSerial: 'AA01', serial: 'BB02', at: t(5).toISOString() });
    expect(health.device('pt')?.conditions).toEqual([{ id: 'device.swapped', severity: 'warning', since: t(5).toISOString() }]);

    health.answered('pt', reading, { ...identity, serial: 'BB02' }, t(deviceSwapNoticeMs / 1000), true);
    expect(health.device('pt')?.conditions.map((c) => c.id)).toEqual(['device.swapped']);
    health.answered('pt', reading, { ...identity, serial: 'BB02' }, t(deviceSwapNoticeMs / 1000 + 5), true);
    expect(health.device('pt')?.conditions).toEqual([]);
    expect(health.device('pt')?.swap?.serial).toBe('BB02'); // the history stays visible
  });

  it('is seen across an unplug: the identity outlives the link', () => {
    const health = model();
    health.answered('pt', reading, identity, t(0), true);
    health.linkDown('pt', 'port closed', t(1));
    health.linkUp('pt', 'tcp', t(2));
    health.answered('pt', reading, { ...identity, serial: 'CC03' }, t(3), true);
    expect(health.device('pt')?.conditions.map((c) => c.id)).toEqual(['device.swapped']);
  });

  it('is not raised by a first serial number, nor by a reply that carries none', () => {
    const health = model();
    health.answered('pt', reading, { ...identity, serial: null }, t(0), true);
    health.answered('pt', reading, identity, t(1), true);
    health.answered('pt', reading, { ...identity, serial: null }, t(2), true);
    expect(health.device('pt')).toMatchObject({ swap: null, conditions: [] });
  });
});
