// zonekeeper for the DNS suites: the corpus imported with the real CLI into a fresh SQLite folder,
// then `zonekeeper serve` with DNS on a free loopback port (bin/zonekeeper.js over dist/: run
// `npm run build` first, as `npm test` does), ready once every corpus zone answers its SOA; that
// SOA (serial, MNAME, RNAME are zonekeeper's) is returned for Knot's copy of the zone files.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Soa } from '../../../src/core/model.js';
import { startServe, type ServeChild } from '../../helpers/cli.js';
import { answersSoa } from '../../helpers/knot.js';
import { UdpClient } from './client.js';
import { importIntoZonekeeper, type CorpusZone } from './corpus.js';
import { buildQuery, nameToWire, parseMessage, T, wireToText } from './wire.js';

export interface ZonekeeperDns {
  host: string;
  port: number;
  dataDir: string;
  soas: Map<string, Soa>;
  serve: ServeChild;
  /** True while the serve process runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

/** The SOA a server serves for `zone` (the zonekeeper side owns serial, MNAME and RNAME). */
async function servedSoa(client: UdpClient, zone: string, id: number): Promise<Soa> {
  const reply = await client.send(buildQuery({ id, qname: nameToWire(zone), qtype: T.SOA }));
  const rr = reply ? parseMessage(reply).answer.find((a) => a.type === T.SOA) : undefined;
  if (!rr) throw new Error(`no SOA served for ${zone}`);
  const b = rr.rdata;
  let p = 0;
  const name = () => {
    const start = p;
    while (b[p] !== 0) p += b[p]! + 1;
    p++;
    return wireToText(b.subarray(start, p));
  };
  const mname = name();
  const rname = name();
  const dv = new DataView(b.buffer, b.byteOffset + p, 20);
  const [serial, refresh, retry, expire, minimum] = [0, 4, 8, 12, 16].map((o) => dv.getUint32(o));
  return { mname, rname, serial: serial!, refresh: refresh!, retry: retry!, expire: expire!, minimum: minimum!, ttl: rr.ttl };
}

export async function startZonekeeperDns(zones: CorpusZone[], extraArgs: string[] = []): Promise<ZonekeeperDns> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'zk-dns-'));
  try {
    await importIntoZonekeeper(zones, dataDir);
    // startServe listens for DNS on a free loopback port and reports it.
    const serve = await startServe(['--data', dataDir, ...extraArgs]);
    if (!serve.dns) {
      await serve.stop('SIGKILL');
      throw new Error(`zonekeeper serve printed no DNS address:\n${serve.output()}`);
    }
    const { host, port } = serve.dns;
    let exited = false;
    serve.child.once('exit', () => (exited = true));
    const deadline = Date.now() + 20_000;
    const waiting = new Set(zones.map((z) => z.name));
    while (waiting.size > 0) {
      if (exited || Date.now() > deadline) {
        await serve.stop('SIGKILL');
        throw new Error(`zonekeeper DNS on ${host}:${port} did not answer SOA for ${[...waiting].join(', ')}${exited ? ' (serve exited)' : ''}:\n${serve.output()}`);
      }
      for (const z of [...waiting]) if (await answersSoa(host, port, z)) waiting.delete(z);
      if (waiting.size > 0) await new Promise((r) => setTimeout(r, 100));
    }
    const soas = new Map<string, Soa>();
    const client = new UdpClient({ host, port });
    try {
      for (const [i, z] of zones.entries()) soas.set(z.name, await servedSoa(client, z.name, i + 1));
    } finally {
      client.close();
    }
    return {
      host,
      port,
      dataDir,
      soas,
      serve,
      alive: () => !exited,
      async stop() {
        await serve.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}
