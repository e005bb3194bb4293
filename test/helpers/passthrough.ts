import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openPtyPair, type PtyPair } from '../../src/transport/pty-pair.js';
import { type AgentUnderTest, startAgentProcess } from './agent.js';
import { freeLoopbackAddress } from './ports.js';
import { PosdiagProcess } from './process.js';
import { type SimulatorUnderTest, startSimulatorProcess } from './simulator.js';
import { requireSocat } from './tools.js';

/**
 * mode: passthrough with real processes: a `posdiag simulate <driver>` device on one end of a
 * socat pty pair, `posdiag run` on the other end owning it with `mode: passthrough`, and the
 * till's virtual port (a pty link in the rig's temp dir, or a loopback TCP port) for `posdiag till`.
 * Driver-neutral: the lead's ZVT tests use it as the ESC/POS ones do.
 */
export interface PassthroughRigOptions {
  driver: string;
  deviceId?: string;
  /** The till's side: a pty link (made by the agent through socat) or a TCP listener on a free loopback port. */
  till: 'pty' | 'tcp';
  idleGap?: string;
  pollInterval?: string;
  requestTimeout?: string;
  unreachableAfter?: number;
  /** The device's `options:` as YAML flow text, e.g. `{ identify: false }`. */
  options?: string;
  /** The simulator writes every chunk in and out to `<dir>/device.jsonl` (`posdiag simulate --capture`). */
  captureDevice?: boolean;
  /** Faults at start, `NAME=VALUE`. */
  faults?: string[];
}

export interface PassthroughRig {
  dir: string;
  deviceId: string;
  /** The "cable" between the agent and the device; `unplug`/`replug` end and remake it. */
  pair: PtyPair;
  simulator: SimulatorUnderTest;
  agent: AgentUnderTest;
  /** What `posdiag till` takes to reach the virtual port: `['--port', link]` or `['--connect', 'host:port']`. */
  tillArgs: string[];
  /** `pty:<link>` or `tcp:127.0.0.1:<port>`, as the status shows it. */
  tillDescription: string;
  /** The simulator's capture file, when asked for. */
  deviceCapture: string | null;
  /** The device's entry in `GET /api/v1/status`. */
  device(): Promise<any>;
  /** Ends the pty pair between agent and device (both ends vanish, as when the cable is pulled); resolves once the simulator noticed. */
  unplug(): Promise<void>;
  /** A new pair on the same paths; resolves once the simulator has its end open again. */
  replug(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPassthroughRig(o: PassthroughRigOptions): Promise<PassthroughRig> {
  const socat = await requireSocat();
  const deviceId = o.deviceId ?? 'device-1';
  const dir = await mkdtemp(path.join(os.tmpdir(), `posdiag-passthrough-${o.driver}-`));
  const agentEnd = path.join(dir, 'ttyAgent');
  const deviceEnd = path.join(dir, 'ttyDevice');
  let pair = await openPtyPair(socat, agentEnd, deviceEnd);
  const deviceCapture = o.captureDevice ? path.join(dir, 'device.jsonl') : null;
  const extra = [...(deviceCapture ? ['--capture', deviceCapture] : []), ...(o.faults ?? []).flatMap((f) => ['--fault', f])];
  let simulator: SimulatorUnderTest | null = null;
  let agent: AgentUnderTest | null = null;
  try {
    simulator = await startSimulatorProcess(o.driver, ['--port', deviceEnd], extra);
    await simulator.process.waitForLine((l) => l.event === 'port-open');

    let tillArgs: string[];
    let tillDescription: string;
    let passthroughYaml: string;
    const idleGap = o.idleGap ?? '100ms';
    if (o.till === 'pty') {
      const link = path.join(dir, 'ttyTill');
      tillArgs = ['--port', link];
      tillDescription = `pty:${link}`;
      passthroughYaml = `{ type: pty, link: ${link}, idleGap: ${idleGap} }`;
    } else {
      const { host, port } = await freeLoopbackAddress();
      tillArgs = ['--connect', `${host}:${port}`];
      tillDescription = `tcp:${host}:${port}`;
      passthroughYaml = `{ type: tcp, listen: ${host}:${port}, idleGap: ${idleGap} }`;
    }
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
log: { level: debug, format: json }
devices:
  - id: ${deviceId}
    driver: ${o.driver}
    transport: { type: serial, path: ${agentEnd}, baudRate: 9600 }
    mode: passthrough
    passthrough: ${passthroughYaml}
    pollInterval: ${o.pollInterval ?? '200ms'}
    requestTimeout: ${o.requestTimeout ?? '300ms'}
    unreachableAfter: ${o.unreachableAfter ?? 2}
    reconnect: { minDelay: 100ms, maxDelay: 1s }
${o.options ? `    options: ${o.options}\n` : ''}`);
    const started = agent;
    const sim = simulator;

    const rig: PassthroughRig = {
      dir,
      deviceId,
      pair,
      simulator: sim,
      agent: started,
      tillArgs,
      tillDescription,
      deviceCapture,
      async device() {
        const { body } = await started.get('/api/v1/status');
        return body.devices.find((d: { id: string }) => d.id === deviceId);
      },
      async unplug() {
        const from = sim.process.lines.length;
        await pair.close();
        // The device's end noticed too (else, after replug, it would still hold the dead pty).
        await sim.process
          .waitForLine((l) => l.event === 'port-closed' && sim.process.lines.indexOf(l) >= from, 10_000)
          .catch((error: unknown) => {
            throw new Error(`the simulator did not notice its pty pair going away: ${String(error)}`);
          });
      },
      async replug() {
        const from = sim.process.lines.length;
        pair = await openPtyPair(socat, agentEnd, deviceEnd);
        rig.pair = pair;
        await sim.process.waitForLine((l) => l.event === 'port-open' && sim.process.lines.indexOf(l) >= from, 15_000);
      },
      async stop() {
        await started.stop();
        await sim.stop();
        await pair.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
    return rig;
  } catch (error) {
    await agent?.stop();
    await simulator?.stop();
    await pair.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface TillRun {
  code: number | null;
  summary: Record<string, unknown>;
  lines: Record<string, unknown>[];
  stderr: string[];
}

/** Runs `posdiag till …` to its summary line and exit. */
export async function runTill(args: string[], timeoutMs = 60_000): Promise<TillRun> {
  const till = new PosdiagProcess(['till', ...args]);
  const summary = await till.waitForLine((l) => l.event === 'summary', timeoutMs);
  const code = await till.exited;
  return { code, summary, lines: till.lines, stderr: till.stderr };
}

/**
 * A capture file (`posdiag simulate --capture`, `posdiag till --capture`): one JSON object a line.
 * A last line still being written is left out, so a file read while its writer runs is usable.
 */
export async function readCaptureLines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The bytes of the capture lines in the given directions, concatenated in file order (hex with or without spaces). */
export function captureBytes(lines: Record<string, unknown>[], dir: string): Uint8Array {
  const parts = lines.filter((l) => l.dir === dir).map((l) => Buffer.from(String(l.hex).replace(/\s+/g, ''), 'hex'));
  return Uint8Array.from(Buffer.concat(parts));
}
