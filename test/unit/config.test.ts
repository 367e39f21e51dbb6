// The config loader: defaults, flags over ZONEKEEPER_* variables, and a clear error for each bad value.
import { describe, expect, it } from 'vitest';
import { ConfigError, envName, loadConfig, parseHostPort, parseRateLimit } from '../../src/config/config.js';

const load = (flags: Record<string, string> = {}, env: Record<string, string> = {}) => loadConfig(flags, env, '/srv');

describe('config', () => {
  it('has the documented defaults', () => {
    const c = load();
    expect(c).toMatchObject({
      dataDir: '/srv/data',
      http: { host: '127.0.0.1', port: 8080 },
      dns: { host: '127.0.0.1', port: 5353 },
      databaseUrl: null,
      publicUrl: 'http://127.0.0.1:8080',
      publicUrlExplicit: false,
      nameservers: ['ns1.example.net', 'ns2.example.net'],
      ttl: { default: 3600, min: 60, max: 86400 },
      rateLimit: { enabled: true, perSecond: 20, burst: 100 },
      sqliteSynchronous: 'normal',
      logLevel: 'info',
    });
  });

  it('takes flags over environment variables', () => {
    expect(envName('max-records-per-zone')).toBe('ZONEKEEPER_MAX_RECORDS_PER_ZONE');
    const c = load({ http: '[::1]:9000' }, { ZONEKEEPER_HTTP: '127.0.0.1:1', ZONEKEEPER_MAX_RECORDS_PER_ZONE: '50' });
    expect(c.http).toEqual({ host: '::1', port: 9000 });
    expect(c.publicUrl).toBe('http://[::1]:9000');
    expect(c.maxRecordsPerZone).toBe(50);
  });

  it('clamps the built-in default TTL into a configured range, but refuses an explicit one outside it', () => {
    expect(load({ 'max-ttl': '600' }).ttl).toEqual({ default: 600, min: 60, max: 600 });
    expect(load({ 'min-ttl': '7200' }).ttl).toEqual({ default: 7200, min: 7200, max: 86400 });
    expect(() => load({ 'max-ttl': '600', 'default-ttl': '900' })).toThrow(/--default-ttl must lie between/);
  });

  it('normalizes nameservers and the hostmaster mailbox', () => {
    const c = load({ nameservers: 'NS1.Example.NET., ns2.example.net', hostmaster: 'DNS-Admin@Example.org' });
    expect(c.nameservers).toEqual(['ns1.example.net', 'ns2.example.net']);
    expect(c.hostmaster).toBe('dns-admin.example.org');
  });

  it.each([
    [{ http: 'localhost' }, /--http must be HOST:PORT/],
    [{ http: '127.0.0.1:70000' }, /port 70000 is out of range/],
    [{ 'database-url': 'sqlite://x' }, /must start with postgres/],
    [{ 'public-url': 'ftp://x' }, /--public-url must be an http\(s\) URL/],
    [{ nameservers: 'localhost' }, /fully qualified/],
    [{ 'min-ttl': 'ten' }, /--min-ttl must be a whole number/],
    [{ 'rate-limit': 'fast' }, /--rate-limit must look like/],
    [{ 'log-level': 'loud' }, /--log-level must be one of/],
    [{ 'sqlite-synchronous': 'off' }, /--sqlite-synchronous must be full or normal/],
    [{ 'trust-proxy': '10.0.0.0/99' }, /--trust-proxy/],
    [{ hostmaster: 'a b@example.org' }, /--hostmaster/],
  ])('%j is refused with a clear message', (flags, message) => {
    expect(() => load(flags)).toThrow(ConfigError);
    expect(() => load(flags)).toThrow(message);
  });

  it('parses rate limits per second and per minute, with or without burst', () => {
    expect(parseRateLimit('off')).toMatchObject({ enabled: false });
    expect(parseRateLimit('10/s')).toEqual({ enabled: true, perSecond: 10, burst: 50 });
    expect(parseRateLimit('600/m,burst=20')).toEqual({ enabled: true, perSecond: 10, burst: 20 });
    expect(parseHostPort('0.0.0.0:53', 'dns')).toEqual({ host: '0.0.0.0', port: 53 });
  });
});
