// End to end over real processes: `zonekeeper serve` configured with --epp-registries talks EPP/TLS
// to `zonekeeper registry serve-epp` (the sandbox as a remote registry). Registration, glue,
// nameservers and DS go through the HTTP API, EPP and the other process; the remote registry's
// state is then read with a second EPP client. When the EPP server is gone: 503, queued, no change.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EppRegistry } from '../../src/registry/epp/epp-registry.js';
import { startServe, type ServeChild } from '../helpers/cli.js';
import { requirePeers } from '../helpers/peers.js';
import { client } from '../helpers/server.js';
import { makeCertificate, startServeEpp, type TestCertificate } from './epp-kit.js';

const peers = requirePeers('serve with an EPP registry', [{ name: 'openssl', pkg: 'openssl' }]);
const SHA256 = 'e2d3c916f6deeac73294e8268fb5885044a833fc5459588f4a9184cfc41a5766';

describe.runIf(peers)('serve with an EPP registry (serve-epp in another process)', () => {
  let cert: TestCertificate;
  let dirs: string[] = [];
  let epp: Awaited<ReturnType<typeof startServeEpp>>;
  let srv: ServeChild;
  let token: string;

  beforeAll(async () => {
    cert = await makeCertificate(peers!.openssl!);
    const registryDir = await mkdtemp(path.join(tmpdir(), 'zk-epp-registry-'));
    const registrarDir = await mkdtemp(path.join(tmpdir(), 'zk-epp-registrar-'));
    dirs = [registryDir, registrarDir];
    epp = await startServeEpp(['--data', registryDir, '--epp-listen', '127.0.0.1:0', '--epp-cert', cert.certFile, '--epp-key', cert.keyFile, '--epp-client', 'registrar1:secret-pw1']);
    srv = await startServe(['--data', registrarDir, '--sandbox-tlds', 'none', '--glue-tlds', 'test'], {
      ZONEKEEPER_EPP_REGISTRIES: `test=epps://registrar1:secret-pw1@127.0.0.1:${epp.port}?ca=${encodeURIComponent(cert.certFile)}&servername=localhost`,
    });
    token = /^\s+(zk_\S+)$/m.exec(srv.output())![1]!;
  }, 40_000);

  afterAll(async () => {
    if (srv) expect(await srv.stop()).toBe(0);
    if (epp) await epp.stop();
    await cert?.dispose();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('registers, adds glue, switches nameservers and adds a DS at the remote registry', async () => {
    const api = client(srv.url, token);
    const reg = await api('POST', '/api/v2/domains', { name: 'example.test', years: 2 });
    expect(reg.status, reg.text).toBe(201);
    expect(reg.body).toMatchObject({ lifecycle: { type: 'registered' }, nameservers: ['ns1.example.net', 'ns2.example.net'] });
    const id = reg.body.id as string;
    expect((await api('POST', `/api/v2/domains/${id}/glue-records`, { hostname: 'ns1.example.test', ips: ['203.0.113.10', '2001:db8::10'] })).status).toBe(201);
    const ns = await api('POST', `/api/v2/domains/${id}/nameservers`, { nameservers: ['ns1.example.test', 'ns2.example.org'] });
    expect(ns.status, ns.text).toBe(200);
    expect((await api('POST', `/api/v2/domains/${id}/dnssec`, { type: 'DS', keyTag: 60485, algorithm: 13, digestType: 2, digest: SHA256 })).status).toBe(201);
    // Deleting a host still in use: the remote registry refuses; the problem carries its reason.
    const del = await api('DELETE', `/api/v2/domains/${id}/glue-records/ns1.example.test`);
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('conflict');

    const look = new EppRegistry({ host: '127.0.0.1', port: epp.port, ca: cert.cert, servername: 'localhost', clID: 'registrar1', password: 'secret-pw1' });
    try {
      const info = await look.infoDomain('example.test');
      expect(info.nameservers.sort()).toEqual(['ns1.example.test', 'ns2.example.org']);
      expect(info.dnssec).toEqual([{ type: 'DS', keyTag: 60485, algorithm: 13, digestType: 2, digest: SHA256 }]);
      expect((await look.infoHost('ns1.example.test')).addresses).toEqual(['203.0.113.10', '2001:db8::10']);
      expect(new Date(info.expiresAt).getUTCFullYear()).toBe(new Date().getUTCFullYear() + 2);
    } finally {
      await look.close();
    }
  });

  it('with the registry process gone: 503 registry_unavailable, the change queued, nothing recorded', async () => {
    const api = client(srv.url, token);
    const id = (await api('GET', '/api/v2/domains?name=example.test')).body.data[0].id as string;
    expect(await epp.stop()).toBe(0);
    const r = await api('POST', `/api/v2/domains/${id}/nameservers`, { nameservers: ['ns3.example.org', 'ns4.example.org'] });
    expect(r.status, r.text).toBe(503);
    expect(r.body).toMatchObject({ code: 'registry_unavailable', retryQueued: true });
    expect((await api('GET', `/api/v2/domains/${id}/nameservers`)).body.nameservers.sort()).toEqual(['ns1.example.test', 'ns2.example.org']);
  });
});
