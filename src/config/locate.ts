/**
 * Finds where a key path points in the YAML source, so that an error found on the parsed value
 * can name the line a technician has to change. A value that exists points at itself; a key
 * that is missing points at the nearest key above it that exists (`transport:` when its
 * `path:` is missing), which is where the missing line belongs.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export interface SourcePosition {
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export interface LocateOptions {
  /** Point at the key rather than its value (for unknown keys). */
  atKey?: boolean;
}

export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  { atKey = false }: LocateOptions = {},
): SourcePosition | null {
  let node: unknown = doc.contents;
  // Offsets of the deepest node found so far: where its key starts (or the item starts, in a
  // list) and where its value starts.
  let keyOffset: number | null = rangeStart(node);
  let valueOffset: number | null = keyOffset;
  let complete = true;

  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (pair === undefined) {
        complete = false;
        break;
      }
      keyOffset = rangeStart(pair.key) ?? keyOffset;
      // `key:` with nothing after it holds an empty null scalar placed after the colon; the key
      // is the better place to point at.
      valueOffset = isEmptyScalar(pair.value) ? keyOffset : (rangeStart(pair.value) ?? keyOffset);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      keyOffset = rangeStart(node) ?? keyOffset;
      valueOffset = keyOffset;
    } else {
      complete = false;
      break;
    }
  }

  const offset = complete && !atKey ? valueOffset : keyOffset;
  if (offset === null) return null;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.source === '';
}

function rangeStart(node: unknown): number | null {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : null;
}
