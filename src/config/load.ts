/**
 * Text or file → validated Config, or every problem found, each located in the file. Never
 * throws for bad input: a missing file, broken YAML and wrong values all come back as
 * ConfigErrors, so a reload can keep the running config and report why.
 *
 * Three checks run on the document and their findings are merged: the zod schema (types,
 * ranges, defaults), unknown keys (unknown-keys.ts) and duplicate ids (unique.ts). The last two
 * run apart from zod so that they still report when zod has given up on an entry.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Document, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { type ConfigError, type ConfigProblem, formatKeyPath } from './errors.js';
import { checkConfigFiles, resolveConfigFiles } from './files.js';
import { sharedConfigJsonSchema } from './json-schema.js';
import { locate } from './locate.js';
import { configErrorMessage } from './messages.js';
import { configSchema, uniqueKeys } from './schema.js';
import type { Config } from './types.js';
import { findDuplicates } from './unique.js';
import { findUnknownKeys, type JsonSchemaNode } from './unknown-keys.js';

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: ConfigError[] };

export interface ParseOptions {
  /** Directory that relative paths (storage.dir) start from. Default: process.cwd(). */
  cwd?: string;
}

/** Reads and validates a config file. */
export async function loadConfigFile(file: string, options: ParseOptions = {}): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, errors: [{ file, line: null, column: null, key: '', message: `cannot read the file: ${osReason(error)}` }] };
  }
  return parseConfigText(text, file, options);
}

/** Validates config text; `fileLabel` is the name used in errors. Empty text means all defaults. */
export function parseConfigText(text: string, fileLabel: string, options: ParseOptions = {}): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    // Problems found only at the end of the text (an unclosed bracket or quote) are placed on the
    // last line that has something on it rather than on an empty line past the end.
    const lastContent = Math.max(0, text.trimEnd().length - 1);
    const errors = yamlProblems.map((problem) => yamlError(problem, Math.min(problem.pos[0], lastContent), lineCounter, fileLabel));
    return { ok: false, errors: sortByPosition(errors) };
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // Only an alias bomb (maxAliasCount) gets here; parse errors were collected above.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [{ file: fileLabel, line: null, column: null, key: '', message: `YAML problem: ${message}` }] };
  }

  const result = configSchema.safeParse(raw, { error: configErrorMessage });
  const unknownKeys = findUnknownKeys(sharedConfigJsonSchema() as JsonSchemaNode, raw);
  const reported = new Set(unknownKeys.map((problem) => formatKeyPath(problem.path)));
  const schemaProblems: ConfigProblem[] = (result.success ? [] : result.error.issues).flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? // Normally found by findUnknownKeys already; kept in case the two ever disagree.
        issue.keys
          .map((key) => ({ path: [...issue.path, key], message: 'unknown key', atKey: true }))
          .filter((problem) => !reported.has(formatKeyPath(problem.path)))
      : [{ path: issue.path, message: issue.message }],
  );
  const problems = [...schemaProblems, ...unknownKeys, ...findDuplicates(raw, uniqueKeys)];

  if (!result.success || problems.length > 0) {
    return { ok: false, errors: sortByPosition(problems.map((problem) => located(problem, doc, lineCounter, fileLabel))) };
  }
  const config: Config = result.data;
  const cwd = options.cwd ?? process.cwd();
  config.storage.dir = path.resolve(cwd, config.storage.dir);
  // Certificate, key and CA files: checked here so that they are reported like any other error.
  resolveConfigFiles(config, cwd);
  const fileProblems = checkConfigFiles(config);
  if (fileProblems.length > 0) {
    return { ok: false, errors: sortByPosition(fileProblems.map((problem) => located(problem, doc, lineCounter, fileLabel))) };
  }
  return { ok: true, config };
}

function located(problem: ConfigProblem, doc: Document, lineCounter: LineCounter, file: string): ConfigError {
  const position = locate(doc, lineCounter, problem.path, { atKey: problem.atKey ?? false });
  return {
    file,
    line: position?.line ?? null,
    column: position?.column ?? null,
    key: formatKeyPath(problem.path),
    message: problem.message,
  };
}

function yamlError(problem: YAMLError, offset: number, lineCounter: LineCounter, file: string): ConfigError {
  const { line, col } = lineCounter.linePos(offset);
  const kind = problem.name === 'YAMLWarning' ? 'YAML problem' : 'YAML syntax error';
  return { file, line, column: col, key: '', message: `${kind}: ${problem.message}` };
}

/** File order, so the list reads top to bottom; errors without a line go last. */
function sortByPosition(errors: ConfigError[]): ConfigError[] {
  const position = (error: ConfigError) => [error.line ?? Number.MAX_SAFE_INTEGER, error.column ?? 0] as const;
  return errors
    .map((error, index) => ({ error, index }))
    .sort((a, b) => {
      const [lineA, columnA] = position(a.error);
      const [lineB, columnB] = position(b.error);
      return lineA - lineB || columnA - columnB || a.index - b.index;
    })
    .map(({ error }) => error);
}

/** "no such file or directory (ENOENT)" from Node's "ENOENT: no such file or directory, open 'x'". */
function osReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  // Node's form is "<CODE>: <description>, <syscall>[ '<path>']"; the path is in the error already.
  const description = error.message.replace(/^[A-Z]+: /, '').replace(/, [a-z]+(?: '.*')?$/s, '');
  return code ? `${description} (${code})` : description;
}
