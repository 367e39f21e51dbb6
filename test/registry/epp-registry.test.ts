// EppRegistry over TLS against EppServer in front of the sandbox registry: the Registry port end to end, plus reconnects and timeouts.
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/registry/registry.port.js';
import type { DnssecMaterial } from '../../src/core/registry/registry-rules.js';
import { EppRegistry } from '../../src/registry/epp/epp-registry.js';
import { EppServer } from '../../src/registry/epp/epp-server.js';
import { EppSession, type EppSessionOptions } from '../../src/registry/epp/epp-session.js';
import { encodeEppFrame, EppFrameDecoder } from '../../src/registry/epp/framing.js';
import { greetingXml, responseXml } from '../../src/registry/epp/server-responses.js';
import { requirePeers } from '../helpers/peers.js';
import { makeCertificate, openSandbox, type TestCertificate, type TestSandbox } from './epp-kit.js';

const peers = requirePeers('EPP', [{ name: 'openssl', pkg: 'openssl' }]);

const CLIENT = 'registrar1';
const PASSWORD = 'secret-pw1';
const DS: DnssecMaterial = { type: 'DS', keyTag: 12345, algorithm: 13, digestType: 2, digest: 'e2d3c916f6deeac73294e8268fb5885044a833fc5459588f4a9184cfc41a5766' };

