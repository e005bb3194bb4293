import { describe, expect, it } from 'vitest';
import { parsePingReplies } from '../../../src/probes/ping-parse.js';

const rtts = (output: string) => parsePingReplies(output).map((r) => r.rttMs);

describe('parsePingReplies (language-independent)', () => {
  it('iputils, C locale, with the summary lines ignored', () => {
    const out = `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.358 ms
64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.041 ms

--- 127.0.0.1 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 1001ms
rtt min/avg/max/mdev = 0.041/0.199/0.358/0.158 ms
`;
    expect(rtts(out)).toEqual([0.358, 0.041]);
  });

  it('iputils with loss, unreachable notices and a duplicate', () => {
    const out = `PING 198.18.0.1 (198.18.0.1) 56(84) bytes of data.
From 198.18.0.2 icmp_seq=1 Destination Host Unreachable
64 bytes from 198.18.0.1: icmp_seq=2 ttl=64 time=1.20 ms
64 bytes from 198.18.0.1: icmp_seq=2 ttl=64 time=1.31 ms (DUP!)

--- 198.18.0.1 ping statistics ---
3 packets transmitted, 1 received, +1 duplicates, +1 errors, 66.6667% packet loss, time 2003ms
`;
    expect(rtts(out)).toEqual([1.2]);
  });

  it('busybox and macOS', () => {
    expect(rtts('64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.050 ms')).toEqual([0.05]);
    expect(
      rtts(`64 bytes from 127.0.0.1: icmp_seq=0 ttl=64 time=0.054 ms
round-trip min/avg/max/stddev = 0.054/0.054/0.054/0.000 ms`),
    ).toEqual([0.054]);
  });

  it('Windows in English, German, French, Chinese and Japanese', () => {
    const en = `Pinging 10.0.0.1 with 32 bytes of data:
Reply from 10.0.0.1: bytes=32 time=4ms TTL=64
Reply from 10.0.0.1: bytes=32 time<1ms TTL=64
Request timed out.
Reply from 10.0.0.9: Destination host unreachable.

Ping statistics for 10.0.0.1:
    Packets: Sent = 4, Received = 3, Lost = 1 (25% loss),
Approximate round trip times in milli-seconds:
    Minimum = 0ms, Maximum = 4ms, Average = 2ms`;
    expect(rtts(en)).toEqual([4, 1]);
    expect(rtts('Antwort von 10.0.0.1: Bytes=32 Zeit=12ms TTL=118\n    Minimum = 11ms, Maximum = 12ms, Mittelwert = 11ms')).toEqual([12]);
    expect(rtts('Réponse de 10.0.0.1 : octets=32 temps=7 ms TTL=118')).toEqual([7]);
    expect(rtts('来自 10.0.0.1 的回复: 字节=32 时间=15ms TTL=118\n    最短 = 15ms，最长 = 15ms，平均 = 15ms')).toEqual([15]);
    expect(rtts('10.0.0.1 からの応答: バイト数 =32 時間 <1ms TTL=118')).toEqual([1]);
  });

  it('Windows IPv6 replies carry no TTL and are still read', () => {
    expect(rtts('Reply from ::1: time<1ms')).toEqual([1]);
  });

  it('a Russian console read in the wrong code page: the unit is garbage, TTL= still marks the reply', () => {
    expect(rtts('\uFFFD\uFFFD\uFFFD\uFFFD 10.0.0.1: \uFFFD\uFFFD=32 \uFFFD\uFFFD\uFFFD=31\uFFFD\uFFFD TTL=56')).toEqual([31]);
    expect(rtts('Ответ от 10.0.0.1: число байт=32 время=31мс TTL=56')).toEqual([31]);
  });

  it('decimal commas', () => {
    expect(rtts('64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0,358 ms')).toEqual([0.358]);
  });

  it('nothing from error output', () => {
    expect(rtts('ping: socket: Operation not permitted')).toEqual([]);
    expect(rtts('ping: unknown host')).toEqual([]);
    expect(rtts('')).toEqual([]);
  });
});
