/**
 * The Dockerfile, without Docker (this machine has only the client): linted by dockerfilelint
 * (zero findings), its shape checked line by line, and its HEALTHCHECK command run for real
 * against HTTP servers on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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

    /** Runs the image's health command against a server on a free port; its exit code. */
    async function healthcheck(port: number): Promise<number> {
      const script = command[2]!.replace('127.0.0.1:9137', `127.0.0.1:${port}`);
      return run(process.execPath, ['-e', script]).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    }

    async function withServer(status: number, test: (port: number) => Promise<void>): Promise<void> {
      const server = http.createServer((request, response) => {
        response.statusCode = request.url === '/healthz' ? status : 404;
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        await test((server.address() as AddressInfo).port);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    }

    it('asks /healthz with node (no curl in the image) on the default port', () => {
      expect(command.slice(0, 2)).toEqual(['node', '-e']);
      expect(command[2]).toContain("fetch('http://127.0.0.1:9137/healthz')");
    });

    it('exits 0 for a 200, 1 for an error status and 1 when nothing listens', async () => {
      await withServer(200, async (port) => expect(await healthcheck(port)).toBe(0));
      await withServer(503, async (port) => expect(await healthcheck(port)).toBe(1));
      let closedPort = 0;
      await withServer(200, async (port) => void (closedPort = port));
      expect(await healthcheck(closedPort)).toBe(1);
    });
  });
});
