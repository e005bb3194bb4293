/**
 * What the agent knows from watching the till's traffic, as plain data for the health model,
 * the API and the alert rules; and the pure reducer that folds observations into it.
 */
import type { LineObservation } from '../../drivers/model.js';

type Transaction = Extract<LineObservation, { type: 'transaction' }>;

export interface TransactionTally {
  approved: number;
  declined: number;
  refused: number;
  cancelled: number;
  noCompletion: number;
  /** Declined, refused or unfinished in a row since the last approved one (cancelled ones skip). */
  failedInARow: number;
  /** The configured threshold of terminal.transactions_failing. */
  failingAfter: number;
  last: { kind: Transaction['kind']; outcome: Transaction['outcome']; resultCode: number | null; at: string } | null;
}

export interface PassthroughStatus {
  /** The till's virtual port: `pty:/run/posdiag/printer-1` or `tcp:127.0.0.1:20007`. */
  till: string;
  /** TCP: whether a till is connected; null for a pty (it cannot be told). */
  tillConnected: boolean | null;
  /** The exchange in progress on the line, e.g. "till: payment 06 01", or null when idle. */
  activity: string | null;
  bytesFromTill: number;
  bytesToTill: number;
  /** Till bytes thrown away because the device was not connected. */
  tillBytesDropped: number;
  /** Status queries of the agent on the shared line, and till chunks held back meanwhile. */
  agentTurns: number;
  tillChunksHeld: number;
  /** The longest a till chunk waited for an agent query to finish, in milliseconds. */
  longestHoldMs: number;
  /** Terminals only. */
  transactions: TransactionTally | null;
  lastEndOfDay: { at: string; ok: boolean; resultCode: number | null } | null;
  /** Printers only: paper cuts the till sent (one per receipt). */
  receipts: number | null;
  /** The last command the watch could not frame, if any (the agent then waits for quiet). */
  lastUnrecognised: string | null;
}

export function initialPassthroughStatus(till: string, kind: 'terminal' | 'printer' | 'device', failingAfter: number): PassthroughStatus {
  return {
    till,
    tillConnected: null,
    activity: null,
    bytesFromTill: 0,
    bytesToTill: 0,
    tillBytesDropped: 0,
    agentTurns: 0,
    tillChunksHeld: 0,
    longestHoldMs: 0,
    transactions:
      kind === 'terminal'
        ? { approved: 0, declined: 0, refused: 0, cancelled: 0, noCompletion: 0, failedInARow: 0, failingAfter, last: null }
        : null,
    lastEndOfDay: null,
    receipts: kind === 'printer' ? 0 : null,
    lastUnrecognised: null,
  };
}

export function applyObservation(status: PassthroughStatus, o: LineObservation): PassthroughStatus {
  switch (o.type) {
    case 'transaction': {
      const t = status.transactions;
      if (!t) return status;
      const key = ({ approved: 'approved', declined: 'declined', refused: 'refused', cancelled: 'cancelled', 'no-completion': 'noCompletion' } as const)[o.outcome];
      const failedInARow = o.outcome === 'approved' ? 0 : o.outcome === 'cancelled' ? t.failedInARow : t.failedInARow + 1;
      return {
        ...status,
        transactions: {
          ...t,
          [key]: t[key] + 1,
          failedInARow,
          last: { kind: o.kind, outcome: o.outcome, resultCode: o.resultCode, at: new Date(o.at).toISOString() },
        },
      };
    }
    case 'end-of-day':
      return { ...status, lastEndOfDay: { at: new Date(o.at).toISOString(), ok: o.ok, resultCode: o.resultCode } };
    case 'receipt':
      return { ...status, receipts: (status.receipts ?? 0) + 1 };
    case 'unrecognised':
      return { ...status, lastUnrecognised: o.what };
  }
}

/** terminal.transactions_failing: N failed card transactions of the till in a row. */
export function transactionsFailing(status: PassthroughStatus | null): boolean {
  const t = status?.transactions;
  return t !== null && t !== undefined && t.failedInARow >= t.failingAfter;
}
