// `zonekeeper serve` end to end, as a child process: zones and records written through the HTTP API
// answered over UDP and TCP (dig, kdig and our own client), read-your-writes after every API write,
// a CLI import followed while serving, TCP pipelining/idle timeout/connection limit with the real
// responder, garbage input, DNS worker processes, port-in-use and `--dns off`.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe, type ServeChild } from '../helpers/cli.js';
import { answerData, dig, encodeQuery, frame, kdig, query, requireDigTools, statusOf, TcpClient, tcpExchange, udpExchange } from '../helpers/dns.js';
import { client } from '../helpers/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const toolsOk = requireDigTools('zonekeeper serve: DNS end to end');
const describeDns = toolsOk ? describe : describe.skip;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zk-dns-e2e-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Served {
  s: ServeChild;
  port: number;
  api: ReturnType<typeof client>;
  data: string[];
}

async function serve(name: string, extra: string[] = []): Promise<Served> {
  const data = ['--data', path.join(dir, name)];
  const s = await startServe([...data, ...extra]);
  const token = /\n\s+(zk_[A-Za-z0-9_-]{43})\n/.exec(s.output())?.[1];
  if (!token || !s.dns) {
    await s.stop();
    throw new Error(`serve did not print a token and a DNS address:\n${s.output()}`);
  }
  return { s, port: s.dns.port, api: client(s.url, token), data };
}

