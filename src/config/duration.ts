/**
 * Durations in the config are text with a unit (`500ms`, `10s`, `5m`, `24h`, `1h30m`), the way
 * Go's time.ParseDuration and Prometheus write them, so `timeout: 5` can never be read as five
 * milliseconds by one person and five seconds by another. Everything past the config loader
 * works in whole milliseconds.
 *
 * Rules, chosen to catch typos rather than to be clever:
 * - units are ms, s, m, h, lower case;
 * - parts go from the largest unit to the smallest, each unit at most once (`1h30m`, not `30m1h`);
 * - a part may have a decimal fraction (`1.5s`, `0.25h`) as long as the total is a whole number
 *   of milliseconds (`1.5ms` is refused);
 * - no sign, no spaces.
 */

import { quote } from './quote.js';

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNITS_LARGEST_FIRST: readonly Unit[] = ['h', 'm', 's', 'ms'];

/**
 * The accepted syntax, also published as the JSON Schema `pattern`. The lookahead demands at
 * least one part; `m(?!s)` keeps `5ms` from being read as five minutes and a stray `s`.
 */
export const DURATION_PATTERN =
  /^(?=\d)(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

/** Parses `1h30m` → 5400000. The reason on failure is a sentence fragment for "…: <reason>". */
export function parseDuration(text: string): DurationResult {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return { ok: false, reason: explainBadDuration(text) };
  let ms = 0;
  for (const [index, unit] of UNITS_LARGEST_FIRST.entries()) {
    const amount = match[index + 1];
    if (amount === undefined) continue;
    const partMs = decimalTimes(amount, UNIT_MS[unit]);
    if (partMs === null) {
      return { ok: false, reason: `is finer than a millisecond (got ${quote(text)}); durations count whole milliseconds` };
    }
    ms += partMs;
  }
  if (!Number.isSafeInteger(ms)) return { ok: false, reason: `is too long (got ${quote(text)})` };
  return { ok: true, ms };
}

/** 5400000 → `1h30m`, 1500 → `1s500ms`, 0 → `0ms`. The inverse of parseDuration for whole ms. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) return `${ms}ms`;
  if (ms === 0) return '0ms';
  let rest = ms;
  let text = '';
  for (const unit of UNITS_LARGEST_FIRST) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * UNIT_MS[unit];
  }
  return text;
}

/**
 * `amount` (digits with an optional fraction) × `unitMs`, computed on integers so that `1.1s`
 * is exactly 1100 and not 1100.0000000000002. Null when the result is not a whole number.
 */
function decimalTimes(amount: string, unitMs: number): number | null {
  const [whole = '0', fraction = ''] = amount.split('.');
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) * BigInt(unitMs);
  if (scaled % scale !== 0n) return null;
  return Number(scaled / scale);
}

/** Says what is wrong with text that does not match DURATION_PATTERN. */
function explainBadDuration(text: string): string {
  const example = 'such as 500ms, 10s, 5m or 1h30m';
  if (text.trim() === '') return `is empty; write a duration ${example}`;
  if (/\s/.test(text)) return `must not contain spaces (got ${quote(text)})`;
  if (text.startsWith('-')) return `must not be negative (got ${quote(text)})`;
  if (/^\d+(\.\d+)?$/.test(text)) return missingUnit(text);

  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([a-zA-Z]*)/g)];
  const coversAll = parts.map((p) => p[0]).join('') === text;
  if (!coversAll) return `must be a duration ${example} (got ${quote(text)})`;

  let previous = -1;
  for (const [, amount, unit] of parts) {
    if (unit === '') return `${quote(text)} ends in a number without a unit; add one after ${amount} (ms, s, m or h)`;
    const rank = UNITS_LARGEST_FIRST.indexOf(unit as Unit);
    if (rank === -1) return `has an unknown unit '${unit}' in ${quote(text)}; use ms, s, m or h`;
    if (rank <= previous) return `must list units from largest to smallest, each once, like 1h30m (got ${quote(text)})`;
    previous = rank;
  }
  return `must be a duration ${example} (got ${quote(text)})`;
}

/** For `1000` written as text or as a bare YAML number. */
export function missingUnit(amount: string | number): string {
  return `has no unit (got ${amount}); write it with one, e.g. ${amount}ms or ${amount}s`;
}
