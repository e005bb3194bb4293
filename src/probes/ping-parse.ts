/**
 * Reads echo replies out of `ping` output without depending on its language.
 *
 * The runner forces LC_ALL=C where the OS honours it, but Windows prints in the UI language and
 * code page whatever the environment says, and a translated summary line ("packets transmitted")
 * is useless. What survives every translation and code page is ASCII punctuation and numbers:
 *
 *   iputils  64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.035 ms
 *   busybox  64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.050 ms
 *   macOS    64 bytes from 127.0.0.1: icmp_seq=0 ttl=64 time=0.054 ms
 *   Windows  Reply from 127.0.0.1: bytes=32 time<1ms TTL=128     (de: Zeit<1ms, zh: 时间<1ms)
 *
 * A reply line is a line with exactly one `=N ms` / `<N ms` token (summary lines such as
 * "Minimum = 0ms, Maximum = 0ms, Average = 0ms" have three; iputils' "rtt min/avg/max/mdev =
 * a/b/c/d ms" has a slash after the number). When the unit itself was garbled by a code page
 * (Russian "мс" read as UTF-8), a line with a `TTL=` token is still a reply and its RTT is the
 * last `=N` before the TTL. Lines marked "DUP!" are duplicates, not extra replies.
 */

export interface ParsedReply {
  /** RTT in ms; `time<1ms` reads as 1 (an upper bound). Null if the line carried no readable RTT. */
  rttMs: number | null;
}

const TOKEN = /([=<])\s*(\d+(?:[.,]\d+)?)(\s*(?:ms|мс|毫秒)(?![A-Za-z]))?/giu;
const TTL = /\bttl[=:]\s*\d+/i;

export function parsePingReplies(output: string): ParsedReply[] {
  const replies: ParsedReply[] = [];
  for (const line of output.split(/\r?\n/)) {
    if (line.includes('DUP!')) continue;
    const tokens = [...line.matchAll(TOKEN)].map((m) => ({
      index: m.index ?? 0,
      value: Number((m[2] ?? '').replace(',', '.')),
      timed: m[3] !== undefined,
    }));
    const timed = tokens.filter((t) => t.timed);
    if (timed.length === 1) {
      replies.push({ rttMs: timed[0]!.value });
      continue;
    }
    if (timed.length > 1) continue;
    const ttl = TTL.exec(line);
    if (ttl === null) continue;
    const before = tokens.filter((t) => t.index < ttl.index);
    const last = before[before.length - 1];
    replies.push({ rttMs: last === undefined ? null : last.value });
  }
  return replies;
}
