/**
 * Files a config names and the agent needs at start: the HTTPS certificate and key, and the CA
 * files of the heartbeat receivers. They are checked when the config is loaded, so a missing or
 * mismatched file is reported like any other config error (`posdiag.yaml:4 http.tls.key: …`)
 * and `posdiag check` finds it before `posdiag run` would fail on it.
 *
 * Contents never reach a message: a private key is a secret, and OpenSSL's error strings are
 * replaced by what a technician can act on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import type { ConfigProblem } from './errors.js';
import type { Config, HttpTlsConfig } from './types.js';

export interface TlsFiles {
  cert: string;
  key: string;
}

/** A readable, matching certificate and key, or the problem with one of them. */
export type TlsFilesResult = { ok: true; files: TlsFiles } | { ok: false; key: 'cert' | 'key'; message: string };

/** Relative file names start at `cwd`, as storage.dir does. Mutates the freshly parsed config. */
export function resolveConfigFiles(config: Config, cwd: string): void {
  if (config.http.tls) {
    config.http.tls.cert = path.resolve(cwd, config.http.tls.cert);
    config.http.tls.key = path.resolve(cwd, config.http.tls.key);
  }
  for (const sink of [config.heartbeat.pushgateway, config.heartbeat.webhook]) {
    if (sink?.caFile) sink.caFile = path.resolve(cwd, sink.caFile);
  }
}

/** Every problem with the files the config names. */
export function checkConfigFiles(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.http.tls) {
    const result = readTlsFiles(config.http.tls);
    if (!result.ok) problems.push({ path: ['http', 'tls', result.key], message: result.message });
  }
  for (const name of ['pushgateway', 'webhook'] as const) {
    const caFile = config.heartbeat[name]?.caFile;
    if (!caFile) continue;
    const result = readCaFile(caFile);
    if (!result.ok) problems.push({ path: ['heartbeat', name, 'ca'], message: result.message });
  }
  return problems;
}

/** Reads the HTTPS certificate and key and checks that they belong together. */
export function readTlsFiles(tls: HttpTlsConfig): TlsFilesResult {
  const cert = readText(tls.cert);
  if (!cert.ok) return { ok: false, key: 'cert', message: cert.message };
  if (!cert.text.includes('-----BEGIN CERTIFICATE-----')) {
    return { ok: false, key: 'cert', message: `${tls.cert} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` };
  }
  const key = readText(tls.key);
  if (!key.ok) return { ok: false, key: 'key', message: key.message };
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(key.text)) {
    return { ok: false, key: 'key', message: `${tls.key} holds no PEM private key (-----BEGIN PRIVATE KEY-----)` };
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key.text)) {
    return { ok: false, key: 'key', message: `${tls.key} is encrypted with a passphrase; the agent starts unattended, so store the key without one (openssl pkey -in … -out …)` };
  }
  try {
    createSecureContext({ cert: cert.text, key: key.text });
  } catch (error) {
    const reason = String((error as Error).message);
    if (/key values mismatch/i.test(reason)) {
      return { ok: false, key: 'key', message: `${tls.key} is not the private key of the certificate in ${tls.cert}` };
    }
    // Which of the two OpenSSL disliked is not always clear from its message; both are named.
    return { ok: false, key: 'cert', message: `${tls.cert} and ${tls.key} cannot be used together: ${openSslReason(reason)}` };
  }
  return { ok: true, files: { cert: cert.text, key: key.text } };
}

/** Reads a CA file for an outbound HTTPS connection. */
export function readCaFile(file: string): { ok: true; text: string } | { ok: false; message: string } {
  const ca = readText(file);
  if (!ca.ok) return ca;
  if (!ca.text.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, message: `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` };
  return ca;
}

function readText(file: string): { ok: true; text: string } | { ok: false; message: string } {
  try {
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? "permission denied (the agent's user must be able to read it)"
          : code === 'EISDIR'
            ? 'is a directory, not a file'
            : (code ?? 'unreadable');
    return { ok: false, message: `cannot read ${file}: ${why}` };
  }
}

/** "error:05800074:x509 certificate routines::key values mismatch" → "key values mismatch". */
function openSslReason(message: string): string {
  return message.replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/i, '').trim() || message;
}
