// Builds the batched UDP addon (native/udp, Linux only) with node-gyp. Never fails the install or
// the build: without the addon the DNS server answers UDP through node:dgram (and says so once).
// `--strict` exits non-zero on failure instead (for CI that wants to know); `--force` rebuilds
// even when the addon is newer than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict');

function warn(text) {
  process.stderr.write(`zonekeeper: ${text}\n  DNS will answer UDP through node:dgram (slower). Needs python3, make and a C++17 compiler; retry with \`npm run build:native\`.\n`);
  process.exit(strict ? 1 : 0);
}

if (process.platform !== 'linux') {
  process.stderr.write('zonekeeper: batched UDP I/O is Linux-only; skipping the native addon (DNS uses node:dgram)\n');
  process.exit(0);
}
if (process.env.ZONEKEEPER_SKIP_NATIVE === '1') process.exit(0);

// Up to date: the addon is newer than every source (npm test runs the build each time).
const built = path.join(here, 'build/Release/udp_batch.node');
const sources = [path.join(here, 'binding.gyp'), path.join(here, 'src/udp_batch.cc'), fileURLToPath(import.meta.url)];
if (!process.argv.includes('--force') && existsSync(built) && sources.every((f) => statSync(f).mtimeMs <= statSync(built).mtimeMs)) process.exit(0);

// node-gyp as npm runs it: npm_config_node_gyp (set for scripts), else the copy bundled with npm.
const candidates = [
  process.env.npm_config_node_gyp,
  path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  path.join(path.dirname(process.execPath), 'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
].filter((p) => typeof p === 'string' && p !== '' && existsSync(p));
const gyp = candidates[0];
// Build against the headers installed with this Node (no download) unless npm names a nodedir.
const args = ['rebuild'];
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(path.join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);
const cmd = gyp !== undefined ? [process.execPath, [gyp, ...args]] : ['node-gyp', args];
const r = spawnSync(cmd[0], cmd[1], { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error) warn(`could not run node-gyp (${r.error.message}); the batched UDP addon was not built.`);
if (r.status !== 0) warn('building the batched UDP addon (native/udp) failed; see the output above.');
if (!existsSync(path.join(here, 'build/Release/udp_batch.node'))) warn('node-gyp finished but build/Release/udp_batch.node is missing.');
