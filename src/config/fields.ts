/**
 * Building blocks shared by the config sections: durations, host names, listen addresses,
 * ports and names. Each carries its own error wording, so a message says what the rule is
 * ("host must be a host name or IP address; '-f' starts with '-'") instead of quoting a regex.
 */
import { z } from 'zod';
import { DURATION_PATTERN, formatDuration, missingUnit, parseDuration } from './duration.js';
import { explainHost, HOST_PATTERN, LISTEN_PATTERN, parseListenAddress } from './host.js';
import { describeValue, orList } from './messages.js';
import { quote } from './quote.js';

const DAY_MS = 86_400_000;

export interface DurationBounds {
  /** Smallest allowed value in milliseconds. */
  minMs: number;
  /**
   * Largest allowed value in milliseconds; 24h unless said otherwise. Nothing in posdiag waits
   * longer, and it keeps every value far below setTimeout's limit (2^31-1 ms, about 24.8 days),
   * past which Node fires the timer after 1 ms instead.
   */
  maxMs?: number;
}

/**
 * A duration written with a unit (`500ms`, `10s`, `1h30m`), parsed to whole milliseconds.
 * `defaultText` is written the way a user would write it, and is parsed like user input.
 */
export function duration(defaultText: string, { minMs, maxMs = DAY_MS }: DurationBounds) {
  return z
    .string({
      error: (issue) => {
        if (typeof issue.input === 'number') return missingUnit(issue.input);
        if (issue.input === null) return 'has no value; write a duration such as 500ms, 10s or 5m, or remove the line';
        return `must be a duration such as 500ms, 10s or 5m (got ${describeValue(issue.input)})`;
      },
    })
    .regex(DURATION_PATTERN, {
      error: (issue) => {
        const result = parseDuration(String(issue.input));
        return result.ok ? undefined : result.reason;
      },
    })
    .transform((text, ctx) => {
      const result = parseDuration(text);
      if (!result.ok) {
        ctx.issues.push({ code: 'custom', message: result.reason, input: text });
        return z.NEVER;
      }
      if (result.ms < minMs) {
        ctx.issues.push({ code: 'custom', message: `must be at least ${formatDuration(minMs)} (got ${text})`, input: text });
      } else if (result.ms > maxMs) {
        ctx.issues.push({ code: 'custom', message: `must be at most ${formatDuration(maxMs)} (got ${text})`, input: text });
      }
      return result.ms;
    })
    .prefault(defaultText);
}

/** A host name or an IP literal; never something `ping` could take for an option. */
export function host() {
  const explain = (issue: { input?: unknown }) => explainHost(String(issue.input)) ?? undefined;
  return z
    .string()
    .regex(HOST_PATTERN, { error: explain, abort: true })
    .refine((text) => explainHost(text) === null, { error: explain });
}

/** `host:port` or `[ipv6]:port`, parsed to { host, port }. */
export function listenAddress({ allowPortZero = false } = {}) {
  const explain = (issue: { input?: unknown }) => {
    const result = parseListenAddress(String(issue.input), { allowPortZero });
    return result.ok ? undefined : result.reason;
  };
  return z
    .string({
      // `listen: 9137` is a YAML number: say what is missing rather than "must be text".
      error: (issue) => (typeof issue.input === 'number' ? explain({ input: String(issue.input) }) : undefined),
    })
    .regex(LISTEN_PATTERN, { error: explain })
    .transform((text, ctx) => {
      const result = parseListenAddress(text, { allowPortZero });
      if (result.ok) return result.address;
      ctx.issues.push({ code: 'custom', message: result.reason, input: text });
      return z.NEVER;
    });
}

/** A TCP port, 1 to 65535. */
export function port() {
  return z.int({ error: (issue) => portMessage(issue.input) }).min(1, { error: (issue) => portMessage(issue.input) }).max(65535, {
    error: (issue) => portMessage(issue.input),
  });
}

function portMessage(input: unknown): string | undefined {
  if (input === undefined) return undefined;
  return `must be a port number from 1 to 65535 (got ${describeValue(input)})`;
}

/**
 * An identifier such as a device id or a target name: lower case letters, digits and the
 * given punctuation, 1 to 64 characters. It appears in URLs, metric labels and file names.
 */
export function identifier(punctuation: readonly string[]) {
  // '-' goes last in the class so it needs no escape: JSON Schema validators compile patterns
  // with the u flag, where needless escapes such as \_ are syntax errors.
  const classChars = `${punctuation.filter((char) => char !== '-').join('')}${punctuation.includes('-') ? '-' : ''}`;
  const pattern = new RegExp(`^[a-z0-9${classChars}]{1,64}$`);
  const allowed = orList(['a-z', '0-9', ...punctuation.map((char) => `'${char}'`)], 'and');
  return z.string().regex(pattern, {
    error: (issue) => {
      const text = String(issue.input);
      if (text === '') return 'must not be empty';
      if (text.length > 64) return `must be at most 64 characters long (got ${text.length})`;
      const bad = [...new Set([...text].filter((char) => !pattern.test(char)))];
      const upper = bad.some((char) => char !== char.toLowerCase()) ? ' (use lower case letters)' : '';
      const named = bad.map((char) => (char === ' ' ? 'a space' : quote(char)));
      return `may only contain ${allowed}; ${quote(text)} contains ${orList(named, 'and')}${upper}`;
    },
  });
}
