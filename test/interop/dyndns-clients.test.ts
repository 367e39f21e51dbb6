// DynDNS with the real clients from Debian — ddclient (dyndns2) and inadyn (custom dyndns2
// provider) — and curl for HostUp's URL form, against a zonekeeper on loopback; dig checks what
// DNS answers right after each update. Wrong token, disabled configuration and unknown host must
// come back as the lines those clients understand.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dns.js';
import { requirePeers, runProgram, type RunResult } from '../helpers/peers.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createZone, zoneName, type Call } from '../http/support.js';

const peers = requirePeers('DynDNS clients', [
  { name: 'ddclient', pkg: 'ddclient' },
  { name: 'inadyn', pkg: 'inadyn' },
  { name: 'curl', pkg: 'curl' },
  { name: 'dig', pkg: 'bind9-dnsutils' },
  { name: 'unshare', pkg: 'util-linux' },
]);

(peers ? describe : describe.skip)('DynDNS with ddclient, inadyn and curl', () => {
  let srv: TestServer;
  let api: Call;
  let zone: any;
  let dir: string;
  let port: string;
  let seq = 0;

  beforeAll(async () => {
    srv = await startTestServer({ dns: true, settings: { 'dyndns-rate-limit': 'off' } });
    api = client(srv.url, srv.adminToken);
    zone = await createZone(api, zoneName('clients', 'example.test'));
    dir = await mkdtemp(path.join(tmpdir(), 'zk-dyndns-clients-'));
    port = new URL(srv.url).port;
  });
  afterAll(async () => {
    await srv?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const host = (label: string) => `${label}.${zone.name}`;
  const digShort = async (name: string, type: string) => (await dig(srv.dns!.port, name, type, ['+short'])).trim().split('\n').filter(Boolean);

  async function config(hostname: string, recordType: 'A' | 'AAAA'): Promise<{ id: string; token: string }> {
    const r = await api('POST', `/api/v2/domains/${zone.domainId}/dyndns`, { hostname, recordType });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  async function secretFile(name: string, text: string): Promise<string> {
    const p = path.join(dir, name);
    await writeFile(p, text);
    await chmod(p, 0o600); // both clients refuse world-readable files with passwords
    return p;
  }

  /** One ddclient run (no daemon, forced update) over the given host entries. */
  async function ddclient(entries: { host: string; token: string; ip: string }[]): Promise<RunResult> {
    const n = ++seq;
    const lines = ['ssl=no', 'protocol=dyndns2', `server=127.0.0.1:${port}`];
    for (const e of entries) lines.push(`use=ip, ip=${e.ip}, login=${e.host}, password='${e.token}' ${e.host}`);
    const conf = await secretFile(`ddclient-${n}.conf`, lines.join('\n') + '\n');
    return runProgram(peers!.ddclient!, ['-daemon=0', '-foreground', '-force', '-noquiet', '-verbose', '-file', conf, '-cache', path.join(dir, `ddclient-${n}.cache`)]);
  }

  /**
   * One inadyn run (--once --force) with a custom dyndns2 provider; the address comes from
   * `checkip-command`, never from a checkip server. inadyn also looks the host name up through
   * the system resolver, so it runs in its own mount namespace with a resolv.conf that names
   * loopback only: nothing leaves the machine.
   */
  async function inadyn(e: { host: string; token: string; ip: string }): Promise<RunResult> {
    const n = ++seq;
    const conf = await secretFile(
      `inadyn-${n}.conf`,
      [
        ...(e.ip.includes(':') ? ['allow-ipv6 = true'] : []),
        'custom zonekeeper {',
        '  ssl = false',
        `  username = ${e.host}`,
        `  password = "${e.token}"`,
        `  ddns-server = 127.0.0.1:${port}`,
        '  ddns-path = "/nic/update?hostname=%h&myip=%i"',
        `  checkip-command = "/bin/echo ${e.ip}"`,
        `  hostname = ${e.host}`,
        '}',
      ].join('\n') + '\n',
    );
    const resolv = path.join(dir, 'resolv.conf');
    await writeFile(resolv, 'nameserver 127.0.0.1\n');
    const args = ['-1', '--force', '-n', '-l', 'info', '-f', conf, '--cache-dir', path.join(dir, `inadyn-cache-${n}`), '-P', path.join(dir, `inadyn-${n}.pid`)];
    const script = `mount --bind '${resolv}' /etc/resolv.conf && exec '${peers!.inadyn}' ${args.map((a) => `'${a}'`).join(' ')}`;
    return runProgram(peers!.unshare!, ['--mount', '/bin/sh', '-c', script]);
  }

  it('ddclient: IPv4, then IPv6 of the same name (the A stays), reported as SUCCESS', async () => {
    const name = host('dd');
    const a = await config(name, 'A');
    await config(name, 'AAAA');
    const r4 = await ddclient([{ host: name, token: a.token, ip: '192.0.2.10' }]);
    expect(r4.output).toMatch(new RegExp(`SUCCESS:\\s+updating ${name.replace(/\./g, '\\.')}: good: IP address set to 192\\.0\\.2\\.10`));
    expect(await digShort(name, 'A')).toEqual(['192.0.2.10']);
    const r6 = await ddclient([{ host: name, token: a.token, ip: '2001:db8::10' }]);
    expect(r6.output, r6.output).toMatch(/SUCCESS:.*good: IP address set to 2001:db8::10/);
    expect(await digShort(name, 'AAAA')).toEqual(['2001:db8::10']);
    expect(await digShort(name, 'A')).toEqual(['192.0.2.10']);
    // The same address again: nochg, which ddclient counts as success.
    const again = await ddclient([{ host: name, token: a.token, ip: '192.0.2.10' }]);
    expect(again.output).toMatch(/nochg/);
    expect(again.output).not.toMatch(/FAILED/);
    const logs = (await api('GET', `/api/v2/domains/${zone.domainId}/dyndns/${a.id}/logs`)).body.logs;
    expect(logs[0]).toMatchObject({ status: 'no_change', userAgent: expect.stringMatching(/^ddclient\//) });
  });

  it('ddclient: an IPv4 and an IPv6 host in one run, each its own request', async () => {
    const v4 = await config(host('dd-both4'), 'A');
    const v6 = await config(host('dd-both6'), 'AAAA');
    const r = await ddclient([
      { host: host('dd-both4'), token: v4.token, ip: '192.0.2.30' },
      { host: host('dd-both6'), token: v6.token, ip: '2001:db8::30' },
    ]);
    expect(r.output.match(/SUCCESS:/g), r.output).toHaveLength(2);
    expect(await digShort(host('dd-both4'), 'A')).toEqual(['192.0.2.30']);
    expect(await digShort(host('dd-both6'), 'AAAA')).toEqual(['2001:db8::30']);
  });

  it('ddclient: wrong token → badauth, disabled config → badauth, unknown host → nohost; DNS unchanged', async () => {
    const name = host('dd-bad');
    const c = await config(name, 'A');
    const wrong = await ddclient([{ host: name, token: 'f'.repeat(64), ip: '192.0.2.40' }]);
    expect(wrong.output).toMatch(/FAILED:\s+updating .*: badauth: Bad authorization/);
    expect((await api('PATCH', `/api/v2/domains/${zone.domainId}/dyndns/${c.id}`, { enabled: false })).status).toBe(200);
    const disabled = await ddclient([{ host: name, token: c.token, ip: '192.0.2.40' }]);
    expect(disabled.output).toMatch(/FAILED:.*badauth/);
    const unknown = await ddclient([{ host: host('dd-nosuch'), token: c.token, ip: '192.0.2.40' }]);
    expect(unknown.output).toMatch(/FAILED:\s+updating .*: nohost: The hostname specified does not exist/);
    expect(await digShort(name, 'A')).toEqual([]);
  });

  it('inadyn: IPv4 and IPv6 updates succeed and dig sees them', async () => {
    const name = host('in');
    const a = await config(name, 'A');
    await config(name, 'AAAA');
    const r4 = await inadyn({ host: name, token: a.token, ip: '198.51.100.20' });
    expect(r4.output, r4.output).toMatch(/Successful alias table update for .* => new IP# 198\.51\.100\.20/);
    expect(await digShort(name, 'A')).toEqual(['198.51.100.20']);
    const r6 = await inadyn({ host: name, token: a.token, ip: '2001:db8::20' });
    expect(r6.output, r6.output).toMatch(/Successful alias table update for .* => new IP# 2001:db8::20/);
    expect(await digShort(name, 'AAAA')).toEqual(['2001:db8::20']);
    expect(await digShort(name, 'A')).toEqual(['198.51.100.20']);
    const logs = (await api('GET', `/api/v2/domains/${zone.domainId}/dyndns/${a.id}/logs`)).body.logs;
    expect(logs[0].userAgent).toMatch(/^inadyn\//);
  });

  it('inadyn: wrong token and disabled config → badauth, unknown host → nohost, each a failed update', async () => {
    const name = host('in-bad');
    const c = await config(name, 'A');
    const wrong = await inadyn({ host: name, token: '0'.repeat(64), ip: '198.51.100.21' });
    expect(wrong.output).toMatch(/badauth/);
    expect(wrong.output).toMatch(/Error response from DDNS server/);
    expect(wrong.output).not.toMatch(/Successful alias table update/);
    await api('PATCH', `/api/v2/domains/${zone.domainId}/dyndns/${c.id}`, { enabled: false });
    const disabled = await inadyn({ host: name, token: c.token, ip: '198.51.100.21' });
    expect(disabled.output).toMatch(/badauth/);
    const unknown = await inadyn({ host: host('in-nosuch'), token: c.token, ip: '198.51.100.21' });
    expect(unknown.output).toMatch(/nohost/);
    expect(unknown.output).not.toMatch(/Successful alias table update/);
    expect(await digShort(name, 'A')).toEqual([]);
  });

  it('curl: the HostUp URL form, the client address without ip=, and dyndns2 with both families at once', async () => {
    const name = host('curl');
    const a = await config(name, 'A');
    await config(name, 'AAAA');
    const base = `http://127.0.0.1:${port}`;
    const form = await runProgram(peers!.curl!, ['-sS', '-i', `${base}/api/dyndns/update?hostname=${name}&token=${a.token}&ip=203.0.113.50`]);
    expect(form.output).toMatch(/^HTTP\/1\.1 200/);
    expect(form.output).toMatch(/content-type: text\/plain/i);
    expect(form.output.trim().endsWith('good 203.0.113.50')).toBe(true);
    expect(await digShort(name, 'A')).toEqual(['203.0.113.50']);
    const self = await runProgram(peers!.curl!, ['-sS', `${base}/api/dyndns/update?hostname=${name}&token=${a.token}`]);
    expect(self.output).toBe('good 127.0.0.1\n');
    const both = await runProgram(peers!.curl!, ['-sS', '-u', `${name}:${a.token}`, `${base}/nic/update?hostname=${name}&myip=203.0.113.51,2001:db8::51`]);
    expect(both.output).toBe('good 203.0.113.51,2001:db8::51\n');
    expect(await digShort(name, 'A')).toEqual(['203.0.113.51']);
    expect(await digShort(name, 'AAAA')).toEqual(['2001:db8::51']);
    const wrong = await runProgram(peers!.curl!, ['-sS', `${base}/api/dyndns/update?hostname=${name}&token=nope`]);
    expect(wrong.output).toBe('badauth\n');
  });
});
