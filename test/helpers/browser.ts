import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { repoRoot } from './process.js';

/** Debian's chromium; Playwright's own browser download does not work on these machines. */
export const chromiumPath = '/usr/bin/chromium';

/** Where the browser tests leave their screenshots (test artifacts; two are copied to docs/). */
export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

/**
 * Headless chromium, or a failing test that says how to install it: a page test that does not
 * run proves nothing. (`npm test` installs it when it can, see scripts/test-tools.mjs.)
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error('chromium is not installed; run `npm test` as root, or: sudo apt-get install -y chromium fonts-noto-cjk');
  await mkdir(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // No sandbox: the tests run as root in a container; no GPU, no /dev/shm (small in containers),
    // and nothing that phones home (updates, sync, QUIC probes): test traffic stays on loopback.
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
