// The DNS service as `serve` (and the in-process test server) runs it: the engine that keeps the
// zones live, and the listeners — in this process, or in N worker processes.
import type { Store } from '../core/ports.js';
import { AliasResolver } from './answer/alias-resolver.js';
import { respond } from './answer/respond.js';
import { ScriptRunner, type ScriptStatus } from './answer/script-runner.js';
import type { PullZoneEdges } from '../core/settings.js';
import type { DnssecKeySource } from './dnssec/signing-sink.js';
import { DnsEngine } from './engine.js';
import { DnsServer } from './server/dns-server.js';
import type { DnsLogger, DnsStatsSnapshot } from './server/types.js';
import type { UdpIoMode } from './server/udp-batch.js';
import { DnsWorkerPool } from './server/workers.js';
import { DnsSyncedStore } from './synced-store.js';

export { DnsEngine, LocalZoneSink, type ZoneSink } from './engine.js';
export { DnsListenError, DnsServer, formatHostPort } from './server/dns-server.js';
export { DnsSyncedStore } from './synced-store.js';

export interface DnsServiceOptions {
  host: string;
  /** 0 = any free port (the same for UDP and TCP). */
  port: number;
  /** 0 = answer in this process. */
  workers: number;
  tcpIdleTimeoutMs: number;
  tcpMaxConnections: number;
  /** UDP I/O (default auto: batched when the native addon loads, else node:dgram). */
  udpIo?: UdpIoMode;
  /** Upstream resolver for ALIAS targets outside our zones; null = off. */
  aliasUpstream: { host: string; port: number } | null;
  /** The redirect service's addresses, answered for names with a Redirect record. */
  redirectAddresses?: readonly string[];
  /** Pull zones and their edges, answered for names with a PullZone record. */
  pullZones?: ReadonlyMap<string, PullZoneEdges>;
  /** Signing keys of zones (the DNSSEC service): zones with active keys are served signed. */
  dnssec?: DnssecKeySource;
  /** A Script record started failing (error) or answers again (null), from any DNS process. */
  onScriptStatus?: (status: ScriptStatus) => void;
  logger: DnsLogger;
  /** Log level for worker processes. */
  logLevel?: string;
  /** Worker entry module (default: dist's worker-main.js). */
  workerExec?: string;
}

/**
 * The engine plus its listeners. Create it before the HTTP API (so the API's store can be
 * wrapped: writes resolve once DNS serves them), then start() it: zones load, sockets bind.
 */
export class DnsService {
  readonly engine: DnsEngine;
  readonly #pool: DnsWorkerPool | null;
  #server: DnsServer | null = null;
  #alias: AliasResolver | null = null;
  #scripts: ScriptRunner | null = null;
  #port = 0;
  #closing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly opts: DnsServiceOptions,
  ) {
    this.#pool =
      opts.workers > 0
        ? new DnsWorkerPool({
            count: opts.workers,
            settings: {
              host: opts.host,
              port: opts.port,
              tcpIdleTimeoutMs: opts.tcpIdleTimeoutMs,
              tcpMaxConnections: opts.tcpMaxConnections,
              udpIo: opts.udpIo ?? 'auto',
              alias: opts.aliasUpstream,
              logLevel: opts.logLevel ?? 'info',
            },
            logger: opts.logger,
            ...(opts.onScriptStatus ? { onScriptStatus: opts.onScriptStatus } : {}),
            ...(opts.workerExec !== undefined ? { exec: opts.workerExec } : {}),
          })
        : null;
    this.engine = new DnsEngine(store, {
      logger: opts.logger,
      smartTargets: { redirectAddresses: opts.redirectAddresses ?? [], pullZones: opts.pullZones ?? new Map() },
      ...(opts.dnssec ? { dnssec: opts.dnssec } : {}),
      ...(this.#pool ? { sink: this.#pool } : {}),
    });
  }

  get host(): string {
    return this.opts.host;
  }

  /** The bound port (after start). */
  get port(): number {
    return this.#port;
  }

  get zoneCount(): number {
    return this.#pool ? this.#pool.zoneCount : this.engine.zones.size;
  }

  /** Loads the zones, then listens; throws DnsListenError (everything stopped) when it cannot bind. */
  async start(): Promise<{ host: string; port: number }> {
    await this.engine.start();
    try {
      if (this.#pool) {
        await this.#pool.start();
        this.#port = this.#pool.port;
      } else {
        const alias = (this.#alias = new AliasResolver({ upstream: this.opts.aliasUpstream }));
        const scripts = (this.#scripts = new ScriptRunner(this.opts.onScriptStatus ? { onStatus: this.opts.onScriptStatus } : {}));
        const zones = this.engine.zones;
        this.#server = new DnsServer({
          host: this.opts.host,
          port: this.opts.port,
          responder: (packet, transport, client) => respond(packet, zones, { transport, alias, scripts, ...(client ? { client } : {}) }),
          logger: this.opts.logger,
          tcpIdleTimeoutMs: this.opts.tcpIdleTimeoutMs,
          tcpMaxConnections: this.opts.tcpMaxConnections,
          udpIo: this.opts.udpIo ?? 'auto',
        });
        this.#port = (await this.#server.listen()).port;
        this.opts.logger.info({ udpIo: this.#server.udpIo }, `dns: UDP I/O ${this.#server.udpIo === 'batch' ? 'batched (recvmmsg/sendmmsg)' : 'node:dgram'}`);
      }
    } catch (err) {
      this.#server = null;
      this.#alias?.close();
      this.#scripts?.close();
      await this.engine.stop();
      throw err;
    }
    return { host: this.opts.host, port: this.#port };
  }

  /** Resolves once journal entry `seq` is answered by every DNS process. */
  synced(seq: number): Promise<void> {
    return this.engine.synced(seq);
  }

  /** `store` with writes that resolve only once DNS serves them (read-your-writes). */
  wrap(store: Store = this.store): Store {
    return new DnsSyncedStore(store, (seq) => this.engine.synced(seq));
  }

  /** Counters of the in-process listeners (null with workers: each worker logs its own). */
  stats(): DnsStatsSnapshot | null {
    return this.#server?.stats() ?? null;
  }

  /** Listeners first, then the engine. The store stays open. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const server = this.#server;
      if (server) {
        await server.close();
        this.opts.logger.info({ dns: server.stats() }, 'dns: listeners closed');
      }
      if (this.#pool) await this.#pool.stop();
      this.#alias?.close();
      this.#scripts?.close();
      await this.engine.stop();
    })();
    return this.#closing;
  }
}
