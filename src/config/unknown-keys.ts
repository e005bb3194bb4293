/**
 * Unknown keys, found by walking the document alongside the JSON Schema (the published input
 * side of the zod schema). This runs apart from zod on purpose: zod stops looking inside a
 * device once its `driver` is unknown, but a typo like `pollIntervall` in that same device must
 * still be reported. Where the schema offers alternatives (a transport by `type`, a device by
 * `driver`), the alternatives whose discriminator matches the value apply; when none matches,
 * the keys of all of them are allowed, so only keys that fit no alternative are reported.
 */
import type { ConfigProblem } from './errors.js';
import { closest } from './suggest.js';

export interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: boolean | JsonSchemaNode;
  items?: JsonSchemaNode;
  oneOf?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
  const?: unknown;
}

export function findUnknownKeys(schema: JsonSchemaNode, document: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  walk([schema], document, [], problems);
  return problems;
}

function walk(schemas: JsonSchemaNode[], value: unknown, path: PropertyKey[], problems: ConfigProblem[]): void {
  const nodes = schemas.flatMap((schema) => alternatives(schema, value));
  if (Array.isArray(value)) {
    const itemSchemas = nodes.flatMap((node) => (node.items ? [node.items] : []));
    value.forEach((item: unknown, index) => walk(itemSchemas, item, [...path, index], problems));
    return;
  }
  if (value === null || typeof value !== 'object') return;

  const objectSchemas = nodes.filter((node) => node.properties !== undefined || node.additionalProperties !== undefined);
  if (objectSchemas.length === 0) return;
  const closed = objectSchemas.every((node) => node.additionalProperties === false);
  const allowed = [...new Set(objectSchemas.flatMap((node) => Object.keys(node.properties ?? {})))];
  for (const [key, child] of Object.entries(value)) {
    if (!allowed.includes(key)) {
      if (closed) problems.push({ path: [...path, key], message: unknownKeyMessage(key, allowed), atKey: true });
      continue;
    }
    const childSchemas = objectSchemas.flatMap((node) => {
      const property = node.properties?.[key];
      return property ? [property] : [];
    });
    walk(childSchemas, child, [...path, key], problems);
  }
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closest(key, allowed);
  if (suggestion !== null) return `unknown key; did you mean ${suggestion}?`;
  return allowed.length > 0 ? `unknown key; allowed here: ${allowed.join(', ')}` : 'unknown key; nothing is allowed here';
}

function alternatives(node: JsonSchemaNode, value: unknown): JsonSchemaNode[] {
  if (node.allOf) return node.allOf.flatMap((part) => alternatives(part, value));
  const options = node.oneOf ?? node.anyOf;
  if (!options) return [node];
  const expanded = options.flatMap((option) => alternatives(option, value));
  const matching = expanded.filter((option) => discriminatorMatches(option, value));
  return matching.length > 0 ? matching : expanded;
}

/** True when the option has `const` properties and the value has every one of them. */
function discriminatorMatches(option: JsonSchemaNode, value: unknown): boolean {
  const consts = Object.entries(option.properties ?? {}).filter(([, property]) => 'const' in property);
  if (consts.length === 0 || value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return consts.every(([key, property]) => record[key] === property.const);
}
