/**
 * ZVT passthrough watch: follows the till's (or the agent's) exchanges with the terminal on a
 * shared line, so the agent's own Status-Enquiry goes out only between two exchanges, and reads
 * the till's payments and end-of-day runs off the wire [PA00P015 §2, PA00P016 §3, §5.1].
 *
 * An exchange, as the line shows it:
 *
 *   ECR → PT  command                       (serial: each block ACKed by the receiver)
 *   PT → ECR  80 00 | 84 xx                 84 xx ends it; 80 00 ends it for Log-Off and Abort
 *   PT → ECR  [04 FF | 04 0F | 06 D1 | 06 D3]*   each answered 80 00 by the ECR
 *   PT → ECR  06 0F | 06 1E                 answered 80 00 by the ECR, which ends it
 *
 * The last block of an exchange is only delivered when its ACK comes back (serial); until then
 * the line is not free. Whoever sent the command owns the exchange and gets the terminal's
 * blocks and ACKs. An exchange the peers gave up on (T3 or T4 passed in silence) is forgotten.
 */
import type { LineObservation, LineParty, PassthroughWatch, PassthroughWatchContext, RoutedBytes } from '../model.js';
import { type Apdu, apduName, isNegativeReply, isPositiveReply } from './apdu.js';
import { bmpDateTime, findBmp, parseAbort, parseIntermediateStatus, parseStatusInformation } from './bmp.js';
import { createFramer } from './codec.js';
import { type FrameEvent, zvtTimers } from './framing.js';

type TransactionKind = Extract<LineObservation, { type: 'transaction' }>['kind'];

/** Commands that move money; their outcome is what `terminal.transactions_failing` counts. */
const transactionKinds = new Map<number, TransactionKind>([
  [0x0601, 'payment'],
  [0x0622, 'pre-authorisation'],
  [0x0624, 'book-total'],
  [0x0630, 'reversal'],
  [0x0631, 'refund'],
]);
const END_OF_DAY = 0x0650;
/** The terminal's 80 00 ends these: they have no Completion [PA00P015 §2.3, §2.23]. */
const endsOnAccept = new Set([0x0602, 0x06b0]);
/** 6C: "abort via timeout or abort key" [§10]: the customer or cashier stopped it, nothing failed. */
const ABORTED_BY_USER = 0x6c;

interface Exchange {
  owner: LineParty;
  command: number;
  phase: 'response' | 'terminal-working' | 'closing';
  startedAt: number;
  lastAt: number;
  /** T4 as the terminal last set it (04 FF may carry minutes). */
  completionMs: number;
  /** The exchange ends when its last block is delivered (serial: ACKed; TCP: sent). */
  endsOnDelivery: boolean;
  /** Result code of the last 04 0F, or of a 84 xx / 06 1E. */
  resultCode: number | null;
  /** How the terminal ended it, once it did: 06 0F, 06 1E, 84 xx, or 80 00 where that is the end. */
  ending: 'completed' | 'aborted' | 'refused' | 'accepted' | null;
  /** The terminal announced its automatic end-of-day (04 FF 0F/4F). */
  autoEndOfDay: boolean;
  /** 04 0F with rc 00 during an end-of-day: the settlement time. */
  settledAt: number | null;
}

export interface ZvtWatchOptions {
  /** Silence after which a started exchange counts as given up: T3 before the terminal answered. */
  responseTimeoutMs?: number;
}

