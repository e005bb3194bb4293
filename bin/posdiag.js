#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (built by `npm install` through the
// "prepare" script). main() returns the exit code once the command has finished and cleaned up;
// exiting here, explicitly, means a forgotten handle can never keep a stopped agent alive.
import { main } from '../dist/src/cli/main.js';

process.exit(await main(process.argv.slice(2)));
