// PowerDNS Authoritative (gsqlite3 backend, HTTP API) as a throwaway peer for the API benchmark.
//
// Installs nothing: it checks that pdns_server and the gsqlite3 backend are there, builds a temp
// dir with a fresh SQLite db (schema shipped by pdns-backend-sqlite3) and a pdns.conf, runs
// pdns_server in the foreground as a child, waits for the API and stops it at the end.
// Run alone (`node bench/api/pdns.mjs`) it starts PowerDNS and keeps it up until Ctrl-C;
// `node bench/api/pdns.mjs --check` only checks the installation.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, makeAgent, requestJson, waitForHttp } from './lib/http.mjs';
import { makeTempDir, releaseAll, runSync, shuttingDown, startChild, which } from './lib/procs.mjs';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PDNS_INSTALL_HINT = 'apt-get install -y pdns-server pdns-backend-sqlite3';

/** Throws with the apt-get line to run when PowerDNS or its SQLite backend is missing. */
export function checkPdnsInstalled() {
  const bin = which('pdns_server');
  if (!bin) {
    throw new Error(`pdns_server not found. Install the peer with:\n  sudo ${PDNS_INSTALL_HINT}`);
  }
  const backend = findBackendLib();
  if (!backend) {
    throw new Error(`PowerDNS gsqlite3 backend not found. Install it with:\n  sudo ${PDNS_INSTALL_HINT}`);
  }
  return { bin, backend, schema: findSchema() };
}

function findBackendLib() {
  const listed = runSync('dpkg-query', ['-L', 'pdns-backend-sqlite3'], { timeoutMs: 10_000 });
  const fromDpkg = listed.stdout.split('\n').find((l) => l.endsWith('/libgsqlite3backend.so'));
  if (fromDpkg && existsSync(fromDpkg)) return fromDpkg;
  for (const base of ['/usr/lib', '/usr/lib64', '/usr/local/lib']) {
    if (!existsSync(base)) continue;
    for (const sub of ['pdns', ...readdirSync(base).map((d) => join(d, 'pdns'))]) {
      const p = join(base, sub, 'libgsqlite3backend.so');
      if (existsSync(p)) return p;
    }
  }
  return null;
}

/** The full (not upgrade) schema shipped by the Debian package. */
function findSchema() {
  const listed = runSync('dpkg-query', ['-L', 'pdns-backend-sqlite3'], { timeoutMs: 10_000 });
  const candidates = [
    ...listed.stdout.split('\n').filter((l) => /\/schema\.sqlite3\.sql$/.test(l)),
    '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql',
    '/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql',
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('schema.sqlite3.sql of pdns-backend-sqlite3 not found (dpkg -L pdns-backend-sqlite3)');
  return found;
}

/** Creates the db with the sqlite3 CLI, or better-sqlite3 from the project's node_modules. */
function createDb(dbPath, schemaPath) {
  const schema = readFileSync(schemaPath, 'utf8');
  if (which('sqlite3')) {
    const r = runSync('sqlite3', ['-bail', dbPath], { input: schema, timeoutMs: 30_000 });
    if (r.status !== 0) throw new Error(`sqlite3 failed to load ${schemaPath}: ${r.stderr.trim()}`);
    return 'sqlite3 CLI';
  }
  try {
    const Database = createRequire(join(REPO_ROOT, 'package.json'))('better-sqlite3');
    const db = new Database(dbPath);
    db.exec(schema);
    db.close();
    return 'better-sqlite3';
  } catch (err) {
    throw new Error(`cannot create the PowerDNS SQLite db: no sqlite3 CLI (apt-get install -y sqlite3) and better-sqlite3 failed: ${err.message}`);
  }
}

function pdnsConf({ dir, db, apiKey, apiPort, dnsPort }) {
  // Defaults of pdns 4.7 are kept for everything that touches the write path
  // (gsqlite3-pragma-journal-mode=WAL, gsqlite3-pragma-synchronous unset = SQLite's FULL,
  // gsqlite3-dnssec=no, soa-edit-api=DEFAULT), so the peer runs as a packager ships it.
  return [
    'launch=gsqlite3',
    `gsqlite3-database=${db}`,
    'api=yes',
    `api-key=${apiKey}`,
    'webserver=yes',
    'webserver-address=127.0.0.1',
    `webserver-port=${apiPort}`,
    'webserver-allow-from=127.0.0.1',
    'local-address=127.0.0.1',
    `local-port=${dnsPort}`,
    'daemon=no',
    'guardian=no',
    'write-pid=no',
    `socket-dir=${dir}`,
    'disable-syslog=yes',
    'log-timestamp=no',
    'loglevel=4',
    // no outgoing security-status queries: the machine may only talk to loopback
    'security-poll-suffix=',
    '',
  ].join('\n');
}

/**
 * Starts PowerDNS; resolves with {baseUrl, apiKey, dnsPort, version, headers, tail, alive(), stop()}.
 */
export async function startPdns({ echo = false, startTimeoutMs = 20_000 } = {}) {
  const { bin, schema } = checkPdnsInstalled();
  const { dir } = makeTempDir('zk-bench-pdns-');
  const db = join(dir, 'pdns.sqlite3');
  const dbTool = createDb(db, schema);
  const apiKey = randomBytes(18).toString('base64url');
  const apiPort = await freePort();
  const dnsPort = await freePort({ udp: true });
  writeFileSync(join(dir, 'pdns.conf'), pdnsConf({ dir, db, apiKey, apiPort, dnsPort }));
  const proc = startChild('pdns', bin, [`--config-dir=${dir}`], { echo });
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const headers = { 'x-api-key': apiKey };
  const hasExited = () => (proc.exitInfo ? JSON.stringify(proc.exitInfo) : null);
  try {
    await waitForHttp(baseUrl, '/api/v1/servers/localhost', { timeoutMs: startTimeoutMs, hasExited, headers });
    const agent = makeAgent(1);
    const info = await requestJson(agent, baseUrl, { method: 'GET', path: '/api/v1/servers/localhost', headers }, 'pdns server info');
    agent.destroy();
    return {
      baseUrl,
      apiKey,
      headers,
      dnsPort,
      dir,
      version: info?.version ?? 'unknown',
      config: { schema, dbTool, conf: pdnsConf({ dir, db, apiKey: '<random>', apiPort, dnsPort }) },
      tail: proc.tail,
      problems: proc.problems,
      alive: () => !proc.exitInfo,
      exited: proc.exited,
      stop: proc.stop,
    };
  } catch (err) {
    await proc.stop();
    throw new Error(`PowerDNS did not start: ${err.message}\n--- pdns output ---\n${proc.tail.slice(-30).join('\n')}`);
  }
}

async function cli(argv) {
  if (argv.includes('--check')) {
    const found = checkPdnsInstalled();
    console.log(JSON.stringify(found, null, 2));
    return;
  }
  const pdns = await startPdns({ echo: argv.includes('--verbose') });
  console.log(`PowerDNS ${pdns.version} API on ${pdns.baseUrl} (X-API-Key: ${pdns.apiKey}), DNS on 127.0.0.1:${pdns.dnsPort}`);
  console.log(`data in ${pdns.dir}; Ctrl-C stops it and removes the dir`);
  const how = await pdns.exited; // until a signal (procs.mjs releases everything) or pdns dies
  if (shuttingDown()) return;
  console.error(`pdns_server exited: ${JSON.stringify(how)}\n${pdns.tail.slice(-20).join('\n')}`);
  await releaseAll();
  process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).catch(async (err) => {
    console.error(`pdns: ${err.message}`);
    await releaseAll();
    process.exit(1);
  });
}
