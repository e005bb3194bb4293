/**
 * ESC/POS passthrough watch: lets the agent slip its real-time status queries (DLE EOT 1-4) into
 * a till's print stream only where a printer reads them as commands, and keeps their one-byte
 * answers away from the till.
 *
 * Where: the till's stream is at a command boundary (command-stream.ts knows every command's
 * length, so a query never lands inside parameters or image data, where 10 04 01 would be
 * printed as pixels), and no query of the till is waiting for its answer (ESC/POS replies carry
 * no request id; only their order tells them apart).
 * Routing: while the agent's queries wait, bytes with the DLE EOT reply pattern are the agent's;
 * everything else (ASB messages, replies to the till's queries, anything we do not parse) goes
 * to the till unchanged. The agent asks only while the till has nothing outstanding, so the two
 * cannot be confused.
 */
import type { LineObservation, PassthroughWatch, PassthroughWatchContext, RoutedBytes } from '../model.js';
import { isEotReplyByte } from './codec.js';
import { CommandScanner } from './command-stream.js';
import { ReplyDemux } from './demux.js';

/** A till query the printer has not answered in this long is taken as lost (printer off, cable). */
const TILL_REPLY_TIMEOUT_MS = 2_000;
/** After a query whose reply we cannot parse, wait this long after the printer's last byte. */
const UNKNOWN_REPLY_QUIET_MS = 500;
/** After an unknown command, the till's stream is trusted again once it was quiet this long. */
const RESYNC_QUIET_MS = 500;
/**
 * A till silent this long inside a command is taken as gone (closed the pty mid-job, crashed):
 * without this the agent would never find a boundary again and stay blind. The cost, a till held
 * by flow control mid-image longer than this, is a few wrong pixels; a printer stalled that long
 * is out of paper or open, which is exactly when the agent must be able to ask.
 */
const ABANDONED_COMMAND_QUIET_MS = 5_000;

export function createEscposPassthroughWatch(ctx: PassthroughWatchContext<unknown>): PassthroughWatch {
  const scanner = new CommandScanner();
  /** Follows the till's own queries, only to know when they are answered. */
  let tillReplies = new ReplyDemux({ asb: true });
  let tillRepliesDueBy = Number.NEGATIVE_INFINITY;
  let unknownReplyUntil = Number.NEGATIVE_INFINITY;
  let lastTillByteAt = Number.NEGATIVE_INFINITY;
  /** DLE EOT answers the agent still waits for, and until when late ones are kept from the till. */
  let agentAwaits = 0;
  let agentKeepsUntil = Number.NEGATIVE_INFINITY;
  let agentGaveUp = false;
  let unsynchronisedReported = false;
  let observations: LineObservation[] = [];

  const expectForTill = (request: Parameters<ReplyDemux['expect']>[0]) => {
    // A till that never reads its replies must not make us stop tracking.
    if (tillReplies.outstandingCount >= 16) tillReplies.reset();
    tillReplies.expect(request);
  };

  return {
    toDevice(from, bytes, now) {
      if (from === 'till') lastTillByteAt = now;
      for (const event of scanner.push(bytes)) {
        switch (event.type) {
          case 'query':
            if (from === 'agent') {
              if (event.request.kind === 'eot') agentAwaits++;
              agentKeepsUntil = now + 2 * ctx.requestTimeoutMs;
              agentGaveUp = false;
            } else {
              // The till asks for a real-time status too: from now on such bytes are its answers.
              if (event.request.kind === 'eot') agentAwaits = 0;
              expectForTill(event.request);
              tillRepliesDueBy = now + TILL_REPLY_TIMEOUT_MS;
            }
            break;
          case 'embedded-query':
            // 10 04 n inside image data: printers answer it anyway (Epson documents this), so the
            // answer is owed to whoever sent the image.
            if (from === 'till') {
              agentAwaits = 0;
              expectForTill(event.request);
              tillRepliesDueBy = now + TILL_REPLY_TIMEOUT_MS;
            }
            break;
          case 'query-unknown':
            unknownReplyUntil = now + TILL_REPLY_TIMEOUT_MS;
            break;
          case 'cut':
            observations.push({ type: 'receipt', at: now });
            break;
          case 'unknown':
            if (!unsynchronisedReported) observations.push({ type: 'unrecognised', what: event.command, at: now });
            unsynchronisedReported = true;
            break;
          case 'init':
          case 'asb-enable':
            break;
        }
      }
    },

    fromDevice(bytes, now) {
      const routed: RoutedBytes[] = [];
      let start = 0;
      let to: 'till' | 'agent' | null = null;
      const flush = (end: number) => {
        if (to === null || end === start) return;
        const run = bytes.subarray(start, end);
        if (to === 'till') tillReplies.push(run);
        routed.push({ to, bytes: run });
        start = end;
      };
      const agentTakes = agentAwaits > 0 && now < agentKeepsUntil;
      for (let i = 0; i < bytes.length; i++) {
        const mine = agentTakes && agentAwaits > 0 && isEotReplyByte(bytes[i]!);
        const party = mine ? 'agent' : 'till';
        if (party !== to) {
          flush(i);
          to = party;
        }
        if (mine) agentAwaits--;
      }
      flush(bytes.length);
      if (now < unknownReplyUntil) unknownReplyUntil = Math.max(unknownReplyUntil, now + UNKNOWN_REPLY_QUIET_MS);
      return routed;
    },

    idle(now) {
      if (!scanner.synchronised && now - lastTillByteAt >= RESYNC_QUIET_MS) {
        scanner.resync();
        unsynchronisedReported = false;
      }
      if (!scanner.atBoundary && now - lastTillByteAt >= ABANDONED_COMMAND_QUIET_MS) scanner.reset();
      if (tillReplies.outstandingCount > 0 && now >= tillRepliesDueBy) tillReplies.reset();
      if (agentAwaits > 0 && now >= agentKeepsUntil) agentAwaits = 0;
      const agentWaiting = agentAwaits > 0 && !agentGaveUp;
      return scanner.atBoundary && scanner.synchronised && tillReplies.outstandingCount === 0 && now >= unknownReplyUntil && !agentWaiting;
    },

    agentGaveUp(now) {
      // Late answers may still come: keep them from the till a while, without holding the line.
      agentGaveUp = true;
      agentKeepsUntil = Math.min(agentKeepsUntil, now + ctx.requestTimeoutMs);
    },

    reset() {
      scanner.reset();
      tillReplies = new ReplyDemux({ asb: true });
      agentAwaits = 0;
      unknownReplyUntil = Number.NEGATIVE_INFINITY;
      unsynchronisedReported = false;
    },

    drain() {
      const out = observations;
      observations = [];
      return out;
    },

    activity() {
      if (!scanner.atBoundary) return 'till: printing';
      if (tillReplies.outstandingCount > 0) return 'till: waiting for a status reply';
      return null;
    },
  };
}
