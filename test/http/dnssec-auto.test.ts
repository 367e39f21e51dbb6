// Automatic DNSSEC enrollment (seed 004; docs/dnssec.md): GET/POST /api/v2/domains/{id}/dnssec-auto
// over a real server and the sandbox registry, with an injected clock: every state and transition —
// not delegated here (inactive), include during the cooldown (blocked until nameserversChangedAt +
// cooldown, nothing bypasses it), pending while the DS goes to the registry, active once the parent
// serves it, exclude while pending and while active (DS withdrawn first, signing stops after the
// parent's DS TTL), registry failures (error, retried), nameservers moving away while active, and
// unknown fields refused with a pointer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/model.js';
import type { Clock } from '../../src/core/ports.js';
import type { Registry } from '../../src/core/registry/registry.port.js';
import { AppError } from '../../src/core/errors.js';
import { SandboxRegistry } from '../../src/core/registry/sandbox-registry.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { jobHandlers, JOB_RUNNER_OPTIONS } from '../../src/jobs/handlers.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { expectProblem, type Call } from './support.js';

let now = Date.parse('2026-12-06T12:00:00.000Z');
const clock: Clock = { now: () => new Date(now) };
const HOUR = 3_600_000;

/** A registry for `.flaky` that goes down on command (the sandbox behind it otherwise). */
let flakyDown = false;

