/**
 * The terminal as master: a list of steps run in order, each message waiting for the ECR's
 * 80 00 00 before the next one goes out [ZVT PA00P015 §2.56, §3]. An ECR that never answers is
 * given up on after T3, as a real terminal would; 84 9C ("repeat") resends the message after 2 s
 * [§2.2.6].
 */
import { type Apdu, isPositiveReply } from './apdu.js';
import { zvtTimers } from './framing.js';
import type { Schedule } from './link-layer.js';

/** A message is built when it is due, so it reflects what earlier steps changed. */
export type Step = { send: Apdu | (() => Apdu) } | { wait: number } | { run: () => void };

export type FlowKind = 'status' | 'payment' | 'end-of-day' | 'admin';

export interface FlowRunner {
  /** The flow running now, or null when the terminal is idle. */
  readonly kind: FlowKind | null;
  start(kind: FlowKind, steps: Step[]): void;
  /** An 80 xx / 84 xx from the ECR. */
  onReply(reply: Apdu): void;
  abandon(): void;
}

interface Flow {
  kind: FlowKind;
  steps: Step[];
  index: number;
  /** The message waiting for the ECR's 80 00 00. */
  awaitingReply: Apdu | null;
  timer: { cancel(): void } | null;
}

export function createFlowRunner(deps: { transmit(a: Apdu): void; schedule: Schedule; extraWaitMs(): number }): FlowRunner {
  let flow: Flow | null = null;

  const abandon = () => {
    flow?.timer?.cancel();
    flow = null;
  };

  const advance = () => {
    const f = flow;
    if (!f) return;
    while (f.index < f.steps.length && flow === f) {
      const step = f.steps[f.index++]!;
      if ('run' in step) {
        step.run();
      } else if ('wait' in step) {
        f.timer = deps.schedule(step.wait, () => {
          f.timer = null;
          advance();
        });
        return;
      } else {
        const message = typeof step.send === 'function' ? step.send() : step.send;
        f.awaitingReply = message;
        deps.transmit(message);
        f.timer = deps.schedule(zvtTimers.responseMs + deps.extraWaitMs(), () => {
          f.timer = null;
          if (flow === f) abandon();
        });
        return;
      }
    }
    if (flow === f) flow = null;
  };

  return {
    get kind() {
      return flow?.kind ?? null;
    },
    start(kind, steps) {
      abandon();
      flow = { kind, steps, index: 0, awaitingReply: null, timer: null };
      advance();
    },
    onReply(a) {
      const f = flow;
      if (!f?.awaitingReply) return;
      f.timer?.cancel();
      f.timer = null;
      if (a.cls === 0x84 && a.ins === 0x9c) {
        const again = f.awaitingReply;
        f.timer = deps.schedule(2_000, () => {
          f.timer = null;
          if (flow === f) deps.transmit(again);
        });
        return;
      }
      f.awaitingReply = null;
      if (isPositiveReply(a) || a.cls === 0x84) advance();
    },
    abandon,
  };
}
