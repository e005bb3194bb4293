/**
 * Carries out a plan from plan.ts: the only part of `posdiag service` that touches the machine.
 * With a root directory other than `/`, files go below it and commands are not run (they would
 * act on this machine, not on the root): that is how the tests install into a temp directory.
 */
import { execFile, spawn } from 'node:child_process';
import { createReadStream, watchFile, unwatchFile } from 'node:fs';
import { copyFile, mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newestRolledFile } from '../log-files.js';
import { describeStep, type Step } from './plan.js';

export interface ExecuteOptions {
  /** `/` for the real thing; any other directory receives the files and no command is run. */
  root: string;
  out: NodeJS.WritableStream;
}

export class StepFailed extends Error {}

/** Runs the steps in order and stops at the first failure (throws StepFailed naming it). */
export async function executePlan(steps: Step[], { root, out }: ExecuteOptions): Promise<void> {
  const intoRoot = path.resolve(root) !== path.parse(path.resolve(root)).root;
  for (const step of steps) {
    out.write(`${describeStep(step)}\n`);
    switch (step.kind) {
      case 'mkdir':
        await mkdir(rooted(root, step.path), { recursive: true });
        break;
      case 'write':
        await writeFile(rooted(root, step.path), step.content, { mode: step.mode, flag: step.keepExisting ? 'wx' : 'w' }).catch((error: NodeJS.ErrnoException) => {
          if (step.keepExisting && error.code === 'EEXIST') out.write('       kept the existing file\n');
          else throw error;
        });
        break;
      case 'copy':
        await copyFile(step.from, rooted(root, step.to));
        break;
      case 'remove':
        await rm(rooted(root, step.path), { force: true });
        break;
      case 'run':
        if (intoRoot) {
          out.write(`       not run: installing into ${root}\n`);
          break;
        }
        await runStep(step, out);
        break;
      case 'tail':
        await tail(rooted(root, step.path), step.lines, step.follow, out);
        break;
    }
  }
}

async function runStep(step: Extract<Step, { kind: 'run' }>, out: NodeJS.WritableStream): Promise<void> {
  if (step.unless && (await exitCode(step.unless, 'ignore')) === 0) {
    out.write('       already done\n');
    return;
  }
  const code = await exitCode(step.argv, 'inherit');
  if (code === 0) return;
  if (step.mayFail) {
    out.write(`       exit code ${code}; carrying on\n`);
    return;
  }
  throw new StepFailed(`${step.argv[0]} failed (exit code ${code}): ${step.why}`);
}

/** argv[0] with the rest as its arguments, no shell. 127 when the program cannot be started. */
function exitCode(argv: string[], stdio: 'inherit' | 'ignore'): Promise<number> {
  const [command, ...args] = argv as [string, ...string[]];
  if (stdio === 'ignore') {
    return new Promise((resolve) => execFile(command, args, (error) => resolve(error ? (typeof error.code === 'number' ? error.code : 127) : 0)));
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** A platform path placed under root (Windows drive letters become a directory). */
export function rooted(root: string, target: string): string {
  if (path.resolve(root) === path.parse(path.resolve(root)).root) return target;
  const parts = target.replace(/^([A-Za-z]):/, '$1').split(/[\\/]+/).filter(Boolean);
  return path.join(root, ...parts);
}

/** The last `lines` lines of the newest rolled file of `logFile`, then new lines as they come. */
async function tail(logFile: string, lines: number, follow: boolean, out: NodeJS.WritableStream): Promise<void> {
  const file = await newestRolledFile(logFile);
  if (!file) throw new StepFailed(`no log file like ${logFile} yet; is log.file set in the configuration?`);
  const { size } = await stat(file);
  // Reads at most the last MB: plenty for a few hundred lines.
  const start = Math.max(0, size - 1024 * 1024);
  const handle = await open(file, 'r');
  const buffer = Buffer.alloc(size - start);
  await handle.read(buffer, 0, buffer.length, start);
  await handle.close();
  const text = buffer.toString('utf8').split('\n');
  if (text.at(-1) === '') text.pop();
  out.write(text.slice(-lines).map((line) => `${line}\n`).join(''));
  if (!follow) return;
  let offset = size;
  await new Promise<void>((resolve) => {
    const onChange = (current: { size: number }) => {
      if (current.size < offset) offset = 0;
      if (current.size === offset) return;
      createReadStream(file, { start: offset, end: current.size - 1 }).pipe(out, { end: false });
      offset = current.size;
    };
    watchFile(file, { interval: 500 }, onChange);
    process.once('SIGINT', () => {
      unwatchFile(file, onChange);
      resolve();
    });
  });
}