describe('automatic DNSSEC enrollment (dnssec-auto)', () => {
  let srv: TestServer;
  let api: Call;
  let n = 0;

  beforeAll(async () => {
    srv = await startTestServer({
      clock,
      settings: { 'sandbox-tlds': 'test', 'glue-tlds': 'test,flaky' },
      registries: ({ store, clock: c, settings }) => {
        const inner = new SandboxRegistry(store, c, { ...settings, registry: { ...settings.registry, sandboxTlds: ['flaky'] } }, ['flaky']);
        const flaky = new Proxy(inner, {
          get(target, prop, receiver) {
            const v = Reflect.get(target, prop, receiver);
            if (typeof v !== 'function' || !['updateDomain', 'info', 'createDomain', 'checkDomain'].includes(String(prop))) return v;
            return (...args: unknown[]) => {
              if (flakyDown && prop === 'updateDomain') throw new AppError('registry_unavailable', 'The .flaky registry is down (test).');
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        }) as unknown as Registry;
        return new Map([['flaky', flaky]]);
      },
    });
    api = client(srv.url, srv.adminToken);
  });
  afterAll(async () => srv?.close());

  const runJobs = () => new JobRunner(srv.services.store, clock, jobHandlers(srv.services), JOB_RUNNER_OPTIONS).runDue();
  const auto = async (d: { id: string }) => (await api('GET', `/api/v2/domains/${d.id}/dnssec-auto`)).body;
  const act = async (d: { id: string }, action: string) => {
    const r = await api('POST', `/api/v2/domains/${d.id}/dnssec-auto`, { action });
    expect(r.status, r.text).toBe(200);
    return r.body;
  };
  async function register(tld = 'test'): Promise<Domain & { zoneId: string }> {
    const r = await api('POST', '/api/v2/domains', { name: `auto-${process.pid}-${++n}.${tld}` });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }
  /** Registered over 72 hours ago (a registration sets the nameservers: the cooldown applies to it too). */
  async function registerSettled(tld = 'test'): Promise<Domain & { zoneId: string }> {
    const d = await register(tld);
    now += 73 * HOUR;
    return d;
  }
  const dsAtTld = async (name: string) => {
    const tld = (await srv.services.store.zones.getByName(name.slice(name.indexOf('.') + 1)))!;
    return (await srv.services.store.records.list(tld.id, { name, type: 'DS' })).map((r) => r.rdata);
  };
  const keysOf = async (zoneId: string) => srv.services.store.dnssecKeys.list(zoneId);

  it('GET before anything: inactive and not enabled, every seed 004 field present', async () => {
    const d = await register();
    const v = await auto(d);
    expect(Object.keys(v).sort()).toEqual(['blockReason', 'blockedUntil', 'domainName', 'isBlocked', 'isEnabled', 'lastCheckedAt', 'lastError', 'nameserversChangedAt', 'reason', 'status'].sort());
    expect(v).toMatchObject({ domainName: d.name, status: 'inactive', isEnabled: false, isBlocked: false, blockedUntil: null });
  });

  it('unknown fields and bad actions are refused with a pointer', async () => {
    const d = await register();
    expectProblem(await api('POST', `/api/v2/domains/${d.id}/dnssec-auto`, { action: 'include', force: true }), 400, 'invalid_request', [['/force', 'unknown_field']]);
    expectProblem(await api('POST', `/api/v2/domains/${d.id}/dnssec-auto`, { action: 'refresh' }), 400, 'invalid_request');
    expectProblem(await api('POST', `/api/v2/domains/${d.id}/dnssec-auto`, {}), 400, 'invalid_request');
  });

  it('include → pending → active: the zone is signed, the DS published at the registry and served by the parent', async () => {
    const fresh = await register();
    // A registration sets the nameservers: include right after it waits out the cooldown too.
    expect(await act(fresh, 'include')).toMatchObject({ status: 'blocked', nameserversChangedAt: expect.any(String) });
    const d = await registerSettled();
    const v = await act(d, 'include');
    expect(v).toMatchObject({ status: 'active', isEnabled: true, isBlocked: false, lastError: null });
    const keys = await keysOf(d.zoneId);
    expect(keys).toHaveLength(1);
    const ds = (await api('GET', `/api/v2/dns-zones/${d.zoneId}/dnssec`)).body.ds[0];
    expect((await dsAtTld(d.name)).map((x) => x.toUpperCase())).toEqual([`${ds.keyTag} ${ds.algorithm} 2 ${ds.digest}`]);
    expect((await api('GET', `/api/v2/domains/${d.id}/dnssec`)).body.records).toHaveLength(1);
    // Idempotent: include again changes nothing.
    expect(await act(d, 'include')).toMatchObject({ status: 'active' });
    expect(await keysOf(d.zoneId)).toHaveLength(1);
  });

  it('not delegated here: inactive with a reason; include after moving back waits out the cooldown (blocked), nothing bypasses it', async () => {
    const d = await register();
    expect((await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: ['ns1.example.org', 'ns2.example.org'] })).status).toBe(200);
    const away = await act(d, 'include');
    expect(away).toMatchObject({ status: 'inactive', isEnabled: true });
    expect(away.reason).toMatch(/not delegated to this server's nameservers/);
    now += HOUR;
    const back = await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: ['ns1.example.net', 'ns2.example.net'] });
    expect(back.status, back.text).toBe(202);
    const changedAt = now;
    const blocked = await act(d, 'include');
    expect(blocked).toMatchObject({ status: 'blocked', isBlocked: true, blockReason: expect.stringMatching(/cooldown/), nameserversChangedAt: new Date(changedAt).toISOString() });
    expect(blocked.blockedUntil).toBe(new Date(changedAt + 72 * HOUR).toISOString());
    expect(await keysOf(d.zoneId)).toHaveLength(0);
    // Include again, and the job, during the cooldown: still blocked.
    now += 71 * HOUR;
    expect(await act(d, 'include')).toMatchObject({ status: 'blocked' });
    await runJobs();
    expect(await auto(d)).toMatchObject({ status: 'blocked' });
    // Past the cooldown the job moves on by itself.
    now += 2 * HOUR;
    await runJobs();
    expect(await auto(d)).toMatchObject({ status: 'active', isBlocked: false, blockedUntil: null });
    expect(await dsAtTld(d.name)).toHaveLength(1);
  });

  it('exclude while active: the DS goes first, CDS/CDNSKEY announce the removal, signing stops after the DS TTL → excluded', async () => {
    const d = await registerSettled();
    expect(await act(d, 'include')).toMatchObject({ status: 'active' });
    const v = await act(d, 'exclude');
    expect(v).toMatchObject({ status: 'pending', isEnabled: false });
    expect(v.reason).toMatch(/DS TTL/);
    expect(await dsAtTld(d.name)).toEqual([]);
    expect(await keysOf(d.zoneId)).toHaveLength(1); // still signing
    const apex = (await api('GET', `/api/v2/dns-zones/${d.zoneId}/records?name=${d.name}`)).body.records;
    expect(apex.filter((r: any) => r.type === 'CDS').map((r: any) => r.value)).toEqual(['0 0 0 00']);
    await runJobs(); // too early: nothing yet
    expect(await keysOf(d.zoneId)).toHaveLength(1);
    now += 2 * 86_400_000;
    await runJobs();
    expect(await auto(d)).toMatchObject({ status: 'excluded', isEnabled: false });
    expect(await keysOf(d.zoneId)).toHaveLength(0);
    const after = (await api('GET', `/api/v2/dns-zones/${d.zoneId}/records?name=${d.name}`)).body.records;
    expect(after.filter((r: any) => ['DNSKEY', 'CDS', 'CDNSKEY'].includes(r.type))).toEqual([]);
  });

  it('exclude while pending, and a registry that fails: error with lastError, retried until it works', async () => {
    const d = await registerSettled('flaky');
    flakyDown = true;
    const failed = await act(d, 'include');
    expect(failed).toMatchObject({ status: 'error', isEnabled: true });
    expect(failed.lastError).toMatch(/flaky registry is down/);
    now += 5 * 60_000;
    await runJobs();
    expect(await auto(d)).toMatchObject({ status: 'error' });
    flakyDown = false;
    now += 5 * 60_000;
    await runJobs();
    // The DS is at the registry now; .flaky's zone is served here (a sandbox), so the parent check runs.
    const settled = await auto(d);
    expect(['pending', 'active']).toContain(settled.status);
    expect(settled.lastError).toBeNull();
    // Exclude (pending or not): the DS goes, then signing stops.
    const ex = await act(d, 'exclude');
    expect(ex).toMatchObject({ status: 'pending', isEnabled: false });
    now += 2 * 86_400_000;
    await runJobs();
    expect(await auto(d)).toMatchObject({ status: 'excluded' });
  });

  it('nameservers moving away while active: the DS goes first, the new nameservers follow once it cannot be cached (never a bogus chain)', async () => {
    const d = await registerSettled();
    expect(await act(d, 'include')).toMatchObject({ status: 'active' });
    const moved = await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: ['ns1.example.org', 'ns2.example.org'] });
    expect(moved.status, moved.text).toBe(202);
    expect(moved.body.nameservers).toEqual(['ns1.example.net', 'ns2.example.net']);
    expect(moved.body.pendingChange).toMatchObject({ nameservers: ['ns1.example.org', 'ns2.example.org'] });
    expect(await dsAtTld(d.name)).toEqual([]);
    expect((await api('GET', `/api/v2/domains/${d.id}/dnssec`)).body.records).toEqual([]);
    expect(await auto(d)).toMatchObject({ status: 'pending' });
    expect(await keysOf(d.zoneId)).toHaveLength(1); // still signed while the DS may be cached
    now += 3_600_000;
    await runJobs();
    expect((await api('GET', `/api/v2/domains/${d.id}/nameservers`)).body.nameservers).toEqual(['ns1.example.net', 'ns2.example.net']);
    now += 86_400_000;
    await runJobs();
    expect((await api('GET', `/api/v2/domains/${d.id}/nameservers`)).body.nameservers).toEqual(['ns1.example.org', 'ns2.example.org']);
    expect(await auto(d)).toMatchObject({ status: 'inactive' });
    expect(await keysOf(d.zoneId)).toHaveLength(0);
  });

  it('a key rollover: double signatures, then the DS moves to the new key, then the old key goes', async () => {
    const d = await registerSettled();
    expect(await act(d, 'include')).toMatchObject({ status: 'active' });
    const [old] = await keysOf(d.zoneId);
    const started = await api('POST', `/api/v2/dns-zones/${d.zoneId}/dnssec/rollover`);
    expect(started.status, started.text).toBe(202);
    expect(started.body.keys.map((k: any) => k.state)).toEqual(['active', 'active']);
    expect(started.body.rollover).toMatchObject({ next: 'ds-swap', oldKeyTag: old!.keyTag });
    const fresh = started.body.keys.find((k: any) => k.id !== old!.id);
    expectProblem(await api('POST', `/api/v2/dns-zones/${d.zoneId}/dnssec/rollover`), 409, 'conflict');
    const dnskeys = async () => (await api('GET', `/api/v2/dns-zones/${d.zoneId}/records?name=${d.name}`)).body.records.filter((r: any) => r.type === 'DNSKEY').length;
    expect(await dnskeys()).toBe(2);
    // Before the zone's largest TTL has passed: nothing moves.
    await runJobs();
    expect((await keysOf(d.zoneId)).map((k) => k.state)).toEqual(['active', 'active']);
    now += 2 * HOUR;
    await runJobs();
    expect((await keysOf(d.zoneId)).find((k) => k.id === old!.id)!.state).toBe('retired');
    // The parent's DS names the new key only; CDS too.
    const ds = (await api('GET', `/api/v2/dns-zones/${d.zoneId}/dnssec`)).body;
    expect(ds.ds.map((x: any) => x.keyTag)).toEqual([fresh.keyTag, fresh.keyTag]);
    expect((await dsAtTld(d.name)).map((x) => Number(x.split(' ')[0]))).toEqual([fresh.keyTag]);
    expect(ds.rollover).toMatchObject({ next: 'remove-old' });
    now += 2 * 86_400_000;
    await runJobs();
    expect((await keysOf(d.zoneId)).map((k) => k.id)).toEqual([fresh.id]);
    expect(await dnskeys()).toBe(1);
    expect((await api('GET', `/api/v2/dns-zones/${d.zoneId}/dnssec`)).body.rollover).toBeNull();
    expect(await auto(d)).toMatchObject({ status: 'active' });
  });

  it('the server-managed DNSSEC records survive a zone import and cannot be changed through the records API', async () => {
    const d = await registerSettled();
    expect(await act(d, 'include')).toMatchObject({ status: 'active' });
    const imported = await api('POST', `/api/v2/dns-zones/${d.zoneId}/import`, { zoneFile: `www 300 IN A 192.0.2.1\n@ 3600 IN DNSKEY 257 3 13 AAAA\n` });
    expect(imported.status, imported.text).toBe(200);
    const apex = (await api('GET', `/api/v2/dns-zones/${d.zoneId}/records?name=${d.name}`)).body.records;
    const dnskey = apex.find((r: any) => r.type === 'DNSKEY');
    expect(dnskey).toBeDefined();
    expect(apex.filter((r: any) => r.type === 'CDS')).toHaveLength(1);
    expectProblem(await api('DELETE', `/api/v2/dns-zones/${d.zoneId}/records/${dnskey.id}`), 400, 'invalid_request');
    expectProblem(await api('POST', `/api/v2/dns-zones/${d.zoneId}/records`, { name: '@', type: 'DNSKEY', value: '257 3 13 AAAA' }), 400, 'invalid_request');
  });

  it('review cases: the withdrawal waits the parent\'s DS TTL; a queued DS add never lands after exclude; no unsign, rollover or zone deletion that would strand a DS', async () => {
    // The parent's DS TTL (the TLD's), not the negative TTL.
    const d = await registerSettled();
    expect(await act(d, 'include')).toMatchObject({ status: 'active' });
    const zone = (await srv.services.store.zones.get(d.zoneId))!;
    await expect(srv.services.dnssec.disableSigning(zone)).rejects.toThrow(/exclude it/);
    expectProblem(await api('DELETE', `/api/v2/dns-zones/${d.zoneId}`), 409, 'conflict');
    const ex = await act(d, 'exclude');
    expect(ex.reason).toMatch(/\(86400 s\)/);
    expectProblem(await api('POST', `/api/v2/dns-zones/${d.zoneId}/dnssec/rollover`), 409, 'conflict');
    now += 3_600_000;
    await runJobs();
    expect(await auto(d)).toMatchObject({ status: 'pending' });
    expect(await keysOf(d.zoneId)).toHaveLength(1);
    now += 86_400_000;
    await runJobs();
    expect(await auto(d)).toMatchObject({ status: 'excluded' });

    // A DS add queued while the registry was down does not land after exclude.
    const f = await registerSettled('flaky');
    flakyDown = true;
    expect(await act(f, 'include')).toMatchObject({ status: 'error' });
    await act(f, 'exclude');
    flakyDown = false;
    now += 3_600_000;
    await runJobs();
    now += 3 * 86_400_000;
    await runJobs();
    expect((await api('GET', `/api/v2/domains/${f.id}/dnssec`)).body.records).toEqual([]);
    expect(await dsAtTld(f.name)).toEqual([]);
    expect(await auto(f)).toMatchObject({ status: 'excluded' });
  });

  it('the cooldown is a setting (0 for labs)', async () => {
    const lab = await startTestServer({ clock, settings: { 'dnssec-cooldown': '0' } });
    try {
      const call = client(lab.url, lab.adminToken);
      const r = await call('POST', '/api/v2/domains', { name: `lab-${process.pid}.test` });
      await call('POST', `/api/v2/domains/${r.body.id}/nameservers`, { nameservers: ['ns1.example.net', 'ns2.example.net', 'ns3.example.net'].slice(0, 2) });
      const v = await call('POST', `/api/v2/domains/${r.body.id}/dnssec-auto`, { action: 'include' });
      expect(v.body.status).toBe('active');
    } finally {
      await lab.close();
    }
  });
});
