// `zonekeeper registry serve-epp` as a real process (bin/zonekeeper.js over dist/, built by `npm test`'s pretest).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/ports.js';
import { EppRegistry } from '../../src/registry/epp/epp-registry.js';
import { openStore } from '../../src/storage/open-store.js';
import { runCli } from '../helpers/cli.js';
import { requirePeers } from '../helpers/peers.js';
import { makeCertificate, startServeEpp, type TestCertificate } from './epp-kit.js';

const peers = requirePeers('EPP serve-epp', [{ name: 'openssl', pkg: 'openssl' }]);

describe.runIf(peers)('zonekeeper registry serve-epp', () => {
  let cert: TestCertificate;
  let dir: string;

  beforeAll(async () => {
    cert = await makeCertificate(peers!.openssl!);
    dir = await mkdtemp(path.join(tmpdir(), 'zk-serve-epp-'));
  });

  afterAll(async () => {
    await cert?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the sandbox over EPP/TLS until SIGTERM', async () => {
    const served = await startServeEpp([
      '--data', dir, '--epp-listen', '127.0.0.1:0', '--epp-cert', cert.certFile, '--epp-key', cert.keyFile,
      '--epp-client', 'registrar1:secret-pw1', '--epp-client', 'registrar2:secret-pw2',
    ]);
    const registry = new EppRegistry({ host: '127.0.0.1', port: served.port, ca: cert.cert, clID: 'registrar2', password: 'secret-pw2' });
    const created = await registry.createDomain({ name: 'example.test', years: 1, nameservers: ['ns1.example.org', 'ns2.example.org'], authInfo: 'auth-info-1' });
    expect(created).toMatchObject({ name: 'example.test', nameservers: ['ns1.example.org', 'ns2.example.org'] });
    // Each registrar has its own view: registrar1 reads registrar2's domain but may not change it (RFC 5730 2201).
    const other = new EppRegistry({ host: '127.0.0.1', port: served.port, ca: cert.cert, clID: 'registrar1', password: 'secret-pw1' });
    expect((await other.infoDomain('example.test')).name).toBe('example.test');
    await expect(other.updateDomain('example.test', { addStatuses: ['clientHold'] })).rejects.toMatchObject({ registryCode: 2201 });
    await other.close();
    await registry.close();
    expect(await served.stop()).toBe(0);
    const store = await openStore({ dataDir: dir, clock: systemClock, sqliteSynchronous: 'normal' });
    expect((await store.sandbox.domain('example.test'))?.nameservers).toEqual(['ns1.example.org', 'ns2.example.org']);
    await store.close();
  });

  it('refuses bad usage with exit 2 and a clear message', async () => {
    const base = ['registry', 'serve-epp', '--data', dir, '--epp-listen', '127.0.0.1:0', '--epp-key', cert.keyFile, '--epp-client', 'registrar1:secret-pw1'];
    const noCert = await runCli(base);
    expect(noCert.code).toBe(2);
    expect(noCert.stderr).toBe('zonekeeper registry: --epp-cert is required\n');
    const off = await runCli([...base, '--epp-cert', cert.certFile, '--sandbox-tlds', 'none']);
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/sandbox registry is off/);
    const shortPw = await runCli([...base.slice(0, -1), 'registrar1:short', '--epp-cert', cert.certFile]);
    expect(shortPw.code).toBe(2);
    expect(shortPw.stderr).toMatch(/6 to 16 characters/);
    expect((await runCli(['registry', 'serve'])).code).toBe(2);
  });
});
