// The committed openapi.json is exactly what the server publishes (regenerate: npm run openapi),
// and every route the server has is in it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe('OpenAPI document', () => {
  it('is served at /api/v2/openapi.json and matches the committed openapi.json', async () => {
    const served = await client(s.url)('GET', '/api/v2/openapi.json');
    expect(served.status).toBe(200);
    const committed = JSON.parse(await readFile(path.join(ROOT, 'openapi.json'), 'utf8'));
    expect(served.body, 'openapi.json is out of date: run `npm run openapi` and commit it').toEqual(committed);
  });

  it('is OpenAPI 3.1 and documents every /api/v2 route with its method', async () => {
    const doc = (await client(s.url)('GET', '/api/v2/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const expected = [
      ['get', '/api/v2/dns-zones'], ['post', '/api/v2/dns-zones'], ['get', '/api/v2/dns-zones/{zoneId}'], ['delete', '/api/v2/dns-zones/{zoneId}'],
      ['get', '/api/v2/dns-zones/{zoneId}/records'], ['post', '/api/v2/dns-zones/{zoneId}/records'],
      ['put', '/api/v2/dns-zones/{zoneId}/records/{recordId}'], ['delete', '/api/v2/dns-zones/{zoneId}/records/{recordId}'],
      ['post', '/api/v2/dns-zones/{zoneId}/records/batch'], ['post', '/api/v2/dns-zones/{zoneId}/import'], ['get', '/api/v2/dns-zones/{zoneId}/export'],
      ['get', '/api/v2/domains'], ['get', '/api/v2/domains/{domainId}'], ['patch', '/api/v2/domains/{domainId}'], ['get', '/api/v2/domains/{domainId}/dns'],
      ['get', '/api/v2/api-keys'], ['post', '/api/v2/api-keys'], ['delete', '/api/v2/api-keys/{keyId}'],
      ['post', '/api/v2/domains'], ['get', '/api/v2/domains/{domainId}/nameservers'], ['post', '/api/v2/domains/{domainId}/nameservers'],
      ['get', '/api/v2/domains/{domainId}/glue-records'], ['post', '/api/v2/domains/{domainId}/glue-records'], ['delete', '/api/v2/domains/{domainId}/glue-records/{hostname}'],
      ['get', '/api/v2/domains/{domainId}/dnssec'], ['post', '/api/v2/domains/{domainId}/dnssec'], ['delete', '/api/v2/domains/{domainId}/dnssec/{recordId}'],
    ];
    for (const [method, p] of expected) {
      const op = doc.paths[p!]?.[method!];
      expect(op, `${method} ${p}`).toBeDefined();
      expect(op.security, `${method} ${p}`).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(op.responses), `${method} ${p}`).toEqual(expect.arrayContaining(['401', '403', '429']));
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents the organization API: its routes, both credentials, the required fields of seed 003, merge-patch bodies', async () => {
    const doc = (await client(s.url)('GET', '/api/v2/openapi.json')).body;
    const recs = '/api/organizations/{organizationId}/domains/{domainId}/dns-records';
    const expected = [
      ['post', '/api/auth/login'], ['post', '/api/auth/refresh'], ['post', '/api/auth/logout'],
      ['get', '/api/api-tokens'], ['post', '/api/api-tokens'], ['delete', '/api/api-tokens/{id}'],
      ['get', '/api/organizations'], ['get', '/api/organizations/{organizationId}/domains'],
      ['get', recs], ['post', recs], ['get', `${recs}/{id}`], ['patch', `${recs}/{id}`], ['delete', `${recs}/{id}`],
    ];
    for (const [method, p] of expected) {
      const op = doc.paths[p!]?.[method!];
      expect(op, `${method} ${p}`).toBeDefined();
      if (!p!.startsWith('/api/auth/')) expect(op.security, `${method} ${p}`).toEqual([{ apiToken: [] }, { jwt: [] }]);
    }
    expect(doc.components.securitySchemes.apiToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-TOKEN' });
    expect(doc.components.securitySchemes.jwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const create = doc.paths[recs].post.requestBody.content['application/json'].schema;
    expect([...create.required].sort()).toEqual(['name', 'type', 'value']);
    expect(Object.keys(create.properties)).toEqual(['type', 'ttl', 'value', 'name', 'weight', 'priority', 'port', 'flags', 'tag', 'monitorType', 'comment']);
    expect(Object.keys(doc.paths[`${recs}/{id}`].patch.requestBody.content)).toEqual(['application/merge-patch+json']);
    expect(Object.keys(doc.paths[recs].post.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '404', '422']));
  });
});
