/**
 * Which strings may be handed to a probe (and so to the `ping` command line) as a host.
 *
 * `ping` takes its target as the last argv word; a word starting with `-` is read as an option
 * (`-f` floods as root). So a host is a literal IPv4/IPv6 address or a host name made of letters,
 * digits, `-` and `.` only, and never starts with `-`. The config module and the ICMP layer both
 * call this, so a bad host is refused with the same words everywhere.
 */
import { isIPv4, isIPv6 } from 'node:net';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Returns null for an acceptable host, or the reason it is refused. */
export function validateProbeHost(host: unknown): string | null {
  if (typeof host !== 'string') return `host must be a string, got ${typeof host}`;
  const shown = JSON.stringify(host);
  if (host.length === 0) return 'host is empty';
  if (host.startsWith('-')) {
    return `host ${shown} starts with "-": it would be read as a command-line option; use a host name or IP address`;
  }
  if (host.length > 253) return `host ${shown.slice(0, 40)}… is longer than 253 characters`;
  if (isIPv4(host)) return null;
  if (host.includes(':')) {
    if (host.includes('%')) return `host ${shown}: IPv6 zone ids are not supported`;
    return isIPv6(host) ? null : `host ${shown} is not a valid IPv6 address`;
  }
  if (!/^[A-Za-z0-9.-]+$/.test(host)) {
    return `host ${shown} may contain only letters, digits, "-" and "." (or be an IP address)`;
  }
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      return `host ${shown} has an invalid label ${JSON.stringify(label)} (1-63 letters, digits or "-", not starting or ending with "-")`;
    }
  }
  // inet_aton() reads "127.1" or "0x7f.1" as addresses; top-level domains are never numeric.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) {
    return `host ${shown} looks like an IPv4 address but is not a valid one`;
  }
  return null;
}

export class InvalidProbeHostError extends Error {
  readonly code = 'INVALID_PROBE_HOST';
  constructor(readonly host: unknown, reason: string) {
    super(reason);
    this.name = 'InvalidProbeHostError';
  }
}

/** Throws InvalidProbeHostError when validateProbeHost refuses the host. */
export function assertProbeHost(host: unknown): asserts host is string {
  const problem = validateProbeHost(host);
  if (problem !== null) throw new InvalidProbeHostError(host, problem);
}