async function createZone(api: Served['api'], name: string): Promise<string> {
  const r = await api('POST', '/api/v2/dns-zones', { name });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

async function addRecord(api: Served['api'], zoneId: string, body: Record<string, unknown>): Promise<string> {
  const r = await api('POST', `/api/v2/dns-zones/${zoneId}/records`, body);
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

/** The answer section's data fields (last column) of a dig/kdig output. */
function answers(output: string): string[] {
  const section = /;; ANSWER SECTION:\n([\s\S]*?)(?:\n\n|\n;;|$)/.exec(output)?.[1] ?? '';
  return section
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(';'))
    .map((l) => l.trim().split(/\s+/).slice(4).join(' '));
}

describeDns('serve: DNS through the HTTP API (one process)', () => {
  let srv: Served;
  beforeAll(async () => {
    srv = await serve('main');
  });
  afterAll(async () => {
    expect(await srv.s.stop()).toBe(0);
  });

  it('prints the DNS line before the HTTP line', () => {
    expect(srv.s.output()).toMatch(/zonekeeper: DNS listening on 127\.0\.0\.1:\d+ \(udp, tcp\), 0 zones\n(?:[^\n]*\n)*?zonekeeper: HTTP API listening on/);
  });

  it('answers records created through the API with dig and kdig over UDP and TCP; deletions disappear', async () => {
    const zone = 'e2e.example.test';
    const zid = await createZone(srv.api, zone);
    const www = await addRecord(srv.api, zid, { type: 'A', name: 'www', value: '192.0.2.10', ttl: 300 });
    await addRecord(srv.api, zid, { type: 'AAAA', name: 'www', value: '2001:db8::10', ttl: 300 });
    await addRecord(srv.api, zid, { type: 'MX', name: '@', value: 'mail.e2e.example.test', priority: 10 });
    await addRecord(srv.api, zid, { type: 'TXT', name: '@', value: 'v=spf1 -all' });

    for (const [tool, extra] of [
      [dig, []],
      [dig, ['+tcp']],
      [kdig, []],
      [kdig, ['+tcp']],
    ] as const) {
      const a = await tool(srv.port, `www.${zone}`, 'A', [...extra]);
      expect(statusOf(a), a).toBe('NOERROR');
      expect(a).toMatch(/flags: qr aa/i);
      expect(answers(a)).toEqual(['192.0.2.10']);
      const aaaa = await tool(srv.port, `WWW.E2E.Example.TEST`, 'AAAA', [...extra]);
      expect(answers(aaaa)).toEqual(['2001:db8::10']);
      if (tool === dig) expect(aaaa).toMatch(/WWW\.E2E\.Example\.TEST\./); // the client's case is kept (kdig lowercases its question)
      const mx = await tool(srv.port, zone, 'MX', [...extra]);
      expect(answers(mx)).toEqual(['10 mail.e2e.example.test.']);
      const soa = await tool(srv.port, zone, 'SOA', [...extra]);
      expect(answers(soa)[0]).toMatch(/^ns1\.example\.net\. hostmaster\.e2e\.example\.test\. \d+ /);
      const none = await tool(srv.port, `nothing.${zone}`, 'A', [...extra]);
      expect(statusOf(none)).toBe('NXDOMAIN');
    }

    const del = await srv.api('DELETE', `/api/v2/dns-zones/${zid}/records/${www}`);
    expect(del.status).toBe(204);
    const after = await dig(srv.port, `www.${zone}`, 'A');
    expect(statusOf(after)).toBe('NOERROR'); // AAAA still there: NODATA
    expect(answers(after)).toEqual([]);
    const outside = await kdig(srv.port, 'www.not-ours.example.test', 'A');
    expect(statusOf(outside)).toBe('REFUSED');

    expect((await srv.api('DELETE', `/api/v2/dns-zones/${zid}`)).status).toBe(204);
    const gone = await dig(srv.port, `www.${zone}`, 'AAAA', ['+tcp']);
    expect(statusOf(gone)).toBe('REFUSED'); // no longer our zone
  });

  it('read-your-writes: right after each of 50 API writes, a UDP query sees it', async () => {
    const zone = 'ryw.example.test';
    const zid = await createZone(srv.api, zone);
    expect((await query(srv.port, zone, 'SOA')).rcodeName).toBe('NOERROR');
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const ip = `198.51.100.${i + 1}`;
      ids.push(await addRecord(srv.api, zid, { type: 'A', name: `h${i}`, value: ip, ttl: 60 }));
      const r = await query(srv.port, `h${i}.${zone}`, 'A');
      expect(r.rcodeName, `after write ${i}`).toBe('NOERROR');
      expect(answerData(r)).toEqual([ip]);
    }
    // Replacements and deletions too.
    const put = await srv.api('PUT', `/api/v2/dns-zones/${zid}/records/${ids[0]}`, { type: 'A', name: 'h0', value: '203.0.113.1', ttl: 60 });
    expect(put.status, put.text).toBe(200);
    expect(answerData(await query(srv.port, `h0.${zone}`, 'A'))).toEqual(['203.0.113.1']);
    expect((await srv.api('DELETE', `/api/v2/dns-zones/${zid}/records/${ids[1]}`)).status).toBe(204);
    expect((await query(srv.port, `h1.${zone}`, 'A')).rcodeName).toBe('NXDOMAIN');
    // A zone delete, then the same name created again.
    expect((await srv.api('DELETE', `/api/v2/dns-zones/${zid}`)).status).toBe(204);
    expect((await query(srv.port, `h2.${zone}`, 'A')).rcodeName).toBe('REFUSED');
    await createZone(srv.api, zone);
    expect((await query(srv.port, `h2.${zone}`, 'A', { transport: 'tcp' })).rcodeName).toBe('NXDOMAIN');
  });

  it('a zone imported with the CLI while serve runs is answered within a few seconds', async () => {
    const zone = 'imported.example.test';
    const file = path.join(dir, 'imported.zone');
    await writeFile(file, `$ORIGIN ${zone}.\n$TTL 300\n@ IN NS ns1.example.net.\n@ IN NS ns2.example.net.\nwww IN A 192.0.2.55\nalias IN CNAME www\n`);
    const r = await runCli(['zones', 'import', zone, file, ...srv.data]);
    expect(r.code, r.stderr).toBe(0);
    const deadline = Date.now() + 5000;
    let got: Awaited<ReturnType<typeof query>> | null = null;
    while (Date.now() < deadline) {
      got = await query(srv.port, `alias.${zone}`, 'A');
      if (got.rcodeName === 'NOERROR') break;
      await sleep(100);
    }
    expect(got?.rcodeName).toBe('NOERROR');
    expect((got ? answerData(got, true) : [])).toEqual([`CNAME www.${zone}`, 'A 192.0.2.55']);
    const k = await kdig(srv.port, `www.${zone}`, 'A', ['+tcp']);
    expect(answers(k)).toEqual(['192.0.2.55']);
  });

  it('answers pipelined TCP queries sent in one write', async () => {
    const zone = 'pipe.example.test';
    const zid = await createZone(srv.api, zone);
    for (let i = 0; i < 5; i++) await addRecord(srv.api, zid, { type: 'A', name: `p${i}`, value: `192.0.2.${i + 1}` });
    const c = await TcpClient.connect(srv.port);
    const qs = Array.from({ length: 25 }, (_, i) => encodeQuery(`p${i % 5}.${zone}`, 'A', { id: 500 + i }));
    c.write(Buffer.concat(qs.map(frame)));
    const replies = await c.waitFor(qs.length);
    expect(replies.map((r) => r.readUInt16BE(0)).sort((a, b) => a - b)).toEqual(qs.map((_, i) => 500 + i));
    for (const r of replies) expect(r[3]! & 0x0f).toBe(0);
    c.close();
  });

  it('garbage over UDP and TCP never takes the server down', async () => {
    const u = dgram.createSocket('udp4');
    for (let i = 0; i < 300; i++) u.send(randomBytes(Math.floor(Math.random() * 1500)), srv.port, '127.0.0.1');
    // Mangled real queries: header and question bits flipped.
    for (let i = 0; i < 300; i++) {
      const q = encodeQuery(`x${i}.pipe.example.test`, 'A', { edns: 1232 });
      for (let k = 0; k < 3; k++) q[Math.floor(Math.random() * q.length)] = Math.floor(Math.random() * 256);
      u.send(q, srv.port, '127.0.0.1');
    }
    await sleep(200);
    u.close();
    for (let i = 0; i < 20; i++) {
      const s = net.connect({ port: srv.port, host: '127.0.0.1' });
      s.on('error', () => {});
      await new Promise((r) => s.once('connect', r));
      s.write(i % 2 === 0 ? randomBytes(2000) : Buffer.concat([frame(randomBytes(40)), frame(randomBytes(12))]));
      await sleep(10);
      s.destroy();
    }
    const r = await udpExchange(srv.port, encodeQuery('p1.pipe.example.test', 'A', { id: 4242 }));
    expect(r.readUInt16BE(0)).toBe(4242);
    expect(r[3]! & 0x0f).toBe(0);
    const t = await tcpExchange(srv.port, encodeQuery('p2.pipe.example.test', 'A', { id: 4243 }));
    expect(t.readUInt16BE(0)).toBe(4243);
    expect((await srv.api('GET', '/healthz')).status).toBe(200);
  });

  it('a DNS port in use is a one-line error and a non-zero exit', async () => {
    const r = await runCli(['serve', '--data', path.join(dir, 'other'), '--http', '127.0.0.1:0', '--dns', `127.0.0.1:${srv.port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`zonekeeper serve: cannot listen on 127.0.0.1:${srv.port} (udp): EADDRINUSE\n`);
  });
});

describeDns('serve: TCP limits from the settings', () => {
  let srv: Served;
  beforeAll(async () => {
    srv = await serve('limits', ['--dns-tcp-idle-timeout', '1', '--dns-tcp-max-connections', '3']);
    await createZone(srv.api, 'limits.example.test');
  });
  afterAll(async () => {
    await srv.s.stop();
  });

  it('closes an idle connection after --dns-tcp-idle-timeout', async () => {
    const c = await TcpClient.connect(srv.port);
    c.write(frame(encodeQuery('limits.example.test', 'SOA', { id: 1 })));
    expect(await c.waitFor(1)).toHaveLength(1);
    const t0 = Date.now();
    expect(await c.waitClosed(4000)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(800);
  });

  it('closes connections beyond --dns-tcp-max-connections at once', async () => {
    const open = await Promise.all([0, 1, 2].map(() => TcpClient.connect(srv.port)));
    await sleep(50);
    const extra = await TcpClient.connect(srv.port);
    expect(await extra.waitClosed(500)).toBe(true);
    // the open ones still work
    open[0]!.write(frame(encodeQuery('limits.example.test', 'SOA', { id: 2 })));
    expect(await open[0]!.waitFor(1)).toHaveLength(1);
    for (const c of open) c.close();
  });
});

describeDns('serve --dns-workers 2', () => {
  let srv: Served;
  beforeAll(async () => {
    srv = await serve('workers', ['--dns-workers', '2']);
  });
  afterAll(async () => {
    expect(await srv.s.stop()).toBe(0);
    // no worker outlives the primary
    await sleep(200);
    expect(workerPids(srv.s.child.pid!)).toEqual([]);
  });

  function workerPids(ppid: number): number[] {
    try {
      return execFileSync('pgrep', ['-P', String(ppid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  it('prints the worker count and runs two worker processes', () => {
    expect(srv.s.output()).toMatch(/DNS listening on 127\.0\.0\.1:\d+ \(udp, tcp\), 0 zones, 2 worker processes/);
    expect(workerPids(srv.s.child.pid!)).toHaveLength(2);
  });

  it('keeps read-your-writes across worker processes (UDP and TCP, many queries per write)', async () => {
    const zone = 'workers.example.test';
    const zid = await createZone(srv.api, zone);
    for (let i = 0; i < 30; i++) {
      const ip = `198.51.100.${i + 1}`;
      await addRecord(srv.api, zid, { type: 'A', name: `w${i}`, value: ip, ttl: 60 });
      // Several queries from fresh sockets: the kernel spreads them over both workers.
      const rs = await Promise.all([
        query(srv.port, `w${i}.${zone}`, 'A'),
        query(srv.port, `w${i}.${zone}`, 'A'),
        query(srv.port, `w${i}.${zone}`, 'A'),
        query(srv.port, `w${i}.${zone}`, 'A', { transport: 'tcp' }),
        query(srv.port, `w${i}.${zone}`, 'A', { transport: 'tcp' }),
      ]);
      for (const r of rs) expect(answerData(r), `after write ${i}`).toEqual([ip]);
    }
    const k = await kdig(srv.port, `w7.${zone}`, 'A', ['+tcp']);
    expect(answers(k)).toEqual(['198.51.100.8']);
    // Big changes take the workers longer to apply than the API takes to answer: the answer
    // must still wait for them.
    for (let b = 0; b < 4; b++) {
      const posts = Array.from({ length: 1000 }, (_, i) => ({ type: 'TXT', name: `b${b}-${i}`, value: `batch ${b} record ${i} ${'x'.repeat(100)}` }));
      const r = await srv.api('POST', `/api/v2/dns-zones/${zid}/records/batch`, { posts });
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      const names = [`b${b}-999`, `b${b}-998`, `b${b}-0`];
      const rs = await Promise.all(names.flatMap((n) => [query(srv.port, `${n}.${zone}`, 'TXT'), query(srv.port, `${n}.${zone}`, 'TXT')]));
      for (const q of rs) expect(q.rcodeName, `batch ${b}`).toBe('NOERROR');
    }
  });

  it('a killed worker is replaced, gets every zone, and DNS keeps answering', async () => {
    const before = workerPids(srv.s.child.pid!);
    expect(before).toHaveLength(2);
    process.kill(before[0]!, 'SIGKILL');
    // Once it is gone, the other worker answers meanwhile. (With batched UDP each worker has its
    // own SO_REUSEPORT socket: a datagram the kernel hands to the dying worker's socket before the
    // process is torn down is lost — a client retries — so wait for the exit first.)
    for (let t = Date.now(); Date.now() - t < 5000; await sleep(20)) {
      try {
        process.kill(before[0]!, 0);
      } catch {
        break;
      }
    }
    for (let i = 0; i < 5; i++) expect((await query(srv.port, 'w3.workers.example.test', 'A')).rcodeName).toBe('NOERROR');
    const deadline = Date.now() + 10_000;
    let now: number[] = [];
    while (Date.now() < deadline) {
      now = workerPids(srv.s.child.pid!);
      if (now.length === 2 && !now.includes(before[0]!)) break;
      await sleep(100);
    }
    expect(now).toHaveLength(2);
    // Write after the replacement and read from many sockets: both workers must have it.
    const zid = (await srv.api('GET', '/api/v2/dns-zones?name=workers.example.test')).body.data[0].id;
    await sleep(500);
    await addRecord(srv.api, zid, { type: 'A', name: 'late', value: '192.0.2.99' });
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => query(srv.port, i % 2 ? 'late.workers.example.test' : 'w29.workers.example.test', 'A', { transport: i % 3 ? 'udp' : 'tcp' })));
    for (const r of rs) expect(r.rcodeName).toBe('NOERROR');
  });
});

describeDns('serve --dns-workers 2: a stuck worker', () => {
  let srv: Served;
  beforeAll(async () => {
    srv = await serve('stuck', ['--dns-workers', '2']);
  });
  afterAll(async () => {
    expect(await srv.s.stop()).toBe(0);
  });

  it('a write waits for every worker; one that does not acknowledge is replaced, never left stale', async () => {
    const zone = 'stuck.example.test';
    const zid = await createZone(srv.api, zone);
    const pids = execFileSync('pgrep', ['-P', String(srv.s.child.pid!)], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    process.kill(pids[0]!, 'SIGSTOP');
    try {
      const t0 = Date.now();
      await addRecord(srv.api, zid, { type: 'A', name: 'after-stop', value: '192.0.2.77' });
      // The API answered only after giving up on the stopped worker (5 s) and killing it.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(4500);
    } finally {
      try {
        process.kill(pids[0]!, 'SIGCONT');
      } catch {
        // already gone (killed by the primary)
      }
    }
    const deadline = Date.now() + 15_000;
    let now: number[] = [];
    while (Date.now() < deadline) {
      try {
        now = execFileSync('pgrep', ['-P', String(srv.s.child.pid!)], { encoding: 'utf8' }).trim().split('\n').map(Number);
      } catch {
        now = [];
      }
      if (now.length === 2 && !now.includes(pids[0]!)) break;
      await sleep(100);
    }
    expect(now).not.toContain(pids[0]);
    expect(now).toHaveLength(2);
    await sleep(300);
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => query(srv.port, `after-stop.${zone}`, 'A', { transport: i % 2 ? 'udp' : 'tcp' })));
    for (const r of rs) expect(answerData(r)).toEqual(['192.0.2.77']);
  });
});

describe('serve --dns off', () => {
  it('serves HTTP only', async () => {
    const s = await startServe(['--data', path.join(dir, 'nodns'), '--dns', 'off']);
    try {
      expect(s.dns).toBeNull();
      expect(s.output()).not.toMatch(/DNS listening/);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
