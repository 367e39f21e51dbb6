// DNSSEC of zones (docs/dnssec.md): a zone is signed while it has an active key. Keys are generated
// here (node:crypto), their private half sealed with the data key in `dnssec_keys`; their public
// half is published as DNSKEY records at the apex, with CDNSKEY and CDS (SHA-256) for the SEP key
// (RFC 7344), through the one change engine: the journal entry tells every DNS process, which then
// loads the keys and signs (dns/dnssec/signing-sink.ts).
import type { DataKey } from '../crypto/data-key.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type { DnssecKey, DnsRecord, Zone } from '../model.js';
import type { Clock, Store } from '../ports.js';
import { DNSSEC_MANAGED_TYPES } from '../records/dnssec-types.js';
import { serverRecord } from '../records/record-rr.js';
import { ALGORITHM, ALGORITHM_NAMES, CSK_FLAGS, DIGEST, dnskeyRdata, dsRdata, generateSigningKey, loadSigningKey, ownerWire, type Algorithm, type SigningKey } from './keys.js';

/** TTL of the DNSKEY, CDNSKEY and CDS records. */
export const KEY_TTL = 3600;
/** CDS/CDNSKEY asking the parent to remove the DS (RFC 8078 4). */
export const CDS_DELETE = '0 0 0 00';
export const CDNSKEY_DELETE = '0 3 0 AA==';

export interface DsView {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: string;
  /** The DS record as the parent publishes it. */
  record: string;
}

export interface RolloverView {
  /** The next step: `ds-swap` (the parent's DS moves to the new key) or `remove-old`. */
  next: string;
  at: string;
  oldKeyTag: number;
  newKeyTag: number;
}

/** Job kind of key rollovers (subject: the zone id). */
export const ROLLOVER_JOB = 'dnssec_rollover';
/** Added to every wait of a rollover (clock skew, propagation to secondaries). */
export const ROLLOVER_MARGIN_S = 300;

