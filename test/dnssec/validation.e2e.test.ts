// Signed zones that validators accept, end to end (docs/dnssec.md): the sandbox registry serves the
// signed `test.` zone; a domain registered there is signed and its DS published at the registry;
// unbound (with `test.`'s key as its only trust anchor, pointed at our server) answers with the AD
// flag for positive, NXDOMAIN, NODATA and wildcard queries, delv agrees, the served zone (after
// incremental changes) passes ldns-verify-zone, and a broken signature makes unbound SERVFAIL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TYPE, typeName } from '../../src/dns/wire/constants.js';
import { rdataFromText, rdataToText } from '../../src/dns/wire/rdata.js';
import { ZONE_ALIAS_TYPE } from '../../src/dns/zone/zone.js';
import { freeDnsPort } from '../helpers/knot.js';
import { requirePeers, runProgram } from '../helpers/peers.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { loggedIn, makeUser } from '../http/org-api/support.js';
import type { Clock } from '../../src/core/ports.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { jobHandlers, JOB_RUNNER_OPTIONS } from '../../src/jobs/handlers.js';

const peers = requirePeers('DNSSEC validation (unbound, delv)', [
  { name: 'unbound', pkg: 'unbound' },
  { name: 'delv', pkg: 'bind9-dnsutils' },
  { name: 'dig', pkg: 'bind9-dnsutils' },
  { name: 'ldns-verify-zone', pkg: 'ldnsutils' },
  { name: 'dnssec-verify', pkg: 'bind9-utils' },
]);

let now = Date.now();
const clock: Clock = { now: () => new Date(now) };

