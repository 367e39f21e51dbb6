// One validated configuration object, from command-line flags and ZONEKEEPER_* environment variables
// (flags win). Nothing else in the program reads process.env or argv.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { parseDataKey } from '../core/crypto/data-key.js';
import { parseName } from '../core/names.js';
import type { AuthSettings, DnssecSettings, EppRegistryConfig, PullZoneEdges, RegistrySettings, SmartSettings } from '../core/settings.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface RateLimitConfig {
  enabled: boolean;
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: the burst a key may send at once. */
  burst: number;
}

export interface Config {
  dataDir: string;
  http: HostPort;
  /** DNS listen address (UDP and TCP on the same port); null = DNS off. */
  dns: HostPort | null;
  /** The redirect service (Redirect records); null = off. */
  redirect: { listen: HostPort; status: number } | null;
  /** What DNS answers for a Redirect record's name (the service's public addresses); [] = nothing. */
  redirectAddresses: string[];
  /** DNS worker processes (node:cluster); 0 = answer in the main process. */
  dnsWorkers: number;
  /**
   * How DNS reads and writes UDP: batch (native recvmmsg/sendmmsg addon, Linux), dgram (node:dgram),
   * or auto (batch when the addon loads, else dgram).
   */
  dnsUdpIo: 'auto' | 'batch' | 'dgram';
  /** Seconds a DNS-over-TCP connection may stay idle before the server closes it. */
  dnsTcpIdleTimeout: number;
  /** Open DNS-over-TCP connections per DNS process; more are closed at once. */
  dnsTcpMaxConnections: number;
  /**
   * Upstream resolver for ALIAS targets outside our zones: an address, null (off), or 'system'
   * (the first nameserver of /etc/resolv.conf at start, see resolveAliasUpstream).
   */
  aliasResolver: HostPort | null | 'system';
  databaseUrl: string | null;
  publicUrl: string;
  /** False when publicUrl was derived from --http (serve then uses the bound address). */
  publicUrlExplicit: boolean;
  nameservers: string[];
  /** SOA RNAME (mailbox as a name): null = hostmaster.<zone>. */
  hostmaster: string | null;
  ttl: { default: number; min: number; max: number };
  maxRecordsPerZone: number;
  rateLimit: RateLimitConfig;
  /** Largest request body in bytes (zone-file imports included). */
  bodyLimit: number;
  /** Proxies whose X-Forwarded-For is believed (CIDRs). */
  trustProxy: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  sqliteSynchronous: 'full' | 'normal';
  /** The data key file (created at first start when missing and no dataKey is given). */
  dataKeyFile: string;
  /** The data key itself, base64 (32 bytes); wins over dataKeyFile. For several nodes. */
  dataKey: string | null;
  dyndns: {
    /** TTL of records DynDNS creates. */
    ttl: number;
    /** Requests per configuration. */
    rateLimit: RateLimitConfig;
    /** Requests with an unknown token per client address. */
    authFailureLimit: RateLimitConfig;
    /** Logs kept per configuration. */
    logRetention: number;
  };
  auth: AuthSettings;
  registry: RegistrySettings;
  smart: SmartSettings;
  dnssec: DnssecSettings;
}

