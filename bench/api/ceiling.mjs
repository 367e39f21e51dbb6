// The sequential-write ceiling of this machine for any Node.js HTTP + SQLite server: the same
// one-client workload as bench/api (POST a small JSON body, keep-alive, one request in flight)
// against minimal Fastify servers that do nothing, or only one raw better-sqlite3 transaction per
// request (WAL, synchronous=NORMAL: 6 inserts, like the statements of a zonekeeper record write).
// It puts zonekeeper's sequential rate in context; it measures no product.
//
// Usage (after npm ci):  node bench/api/ceiling.mjs [--count 2000] [--runs 3]
// Prints writes/s per variant (median of runs). Each server runs as a child process on a free
// loopback port and is stopped at the end; its temp database is removed.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const VARIANTS = [
  ['fastify only', { db: false, pad: 0 }],
  ['fastify + SQLite tx (6 small inserts)', { db: true, pad: 100 }],
  ['fastify + SQLite tx (6 inserts, ~18 KB)', { db: true, pad: 1000 }],
];

async function serve({ db, pad }) {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  let insert = null;
  if (db) {
    const { default: Database } = await import('better-sqlite3');
    const dir = mkdtempSync(path.join(tmpdir(), 'zk-ceiling-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const sqlite = new Database(path.join(dir, 'x.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.exec('create table t (id integer primary key, a text, b text, c text)');
    const stmt = sqlite.prepare('insert into t (a, b, c) values (?, ?, ?)');
    const text = 'x'.repeat(pad);
    insert = () => {
      sqlite.exec('begin immediate');
      for (let i = 0; i < 6; i++) stmt.run(text, text, text);
      sqlite.exec('commit');
    };
  }
  app.post('/records', async (req, reply) => {
    if (insert) insert();
    return reply.code(201).send({ id: 'drr_x', ...req.body });
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send({ port: new URL(address).port });
  process.on('disconnect', () => process.exit(0));
}

function post(agent, port, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/records', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function measure(variant, count) {
  const child = fork(new URL(import.meta.url).pathname, ['--serve', JSON.stringify(variant)], { stdio: 'inherit' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000).unref();
  try {
    const { port } = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 50; i++) await post(agent, port, { type: 'A', name: `warm${i}`, value: '198.51.100.1', ttl: 300 });
    const t = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await post(agent, port, { type: 'A', name: `w${i}`, value: '198.51.100.1', ttl: 300 });
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    agent.destroy();
    return count / seconds;
  } finally {
    clearTimeout(timer);
    child.disconnect();
  }
}

const { values } = parseArgs({ options: { serve: { type: 'string' }, count: { type: 'string', default: '2000' }, runs: { type: 'string', default: '3' } } });
if (values.serve) {
  await serve(JSON.parse(values.serve));
} else {
  const count = Number(values.count);
  const runs = Number(values.runs);
  console.log(`${count} sequential POSTs, one client, keep-alive; median of ${runs} runs`);
  console.log('| server | writes/s (median) | runs |\n|---|---:|---|');
  for (const [label, variant] of VARIANTS) {
    const rates = [];
    for (let r = 0; r < runs; r++) rates.push(await measure(variant, count));
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(`| ${label} | ${sorted[Math.floor(runs / 2)].toFixed(0)} | ${rates.map((x) => x.toFixed(0)).join(', ')} |`);
  }
}
