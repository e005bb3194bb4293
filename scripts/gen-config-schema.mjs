#!/usr/bin/env node
// Rewrites config/config.schema.json from the zod schema in src/config/. The generator is
// TypeScript and runs inside vitest, which compiles it; this is the memorable name for
//   UPDATE_SCHEMA=1 npx vitest run test/unit/config/json-schema.test.ts
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const result = spawnSync(npx, ['vitest', 'run', 'test/unit/config/json-schema.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, UPDATE_SCHEMA: '1' },
});
process.exitCode = result.status ?? 1;
