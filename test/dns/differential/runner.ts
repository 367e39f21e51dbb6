// Sends every case to two servers at once (same octets, same id) with a concurrency window and
// compares the replies; groups the differences into classes for the report.
import { DnsClient, mapWindow, TcpConnection, type Target } from './client.js';
import { compareReplies, replyState, stateText, type Difference, type ReplyState } from './compare.js';
import { caseBytes, type DiffCase } from './queries.js';
import type { AcceptedRule, RuleContext } from './accepted.js';

export interface CaseResult {
  c: DiffCase;
  query: Uint8Array;
  knot: ReplyState;
  zk: ReplyState;
  diffs: Difference[];
  /** Rule id per accepted difference field. */
  accepted: Map<string, string>;
}

export interface RunStats {
  queries: number;
  ms: number;
  results: CaseResult[];
}

async function oneShotTcp(target: Target, query: Uint8Array): Promise<Uint8Array | null> {
  const conn = new TcpConnection(target, 3000);
  try {
    return await conn.send(query);
  } catch {
    return null;
  } finally {
    conn.close();
  }
}

/**
 * Runs `cases` against `a` (the reference, Knot) and `b` (the server under test). Edge cases go
 * over a fresh TCP connection each, so a server closing a connection after a malformed query
 * cannot disturb other queries.
 */
export async function runDifferential(cases: DiffCase[], a: Target, b: Target, opts: { window?: number; rules?: AcceptedRule[]; ctx?: RuleContext } = {}): Promise<RunStats> {
  const ca = new DnsClient(a);
  const cb = new DnsClient(b);
  const started = performance.now();
  try {
    const results = await mapWindow(cases, opts.window ?? 64, async (c, i) => {
      const id = (i * 40503 + 1) & 0xffff;
      const query = caseBytes(c, id);
      const send = (client: DnsClient, target: Target) => (c.group === 'edge' && c.transport === 'tcp' ? oneShotTcp(target, query) : client.send(query, c.transport));
      const [ra, rb] = await Promise.all([send(ca, a), send(cb, b)]);
      const knot = replyState(query, ra);
      const zk = replyState(query, rb);
      const diffs = compareReplies(knot, zk);
      const accepted = new Map<string, string>();
      if (diffs.length > 0) {
        for (const rule of opts.rules ?? []) {
          for (const field of rule.accepts({ c, query, knot, zk, diffs, ctx: opts.ctx ?? { existingNames: new Set() } })) if (!accepted.has(field)) accepted.set(field, rule.id);
        }
      }
      return { c, query, knot, zk, diffs, accepted };
    });
    return { queries: cases.length * 2, ms: performance.now() - started, results };
  } finally {
    ca.close();
    cb.close();
  }
}

export interface MismatchClass {
  key: string;
  count: number;
  examples: CaseResult[];
  /** Every query of the class (labels). */
  labels: string[];
}

/** Groups results with unaccepted differences by the set of differing fields (and RCODEs). */
export function classify(results: CaseResult[], includeAccepted = false): MismatchClass[] {
  const classes = new Map<string, MismatchClass>();
  for (const r of results) {
    const fields = r.diffs.filter((d) => includeAccepted || !r.accepted.has(d.field)).map((d) => (r.accepted.has(d.field) ? `${d.field}[${r.accepted.get(d.field)}]` : d.field));
    if (fields.length === 0) continue;
    const rc = (s: ReplyState) => (s.kind === 'ok' ? String(s.msg.fullRcode) : s.kind);
    const key = `${fields.join('+')} (knot ${rc(r.knot)} / zk ${rc(r.zk)}; ${r.c.group})`;
    const e = classes.get(key) ?? { key, count: 0, examples: [], labels: [] };
    e.labels.push(r.c.label);
    e.count++;
    if (e.examples.length < 3) e.examples.push(r);
    classes.set(key, e);
  }
  return [...classes.values()].sort((x, y) => y.count - x.count);
}

export function resultText(r: CaseResult): string {
  const lines = [`query: ${r.c.label}`];
  for (const d of r.diffs) lines.push(`  ${d.field}${r.accepted.has(d.field) ? ` (accepted: ${r.accepted.get(d.field)})` : ''}: knot=${d.knot} | zonekeeper=${d.zk}`);
  lines.push('  --- knot', ...stateText(r.knot).split('\n').map((l) => '  ' + l), '  --- zonekeeper', ...stateText(r.zk).split('\n').map((l) => '  ' + l));
  return lines.join('\n');
}

export function report(classes: MismatchClass[], allLabels = false): string {
  return classes
    .map((k) => `### ${k.count} × ${k.key}\n${k.examples.map(resultText).join('\n\n')}${allLabels && k.count > k.examples.length ? `\nall queries of the class:\n  ${k.labels.join('\n  ')}` : ''}`)
    .join('\n\n');
}
