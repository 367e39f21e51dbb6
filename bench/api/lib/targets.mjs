// The three systems under test and the one write each performs: create an A RRset at a new name.
// A zone grows by one RRset per write; PowerDNS's PATCH gets slower as its zone grows, so every
// phase starts on an empty zone of its own and results do not depend on the phases before.
import { startPdns } from '../pdns.mjs';
import { startZonekeeper } from '../zonekeeper.mjs';
import { makeAgent, requestJson } from './http.mjs';

/** Zone of phase k (0 = warm-up): each phase writes into a fresh, empty zone. */
export const zoneFor = (k) => `bench${k}.example.org`;
export const TTL = 300;

/** Address for write i, cycling through 198.51.100.1-254 then 203.0.113.1-254 (documentation ranges). */
export function addressFor(i) {
  const k = i % 508;
  return k < 254 ? `198.51.100.${k + 1}` : `203.0.113.${k - 254 + 1}`;
}
export const nameFor = (i) => `w${i}`;

async function once(server, spec, what) {
  const agent = makeAgent(1);
  try {
    return await requestJson(agent, server.baseUrl, spec, what);
  } finally {
    agent.destroy();
  }
}

const pdnsTarget = {
  id: 'pdns',
  async start({ echo }) {
    const server = await startPdns({ echo });
    const zonesPath = '/api/v1/servers/localhost/zones';
    return {
      label: `PowerDNS ${server.version} (gsqlite3)`,
      baseUrl: server.baseUrl,
      info: { version: server.version, config: server.config.conf, schema: server.config.schema },
      tail: server.tail,
      problems: server.problems,
      alive: server.alive,
      async newZone(zone) {
        await once(server, {
          method: 'POST',
          path: zonesPath,
          headers: server.headers,
          body: { name: `${zone}.`, kind: 'Native', nameservers: [] },
        }, `PowerDNS: create zone ${zone}`);
        const zonePath = `${zonesPath}/${zone}.`;
        return {
          makeRequest: (i) => ({
            method: 'PATCH',
            path: zonePath,
            headers: server.headers,
            body: {
              rrsets: [{
                name: `${nameFor(i)}.${zone}.`,
                type: 'A',
                ttl: TTL,
                changetype: 'REPLACE',
                records: [{ content: addressFor(i), disabled: false }],
              }],
            },
          }),
          // How many of the A RRsets written are really in the zone afterwards.
          async countStored() {
            const z = await once(server, { method: 'GET', path: zonePath, headers: server.headers }, `PowerDNS: read zone ${zone}`);
            return z.rrsets.filter((r) => r.type === 'A').length;
          },
        };
      },
    };
  },
};

/** `variantArgs`: serve arguments of this target (e.g. the power-loss-safe SQLite setting). */
function zkTarget(backend, id, labelSuffix = '', variantArgs = []) {
  return {
    id,
    async start({ echo, pgAdminUrl, zkBin, zkExtraArgs }) {
      const server = await startZonekeeper({ backend, pgAdminUrl, bin: zkBin, extraArgs: [...variantArgs, ...(zkExtraArgs ?? [])], echo });
      return {
        label: `zonekeeper (${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}${labelSuffix})`,
        baseUrl: server.baseUrl,
        info: server.info,
        tail: server.tail,
        problems: server.problems,
        alive: server.alive,
        async newZone(zone) {
          const created = await once(server, {
            method: 'POST',
            path: '/api/v2/dns-zones',
            headers: server.headers,
            body: { name: zone },
          }, `zonekeeper (${backend}): create zone ${zone}`);
          const zoneId = created?.id ?? created?.data?.id;
          if (zoneId === undefined || zoneId === null) {
            throw new Error(`zonekeeper (${backend}): POST /api/v2/dns-zones answered without an id: ${JSON.stringify(created).slice(0, 300)}`);
          }
          const recordsPath = `/api/v2/dns-zones/${encodeURIComponent(zoneId)}/records`;
          return {
            makeRequest: (i) => ({
              method: 'POST',
              path: recordsPath,
              headers: server.headers,
              body: { type: 'A', name: nameFor(i), value: addressFor(i), ttl: TTL },
            }),
            countStored: null,
          };
        },
      };
    },
  };
}

export const TARGETS = {
  pdns: pdnsTarget,
  'zk-sqlite': zkTarget('sqlite', 'zk-sqlite'),
  'zk-sqlite-full': zkTarget('sqlite', 'zk-sqlite-full', ', synchronous=full', ['--sqlite-synchronous', 'full']),
  'zk-postgres': zkTarget('postgres', 'zk-postgres'),
};
