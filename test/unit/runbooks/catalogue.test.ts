import { describe, expect, it } from 'vitest';
import { deviceConditions } from '../../../src/health/conditions.js';
import type { NetworkConditionId } from '../../../src/probes/types.js';
import { callKit, locales, runbookFor, runbooks } from '../../../src/runbooks/catalogue.js';

// Every network condition the verdict can produce. A Record over the union type: a new id in
// src/probes/types.ts that is missing here fails the type-check, and then this test.
const networkIds: Record<NetworkConditionId, true> = {
  'network.link_down': true,
  'network.gateway_unreachable': true,
  'network.dns_failure': true,
  'network.acquirer_unreachable': true,
  'network.degraded': true,
  'network.tls_problem': true,
};

const raisedIds = [
  ...deviceConditions.map((c) => c.id),
  ...Object.keys(networkIds),
  'host.resources',
  // The ZVT terminal conditions and the swap check, named here too so that a renamed row in
  // src/health/conditions.ts cannot silently drop one from this list.
  'terminal.card_reader_fault',
  'terminal.locked',
  'terminal.not_logged_on',
  'terminal.settlement_overdue',
  'terminal.settlement_reminder',
  'terminal.tamper',
  'device.swapped',
];

const cjk = /[\u4e00-\u9fff]/;

describe('runbook catalogue', () => {
  it.each([...new Set(raisedIds)])('%s has a title and ordered steps in English and Simplified Chinese', (id) => {
    const runbook = runbookFor(id);
    expect(runbook, `no runbook for ${id}`).toBeDefined();
    for (const locale of locales) {
      expect(runbook!.title[locale].trim()).not.toBe('');
      expect(runbook!.steps[locale].length).toBeGreaterThan(0);
      for (const step of runbook!.steps[locale]) expect(step.trim()).not.toBe('');
    }
    // Same number of steps: the two languages describe the same procedure.
    expect(runbook!.steps['zh-CN'].length).toBe(runbook!.steps.en.length);
    expect(runbook!.steps['zh-CN'].join('')).toMatch(cjk);
    expect(runbook!.title['zh-CN']).toMatch(cjk);
  });

  it('has one entry per id, and call-kit lists for every component in both languages', () => {
    const ids = runbooks.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const runbook of runbooks) {
      expect(callKit[runbook.component].en.length).toBeGreaterThan(0);
      expect(callKit[runbook.component]['zh-CN'].length).toBe(callKit[runbook.component].en.length);
      expect(runbook.prepare?.['zh-CN'].length ?? 0).toBe(runbook.prepare?.en.length ?? 0);
    }
  });

  it('never tells anyone to open a payment terminal', () => {
    for (const runbook of runbooks.filter((r) => r.component === 'terminal')) {
      for (const step of runbook.steps.en) {
        if (/\bopen\b/i.test(step)) expect(step).toMatch(/do not open|not open/i);
      }
    }
  });
});
