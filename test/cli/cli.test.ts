// The `zonekeeper` command line, run as a real process: help and usage errors, accounts, keys,
// zone import/export, config validation, and commands working while a server runs on the same data.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../helpers/server.js';
import { runCli, startServe } from '../helpers/cli.js';

let dir: string;
const data = () => ['--data', path.join(dir, 'data')];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zk-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('usage', () => {
  it('prints help with exit 0 and lists every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['serve', 'accounts create', 'keys create', 'keys revoke', 'zones import', 'zones export']) expect(r.stdout).toContain(c);
  });
  it('each command answers --help', async () => {
    for (const c of ['serve', 'accounts', 'keys', 'zones']) {
      const r = await runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout).toContain('Usage');
    }
  });
  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['keys', 'create', '--bogus'], /Unknown option '--bogus'/],
    [['keys', 'explode'], /expected one of: create, list, revoke/],
    [['serve', '--http', 'nonsense'], /--http must be HOST:PORT/],
    [['serve', '--rate-limit', 'lots'], /--rate-limit must look like/],
    [['serve', '--database-url', 'mysql://x'], /--database-url must start with postgres/],
    [['serve', '--min-ttl', '900', '--max-ttl', '60'], /--min-ttl must not be larger/],
    [['serve', '--nameservers', 'not a host'], /--nameservers/],
    [['serve', '--data-key', 'c2hvcnQ='], /--data-key must be 32 bytes in base64/],
    [['serve', '--dyndns-rate-limit', 'often'], /--dyndns-rate-limit must look like/],
    [['serve', '--dyndns-ttl', '30'], /--dyndns-ttl must lie between --min-ttl and --max-ttl/],
  ])('%j fails with exit 2 and a clear message', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
  it('reads settings from ZONEKEEPER_* environment variables', async () => {
    const r = await runCli(['accounts', 'list'], { env: { ZONEKEEPER_HTTP: 'bad' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--http must be HOST:PORT/);
  });
});

describe('accounts and keys', () => {
  it('creates and lists accounts', async () => {
    const r = await runCli(['accounts', 'create', '--name', 'Customer One', '--json', ...data()]);
    expect(r.code, r.stderr).toBe(0);
    const acc = JSON.parse(r.stdout);
    expect(acc.id).toMatch(/^acc_[0-9a-z]{26}$/);
    const list = await runCli(['accounts', 'list', '--json', ...data()]);
    expect(JSON.parse(list.stdout).map((a: { id: string }) => a.id)).toContain(acc.id);
    const missing = await runCli(['accounts', 'create', ...data()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--name is required/);
  });

  it('creates a key (token shown once, JSON shape), lists it without the token, revokes it', async () => {
    const r = await runCli(['keys', 'create', '--name', 'acme', '--scopes', 'read:dns,write:dns', '--zones', 'example.org', '--allow-ip', '192.0.2.0/24', '--expires-in-days', '30', '--json', ...data()]);
    expect(r.code, r.stderr).toBe(0);
    const k = JSON.parse(r.stdout);
    expect(k).toMatchObject({ scopes: ['read:dns', 'write:dns'], zones: ['example.org'], allowIps: ['192.0.2.0/24'] });
    expect(k.id).toMatch(/^key_/);
    expect(k.accountId).toMatch(/^acc_/);
    expect(k.token).toMatch(/^zk_[A-Za-z0-9_-]{43}$/);
    const list = await runCli(['keys', 'list', '--json', ...data()]);
    expect(list.stdout).not.toContain(k.token);
    expect(JSON.parse(list.stdout).find((x: { id: string }) => x.id === k.id)).toMatchObject({ name: 'acme', revokedAt: null });
    const rev = await runCli(['keys', 'revoke', k.id, ...data()]);
    expect(rev.code, rev.stderr).toBe(0);
    const again = await runCli(['keys', 'revoke', k.id, ...data()]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no active API key/);
  });

  it('rejects bad key input with the field at fault', async () => {
    const r = await runCli(['keys', 'create', '--name', 'x', '--scopes', 'read:dns,fly:away', ...data()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/scopes\/1: `fly:away` is not a scope/);
    const acc = await runCli(['keys', 'create', '--name', 'x', '--scopes', 'read:dns', '--account', 'acc_nope', ...data()]);
    expect(acc.code).toBe(2);
    expect(acc.stderr).toMatch(/--account must be an account id/);
  });
});

describe('zones import and export', () => {
  const zoneText = `$ORIGIN example.org.
$TTL 300
@       IN SOA ns1.example.org. admin.example.org. ( 1 7200 900 1209600 120 )
        IN NS  ns1.example.net.
        IN MX  10 mail
www     IN A   192.0.2.10
        IN AAAA 2001:db8::10
mail    IN A   192.0.2.20
_sip._tcp IN SRV 10 60 5060 sip.example.org.
`;

  it('imports a zone file (creating the zone) and exports it again', async () => {
    const file = path.join(dir, 'example.org.zone');
    await writeFile(file, zoneText);
    const r = await runCli(['zones', 'import', 'example.org', file, '--json', ...data()]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ created: true, added: 5, removed: 0 });
    expect(report.ignored.map((i: { reason: string }) => i.reason).join(' ')).toMatch(/apex NS/);
    const out = await runCli(['zones', 'export', 'example.org', ...data()]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^www\.example\.org\.\s+300\s+IN\s+A\s+192\.0\.2\.10$/m);
    expect(out.stdout).toMatch(/IN\s+SOA\s+ns1\.example\.net\. hostmaster\.example\.org\. \d+ 7200 900 1209600 120$/m);
    expect(out.stdout).toMatch(/IN\s+MX\s+10 mail\.example\.org\.$/m);
    // importing the export again changes nothing
    const again = path.join(dir, 'again.zone');
    await writeFile(again, out.stdout);
    const r2 = await runCli(['zones', 'import', 'example.org', again, '--json', ...data()]);
    expect(JSON.parse(r2.stdout)).toMatchObject({ created: false, added: 0, removed: 0, updated: 0, unchanged: 5 });
  });

  it('imports and re-imports (replacing) a zone of 150,000 records', async () => {
    // Regression: push(...spread) of every placed/removed record overflowed the call stack.
    const n = 150_000;
    const lines = ['$ORIGIN big.example.test.', '$TTL 300'];
    for (let i = 0; i < n; i++) lines.push(`h${i} A 192.0.2.${(i % 250) + 1}`);
    const file = path.join(dir, 'big.zone');
    await writeFile(file, lines.join('\n') + '\n');
    const env = { ZONEKEEPER_MAX_RECORDS_PER_ZONE: '200000' };
    const r = await runCli(['zones', 'import', 'big.example.test', file, '--json', ...data()], { env, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: true, added: n });
    const other = path.join(dir, 'big2.zone');
    await writeFile(other, lines.slice(0, 2).join('\n') + '\nonly A 192.0.2.1\n');
    const r2 = await runCli(['zones', 'import', 'big.example.test', other, '--json', ...data()], { env, timeoutMs: 120_000 });
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout)).toMatchObject({ created: false, added: 1, removed: n });
  }, 240_000);

  it('refuses a broken zone file, naming each bad line, and leaves no zone behind', async () => {
    const file = path.join(dir, 'bad.zone');
    await writeFile(file, '$ORIGIN example.test.\nwww IN A 300.1.1.1\nok IN A 192.0.2.1\nx IN MX mail\n');
    const r = await runCli(['zones', 'import', 'example.test', file, ...data()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 2/);
    expect(r.stderr).toMatch(/line 4/);
    const list = await runCli(['zones', 'list', '--json', ...data()]);
    expect(JSON.parse(list.stdout).map((z: { name: string }) => z.name)).not.toContain('example.test');
    const missing = await runCli(['zones', 'import', 'example.test', path.join(dir, 'nope.zone'), ...data()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*ENOENT/);
    const unknown = await runCli(['zones', 'export', 'nothing.example', ...data()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no zone nothing\.example/);
  });
});

describe('serve', () => {
  it('prints the admin key once on first start, and CLI commands work while it runs', async () => {
    const d = ['--data', path.join(dir, 'served')];
    const s = await startServe(d);
    try {
      const token = /\n\s+(zk_[A-Za-z0-9_-]{43})\n/.exec(s.output())?.[1];
      expect(token, s.output()).toBeDefined();
      const api = client(s.url, token);
      expect((await api('GET', '/api/v2/dns-zones')).status).toBe(200);
      // a key made by the CLI against the live data folder works at once
      const k = await runCli(['keys', 'create', '--name', 'live', '--scopes', 'read:dns,write:dns', '--json', ...d]);
      expect(k.code, k.stderr).toBe(0);
      const live = client(s.url, JSON.parse(k.stdout).token);
      const z = await live('POST', '/api/v2/dns-zones', { name: 'served.example' });
      expect(z.status).toBe(201);
      // ... and a revocation from the CLI takes effect at once
      expect((await runCli(['keys', 'revoke', JSON.parse(k.stdout).id, ...d])).code).toBe(0);
      expect((await live('GET', '/api/v2/dns-zones')).status).toBe(401);
      // export through the CLI sees what the server wrote
      const out = await runCli(['zones', 'export', 'served.example', ...d]);
      expect(out.stdout).toMatch(/served\.example\.\s+3600\s+IN\s+NS\s+ns1\.example\.net\./);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    const second = await startServe(d);
    try {
      expect(second.output()).not.toMatch(/first start/);
    } finally {
      await second.stop();
    }
  });

  it('creates the data key file (0600) at first start, and refuses to start with another key', async () => {
    const data = path.join(dir, 'keyed');
    const s = await startServe(['--data', data]);
    await s.stop();
    const keyFile = path.join(data, 'data.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
    // The same key given as a variable is accepted; another one is refused before serving.
    const same = await startServe(['--data', data, '--data-key-file', path.join(dir, 'none.key')], { ZONEKEEPER_DATA_KEY: readFileSync(keyFile, 'utf8').trim() });
    await same.stop();
    const other = await runCli(['serve', '--data', data, '--http', '127.0.0.1:0', '--dns', 'off'], { env: { ZONEKEEPER_DATA_KEY: Buffer.alloc(32, 7).toString('base64') } });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/this data key is not the one the database was set up with/);
    writeFileSync(path.join(dir, 'broken.key'), 'not base64 at all!\n');
    const broken = await runCli(['serve', '--data', data, '--http', '127.0.0.1:0', '--dns', 'off', '--data-key-file', path.join(dir, 'broken.key')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/must hold 32 bytes in base64/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
  });

  it('never writes a DynDNS token to its log, also when the token is in the query string', async () => {
    const s = await startServe(['--data', path.join(dir, 'tokens'), '--log-level', 'debug', '--dyndns-rate-limit', 'off']);
    let token = '';
    try {
      const admin = /\n\s+(zk_[A-Za-z0-9_-]{43})\n/.exec(s.output())![1];
      const api = client(s.url, admin);
      const z = await api('POST', '/api/v2/dns-zones', { name: 'tokens.example.test' });
      const c = await api('POST', `/api/v2/domains/${z.body.domainId}/dyndns`, { hostname: 'home.tokens.example.test', recordType: 'A' });
      expect(c.status).toBe(201);
      token = c.body.token;
      const good = await fetch(`${s.url}/api/dyndns/update?hostname=home.tokens.example.test&token=${token}&ip=192.0.2.1`);
      expect(await good.text()).toBe('good 192.0.2.1\n');
      const bad = await fetch(`${s.url}/api/dyndns/update?hostname=home.tokens.example.test&token=${token}&ip=not-an-ip`);
      expect(bad.status).toBe(400);
      const basic = await fetch(`${s.url}/nic/update?hostname=home.tokens.example.test&myip=192.0.2.2`, { headers: { authorization: 'Basic ' + Buffer.from(`u:${token}`).toString('base64') } });
      expect(await basic.text()).toBe('good 192.0.2.2\n');
    } finally {
      await s.stop();
    }
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(s.output()).toContain('incoming request'); // debug logging was on
    expect(s.output()).not.toContain(token);
    expect(s.output()).not.toContain(Buffer.from(`u:${token}`).toString('base64'));
  });

  it('fails clearly when the port is taken', async () => {
    const a = await startServe(['--data', path.join(dir, 'p1')]);
    try {
      const port = new URL(a.url).port;
      const r = await runCli(['serve', '--data', path.join(dir, 'p2'), '--http', `127.0.0.1:${port}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    } finally {
      await a.stop();
    }
  });
});
