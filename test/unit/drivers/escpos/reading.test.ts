import { describe, expect, it } from 'vitest';
import { decodeAsb } from '../../../../drivers/escpos/codec.js';
import { asbToReading, readingFromEotBytes } from '../../../../drivers/escpos/reading.js';

const value = <T>(d: { ok: true; value: T } | { ok: false }): T => {
  if (!d.ok) throw new Error('expected a valid decode');
  return d.value;
};

describe('status to DeviceReading', () => {
  const reading = (b1: number, b2: number, b3: number, b4: number) => value(readingFromEotBytes(b1, b2, b3, b4));

  it('maps all OK to online / ok with the terminal-only fields null', () => {
    expect(reading(0x12, 0x12, 0x12, 0x12)).toEqual({
      power: 'online',
      globalStatus: 'ok',
      printer: {
        status: 'ok',
        coverOpen: false,
        offline: false,
        paperLow: false,
        paperOut: false,
        cutterError: false,
        unrecoverableError: false,
        autoRecoverableError: false,
        drawerPin3High: false,
      },
      cardReader: null,
      locked: null,
      loggedOn: null,
      tamper: null,
      lastSettlementAt: null,
      outOfOrder: null,
      settlementDue: null,
    });
  });

  it('reports the raw drawer pin 3 level (idle Epson 0x16)', () => {
    expect(reading(0x16, 0x12, 0x12, 0x12).printer?.drawerPin3High).toBe(true);
  });

  it('maps paper out (1A 32 12 72) to offline / maintenance / no_paper', () => {
    expect(reading(0x1a, 0x32, 0x12, 0x72)).toMatchObject({
      power: 'offline',
      globalStatus: 'maintenance',
      printer: { status: 'no_paper', paperOut: true, paperLow: false, offline: true },
    });
  });

  it('treats a paper-end stop in DLE EOT 2 as paper out even without the end sensor (ESC c 4 near-end stop)', () => {
    expect(reading(0x1a, 0x32, 0x12, 0x1e).printer).toMatchObject({ status: 'no_paper', paperOut: true, paperLow: true });
  });

  it('keeps a printer with paper near end online and ok globally', () => {
    expect(reading(0x12, 0x12, 0x12, 0x1e)).toMatchObject({ power: 'online', globalStatus: 'ok', printer: { status: 'paper_low' } });
  });

  it('maps a cover open to offline / maintenance with status ok and coverOpen set', () => {
    expect(reading(0x1a, 0x16, 0x12, 0x12)).toMatchObject({
      power: 'offline',
      globalStatus: 'maintenance',
      printer: { status: 'ok', coverOpen: true },
    });
  });

  it.each([
    ['unrecoverable beats everything', [0x1a, 0x72, 0x3a, 0x7e], 'out_of_order'],
    ['cutter error beats paper out', [0x1a, 0x72, 0x1a, 0x7e], 'paper_jam'],
    ['paper out beats near end', [0x1a, 0x32, 0x12, 0x7e], 'no_paper'],
    ['overheat alone leaves the status ok', [0x1a, 0x52, 0x52, 0x12], 'ok'],
  ])('status priority: %s', (_name, [b1 = 0, b2 = 0, b3 = 0, b4 = 0], status) => {
    expect(reading(b1, b2, b3, b4).printer?.status).toBe(status);
  });

  it('returns the first invalid byte as an error', () => {
    const result = readingFromEotBytes(0x12, 0x12, 0x81, 0x12);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('DLE EOT 3');
  });

  it('maps ASB messages the same way', () => {
    expect(asbToReading(value(decodeAsb(Uint8Array.of(0x14, 0, 0, 0))))).toMatchObject({
      power: 'online',
      globalStatus: 'ok',
      printer: { status: 'ok', drawerPin3High: true },
    });
    expect(asbToReading(value(decodeAsb(Uint8Array.of(0x38, 0x00, 0x0f, 0x00))))).toMatchObject({
      power: 'offline',
      globalStatus: 'maintenance',
      printer: { status: 'no_paper', coverOpen: true, paperLow: true, paperOut: true },
    });
    expect(asbToReading(value(decodeAsb(Uint8Array.of(0x18, 0x28, 0x00, 0x00)))).printer).toMatchObject({
      status: 'out_of_order',
      cutterError: true,
      unrecoverableError: true,
    });
  });
});