export function createZvtPassthroughWatch(ctx: PassthroughWatchContext<unknown> & ZvtWatchOptions): PassthroughWatch {
  const serial = ctx.transport === 'serial';
  const toTerminal = createFramer(ctx.transport);
  const fromTerminal = createFramer(ctx.transport);
  const responseTimeoutMs = ctx.responseTimeoutMs ?? zvtTimers.responseMs;
  let exchange: Exchange | null = null;
  /** Serial: a block is on the line and its ACK has not come back; from whom, since when. */
  let awaitingAck: { sender: 'ecr' | 'terminal'; since: number; sends: number; owner: LineParty; block: Uint8Array } | null = null;
  let observations: LineObservation[] = [];

  const end = (now: number) => {
    const ended = exchange;
    exchange = null;
    if (ended) observe(ended, now);
  };

  const observe = (x: Exchange, now: number) => {
    const kind = transactionKinds.get(x.command);
    if (kind) {
      observations.push({ type: 'transaction', kind, outcome: outcomeOf(x), resultCode: x.resultCode, durationMs: now - x.startedAt, at: now });
    } else if (x.command === END_OF_DAY) {
      const ok = x.settledAt !== null || (x.ending === 'completed' && (x.resultCode === null || x.resultCode === 0));
      observations.push({ type: 'end-of-day', ok, resultCode: x.resultCode, at: x.settledAt ?? now });
    }
    // An automatic end-of-day inside some other exchange (a Status-Enquiry, a payment).
    if (x.command !== END_OF_DAY && x.autoEndOfDay && x.settledAt !== null) {
      observations.push({ type: 'end-of-day', ok: true, resultCode: 0, at: x.settledAt });
    }
  };

  /** The last block of the exchange was just seen: serial waits for its ACK. */
  const lastBlock = (x: Exchange, now: number) => {
    if (serial) x.endsOnDelivery = true;
    else end(now);
  };

  /** Serial: the sender repeats a block its ACK did not come for; the repeat is not a new message. */
  const isRepeat = (sender: 'ecr' | 'terminal', block: Uint8Array, now: number): boolean => {
    if (!serial || awaitingAck?.sender !== sender || !sameBytes(awaitingAck.block, block)) return false;
    awaitingAck.since = now;
    awaitingAck.sends++;
    return true;
  };

  const onEcrApdu = (a: Apdu, block: Uint8Array, from: LineParty, now: number) => {
    const key = (a.cls << 8) | a.ins;
    if (isRepeat('ecr', block, now)) return;
    if (serial) awaitingAck = { sender: 'ecr', since: now, sends: 1, owner: from, block };
    if (a.cls === 0x80 || a.cls === 0x84) {
      // The ECR answers a terminal message; after 06 0F / 06 1E that answer is the last block.
      if (exchange) {
        exchange.lastAt = now;
        if (exchange.phase === 'closing') lastBlock(exchange, now);
      }
      return;
    }
    if (exchange && exchange.owner === from && key === 0x06b0) {
      exchange.lastAt = now; // the till aborts its own running command; the command's end still comes
      return;
    }
    // A new command. One still "running" was given up by its sender (it would not send another).
    if (exchange) end(now);
    exchange = {
      owner: from,
      command: key,
      phase: 'response',
      startedAt: now,
      lastAt: now,
      completionMs: zvtTimers.completionMs,
      endsOnDelivery: false,
      resultCode: null,
      autoEndOfDay: false,
      settledAt: null,
      ending: null,
    };
  };

  const onTerminalApdu = (a: Apdu, block: Uint8Array, now: number) => {
    const key = (a.cls << 8) | a.ins;
    if (isRepeat('terminal', block, now)) return;
    const x = exchange ?? startedByTerminal(now);
    if (serial) awaitingAck = { sender: 'terminal', since: now, sends: 1, owner: x.owner, block };
    x.lastAt = now;
    if (a.cls === 0x80 || a.cls === 0x84) {
      if (x.phase !== 'response') return; // a late or stray reply
      if (isNegativeReply(a)) {
        x.resultCode = a.ins;
        x.ending = 'refused';
        lastBlock(x, now);
      } else if (isPositiveReply(a) && endsOnAccept.has(x.command)) {
        x.ending = 'accepted';
        lastBlock(x, now);
      } else {
        x.phase = 'terminal-working';
      }
      return;
    }
    x.phase = x.phase === 'closing' ? 'closing' : 'terminal-working';
    switch (key) {
      case 0x04ff: {
        const status = parseIntermediateStatus(a.data);
        if (status.code === 0x0f || status.code === 0x4f) x.autoEndOfDay = true;
        if (status.timeoutMinutes) x.completionMs = status.timeoutMinutes * 60_000;
        return;
      }
      case 0x040f: {
        const info = parseStatusInformation(a.data);
        if (info.resultCode !== null) x.resultCode = info.resultCode;
        const totals = findBmp(info.fields, 0x60) ?? findBmp(info.fields, 0x04);
        const settling = x.command === END_OF_DAY || x.autoEndOfDay;
        if (settling && (info.resultCode === 0x00 || (info.resultCode === null && totals))) {
          x.settledAt = bmpDateTime(info.fields, new Date(now)) ?? now;
        }
        return;
      }
      case 0x060f:
        x.phase = 'closing';
        x.ending = 'completed';
        return;
      case 0x061e:
        x.phase = 'closing';
        x.ending = 'aborted';
        x.resultCode = parseAbort(a.data).resultCode ?? x.resultCode;
        return;
      default:
        return; // print lines, text blocks: the terminal is still working
    }
  };

  /** The terminal spoke first (it should not, but a till may have restarted mid-exchange). */
  const startedByTerminal = (now: number): Exchange => {
    exchange = {
      owner: 'till',
      command: 0,
      phase: 'terminal-working',
      startedAt: now,
      lastAt: now,
      completionMs: zvtTimers.completionMs,
      endsOnDelivery: false,
      resultCode: null,
      autoEndOfDay: false,
      settledAt: null,
      ending: null,
    };
    return exchange;
  };

  const onAck = (receiver: 'ecr' | 'terminal', now: number) => {
    if (!awaitingAck || awaitingAck.sender === receiver) return;
    awaitingAck = null;
    if (exchange?.endsOnDelivery) end(now);
  };

  const handle = (events: FrameEvent[], side: 'ecr' | 'terminal', from: LineParty, now: number) => {
    for (const event of events) {
      switch (event.type) {
        case 'apdu':
          if (side === 'ecr') onEcrApdu(event.apdu, event.bytes, from, now);
          else onTerminalApdu(event.apdu, event.bytes, now);
          break;
        case 'ack':
          onAck(side, now);
          break;
        case 'nak':
          // The block will be sent again; until then its sender still waits.
          if (awaitingAck && awaitingAck.sender !== side) awaitingAck.since = now;
          break;
        case 'error':
          break; // the receiver NAKs it; the repeat is what counts
      }
    }
  };

  /** Forgets what the peers themselves have given up on. */
  const lapse = (now: number) => {
    handle(toTerminal.expire(now), 'ecr', 'till', now);
    handle(fromTerminal.expire(now), 'terminal', 'till', now);
    // The sender repeats after T2 (at most twice); T2 after its last send it has given up.
    if (awaitingAck) {
      const sendsLeft = Math.max(0, zvtTimers.maxRepeats + 1 - awaitingAck.sends);
      if (now - awaitingAck.since >= zvtTimers.ackMs * (sendsLeft + 1)) awaitingAck = null;
    }
    if (exchange) {
      const limit = exchange.phase === 'response' ? responseTimeoutMs : exchange.completionMs;
      if (now - exchange.lastAt >= limit) end(exchange.lastAt + limit);
    }
  };

  return {
    toDevice(from, bytes, now) {
      handle(toTerminal.push(bytes, now), 'ecr', from, now);
    },
    fromDevice(bytes, now) {
      // The owner is decided before the chunk: the terminal never starts talking unasked, so a
      // chunk cannot hold the end of one party's exchange and the start of the other's.
      const to: LineParty = exchange?.owner ?? awaitingAck?.owner ?? 'till';
      handle(fromTerminal.push(bytes, now), 'terminal', to, now);
      return [{ to, bytes }];
    },
    idle(now) {
      lapse(now);
      return exchange === null && awaitingAck === null && !toTerminal.pending && !fromTerminal.pending;
    },
    agentGaveUp(now) {
      if (exchange?.owner === 'agent') exchange = null;
      if (awaitingAck?.owner === 'agent') awaitingAck = null;
      void now;
    },
    reset() {
      toTerminal.reset();
      fromTerminal.reset();
      // A till exchange cut by the unplug ends without its completion; the till sees the same.
      if (exchange) end(exchange.lastAt);
      awaitingAck = null;
    },
    drain() {
      const out = observations;
      observations = [];
      return out;
    },
    activity() {
      if (!exchange) return null;
      const kind = transactionKinds.get(exchange.command) ?? (exchange.command === END_OF_DAY ? 'end-of-day' : null);
      const name = exchange.command === 0 ? 'terminal message' : apduName({ cls: exchange.command >> 8, ins: exchange.command & 0xff });
      return `${exchange.owner}: ${kind ? `${kind} ` : ''}${name}`;
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function outcomeOf(x: Exchange): Extract<LineObservation, { type: 'transaction' }>['outcome'] {
  switch (x.ending) {
    case null:
      return 'no-completion';
    case 'refused':
      return 'refused';
    case 'aborted':
      return x.resultCode === ABORTED_BY_USER ? 'cancelled' : 'declined';
    default:
      return x.resultCode === null || x.resultCode === 0 ? 'approved' : 'declined';
  }
}
