// The EPP server's limits (plain TCP): write backpressure, the connection cap, the login deadline, failed-login throttling, per-client authorization (2201).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  domainCreateCommand, domainInfoCommand, domainRenewCommand, domainUpdateCommand, helloFrame, hostCreateCommand,
  hostDeleteCommand, hostInfoCommand, hostUpdateCommand, loginCommand, logoutCommand,
} from '../../src/registry/epp/commands.js';
import { addressKey, EppServer, type EppServerOptions } from '../../src/registry/epp/epp-server.js';
import { encodeEppFrame } from '../../src/registry/epp/framing.js';
import { parseEppMessage, parseEppResponse, type EppResponse } from '../../src/registry/epp/responses.js';
import { openSandbox, RawEppClient, type TestSandbox } from './epp-kit.js';

const CLIENT_A = 'registrar1';
const PASSWORD_A = 'secret-pw1';
const CLIENT_B = 'registrar2';
const PASSWORD_B = 'secret-pw2';

let sandbox: TestSandbox;
const servers: EppServer[] = [];
const clients: RawEppClient[] = [];

beforeAll(async () => {
  sandbox = await openSandbox();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  await sandbox.close();
});

/** A plain-TCP server on a free port; `options` override the defaults. */
async function startServer(options: Partial<EppServerOptions> = {}): Promise<{ server: EppServer; port: number }> {
  const server = new EppServer({
    registry: sandbox.sandbox,
    credentials: new Map([[CLIENT_A, PASSWORD_A], [CLIENT_B, PASSWORD_B]]),
    tls: null,
    host: '127.0.0.1',
    port: 0,
    ...options,
  });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

/** A connection, its greeting read unless the server closed it first (then null). */
async function connect(port: number, localAddress?: string): Promise<{ client: RawEppClient; greeting: string | null }> {
  const client = await RawEppClient.connect(port, undefined, localAddress);
  clients.push(client);
  return { client, greeting: await client.next() };
}

async function send(client: RawEppClient, xml: string): Promise<EppResponse> {
  return parseEppResponse(await client.exchange(xml));
}

async function code(client: RawEppClient, xml: string): Promise<number> {
  return (await send(client, xml)).results[0]!.code;
}

/** Polls until `check` holds (the server's counters move on its own schedule). */
async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('EPP server limits', () => {
  it('stops reading from a client that does not read its answers, and buffers only a bounded amount', async () => {
    const { server, port } = await startServer();
    const { client, greeting } = await connect(port);
    const greetingBytes = Buffer.byteLength(greeting!);
    client.socket.pause(); // from here on the client reads nothing
    let sent = 0;
    // Hellos until the kernel's buffers are full and the server's own write buffer passes its mark.
    while (server.stats().awaitingDrain === 0) {
      if (sent >= 100_000) throw new Error('the server never reported backpressure');
      for (let i = 0; i < 500; i++) client.send(helloFrame());
      sent += 500;
      await sleep(5);
    }
    const answered = server.stats().framesAnswered;
    for (let i = 0; i < 500; i++) client.send(helloFrame());
    sent += 500;
    await sleep(300);
    // Paused: nothing more answered, the write buffer at most its high-water mark plus one greeting.
    expect(server.stats()).toMatchObject({ awaitingDrain: 1, framesAnswered: answered });
    expect(server.stats().peakWriteBuffer).toBeLessThanOrEqual(client.socket.writableHighWaterMark + 2 * greetingBytes + 64);
    expect(answered).toBeLessThan(sent);
    // Once the client reads again every hello is answered, in order, none lost.
    client.socket.resume();
    for (let i = 0; i < sent; i++) expect(parseEppMessage((await client.next(5_000))!).kind).toBe('greeting');
    await until(() => server.stats().awaitingDrain === 0, 'the drain');
    expect(server.stats().framesAnswered).toBe(sent);
  });

  it('answers pipelined commands one at a time, in order', async () => {
    const { port } = await startServer();
    const { client } = await connect(port);
    const frames = [loginCommand({ clID: CLIENT_A, pw: PASSWORD_A, clTRID: 'P-0' })];
    for (let i = 1; i <= 30; i++) frames.push(domainInfoCommand({ name: `pipe${i}.test`, clTRID: `P-${i}` }));
    for (const f of frames) client.send(f);
    for (let i = 0; i <= 30; i++) {
      const r = parseEppResponse((await client.next())!);
      expect(r.trID.clTRID).toBe(`P-${i}`);
      expect(r.results[0]!.code).toBe(i === 0 ? 1000 : 2303);
    }
  });

  it('reassembles frames whose headers and bodies arrive cut into small pieces', async () => {
    const { port } = await startServer();
    const { client } = await connect(port);
    client.socket.setNoDelay(true);
    const stream = Buffer.concat(Array.from({ length: 12 }, () => encodeEppFrame(helloFrame())));
    for (let at = 0, n = 1; at < stream.length; at += n, n = (n % 7) + 1) {
      client.socket.write(stream.subarray(at, at + n));
      await sleep(1);
    }
    for (let i = 0; i < 12; i++) expect(parseEppMessage((await client.next())!).kind).toBe('greeting');
  });

  it('closes connections over maxConnections at once, without a greeting', async () => {
    const { server, port } = await startServer({ maxConnections: 2 });
    const first = await connect(port);
    const second = await connect(port);
    expect(first.greeting).not.toBeNull();
    expect(second.greeting).not.toBeNull();
    const third = await connect(port);
    expect(third.greeting).toBeNull();
    expect(server.stats()).toMatchObject({ connections: 2, refusedConnections: 1 });
    first.client.close();
    await until(() => server.stats().connections === 1, 'the first connection to close');
    const fourth = await connect(port);
    expect(parseEppMessage(fourth.greeting!).kind).toBe('greeting');
  });

  it('closes a connection not logged in within loginTimeoutMs, traffic or not; a session stays', async () => {
    const { port } = await startServer({ loginTimeoutMs: 300 });
    const silent = (await connect(port)).client;
    const chatty = (await connect(port)).client;
    const session = (await connect(port)).client;
    expect(await code(session, loginCommand({ clID: CLIENT_A, pw: PASSWORD_A, clTRID: 'T-1' }))).toBe(1000);
    const keepTalking = setInterval(() => chatty.send(helloFrame()), 50);
    try {
      await Promise.all([silent.closed, chatty.closed]);
    } finally {
      clearInterval(keepTalking);
    }
    await sleep(200);
    expect(parseEppMessage(await session.exchange(helloFrame())).kind).toBe('greeting');
  });

  it('throttles failed logins per address and per clID across connections, without checking the password', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    let lookups = 0;
    const credentials = new Map([[CLIENT_A, PASSWORD_A], [CLIENT_B, PASSWORD_B]]);
    // Counts password checks: a throttled login must not get as far as looking the password up.
    const counting: ReadonlyMap<string, string> = Object.assign(Object.create(credentials) as Map<string, string>, {
      get: (id: string) => {
        lookups += 1;
        return credentials.get(id);
      },
    });
    const errors: unknown[] = [];
    const { port } = await startServer({ credentials: counting, now: () => clock, onError: (e) => errors.push(e) });
    const seen: string[] = [];
    const login = async (clID: string, pw: string, from?: string): Promise<{ code: number; closed: boolean }> => {
      const { client } = await connect(port, from);
      const xml = await client.exchange(loginCommand({ clID, pw, clTRID: 'LOGIN-1' }));
      seen.push(xml);
      const result = parseEppResponse(xml).results[0]!.code;
      const closed = result === 2501 ? (await client.closed, true) : false;
      client.close();
      return { code: result, closed };
    };
    // Five wrong passwords for registrar1 from 127.0.0.1, each on a new connection.
    for (let i = 0; i < 5; i++) expect((await login(CLIENT_A, 'wrong-pw1')).code).toBe(2200);
    expect(lookups).toBe(5);
    // The sixth attempt, with the right password, is refused unchecked and the connection closes.
    expect(await login(CLIENT_A, PASSWORD_A)).toEqual({ code: 2501, closed: true });
    // registrar1 is throttled from any address; 127.0.0.1 is throttled for any client.
    expect((await login(CLIENT_A, PASSWORD_A, '127.0.0.2')).code).toBe(2501);
    expect((await login(CLIENT_B, PASSWORD_B)).code).toBe(2501);
    expect(lookups).toBe(5);
    // Another client from another address is not affected.
    expect((await login(CLIENT_B, PASSWORD_B, '127.0.0.2')).code).toBe(1000);
    expect(lookups).toBe(6);
    // Time refills the buckets; successful logins do not use them up.
    clock += 60_000;
    for (let i = 0; i < 7; i++) expect((await login(CLIENT_A, PASSWORD_A)).code).toBe(1000);
    expect(errors).toEqual([]);
    for (const xml of seen) {
      expect(xml).not.toContain(PASSWORD_A);
      expect(xml).not.toContain(PASSWORD_B);
      expect(xml).not.toContain('wrong-pw1');
    }
  });

  it('still closes a connection after its third failed login (2501)', async () => {
    const { port } = await startServer();
    const { client } = await connect(port);
    for (const n of [1, 2]) expect(await code(client, loginCommand({ clID: CLIENT_A, pw: 'wrong-pw1', clTRID: `B-${n}` }))).toBe(2200);
    expect(await code(client, loginCommand({ clID: CLIENT_A, pw: 'wrong-pw1', clTRID: 'B-3' }))).toBe(2501);
    await client.closed;
  });

  it('keys IPv6 addresses by /64 and IPv4 (also mapped) by the address', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:0db8:0000:0001:ffff:0:0:9')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

describe('EPP server with a registry per client (forSponsor)', () => {
  it('lets only the sponsoring client change a domain and its hosts (2201); others can read them', async () => {
    const { port } = await startServer({ registry: (clID) => sandbox.sandbox.forSponsor(clID) });
    const a = (await connect(port)).client;
    const b = (await connect(port)).client;
    expect(await code(a, loginCommand({ clID: CLIENT_A, pw: PASSWORD_A, clTRID: 'A-0' }))).toBe(1000);
    expect(await code(b, loginCommand({ clID: CLIENT_B, pw: PASSWORD_B, clTRID: 'B-0' }))).toBe(1000);

    const created = await send(a, domainCreateCommand({ name: 'sponsored.test', period: 1, authInfo: 'auth-a1', clTRID: 'A-1' }));
    expect(created.results[0]!.code).toBe(1000);
    const exDate = (created.resData as { exDate: string }).exDate.slice(0, 10);
    expect(await code(a, hostCreateCommand({ name: 'ns1.sponsored.test', addrs: ['192.0.2.1'], clTRID: 'A-2' }))).toBe(1000);

    // B reads A's objects...
    expect(await code(b, domainInfoCommand({ name: 'sponsored.test', clTRID: 'B-1' }))).toBe(1000);
    expect(await code(b, hostInfoCommand({ name: 'ns1.sponsored.test', clTRID: 'B-2' }))).toBe(1000);
    // ...but changes none of them: 2201 with the registry's reason.
    const refused = await send(b, domainUpdateCommand({ name: 'sponsored.test', add: { statuses: ['clientHold'] }, clTRID: 'B-3' }));
    expect(refused.results[0]).toMatchObject({ code: 2201 });
    expect(refused.results[0]!.extValues[0]).toMatchObject({ value: { text: 'sponsored.test' } });
    expect(await code(b, domainRenewCommand({ name: 'sponsored.test', curExpDate: exDate, period: 1, clTRID: 'B-4' }))).toBe(2201);
    expect(await code(b, hostCreateCommand({ name: 'ns2.sponsored.test', addrs: ['192.0.2.2'], clTRID: 'B-5' }))).toBe(2201);
    expect(await code(b, hostUpdateCommand({ name: 'ns1.sponsored.test', add: { addrs: ['192.0.2.3'] }, clTRID: 'B-6' }))).toBe(2201);
    expect(await code(b, hostDeleteCommand({ name: 'ns1.sponsored.test', clTRID: 'B-7' }))).toBe(2201);

    // A still can, and B's attempts changed nothing.
    const info = await send(a, domainInfoCommand({ name: 'sponsored.test', clTRID: 'A-3' }));
    expect((info.resData as { statuses: { s: string }[] }).statuses.map((s) => s.s)).toEqual(['ok']);
    expect(await code(a, domainUpdateCommand({ name: 'sponsored.test', add: { ns: ['ns1.sponsored.test'] }, clTRID: 'A-4' }))).toBe(1000);
    expect(await code(a, domainRenewCommand({ name: 'sponsored.test', curExpDate: exDate, period: 1, clTRID: 'A-5' }))).toBe(1000);
    expect(await code(a, hostUpdateCommand({ name: 'ns1.sponsored.test', add: { addrs: ['192.0.2.3'] }, clTRID: 'A-6' }))).toBe(1000);
    expect(await code(a, hostCreateCommand({ name: 'ns2.sponsored.test', addrs: ['192.0.2.2'], clTRID: 'A-7' }))).toBe(1000);
    expect(await code(a, hostDeleteCommand({ name: 'ns2.sponsored.test', clTRID: 'A-8' }))).toBe(1000);

    // What B creates is B's.
    expect(await code(b, domainCreateCommand({ name: 'other.test', period: 1, authInfo: 'auth-b1', clTRID: 'B-8' }))).toBe(1000);
    expect(await code(a, domainUpdateCommand({ name: 'other.test', add: { statuses: ['clientHold'] }, clTRID: 'A-9' }))).toBe(2201);
    expect(await code(b, domainUpdateCommand({ name: 'other.test', add: { statuses: ['clientHold'] }, clTRID: 'B-9' }))).toBe(1000);
    expect(await code(a, logoutCommand({ clTRID: 'A-10' }))).toBe(1500);
  });
});
