/**
 * A problem found in a config file, located as precisely as the file allows, and its one-line
 * form `path/to/posdiag.yaml:12 devices[0].transport.baudRate: must be one of … (got 9601)`.
 */

export interface ConfigError {
  /** The file as the user named it (or the label given to parseConfigText). */
  file: string;
  /** 1-based; the nearest enclosing key's line for a missing key; null when the file could not be read. */
  line: number | null;
  /** 1-based, like the line. */
  column: number | null;
  /** Dotted path with indices (`devices[0].transport.baudRate`); '' for the file as a whole. */
  key: string;
  /** Plain English, starting with a verb: "must be …", "is required", "unknown key; …". */
  message: string;
}

/** A problem before it is located in the file (internal to src/config). */
export interface ConfigProblem {
  path: readonly PropertyKey[];
  message: string;
  /** Point at the key itself rather than its value (unknown keys). */
  atKey?: boolean;
}

/** `file:line key: message`; without a line `file key: message`; without a key `file:line: message`. */
export function formatConfigError(error: ConfigError): string {
  const where = error.line === null ? error.file : `${error.file}:${error.line}`;
  return error.key === '' ? `${where}: ${error.message}` : `${where} ${error.key}: ${error.message}`;
}

/** ['devices', 0, 'transport', 'baudRate'] → `devices[0].transport.baudRate`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else {
      const name = String(segment);
      const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name);
      text += plain ? (text === '' ? name : `.${name}`) : `[${JSON.stringify(name)}]`;
    }
  }
  return text;
}
