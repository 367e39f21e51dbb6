// When the registry is unavailable: a clear 503 registry_unavailable, nothing recorded, the change
// queued in the job table; once the registry is back, the job completes it and records it. The
// registry here is the sandbox behind a switch that makes every call fail as unreachable.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RegistryError, type Registry } from '../../src/core/registry/registry.port.js';
import { SandboxRegistry } from '../../src/core/registry/sandbox-registry.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { jobHandlers } from '../../src/jobs/handlers.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { expectProblem, type Call } from './support.js';

let srv: TestServer;
let api: Call;
let down = false;
let sandbox: SandboxRegistry;

/** The sandbox registry behind a switch: while `down`, every call fails as unreachable. */
function switchable(inner: Registry): Registry {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => (down ? Promise.reject(new RegistryError('unavailable', 'connection refused by the registry', 2400)) : (v as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

beforeAll(async () => {
  srv = await startTestServer({
    registries: ({ store, clock, settings }) => {
      sandbox = new SandboxRegistry(store, clock, settings, ['test']);
      return new Map([['test', switchable(sandbox)]]);
    },
  });
  api = client(srv.url, srv.adminToken);
});
afterAll(async () => srv?.close());

it('an unavailable registry: 503, nothing recorded, the change queued and completed by the job once it is back', async () => {
  const name = `retry-${process.pid}.test`;
  const d = (await api('POST', '/api/v2/domains', { name })).body;
  down = true;
  const r = await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: ['ns1.example.org', 'ns2.example.org'] });
  const p = expectProblem(r, 503, 'registry_unavailable');
  expect(p).toMatchObject({ retryQueued: true, registryCode: 2400 });
  expect(p.jobId).toMatch(/^job_/);
  // Nothing changed here or at the registry.
  expect((await api('GET', `/api/v2/domains/${d.id}/nameservers`)).body.nameservers).toEqual(['ns1.example.net', 'ns2.example.net']);
  const glue = await api('POST', `/api/v2/domains/${d.id}/glue-records`, { hostname: `ns1.${name}`, ips: ['203.0.113.10'] });
  expectProblem(glue, 503, 'registry_unavailable');
  // A newer intent replaces the queued one for the same target.
  expectProblem(await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: ['ns3.example.org', 'ns4.example.org'] }), 503, 'registry_unavailable');
  const later = new Date(Date.now() + 60_000);
  const runner = new JobRunner(srv.services.store, { now: () => later }, jobHandlers(srv.services));
  expect(await runner.runDue()).toMatchObject({ ran: 2, done: 0, failed: 2 }); // still down: rescheduled
  down = false;
  const muchLater = new Date(Date.now() + 3_600_000);
  const runner2 = new JobRunner(srv.services.store, { now: () => muchLater }, jobHandlers(srv.services));
  expect(await runner2.runDue()).toMatchObject({ ran: 2, done: 2, failed: 0 });
  expect((await api('GET', `/api/v2/domains/${d.id}/nameservers`)).body.nameservers).toEqual(['ns3.example.org', 'ns4.example.org']);
  expect((await sandbox.infoDomain(name)).nameservers).toEqual(['ns3.example.org', 'ns4.example.org']);
  expect((await api('GET', `/api/v2/domains/${d.id}/glue-records`)).body.glueRecords).toEqual([{ hostname: `ns1.${name}`, ips: ['203.0.113.10'] }]);
});

