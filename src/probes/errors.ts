/**
 * Turns socket, resolver and TLS errors into a stable code and words a person can act on.
 * Branches on `error.code`, never on message text (which may be translated or reworded).
 */

const WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: the host answered but nothing listens on that port',
  ECONNRESET: 'connection reset by the other side',
  ETIMEDOUT: 'no answer in time',
  EHOSTUNREACH: 'host unreachable (no route, or no answer to ARP/neighbour discovery)',
  ENETUNREACH: 'network unreachable: no route to that network',
  EADDRNOTAVAIL: 'no local address to connect from',
  EPIPE: 'connection closed by the other side',
  ENOTFOUND: 'the name does not exist (NXDOMAIN)',
  ENODATA: 'the name exists but has no address records',
  EAI_AGAIN: 'the DNS server did not answer (temporary failure)',
  ETIMEOUT: 'the DNS server did not answer in time',
  ESERVFAIL: 'the DNS server failed to answer (SERVFAIL)',
  EREFUSED: 'the DNS server refused the query',
};

export interface DescribedError {
  code: string;
  reason: string;
}

function codeOf(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  return null;
}

/** `what` names the operation, e.g. "TCP connect to 192.0.2.1:443". */
export function describeError(error: unknown, what: string): DescribedError {
  const code = codeOf(error) ?? 'EUNKNOWN';
  const words = WORDS[code] ?? (error instanceof Error ? error.message : String(error));
  if (code === 'ETIMEDOUT' && error instanceof Error && /within \d+ ms/.test(error.message)) {
    return { code, reason: `${what}: ${error.message}` };
  }
  return { code, reason: `${what}: ${words}` };
}
