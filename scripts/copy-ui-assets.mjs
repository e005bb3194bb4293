#!/usr/bin/env node
// Copies the status page's files (HTML, JS, CSS, message files) next to the compiled code in
// dist/src/http/ui/, which is what the npm package and the Docker image ship. tsc copies only
// what TypeScript imports; these files are served, not imported.
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
for (const folder of ['assets', 'messages']) {
  const from = path.join(root, 'src', 'http', 'ui', folder);
  const to = path.join(root, 'dist', 'src', 'http', 'ui', folder);
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
}
