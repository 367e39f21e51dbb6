// The EPP server at the frame level (plain TCP): greeting, login rules, result codes, clTRID/svTRID, framing errors.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  domainCheckCommand, domainCreateCommand, domainDeleteCommand, domainInfoCommand, domainUpdateCommand, helloFrame,
  hostCheckCommand, hostCreateCommand, hostDeleteCommand, loginCommand, logoutCommand,
} from '../../src/registry/epp/commands.js';
import { EppServer } from '../../src/registry/epp/epp-server.js';
import { parseEppGreeting, parseEppMessage, parseEppResponse, type EppResponse } from '../../src/registry/epp/responses.js';
import { openSandbox, RawEppClient, type TestSandbox } from './epp-kit.js';

const CLIENT = 'registrar1';
const PASSWORD = 'secret-pw1';

let sandbox: TestSandbox;
let server: EppServer;
let port: number;
const clients: RawEppClient[] = [];

beforeAll(async () => {
  sandbox = await openSandbox();
  server = new EppServer({ registry: sandbox.sandbox, credentials: new Map([[CLIENT, PASSWORD]]), tls: null, host: '127.0.0.1', port: 0, maxFrameBytes: 64 * 1024 });
  ({ port } = await server.listen());
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  await server.close();
  await sandbox.close();
});

/** A connection with its greeting read. */
async function connect(): Promise<RawEppClient> {
  const client = await RawEppClient.connect(port);
  clients.push(client);
  const greeting = await client.next();
  expect(parseEppMessage(greeting!).kind).toBe('greeting');
  return client;
}

async function send(client: RawEppClient, xml: string): Promise<EppResponse> {
  return parseEppResponse(await client.exchange(xml));
}

async function loggedIn(): Promise<RawEppClient> {
  const client = await connect();
  expect((await send(client, loginCommand({ clID: CLIENT, pw: PASSWORD, clTRID: 'LOGIN-1' }))).results[0]!.code).toBe(1000);
  return client;
}

