/**
 * The database layout, as numbered migrations. `PRAGMA user_version` records how many have run,
 * so an old file is brought forward step by step and a newer one than we know is refused
 * (rather than written to by code that does not understand it).
 */
export const migrations: readonly string[] = [
  // 1: alerts, their history, the outbox, events and readings.
  `
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    phase TEXT NOT NULL,
    state TEXT NOT NULL               -- the AlertState as JSON
  );
  CREATE TABLE alert_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,              -- epoch ms
    alert_id TEXT NOT NULL,
    condition TEXT NOT NULL,
    subject TEXT NOT NULL,
    from_phase TEXT NOT NULL,
    to_phase TEXT NOT NULL,
    severity TEXT NOT NULL
  );
  CREATE INDEX alert_history_at ON alert_history (at);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,           -- assigned by the agent, so rows written while the disk was
                                      -- failing keep their place in line
    notifier TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    delivered_at INTEGER
  );
  CREATE INDEX outbox_pending ON outbox (delivered_at, id);
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,               -- device | probe
    subject TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL
  );
  CREATE INDEX events_at ON events (at);
  CREATE TABLE readings (
    at INTEGER NOT NULL,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,               -- device | target
    state TEXT NOT NULL,
    latency_ms REAL
  );
  CREATE INDEX readings_at ON readings (at);
  CREATE INDEX readings_subject_at ON readings (subject, at);
  `,
];
