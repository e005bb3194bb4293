#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (built by `npm install` through the
// "prepare" script). main() returns the exit code once the command has finished and cleaned up;
// exiting here, explicitly, means a forgotten handle can never keep a stopped agent alive.
import v8 from 'node:v8';

// No optimising compiler (TurboFan), set before any of the agent's code loads: most of the
// agent's heap is library code it runs rarely, and optimised copies of it cost about 12 MB of
// resident memory for no CPU a process polling a few devices a second would notice (figures in
// BENCHMARKS.md). Set here so every way of starting the agent (npm start, the service unit,
// Docker, npx) gets it. Not --lite-mode: on Node 20 it implies --jitless, and fetch (undici's
// WebAssembly HTTP parser) then aborts the process.
v8.setFlagsFromString('--no-opt');

const { main } = await import('../dist/src/cli/main.js');
process.exit(await main(process.argv.slice(2)));
