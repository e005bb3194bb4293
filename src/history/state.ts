import type { Overall } from '../health/overall.js';

/**
 * The four words the status page uses for anything it shows: working, needs attention (a
 * warning: act soon), fault (a critical condition: the shop cannot take payments or print), and
 * not known yet. Worst wins.
 */
export type SubjectState = 'ok' | 'attention' | 'fault' | 'unknown';

export function stateFromSeverities(severities: readonly string[], known: boolean): SubjectState {
  if (severities.includes('critical')) return 'fault';
  if (severities.length > 0) return 'attention';
  return known ? 'ok' : 'unknown';
}

export function stateFromOverall(overall: Overall): SubjectState {
  return ({ ok: 'ok', degraded: 'attention', down: 'fault', unknown: 'unknown' } as const)[overall];
}
