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
    ];
    for (const [method, p] of expected) {
      const op = doc.paths[p!]?.[method!];
      expect(op, `${method} ${p}`).toBeDefined();
      expect(op.security, `${method} ${p}`).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(op.responses), `${method} ${p}`).toEqual(expect.arrayContaining(['401', '403', '429']));
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