/** Every setting: flag name, env name, help text. docs/operations.md lists the same. */
export const SETTINGS = [
  ['data', 'Data folder for the embedded SQLite store', './data'],
  ['http', 'HTTP API listen address HOST:PORT', '127.0.0.1:8080'],
  ['dns', 'DNS listen address HOST:PORT (UDP and TCP), or off', '127.0.0.1:5353'],
  ['redirect', 'Listen address HOST:PORT of the built-in redirect service for Redirect records (HTTP), or off', 'off'],
  ['redirect-status', 'HTTP status of the redirect service: 301, 302, 307 or 308', '301'],
  ['redirect-addresses', 'Public IPv4/IPv6 addresses of the redirect service: DNS answers them for names with a Redirect record, comma-separated, or none', 'none'],
  ['dns-workers', 'DNS worker processes sharing the DNS sockets (0 = answer in the main process)', '0'],
  ['dns-udp-io', 'DNS UDP I/O: batch (recvmmsg/sendmmsg addon, Linux), dgram (node:dgram), or auto (batch when the addon is built)', 'auto'],
  ['dns-tcp-idle-timeout', 'Seconds an idle DNS-over-TCP connection stays open', '10'],
  ['dns-tcp-max-connections', 'Open DNS-over-TCP connections per DNS process (more are closed at once)', '1000'],
  ['alias-resolver', 'Upstream resolver HOST:PORT for ALIAS targets outside our zones, or off', '(first nameserver in /etc/resolv.conf, else off)'],
  ['database-url', 'postgres://user@host:port/db switches storage to PostgreSQL', '(SQLite in --data)'],
  ['public-url', 'Base URL clients reach the API at (problem `type` URLs use it)', 'http://<http address>'],
  ['nameservers', 'Comma-separated apex NS set for new zones (first is the SOA MNAME)', 'ns1.example.net,ns2.example.net'],
  ['hostmaster', 'SOA RNAME as a mailbox, e.g. hostmaster@example.net', 'hostmaster.<zone>'],
  ['default-ttl', 'TTL for records created without one (seconds)', '3600'],
  ['min-ttl', 'Smallest TTL the API accepts', '60'],
  ['max-ttl', 'Largest TTL the API accepts', '86400'],
  ['max-records-per-zone', 'Records a zone may hold', '100000'],
  ['rate-limit', 'Per API key (or client address): RATE/s[,burst=N], or off', '20/s,burst=100'],
  ['body-limit', 'Largest request body in bytes', '10485760'],
  ['trust-proxy', 'Comma-separated CIDRs of proxies whose X-Forwarded-For is used', '(none)'],
  ['log-level', 'fatal|error|warn|info|debug|trace|silent', 'info'],
  ['sqlite-synchronous', 'normal (default: a commit survives a process crash) or full (also survives power loss; one fsync per commit)', 'normal'],
  ['data-key-file', 'File holding the data key that encrypts secrets shown again (DynDNS tokens); created (mode 0600) at first start', '<data>/data.key'],
  ['data-key', 'The data key as base64 (32 bytes) instead of a file: the same key on every node of a PostgreSQL cluster (prefer the environment variable)', '(from --data-key-file)'],
  ['dyndns-ttl', 'TTL of the records DynDNS creates (seconds)', '60'],
  ['dyndns-rate-limit', 'DynDNS update requests per configuration: RATE/s or RATE/m[,burst=N], or off', '6/m,burst=10'],
  ['dyndns-auth-failure-limit', 'DynDNS update requests with an unknown token per client address (past it: abuse): RATE/s or RATE/m[,burst=N], or off', '30/m,burst=30'],
  ['dyndns-log-retention', 'DynDNS log entries kept per configuration (older ones are deleted)', '1000'],
  ['access-token-ttl', 'Lifetime of the JWT access tokens POST /api/auth/login issues (seconds)', '900'],
  ['refresh-token-ttl', 'Lifetime of login refresh tokens (seconds)', '2592000'],
  ['login-limit-per-account', 'Failed logins per account (email); past it every login of that account waits: RATE/s or RATE/m[,burst=N], or off', '5/m,burst=10'],
  ['sandbox-tlds', 'TLDs the built-in sandbox registry runs (registrations, glue, DS; it publishes their zones), comma-separated, or none', 'test'],
  ['epp-registries', 'Real registries over EPP, per TLD: TLD=epps://CLID:PASSWORD@HOST:PORT[?ca=FILE&servername=NAME], comma-separated', ''],
  ['glue-tlds', 'TLDs whose registries take glue host objects from us, comma-separated, or none', 'se,nu,test'],
  ['pull-zones', 'Pull zones PullZone records may name, with their edges: NAME=HOST or NAME=ADDRESS|ADDRESS…, comma-separated, or none', 'none'],
  ['monitor-interval', 'Seconds between two health checks of each monitored address (monitorType Ping/Http)', '30'],
  ['monitor-http-port', 'Port the Http health check connects to', '80'],
  ['monitor-private-addresses', 'allow: health checks also probe loopback, private and link-local addresses; deny: they are not probed', 'deny'],
  ['dnssec-cooldown', 'Time automatic DNSSEC stays blocked after a nameserver change: a number of seconds or 30m, 72h, 3d; 0 for none (labs)', '72h'],
  ['login-limit-per-address', 'Failed logins per client address; past it every login from there waits: RATE/s or RATE/m[,burst=N], or off', '20/m,burst=30'],
] as const;

export type SettingName = (typeof SETTINGS)[number][0];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function envName(setting: string): string {
  return 'ZONEKEEPER_' + setting.toUpperCase().replace(/-/g, '_');
}