describe('EPP server protocol', () => {
  it('greets on connect and answers <hello> with a greeting offering domain, host and secDNS-1.1', async () => {
    const client = await connect();
    const greeting = parseEppGreeting(await client.exchange(helloFrame()));
    expect(greeting.versions).toEqual(['1.0']);
    expect(greeting.objURIs).toEqual(['urn:ietf:params:xml:ns:domain-1.0', 'urn:ietf:params:xml:ns:host-1.0']);
    expect(greeting.extURIs).toEqual(['urn:ietf:params:xml:ns:secDNS-1.1']);
  });

  it('answers every command but login with 2002 before login, echoing the clTRID', async () => {
    const client = await connect();
    const r = await send(client, domainCheckCommand({ names: ['example.test'], clTRID: 'EARLY-1' }));
    expect(r.results[0]!.code).toBe(2002);
    expect(r.trID.clTRID).toBe('EARLY-1');
    expect((await send(client, logoutCommand({ clTRID: 'EARLY-2' }))).results[0]!.code).toBe(2002);
  });

  it('echoes clTRID and gives each response its own svTRID', async () => {
    const client = await loggedIn();
    const a = await send(client, domainCheckCommand({ names: ['example.test'], clTRID: 'ABC-12345' }));
    const b = await send(client, domainCheckCommand({ names: ['example.test'], clTRID: 'ABC-12346' }));
    expect(a.trID.clTRID).toBe('ABC-12345');
    expect(b.trID.clTRID).toBe('ABC-12346');
    expect(a.trID.svTRID).toMatch(/^\S{3,64}$/);
    expect(a.trID.svTRID).not.toBe(b.trID.svTRID);
  });

  it('refuses a wrong password with 2200, a second login with 2002', async () => {
    const client = await connect();
    expect((await send(client, loginCommand({ clID: CLIENT, pw: 'wrong-pw1', clTRID: 'L-1' }))).results[0]!.code).toBe(2200);
    expect((await send(client, loginCommand({ clID: CLIENT, pw: PASSWORD, clTRID: 'L-2' }))).results[0]!.code).toBe(1000);
    expect((await send(client, loginCommand({ clID: CLIENT, pw: PASSWORD, clTRID: 'L-3' }))).results[0]!.code).toBe(2002);
  });

  it('closes the connection with 2501 after the third failed login', async () => {
    const client = await connect();
    for (const n of [1, 2]) expect((await send(client, loginCommand({ clID: CLIENT, pw: 'wrong-pw1', clTRID: `BAD-${n}` }))).results[0]!.code).toBe(2200);
    expect((await send(client, loginCommand({ clID: 'nobody', pw: 'wrong-pw1', clTRID: 'BAD-3' }))).results[0]!.code).toBe(2501);
    await client.closed;
  });

  it('answers logout with 1500 and closes', async () => {
    const client = await loggedIn();
    expect((await send(client, logoutCommand({ clTRID: 'OUT-1' }))).results[0]!.code).toBe(1500);
    await client.closed;
  });

  it('keeps the session after malformed XML (2001) and an unknown command (2000)', async () => {
    const client = await loggedIn();
    const bad = await send(client, '<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><check>');
    expect(bad.results[0]!.code).toBe(2001);
    expect(bad.trID.clTRID).toBeUndefined();
    const unknown = await send(client, '<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><frobnicate/><clTRID>UNK-1</clTRID></command></epp>');
    expect(unknown.results[0]!.code).toBe(2000);
    expect(unknown.trID.clTRID).toBe('UNK-1');
    const contact = await send(client, '<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><info><contact:info xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"><contact:id>sh8013</contact:id></contact:info></info><clTRID>CON-1</clTRID></command></epp>');
    expect(contact.results[0]!.code).toBe(2307);
    expect((await send(client, domainCheckCommand({ names: ['example.test'], clTRID: 'AFTER-1' }))).results[0]!.code).toBe(1000);
  });

  it('refuses DTDs (no entity expansion) with 2001', async () => {
    const client = await loggedIn();
    const r = await send(client, '<?xml version="1.0"?><!DOCTYPE epp [<!ENTITY x "y">]><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>');
    expect(r.results[0]!.code).toBe(2001);
  });

  it('answers domain delete with 2101: the registry port has none', async () => {
    const client = await loggedIn();
    const r = await send(client, domainDeleteCommand({ name: 'example.test', clTRID: 'DEL-1' }));
    expect(r.results[0]!.code).toBe(2101);
  });

  it('maps registry errors to their EPP codes with the reason in <extValue>', async () => {
    const client = await loggedIn();
    const missing = await send(client, domainInfoCommand({ name: 'absent.test', clTRID: 'INF-1' }));
    expect(missing.results[0]).toMatchObject({ code: 2303, message: 'The registry has no domain absent.test.' });
    expect(missing.results[0]!.extValues[0]).toMatchObject({ value: { element: 'name', text: 'absent.test' }, reason: 'The registry has no domain absent.test.' });
    expect((await send(client, domainCreateCommand({ name: 'proto.test', period: 1, ns: ['ns1.example.org'], authInfo: 'auth-1', clTRID: 'CR-1' }))).results[0]!.code).toBe(1000);
    expect((await send(client, domainCreateCommand({ name: 'proto.test', period: 1, authInfo: 'auth-1', clTRID: 'CR-2' }))).results[0]!.code).toBe(2302);
    const outside = await send(client, domainCreateCommand({ name: 'example.org', period: 1, authInfo: 'auth-1', clTRID: 'CR-3' }));
    expect(outside.results[0]!.code).toBe(2306);
    const privateGlue = await send(client, hostCreateCommand({ name: 'ns1.proto.test', addrs: ['10.0.0.1'], clTRID: 'H-1' }));
    expect(privateGlue.results[0]!.code).toBe(2306);
    expect((await send(client, hostDeleteCommand({ name: 'ns9.proto.test', clTRID: 'H-2' }))).results[0]!.code).toBe(2303);
  });

  it('takes DS records with domain create (secDNS:create) and removes them all with <secDNS:rem><secDNS:all>', async () => {
    const client = await loggedIn();
    const ds = { keyTag: 12345, alg: 13, digestType: 2, digest: 'E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766' };
    const created = await send(client, domainCreateCommand({ name: 'ds.test', ns: ['ns1.example.org'], authInfo: 'auth-1', secDns: { dsData: [ds] }, clTRID: 'DS-1' }));
    expect(created.results[0]!.code).toBe(1000);
    const info = await send(client, domainInfoCommand({ name: 'ds.test', clTRID: 'DS-2' }));
    expect(info.secDns?.dsData).toEqual([{ ...ds, digest: ds.digest.toLowerCase() }]);
    expect((await send(client, domainUpdateCommand({ name: 'ds.test', secDns: { remAll: true }, clTRID: 'DS-3' }))).results[0]!.code).toBe(1000);
    expect((await send(client, domainInfoCommand({ name: 'ds.test', clTRID: 'DS-4' }))).secDns).toBeUndefined();
    const bad = await send(client, domainUpdateCommand({ name: 'ds.test', secDns: { add: [{ ...ds, digest: 'ABCD' }] }, clTRID: 'DS-5' }));
    expect(bad.results[0]!.code).toBe(2306);
  });

  it('answers host check from the registry\'s host objects', async () => {
    const client = await loggedIn();
    await send(client, domainCreateCommand({ name: 'hosts.test', authInfo: 'auth-1', clTRID: 'HC-1' }));
    expect((await send(client, hostCreateCommand({ name: 'ns1.hosts.test', addrs: ['192.0.2.53'], clTRID: 'HC-2' }))).results[0]!.code).toBe(1000);
    const r = await send(client, hostCheckCommand({ names: ['ns1.hosts.test', 'ns2.hosts.test'], clTRID: 'HC-3' }));
    expect(r.resData).toEqual({ type: 'host:chkData', items: [{ name: 'ns1.hosts.test', avail: false, reason: 'In use.' }, { name: 'ns2.hosts.test', avail: true }] });
  });

  it('closes the connection on a bad length header', async () => {
    const client = await loggedIn();
    client.socket.write(Buffer.from([0, 0, 0, 2, 0x3c, 0x65])); // Total Length 2: below the 4-octet header itself
    await client.closed;
  });

  it('closes the connection on a frame over the size limit, before reading its body', async () => {
    const client = await loggedIn();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(64 * 1024 + 1);
    client.socket.write(header);
    await client.closed;
  });
});
