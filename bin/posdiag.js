#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (built by `npm install` through the
// "prepare" script). main() returns the exit code; this is the one place that exits.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
