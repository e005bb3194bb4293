import { describe, expect, it } from 'vitest';
import type { DeviceReading } from '../../../drivers/model.js';
import { needsSettlementReminder, settlementReminderMs } from '../../../src/health/conditions.js';
import { HealthModel } from '../../../src/health/model.js';

const identity = { manufacturer: null, model: null, serial: '17FD1E3C', firmware: null };
const closing = new Date('2026-12-01T21:30:00Z');
const hoursBefore = (h: number) => new Date(closing.getTime() - h * 3_600_000).toISOString();

function terminalReading(lastSettlementAt: string | null): DeviceReading {
  return {
    power: 'online',
    globalStatus: 'ok',
    printer: null,
    cardReader: 'ok',
    locked: false,
    loggedOn: true,
    tamper: false,
    lastSettlementAt,
    outOfOrder: false,
    settlementDue: false,
  };
}

function modelWithTerminal(lastSettlementAt: string | null): HealthModel {
  const health = new HealthModel();
  health.addDevice({ id: 'pt', name: 'pt', driver: 'zvt', simulated: false, transport: 'tcp:127.0.0.1:20007' });
  health.answered('pt', terminalReading(lastSettlementAt), identity, new Date(closing.getTime() - 60_000), true);
  return health;
}

const conditionIds = (health: HealthModel) => health.device('pt')!.conditions.map((c) => c.id);

describe('closing-time settlement reminder', () => {
  it('fires for a terminal with no end-of-day seen, or none in the last 12 hours', () => {
    expect(needsSettlementReminder(terminalReading(null), closing)).toBe(true);
    expect(needsSettlementReminder(terminalReading(hoursBefore(13)), closing)).toBe(true);
    expect(needsSettlementReminder(terminalReading(hoursBefore(2)), closing)).toBe(false);
  });

  it('never fires for a device that reports no settlement facts (a printer) or has no reading', () => {
    expect(needsSettlementReminder({ ...terminalReading(null), settlementDue: null }, closing)).toBe(false);
    expect(needsSettlementReminder(null, closing)).toBe(false);
  });

  it('raises terminal.settlement_reminder until an end-of-day is seen', () => {
    const health = modelWithTerminal(hoursBefore(30));
    expect(health.remindSettlement(closing)).toEqual(['pt']);
    expect(conditionIds(health)).toContain('terminal.settlement_reminder');
    expect(health.device('pt')!.conditions.find((c) => c.id === 'terminal.settlement_reminder')).toMatchObject({
      severity: 'warning',
      since: closing.toISOString(),
    });

    // Still unsettled a poll later: still reminded.
    health.answered('pt', terminalReading(hoursBefore(30)), identity, new Date(closing.getTime() + 60_000), true);
    expect(conditionIds(health)).toContain('terminal.settlement_reminder');

    // The end-of-day runs at 21:40 and the next poll sees it.
    const settled = new Date(closing.getTime() + 10 * 60_000);
    health.answered('pt', terminalReading(settled.toISOString()), identity, new Date(settled.getTime() + 1_000), true);
    expect(conditionIds(health)).not.toContain('terminal.settlement_reminder');
  });

  it('leaves a terminal settled today alone', () => {
    const health = modelWithTerminal(hoursBefore(3));
    expect(health.remindSettlement(closing)).toEqual([]);
    expect(conditionIds(health)).toEqual([]);
  });

  it('ends by itself 12 hours after closing (the next day starts clean)', () => {
    const health = modelWithTerminal(null);
    health.remindSettlement(closing);
    health.answered('pt', terminalReading(null), identity, new Date(closing.getTime() + settlementReminderMs - 1), true);
    expect(conditionIds(health)).toContain('terminal.settlement_reminder');
    health.answered('pt', terminalReading(null), identity, new Date(closing.getTime() + settlementReminderMs + 1), true);
    expect(conditionIds(health)).not.toContain('terminal.settlement_reminder');
  });

  it('skips terminals that do not answer (device.unreachable says more)', () => {
    const health = modelWithTerminal(null);
    health.linkDown('pt', 'connection refused', closing);
    expect(health.remindSettlement(closing)).toEqual([]);
  });
});
