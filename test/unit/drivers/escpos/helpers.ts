/** Test doubles shared by the ESC/POS unit tests: a manual scheduler and a simulator harness. */
import type { SimulatorContext } from '../../../../drivers/model.js';
import { createEscposSimulator, type EscposSimulatorIdentity } from '../../../../drivers/escpos/simulator.js';

interface Task {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A scheduler that only moves when told to; tasks due at the same time run in schedule order. */
export class ManualScheduler {
  now = 0;
  private seq = 0;
  private tasks: Task[] = [];

  readonly schedule: SimulatorContext['schedule'] = (delayMs, fn) => {
    const task: Task = { at: this.now + delayMs, seq: this.seq++, fn, cancelled: false };
    this.tasks.push(task);
    return {
      cancel: () => {
        task.cancelled = true;
      },
    };
  };

  get pending(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.tasks
        .filter((t) => !t.cancelled && t.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.tasks = this.tasks.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
    }
    this.now = until;
  }
}

/** A simulator whose output is collected; `take()` returns and clears what it sent so far. */
export function simulatorHarness(identity?: Partial<EscposSimulatorIdentity>) {
  const scheduler = new ManualScheduler();
  let sent: number[] = [];
  const sim = createEscposSimulator({ transport: 'serial', send: (bytes) => sent.push(...bytes), schedule: scheduler.schedule }, identity);
  return {
    sim,
    scheduler,
    send: (...bytes: number[]) => sim.receive(Uint8Array.from(bytes)),
    take(): number[] {
      const out = sent;
      sent = [];
      return out;
    },
  };
}

/** `10 04 01 … 10 04 04`, the poll burst. */
export const allStatusRequests = [0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04];

export const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));
