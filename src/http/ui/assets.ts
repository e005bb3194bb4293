import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The status page's files, served by the agent itself (a shop PC may have no internet, and a
 * page that loads code from a CDN would leak the till's IP and break offline). They live in
 * src/http/ui/{assets,messages}; `npm run build` copies them next to the compiled code
 * (dist/src/http/ui/), which is what the package and the Docker image ship. A bare `tsc` build
 * in a checkout has no copy, so the source folder is the fallback.
 */
export interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** The files the page is made of, by URL path under /ui/ (index.html is the template of `/`). */
export const assetFiles = ['assets/index.html', 'assets/app.js', 'assets/render.js', 'assets/charts.js', 'assets/style.css', 'messages/en.json', 'messages/zh-CN.json'] as const;

export function uiRoot(): string {
  const candidates = [new URL('./', import.meta.url), new URL('../../../../src/http/ui/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(`${dir}assets/index.html`)) return dir;
  }
  throw new Error('the status page files are missing (src/http/ui/assets); run `npm run build`');
}

export function loadAssets(root: string = uiRoot()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of assetFiles) {
    const body = readFileSync(`${root}${file}`);
    assets.set(file, makeAsset(body, types[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream'));
  }
  return assets;
}

export function makeAsset(body: Buffer, type: string): Asset {
  return { body, gzip: gzipSync(body, { level: 9 }), type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}