export interface DnssecView {
  zone: string;
  signed: boolean;
  rollover: RolloverView | null;
  keys: { id: string; keyTag: number; algorithm: number; algorithmName: string; flags: number; state: string; dnskey: string; createdAt: string }[];
  ds: DsView[];
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

function dnskeyText(k: SigningKey): string {
  return `${k.flags} 3 ${k.algorithm} ${Buffer.from(k.dnskey.subarray(4)).toString('base64')}`;
}

function dnskeyBytes(text: string): Uint8Array {
  const [flags = '0', , alg = '0', ...key] = text.split(' ');
  return dnskeyRdata(Number(flags), Number(alg), Buffer.from(key.join(''), 'base64'));
}

/** The DS records of a DNSKEY (presentation RDATA) at `zone`, SHA-256 and SHA-384. */
export function dsOf(zone: string, dnskey: string): DsView[] {
  const owner = ownerWire(zone);
  const key = dnskeyBytes(dnskey);
  return [DIGEST.SHA256, DIGEST.SHA384].map((digestType) => {
    const rd = dsRdata(owner, key, digestType);
    const keyTag = (rd[0]! << 8) | rd[1]!;
    const digest = hex(rd.subarray(4));
    return { keyTag, algorithm: rd[2]!, digestType, digest, record: `${zone}. IN DS ${keyTag} ${rd[2]} ${digestType} ${digest}` };
  });
}

export class DnssecService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly dataKey: DataKey | null,
  ) {}

  #key(): DataKey {
    if (!this.dataKey) throw new AppError('service_unavailable', 'This server has no data key configured, so DNSSEC keys cannot be stored.');
    return this.dataKey;
  }

  /** Signs the zone (a new key when it has no active one); idempotent. */
  async enableSigning(zone: Zone, algorithm: Algorithm = ALGORITHM.ECDSAP256SHA256): Promise<DnssecView> {
    const keys = await this.store.dnssecKeys.list(zone.id);
    if (!keys.some((k) => k.state === 'active')) {
      const { key, pkcs8 } = generateSigningKey(algorithm, CSK_FLAGS);
      const id = newId('dnssecKey');
      const now = this.clock.now().toISOString();
      await this.store.dnssecKeys.insert({
        id,
        zoneId: zone.id,
        algorithm,
        flags: CSK_FLAGS,
        keyTag: key.keyTag,
        state: 'active',
        dnskey: dnskeyText(key),
        privateKey: this.#key().encrypt(pkcs8.toString('base64'), `dnssec-key:${id}`),
        createdAt: now,
        updatedAt: now,
      });
    }
    await this.publishKeys(zone);
    return this.view(zone);
  }

  /** Signs the zone unless it is signed already (no new key, no change then). */
  async ensureSigned(zone: Zone): Promise<void> {
    const keys = await this.store.dnssecKeys.list(zone.id);
    if (!keys.some((k) => k.state === 'active')) await this.enableSigning(zone);
  }

  /** The trust anchor of a signed zone: its SEP keys as DNSKEY presentation lines. */
  async trustAnchor(zone: Zone): Promise<string[]> {
    const keys = await this.store.dnssecKeys.list(zone.id);
    return keys.filter((k) => k.state === 'active' && (k.flags & 1) === 1).map((k) => `${zone.name}. IN DNSKEY ${k.dnskey}`);
  }

  /**
   * Stops signing: the keys and their DNSKEY/CDNSKEY/CDS records go. Refused while the zone's
   * domain is enrolled in automatic DNSSEC or has a DS at the registry (the parent would point at
   * keys that are gone: exclude first); `force` is automatic DNSSEC's own final step.
   */
  async disableSigning(zone: Zone, opts: { force?: boolean } = {}): Promise<DnssecView> {
    if (!opts.force && zone.domainId) {
      const auto = await this.store.dnssecKeys.getAuto(zone.domainId);
      const ds = await this.store.registrar.dnssec(zone.domainId);
      if ((auto && auto.enabled) || ds.length > 0) {
        throw new AppError('conflict', `${zone.name} has a DS at the registry or is enrolled in automatic DNSSEC; exclude it (POST /api/v2/domains/{id}/dnssec-auto {"action": "exclude"}) so the DS goes before the signatures do.`);
      }
    }
    for (const k of await this.store.dnssecKeys.list(zone.id)) await this.store.dnssecKeys.delete(k.id);
    await this.publishKeys(zone);
    return this.view(zone);
  }

  /**
   * Makes the zone's DNSKEY, CDNSKEY and CDS records match its keys: DNSKEY for every key, CDNSKEY
   * and CDS for the active SEP keys; `withdraw` publishes the RFC 8078 delete records instead.
   */
  async publishKeys(zone: Zone, opts: { withdraw?: boolean } = {}): Promise<void> {
    const keys = await this.store.dnssecKeys.list(zone.id);
    const want: { type: string; rdata: string }[] = [];
    for (const k of keys) want.push({ type: 'DNSKEY', rdata: k.dnskey });
    if (opts.withdraw) {
      if (keys.length > 0) want.push({ type: 'CDS', rdata: CDS_DELETE }, { type: 'CDNSKEY', rdata: CDNSKEY_DELETE });
    } else {
      for (const k of keys) {
        if (k.state !== 'active' || (k.flags & 1) === 0) continue;
        want.push({ type: 'CDNSKEY', rdata: k.dnskey });
        const ds = dsOf(zone.name, k.dnskey)[0]!;
        want.push({ type: 'CDS', rdata: `${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${ds.digest}` });
      }
    }
    const now = this.clock.now().toISOString();
    const outcome = await this.store.applyZoneChange(zone.id, async (tx) => {
      const have = (await tx.recordsAt([tx.zone.name])).filter((r) => DNSSEC_MANAGED_TYPES.has(r.type));
      const key = (t: string, rd: string): string => `${t} ${rd}`;
      const wanted = new Set(want.map((w) => key(w.type, w.rdata)));
      const present = new Set(have.map((r) => key(r.type, r.rdata)));
      const insert: DnsRecord[] = want
        .filter((w) => !present.has(key(w.type, w.rdata)))
        .map((w) => serverRecord(tx.zone.id, tx.zone.name, w.type, KEY_TTL, w.rdata, now));
      const del = have.filter((r) => !wanted.has(key(r.type, r.rdata))).map((r) => r.id);
      return { insert, update: [], delete: del, result: null };
    });
    if (!outcome) throw new AppError('not_found', `DNS zone ${zone.id} was not found.`);
  }

  /** Keys and DS records of a zone (GET /api/v2/dns-zones/{id}/dnssec). */
  async view(zone: Zone): Promise<DnssecView> {
    const keys = await this.store.dnssecKeys.list(zone.id);
    const job = await this.store.jobs.latest(zone.id, ROLLOVER_JOB);
    let rollover: RolloverView | null = null;
    if (job && job.status === 'pending') {
      const tag = (id: unknown): number => keys.find((k) => k.id === id)?.keyTag ?? 0;
      rollover = { next: String(job.payload.step), at: job.runAt, oldKeyTag: tag(job.payload.oldKeyId), newKeyTag: tag(job.payload.newKeyId) };
    }
    return {
      zone: zone.name,
      signed: keys.some((k) => k.state === 'active'),
      rollover,
      keys: keys.map((k) => ({ id: k.id, keyTag: k.keyTag, algorithm: k.algorithm, algorithmName: ALGORITHM_NAMES[k.algorithm as Algorithm] ?? String(k.algorithm), flags: k.flags, state: k.state, dnskey: k.dnskey, createdAt: k.createdAt })),
      ds: keys.filter((k) => k.state === 'active' && (k.flags & 1) === 1).flatMap((k) => dsOf(zone.name, k.dnskey)),
    };
  }

  /** The keys that sign a zone (active ones, and a retired one until the rollover removes it). */
  async signingKeys(zoneId: string): Promise<SigningKey[]> {
    const keys = await this.store.dnssecKeys.list(zoneId);
    return keys.filter((k) => k.state === 'active' || k.state === 'retired').map((k) => this.#open(k));
  }

  /**
   * Starts a CSK rollover (double-signature, RFC 7583 3.3): a new key of the same algorithm is
   * published and signs next to the old one at once; once every cached RRset can hold its
   * signatures (the zone's largest TTL, DNSKEY's included, has passed) the parent's DS moves to the
   * new key (`ds-swap`: CDS/CDNSKEY name only the new key; with automatic DNSSEC the registry's DS is
   * replaced); once the parent's old DS has expired from caches the old key goes (`remove-old`).
   * The job table runs the steps (`dnssec_rollover`).
   */
  async startRollover(zone: Zone): Promise<DnssecView> {
    const keys = await this.store.dnssecKeys.list(zone.id);
    const active = keys.filter((k) => k.state === 'active');
    if (active.length === 0) throw new AppError('operation_unavailable', `The zone ${zone.name} is not signed; there is no key to roll.`);
    if (active.length > 1 || keys.some((k) => k.state === 'retired')) throw new AppError('conflict', `A key rollover of ${zone.name} is already under way.`);
    const old = active[0]!;
    const { key, pkcs8 } = generateSigningKey(old.algorithm as Algorithm, old.flags);
    const id = newId('dnssecKey');
    const now = this.clock.now();
    await this.store.dnssecKeys.insert({
      id,
      zoneId: zone.id,
      algorithm: old.algorithm,
      flags: old.flags,
      keyTag: key.keyTag,
      state: 'active',
      dnskey: dnskeyText(key),
      privateKey: this.#key().encrypt(pkcs8.toString('base64'), `dnssec-key:${id}`),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    await this.publishKeys(zone);
    const wait = Math.max(KEY_TTL, await this.#maxTtl(zone)) + ROLLOVER_MARGIN_S;
    await this.#schedule(zone, { step: 'ds-swap', oldKeyId: old.id, newKeyId: id }, new Date(now.getTime() + wait * 1000));
    return this.view(zone);
  }

  async #schedule(zone: Zone, payload: Record<string, unknown>, at: Date): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.store.jobs.enqueue({ id: newId('job'), kind: ROLLOVER_JOB, subject: zone.id, payload, status: 'pending', runAt: at.toISOString(), attempts: 0, lastError: null, createdAt: now, updatedAt: now });
  }

  async #maxTtl(zone: Zone): Promise<number> {
    let max = zone.soa.ttl;
    for await (const batch of this.store.records.iterate(zone.id)) for (const r of batch) if (r.ttl > max) max = r.ttl;
    return max;
  }

  /**
   * Job `dnssec_rollover`: one step. `afterDsSwap` (automatic DNSSEC) replaces the DS at the
   * registry and says how long the parent's old DS may stay cached (seconds).
   */
  async rolloverStep(
    zoneId: string,
    payload: Record<string, unknown>,
    hooks: {
      afterDsSwap: (zone: Zone) => Promise<number>;
      parentStillHas: (zone: Zone, dnskey: string) => Promise<boolean>;
      parentDsTtl: (zone: Zone) => Promise<number>;
      withdrawing: (zone: Zone) => Promise<boolean>;
    },
  ): Promise<void> {
    const zone = await this.store.zones.get(zoneId);
    if (!zone) return;
    const keys = await this.store.dnssecKeys.list(zone.id);
    const old = keys.find((k) => k.id === payload.oldKeyId);
    const fresh = keys.find((k) => k.id === payload.newKeyId);
    if (!old || !fresh) return; // signing stopped meanwhile: nothing to roll
    const now = this.clock.now();
    if (await hooks.withdrawing(zone)) return; // DNSSEC is being withdrawn: the rollover ends here
    if (payload.step === 'ds-swap') {
      await this.store.dnssecKeys.setState(old.id, 'retired', now.toISOString());
      await this.publishKeys(zone); // CDS/CDNSKEY: the new key only
      const dsTtl = await hooks.afterDsSwap(zone);
      // The old key waits out the parent's DS TTL from the moment its DS is gone there.
      const gone = !(await hooks.parentStillHas(zone, old.dnskey));
      await this.#schedule(zone, { ...payload, step: 'remove-old', dsGoneAt: gone ? now.toISOString() : null }, new Date(now.getTime() + (dsTtl + ROLLOVER_MARGIN_S) * 1000));
    } else if (payload.step === 'remove-old') {
      // A DS of the old key still at the registry (manual DNSSEC not updated yet): the old key
      // keeps signing; look again in an hour.
      if (await hooks.parentStillHas(zone, old.dnskey)) {
        await this.#schedule(zone, { ...payload, dsGoneAt: null }, new Date(now.getTime() + 3_600_000));
        return;
      }
      const ttl = await hooks.parentDsTtl(zone);
      const goneAt = typeof payload.dsGoneAt === 'string' ? Date.parse(payload.dsGoneAt) : NaN;
      if (!Number.isFinite(goneAt) || now.getTime() < goneAt + (ttl + ROLLOVER_MARGIN_S) * 1000) {
        // Seen gone only now (a late manual update, a registry outage): the TTL runs from now.
        const from = Number.isFinite(goneAt) ? goneAt : now.getTime();
        await this.#schedule(zone, { ...payload, dsGoneAt: new Date(from).toISOString() }, new Date(from + (ttl + ROLLOVER_MARGIN_S) * 1000));
        return;
      }
      await this.store.dnssecKeys.delete(old.id);
      await this.publishKeys(zone);
    }
  }

  #open(k: DnssecKey): SigningKey {
    const pkcs8 = Buffer.from(this.#key().decrypt(k.privateKey, `dnssec-key:${k.id}`), 'base64');
    return loadSigningKey(k.algorithm as Algorithm, pkcs8, k.flags);
  }
}
