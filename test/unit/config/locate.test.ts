import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { locate, type LocateOptions } from '../../../src/config/locate.js';

const TEXT = `http:
  listen: 127.0.0.1:9137
devices:
  - id: printer-1
    transport:
      type: serial
      baudRate: 9601
  - { id: printer-2, transport: { type: tcp, port: 0 } }
defaults: &defaults
  pollInterval: 1s
alias: *defaults
empty:
`;

function at(path: PropertyKey[], options?: LocateOptions) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(TEXT, { lineCounter });
  return locate(doc, lineCounter, path, options);
}

describe('locate', () => {
  it.each([
    ['a value', ['http', 'listen'], { line: 2, column: 11 }],
    ['a nested value', ['devices', 0, 'transport', 'baudRate'], { line: 7, column: 17 }],
    ['a list item', ['devices', 1], { line: 8, column: 5 }],
    ['a value in a flow mapping', ['devices', 1, 'transport', 'port'], { line: 8, column: 52 }],
    ['a section, at its first key', ['devices', 0, 'transport'], { line: 6, column: 7 }],
    ['a missing key, at the key that should hold it', ['devices', 0, 'transport', 'path'], { line: 5, column: 5 }],
    ['a missing key in a list item, at the item', ['devices', 1, 'driver'], { line: 8, column: 5 }],
    ['a missing list item, at the list', ['devices', 5, 'id'], { line: 3, column: 1 }],
    ['a key with no value, at the key', ['empty'], { line: 12, column: 1 }],
    ['through an alias, at the anchored value', ['alias', 'pollInterval'], { line: 10, column: 17 }],
    ['the whole file', [], { line: 1, column: 1 }],
  ])('%s', (_, path, position) => {
    expect(at(path)).toEqual(position);
  });

  it('points at the key itself when asked (unknown keys)', () => {
    expect(at(['devices', 0, 'transport', 'baudRate'], { atKey: true })).toEqual({ line: 7, column: 7 });
  });

  it('has no position in an empty document', () => {
    const lineCounter = new LineCounter();
    expect(locate(parseDocument('', { lineCounter }), lineCounter, ['http'])).toBeNull();
  });
});
