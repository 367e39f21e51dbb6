// DNS in the test server's process (startTestServer({ dns: true })), on SQLite and PostgreSQL:
// API writes answered at once, and writes of another process (a second store on the same
// database) followed through the journal.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { coreSettings } from '../../src/cli/context.js';
import { loadConfig } from '../../src/config/config.js';
import { systemClock } from '../../src/core/ports.js';
import { createServices } from '../../src/core/services.js';
import { answerData, query } from '../helpers/dns.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { describeEachDialect, pgFor } from '../http/support.js';

const pgOk = await pgFor('dns in-process');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDialect(pgOk, 'DNS in the API process', (dialect) => {
  let srv: TestServer;
  let api: ReturnType<typeof client>;
  let port: number;
  beforeAll(async () => {
    srv = await startTestServer({ dialect, dns: true });
    api = client(srv.url, srv.adminToken);
    port = srv.dns!.port;
  });
  afterAll(async () => {
    await srv.close();
  });

  it('answers every API write at once (UDP and TCP)', async () => {
    const zone = `inproc-${dialect}.example.test`;
    const z = await api('POST', '/api/v2/dns-zones', { name: zone });
    expect(z.status, z.text).toBe(201);
    for (let i = 0; i < 20; i++) {
      const r = await api('POST', `/api/v2/dns-zones/${z.body.id}/records`, { type: 'AAAA', name: `v${i}`, value: `2001:db8::${i + 1}` });
      expect(r.status, r.text).toBe(201);
      // The server's own time for the write, DNS apply included (what bench/dns reports as server time).
      expect(r.headers.get('server-timing')).toMatch(/^app;dur=\d+\.\d{3}$/);
      const q = await query(port, `v${i}.${zone}`, 'AAAA', { transport: i % 2 ? 'tcp' : 'udp' });
      expect(answerData(q)).toEqual([`2001:db8::${i + 1}`]);
    }
    expect(srv.dns!.stats()!.udp.replies).toBeGreaterThanOrEqual(10);
  });

  it('follows writes of another process', async () => {
    // A second store on the same database stands in for `zonekeeper zones import` in another process.
    const other = await srv.openOtherStore();
    try {
      const svc = createServices(other, coreSettings(loadConfig({}, {}, process.cwd())), systemClock);
      const zone = `other-${dialect}.example.test`;
      const z = await svc.zones.create(srv.accountId, zone);
      await svc.records.create(z, { type: 'A', name: 'www', value: '192.0.2.44' } as never);
      const deadline = Date.now() + 5000;
      let data: string[] = [];
      while (Date.now() < deadline) {
        data = answerData(await query(port, `www.${zone}`, 'A'));
        if (data.length > 0) break;
        await sleep(50);
      }
      expect(data).toEqual(['192.0.2.44']);
    } finally {
      await other.close();
    }
  });
});
