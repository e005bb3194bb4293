/**
 * Plain-English messages for zod's issues, written for a shop technician reading
 * `posdiag.yaml:12 devices[0].transport.baudRate: <message>`. The key path is already printed
 * before the message, so messages start with the verb ("must be …", "is required") and end with
 * what was found ("(got 9601)"). Field-specific wording (durations, hosts, ids, the driver) lives
 * with the field's schema in fields.ts; this map covers everything else.
 */
import type { z } from 'zod';
import { quote } from './quote.js';
import { closest } from './suggest.js';

type RawIssue = z.core.$ZodRawIssue;

/** How a value from the file is shown after "got". */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a section of settings';
  return String(value);
}

/** "a, b or c" (or "a, b and c") */
export function orList(values: readonly unknown[], conjunction: 'or' | 'and' = 'or'): string {
  const shown = values.map((value) => String(value));
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown.at(-1)}`;
}

/** "; did you mean X?" when a string is a near miss of one of the allowed values. */
export function didYouMean(input: unknown, allowed: readonly unknown[]): string {
  if (typeof input !== 'string') return '';
  const suggestion = closest(input, allowed.map(String));
  return suggestion === null ? '' : `; did you mean ${suggestion}?`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a section of settings (key: value lines)',
  record: 'a section of settings (key: value lines)',
  array: "a list (lines starting with '- ')",
};

/** The zod error map used for every config parse. */
export function configErrorMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      if (issue.input === null) return 'has no value; fill it in or remove the line';
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      return `must be ${expected} (got ${describeValue(issue.input)})`;
    }
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? '' : 'one of '}${orList(issue.values)} (got ${describeValue(issue.input)})${didYouMean(issue.input, issue.values)}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1 && issue.inclusive !== false) return 'must not be empty';
      return `must be ${bound(issue.origin, issue.minimum, issue.inclusive, 'at least', 'more than')} (got ${amount(issue.origin, issue.input)})`;
    case 'too_big':
      return `must be ${bound(issue.origin, issue.maximum, issue.inclusive, 'at most', 'less than')} (got ${amount(issue.origin, issue.input)})`;
    case 'invalid_union': {
      // A discriminated union (`type:` of a transport) that found no member for the value.
      const options = (issue as { options?: readonly unknown[] }).options;
      if (issue.discriminator !== undefined && options !== undefined) {
        const found = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
        if (found === undefined) return `is required: one of ${orList(options)}`;
        return `must be one of ${orList(options)} (got ${describeValue(found)})${didYouMean(found, options)}`;
      }
      return `does not match any of the allowed forms (got ${describeValue(issue.input)})`;
    }
    case 'invalid_format':
      return `has the wrong format (got ${describeValue(issue.input)})`;
    case 'unrecognized_keys':
      // Normally reported, one per key and with suggestions, by unknown-keys.ts instead.
      return 'unknown key';
    default:
      return undefined;
  }
}

function bound(origin: string, limit: number | bigint, inclusive: boolean | undefined, inclusiveWord: string, exclusiveWord: string): string {
  const word = inclusive === false ? exclusiveWord : inclusiveWord;
  switch (origin) {
    case 'string':
      return `${word} ${limit} characters long`;
    case 'array':
      return `${word} ${limit} entries long`;
    default:
      return `${word} ${limit}`;
  }
}

function amount(origin: string, input: unknown): string {
  if (origin === 'string' && typeof input === 'string') return `${input.length} characters`;
  if (origin === 'array' && Array.isArray(input)) return `${input.length} entries`;
  return describeValue(input);
}
