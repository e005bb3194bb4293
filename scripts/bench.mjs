#!/usr/bin/env node
// `npm run bench [-- --quick]`: build, then run the benchmark on the compiled agent.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
const bench = spawnSync(process.execPath, [path.join(root, 'dist/bench/run.js'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(bench.status ?? 1);
