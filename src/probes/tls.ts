/**
 * TLS layer: handshake, protocol, certificate expiry, chain validity and host name match.
 *
 * The handshake runs with rejectUnauthorized: false so a bad certificate is still read and
 * described; nothing is sent over the connection. Trust is the configured CA file when the target
 * has one, else the operating system's bundle (ProbeDeps.systemCa), else Node's bundled roots.
 * The host name is checked against the configured host, not the address connected to.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { withDeadline } from './deadline.js';
import { describeError } from './errors.js';
import type { LayerProbe, TargetContext, TlsProblem, TlsResult, TlsTrust } from './types.js';

const DAY_MS = 86_400_000;

const CHAIN_PROBLEMS: Record<string, TlsProblem> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not_yet_valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self_signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'self_signed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname_mismatch',
};

/** Trust anchors for a target; throws when a configured CA file cannot be read. */
export async function trustFor(ctx: TargetContext): Promise<{ trust: TlsTrust; ca: string | undefined }> {
  if (ctx.target.ca !== undefined) return { trust: 'ca-file', ca: await readFile(ctx.target.ca, 'utf8') };
  const system = await ctx.deps.systemCa();
  return system === null ? { trust: 'bundled', ca: undefined } : { trust: 'system', ca: system };
}

/** SNI name: the configured host unless it is an IP literal (SNI must not carry addresses). */
export function serverName(host: string): string | undefined {
  return isIP(host) === 0 ? host : undefined;
}

function handshake(address: string, ctx: TargetContext, ca: string | undefined, signal: AbortSignal) {
  return new Promise<{ socket: TLSSocket; connectedAt: number; secureAt: number }>((resolve, reject) => {
    let connectedAt = 0;
    const socket = connect({ host: address, port: ctx.target.port, servername: serverName(ctx.target.host), ca, rejectUnauthorized: false });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => (connectedAt = ctx.deps.monotonic()));
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve({ socket, connectedAt, secureAt: ctx.deps.monotonic() });
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    });
  });
}

/** A CN may repeat in a subject; show them joined. */
const commonName = (cn: string | string[] | undefined): string | null =>
  cn === undefined ? null : Array.isArray(cn) ? cn.join(', ') : cn;

function describeProblem(problem: TlsProblem, cert: PeerCertificate, host: string, authError: string | null): string {
  switch (problem) {
    case 'expired':
      return `certificate expired on ${cert.valid_to}`;
    case 'not_yet_valid':
      return `certificate not valid before ${cert.valid_from}: is this computer's clock behind?`;
    case 'self_signed':
      return 'certificate is self-signed and not trusted';
    case 'hostname_mismatch':
      return `certificate is not valid for ${host}`;
    default:
      return `certificate chain not trusted (${authError ?? 'unknown error'})`;
  }
}

export const probeTls: LayerProbe<TargetContext, TlsResult> = async (ctx) => {
  const address = ctx.address ?? ctx.target.host;
  const host = ctx.target.host;
  const started = ctx.deps.monotonic();
  const elapsed = (): number => Math.round((ctx.deps.monotonic() - started) * 1000) / 1000;
  const empty = { protocol: null, chainValid: null, hostnameMatch: null, subject: null, issuer: null, validFrom: null, validTo: null, daysToExpiry: null, handshakeMs: null };
  let trusted: Awaited<ReturnType<typeof trustFor>>;
  try {
    trusted = await trustFor(ctx);
  } catch (error) {
    const { code, reason } = describeError(error, `reading CA file ${ctx.target.ca ?? ''}`);
    return { layer: 'tls', ok: false, method: 'tls', durationMs: elapsed(), code, reason, trust: 'ca-file', problem: 'ca_unreadable', ...empty };
  }
  const { trust, ca } = trusted;
  let hs: Awaited<ReturnType<typeof handshake>>;
  try {
    hs = await withDeadline(ctx.options.timeoutMs, ctx.signal, (signal) => handshake(address, ctx, ca, signal));
  } catch (error) {
    const { code, reason } = describeError(error, `TLS handshake with ${address}:${ctx.target.port}`);
    return { layer: 'tls', ok: false, method: 'tls', durationMs: elapsed(), code, reason, trust, problem: 'handshake_failed', ...empty };
  }
  const { socket } = hs;
  const cert = socket.getPeerCertificate(true);
  const protocol = socket.getProtocol();
  const authError = socket.authorized ? null : String(socket.authorizationError ?? 'UNKNOWN');
  socket.destroy();

  const now = ctx.deps.now();
  const notBefore = Date.parse(cert.valid_from);
  const notAfter = Date.parse(cert.valid_to);
  const hostnameMatch = checkServerIdentity(host, cert) === undefined;
  // Node checks the host name only after a good chain, so ALTNAME_INVALID means the chain was fine.
  const chainValid = authError === null || authError === 'ERR_TLS_CERT_ALTNAME_INVALID';
  let problem: TlsProblem | null = null;
  if (now < notBefore) problem = 'not_yet_valid';
  else if (now > notAfter) problem = 'expired';
  else if (!chainValid) problem = CHAIN_PROBLEMS[authError ?? ''] ?? 'untrusted_chain';
  else if (!hostnameMatch) problem = 'hostname_mismatch';

  return {
    layer: 'tls',
    ok: problem === null,
    method: 'tls',
    durationMs: elapsed(),
    code: problem === null ? null : (authError ?? problem.toUpperCase()),
    reason: problem === null ? null : describeProblem(problem, cert, host, authError),
    trust,
    problem,
    protocol,
    chainValid,
    hostnameMatch,
    subject: commonName(cert.subject?.CN),
    issuer: commonName(cert.issuer?.CN),
    validFrom: Number.isNaN(notBefore) ? null : new Date(notBefore).toISOString(),
    validTo: Number.isNaN(notAfter) ? null : new Date(notAfter).toISOString(),
    daysToExpiry: Number.isNaN(notAfter) ? null : Math.round(((notAfter - now) / DAY_MS) * 100) / 100,
    handshakeMs: Math.round((hs.secureAt - hs.connectedAt) * 1000) / 1000,
  };
};
