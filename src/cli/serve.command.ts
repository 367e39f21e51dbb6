// `zonekeeper serve`: opens the store, creates the admin account and key on first start, and runs
// the HTTP API until SIGINT/SIGTERM, then closes everything in order.
import { mkdirSync } from 'node:fs';
import pino from 'pino';
import { buildApp } from '../http/app.js';
import { openServices, type CommandContext } from './context.js';

export async function serveCommand(ctx: CommandContext): Promise<number> {
  const { config } = ctx;
  const logger = pino({ level: config.logLevel, base: { service: 'zonekeeper' } });
  if (!config.databaseUrl) mkdirSync(config.dataDir, { recursive: true });
  const services = await openServices(config);
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
    await services.store.close();
    throw new Error(`cannot listen on ${config.http.host}:${config.http.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!config.publicUrlExplicit) publicUrl = address;
  ctx.io.out(`zonekeeper: HTTP API listening on ${address} (store: ${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}); docs at ${address}/docs\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await app.close();
  await services.store.close();
  return 0;
}