export function parseHostPort(text: string, what: string): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new ConfigError(`--${what} must be HOST:PORT (IPv6 as [::1]:PORT), got "${text}"`);
  const host = (m[1] ?? m[2])!;
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(`--${what}: port ${port} is out of range`);
  if (m[1] !== undefined && isIP(host) !== 6) throw new ConfigError(`--${what}: "${host}" is not an IPv6 address`);
  return { host, port };
}

function parseIntSetting(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`--${name} must be a whole number, got "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw new ConfigError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function parseRateLimit(text: string): RateLimitConfig {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === '0' || t === 'false') return { enabled: false, perSecond: 0, burst: 0 };
  const m = /^(\d+(?:\.\d+)?)\/(s|m)(?:,\s*burst=(\d+))?$/.exec(t);
  if (!m) throw new ConfigError(`--rate-limit must look like 20/s,burst=100 or 600/m or off, got "${text}"`);
  const perSecond = m[2] === 'm' ? Number(m[1]) / 60 : Number(m[1]);
  if (!(perSecond > 0)) throw new ConfigError('--rate-limit rate must be greater than 0');
  const burst = m[3] !== undefined ? Number(m[3]) : Math.max(1, Math.ceil(perSecond * 5));
  if (burst < 1) throw new ConfigError('--rate-limit burst must be at least 1');
  return { enabled: true, perSecond, burst };
}

/** `--epp-registries`: TLD=epps://CLID:PASSWORD@HOST:PORT[?ca=FILE&servername=NAME], comma-separated. */
function parseEppRegistries(raw: string): EppRegistryConfig[] {
  const out: EppRegistryConfig[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const tld = eq > 0 ? part.slice(0, eq).trim().replace(/^\./, '').toLowerCase() : '';
    let url: URL;
    try {
      url = new URL(part.slice(eq + 1));
    } catch {
      // Never echo the item: it holds a password.
      throw new ConfigError(`--epp-registries: the entry for "${tld || '?'}" is not TLD=epps://CLID:PASSWORD@HOST:PORT`);
    }
    if (!/^[a-z0-9-]{1,63}$/.test(tld)) throw new ConfigError(`--epp-registries: "${tld}" is not a TLD`);
    if (url.protocol !== 'epps:') throw new ConfigError(`--epp-registries: ${tld} must use epps:// (EPP over TLS, RFC 5734)`);
    if (url.username === '' || url.password === '') throw new ConfigError(`--epp-registries: ${tld} needs the client id and password (epps://CLID:PASSWORD@HOST:PORT)`);
    if (out.some((r) => r.tld === tld)) throw new ConfigError(`--epp-registries: ${tld} is given twice`);
    out.push({
      tld,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? 700 : Number(url.port),
      clID: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      caFile: url.searchParams.get('ca'),
      servername: url.searchParams.get('servername'),
    });
  }
  return out;
}

/** A comma list of IPv4/IPv6 addresses (`none` = empty), canonical. */
function parseAddressList(raw: string, flag: string): string[] {
  if (raw.trim() === 'none' || raw.trim() === '') return [];
  const out: string[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (!ipaddr.isValid(part) || isIP(part) === 0) throw new ConfigError(`--${flag}: "${part}" is not an IPv4 or IPv6 address`);
    const a = ipaddr.parse(part);
    const text = a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

/** A comma list of TLDs (`none` = empty), canonical, each a single label. */
function parseTldList(raw: string, flag: string): string[] {
  if (raw.trim() === 'none' || raw.trim() === '') return [];
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const r = parseName(part.trim().replace(/^\./, ''), 'hostname');
    if (!r.ok || r.name.includes('.')) throw new ConfigError(`--${flag}: "${part.trim()}" is not a TLD (one label such as test)`);
    if (!out.includes(r.name)) out.push(r.name);
  }
  return out;
}

function parseNameList(text: string, what: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const r = parseName(part, 'hostname');
    if (!r.ok) throw new ConfigError(`--${what}: "${part}" ${r.detail}`);
    if (r.labels.length < 2) throw new ConfigError(`--${what}: "${part}" must be a fully qualified host name`);
    out.push(r.name);
  }
  return out;
}

function parseHostmaster(text: string): string {
  const t = text.trim();
  const at = t.indexOf('@');
  if (at < 0) {
    const r = parseName(t, 'hostname');
    if (!r.ok) throw new ConfigError(`--hostmaster: ${r.detail}`);
    return r.name;
  }
  const local = t.slice(0, at);
  if (!/^[A-Za-z0-9_+-]+$/.test(local)) throw new ConfigError('--hostmaster: the mailbox part may contain letters, digits, _, + and - only');
  const r = parseName(t.slice(at + 1), 'hostname');
  if (!r.ok) throw new ConfigError(`--hostmaster: ${r.detail}`);
  return `${local.toLowerCase()}.${r.name}`;
}

