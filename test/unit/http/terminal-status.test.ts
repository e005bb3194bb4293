/** A ZVT terminal in the status document and in /metrics: what the till software and Prometheus see. */
import { describe, expect, it } from 'vitest';
import { toReading } from '../../../drivers/zvt/status.js';
import { HealthModel } from '../../../src/health/model.js';
import { PathHealth } from '../../../src/health/path-health.js';
import { statusDocument } from '../../../src/http/status-document.js';
import { createAgentMetrics } from '../../../src/metrics/registry.js';

const at = new Date('2026-11-23T09:00:00.000Z');
const identity = { manufacturer: null, model: 'posdiag ZVT simulator', serial: '17FD1E3C', firmware: 'SIM-1.0.0' };
const observation = {
  terminalStatus: 0x00,
  resultCode: null,
  lockBits: 0,
  deviceState: 0,
  terminalId: '52523535',
  lastSettlementAt: null,
  settlementOverdueAfterMs: 26 * 3_600_000,
  now: at.getTime(),
};

function setup() {
  const health = new HealthModel();
  health.addDevice({ id: 'pt-1', name: 'Terminal', driver: 'zvt', simulated: false, transport: 'tcp:127.0.0.1:20007' });
  const paths = new PathHealth();
  const snapshot = () => ({ devices: health.allDevices(), network: paths.network(), host: paths.host() });
  return { health, snapshot, metrics: createAgentMetrics(snapshot, '9.9.9') };
}

describe('a ZVT terminal in /api/v1/status', () => {
  it('shows the terminal fields, identity and the ZVT details', () => {
    const { health, snapshot } = setup();
    health.answered('pt-1', toReading({ ...observation, lockBits: 0x0040 }), identity, at, true);
    const [view] = statusDocument(snapshot(), at).devices;
    expect(view).toMatchObject({
      driver: 'zvt',
      connected: true,
      power: 'online',
      globalStatus: 'ok',
      printer: null,
      cardReader: 'fault',
      locked: false,
      loggedOn: true,
      tamper: false,
      outOfOrder: false,
      // The terminal sent its lock bits and no reconciliation lock: no end-of-day is due.
      settlementDue: false,
      lastSettlementAt: null,
      model: 'posdiag ZVT simulator',
      serial: '17FD1E3C',
      firmware: 'SIM-1.0.0',
      conditions: ['terminal.card_reader_fault'],
      swap: null,
      zvt: { terminalStatus: 0, lockBits: 0x0040, locks: ['card_reader_not_found'], terminalId: '52523535', cardInserted: false },
    });
  });

  it('shows nothing it no longer knows once the terminal is gone', () => {
    const { health, snapshot } = setup();
    health.answered('pt-1', toReading(observation), identity, at, true);
    health.linkDown('pt-1', 'connection refused', at);
    const [view] = statusDocument(snapshot(), at).devices;
    expect(view).toMatchObject({ connected: false, cardReader: null, locked: null, loggedOn: null, tamper: null, outOfOrder: null, zvt: null });
    expect(view?.serial).toBe('17FD1E3C');
  });
});

describe('a ZVT terminal in /metrics', () => {
  it('exports its states and flags in the style of the printer ones', async () => {
    const { health, metrics } = setup();
    health.answered('pt-1', toReading({ ...observation, terminalStatus: 0xdf, lockBits: 0x0800 }), identity, at, true);
    const text = await metrics.text();
    expect(text).toContain('posdiag_terminal_card_reader{device="pt-1",card_reader="ok"} 1');
    expect(text).toContain('posdiag_terminal_card_reader{device="pt-1",card_reader="fault"} 0');
    expect(text).toContain('posdiag_device_global_status{device="pt-1",global_status="maintenance"} 1');
    expect(text).toContain('posdiag_terminal_out_of_order{device="pt-1"} 1');
    expect(text).toContain('posdiag_terminal_locked{device="pt-1"} 1');
    expect(text).toContain('posdiag_terminal_logged_on{device="pt-1"} 1');
    expect(text).toContain('posdiag_terminal_tamper{device="pt-1"} 0');
    expect(text).toContain('posdiag_terminal_card_inserted{device="pt-1"} 0');
    expect(text).toContain('posdiag_alert_active{condition="terminal.out_of_order",device="pt-1",target="",severity="critical"} 1');
    // A printer-only state set has no series for a terminal.
    expect(text).not.toMatch(/posdiag_printer_status\{device="pt-1"/);
  });

  it('exports the settlement due flag and the last settlement time', async () => {
    const { health, metrics } = setup();
    const settled = at.getTime() - 30 * 3_600_000;
    health.answered('pt-1', toReading({ ...observation, lastSettlementAt: settled }), identity, at, true);
    const text = await metrics.text();
    expect(text).toContain('posdiag_terminal_settlement_due{device="pt-1"} 1');
    expect(text).toContain(`posdiag_terminal_last_settlement_timestamp_seconds{device="pt-1"} ${settled / 1000}`);
  });
});
