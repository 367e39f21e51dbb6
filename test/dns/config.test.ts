// The DNS settings: defaults, `--dns off`, workers and TCP limits, the ALIAS resolver (explicit,
// off, or the first nameserver of resolv.conf), and a clear error for each bad value.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, firstNameserver, loadConfig, parseAliasResolver, resolveAliasUpstream, SETTINGS } from '../../src/config/config.js';

const load = (flags: Record<string, string> = {}, env: Record<string, string> = {}) => loadConfig(flags, env, '/srv');

describe('DNS settings', () => {
  it('has the documented defaults', () => {
    expect(load()).toMatchObject({
      dns: { host: '127.0.0.1', port: 5353 },
      dnsWorkers: 0,
      dnsUdpIo: 'auto',
      dnsTcpIdleTimeout: 10,
      dnsTcpMaxConnections: 1000,
      aliasResolver: 'system',
    });
    const names = SETTINGS.map((s) => s[0]);
    for (const n of ['dns', 'dns-workers', 'dns-udp-io', 'dns-tcp-idle-timeout', 'dns-tcp-max-connections', 'alias-resolver']) expect(names).toContain(n);
  });

  it('reads flags and ZONEKEEPER_* variables (flags win)', () => {
    const c = load(
      { 'dns-workers': '4' },
      { ZONEKEEPER_DNS: '[::1]:53', ZONEKEEPER_DNS_WORKERS: '2', ZONEKEEPER_DNS_TCP_IDLE_TIMEOUT: '30', ZONEKEEPER_DNS_TCP_MAX_CONNECTIONS: '50', ZONEKEEPER_ALIAS_RESOLVER: '192.0.2.53:5300' },
    );
    expect(c).toMatchObject({ dns: { host: '::1', port: 53 }, dnsWorkers: 4, dnsTcpIdleTimeout: 30, dnsTcpMaxConnections: 50, aliasResolver: { host: '192.0.2.53', port: 5300 } });
  });

  it('--dns-udp-io: auto, batch or dgram (flag over ZONEKEEPER_DNS_UDP_IO, any case)', () => {
    expect(load({}, { ZONEKEEPER_DNS_UDP_IO: 'dgram' }).dnsUdpIo).toBe('dgram');
    expect(load({ 'dns-udp-io': 'Batch' }, { ZONEKEEPER_DNS_UDP_IO: 'dgram' }).dnsUdpIo).toBe('batch');
    expect(load({ 'dns-udp-io': 'auto' }).dnsUdpIo).toBe('auto');
  });

  it('--dns off disables DNS; --alias-resolver off disables ALIAS resolution', () => {
    expect(load({ dns: 'off' }).dns).toBeNull();
    expect(load({ dns: 'OFF' }).dns).toBeNull();
    expect(load({ 'alias-resolver': 'off' }).aliasResolver).toBeNull();
  });

  it('accepts a bare resolver address (port 53)', () => {
    expect(parseAliasResolver('192.0.2.1')).toEqual({ host: '192.0.2.1', port: 53 });
    expect(parseAliasResolver('2001:db8::53')).toEqual({ host: '2001:db8::53', port: 53 });
    expect(parseAliasResolver('[2001:db8::53]')).toEqual({ host: '2001:db8::53', port: 53 });
    expect(parseAliasResolver('[2001:db8::53]:5353')).toEqual({ host: '2001:db8::53', port: 5353 });
  });

  it.each([
    [{ dns: 'localhost' }, /--dns must be HOST:PORT \(IPv6 as \[::1\]:PORT\) or off, got "localhost"/],
    [{ dns: '127.0.0.1:99999' }, /--dns: port 99999 is out of range/],
    [{ dns: 'localhost:53' }, /--dns: "localhost" is not an IP address/],
    [{ 'dns-workers': '-1' }, /--dns-workers must be a whole number/],
    [{ 'dns-workers': '1000' }, /--dns-workers must be between 0 and 256/],
    [{ 'dns-udp-io': 'mmsg' }, /--dns-udp-io must be auto, batch or dgram, got "mmsg"/],
    [{ 'dns-tcp-idle-timeout': '0' }, /--dns-tcp-idle-timeout must be between 1 and 3600/],
    [{ 'dns-tcp-idle-timeout': '1.5' }, /--dns-tcp-idle-timeout must be a whole number/],
    [{ 'dns-tcp-max-connections': '0' }, /--dns-tcp-max-connections must be between 1 and/],
    [{ 'alias-resolver': 'resolver.example' }, /--alias-resolver must be HOST:PORT/],
    [{ 'alias-resolver': '192.0.2.1:0' }, /--alias-resolver: port 0/],
  ])('%j is refused with a clear message', (flags, message) => {
    expect(() => load(flags)).toThrow(ConfigError);
    expect(() => load(flags)).toThrow(message);
  });

  it('the system resolver is the first usable nameserver of resolv.conf, or off', async () => {
    expect(firstNameserver('# comment\nsearch example.test\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n')).toEqual({ host: '192.0.2.53', port: 53 });
    expect(firstNameserver('nameserver fe80::1%eth0\n')).toEqual({ host: 'fe80::1', port: 53 });
    expect(firstNameserver('nameserver not-an-ip\noptions ndots:1\n')).toBeNull();
    expect(firstNameserver('')).toBeNull();
    const dir = await mkdtemp(path.join(tmpdir(), 'zk-resolv-'));
    try {
      const file = path.join(dir, 'resolv.conf');
      await writeFile(file, 'nameserver 198.51.100.53\n');
      expect(resolveAliasUpstream({ aliasResolver: 'system' }, file)).toEqual({ host: '198.51.100.53', port: 53 });
      expect(resolveAliasUpstream({ aliasResolver: 'system' }, path.join(dir, 'missing'))).toBeNull();
      expect(resolveAliasUpstream({ aliasResolver: null }, file)).toBeNull();
      expect(resolveAliasUpstream({ aliasResolver: { host: '192.0.2.1', port: 53 } }, file)).toEqual({ host: '192.0.2.1', port: 53 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
