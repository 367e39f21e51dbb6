// The differential corpus: zone files under ./corpus, loaded into zonekeeper with the real CLI
// (`zones import`) and into Knot DNS as the same files, with two mechanical edits for Knot only:
// - the SOA line gets zonekeeper's SOA (zonekeeper owns serial, MNAME and RNAME: see
//   ZonesService.importZoneFile), so both servers serve one SOA;
// - `dohpath=` (RFC 9461) is written `key7=`, the only spelling Knot 3.2 knows (same wire).
// The apex NS set is zonekeeper's `--nameservers`; it is taken from each file's apex NS lines,
// whose TTL must be zonekeeper's default TTL (3600).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Soa } from '../../../src/core/model.js';
import { parseZoneFile, type ZoneFileRecord } from '../../../src/core/zonefile/zonefile.parse.js';
import { runCli } from '../../helpers/cli.js';

export const CORPUS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');

/** Zones in import order (a parent before its hosted child). */
export const CORPUS_ZONES = ['example.test', 'sub.example.test', 'example.org', 'hosted.example.org'] as const;

export interface CorpusZone {
  name: string;
  file: string;
  text: string;
  records: ZoneFileRecord[];
  soa: Soa & { name: string };
  /** Apex NS targets, in file order (first = SOA MNAME on the zonekeeper side). */
  nameservers: string[];
}

export async function loadCorpus(): Promise<CorpusZone[]> {
  const out: CorpusZone[] = [];
  for (const name of CORPUS_ZONES) {
    const file = path.join(CORPUS_DIR, `${name}.zone`);
    const text = await readFile(file, 'utf8');
    const parsed = parseZoneFile(text, { origin: name });
    if (parsed.errors.length > 0 || !parsed.soa) throw new Error(`corpus ${name}: ${JSON.stringify(parsed.errors)}`);
    const nameservers = parsed.records.filter((r) => r.type === 'NS' && r.name === name).map((r) => r.rdata.replace(/\.$/, ''));
    out.push({ name, file, text, records: parsed.records, soa: parsed.soa, nameservers });
  }
  return out;
}

/** Imports every corpus zone into the zonekeeper store at `dataDir` with `zonekeeper zones import`. */
export async function importIntoZonekeeper(zones: CorpusZone[], dataDir: string): Promise<void> {
  const importOne = async (z: CorpusZone) => {
    const r = await runCli(['zones', 'import', z.name, z.file, '--data', dataDir, '--nameservers', z.nameservers.join(','), '--json'], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`zonekeeper zones import ${z.name} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  };
  // The first import creates the store; the others run side by side (the CLI works concurrently
  // on one store: SQLite WAL with BEGIN IMMEDIATE, see docs/operations.md).
  const [first, ...rest] = zones;
  if (first) await importOne(first);
  await Promise.all(rest.map(importOne));
}

/** Knot's copy of a corpus file (see the header comment), written into `dir`; returns its path. */
export async function writeKnotZoneFile(z: CorpusZone, soa: Soa, dir: string): Promise<string> {
  const lines = z.text.split('\n');
  const soaLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\S+\s+(?:\d+\s+)?(?:IN\s+)?SOA\s/i.test(l));
  if (soaLines.length !== 1) throw new Error(`corpus ${z.name}: the SOA must be on one line of its own`);
  const abs = (n: string) => (n.endsWith('.') ? n : `${n}.`);
  lines[soaLines[0]![1]] = `${z.name}.\t${soa.ttl}\tIN\tSOA\t${abs(soa.mname)} ${abs(soa.rname)} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
  const text = lines.join('\n').replace(/\bdohpath=/g, 'key7=');
  const file = path.join(dir, `${z.name}.zone`);
  await writeFile(file, text);
  return file;
}
