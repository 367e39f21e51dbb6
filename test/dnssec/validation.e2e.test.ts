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

const peers = requirePeers('DNSSEC validation (unbound, delv)', [
  { name: 'unbound', pkg: 'unbound' },
  { name: 'delv', pkg: 'bind9-dnsutils' },
  { name: 'dig', pkg: 'bind9-dnsutils' },
  { name: 'ldns-verify-zone', pkg: 'ldnsutils' },
]);

let n = 0;
const unique = (): string => `signed-${process.pid}-${Date.now().toString(36)}-${++n}.test`;

(peers ? describe : describe.skip)('DNSSEC validation with unbound and delv', () => {
  let srv: TestServer;
  let dir: string;
  let unbound: ChildProcess | null = null;
  let unboundPort = 0;
  let domain: { id: string; name: string; zoneId: string };
  let anchorFile: string;

  const dig = async (name: string, type: string): Promise<string> => (await runProgram(peers!.dig!, ['@127.0.0.1', '-p', String(unboundPort), '+dnssec', '+time=5', '+tries=1', name, type])).output;
  const flags = (out: string): string[] => (/;; flags: ([a-z ]+);/.exec(out)?.[1] ?? '').split(' ');
  const status = (out: string): string | undefined => /status: ([A-Z]+)/.exec(out)?.[1];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'zk-dnssec-e2e-'));
    srv = await startTestServer({ dns: true });
    const api = client(srv.url, srv.adminToken);
    // Registering signs the sandbox's test. zone; the domain's own zone is signed next.
    const reg = await api('POST', '/api/v2/domains', { name: unique() });
    expect(reg.status, reg.text).toBe(201);
    domain = reg.body;
    for (const body of [
      { name: 'www', type: 'A', value: '192.0.2.80' },
      { name: '*.wild', type: 'TXT', value: 'any name below wild' },
      { name: 'broken', type: 'A', value: '192.0.2.66' },
      { name: 'gone', type: 'A', value: '192.0.2.67' },
    ]) expect((await api('POST', `/api/v2/dns-zones/${domain.zoneId}/records`, body)).status).toBe(201);
    const zone = (await srv.services.store.zones.get(domain.zoneId))!;
    await srv.services.dnssec.enableSigning(zone);
    const view = await api('GET', `/api/v2/dns-zones/${domain.zoneId}/dnssec`);
    expect(view.status, view.text).toBe(200);
    expect(view.body).toMatchObject({ zone: domain.name, signed: true });
    expect(view.body.ds.map((d: any) => d.digestType)).toEqual([2, 4]);
    const ds = view.body.ds[0];
    const added = await api('POST', `/api/v2/domains/${domain.id}/dnssec`, { type: 'DS', keyTag: ds.keyTag, algorithm: ds.algorithm, digestType: 2, digest: ds.digest });
    expect(added.status, added.text).toBe(201);
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
    unbound = spawn(peers!.unbound!, ['-d', '-c', path.join(dir, 'unbound.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    unbound.stdout!.on('data', (d) => (log += d));
    unbound.stderr!.on('data', (d) => (log += d));
    for (let i = 0; i < 100; i++) {
      const out = await runProgram(peers!.dig!, ['@127.0.0.1', '-p', String(unboundPort), '+time=1', '+tries=1', 'test.', 'SOA']);
      if (/status: /.test(out.output)) break;
      await new Promise((r) => setTimeout(r, 100));
      if (i === 99) throw new Error(`unbound did not start:\n${log}`);
    }
  }, 60_000);

  afterAll(async () => {
    unbound?.kill('SIGTERM');
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

  it('the zone as served (after incremental changes) passes ldns-verify-zone', async () => {
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
