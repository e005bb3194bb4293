/**
 * Sizes in the config are text with a unit (`512KB`, `10MB`, `1GB`), like durations, so
 * `maxSize: 10` can never be read as bytes by one person and megabytes by another. Units are
 * powers of 1024, written the way people write them.
 */
import { z } from 'zod';
import { describeValue } from './messages.js';

const UNIT_BYTES = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;
export const SIZE_PATTERN = /^(\d+)(KB|MB|GB)$/;

/** `10MB` → 10485760, or null when the text is not a size. */
export function parseSize(text: string): number | null {
  const match = SIZE_PATTERN.exec(text);
  if (!match) return null;
  return Number(match[1]) * UNIT_BYTES[match[2] as keyof typeof UNIT_BYTES];
}

/** A size field with bounds in bytes; the value comes out in bytes. */
export function size(defaultText: string, { minBytes, maxBytes }: { minBytes: number; maxBytes: number }) {
  return z
    .string({ error: (issue) => `must be a size such as 512KB, 10MB or 1GB (got ${describeValue(issue.input)})` })
    .regex(SIZE_PATTERN, { error: (issue) => `must be a whole number with KB, MB or GB, such as 10MB (got ${describeValue(issue.input)})` })
    .transform((text, ctx) => {
      const bytes = parseSize(text) as number;
      if (bytes < minBytes || bytes > maxBytes) {
        ctx.issues.push({ code: 'custom', message: `must be between ${formatSize(minBytes)} and ${formatSize(maxBytes)} (got ${text})`, input: text });
      }
      return bytes;
    })
    .prefault(defaultText);
}

export function formatSize(bytes: number): string {
  for (const unit of ['GB', 'MB', 'KB'] as const) {
    if (bytes % UNIT_BYTES[unit] === 0) return `${bytes / UNIT_BYTES[unit]}${unit}`;
  }
  return `${bytes} bytes`;
}
