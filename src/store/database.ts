import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './schema.js';

export const DATABASE_FILE = 'posdiag.db';

export type Db = Database.Database;

/** SQLite's answer for a file that is not (or no longer) a database. */
export function isCorruption(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT_');
}

/**
 * Opens (creating when needed) the database in `dir` and brings its layout up to date. Throws
 * what SQLite or the file system says; the store decides what to do about it.
 */
export function openDatabase(dir: string, maxPageCount?: number): Db {
  mkdirSync(dir, { recursive: true });
  const db = new Database(path.join(dir, DATABASE_FILE));
  try {
    // Incremental auto-vacuum must be chosen before the first table exists; it lets retention
    // hand freed pages back to the file system instead of keeping the file at its peak size.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // FULL: a committed alert or outbox row survives a power cut, not only a crash. Readings
    // are batched, so the fsync per commit stays rare.
    db.pragma('synchronous = FULL');
    // After each checkpoint the WAL is cut back to this size instead of staying at its peak.
    db.pragma('journal_size_limit = 4194304');
    db.pragma('busy_timeout = 2000');
    if (maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.floor(maxPageCount)}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) {
    throw Object.assign(new Error(`database schema version ${version} is newer than this posdiag knows (${migrations.length})`), {
      code: 'POSDIAG_SCHEMA_TOO_NEW',
    });
  }
  for (let i = version; i < migrations.length; i += 1) {
    db.transaction(() => {
      db.exec(migrations[i] as string);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

/**
 * Moves a corrupt database (and its WAL and shared-memory files) aside, so a fresh one can be
 * created and the evidence is kept for whoever looks into it. Returns the new name.
 */
export function moveAside(dir: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const target = path.join(dir, `${DATABASE_FILE}.corrupt-${stamp}`);
  for (const suffix of ['', '-wal', '-shm']) {
    const from = path.join(dir, DATABASE_FILE + suffix);
    if (existsSync(from)) renameSync(from, target + suffix);
  }
  return target;
}
