/**
 * The Dockerfile, without Docker (this machine has only the client): linted by dockerfilelint
 * (zero findings), its shape checked line by line, and its HEALTHCHECK command run for real
 * against HTTP and HTTPS servers on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeTestPki } from '../integration/probes/helpers/certs.js';
import { repoRoot } from '../helpers/process.js';

const run = promisify(execFile);
const dockerfilePath = path.join(repoRoot, 'Dockerfile');
const dockerfile = readFileSync(dockerfilePath, 'utf8');
const lintBin = path.join(repoRoot, 'node_modules', '.bin', 'dockerfilelint');

/** dockerfilelint exits with the number of findings; -j prints them as JSON. */
async function lint(target: string): Promise<{ totalIssues: number; files: { issues: { line: string; title: string }[] }[] }> {
  const output = await run(lintBin, ['-j', target]).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  return JSON.parse(output);
}

/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));

describe('Dockerfile', () => {
  it('has no dockerfilelint findings', async () => {
    const result = await lint(dockerfilePath);
    expect(result.files[0]?.issues).toEqual([]);
    expect(result.totalIssues).toBe(0);
  });

  it('the lint would notice a bad Dockerfile (so zero findings means something)', async () => {
    const result = await lint('FROM node\nRUN apt-get install curl\n');
    expect(result.totalIssues).toBeGreaterThanOrEqual(3);
  });

  it('builds in one stage and runs from a slim Node 20 base with production dependencies only, as a non-root user', () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    expect(froms).toEqual(['FROM node:20-bookworm-slim AS build', 'FROM node:20-bookworm-slim']);
    const runtime = instructions.slice(instructions.indexOf('FROM node:20-bookworm-slim'));
    expect(instructions.some((line) => line.includes('npm prune --omit=dev'))).toBe(true);
    // No toolchain and no sources in the image that runs.
    expect(runtime.join('\n')).not.toMatch(/g\+\+|COPY \. \./);
    const user = runtime.find((line) => line.startsWith('USER '));
    expect(user).toBe('USER posdiag');
    expect(runtime.indexOf(user!)).toBeLessThan(runtime.findIndex((line) => line.startsWith('ENTRYPOINT')));
    expect(runtime.join('\n')).toContain('--groups dialout');
  });

  it('copies everything the package ships for run time', () => {
    const { files } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { files: string[] };
    const copied = instructions.filter((line) => line.startsWith('COPY --from=build')).map((line) => line.split(' ').at(-1)!.replace(/^\.\//, ''));
    for (const entry of files.filter((file) => file !== 'README.md')) {
      expect(copied, `${entry} (package.json files) is not copied into the image`).toContain(entry.replace(/\/$/, ''));
    }
  });

  describe('HEALTHCHECK', () => {
    const line = instructions.find((l) => l.startsWith('HEALTHCHECK'))!;
    const command = JSON.parse(line.slice(line.indexOf('CMD') + 3).trim()) as string[];

    it('runs `posdiag health`, which reads the agent\'s own config (POSDIAG_CONFIG in the image)', () => {
      expect(command).toEqual(['node', '/app/bin/posdiag.js', 'health']);
    });

    /** Runs the image's health command, from this checkout, with a config naming `port`; its exit code. */
    async function healthcheck(config: string): Promise<number> {
      const bin = path.join(repoRoot, 'bin', 'posdiag.js');
      return run(process.execPath, [bin, ...command.slice(2)], { env: { ...process.env, POSDIAG_CONFIG: config } }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    }

    async function withServer(
      status: number,
      test: (port: number) => Promise<void>,
      tls: { cert: string; key: string } | null = null,
    ): Promise<void> {
      const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
        response.statusCode = request.url === '/healthz' ? status : 404;
        response.end();
      };
      const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        await test((server.address() as AddressInfo).port);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    }

    it('exits 0 for a 200, 1 for an error status and 1 when nothing listens', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-health-'));
      const config = path.join(dir, 'posdiag.yaml');
      const listenOn = (port: number) => writeFile(config, `http: { listen: 127.0.0.1:${port} }\n`);
      try {
        await withServer(200, async (port) => expect(await listenOn(port).then(() => healthcheck(config))).toBe(0));
        await withServer(503, async (port) => expect(await listenOn(port).then(() => healthcheck(config))).toBe(1));
        let closedPort = 0;
        await withServer(200, async (port) => void (closedPort = port));
        await listenOn(closedPort);
        expect(await healthcheck(config)).toBe(1);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('asks over HTTPS when the config sets http.tls, trusting the agent\'s own certificate', async () => {
      const pki = await makeTestPki();
      const dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-health-tls-'));
      try {
        await writeFile(path.join(dir, 'cert.pem'), pki.selfSigned.cert);
        await writeFile(path.join(dir, 'key.pem'), pki.selfSigned.key);
        const config = path.join(dir, 'posdiag.yaml');
        await withServer(
          200,
          async (port) => {
            await writeFile(config, `http:\n  listen: 127.0.0.1:${port}\n  tls: { cert: ${dir}/cert.pem, key: ${dir}/key.pem }\n`);
            expect(await healthcheck(config)).toBe(0);
            // The same server asked over plain HTTP (the old check) fails: this is what the fix is for.
            await writeFile(config, `http: { listen: 127.0.0.1:${port} }\n`);
            expect(await healthcheck(config)).toBe(1);
          },
          pki.selfSigned,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
        await pki.cleanup();
      }
    });
  });
});
