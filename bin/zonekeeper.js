#!/usr/bin/env node
// The `zonekeeper` command: runs the compiled CLI (npm ci builds it through the prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`zonekeeper: ${err && err.message ? err.message : err}`); process.exitCode = 1; },
);