it('the lock and DNSSEC changes are retried the same way; a registration is not (it is not idempotent)', async () => {
  const name = `retry2-${process.pid}.test`;
  const d = (await api('POST', '/api/v2/domains', { name })).body;
  down = true;
  expectProblem(await api('POST', `/api/v2/domains/${d.id}/dnssec`, { type: 'DS', keyTag: 1, algorithm: 13, digestType: 2, digest: 'a'.repeat(64) }), 503, 'registry_unavailable');
  expectProblem(await api('PATCH', `/api/v2/domains/${d.id}`, { registrarLockEnabled: true }), 503, 'registry_unavailable');
  expect((await api('GET', `/api/v2/domains/${d.id}`)).body.lifecycle.registrarLockEnabled).toBe(false);
  // Queued after the lock, a glue change would be refused by it: that job ends failed, with the reason.
  expectProblem(await api('POST', `/api/v2/domains/${d.id}/glue-records`, { hostname: `ns1.${name}`, ips: ['203.0.113.10'] }), 503, 'registry_unavailable');
  const reg = await api('POST', '/api/v2/domains', { name: `retry3-${process.pid}.test` });
  const p = expectProblem(reg, 503, 'registry_unavailable');
  expect(p.retryQueued).toBeUndefined();
  down = false;
  const runner = new JobRunner(srv.services.store, { now: () => new Date(Date.now() + 60_000) }, jobHandlers(srv.services));
  expect(await runner.runDue()).toMatchObject({ ran: 3, done: 2, failed: 1 });
  expect((await api('GET', `/api/v2/domains/${d.id}`)).body.lifecycle.registrarLockEnabled).toBe(true);
  const glueJob = await srv.services.store.jobs.latest(`${d.id}:glue:ns1.${name}`, 'registry_retry');
  expect(glueJob).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/registrar lock/) });
  expect((await api('GET', `/api/v2/domains/${d.id}/glue-records`)).body.glueRecords).toEqual([]);
  expect((await sandbox.infoDomain(name)).statuses).toContain('clientTransferProhibited');
  expect((await api('GET', `/api/v2/domains/${d.id}/dnssec`)).body.records).toHaveLength(1);
});

it('a change done after a queued one supersedes it: the queued job never runs to undo it', async () => {
  const name = `retry4-${process.pid}.test`;
  const d = (await api('POST', '/api/v2/domains', { name })).body;
  down = true;
  expectProblem(await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: ['ns1.example.org', 'ns2.example.org'] }), 503, 'registry_unavailable');
  down = false;
  expect((await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: ['ns5.example.org', 'ns6.example.org'] })).status).toBe(200);
  const runner = new JobRunner(srv.services.store, { now: () => new Date(Date.now() + 3_600_000) }, jobHandlers(srv.services));
  expect((await runner.runDue()).ran).toBe(0);
  expect(await srv.services.store.jobs.latest(`${d.id}:nameservers:`, 'registry_retry')).toMatchObject({ status: 'done', lastError: expect.stringMatching(/superseded/) });
  expect((await sandbox.infoDomain(name)).nameservers).toEqual(['ns5.example.org', 'ns6.example.org']);
});

it('concurrent changes of one domain all reach the registry, in the order recorded', async () => {
  const name = `retry5-${process.pid}.test`;
  const d = (await api('POST', '/api/v2/domains', { name })).body;
  const digests = Array.from({ length: 6 }, (_, i) => String(i).repeat(64));
  const results = await Promise.all([
    api('PATCH', `/api/v2/domains/${d.id}`, { autoRenewEnabled: true }),
    ...digests.map((digest, i) => api('POST', `/api/v2/domains/${d.id}/dnssec`, { type: 'DS', keyTag: i + 1, algorithm: 13, digestType: 2, digest })),
  ]);
  for (const r of results) expect([200, 201]).toContain(r.status);
  expect((await sandbox.infoDomain(name)).dnssec).toHaveLength(6);
  expect((await api('GET', `/api/v2/domains/${d.id}/dnssec`)).body.records).toHaveLength(6);
  // The lock with concurrent changes: whatever ran before it went through; after it, refused.
  const [lock, ds] = await Promise.all([
    api('PATCH', `/api/v2/domains/${d.id}`, { registrarLockEnabled: true }),
    api('POST', `/api/v2/domains/${d.id}/dnssec`, { type: 'DS', keyTag: 99, algorithm: 13, digestType: 2, digest: '9'.repeat(64) }),
  ]);
  expect(lock.status).toBe(200);
  const registryDs = (await sandbox.infoDomain(name)).dnssec.length;
  const recordedDs = (await api('GET', `/api/v2/domains/${d.id}/dnssec`)).body.records.length;
  expect(recordedDs).toBe(registryDs);
  expect([201, 409]).toContain(ds.status);
  expect((await sandbox.infoDomain(name)).statuses).toContain('clientTransferProhibited');
});
