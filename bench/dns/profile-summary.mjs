#!/usr/bin/env node
// Summarizes V8 .cpuprofile files (node --cpu-prof) into where the time goes: self time per
// function and per source file, and inclusive time of the functions that matter.
//
//   node bench/dns/run.mjs --targets zk0 --zk-node-arg=--cpu-prof --zk-node-arg=--cpu-prof-dir=/tmp/prof
//   node bench/dns/profile-summary.mjs /tmp/prof/*.cpuprofile [--top 30] [--match src/dns]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, match: { type: 'string' } },
});
if (!positionals.length) {
  console.error('usage: node bench/dns/profile-summary.mjs FILE.cpuprofile... [--top N] [--match TEXT]');
  process.exit(2);
}
const top = Number(values.top);

const shortUrl = (url) => url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/') || '(native)';

for (const file of positionals) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // sample weights: timeDeltas[i] belongs to samples[i]
  const selfUs = new Map();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    total += dt;
  });
  const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const selfBy = new Map();
  const fileBy = new Map();
  const inclBy = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + us);
    const f = n.callFrame.url ? shortUrl(n.callFrame.url) : `(${n.callFrame.functionName})`;
    fileBy.set(f, (fileBy.get(f) ?? 0) + us);
    // inclusive: count each function once per sample stack
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      inclBy.set(k, (inclBy.get(k) ?? 0) + us);
    }
  }
  const pct = (us) => `${((us / total) * 100).toFixed(1)}%`.padStart(6);
  const list = (m, filter = () => true) => [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`\n# ${file}: ${(total / 1e6).toFixed(2)} s sampled`);
  console.log('\n## self time by file');
  for (const [k, us] of list(fileBy)) console.log(`${pct(us)}  ${k}`);
  console.log('\n## self time by function');
  for (const [k, us] of list(selfBy)) console.log(`${pct(us)}  ${k}`);
  console.log(`\n## inclusive time${values.match ? ` (functions in files matching "${values.match}")` : ''}`);
  for (const [k, us] of list(inclBy, (k) => !values.match || k.includes(values.match))) console.log(`${pct(us)}  ${k}`);
}