function parseCidrs(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      if (part.includes('/')) ipaddr.parseCIDR(part);
      else ipaddr.parse(part);
    } catch {
      throw new ConfigError(`--trust-proxy: "${part}" is not an IP address or CIDR`);
    }
    out.push(part);
  }
  return out;
}

/** `--dns`: an IP address (UDP and TCP must bind the same one; a host name could resolve apart) and port. */
function parseDnsAddress(text: string): HostPort {
  let hp: HostPort;
  try {
    hp = parseHostPort(text, 'dns');
  } catch (e) {
    if (e instanceof ConfigError && /must be HOST:PORT/.test(e.message)) throw new ConfigError(`--dns must be HOST:PORT (IPv6 as [::1]:PORT) or off, got "${text}"`);
    throw e;
  }
  if (isIP(hp.host) === 0) throw new ConfigError(`--dns: "${hp.host}" is not an IP address (e.g. 127.0.0.1:5353, 0.0.0.0:53, [::]:53)`);
  return hp;
}

/** `--alias-resolver`: off, HOST:PORT, or a bare IP address (port 53). */
export function parseAliasResolver(text: string): HostPort | null {
  const t = text.trim();
  if (/^(off|none|false|0)$/i.test(t)) return null;
  if (isIP(t) !== 0) return { host: t, port: 53 };
  if (/^\[[0-9a-fA-F:.]+\]$/.test(t) && isIP(t.slice(1, -1)) === 6) return { host: t.slice(1, -1), port: 53 };
  const hp = parseHostPort(t, 'alias-resolver');
  if (hp.port === 0) throw new ConfigError('--alias-resolver: port 0 is not a resolver port');
  return hp;
}

/** The first `nameserver` of resolv.conf text (IPv4 or IPv6, a `%zone` suffix dropped), port 53. */
export function firstNameserver(resolvConf: string): HostPort | null {
  for (const line of resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const host = m[1]!.replace(/%.*$/, '');
    if (isIP(host) !== 0) return { host, port: 53 };
  }
  return null;
}

