// `zonekeeper serve`: opens the store, creates the admin account and key on first start, and runs
// the HTTP API and the DNS server until SIGINT/SIGTERM, then closes everything in order.
//
// Start order: store → HTTP bound → DNS engine loads the zones, DNS sockets bound (the DNS line) →
// the HTTP line (tests and scripts take it as "ready"). The API's store is wrapped so that a write
// resolves only once DNS serves it (DnsService.wrap: read-your-writes, also with DNS workers).
// Stop order: HTTP (no more writes) → DNS listeners and workers → engine → store.
import { mkdirSync } from 'node:fs';
import pino from 'pino';
import { resolveAliasUpstream } from '../config/config.js';
import { systemClock } from '../core/ports.js';
import { createServices } from '../core/services.js';
import { DnsListenError, DnsService, formatHostPort } from '../dns/index.js';
import { probeDs, probeSoa } from '../dns/probe.js';
import { closeEppRegistries, openEppRegistries } from './epp-registries.js';
import { buildApp } from '../http/app.js';
import { RedirectServer } from '../http/redirect/redirect-server.js';
import { jobHandlers, JOB_RUNNER_OPTIONS } from '../jobs/handlers.js';
import { JobRunner } from '../jobs/job-runner.js';
import { SystemProbes } from '../monitoring/probes.js';
import { openStore } from '../storage/open-store.js';
import { coreSettings, splitSchema, type CommandContext } from './context.js';
import { loadDataKey } from './data-key-file.js';
import type { DataKey } from '../core/crypto/data-key.js';

export async function serveCommand(ctx: CommandContext): Promise<number> {
  const { config } = ctx;
  const logger = pino({ level: config.logLevel, base: { service: 'zonekeeper' } });
  if (!config.databaseUrl) mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore(
    config.databaseUrl ? splitSchema(config.databaseUrl) : { dataDir: config.dataDir, sqliteSynchronous: config.sqliteSynchronous, sqliteCheckpoint: 'background' },
  );
  const dns = config.dns
    ? new DnsService(store, {
        host: config.dns.host,
        port: config.dns.port,
        workers: config.dnsWorkers,
        udpIo: config.dnsUdpIo,
        tcpIdleTimeoutMs: config.dnsTcpIdleTimeout * 1000,
        tcpMaxConnections: config.dnsTcpMaxConnections,
        aliasUpstream: resolveAliasUpstream(config),
        redirectAddresses: config.redirectAddresses,
        pullZones: config.smart.pullZones,
        // The DNSSEC service (below) opens the zones' keys with the data key; DNS starts after it exists.
        dnssec: { keys: (zoneId) => services.dnssec.signingKeys(zoneId) },
        onScriptStatus: (s) => void store.scriptStatus.report(s.origin, s.name, s.key, s.error, s.at).catch((err) => logger.error({ err, zone: s.origin, name: s.name }, 'dns: could not record a script status')),
        logger,
        logLevel: config.logLevel,
      })
    : null;
  let dataKey: DataKey;
  try {
    const loaded = loadDataKey(config);
    dataKey = loaded.key;
    if (loaded.created) logger.info({ file: config.dataKeyFile }, 'created the data key file; back it up with the database (DynDNS tokens are sealed with it)');
    await dataKey.verifyAgainst(store.meta);
  } catch (e) {
    await store.close();
    throw e;
  }
  // Real registries over EPP, one session each (connected on first use, kept alive with <hello>).
  const eppRegistries = openEppRegistries(config.registry.epp);
  const services = createServices(dns ? dns.wrap(store) : store, coreSettings(config), systemClock, { dataKey, registries: eppRegistries, probes: new SystemProbes({ httpPort: config.smart.monitor.httpPort, allowPrivate: config.smart.monitor.allowPrivate }) });
  const boot = await services.accounts.ensureAdminAccount();
  if (boot.created) {
    const { key, token } = await services.apiKeys.create(boot.account.id, { name: 'admin (created at first start)', scopes: ['admin'] });
    ctx.io.out(
      `\nzonekeeper: first start — created the admin account ${boot.account.id} and an admin API key (${key.id}):\n\n` +
        `    ${token}\n\n` +
        `This key is shown once; store it now. Make more with \`zonekeeper keys create --name NAME --scopes read:dns,write:dns\`\n` +
        `or POST /api/v2/api-keys.\n\n`,
    );
  }
  await services.health.schedule();
  const stopJobs = new JobRunner(services.store, systemClock, jobHandlers(services), JOB_RUNNER_OPTIONS).start(5000, (err) => logger.error({ err }, 'jobs: a pass failed'));
  if (config.nameservers.join(',') === 'ns1.example.net,ns2.example.net') {
    logger.warn('using the example nameservers ns1.example.net and ns2.example.net; set --nameservers for real zones');
  }
  let publicUrl = config.publicUrl;
  const app = await buildApp({
    services,
    publicUrl: () => publicUrl,
    rateLimit: config.rateLimit,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    logger,
  });
  let address: string;
  try {
    address = await app.listen({ host: config.http.host, port: config.http.port });
  } catch (e) {
    await store.close();
    throw new Error(`cannot listen on ${config.http.host}:${config.http.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!config.publicUrlExplicit) publicUrl = address;
  // Listen for the stop signals before printing any "listening" line: whoever reads that line may
  // signal at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  if (dns) {
    try {
      const bound = await dns.start();
      const workers = config.dnsWorkers > 0 ? `, ${config.dnsWorkers} worker processes` : '';
      ctx.io.out(`zonekeeper: DNS listening on ${formatHostPort(bound.host, bound.port)} (udp, tcp), ${dns.zoneCount} zones${workers}\n`);
    } catch (e) {
      await app.close();
      await store.close();
      if (e instanceof DnsListenError) throw new Error(e.message);
      throw e;
    }
    const probeHost = dns.host;
    services.registry.setZoneProbe((zone) => probeSoa(probeHost, dns.port, zone));
    // Parents not served here (real registries): asked through the recursive resolver ALIAS uses.
    const upstream = resolveAliasUpstream(config);
    if (upstream) services.dnssecAuto.setParentProbe((name) => probeDs(upstream.host, upstream.port, name));
  } else {
    logger.info('DNS is off (--dns off)');
  }
  let redirect: RedirectServer | null = null;
  if (config.redirect) {
    redirect = new RedirectServer({ ...config.redirect.listen, status: config.redirect.status, redirects: services.redirects, onError: (err) => logger.error({ err }, 'redirect: lookup failed') });
    try {
      const at = await redirect.listen();
      ctx.io.out(`zonekeeper: redirect service listening on ${formatHostPort(at.host, at.port)} (HTTP ${config.redirect.status})\n`);
    } catch (e) {
      await app.close();
      await dns?.close();
      await store.close();
      throw new Error(`cannot listen on ${config.redirect.listen.host}:${config.redirect.listen.port} for the redirect service: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  ctx.io.out(`zonekeeper: HTTP API listening on ${address} (store: ${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}); docs at ${address}/docs\n`);

  await stopped;
  stopJobs();
  await redirect?.close();
  await closeEppRegistries(eppRegistries);
  await app.close();
  await dns?.close();
  await store.close();
  return 0;
}
