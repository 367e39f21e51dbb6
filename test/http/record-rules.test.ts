// Record CRUD rules on both stores: duplicates, CNAME and ALIAS exclusivity, the server-managed apex
// NS set, DS at delegations only, TXT quoting, TTL bounds, body validation (unknown fields, JSON
// types) and name normalization (IDN, case, trailing dots).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createRecord, createZone, describeEachDialect, expectProblem, getZone, pgFor, userRecords, type Call } from './support.js';

const pgOk = await pgFor('http record rules');

describeEachDialect(pgOk, 'record rules', (dialect) => {
  let srv: TestServer;
  let api: Call;
  beforeAll(async () => {
    srv = await startTestServer({ dialect });
    api = client(srv.url, srv.adminToken);
  });
  afterAll(async () => srv?.close());

  const post = (zoneId: string, body: unknown) => api('POST', `/api/v2/dns-zones/${zoneId}/records`, body);

  /** Runs `steps` in a fresh zone; each step is [body, expected status, expected [pointer, code][]?]. */
  async function scenario(steps: [Record<string, unknown>, number, [string, string][]?][]): Promise<any> {
    const z = await createZone(api);
    for (const [body, status, errors] of steps) {
      const r = await post(z.id, body);
      if (status === 201) expect(r.status, `${JSON.stringify(body)} → ${r.text}`).toBe(201);
      else expectProblem(r, status, status === 409 ? 'conflict' : 'invalid_request', errors);
    }
    return z;
  }

  describe('rules between records', () => {
    it.each([
      ['an exact duplicate', [
        [{ type: 'A', name: 'www', value: '192.0.2.1' }, 201],
        [{ type: 'A', name: 'WWW', value: '192.0.2.1', ttl: 600 }, 409, [['/value', 'duplicate']]],
        [{ type: 'A', name: 'www', value: '192.0.2.2' }, 201],
      ]],
      ['a duplicate in another spelling (canonical RDATA)', [
        [{ type: 'AAAA', name: 'v6', value: '2001:db8::1' }, 201],
        [{ type: 'AAAA', name: 'v6', value: '2001:0DB8:0:0:0:0:0:1' }, 409, [['/value', 'duplicate']]],
        [{ type: 'MX', name: '@', value: 'mail.example.org', priority: 10 }, 201],
        [{ type: 'MX', name: '@', value: '10 MAIL.example.org.' }, 409, [['/value', 'duplicate']]],
      ]],
      ['a CNAME beside existing data', [
        [{ type: 'A', name: 'www', value: '192.0.2.1' }, 201],
        [{ type: 'CNAME', name: 'www', value: 'target.example.net' }, 409, [['/type', 'conflict']]],
      ]],
      ['data beside an existing CNAME', [
        [{ type: 'CNAME', name: 'alias', value: 'target.example.net' }, 201],
        [{ type: 'TXT', name: 'alias', value: 'hello' }, 409, [['/type', 'conflict']]],
        [{ type: 'CNAME', name: 'alias', value: 'other.example.net' }, 409, [['/type', 'conflict']]],
      ]],
      ['a CNAME at the apex', [
        [{ type: 'CNAME', name: '@', value: 'target.example.net' }, 400],
      ]],
      ['an ALIAS beside A records', [
        [{ type: 'A', name: 'edge', value: '192.0.2.1' }, 201],
        [{ type: 'ALIAS', name: 'edge', value: 'lb.example.net' }, 409, [['/type', 'conflict']]],
      ]],
      ['AAAA beside an ALIAS, and a second ALIAS', [
        [{ type: 'ALIAS', name: '@', value: 'lb.example.net' }, 201],
        [{ type: 'AAAA', name: '@', value: '2001:db8::1' }, 409, [['/type', 'conflict']]],
        [{ type: 'ALIAS', name: '@', value: 'lb2.example.net' }, 409, [['/type', 'conflict']]],
        [{ type: 'MX', name: '@', value: 'mail.example.org', priority: 10 }, 201],
      ]],
      ['IP addresses as CNAME/ALIAS/MX/NS/SRV targets', [
        [{ type: 'CNAME', name: 'c', value: '192.0.2.1' }, 400, [['/value', 'invalid_value']]],
        [{ type: 'ALIAS', name: 'c', value: '2001:db8::1' }, 400, [['/value', 'invalid_value']]],
        [{ type: 'MX', name: 'c', value: '192.0.2.25', priority: 10 }, 400, [['/value', 'invalid_value']]],
        [{ type: 'NS', name: 'c', value: '192.0.2.53' }, 400, [['/value', 'invalid_value']]],
        [{ type: 'SRV', name: '_x._tcp', value: '1 1 1 192.0.2.9' }, 400, [['/value', 'invalid_value']]],
      ]],
      ['an NS record at the apex', [
        [{ type: 'NS', name: '@', value: 'ns3.example.net' }, 400, [['/name', 'not_allowed']]],
      ]],
      ['a DS without NS at its name, and at the apex', [
        [{ type: 'DS', name: 'child', value: `1 13 2 ${'ab'.repeat(32)}` }, 409, [['/type', 'conflict']]],
        [{ type: 'DS', name: '@', value: `1 13 2 ${'ab'.repeat(32)}` }, 400],
        [{ type: 'NS', name: 'child', value: 'ns.child.example.net' }, 201],
        [{ type: 'DS', name: 'child', value: `1 13 2 ${'ab'.repeat(32)}` }, 201],
      ]],
      ['TXT with unbalanced quotes', [
        [{ type: 'TXT', name: 't', value: '"abc' }, 400, [['/value', 'invalid_format']]],
        [{ type: 'TXT', name: 't', value: '"a" "b' }, 400, [['/value', 'invalid_format']]],
        [{ type: 'TXT', name: 't', value: 'unquoted "inner" quotes are literal' }, 201],
      ]],
      ['a name outside the zone', [
        [{ type: 'A', name: 'www.example.net.', value: '192.0.2.1' }, 400, [['/name', 'invalid_value']]],
        [{ type: 'A', name: 'bad..name', value: '192.0.2.1' }, 400, [['/name', 'invalid_format']]],
      ]],
    ] as [string, [Record<string, unknown>, number, [string, string][]?][]][])('refuses %s', async (_what, steps) => {
      await scenario(steps);
    });

    it('a CNAME at the apex names the problem at /type', async () => {
      const z = await createZone(api);
      const r = await post(z.id, { type: 'CNAME', name: '@', value: 'target.example.net' });
      expectProblem(r, 400, 'invalid_request');
      expect(r.body.errors[0]).toMatchObject({ pointer: '/type', code: 'not_allowed' });
      expect(r.body.errors[0].detail).toMatch(/ALIAS/);
    });

    it('a PUT is checked like a POST, and may keep its own value', async () => {
      const z = await createZone(api);
      const a = await createRecord(api, z.id, { type: 'A', name: 'a', value: '192.0.2.1' });
      const b = await createRecord(api, z.id, { type: 'A', name: 'a', value: '192.0.2.2' });
      await createRecord(api, z.id, { type: 'TXT', name: 'txt', value: 'x' });
      const put = (id: string, body: unknown) => api('PUT', `/api/v2/dns-zones/${z.id}/records/${id}`, body);
      expectProblem(await put(b.id, { type: 'A', name: 'a', value: '192.0.2.1' }), 409, 'conflict', [['/value', 'duplicate']]);
      expectProblem(await put(b.id, { type: 'CNAME', name: 'txt', value: 'x.example.net' }), 409, 'conflict', [['/type', 'conflict']]);
      expectProblem(await put(b.id, { type: 'NS', name: '@', value: 'ns9.example.net' }), 400, 'invalid_request', [['/name', 'not_allowed']]);
      expect((await put(a.id, { type: 'A', name: 'a', value: '192.0.2.1', ttl: 120 })).body.ttl).toBe(120);
      // The only A at a name can become a CNAME there.
      const single = await createRecord(api, z.id, { type: 'A', name: 'solo', value: '192.0.2.3' });
      expect((await put(single.id, { type: 'CNAME', name: 'solo', value: 'x.example.net' })).status).toBe(200);
    });

    it('the apex NS set can be neither replaced nor deleted', async () => {
      const z = await createZone(api);
      const ns = (await getZone(api, z.id, '?type=NS')).records;
      expect(ns).toHaveLength(2);
      const put = await api('PUT', `/api/v2/dns-zones/${z.id}/records/${ns[0].id}`, { type: 'NS', name: '@', value: 'ns9.example.net' });
      expectProblem(put, 400, 'invalid_request');
      expect(put.body.errors.map((e: any) => e.code)).toContain('not_allowed');
      const moved = await api('PUT', `/api/v2/dns-zones/${z.id}/records/${ns[0].id}`, { type: 'NS', name: 'sub', value: 'ns9.example.net' });
      expectProblem(moved, 400, 'invalid_request');
      expect(moved.body.errors.map((e: any) => e.code)).toContain('not_allowed');
      const del = await api('DELETE', `/api/v2/dns-zones/${z.id}/records/${ns[1].id}`);
      expectProblem(del, 400, 'invalid_request');
      expect(del.body.errors.map((e: any) => e.code)).toEqual(['not_allowed']);
      const after = await getZone(api, z.id, '?type=NS');
      expect(after.records).toEqual(ns);
      expect(after.zone.serial).toBe(z.serial);
    });

    it('deleting the NS of a delegation that has a DS is refused', async () => {
      const z = await createZone(api);
      const ns = await createRecord(api, z.id, { type: 'NS', name: 'child', value: 'ns.child.example.net' });
      await createRecord(api, z.id, { type: 'DS', name: 'child', value: `1 13 2 ${'ab'.repeat(32)}` });
      const del = await api('DELETE', `/api/v2/dns-zones/${z.id}/records/${ns.id}`);
      expectProblem(del, 409, 'conflict');
      expect(del.body.errors.map((e: any) => e.code)).toEqual(['conflict']);
    });
  });

  describe('TTL', () => {
    it.each([
      [undefined, 201, 3600],
      [null, 201, 3600],
      [60, 201, 60],
      [86400, 201, 86400],
      [59, 400],
      [86401, 400],
      [0, 400],
      [-1, 400],
    ])('ttl %j → %i', async (ttl, status, stored?: number) => {
      const z = await createZone(api);
      const r = await post(z.id, { type: 'A', name: 'www', value: '192.0.2.1', ...(ttl !== undefined ? { ttl } : {}) });
      if (status === 201) expect([r.status, r.body.ttl]).toEqual([201, stored]);
      else {
        expectProblem(r, 400, 'invalid_request', [['/ttl', 'out_of_range']]);
        expect(r.body.errors[0].detail).toBe('`ttl` must be between 60 and 86400.');
      }
    });
  });

  describe('body validation', () => {
    it.each([
      ['an unknown field', { type: 'A', name: 'x', value: '192.0.2.1', proxied: true }, [['/proxied', 'unknown_field']]],
      ['two unknown fields', { type: 'A', name: 'x', value: '192.0.2.1', a: 1, b: 2 }, [['/a', 'unknown_field'], ['/b', 'unknown_field']]],
      ['ttl as a string', { type: 'A', name: 'x', value: '192.0.2.1', ttl: '3600' }, [['/ttl', 'invalid_type']]],
      ['ttl as a fraction', { type: 'A', name: 'x', value: '192.0.2.1', ttl: 60.5 }, [['/ttl', 'invalid_type']]],
      ['value as a number', { type: 'A', name: 'x', value: 3232235777 }, [['/value', 'invalid_type']]],
      ['name as null', { type: 'A', name: null, value: '192.0.2.1' }, [['/name', 'invalid_type']]],
      ['priority as a string', { type: 'MX', name: 'x', value: 'mail.example.org', priority: '10' }, [['/priority', 'invalid_type']]],
      ['a missing type', { name: 'x', value: '192.0.2.1' }, [['/type', 'required']]],
      ['a missing value', { type: 'A', name: 'x' }, [['/value', 'required']]],
      ['an unsupported type', { type: 'WKS', name: 'x', value: '192.0.2.1' }, [['/type', 'invalid_value']]],
      ['an array body', [{ type: 'A', name: 'x', value: '192.0.2.1' }], [['', 'invalid_type']]],
    ])('refuses %s', async (_what, body, errors) => {
      const z = await createZone(api);
      expectProblem(await post(z.id, body), 400, 'invalid_request', errors as [string, string][]);
      expect((await getZone(api, z.id)).zone.recordCount).toBe(2);
    });
  });

  describe('names', () => {
    it('IDN zone names become A-labels; uppercase input is lowercased; JSON names carry no trailing dot', async () => {
      const idn = await api('POST', '/api/v2/dns-zones', { name: 'Bücher.Example.' });
      expect(idn.status, idn.text).toBe(201);
      expect(idn.body.name).toBe('xn--bcher-kva.example');
      expect((await api('GET', '/api/v2/dns-zones?name=bücher.example')).body.data.map((z: any) => z.id)).toEqual([idn.body.id]);
      const a = await createRecord(api, idn.body.id, { type: 'A', name: 'Müller', value: '192.0.2.1' });
      expect(a.name).toBe('xn--mller-kva.xn--bcher-kva.example');
      const cname = await createRecord(api, idn.body.id, { type: 'CNAME', name: 'WWW.XN--BCHER-KVA.EXAMPLE.', value: 'Target.Example.NET.' });
      expect([cname.name, cname.value]).toEqual(['www.xn--bcher-kva.example', 'target.example.net']);
      const srv2 = await createRecord(api, idn.body.id, { type: 'SRV', name: '_SIP._TCP', value: '1 2 5060 SIP.Example.NET.' });
      expect([srv2.name, srv2.value]).toEqual(['_sip._tcp.xn--bcher-kva.example', 'sip.example.net']);
      const all = await getZone(api, idn.body.id);
      for (const r of all.records) {
        expect(r.name.endsWith('.')).toBe(false);
        expect(r.name).toBe(r.name.toLowerCase());
        if (['CNAME', 'NS', 'SRV', 'MX'].includes(r.type)) expect(r.value.endsWith('.')).toBe(false);
      }
      expect(userRecords(all)).toHaveLength(3);
    });

    it('a wildcard owner is accepted as the leftmost label only', async () => {
      const z = await createZone(api);
      expect((await createRecord(api, z.id, { type: 'A', name: '*', value: '192.0.2.1' })).name).toBe(`*.${z.name}`);
      expect((await createRecord(api, z.id, { type: 'A', name: '*.dev', value: '192.0.2.1' })).name).toBe(`*.dev.${z.name}`);
      expectProblem(await post(z.id, { type: 'A', name: 'a.*', value: '192.0.2.1' }), 400, 'invalid_request', [['/name', 'invalid_format']]);
    });
  });
});
