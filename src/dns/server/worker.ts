// A DNS worker process (`--dns-workers N`): holds a replica of the zones, fed by the primary over
// IPC (server/ipc.ts), and answers DNS: TCP on the socket node:cluster shares between the workers,
// UDP on its own SO_REUSEPORT socket (batched I/O) or on the cluster-shared one (dgram).
// It never touches the store.
import cluster from 'node:cluster';
import pino from 'pino';
import type { RR } from '../../core/model.js';
import { AliasResolver } from '../answer/alias-resolver.js';
import { respond } from '../answer/respond.js';
import { ScriptRunner } from '../answer/script-runner.js';
import { loadSigningKey, type Algorithm, type SigningKey } from '../../core/dnssec/keys.js';
import { LocalZoneSink } from '../engine.js';
import { ZoneSet } from '../zone/zone-set.js';
import { DnsServer } from './dns-server.js';
import { isToWorker, type FromWorker, type ToWorker, type WorkerSettings } from './ipc.js';
import { errorText, silentLogger, type DnsLogger } from './types.js';

export function runDnsWorker(): void {
  const send = (m: FromWorker): void => {
    if (process.connected) process.send?.(m);
  };
  if (typeof process.send !== 'function') throw new Error('the DNS worker must be started by zonekeeper serve (node:cluster)');
  const zones = new ZoneSet();
  let logger: DnsLogger = silentLogger;
  let sink = new LocalZoneSink(zones, logger);
  let settings: WorkerSettings | null = null;
  let server: DnsServer | null = null;
  let alias: AliasResolver | null = null;
  let scripts: ScriptRunner | null = null;
  /** Signing keys of signed zones, for per-query signatures (from the primary). */
  const signers = new Map<string, SigningKey[]>();
  /** Zones arriving in chunks, and changes to apply once they are complete. */
  const partial = new Map<string, { rrs: RR[]; later: Extract<ToWorker, { t: 'apply' }>[] }>();
  let lastId = 0;
  let ackQueued = false;
  let stopping = false;

  const ack = (id: number): void => {
    lastId = id;
    if (ackQueued) return;
    ackQueued = true;
    // One acknowledgement per burst of messages.
    setImmediate(() => {
      ackQueued = false;
      send({ t: 'ack', id: lastId });
    });
  };

  const listen = async (): Promise<void> => {
    if (settings === null) return;
    const s = settings;
    alias = new AliasResolver({ upstream: s.alias });
    const a = alias;
    scripts = new ScriptRunner({ onStatus: (status) => send({ t: 'script-status', status }) });
    const sr = scripts;
    server = new DnsServer({
      host: s.host,
      port: s.port,
      responder: (packet, transport, client) => respond(packet, zones, { transport, alias: a, scripts: sr, ...(client ? { client } : {}) }),
      logger,
      tcpIdleTimeoutMs: s.tcpIdleTimeoutMs,
      tcpMaxConnections: s.tcpMaxConnections,
      udpIo: s.udpIo ?? 'auto',
      reusePort: true,
    });
    try {
      const addr = await server.listen();
      send({ t: 'listening', port: addr.port, zones: zones.size });
    } catch (err) {
      send({ t: 'listen-error', message: errorText(err) });
      await stop(1);
    }
  };

  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      if (server !== null) {
        await server.close();
        logger.info({ dns: server.stats() }, 'dns worker: stopped');
      }
      alias?.close();
      scripts?.close();
    } finally {
      process.exit(code);
    }
  };

  const handle = (m: ToWorker): void => {
    switch (m.t) {
      case 'config':
        settings = m.settings;
        logger = pino({ level: m.settings.logLevel, base: { service: 'zonekeeper', dnsWorker: cluster.worker?.id ?? process.pid } });
        sink = new LocalZoneSink(zones, logger);
        break;
      case 'load': {
        let p = partial.get(m.origin);
        if (m.first || p === undefined) partial.set(m.origin, (p = { rrs: [], later: [] }));
        for (const rr of m.rrs) p.rrs.push(rr);
        if (m.final) {
          partial.delete(m.origin);
          sink.replace(m.origin, p.rrs, m.serial);
          for (const c of p.later) sink.apply(m.origin, c.removed, c.added, c.toSerial);
          // A reloaded zone keeps its per-query signer (the primary sends a new one when keys change).
          const keys = signers.get(m.origin);
          if (keys !== undefined) sink.setSigner(m.origin, keys);
        }
        break;
      }
      case 'signer': {
        let keys: SigningKey[] | null = null;
        try {
          keys = m.keys === null ? null : m.keys.map((k) => loadSigningKey(k.algorithm as Algorithm, Buffer.from(k.pkcs8, 'base64'), k.flags));
        } catch (err) {
          logger.error({ zone: m.origin, err: errorText(err) }, 'dns worker: signing keys could not be loaded');
        }
        if (keys === null) signers.delete(m.origin);
        else signers.set(m.origin, keys);
        if (!partial.has(m.origin)) sink.setSigner(m.origin, keys);
        break;
      }
      case 'apply': {
        const p = partial.get(m.origin);
        if (p !== undefined) p.later.push(m);
        else sink.apply(m.origin, m.removed, m.added, m.toSerial);
        break;
      }
      case 'remove':
        partial.delete(m.origin);
        signers.delete(m.origin);
        sink.remove(m.origin);
        break;
      case 'ready':
        void listen();
        break;
      case 'stop':
        void stop(0);
        return;
    }
    ack(m.id);
  };

  process.on('message', (m: unknown) => {
    if (!isToWorker(m)) return;
    try {
      handle(m);
    } catch (err) {
      logger.error({ err: errorText(err), message: m.t }, 'dns worker: message failed');
      ack(m.id);
    }
  });
  // The primary is gone: nothing keeps these zones current any more.
  process.on('disconnect', () => void stop(0));
  // Ctrl-C and `systemctl stop` signal the whole process group: the primary stops the workers in
  // order (after HTTP), so a worker waits for it — or stops at once when the primary is gone.
  const onSignal = (): void => {
    if (!process.connected) void stop(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  send({ t: 'hello' });
}
