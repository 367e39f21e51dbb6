// Before a target is measured, a few queries of every class of the mix are checked for the answer
// the zone implies (rcode and answer section). A server that answers fast but wrongly must not
// get a number without a flag next to it.
import { normalizeV6, openClient } from './dnsclient.mjs';
import { groupRecords, v4, v6 } from './zone.mjs';

/** What the answer to `qname`/`qtype` of class `cls` must look like; returns null or a problem. */
export function expectation(cls, qname, zone) {
  const rel = qname.slice(0, -(zone.length + 1));
  const j = Number(/(\d+)$/.exec(rel.split('.').at(-1))?.[1]);
  const one = (res, type, data) => res.answers.some((a) => a.type === type && a.data === data);
  switch (cls) {
    case 'A':
      return (res) => (res.rcode === 'NOERROR' && res.ancount === 1 && one(res, 'A', v4(j)) ? null : `want A ${v4(j)}`);
    case 'A-rrset2':
      return (res) => (res.rcode === 'NOERROR' && res.ancount === 2 && one(res, 'A', v4(j + 2)) && one(res, 'A', v4(j + 3)) ? null : `want A ${v4(j + 2)}, ${v4(j + 3)}`);
    case 'AAAA':
      return (res) => (res.rcode === 'NOERROR' && res.ancount === 1 && one(res, 'AAAA', normalizeV6(v6(j))) ? null : `want AAAA ${v6(j)}`);
    case 'MX':
      return (res) => (res.rcode === 'NOERROR' && res.ancount === 1 && one(res, 'MX', `10 mx${j}.${zone}.`) ? (res.arcount >= 1 ? null : 'no A of the MX target in additional') : `want MX 10 mx${j}.${zone}.`);
    case 'TXT': {
      const want = groupRecords(j, zone).find(([o, t]) => t === 'TXT' && o === rel.split('.')[0])?.[2];
      return (res) => (res.rcode === 'NOERROR' && res.ancount === 1 && one(res, 'TXT', want) ? null : `want TXT ${want}`);
    }
    case 'CNAME-in':
      return (res) => (res.rcode === 'NOERROR' && res.ancount === 2 && one(res, 'CNAME', `host${j}.${zone}.`) && one(res, 'A', v4(j)) ? null : `want CNAME host${j}.${zone}. + A ${v4(j)}`);
    case 'CNAME-out':
      return (res) => (res.rcode === 'NOERROR' && res.ancount === 1 && one(res, 'CNAME', `cdn${j}.example.net.`) ? null : `want CNAME cdn${j}.example.net.`);
    case 'wildcard':
      return (res) => (res.rcode === 'NOERROR' && res.ancount === 1 && one(res, 'A', v4(j + 4)) && res.answers[0].name.toLowerCase() === qname.toLowerCase() ? null : `want A ${v4(j + 4)} owned by ${qname}`);
    case 'NXDOMAIN':
      return (res) => (res.rcode === 'NXDOMAIN' && res.ancount === 0 ? (res.nscount >= 1 ? null : 'no SOA in authority') : 'want NXDOMAIN');
    default:
      throw new Error(`unknown query class ${cls}`);
  }
}

/**
 * Queries every sample ({cls: ["name TYPE", ...]}) once; returns {checked, failed: [{cls, query,
 * problem, got}]}.
 */
export async function checkAnswers(port, samples, zone) {
  const client = await openClient(port);
  const failed = [];
  let checked = 0;
  try {
    for (const [cls, list] of Object.entries(samples)) {
      for (const line of list) {
        const [name, type] = line.split(' ');
        checked++;
        let res;
        try {
          res = await client.query(name, type, { timeoutMs: 2000 });
        } catch (err) {
          failed.push({ cls, query: line, problem: err.message });
          continue;
        }
        const problem = expectation(cls, name, zone)(res);
        if (problem) failed.push({ cls, query: line, problem, got: `${res.rcode} an=${res.ancount} ns=${res.nscount} ar=${res.arcount} ${res.answers.map((a) => `${a.type} ${a.data}`).join('; ')}` });
      }
    }
  } finally {
    client.close();
  }
  return { checked, failed };
}
