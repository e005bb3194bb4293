#!/usr/bin/env node
// `npm test`: make sure the system test tools are there (installing them with apt-get when we
// are root), build, type-check, run every test, and end with one plain line:
// "N passed, N failed, N skipped". Exit code: vitest's, or 1 when tools are missing or a test
// was skipped in CI (a skipped test in CI hides a missing part).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testTools } from './test-tools.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const run = (command, args, options = {}) => spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
const onPath = (command) =>
  (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
// A tool is a command on PATH, or (fonts and other data) a file at a fixed path.
const present = (tool) => (tool.path ? existsSync(tool.path) : onPath(tool.command));

function ensureTools() {
  const missing = testTools.filter((tool) => !present(tool));
  if (missing.length === 0) return true;
  const packages = [...new Set(missing.map((tool) => tool.package))];
  const command = ['apt-get', 'install', '-y', '--no-install-recommends', ...packages];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && onPath('apt-get')) {
    console.log(`Installing test tools: ${packages.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env });
    const result = run(command[0], command.slice(1), { env });
    if (result.status === 0 && testTools.every(present)) return true;
  }
  console.error(`Missing test tools: ${missing.map((t) => `${t.command ?? t.path} (${t.why})`).join(', ')}`);
  console.error(`Install them with:\n  sudo ${command.join(' ')}`);
  return false;
}

if (!ensureTools()) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
for (const [what, args] of [
  ['build', ['tsc', '-p', 'tsconfig.build.json']],
  ['type-check', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
]) {
  if (run(npx, args).status !== 0) {
    console.error(`${what} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

mkdirSync(path.join(root, 'test-results'), { recursive: true });
const report = path.join(root, 'test-results', 'vitest.json');
const vitest = run(npx, ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
  skipped = results.numPendingTests + results.numTodoTests;
  // A file that failed to load has no tests to count but is a failure all the same.
  failed += results.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
} catch {
  failed = Math.max(failed, 1);
}
let exitCode = vitest.status ?? 1;
if (process.env.CI && skipped > 0) {
  console.error(`${skipped} test(s) skipped in CI: every test must run here; see the output above.`);
  exitCode = 1;
}
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode);
