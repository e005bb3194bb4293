import { describe, expect, it } from 'vitest';
import { pingStreamArgs, readStreamLine } from '../../../src/probes/ping-stream.js';

describe('streaming ping output', () => {
  it('reads a reply, with its RTT', () => {
    expect(readStreamLine('64 bytes from 127.0.0.1: icmp_seq=7 ttl=64 time=0.045 ms')).toEqual({ seq: 7, echo: { replied: true, rttMs: 0.045 } });
  });

  it('reads "no answer yet" (iputils -O) and unreachable messages as lost echoes', () => {
    expect(readStreamLine('no answer yet for icmp_seq=3')).toEqual({ seq: 3, echo: { replied: false, rttMs: null } });
    expect(readStreamLine('From 198.18.0.2 icmp_seq=4 Destination Host Unreachable')).toEqual({ seq: 4, echo: { replied: false, rttMs: null } });
  });

  it('ignores the banner and blank lines', () => {
    expect(readStreamLine('PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.')).toBeNull();
    expect(readStreamLine('')).toBeNull();
  });

  it('builds argv with the address last, after --, and never under 200 ms spacing', () => {
    expect(pingStreamArgs('127.0.0.1', 3_333, 5_000)).toEqual(['-n', '-O', '-i', '3.333', '-W', '5', '-4', '--', '127.0.0.1']);
    expect(pingStreamArgs('::1', 50, 100)).toEqual(['-n', '-O', '-i', '0.200', '-W', '1', '-6', '--', '::1']);
  });
});
