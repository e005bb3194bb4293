/**
 * Removing secrets from what goes into a support bundle. A bundle is mailed to a service
 * provider and ends up in tickets, so it must never carry the HTTP token, webhook secrets or
 * passwords: values under secret-looking keys are replaced, credentials inside URLs are cut out,
 * and every secret value found is also scrubbed wherever else it appears (a log line, an error
 * message that echoes a URL).
 */
export const REDACTED = '[redacted]';

const secretKey = /token|secret|password|passphrase|passwd|authorization|api[-_]?key|private[-_]?key|credential|cookie/i;

export interface Redacted<T> {
  value: T;
  /** The secret strings that were removed, to scrub from other parts of the bundle. */
  secrets: string[];
}

/** A deep copy with secret values replaced. `null` stays `null`: "no token set" is useful to support. */
export function redactSecrets<T>(input: T): Redacted<T> {
  const secrets = new Set<string>();
  const walk = (value: unknown, key: string | null): unknown => {
    if (key !== null && secretKey.test(key) && value !== null && value !== undefined) {
      collect(value, secrets);
      return REDACTED;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, null));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, walk(v, k)]));
    }
    if (typeof value === 'string') return redactUrlCredentials(value, secrets);
    return value;
  };
  const value = walk(input, null) as T;
  return { value, secrets: [...secrets] };
}

/** Replaces every occurrence of each secret in every string of `input` (deep copy). */
export function scrubStrings<T>(input: T, secrets: readonly string[]): T {
  // Very short values would match innocent text; the config refuses tokens under 16 characters.
  const needles = secrets.filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
  if (needles.length === 0) return input;
  const scrub = (text: string) => needles.reduce((acc, needle) => acc.split(needle).join(REDACTED), text);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [scrub(k), walk(v)]));
    return value;
  };
  return walk(input) as T;
}

/** `https://user:pass@host/x?token=abc` → `https://[redacted]@host/x?token=[redacted]`. */
export function redactUrlCredentials(text: string, found?: Set<string>): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  let changed = false;
  if (url.username || url.password) {
    if (url.password) found?.add(decodeURIComponent(url.password));
    url.username = REDACTED;
    url.password = '';
    changed = true;
  }
  for (const [name, value] of [...url.searchParams]) {
    if (secretKey.test(name) || name.toLowerCase() === 'key' || name.toLowerCase() === 'sig') {
      found?.add(value);
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? url.toString() : text;
}

function collect(value: unknown, into: Set<string>): void {
  if (typeof value === 'string' && value.length > 0) into.add(value);
  else if (Array.isArray(value)) value.forEach((v) => collect(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collect(v, into));
}
