/**
 * config/config.schema.json, generated from the zod schema: the same defaults and descriptions,
 * for editors (VS Code's YAML extension reads `# yaml-language-server: $schema=…`) and for
 * anyone who wants to check a config without running posdiag. The input side is published:
 * durations are the strings users write, not the milliseconds the code reads.
 *
 * test/unit/config/json-schema.test.ts fails when the checked-in file is stale; run
 * `UPDATE_SCHEMA=1 npx vitest run test/unit/config/json-schema.test.ts` to rewrite it.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

export const GENERATED_NOTE =
  'Generated from src/config/*.ts; do not edit. Regenerate with: UPDATE_SCHEMA=1 npx vitest run test/unit/config/json-schema.test.ts';

let cached: Record<string, unknown> | undefined;

/** The schema object, shared: callers inside src/config only read it. */
export function sharedConfigJsonSchema(): Readonly<Record<string, unknown>> {
  if (cached === undefined) {
    const { $schema, ...rest } = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
    cached = { $schema, $comment: GENERATED_NOTE, ...rest };
  }
  return cached;
}

/** The JSON Schema of the config file, as written to config/config.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  return structuredClone(sharedConfigJsonSchema()) as Record<string, unknown>;
}