(peers ? describe : describe.skip)('DNSSEC validation with unbound and delv', () => {
  let srv: TestServer;
  let dir: string;
  let unbound: ChildProcess | null = null;
  let unboundPort = 0;
  let domain: { id: string; name: string; zoneId: string };
  let anchorFile: string;

  /** unbound in the foreground on its port (a restart empties its cache). */
  async function startUnbound(): Promise<void> {
    unbound = spawn(peers!.unbound!, ['-d', '-c', path.join(dir, 'unbound.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    unbound.stdout!.on('data', (d) => (log += d));
    unbound.stderr!.on('data', (d) => (log += d));
    for (let i = 0; i < 100; i++) {
      const out = await runProgram(peers!.dig!, ['@127.0.0.1', '-p', String(unboundPort), '+time=1', '+tries=1', 'test.', 'SOA']);
      if (/status: /.test(out.output)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`unbound did not start:\n${log}`);
  }

  async function stopUnbound(): Promise<void> {
    const p = unbound;
    unbound = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  const runJobs = () => new JobRunner(srv.services.store, clock, jobHandlers(srv.services), JOB_RUNNER_OPTIONS).runDue();
  const dig = async (name: string, type: string): Promise<string> => (await runProgram(peers!.dig!, ['@127.0.0.1', '-p', String(unboundPort), '+dnssec', '+time=5', '+tries=1', name, type])).output;
  const flags = (out: string): string[] => (/;; flags: ([a-z ]+);/.exec(out)?.[1] ?? '').split(' ');
  const status = (out: string): string | undefined => /status: ([A-Z]+)/.exec(out)?.[1];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'zk-dnssec-e2e-'));
    srv = await startTestServer({ dns: true, clock });
    const api = client(srv.url, srv.adminToken);
    // Registering signs the sandbox's test. zone; the domain's own zone is signed next.
    // example.test, registered with other nameservers first, then pointed at ours.
    const reg = await api('POST', '/api/v2/domains', { name: 'example.test', nameservers: ['ns1.example.org', 'ns2.example.org'] });
    expect(reg.status, reg.text).toBe(201);
    domain = reg.body;
    now += 3_600_000;
    const pointed = await api('POST', `/api/v2/domains/${domain.id}/nameservers`, { nameservers: ['ns1.example.net', 'ns2.example.net'] });
    expect(pointed.status, pointed.text).toBe(202);
    for (const body of [
      { name: 'www', type: 'A', value: '192.0.2.80' },
      { name: '*.wild', type: 'TXT', value: 'any name below wild' },
      { name: 'broken', type: 'A', value: '192.0.2.66' },
      { name: 'gone', type: 'A', value: '192.0.2.67' },
      { name: 'alias', type: 'CNAME', value: `www.${domain.name}` },
      // Delegations inside the signed zone: one insecure (no DS), one secure (with a DS).
      { name: 'insecure', type: 'NS', value: 'ns1.example.org' },
      { name: 'secure', type: 'NS', value: 'ns1.example.org' },
      { name: 'secure', type: 'DS', value: '12345 13 2 ' + 'AB'.repeat(32) },
    ]) {
      const r = await api('POST', `/api/v2/dns-zones/${domain.zoneId}/records`, body);
      expect(r.status, r.text).toBe(201);
    }
    // Automatic DNSSEC, as a customer uses it: include waits out the nameserver cooldown (the
    // registration set them), then the jobs sign the zone and publish the DS at the registry.
    const blocked = await api('POST', `/api/v2/domains/${domain.id}/dnssec-auto`, { action: 'include' });
    expect(blocked.body).toMatchObject({ status: 'blocked', isBlocked: true });
    now += 73 * 3_600_000;
    await runJobs();
    expect((await api('GET', `/api/v2/domains/${domain.id}/dnssec-auto`)).body).toMatchObject({ status: 'active', lastError: null });
    const view = await api('GET', `/api/v2/dns-zones/${domain.zoneId}/dnssec`);
    expect(view.status, view.text).toBe(200);
    expect(view.body).toMatchObject({ zone: domain.name, signed: true });
    expect(view.body.ds.map((d: any) => d.digestType)).toEqual([2, 4]);
    // Changes after signing go through incremental signing.
    const more = await api('POST', `/api/v2/dns-zones/${domain.zoneId}/records`, { name: 'later', type: 'AAAA', value: '2001:db8::80' });
    expect(more.status).toBe(201);
    const gone = (await api('GET', `/api/v2/dns-zones/${domain.zoneId}/records?name=gone`)).body.records[0];
    expect((await api('DELETE', `/api/v2/dns-zones/${domain.zoneId}/records/${gone.id}`)).status).toBe(204);

    // unbound: test. through our server, with test.'s key as the trust anchor.
    const testZone = (await srv.services.store.zones.getByName('test'))!;
    const anchors = await srv.services.dnssec.trustAnchor(testZone);
    expect(anchors).toHaveLength(1);
    anchorFile = path.join(dir, 'anchor.conf');
    const [flagsF, proto, alg, ...key] = anchors[0]!.split(' IN DNSKEY ')[1]!.split(' ');
    await writeFile(anchorFile, `trust-anchors {\n  "test." static-key ${flagsF} ${proto} ${alg} "${key.join('')}";\n};\n`);
    unboundPort = await freeDnsPort();
    const dnsPort = srv.dns!.port;
    const conf = [
      'server:',
      `  interface: 127.0.0.1@${unboundPort}`,
      '  do-ip6: no',
      '  do-daemonize: no',
      '  username: ""',
      '  chroot: ""',
      `  directory: "${dir}"`,
      '  pidfile: ""',
      '  use-syslog: no',
      '  logfile: ""',
      '  verbosity: 1',
      '  val-log-level: 2',
      '  do-not-query-localhost: no',
      '  qname-minimisation: no',
      // Names are added during the test: no NXDOMAIN synthesized from NSEC records cached earlier (RFC 8198).
      '  aggressive-nsec: no',
      '  module-config: "validator iterator"',
      '  access-control: 127.0.0.0/8 allow',
      // unbound serves the special-use test. name itself (RFC 6761) unless told not to.
      '  local-zone: "test." nodefault',
      `  trust-anchor: "${anchors[0]!.replace(' IN ', ' ')}"`,
      'stub-zone:',
      '  name: "test."',
      `  stub-addr: 127.0.0.1@${dnsPort}`,
      'stub-zone:',
      `  name: "${domain.name}."`,
      `  stub-addr: 127.0.0.1@${dnsPort}`,
    ].join('\n');
    await writeFile(path.join(dir, 'unbound.conf'), conf + '\n');
    const check = await runProgram('unbound-checkconf', [path.join(dir, 'unbound.conf')]);
    expect(check.code, check.output).toBe(0);
    await startUnbound();
  }, 60_000);

  afterAll(async () => {
    await stopUnbound();
    await srv?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('positive, NXDOMAIN, NODATA and wildcard answers come back validated (AD)', async () => {
    const a = await dig(`www.${domain.name}`, 'A');
    expect(status(a), a).toBe('NOERROR');
    expect(flags(a), a).toContain('ad');
    expect(a).toMatch(/IN\s+A\s+192\.0\.2\.80/);
    const later = await dig(`later.${domain.name}`, 'AAAA');
    expect(flags(later), later).toContain('ad');
    const nx = await dig(`nope.${domain.name}`, 'A');
    expect(status(nx), nx).toBe('NXDOMAIN');
    expect(flags(nx), nx).toContain('ad');
    const deleted = await dig(`gone.${domain.name}`, 'A');
    expect(status(deleted), deleted).toBe('NXDOMAIN');
    expect(flags(deleted), deleted).toContain('ad');
    const nodata = await dig(`www.${domain.name}`, 'TXT');
    expect(status(nodata), nodata).toBe('NOERROR');
    expect(nodata).toMatch(/ANSWER: 0,/);
    expect(flags(nodata), nodata).toContain('ad');
    const wild = await dig(`anything.wild.${domain.name}`, 'TXT');
    expect(status(wild), wild).toBe('NOERROR');
    expect(wild).toMatch(/"any name below wild"/);
    expect(flags(wild), wild).toContain('ad');
    const wildNodata = await dig(`anything.wild.${domain.name}`, 'A');
    expect(flags(wildNodata), wildNodata).toContain('ad');
    const tld = await dig(`unregistered-${process.pid}.test`, 'A');
    expect(status(tld), tld).toBe('NXDOMAIN');
    expect(flags(tld), tld).toContain('ad');
  });

  it('CNAME answers and delegations with and without DS carry their proofs', async () => {
    const cname = await dig(`alias.${domain.name}`, 'A');
    expect(status(cname), cname).toBe('NOERROR');
    expect(cname).toMatch(/IN\s+CNAME\s+www\./);
    expect(cname).toMatch(/IN\s+A\s+192\.0\.2\.80/);
    expect(flags(cname), cname).toContain('ad');
    // A secure delegation: its DS validates.
    const ds = await dig(`secure.${domain.name}`, 'DS');
    expect(ds).toMatch(/IN\s+DS\s+12345 13 2/);
    expect(flags(ds), ds).toContain('ad');
    // An insecure one: the NSEC at the cut proves there is no DS (validated NODATA).
    const noDs = await dig(`insecure.${domain.name}`, 'DS');
    expect(status(noDs), noDs).toBe('NOERROR');
    expect(noDs).toMatch(/ANSWER: 0,/);
    expect(flags(noDs), noDs).toContain('ad');
    // Straight from our server: a referral carries the DS (and its RRSIG) or the NSEC proving none.
    const port = String(srv.dns!.port);
    const direct = async (name: string) => (await runProgram(peers!.dig!, ['@127.0.0.1', '-p', port, '+dnssec', '+norecurse', name, 'A'])).output;
    const secureRef = await direct(`host.secure.${domain.name}`);
    expect(secureRef).toMatch(/AUTHORITY SECTION:[\s\S]*IN\s+DS\s+12345[\s\S]*IN\s+RRSIG\s+DS /);
    const insecureRef = await direct(`host.insecure.${domain.name}`);
    expect(insecureRef).toMatch(/AUTHORITY SECTION:[\s\S]*IN\s+NSEC\s+[\s\S]*IN\s+RRSIG\s+NSEC /);
    expect(insecureRef).not.toMatch(/IN\s+DS\s/);
  });

  it('delv agrees: fully validated from the test. trust anchor', async () => {
    for (const [name, type] of [
      [`www.${domain.name}`, 'A'],
      [`anything.wild.${domain.name}`, 'TXT'],
    ] as const) {
      const out = await runProgram(peers!.delv!, ['@127.0.0.1', '-p', String(unboundPort), '-a', anchorFile, '+root=test', name, type]);
      expect(out.output, out.output).toMatch(/; fully validated/);
    }
    const nx = await runProgram(peers!.delv!, ['@127.0.0.1', '-p', String(unboundPort), '-a', anchorFile, '+root=test', `nope.${domain.name}`, 'A']);
    expect(nx.output, nx.output).toMatch(/; negative response, fully validated/);
  });

  // Before names whose answers are computed per query are added: their NSEC records list the types
  // those answers have (A, AAAA; TXT for a Script), which a zone-file checker cannot see.
  it('the zone as served (after incremental changes) passes ldns-verify-zone and dnssec-verify', async () => {
    const zone = srv.dns!.engine.zones.get(domain.name)!;
    const lines: string[] = [];
    for (const node of zone.allNodes()) {
      for (const set of node.rrsets()) {
        if (set.type >= ZONE_ALIAS_TYPE) continue;
        for (let i = 0; i < set.count; i++) lines.push(`${node.name}. ${set.recordTtl(i)} IN ${typeName(set.type)} ${rdataToText(set.type, set.rdata(i))}`);
      }
    }
    const file = path.join(dir, 'served.zone');
    await writeFile(file, lines.join('\n') + '\n');
    const out = await runProgram(peers!['ldns-verify-zone']!, [file]);
    expect(out.code, out.output).toBe(0);
    const bind = await runProgram(peers!['dnssec-verify']!, ['-z', '-o', domain.name, file]);
    expect(bind.code, bind.output).toBe(0);
  });

  it('answers computed per query are signed too: Flatten, Script, weighted picks; NODATA at such names is proven', async () => {
    const call = await loggedIn(srv, (await makeUser(srv, { role: 'member' })).email);
    const orgDomain = (await srv.services.store.domains.get(domain.id))!;
    const base = `/api/organizations/${srv.accountId}/domains/${orgDomain.uuid}/dns-records`;
    const post = async (body: Record<string, unknown>) => {
      const r = await call('POST', base, body);
      expect(r.status, r.text).toBe(201);
    };
    await post({ type: 6, name: 'flat', value: `www.${domain.name}` });
    await post({ type: 11, name: 'js', value: "function handleQuery(q) { return { answers: [{ type: 'A', value: '192.0.2.77', ttl: 30 }, { type: 'TXT', value: 'from ' + q.clientIp, ttl: 30 }] }; }" });
    for (const [value, weight] of [['192.0.2.31', 1], ['192.0.2.32', 3]] as const) await post({ type: 0, name: 'wrr', value, weight, ttl: 60 });
    const flat = await dig(`flat.${domain.name}`, 'A');
    expect(status(flat), flat).toBe('NOERROR');
    expect(flat).toMatch(/IN\s+A\s+192\.0\.2\.80/);
    expect(flags(flat), flat).toContain('ad');
    const js = await dig(`js.${domain.name}`, 'A');
    expect(js).toMatch(/IN\s+A\s+192\.0\.2\.77/);
    expect(flags(js), js).toContain('ad');
    const jsTxt = await dig(`js.${domain.name}`, 'TXT');
    expect(flags(jsTxt), jsTxt).toContain('ad');
    const wrr = await dig(`wrr.${domain.name}`, 'A');
    expect(wrr.match(/IN\s+A\s+192\.0\.2\.3[12]/g)).toHaveLength(1);
    expect(flags(wrr), wrr).toContain('ad');
    // NODATA for a type the target lacks (AAAA) at a Flatten name: a proof made for the answer.
    const flatAaaa = await dig(`flat.${domain.name}`, 'AAAA');
    expect(status(flatAaaa), flatAaaa).toBe('NOERROR');
    expect(flatAaaa).toMatch(/ANSWER: 0,/);
    expect(flags(flatAaaa), flatAaaa).toContain('ad');
    // A Script with no answer of the asked type: the same.
    const jsAaaa = await dig(`js.${domain.name}`, 'AAAA');
    expect(status(jsAaaa), jsAaaa).toBe('NOERROR');
    expect(flags(jsAaaa), jsAaaa).toContain('ad');
    // NODATA at a Flatten name for another type: its NSEC lists A and AAAA only.
    const flatMx = await dig(`flat.${domain.name}`, 'MX');
    expect(status(flatMx), flatMx).toBe('NOERROR');
    expect(flatMx).toMatch(/ANSWER: 0,/);
    expect(flags(flatMx), flatMx).toContain('ad');
  });

  it('answers stay validated through a key rollover (double signatures, DS swap, old key removed)', async () => {
    const api = client(srv.url, srv.adminToken);
    const r = await api('POST', `/api/v2/dns-zones/${domain.zoneId}/dnssec/rollover`);
    expect(r.status, r.text).toBe(202);
    const add = async (label: string) => expect((await api('POST', `/api/v2/dns-zones/${domain.zoneId}/records`, { name: label, type: 'A', value: '192.0.2.90' })).status).toBe(201);
    const positive = async (label: string) => {
      const out = await dig(`${label}.${domain.name}`, 'A');
      expect(status(out), out).toBe('NOERROR');
      expect(out).toMatch(/IN\s+A\s+192\.0\.2\.90/);
      expect(flags(out), out).toContain('ad');
    };
    await add('roll1');
    await positive('roll1');
    now += 2 * 3_600_000;
    await runJobs(); // DS swap
    await add('roll2');
    await positive('roll2');
    now += 2 * 86_400_000;
    await runJobs(); // the old key goes
    // Two days on, the resolver's cached DS of the old key has expired: a fresh cache stands for that.
    await stopUnbound();
    await startUnbound();
    expect((await srv.services.store.dnssecKeys.list(domain.zoneId)).length).toBe(1);
    await add('roll3');
    await positive('roll3');
    const delv = await runProgram(peers!.delv!, ['@127.0.0.1', '-p', String(unboundPort), '-a', anchorFile, '+root=test', `roll3.${domain.name}`, 'A']);
    expect(delv.output, delv.output).toMatch(/; fully validated/);
  });

  it('a broken signature makes unbound answer SERVFAIL', async () => {
    const zone = srv.dns!.engine.zones.get(domain.name)!;
    const node = zone.node(`broken.${domain.name}`)!;
    const sigs = node.rrset(TYPE.RRSIG)!;
    const texts = Array.from({ length: sigs.count }, (_, i) => rdataToText(TYPE.RRSIG, sigs.rdata(i)));
    const bad = texts.map((t) => {
      const b = rdataFromText(TYPE.RRSIG, t);
      if (((b[0]! << 8) | b[1]!) === TYPE.A) b[b.length - 3]! ^= 0x5a;
      return rdataToText(TYPE.RRSIG, b);
    });
    const rr = (rdata: string) => ({ name: `broken.${domain.name}`, type: 'RRSIG', ttl: sigs.ttl, rdata });
    zone.apply(texts.map(rr), bad.map(rr), zone.serial);
    srv.dns!.engine.zones.touched();
    const out = await dig(`broken.${domain.name}`, 'A');
    expect(status(out), out).toBe('SERVFAIL');
    // The rest of the zone still validates.
    expect(flags(await dig(`www.${domain.name}`, 'A'))).toContain('ad');
  });
});