/** The RegistryError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    return err as RegistryError;
  }
  throw new Error('expected a RegistryError');
}

describe.runIf(peers)('EppRegistry ↔ EppServer over TLS', () => {
  let cert: TestCertificate;
  let sandbox: TestSandbox;
  let server: EppServer;
  let options: EppSessionOptions;
  let registry: EppRegistry;

  beforeAll(async () => {
    cert = await makeCertificate(peers!.openssl!);
    sandbox = await openSandbox();
    server = new EppServer({ registry: sandbox.sandbox, credentials: new Map([[CLIENT, PASSWORD]]), tls: { key: cert.key, cert: cert.cert }, host: '127.0.0.1', port: 0 });
    const { port } = await server.listen();
    options = { host: '127.0.0.1', port, ca: cert.cert, clID: CLIENT, password: PASSWORD, commandTimeoutMs: 5_000 };
    registry = new EppRegistry(options);
  });

  afterAll(async () => {
    await registry?.close();
    await server?.close();
    await sandbox?.close();
    await cert?.dispose();
  });

  it('logs in with the right password; a wrong one is kind auth (2200)', async () => {
    expect(await registry.checkDomains(['login.test'])).toEqual([{ name: 'login.test', available: true }]);
    expect(registry.session.logins).toBe(1);
    const wrong = new EppRegistry({ ...options, password: 'wrong-pw1' });
    const err = await failure(wrong.infoDomain('login.test'));
    expect(err).toMatchObject({ kind: 'auth', registryCode: 2200 });
    await wrong.close();
  });

  it('checks names, creates a domain and reads it back', async () => {
    expect(await registry.checkDomains(['example.test', 'example.org'])).toEqual([
      { name: 'example.test', available: true },
      { name: 'example.org', available: false, reason: expect.stringContaining('not a registrable name') },
    ]);
    const created = await registry.createDomain({ name: 'example.test', years: 2, nameservers: ['ns1.example.org', 'ns2.example.org'], authInfo: 'auth-info-1' });
    expect(created.nameservers).toEqual(['ns1.example.org', 'ns2.example.org']);
    const info = await registry.infoDomain('example.test');
    expect(info).toMatchObject({ name: 'example.test', roid: created.roid, nameservers: ['ns1.example.org', 'ns2.example.org'], statuses: ['ok'], dnssec: [] });
    const years = (Date.parse(info.expiresAt) - Date.parse(info.createdAt)) / (365.25 * 86_400_000);
    expect(years).toBeCloseTo(2, 1);
    expect(await registry.checkDomains(['example.test'])).toEqual([{ name: 'example.test', available: false, reason: 'In use.' }]);
  });

  it('renews from the current expiry date; a stale date is refused', async () => {
    const before = await registry.infoDomain('example.test');
    const renewed = await registry.renewDomain('example.test', before.expiresAt, 1);
    expect(new Date(renewed.expiresAt).getUTCFullYear()).toBe(new Date(before.expiresAt).getUTCFullYear() + 1);
    expect(await failure(registry.renewDomain('example.test', before.expiresAt, 1))).toMatchObject({ kind: 'rejected', registryCode: 2004 });
  });

  it('refuses a duplicate create as exists (2302)', async () => {
    await registry.createDomain({ name: 'dup.test', years: 1, nameservers: [], authInfo: 'auth-info-1' });
    const err = await failure(registry.createDomain({ name: 'dup.test', years: 1, nameservers: [], authInfo: 'auth-info-1' }));
    expect(err).toMatchObject({ kind: 'exists', registryCode: 2302 });
  });

  it('creates, reads, updates and deletes host objects; a linked host cannot be deleted (2305)', async () => {
    await registry.createDomain({ name: 'glue.test', years: 1, nameservers: [], authInfo: 'auth-info-1' });
    expect(await registry.createHost('ns1.glue.test', ['192.0.2.1', '2001:db8::1'])).toEqual({ name: 'ns1.glue.test', addresses: ['192.0.2.1', '2001:db8::1'], linked: false });
    expect(await registry.updateHost('ns1.glue.test', ['198.51.100.7', '2001:db8::1'])).toMatchObject({ addresses: ['2001:db8::1', '198.51.100.7'] });
    expect((await registry.infoHost('ns1.glue.test')).addresses.sort()).toEqual(['198.51.100.7', '2001:db8::1']);
    await registry.updateDomain('glue.test', { addNameservers: ['ns1.glue.test', 'ns2.example.org'] });
    expect(await registry.listHosts('glue.test')).toEqual([{ name: 'ns1.glue.test', addresses: expect.any(Array), linked: true }]);
    const err = await failure(registry.deleteHost('ns1.glue.test'));
    expect(err).toMatchObject({ kind: 'rejected', registryCode: 2305 });
    expect(err.registryReason).toContain('is a nameserver of glue.test');
    await registry.updateDomain('glue.test', { removeNameservers: ['ns1.glue.test'] });
    await registry.deleteHost('ns1.glue.test');
    expect(await failure(registry.infoHost('ns1.glue.test'))).toMatchObject({ kind: 'not_found', registryCode: 2303 });
  });

  it('adds and removes DS records through secDNS', async () => {
    await registry.createDomain({ name: 'signed.test', years: 1, nameservers: ['ns1.example.org'], authInfo: 'auth-info-1' });
    expect((await registry.updateDomain('signed.test', { addDnssec: [DS] })).dnssec).toEqual([DS]);
    expect((await registry.infoDomain('signed.test')).dnssec).toEqual([DS]);
    expect((await registry.updateDomain('signed.test', { removeDnssec: [DS] })).dnssec).toEqual([]);
    const key = await failure(registry.updateDomain('signed.test', { addDnssec: [{ type: 'KEY', flags: 257, protocol: 3, algorithm: 13, publicKey: 'AAAA' }] }));
    expect(key.kind).toBe('rejected');
  });

  it('sets and clears the registrar lock statuses', async () => {
    await registry.createDomain({ name: 'locked.test', years: 1, nameservers: [], authInfo: 'auth-info-1' });
    const lock = ['clientTransferProhibited', 'clientUpdateProhibited'];
    expect((await registry.updateDomain('locked.test', { addStatuses: lock })).statuses.sort()).toEqual(lock);
    const refused = await failure(registry.updateDomain('locked.test', { addNameservers: ['ns1.example.org'] }));
    expect(refused).toMatchObject({ kind: 'rejected', registryCode: 2304 });
    expect((await registry.updateDomain('locked.test', { removeStatuses: lock })).statuses).toEqual(['ok']);
  });

  it('reconnects and logs in again after the server drops the connection', async () => {
    await registry.infoDomain('example.test');
    const before = registry.session.logins;
    server.dropConnections();
    await new Promise((r) => setTimeout(r, 50));
    expect((await registry.infoDomain('example.test')).name).toBe('example.test');
    expect(registry.session.logins).toBe(before + 1);
    await registry.createHost('ns1.example.test', ['203.0.113.10']);
  });

  it('retries an idempotent command once when an idle connection died unnoticed', async () => {
    await registry.infoDomain('example.test');
    const before = registry.session.logins;
    server.dropConnections();
    // No pause: the close may not have reached the client yet when the command goes out.
    expect((await registry.infoDomain('example.test')).name).toBe('example.test');
    expect(registry.session.logins).toBe(before + 1);
  });

  it('does not send a create again when the connection died under it', async () => {
    await registry.infoDomain('example.test');
    server.dropConnections();
    const err = await failure(registry.createHost('ns2.example.test', ['203.0.113.11']));
    expect(err.kind).toBe('unavailable');
    expect(await failure(sandbox.sandbox.infoHost('ns2.example.test'))).toMatchObject({ kind: 'not_found' });
  });

  it('keeps an idle connection open with <hello> past the server idle timeout', async () => {
    const strict = new EppServer({ registry: sandbox.sandbox, credentials: new Map([[CLIENT, PASSWORD]]), tls: { key: cert.key, cert: cert.cert }, host: '127.0.0.1', port: 0, idleTimeoutMs: 300 });
    const { port } = await strict.listen();
    const kept = new EppRegistry({ ...options, port, keepaliveMs: 100 });
    await kept.checkDomains(['keepalive.test']);
    await new Promise((r) => setTimeout(r, 700));
    expect(kept.session.connected).toBe(true);
    await kept.checkDomains(['keepalive.test']);
    expect(kept.session.logins).toBe(1);
    await kept.close();
    await strict.close();
  });

  it('fails a command with kind unavailable when the server never answers, then reconnects', async () => {
    const silent = await silentServer(cert);
    const session = new EppSession({ ...options, port: silent.port, commandTimeoutMs: 300 });
    const started = Date.now();
    const err = await failure(new EppRegistry(session).infoDomain('example.test'));
    expect(err.kind).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(session.logins).toBe(1);
    await failure(new EppRegistry(session).infoHost('ns1.example.test'));
    expect(session.logins).toBe(2);
    await session.close();
    await silent.close();
  });

  it('reports an untrusted certificate as unavailable', async () => {
    const other = await makeCertificate(peers!.openssl!);
    const err = await failure(new EppRegistry({ ...options, ca: other.cert }).infoDomain('example.test'));
    expect(err.kind).toBe('unavailable');
    await other.dispose();
  });
});

/** A TLS server that greets, accepts the login, and then never answers again. */
async function silentServer(cert: TestCertificate): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: cert.key, cert: cert.cert }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new EppFrameDecoder();
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const clTRID = /<clTRID>([^<]+)<\/clTRID>/.exec(Buffer.from(frame).toString('utf8'))?.[1];
        if (answered) continue;
        answered = true;
        socket.write(encodeEppFrame(responseXml({ result: { code: 1000 } }, { clTRID, svTRID: 'SILENT-1' })));
      }
    });
    socket.write(encodeEppFrame(greetingXml('silent', new Date())));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
