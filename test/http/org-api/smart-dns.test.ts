// Smart records end to end (docs/smart-records.md): written through the organization API, answered
// by the in-process DNS server, checked with dig and with our own UDP client for the statistics:
// weighted answers, health monitoring against loopback HTTP servers that fail on command and a
// loopback-only ping, PullZone, Flatten, and Script records (client address, types, failures shown
// by the API, runaway scripts contained).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../../src/jobs/job-runner.js';
import { jobHandlers, JOB_RUNNER_OPTIONS } from '../../../src/jobs/handlers.js';
import { SystemProbes } from '../../../src/monitoring/probes.js';
import { answerData, decode, dig, encodeQuery, rcodeName, udpExchange } from '../../helpers/dns.js';
import { requirePeers } from '../../helpers/peers.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { zoneName } from '../support.js';
import { loggedIn, makeDomain, makeUser, violations, type OrgCall } from './support.js';

const peers = requirePeers('smart records in DNS', [
  { name: 'dig', pkg: 'bind9-dnsutils' },
  { name: 'ping', pkg: 'iputils-ping' },
  { name: 'unshare', pkg: 'util-linux' },
  { name: 'ip', pkg: 'iproute2' },
]);

const PING_LOOPBACK_ONLY = path.resolve(import.meta.dirname, '../../fixtures/ping-loopback-only.sh');
const MP = { 'content-type': 'application/merge-patch+json' };

/** A loopback HTTP server answering 200, or 503 while `failing`; it keeps the Host headers it saw. */
class FlakyServer {
  failing = false;
  hosts: string[] = [];
  readonly server = http.createServer((req, res) => {
    this.hosts.push(req.headers.host ?? '');
    res.writeHead(this.failing ? 503 : 200, { 'content-type': 'text/plain' });
    res.end(this.failing ? 'down\n' : 'up\n');
  });

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The answer section's data of a dig run (`+short`). */
async function digShort(port: number, name: string, type: string): Promise<string[]> {
  const out = await dig(port, name, type, ['+short']);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith(';'));
}

async function ask(port: number, name: string, type: 'A' | 'AAAA' | 'TXT' | 'CNAME' | 'MX'): Promise<{ rcode: string; data: string[] }> {
  const raw = await udpExchange(port, encodeQuery(name, type), { timeoutMs: 3000 });
  return { rcode: rcodeName(raw), data: answerData(decode(raw)) };
}

