/**
 * Duplicate ids and names. Runs on the document as written (before zod), so it reports a
 * repeated id even when the entries have other problems; entries without a usable key are
 * skipped here and reported by the schema.
 */
import { type ConfigProblem, formatKeyPath } from './errors.js';

export interface UniqueKey {
  /** Path of the list, e.g. ['network', 'targets']. */
  readonly list: readonly string[];
  /** The key that must differ between entries, e.g. 'name'. */
  readonly key: string;
}

export function findDuplicates(document: unknown, rules: readonly UniqueKey[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { list, key } of rules) {
    let entries: unknown = document;
    for (const segment of list) entries = (entries as Record<string, unknown> | null | undefined)?.[segment];
    if (!Array.isArray(entries)) continue;
    const firstIndex = new Map<string, number>();
    entries.forEach((entry: unknown, index) => {
      const value = (entry as Record<string, unknown> | null | undefined)?.[key];
      if (typeof value !== 'string') return;
      const first = firstIndex.get(value);
      if (first === undefined) {
        firstIndex.set(value, index);
        return;
      }
      problems.push({
        path: [...list, index, key],
        message: `'${value}' is already used by ${formatKeyPath([...list, first])}; each ${key} must be unique`,
      });
    });
  }
  return problems;
}
