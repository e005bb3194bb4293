import { describe, expect, it } from 'vitest';
import { callKit } from '../../../src/runbooks/catalogue.js';
import { selectRunbooks } from '../../../src/runbooks/select.js';

const devices = [
  { id: 'printer-1', name: 'Counter printer', driver: 'escpos' },
  { id: 'terminal-1', name: 'Card terminal', driver: 'zvt' },
];
const alert = (id: string, condition: string, device: string | null, target: string | null, severity: string, since: string) => ({
  id,
  condition,
  device,
  target,
  severity,
  since,
});

describe('selectRunbooks', () => {
  it('puts critical before warning, then the oldest first', () => {
    const selected = selectRunbooks(
      [
        alert('printer-1/printer.paper_low', 'printer.paper_low', 'printer-1', null, 'warning', '2026-12-01T08:00:00Z'),
        alert('acquirer/network.acquirer_unreachable', 'network.acquirer_unreachable', null, 'acquirer', 'critical', '2026-12-01T09:00:00Z'),
        alert('terminal-1/terminal.locked', 'terminal.locked', 'terminal-1', null, 'critical', '2026-12-01T08:30:00Z'),
      ],
      devices,
    );
    expect(selected.map((s) => s.condition)).toEqual(['terminal.locked', 'network.acquirer_unreachable', 'printer.paper_low']);
    expect(selected[0]!.subject).toEqual({ kind: 'terminal', id: 'terminal-1', name: 'Card terminal' });
    expect(selected[1]!.subject).toEqual({ kind: 'network', id: 'acquirer', name: 'acquirer' });
    expect(selected[1]!.contact).toBe('internet_provider');
  });

  it('gives a generic device condition the call kit of the device it is about', () => {
    const [terminal, printer] = selectRunbooks(
      [
        alert('terminal-1/device.unreachable', 'device.unreachable', 'terminal-1', null, 'critical', '2026-12-01T08:00:00Z'),
        alert('printer-1/device.unreachable', 'device.unreachable', 'printer-1', null, 'critical', '2026-12-01T08:01:00Z'),
      ],
      devices,
    );
    expect(terminal!.prepare.en).toEqual(callKit.terminal.en);
    expect(printer!.prepare['zh-CN']).toEqual(callKit.printer['zh-CN']);
  });

  it('puts the condition\'s own items before the call kit', () => {
    const [settlement] = selectRunbooks(
      [alert('terminal-1/terminal.settlement_overdue', 'terminal.settlement_overdue', 'terminal-1', null, 'warning', '2026-12-01T08:00:00Z')],
      devices,
    );
    expect(settlement!.prepare.en[0]).toMatch(/batch number/);
    expect(settlement!.prepare.en.slice(1)).toEqual(callKit.terminal.en);
    expect(settlement!.contact).toBe('acquirer');
  });

  it('shows a generic runbook for an id it does not know, and says so', () => {
    const [unknown] = selectRunbooks([alert('printer-1/printer.on_fire', 'printer.on_fire', 'printer-1', null, 'critical', '2026-12-01T08:00:00Z')], devices);
    expect(unknown!.known).toBe(false);
    expect(unknown!.steps.en.at(-1)).toMatch(/service provider/);
    expect(unknown!.prepare.en).toEqual(callKit.printer.en);
  });

  it('maps host conditions to the host', () => {
    const [host] = selectRunbooks([alert('host/host.resources', 'host.resources', null, 'host', 'warning', '2026-12-01T08:00:00Z')], devices);
    expect(host!.subject.kind).toBe('host');
    expect(host!.prepare.en).toEqual(callKit.host.en);
  });
});
