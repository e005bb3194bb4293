/**
 * What a shop PC gets: `npm pack` makes the tarball, `npm install -g --prefix` installs it
 * into an empty directory (dependencies from the npm registry, native modules built as on a
 * real install), and the installed `posdiag` runs --version, check and a service dry run.
 * Slow (better-sqlite3 compiles for about a minute here), and the only test that proves
 * package.json "files" holds everything needed at run time.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/process.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const INSTALL_TIMEOUT_MS = 420_000;

describe('npm package', () => {
  let dir: string;
  let tarball: string;
  let packed: { size: number; unpackedSize: number; files: { path: string }[] };
  let prefix: string;
  let posdiag: string;
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-pack-'));
    // --ignore-scripts: the tests run against the dist/ built before them; "prepare" would
    // rebuild it in the middle of the run.
    const { stdout } = await run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    packed = (JSON.parse(stdout) as (typeof packed & { filename: string })[])[0]!;
    tarball = path.join(dir, (packed as unknown as { filename: string }).filename);
    prefix = path.join(dir, 'prefix');
    await run(npm, ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', tarball], {
      cwd: dir,
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    posdiag = path.join(prefix, 'bin', 'posdiag');
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships the compiled code, the launcher and the configs, and no sources or tests', () => {
    const files = packed.files.map((file) => file.path);
    for (const needed of ['bin/posdiag.js', 'dist/src/cli/main.js', 'dist/src/service/systemd.js', 'config/default.yaml', 'config/config.schema.json', 'package.json', 'README.md']) {
      expect(files).toContain(needed);
    }
    expect(files.filter((file) => /^(src|test|drivers)\/|\.test\.js$|^dist\/test\//.test(file))).toEqual([]);
    // A tarball that grows past this has picked up something it should not ship.
    expect(packed.size).toBeLessThan(2 * 1024 * 1024);
  });

  it('the installed posdiag prints its version', async () => {
    const { stdout } = await run(posdiag, ['--version']);
    expect(stdout.trim()).toBe(version);
  });

  it('the installed posdiag checks a config: a healthy simulated printer, exit 0', async () => {
    const config = path.join(dir, 'shop.yaml');
    await writeFile(
      config,
      [
        'storage:',
        `  dir: ${path.join(dir, 'data')}`,
        'devices:',
        '  - id: printer-1',
        '    driver: escpos',
        '    transport: { type: simulator, pty: never }',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(posdiag, ['check', '--config', config], { cwd: dir, env: { ...process.env, POSDIAG_CONFIG: '' } });
    expect(stdout).toContain(`posdiag check — ${config}`);
    expect(stdout).toContain('printer-1 (escpos');
    expect(stdout).toContain('overall: ok');
  });

  it('the installed posdiag would install a service that runs the installed copy', async () => {
    const { stdout } = await run(posdiag, ['service', 'install', '--dry-run', '--platform', 'linux']);
    expect(stdout).toContain(`ExecStart=${process.execPath} --max-semi-space-size=1 ${path.join(prefix, 'lib', 'node_modules', 'posdiag', 'bin', 'posdiag.js')} run`);
  });
});