/** The ALIAS upstream to use: the configured one, or for 'system' the first nameserver of /etc/resolv.conf. */
export function resolveAliasUpstream(config: Pick<Config, 'aliasResolver'>, resolvConfPath = '/etc/resolv.conf'): HostPort | null {
  if (config.aliasResolver !== 'system') return config.aliasResolver;
  try {
    return firstNameserver(readFileSync(resolvConfPath, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * `--pull-zones`: `NAME=HOST` (the edges' host name, answered like Flatten) or
 * `NAME=ADDRESS|ADDRESS…` (IPv4/IPv6 edge addresses), comma-separated; `none` for no pull zones.
 */
export function parsePullZones(text: string): Map<string, PullZoneEdges> {
  const out = new Map<string, PullZoneEdges>();
  if (/^\s*none\s*$/i.test(text)) return out;
  for (const part of text.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--pull-zones: "${entry}" must be NAME=HOST or NAME=ADDRESS|ADDRESS`);
    const name = entry.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/.test(name) || name.length > 253) throw new ConfigError(`--pull-zones: "${name}" is not a pull zone name (letters, digits, ., -, _)`);
    if (out.has(name)) throw new ConfigError(`--pull-zones: pull zone "${name}" is listed twice`);
    const edges = entry
      .slice(eq + 1)
      .split('|')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (edges.length === 0) throw new ConfigError(`--pull-zones: pull zone "${name}" has no edges`);
    if (edges.every((e) => isIP(e) !== 0)) {
      out.set(name, { addresses: edges.map((e) => ipaddr.parse(e).toString()) });
      continue;
    }
    if (edges.length > 1) throw new ConfigError(`--pull-zones: pull zone "${name}": give one edge host name, or addresses only`);
    const r = parseName(edges[0]!, 'hostname');
    if (!r.ok) throw new ConfigError(`--pull-zones: pull zone "${name}": "${edges[0]}" is neither an IP address nor a host name (${r.detail})`);
    out.set(name, { host: `${r.name}.` });
  }
  return out;
}

/** `90`, `30s`, `30m`, `72h`, `3d` → seconds (0 allowed). */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d{1,9})\s*([smhd]?)\s*$/i.exec(text);
  if (!m) throw new ConfigError(`--${what} must be a duration such as 72h, 30m, 3d or a number of seconds, got "${text}"`);
  const n = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!.toLowerCase()]!;
  if (n > 365 * 86400) throw new ConfigError(`--${what} must be at most a year`);
  return n;
}

function parseAllowDeny(text: string, what: string): boolean {
  const t = text.trim().toLowerCase();
  if (t !== 'allow' && t !== 'deny') throw new ConfigError(`--${what} must be allow or deny, got "${text}"`);
  return t === 'allow';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Builds the config from flags (already parsed, by setting name) and the environment. */
export function loadConfig(flags: Partial<Record<SettingName, string>>, env: NodeJS.ProcessEnv, cwd: string): Config {
  const get = (name: SettingName): string | undefined => {
    const v = flags[name] ?? env[envName(name)];
    return v === undefined || v === '' ? undefined : v;
  };
  const http = parseHostPort(get('http') ?? '127.0.0.1:8080', 'http');
  const dnsText = get('dns') ?? '127.0.0.1:5353';
  const dns = /^\s*off\s*$/i.test(dnsText) ? null : parseDnsAddress(dnsText);
  const redirectText = get('redirect') ?? 'off';
  const redirectStatus = Number(get('redirect-status') ?? '301');
  if (![301, 302, 307, 308].includes(redirectStatus)) throw new ConfigError('--redirect-status must be 301, 302, 307 or 308');
  const redirect = /^\s*off\s*$/i.test(redirectText) ? null : { listen: parseHostPort(redirectText, 'redirect'), status: redirectStatus };
  const dnsWorkers = parseIntSetting(get('dns-workers') ?? '0', 'dns-workers', 0, 256);
  const dnsUdpIo = (get('dns-udp-io') ?? 'auto').trim().toLowerCase();
  if (dnsUdpIo !== 'auto' && dnsUdpIo !== 'batch' && dnsUdpIo !== 'dgram') throw new ConfigError(`--dns-udp-io must be auto, batch or dgram, got "${get('dns-udp-io')}"`);
  const dnsTcpIdleTimeout = parseIntSetting(get('dns-tcp-idle-timeout') ?? '10', 'dns-tcp-idle-timeout', 1, 3600);
  const dnsTcpMaxConnections = parseIntSetting(get('dns-tcp-max-connections') ?? '1000', 'dns-tcp-max-connections', 1, 1_000_000);
  const aliasText = get('alias-resolver');
  const aliasResolver = aliasText === undefined ? 'system' : parseAliasResolver(aliasText);
  const databaseUrl = get('database-url') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('--database-url must start with postgres:// (leave it unset for the embedded SQLite store)');
  }
  const hostForUrl = http.host.includes(':') ? `[${http.host}]` : http.host;
  let publicUrl = get('public-url') ?? `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${http.port}`;
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`--public-url must be an http(s) URL, got "${publicUrl}"`);
  }
  publicUrl = publicUrl.replace(/\/+$/, '');
  const ttlMin = parseIntSetting(get('min-ttl') ?? '60', 'min-ttl', 1, 2147483647);
  const ttlMax = parseIntSetting(get('max-ttl') ?? '86400', 'max-ttl', 1, 2147483647);
  if (ttlMin > ttlMax) throw new ConfigError('--min-ttl must not be larger than --max-ttl');
  // An explicit default must lie in the range; the built-in 3600 is clamped into it instead.
  const explicitDefault = get('default-ttl');
  const ttlDefault = explicitDefault !== undefined ? parseIntSetting(explicitDefault, 'default-ttl', 1, 2147483647) : Math.min(Math.max(3600, ttlMin), ttlMax);
  if (ttlDefault < ttlMin || ttlDefault > ttlMax) throw new ConfigError('--default-ttl must lie between --min-ttl and --max-ttl');
  const logLevel = (get('log-level') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const sync = get('sqlite-synchronous') ?? 'normal';
  if (sync !== 'full' && sync !== 'normal') throw new ConfigError('--sqlite-synchronous must be full or normal');
  const dataDir = path.resolve(cwd, get('data') ?? './data');
  const dataKey = get('data-key') ?? null;
  if (dataKey !== null && parseDataKey(dataKey) === null) {
    throw new ConfigError('--data-key must be 32 bytes in base64 (e.g. the output of `openssl rand -base64 32`)');
  }
  // Like --default-ttl: an explicit value must lie in the TTL range, the built-in 60 is clamped into it.
  const explicitDynTtl = get('dyndns-ttl');
  const dyndnsTtl = explicitDynTtl !== undefined ? parseIntSetting(explicitDynTtl, 'dyndns-ttl', 1, 2147483647) : Math.min(Math.max(60, ttlMin), ttlMax);
  if (dyndnsTtl < ttlMin || dyndnsTtl > ttlMax) throw new ConfigError('--dyndns-ttl must lie between --min-ttl and --max-ttl');
  const limitSetting = (name: 'dyndns-rate-limit' | 'dyndns-auth-failure-limit' | 'login-limit-per-account' | 'login-limit-per-address', fallback: string): RateLimitConfig => {
    try {
      return parseRateLimit(get(name) ?? fallback);
    } catch (e) {
      throw new ConfigError(String((e as Error).message).replace('--rate-limit', `--${name}`));
    }
  };
  const dyndnsRateLimit = limitSetting('dyndns-rate-limit', '6/m,burst=10');
  const dyndnsAuthFailureLimit = limitSetting('dyndns-auth-failure-limit', '30/m,burst=30');
  return {
    dataDir,
    http,
    dns,
    redirect,
    redirectAddresses: parseAddressList(get('redirect-addresses') ?? 'none', 'redirect-addresses'),
    dnsWorkers,
    dnsUdpIo,
    dnsTcpIdleTimeout,
    dnsTcpMaxConnections,
    aliasResolver,
    databaseUrl,
    publicUrl,
    publicUrlExplicit: get('public-url') !== undefined,
    nameservers: parseNameList(get('nameservers') ?? 'ns1.example.net,ns2.example.net', 'nameservers'),
    hostmaster: get('hostmaster') !== undefined ? parseHostmaster(get('hostmaster')!) : null,
    ttl: { default: ttlDefault, min: ttlMin, max: ttlMax },
    maxRecordsPerZone: parseIntSetting(get('max-records-per-zone') ?? '100000', 'max-records-per-zone', 1, 100_000_000),
    rateLimit: parseRateLimit(get('rate-limit') ?? '20/s,burst=100'),
    bodyLimit: parseIntSetting(get('body-limit') ?? String(10 * 1024 * 1024), 'body-limit', 1024, 1024 * 1024 * 1024),
    trustProxy: get('trust-proxy') !== undefined ? parseCidrs(get('trust-proxy')!) : [],
    logLevel,
    sqliteSynchronous: sync,
    dataKeyFile: path.resolve(cwd, get('data-key-file') ?? path.join(dataDir, 'data.key')),
    dataKey: dataKey?.trim() ?? null,
    dyndns: {
      ttl: dyndnsTtl,
      rateLimit: dyndnsRateLimit,
      authFailureLimit: dyndnsAuthFailureLimit,
      logRetention: parseIntSetting(get('dyndns-log-retention') ?? '1000', 'dyndns-log-retention', 1, 1_000_000),
    },
    registry: {
      sandboxTlds: parseTldList(get('sandbox-tlds') ?? 'test', 'sandbox-tlds'),
      glueTlds: parseTldList(get('glue-tlds') ?? 'se,nu,test', 'glue-tlds'),
      epp: parseEppRegistries(get('epp-registries') ?? ''),
    },
    dnssec: { cooldownSeconds: parseDuration(get('dnssec-cooldown') ?? '72h', 'dnssec-cooldown') },
    smart: {
      pullZones: parsePullZones(get('pull-zones') ?? 'none'),
      monitor: {
        intervalSeconds: parseIntSetting(get('monitor-interval') ?? '30', 'monitor-interval', 1, 86_400),
        httpPort: parseIntSetting(get('monitor-http-port') ?? '80', 'monitor-http-port', 1, 65_535),
        allowPrivate: parseAllowDeny(get('monitor-private-addresses') ?? 'deny', 'monitor-private-addresses'),
      },
    },
    auth: {
      accessTokenTtl: parseIntSetting(get('access-token-ttl') ?? '900', 'access-token-ttl', 30, 86_400),
      refreshTokenTtl: parseIntSetting(get('refresh-token-ttl') ?? '2592000', 'refresh-token-ttl', 300, 31_536_000),
      loginLimitPerAccount: limitSetting('login-limit-per-account', '5/m,burst=10'),
      loginLimitPerAddress: limitSetting('login-limit-per-address', '20/m,burst=30'),
    },
  };
}
