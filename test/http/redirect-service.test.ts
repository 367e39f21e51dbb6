// The redirect service for Redirect records, over real HTTP on loopback: 301 with Location and an
// HTML page, paths and queries kept when the URL ends in `/`, HEAD, ports and case in Host, 404 for
// unknown hosts, the status setting; Redirect records stand alone among address records.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectTarget } from '../../src/core/redirects/redirects.service.js';
import { RedirectServer } from '../../src/http/redirect/redirect-server.js';
import { DnsService } from '../../src/dns/index.js';
import { answerData, decode, encodeQuery, rcodeName, udpExchange } from '../helpers/dns.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { loggedIn, makeDomain, makeUser, violations, type OrgCall } from './org-api/support.js';
import { zoneName } from './support.js';

function get(port: number, host: string, path = '/', method = 'GET'): Promise<{ status: number; location: string | undefined; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('redirectTarget', () => {
  it.each([
    ['https://www.example.org/', '/a/b?x=1&y=2', 'https://www.example.org/a/b?x=1&y=2'],
    ['https://www.example.org/', '/', 'https://www.example.org/'],
    ['https://www.example.org/base/', '/page', 'https://www.example.org/base/page'],
    ['https://www.example.org/landing', '/a/b?x=1', 'https://www.example.org/landing'],
    ['http://example.org', '/x', 'http://example.org'],
  ])('%s + %s → %s', (url, path, to) => expect(redirectTarget(url, path)).toBe(to));
});

describe('redirect service', () => {
  let srv: TestServer;
  let call: OrgCall;
  let redirect: RedirectServer;
  let port: number;
  let domain: { zoneId: string; domainUuid: string; name: string };
  let base: string;

  beforeAll(async () => {
    srv = await startTestServer();
    call = await loggedIn(srv, (await makeUser(srv, { role: 'member' })).email);
    domain = await makeDomain(srv, zoneName('redir'));
    base = `/api/organizations/${srv.accountId}/domains/${domain.domainUuid}/dns-records`;
    expect((await call('POST', base, { type: 5, name: 'go', value: 'https://www.example.org/' })).status).toBe(201);
    expect((await call('POST', base, { type: 5, name: '', value: 'https://www.example.org/landing?from=apex' })).status).toBe(201);
    redirect = new RedirectServer({ host: '127.0.0.1', port: 0, status: 301, redirects: srv.services.redirects });
    port = (await redirect.listen()).port;
  });
  afterAll(async () => {
    await redirect?.close();
    await srv?.close();
  });

  it('sends browsers on with 301, Location and an HTML page; paths and queries kept for a URL ending in /', async () => {
    const r = await get(port, `go.${domain.name}`, '/docs/page?lang=en&x=<y>');
    expect(r.status).toBe(301);
    expect(r.location).toBe('https://www.example.org/docs/page?lang=en&x=<y>');
    expect(r.type).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<a href="https://www.example.org/docs/page?lang=en&#38;x=&#60;y&#62;">');
    expect(r.body).not.toContain('<y>');
    const apex = await get(port, `${domain.name.toUpperCase()}.:8080`, '/anything');
    expect(apex).toMatchObject({ status: 301, location: 'https://www.example.org/landing?from=apex' });
    const head = await get(port, `go.${domain.name}`, '/', 'HEAD');
    expect(head).toMatchObject({ status: 301, location: 'https://www.example.org/', body: '' });
  });

  it('answers 404 for hosts without a Redirect record, and for malformed Host headers', async () => {
    expect((await get(port, `other.${domain.name}`)).status).toBe(404);
    expect((await get(port, 'not..valid')).status).toBe(404);
    expect((await get(port, 'www.example.net')).status).toBe(404);
  });

  it('follows changes at once, and uses the configured status', async () => {
    const list = (await call('GET', `${base}?type=5&name=go`)).body['hydra:member'];
    await call('PATCH', `${base}/${list[0].id}`, { value: 'https://docs.example.org/' }, { 'content-type': 'application/merge-patch+json' });
    expect((await get(port, `go.${domain.name}`, '/x')).location).toBe('https://docs.example.org/x');
    const temporary = new RedirectServer({ host: '127.0.0.1', port: 0, status: 307, redirects: srv.services.redirects });
    const p2 = (await temporary.listen()).port;
    try {
      expect((await get(p2, `go.${domain.name}`)).status).toBe(307);
    } finally {
      await temporary.close();
    }
  });

  it('a Redirect stands alone among A/AAAA/ALIAS/Redirect records at its name', async () => {
    expect(violations(await call('POST', base, { type: 0, name: 'go', value: '192.0.2.1' }))).toEqual([['type', 'conflict']]);
    expect(violations(await call('POST', base, { type: 5, name: 'go', value: 'https://other.example.org/' }))).toEqual([['type', 'conflict']]);
    expect((await call('POST', base, { type: 3, name: 'go', value: 'text beside a redirect is fine' })).status).toBe(201);
    expect((await call('POST', base, { type: 0, name: 'addr', value: '192.0.2.1' })).status).toBe(201);
    expect(violations(await call('POST', base, { type: 5, name: 'addr', value: 'https://www.example.org/' }))).toEqual([['type', 'conflict']]);
  });
});

describe('Redirect names in DNS', () => {
  let srv: TestServer;
  let call: OrgCall;

  beforeAll(async () => {
    srv = await startTestServer({ dns: true, settings: { 'redirect-addresses': '192.0.2.80, 2001:DB8::80' } });
    call = await loggedIn(srv, (await makeUser(srv, { role: 'member' })).email);
  });
  afterAll(async () => srv?.close());

  it('answer A/AAAA with the redirect service\'s addresses, with the record\'s TTL; follow changes and deletes', async () => {
    const d = await makeDomain(srv, zoneName('redir-dns'));
    const base = `/api/organizations/${srv.accountId}/domains/${d.domainUuid}/dns-records`;
    const rec = (await call('POST', base, { type: 5, name: 'go', value: 'https://www.example.org/', ttl: 300 })).body;
    const port = srv.dns!.port;
    const a = decode(await udpExchange(port, encodeQuery(`go.${d.name}`, 'A')));
    expect(answerData(a)).toEqual(['192.0.2.80']);
    expect((a.answers![0] as { ttl?: number }).ttl).toBe(300);
    expect(answerData(decode(await udpExchange(port, encodeQuery(`go.${d.name}`, 'AAAA'))))).toEqual(['2001:db8::80']);
    await call('PATCH', `${base}/${rec.id}`, { value: 'https://docs.example.org/' }, { 'content-type': 'application/merge-patch+json' });
    expect(answerData(decode(await udpExchange(port, encodeQuery(`go.${d.name}`, 'A'))))).toEqual(['192.0.2.80']);
    expect((await call('DELETE', `${base}/${rec.id}`)).status).toBe(204);
    expect(rcodeName(await udpExchange(port, encodeQuery(`go.${d.name}`, 'A')))).toBe('NXDOMAIN');
    // A zone loaded from the store at start (not followed from the journal) maps them too.
    await call('POST', base, { type: 5, name: 'later', value: 'https://www.example.org/' });
    const dns = new DnsService(srv.services.store, {
      host: '127.0.0.1', port: 0, workers: 0, tcpIdleTimeoutMs: 10_000, tcpMaxConnections: 10, aliasUpstream: null,
      logger: { debug() {}, info() {}, warn() {}, error() {} }, redirectAddresses: ['198.51.100.80'],
    });
    const started = await dns.start();
    try {
      expect(answerData(decode(await udpExchange(started.port, encodeQuery(`later.${d.name}`, 'A'))))).toEqual(['198.51.100.80']);
      expect(answerData(decode(await udpExchange(started.port, encodeQuery(`later.${d.name}`, 'AAAA'))))).toEqual([]);
    } finally {
      await dns.close();
    }
  });
});