(peers ? describe : describe.skip)('smart records in DNS', () => {
  let srv: TestServer;
  let call: OrgCall;
  let base: string;
  let zone: string;
  let port: number;
  const up = new FlakyServer();
  const down = new FlakyServer();
  const edges = zoneName('edges');

  beforeAll(async () => {
    // Two HTTP servers on one port at two loopback addresses: the Http check's port is one setting.
    const httpPort = await up.listen('127.0.0.1', 0);
    await down.listen('127.0.0.2', httpPort);
    srv = await startTestServer({
      dns: true,
      settings: { 'monitor-http-port': String(httpPort), 'monitor-private-addresses': 'allow', 'pull-zones': `assets=192.0.2.80|2001:db8::80,media=www.${edges}` },
      probes: new SystemProbes({ httpPort, allowPrivate: true, pingCommand: PING_LOOPBACK_ONLY }),
    });
    call = await loggedIn(srv, (await makeUser(srv, { role: 'member' })).email);
    const d = await makeDomain(srv, zoneName('smart'));
    zone = d.name;
    base = `/api/organizations/${srv.accountId}/domains/${d.domainUuid}/dns-records`;
    port = srv.dns!.port;
  });
  afterAll(async () => {
    await srv?.close();
    await up.close();
    await down.close();
  });

  const post = async (body: Record<string, unknown>): Promise<any> => {
    const r = await call('POST', base, body);
    expect(r.status, r.text).toBe(201);
    return r.body;
  };

  describe('weights', () => {
    it('unequal weights: one address per answer, in proportion (smooth weighted round robin)', async () => {
      for (const [value, weight] of [['192.0.2.1', 1], ['192.0.2.2', 2], ['192.0.2.3', 7]] as const) await post({ type: 0, name: 'wrr', value, weight, ttl: 60 });
      expect(await digShort(port, `wrr.${zone}`, 'A')).toHaveLength(1);
      const counts: Record<string, number> = {};
      for (let i = 0; i < 200; i++) {
        const { data } = await ask(port, `wrr.${zone}`, 'A');
        expect(data).toHaveLength(1);
        counts[data[0]!] = (counts[data[0]!] ?? 0) + 1;
      }
      // A whole number of periods (10 answers each) after the dig: exactly 1:2:7, give or take the
      // dig's own answer at the start of the first period.
      expect(counts['192.0.2.1']! + counts['192.0.2.2']! + counts['192.0.2.3']!).toBe(200);
      expect(Math.abs(counts['192.0.2.1']! - 20)).toBeLessThanOrEqual(1);
      expect(Math.abs(counts['192.0.2.2']! - 40)).toBeLessThanOrEqual(1);
      expect(Math.abs(counts['192.0.2.3']! - 140)).toBeLessThanOrEqual(1);
    });

    it('equal weights: 3 of the addresses at random; a changed weight applies at once', async () => {
      const recs = [];
      for (const value of ['192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14', '192.0.2.15']) recs.push(await post({ type: 0, name: 'eq', value, weight: 50 }));
      const seen = new Map<string, number>();
      for (let i = 0; i < 300; i++) {
        const { data } = await ask(port, `eq.${zone}`, 'A');
        expect(data).toHaveLength(3);
        expect(new Set(data).size).toBe(3);
        for (const a of data) seen.set(a, (seen.get(a) ?? 0) + 1);
      }
      // Each is in 3/5 of the answers: 180 expected; chi-square (4 df) at 0.999 is 18.47.
      const chi = [...seen.values()].reduce((s, o) => s + (o - 180) ** 2 / 180, 0);
      expect(seen.size).toBe(5);
      expect(chi).toBeLessThan(18.47);
      expect(await digShort(port, `eq.${zone}`, 'A')).toHaveLength(3);
      // Weight 0 on four of them: only the fifth is ever answered.
      for (const r of recs.slice(0, 4)) expect((await call('PATCH', `${base}/${r.id}`, { weight: 0 }, MP)).status).toBe(200);
      for (let i = 0; i < 20; i++) expect((await ask(port, `eq.${zone}`, 'A')).data).toEqual(['192.0.2.15']);
    });
  });

  describe('health monitoring', () => {
    it('Http: failing addresses leave answers while another is online, and come back when they recover', async () => {
      const a = await post({ type: 0, name: 'web', value: '127.0.0.1', monitorType: 2, ttl: 30 });
      const b = await post({ type: 0, name: 'web', value: '127.0.0.2', monitorType: 2, ttl: 30 });
      const status = async (r: any): Promise<number> => (await call('GET', `${base}/${r.id}`)).body.monitorStatus;
      expect(await status(a)).toBe(0);
      // The first sweep runs through the job system, as `serve` runs it.
      await srv.services.health.schedule();
      const ran = await new JobRunner(srv.services.store, srv.services.clock, jobHandlers(srv.services), JOB_RUNNER_OPTIONS).runDue();
      expect(ran.done).toBeGreaterThanOrEqual(1);
      const job = await srv.services.store.jobs.latest('all', 'health_check');
      expect(job).toMatchObject({ status: 'pending', lastError: null });
      expect(new Date(job!.runAt).getTime() - Date.now()).toBeGreaterThan(25_000); // every 30 s
      expect([await status(a), await status(b)]).toEqual([1, 1]);
      expect(up.hosts).toContain(`web.${zone}`);
      expect((await digShort(port, `web.${zone}`, 'A')).sort()).toEqual(['127.0.0.1', '127.0.0.2']);

      up.failing = true;
      expect((await srv.services.health.sweep()).changed).toBe(1);
      expect([await status(a), await status(b)]).toEqual([2, 1]);
      for (let i = 0; i < 5; i++) expect(await digShort(port, `web.${zone}`, 'A')).toEqual(['127.0.0.2']);

      // Both offline: nothing better exists, both are answered.
      down.failing = true;
      await srv.services.health.sweep();
      expect([await status(a), await status(b)]).toEqual([2, 2]);
      expect((await digShort(port, `web.${zone}`, 'A')).sort()).toEqual(['127.0.0.1', '127.0.0.2']);

      down.failing = false;
      await srv.services.health.sweep();
      expect(await digShort(port, `web.${zone}`, 'A')).toEqual(['127.0.0.2']);
      up.failing = false;
      await srv.services.health.sweep();
      expect([await status(a), await status(b)]).toEqual([1, 1]);
      expect((await digShort(port, `web.${zone}`, 'A')).sort()).toEqual(['127.0.0.1', '127.0.0.2']);

      // A closed port is offline too; an edit of the address resets the status to Unknown.
      const patched = await call('PATCH', `${base}/${b.id}`, { value: '127.0.0.3' }, MP);
      expect(patched.body.monitorStatus).toBe(0);
      await srv.services.health.sweep();
      expect(await status(b)).toBe(2);
      expect(await digShort(port, `web.${zone}`, 'A')).toEqual(['127.0.0.1']);
    });

    it('Ping: an echo reply is online, an unreachable address offline (a loopback-only network namespace)', async () => {
      const ok = await post({ type: 0, name: 'pinged', value: '127.0.0.1', monitorType: 1 });
      const gone = await post({ type: 0, name: 'pinged', value: '198.51.100.7', monitorType: 1 });
      const started = Date.now();
      await srv.services.health.sweep();
      expect(Date.now() - started).toBeLessThan(8000);
      expect((await call('GET', `${base}/${ok.id}`)).body.monitorStatus).toBe(1);
      expect((await call('GET', `${base}/${gone.id}`)).body.monitorStatus).toBe(2);
      expect(await digShort(port, `pinged.${zone}`, 'A')).toEqual(['127.0.0.1']);
    });
  });

  describe('PullZone and Flatten', () => {
    it('PullZone answers its configured edges; an unknown pull zone is refused at write time', async () => {
      await post({ type: 7, name: 'static', value: 'assets', ttl: 120 });
      expect(await digShort(port, `static.${zone}`, 'A')).toEqual(['192.0.2.80']);
      expect(await digShort(port, `static.${zone}`, 'AAAA')).toEqual(['2001:db8::80']);
      expect(violations(await call('POST', base, { type: 7, name: 'nope', value: 'not-configured' }))).toEqual([['value', 'invalid_value']]);
      expect(violations(await call('POST', base, { type: 0, name: 'static', value: '192.0.2.9' }))).toEqual([['type', 'conflict']]);
    });

    it('a PullZone with an edge host name is resolved like Flatten, and follows the edge\'s changes', async () => {
      const e = await makeDomain(srv, edges);
      const eBase = `/api/organizations/${srv.accountId}/domains/${e.domainUuid}/dns-records`;
      const edge = (await call('POST', eBase, { type: 0, name: 'www', value: '203.0.113.5' })).body;
      await post({ type: 7, name: 'video', value: 'media' });
      expect(await digShort(port, `video.${zone}`, 'A')).toEqual(['203.0.113.5']);
      await call('PATCH', `${eBase}/${edge.id}`, { value: '203.0.113.6' }, MP);
      expect(await digShort(port, `video.${zone}`, 'A')).toEqual(['203.0.113.6']);
      // Flatten at the apex: the target's addresses.
      await post({ type: 6, name: '', value: `www.${edges}` });
      expect(await digShort(port, zone, 'A')).toEqual(['203.0.113.6']);
    });
  });

  describe('Script', () => {
    it('answers what handleQuery returns, per client address and type; other types are NODATA', async () => {
      const source = [
        'function handleQuery(query) {',
        "  if (query.type === 'A') return { answers: [{ type: 'A', value: query.clientIp === '127.0.0.1' ? '192.0.2.101' : '192.0.2.102', ttl: 30 }] };",
        "  if (query.type === 'AAAA') return { answers: [{ type: 'AAAA', value: '2001:db8::101', ttl: 30 }] };",
        "  if (query.type === 'TXT') return { answers: [{ type: 'TXT', value: 'asked ' + query.name + ' from ' + query.clientIp, ttl: 0 }] };",
        '  return { answers: [] };',
        '}',
      ].join('\n');
      await post({ type: 11, name: 'geo', value: source, ttl: 30 });
      expect(await digShort(port, `geo.${zone}`, 'A')).toEqual(['192.0.2.101']);
      expect(await digShort(port, `GEO.${zone}`, 'AAAA')).toEqual(['2001:db8::101']);
      expect(await digShort(port, `geo.${zone}`, 'TXT')).toEqual([`"asked geo.${zone} from 127.0.0.1"`]);
      const mx = await dig(port, `geo.${zone}`, 'MX');
      expect(mx).toContain('status: NOERROR');
      expect(mx).toContain('ANSWER: 0');
      // A script returning a CNAME: answered for any type.
      await post({ type: 11, name: 'alias', value: "function handleQuery() { return { answers: [{ type: 'CNAME', value: 'www.example.org.', ttl: 60 }] }; }" });
      expect(await digShort(port, `alias.${zone}`, 'A')).toEqual(['www.example.org.']);
    });

    it('a failing script: SERVFAIL for its name, and the error shown by the API until it answers again', async () => {
      const rec = await post({ type: 11, name: 'broken', value: "function handleQuery(q) { if (q.type === 'TXT') throw new Error('no TXT here'); return { answers: [{ type: 'A', value: '192.0.2.7' }] }; }" });
      expect((await call('GET', `${base}/${rec.id}`)).body).toMatchObject({ scriptError: null, scriptErrorAt: null });
      expect((await ask(port, `broken.${zone}`, 'TXT')).rcode).toBe('SERVFAIL');
      let shown: any;
      for (let i = 0; i < 50 && !(shown = (await call('GET', `${base}/${rec.id}`)).body).scriptError; i++) await new Promise((r) => setTimeout(r, 50));
      expect(shown.scriptError).toContain('no TXT here');
      expect(Date.parse(shown.scriptErrorAt)).toBeGreaterThan(0);
      const listed = (await call('GET', `${base}?type=11&name=broken`)).body['hydra:member'];
      expect(listed[0].scriptError).toContain('no TXT here');
      // Other types still answer; a fixed script clears the error.
      expect((await ask(port, `broken.${zone}`, 'A')).data).toEqual(['192.0.2.7']);
      await call('PATCH', `${base}/${rec.id}`, { value: "function handleQuery() { return { answers: [{ type: 'TXT', value: 'fixed', ttl: 0 }] }; }" }, MP);
      expect((await ask(port, `broken.${zone}`, 'TXT')).data).toEqual(['fixed']);
      for (let i = 0; i < 50 && (shown = (await call('GET', `${base}/${rec.id}`)).body).scriptError; i++) await new Promise((r) => setTimeout(r, 50));
      expect(shown.scriptError).toBeNull();
    });

    it('runaway scripts at query time are contained: endless loops, huge allocations, no process/require/fetch', async () => {
      const source = [
        'function handleQuery(q) {',
        "  if (q.name.startsWith('loop.')) { for (;;) {} }",
        "  if (q.name.startsWith('big.')) { const a = []; for (;;) a.push('x'.repeat(1 << 20)); }",
        "  return { answers: [{ type: 'TXT', value: [typeof process, typeof require, typeof fetch, typeof setTimeout].join(' '), ttl: 0 }] };",
        '}',
      ].join('\n');
      // A wildcard Script: one script for every name below it.
      await post({ type: 11, name: '*.sandbox', value: source });
      const t0 = Date.now();
      expect((await ask(port, `loop.sandbox.${zone}`, 'TXT')).rcode).toBe('SERVFAIL');
      expect(Date.now() - t0).toBeLessThan(2000);
      expect((await ask(port, `big.sandbox.${zone}`, 'TXT')).rcode).toBe('SERVFAIL');
      expect((await ask(port, `free.sandbox.${zone}`, 'TXT')).data).toEqual(['undefined undefined undefined undefined']);
      // The server kept answering everything else meanwhile.
      expect(await digShort(port, `static.${zone}`, 'A')).toEqual(['192.0.2.80']);
    });

    it('a Script stands alone at its name', async () => {
      await post({ type: 11, name: 'solo', value: 'function handleQuery() { return { answers: [] }; }' });
      expect(violations(await call('POST', base, { type: 3, name: 'solo', value: 'beside' }))).toEqual([['type', 'conflict']]);
      expect(violations(await call('POST', base, { type: 11, name: 'solo', value: 'function handleQuery() { return { answers: [] }; }\n' }))).toEqual([['type', 'conflict']]);
    });
  });
});

describe('health monitoring with the default address policy', () => {
  let srv: TestServer;
  afterAll(async () => srv?.close());

  it('loopback and private addresses are not probed: the status stays Unknown and the job says why', async () => {
    srv = await startTestServer();
    const call = await loggedIn(srv, (await makeUser(srv, { role: 'member' })).email);
    const d = await makeDomain(srv, zoneName('private'));
    const base = `/api/organizations/${srv.accountId}/domains/${d.domainUuid}/dns-records`;
    const rec = (await call('POST', base, { type: 0, name: 'inside', value: '10.0.0.7', monitorType: 2 })).body;
    await srv.services.health.schedule();
    await new JobRunner(srv.services.store, srv.services.clock, jobHandlers(srv.services), JOB_RUNNER_OPTIONS).runDue();
    const job = await srv.services.store.jobs.latest('all', 'health_check');
    expect(job!.status).toBe('pending');
    expect(job!.lastError).toMatch(/10\.0\.0\.7 is a loopback, private or link-local address; such addresses are not probed/);
    expect((await call('GET', `${base}/${rec.id}`)).body.monitorStatus).toBe(0);
  });
});
