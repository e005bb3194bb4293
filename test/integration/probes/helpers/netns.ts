/**
 * Two network namespaces joined by a veth pair, for probe tests that need a real gateway and real
 * packet loss without touching any network but their own:
 *
 *   client ns  pdc<id> 198.18.0.2/30 ──veth── 198.18.0.1/30 pdg<id>  gateway ns
 *              default via 198.18.0.1                 lo: 198.19.0.10/32 (the "acquirer")
 *
 * 198.18.0.0/15 is the benchmarking range (RFC 2544); nothing outside these namespaces routes it.
 * The probes run inside the client namespace in a child `node` (`ip netns exec`), from the probe
 * sources transpiled into a temp dir, so they see that namespace's routes, /sys and sockets.
 * All commands are argv arrays.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import type { NetworkPathResult, ProbeOptions, ProbeTarget } from '../../../../src/probes/types.js';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export const CLIENT_ADDR = '198.18.0.2';
export const GATEWAY_ADDR = '198.18.0.1';
export const ACQUIRER_ADDR = '198.19.0.10';

async function sh(args: string[]): Promise<string> {
  try {
    return (await run(args[0]!, args.slice(1), { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new Error(`${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Transpiles src/probes into `dir` (ESM .js) and links the repo's node_modules beside it. */
async function buildProbes(dir: string): Promise<void> {
  const src = join(REPO, 'src/probes');
  await mkdir(join(dir, 'probes'));
  for (const file of (await readdir(src)).filter((f) => f.endsWith('.ts'))) {
    const out = ts.transpileModule(await readFile(join(src, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    await writeFile(join(dir, 'probes', file.replace(/\.ts$/, '.js')), out.outputText);
  }
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(
    join(dir, 'run-path.js'),
    `import { probeNetworkPath } from './probes/network.js';
     const { targets, options } = JSON.parse(process.argv[2]);
     process.stdout.write(JSON.stringify(await probeNetworkPath(targets, options)));`,
  );
  // Rounds of the daemon's streaming pinger, until at least \`echoes\` outcomes are in.
  await writeFile(
    join(dir, 'run-stream.js'),
    `import { createPinger } from './probes/ping.js';
     import { createStreamingPinger } from './probes/ping-stream.js';
     const { address, spacingMs, echoes } = JSON.parse(process.argv[2]);
     const pinger = createStreamingPinger({ spacingMs, fallback: createPinger() });
     const rounds = [];
     let total = 0;
     while (total < echoes) {
       const outcome = await pinger.ping({ address, count: 3, intervalMs: spacingMs, waitMs: 1000 }, AbortSignal.timeout(10000));
       rounds.push(outcome);
       total += outcome.sent ?? echoes;
     }
     pinger.close();
     process.stdout.write(JSON.stringify(rounds));`,
  );
}

export class NetnsLab {
  readonly client: string;
  readonly gateway: string;
  private readonly clientIf: string;
  private readonly gatewayIf: string;
  private dir = '';
  private children: ChildProcess[] = [];

  constructor() {
    const id = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`.slice(-8);
    this.client = `pdc${id}`;
    this.gateway = `pdg${id}`;
    this.clientIf = `pdc${id}`;
    this.gatewayIf = `pdg${id}`;
  }

  async setUp(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'posdiag-netns-'));
    await buildProbes(this.dir);
    const [c, g] = [this.client, this.gateway];
    await sh(['ip', 'netns', 'add', c]);
    await sh(['ip', 'netns', 'add', g]);
    await sh(['ip', 'link', 'add', this.clientIf, 'netns', c, 'type', 'veth', 'peer', 'name', this.gatewayIf, 'netns', g]);
    await sh(['ip', '-n', c, 'addr', 'add', `${CLIENT_ADDR}/30`, 'dev', this.clientIf]);
    await sh(['ip', '-n', g, 'addr', 'add', `${GATEWAY_ADDR}/30`, 'dev', this.gatewayIf]);
    await sh(['ip', '-n', g, 'addr', 'add', `${ACQUIRER_ADDR}/32`, 'dev', 'lo']);
    for (const [ns, dev] of [[c, this.clientIf], [g, this.gatewayIf], [c, 'lo'], [g, 'lo']] as const) {
      await sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    }
    await sh(['ip', '-n', c, 'route', 'add', 'default', 'via', GATEWAY_ADDR]);
  }

  /** A TCP listener on the acquirer address inside the gateway namespace; resolves once listening. */
  async startAcquirer(port: number): Promise<void> {
    const script = `require('node:net').createServer((s) => s.on('error', () => {}).end())
      .listen(${port}, '${ACQUIRER_ADDR}', () => console.log('listening'));`;
    const child = spawn('ip', ['netns', 'exec', this.gateway, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit').then(() => {
      throw new Error(`acquirer server exited: ${stderr}`);
    });
    exited.catch(() => undefined); // matters only while starting
    const [line] = await Promise.race([once(child.stdout!, 'data'), exited]);
    if (!String(line).includes('listening')) throw new Error(`acquirer server said ${String(line)}`);
  }

  /** One probeNetworkPath round inside the client namespace. */
  async probe(targets: ProbeTarget[], options: Partial<ProbeOptions>): Promise<NetworkPathResult> {
    const out = await sh(['ip', 'netns', 'exec', this.client, process.execPath, join(this.dir, 'run-path.js'), JSON.stringify({ targets, options })]);
    return JSON.parse(out) as NetworkPathResult;
  }

  /** Rounds of the streaming pinger (one long-running ping) inside the client namespace. */
  async streamEchoes(address: string, spacingMs: number, echoes: number): Promise<Array<Record<string, unknown>>> {
    const args = JSON.stringify({ address, spacingMs, echoes });
    const out = await sh(['ip', 'netns', 'exec', this.client, process.execPath, join(this.dir, 'run-stream.js'), args]);
    return JSON.parse(out) as Array<Record<string, unknown>>;
  }

  /** Takes the gateway's address away (router hung or renumbered) and forgets its MAC. */
  async removeGateway(): Promise<void> {
    await sh(['ip', '-n', this.gateway, 'addr', 'del', `${GATEWAY_ADDR}/30`, 'dev', this.gatewayIf]);
    await sh(['ip', '-n', this.client, 'neigh', 'flush', 'all']);
  }

  async restoreGateway(): Promise<void> {
    await sh(['ip', '-n', this.gateway, 'addr', 'add', `${GATEWAY_ADDR}/30`, 'dev', this.gatewayIf]);
    await sh(['ip', '-n', this.client, 'neigh', 'flush', 'all']);
  }

  /** Drops `percent` % of ICMP to the acquirer inside the gateway namespace (no netem here: nftables numgen). */
  async dropIcmpToAcquirer(percent: number): Promise<void> {
    const file = join(this.dir, 'chaos.nft');
    await writeFile(
      file,
      `table inet posdiag_chaos {
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr ${ACQUIRER_ADDR} ip protocol icmp numgen random mod 100 < ${percent} drop
  }
}
`,
    );
    await sh(['ip', 'netns', 'exec', this.gateway, 'nft', '-f', file]);
  }

  async clearChaos(): Promise<void> {
    await sh(['ip', 'netns', 'exec', this.gateway, 'nft', 'delete', 'table', 'inet', 'posdiag_chaos']);
  }

  /** Removes everything this lab created; safe after a partial setUp. The veths go with the namespaces. */
  async tearDown(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.pid !== undefined) {
        child.kill('SIGKILL');
        await once(child, 'exit').catch(() => undefined);
      }
    }
    for (const ns of [this.client, this.gateway]) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
