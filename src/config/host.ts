/**
 * Host names and listen addresses. A network target's host ends up as an argument to the
 * system `ping` (through the `ping` package), so it must never look like an option: the
 * pattern below only admits host names (RFC 1123 labels) and IP literals, which can start
 * with neither `-` nor white space. The explanations say which rule a value broke, because
 * "invalid host" does not help a technician who pasted `https://pay.example.com/`.
 */
import net from 'node:net';
import { quote } from './quote.js';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = `${LABEL}(?:\\.${LABEL})*`;
/** Coarse: checked properly with net.isIPv6. No zone ids (`%eth0`): acquirers are not link-local. */
const IPV6_ISH = '[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*';

/** A host name, an IPv4 address or an IPv6 address (without brackets). Also the JSON Schema pattern. */
export const HOST_PATTERN = new RegExp(`^(?:${HOSTNAME}|${IPV6_ISH})$`);
/** `host:port` or `[ipv6]:port`. Also the JSON Schema pattern. */
export const LISTEN_PATTERN = new RegExp(`^(?:${HOSTNAME}|\\[${IPV6_ISH}\\]):[0-9]{1,5}$`);

const HOST_RULE = 'host must be a host name or IP address';

/** Null when `text` is an acceptable host; otherwise why not, as "host must be …; <reason>". */
export function explainHost(text: string): string | null {
  const reason = hostProblem(text);
  return reason === null ? null : `${HOST_RULE}; ${reason}`;
}

function hostProblem(text: string): string | null {
  if (text === '') return 'it is empty';
  if (text.startsWith('-')) return `${quote(text)} starts with '-'`;
  if (text.includes(' ')) return `${quote(text)} contains a space`;
  if (/\s/.test(text)) return `${quote(text)} contains white space (a tab or line break)`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.includes('/')) {
    return `${quote(text)} looks like a URL; write only the name, e.g. pay.example.com`;
  }
  if (text.includes(':')) {
    if (net.isIPv6(text)) return null;
    if (/^[^:]+:\d+$/.test(text)) return `${quote(text)} includes a port; put the port in port:`;
    return `${quote(text)} is not a valid IPv6 address`;
  }
  const bad = /[^A-Za-z0-9.-]/.exec(text);
  if (bad) return `${quote(text)} contains ${quote(bad[0])}`;
  if (text.length > 253) return 'it is longer than 253 characters';
  const labels = text.split('.');
  if (labels.some((label) => label === '')) return `${quote(text)} has an empty part between dots`;
  if (labels.some((label) => label.length > 63)) return `${quote(text)} has a part longer than 63 characters`;
  if (labels.some((label) => label.startsWith('-') || label.endsWith('-'))) {
    return `${quote(text)} has a part that starts or ends with '-'`;
  }
  if (labels.every((label) => /^\d+$/.test(label)) && !net.isIPv4(text)) {
    return `${quote(text)} is not a valid IPv4 address`;
  }
  return HOST_PATTERN.test(text) ? null : `${quote(text)} is not a host name`;
}

export interface ListenAddress {
  /** Host name or IP address; IPv6 without brackets, as net.Server#listen wants it. */
  host: string;
  /** 0 lets the system pick a free port (tests). */
  port: number;
}

export type ListenResult = { ok: true; address: ListenAddress } | { ok: false; reason: string };

/** Parses `127.0.0.1:9137`, `[::1]:9137`, `localhost:9137`. */
export function parseListenAddress(text: string, { allowPortZero = false } = {}): ListenResult {
  const fail = (reason: string): ListenResult => ({ ok: false, reason });
  const example = 'e.g. 127.0.0.1:9137';
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2] ?? '';
    if (!net.isIPv6(host)) return fail(`${quote(`[${host}]`)} is not a valid IPv6 address`);
  } else {
    const colons = text.split(':').length - 1;
    if (colons === 0) {
      return /^\d+$/.test(text)
        ? fail(`needs a host before the port (got ${quote(text)}); ${example}`)
        : fail(`must be host:port, ${example} (got ${quote(text)})`);
    }
    if (colons > 1) return fail(`must put an IPv6 address in square brackets, e.g. [::1]:9137 (got ${quote(text)})`);
    [host = '', portText = ''] = text.split(':');
    const hostReason = explainHost(host);
    if (hostReason !== null) return fail(hostReason);
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  const lowest = allowPortZero ? 0 : 1;
  if (!(port >= lowest && port <= 65535)) {
    return fail(`port must be a number from ${lowest} to 65535 (got ${quote(portText)})`);
  }
  return { ok: true, address: { host, port } };
}

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = net.isIP(host);
  if (family === 4) return loopback.check(host, 'ipv4');
  if (family === 6) return loopback.check(host, 'ipv6');
  return false;
}

/** `[::1]:9137` for IPv6, `127.0.0.1:9137` otherwise. */
export function formatListenAddress({ host, port }: ListenAddress): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
