// zonekeeper as a bench target: SQLite in a temp data dir, or a fresh PostgreSQL database.
//
// Contract assumed from the zonekeeper CLI (see bench/README.md):
//   node bin/zonekeeper.js keys create --data DIR [--database-url URL] --name bench
//        --scopes read:dns,write:dns --json           → stdout JSON with "token"
//   node bin/zonekeeper.js serve --data DIR --http 127.0.0.1:PORT [--database-url URL]
//        with env ZONEKEEPER_RATE_LIMIT=off
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForHttp } from './lib/http.mjs';
import { makeTempDir, register, runSync, startChild, which } from './lib/procs.mjs';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ZK_ENV = { ZONEKEEPER_RATE_LIMIT: 'off' };

function checkBuilt(bin) {
  if (!existsSync(bin)) throw new Error(`zonekeeper CLI not found at ${bin}`);
  if (bin === join(REPO_ROOT, 'bin', 'zonekeeper.js') && !existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error(`zonekeeper is not built (dist/cli/main.js missing): run \`npm ci\` or \`npm run build\` in ${REPO_ROOT}`);
  }
}

/** Parses the JSON that `keys create --json` prints (the whole stdout, or its last JSON line). */
function parseToken(stdout) {
  const attempts = [stdout.trim(), ...stdout.trim().split('\n').reverse()];
  for (const text of attempts) {
    if (!text.startsWith('{')) continue;
    try {
      const obj = JSON.parse(text);
      const token = obj.token ?? obj.data?.token ?? obj.key?.token;
      if (typeof token === 'string' && token) return token;
    } catch {
      // try the next candidate
    }
  }
  return null;
}

/** CREATE DATABASE zk_bench_<random> through psql; registered for DROP at the end. */
function createPgDatabase(adminUrl) {
  if (!which('psql')) throw new Error('psql not found (apt-get install -y postgresql-client)');
  const name = `zk_bench_${randomBytes(5).toString('hex')}`;
  const psql = (sql) => runSync('psql', [adminUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { timeoutMs: 30_000 });
  const made = psql(`CREATE DATABASE ${name}`);
  if (made.status !== 0) throw new Error(`cannot create PostgreSQL database ${name} via ${adminUrl}: ${made.stderr.trim()}`);
  const drop = () => {
    const r = psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    if (r.status !== 0) console.error(`bench: DROP DATABASE ${name} failed: ${r.stderr.trim()}`);
  };
  register(`PostgreSQL database ${name}`, { kill: drop });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const version = psql('SHOW server_version').stdout.trim();
  return { name, url: url.toString(), version };
}

/**
 * Starts zonekeeper; resolves with {baseUrl, token, headers, info, tail, alive(), stop()}.
 * backend: 'sqlite' | 'postgres'.
 */
export async function startZonekeeper({ backend, pgAdminUrl, bin, extraArgs = [], echo = false, startTimeoutMs = 30_000 }) {
  const zkBin = bin ? resolve(bin) : join(REPO_ROOT, 'bin', 'zonekeeper.js');
  checkBuilt(zkBin);
  const { dir } = makeTempDir(`zk-bench-${backend}-`);
  const dbArgs = [];
  const info = { backend };
  if (backend === 'postgres') {
    const db = createPgDatabase(pgAdminUrl);
    dbArgs.push('--database-url', db.url);
    info.postgres = { database: db.name, serverVersion: db.version };
  }
  const keyArgs = ['keys', 'create', '--data', dir, ...dbArgs, '--name', 'bench', '--scopes', 'read:dns,write:dns', '--json'];
  const made = runSync(process.execPath, [zkBin, ...keyArgs], { env: ZK_ENV, cwd: REPO_ROOT, timeoutMs: 60_000 });
  if (made.status !== 0) {
    throw new Error(`\`zonekeeper ${keyArgs.join(' ')}\` exited ${made.status}: ${(made.stderr || made.stdout).trim().slice(0, 800)}`);
  }
  const token = parseToken(made.stdout);
  if (!token) throw new Error(`\`zonekeeper keys create --json\` printed no {"token": ...}: ${made.stdout.slice(0, 500)}`);

  const port = await freePort();
  const serveArgs = [zkBin, 'serve', '--data', dir, '--http', `127.0.0.1:${port}`, ...dbArgs, ...extraArgs];
  const proc = startChild(`zk-${backend}`, process.execPath, serveArgs, { env: ZK_ENV, cwd: REPO_ROOT, echo });
  const baseUrl = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${token}` };
  const hasExited = () => (proc.exitInfo ? JSON.stringify(proc.exitInfo) : null);
  try {
    await waitForHttp(baseUrl, '/api/v2/dns-zones', { timeoutMs: startTimeoutMs, hasExited, headers });
  } catch (err) {
    await proc.stop();
    throw new Error(`zonekeeper (${backend}) did not start: ${err.message}\n--- output of \`node ${serveArgs.join(' ')}\` ---\n${proc.tail.slice(-30).join('\n')}`);
  }
  return { baseUrl, token, headers, info, tail: proc.tail, problems: proc.problems, alive: () => !proc.exitInfo, stop: proc.stop };
}
