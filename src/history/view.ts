import type { HistorySnapshot } from './recorder.js';
import type { SubjectState } from './state.js';

/**
 * The history as the page draws it: per subject, the state timeline as segments and the latency
 * as points, positioned as fractions (0 = start of the window, 1 = now), so the page only scales
 * them to its SVG. Pure: tested without a browser.
 */
export interface HistoryView {
  from: string;
  to: string;
  subjects: SubjectHistoryView[];
}

export interface SubjectHistoryView {
  subject: string;
  segments: Array<{ state: SubjectState; from: string; to: string; x0: number; x1: number }>;
  latency: {
    /** The top of the chart's scale: the largest average, rounded up to a readable value. */
    scaleMs: number;
    /** One per bucket: `x` its start, `w` its width (fractions of the window). */
    points: Array<{ at: string; x: number; w: number; avgMs: number; maxMs: number; failures: number }>;
  };
}

/**
 * `notBefore` (the agent's start) narrows the window while the agent has run for less than its
 * length: a chart of 24 hours with the last three minutes drawn in it shows nothing.
 */
export function historyView(snapshot: HistorySnapshot, notBefore?: string): HistoryView {
  const from = Math.max(Date.parse(snapshot.from), notBefore ? Date.parse(notBefore) : -Infinity);
  const to = Date.parse(snapshot.to);
  const span = Math.max(1, to - from);
  const x = (t: number) => clamp((t - from) / span);
  const subjects = Object.entries(snapshot.subjects).map(([subject, history]) => {
    const segments = history.changes.map((change, i) => {
      const start = Math.max(from, Date.parse(change.at));
      const next = history.changes[i + 1];
      const end = next ? Date.parse(next.at) : to;
      return { state: change.state, from: new Date(start).toISOString(), to: new Date(end).toISOString(), x0: x(start), x1: x(end) };
    });
    const points = history.latency
      .filter((b) => Date.parse(b.at) >= from - 60_000)
      .map((b) => {
        const start = x(Date.parse(b.at));
        return { at: b.at, x: start, w: clamp(x(Date.parse(b.at) + snapshot.bucketMs) - start), avgMs: b.avgMs, maxMs: b.maxMs, failures: b.failures };
      });
    const largest = Math.max(0, ...points.filter((p) => p.avgMs > 0).map((p) => p.avgMs));
    return { subject, segments: segments.filter((s) => s.x1 > s.x0 || segments.length === 1), latency: { scaleMs: niceCeiling(largest), points } };
  });
  return { from: new Date(from).toISOString(), to: snapshot.to, subjects };
}

/** 1, 2 or 5 times a power of ten, at least 1 ms: axis labels a person reads at a glance. */
export function niceCeiling(ms: number): number {
  if (ms <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(ms));
  for (const step of [1, 2, 5, 10]) if (ms <= step * power) return step * power;
  return 10 * power;
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, Math.round(value * 10_000) / 10_000));
}
