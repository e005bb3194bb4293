/**
 * The BER-TLV data objects inside a ZVT TLV container (BMP 06) [ZVT PA00P015 §9.2–9.3].
 *
 * Tag: bits 8-7 class, bit 6 constructed, bits 5-1 number; 11111 in bits 5-1 means more tag bytes
 * follow, each with bit 8 set while yet another follows (1F 55, 1F 81 02). Tags are kept as the
 * number formed by their bytes, big-endian: 0x1F55, 0xE4.
 * Length: 00..7F direct, 81 nn, 82 hi lo (big-endian, unlike the APDU's extended length);
 * 80 and 83..FF are invalid here.
 */

export interface TlvObject {
  tag: number;
  value: Uint8Array;
  /** The objects inside a constructed tag (bit 6 of its first byte), or null (primitive, or unparsable). */
  children: TlvObject[] | null;
}

export type TlvInput = { tag: number; value: ArrayLike<number> } | { tag: number; children: TlvInput[] };

export type TlvResult = { ok: true; objects: TlvObject[] } | { ok: false; error: string; offset: number };

/** Deeper nesting than this is left undecoded (children: null); ZVT uses two levels. */
const maxDepth = 16;

export function isConstructedTag(tag: number): boolean {
  return (tagBytes(tag)[0]! & 0x20) !== 0;
}

/** The bytes of a tag number, most significant first (at least one byte). */
export function tagBytes(tag: number): number[] {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) throw new RangeError(`bad TLV tag ${tag}`);
  const out: number[] = [];
  let t = tag;
  do {
    out.unshift(t & 0xff);
    t = Math.floor(t / 256);
  } while (t > 0);
  return out;
}

export type BerLength = { ok: true; length: number; bytes: number } | { ok: false; error: string };

/** Reads a BER length at `offset` (the length field of BMP 06 uses the same form). */
export function readBerLength(bytes: Uint8Array, offset: number): BerLength {
  const first = bytes[offset];
  if (first === undefined) return { ok: false, error: 'length missing' };
  if (first < 0x80) return { ok: true, length: first, bytes: 1 };
  if (first === 0x81) {
    const b = bytes[offset + 1];
    return b === undefined ? { ok: false, error: 'length 81 truncated' } : { ok: true, length: b, bytes: 2 };
  }
  if (first === 0x82) {
    const hi = bytes[offset + 1];
    const lo = bytes[offset + 2];
    if (hi === undefined || lo === undefined) return { ok: false, error: 'length 82 truncated' };
    return { ok: true, length: (hi << 8) | lo, bytes: 3 };
  }
  return { ok: false, error: `length form ${first.toString(16).toUpperCase()} not allowed` };
}

export function encodeBerLength(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`TLV length ${n} out of range`);
  if (n < 0x80) return [n];
  if (n <= 0xff) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}

/** Decodes a sequence of TLV objects filling `bytes` completely. Never throws. */
export function decodeTlv(bytes: Uint8Array): TlvResult {
  return decodeLevel(bytes, 0);
}

function decodeLevel(bytes: Uint8Array, depth: number): TlvResult {
  const objects: TlvObject[] = [];
  let i = 0;
  while (i < bytes.length) {
    const at = i;
    let tag = bytes[i++]!;
    const first = tag;
    if ((first & 0x1f) === 0x1f) {
      let more = true;
      let extra = 0;
      while (more) {
        const b = bytes[i++];
        if (b === undefined) return { ok: false, error: 'tag truncated', offset: at };
        if (++extra > 3) return { ok: false, error: 'tag longer than 4 bytes', offset: at };
        tag = tag * 256 + b;
        more = (b & 0x80) !== 0;
      }
    }
    const len = readBerLength(bytes, i);
    if (!len.ok) return { ok: false, error: len.error, offset: i };
    i += len.bytes;
    if (i + len.length > bytes.length) {
      return { ok: false, error: `tag ${tag.toString(16).toUpperCase()} announces ${len.length} bytes, ${bytes.length - i} left`, offset: at };
    }
    const value = bytes.slice(i, i + len.length);
    i += len.length;
    let children: TlvObject[] | null = null;
    if ((first & 0x20) !== 0 && depth < maxDepth) {
      const inner = decodeLevel(value, depth + 1);
      children = inner.ok ? inner.objects : null;
    }
    objects.push({ tag, value, children });
  }
  return { ok: true, objects };
}

export function encodeTlv(objects: readonly TlvInput[]): Uint8Array {
  const out: number[] = [];
  for (const o of objects) {
    const value = 'children' in o ? encodeTlv(o.children) : Uint8Array.from(o.value);
    out.push(...tagBytes(o.tag), ...encodeBerLength(value.length));
    for (const b of value) out.push(b);
  }
  return Uint8Array.from(out);
}

/** First object with this tag, searching depth first through constructed objects. */
export function findTlv(objects: readonly TlvObject[] | null, tag: number): TlvObject | undefined {
  if (!objects) return undefined;
  for (const o of objects) {
    if (o.tag === tag) return o;
    const inner = findTlv(o.children, tag);
    if (inner) return inner;
  }
  return undefined;
}
