// Signatures made while answering (docs/dnssec.md "Answers computed per query"): Flatten/ALIAS
// addresses, Script answers and the records a weighted or health-filtered set picks exist only per
// query, so a signed zone signs them then, with its keys. Signatures are cached per owner, type,
// TTL and RDATA for a day (far inside their 14-day validity), at most MAX_CACHED of them.
import type { SigningKey } from '../../core/dnssec/keys.js';
import { lowerName } from '../wire/name.js';
import { bytesToRdataString } from '../zone/zone.js';
import { signRRset } from './sign.js';
import { SIGNATURE_BACKDATE_S, SIGNATURE_VALIDITY_S } from './zone-signer-state.js';

export const MAX_CACHED = 20_000;
export const REUSE_S = 86_400;

interface Cached {
  until: number;
  sigs: string[];
}

export class OnlineSigner {
  readonly #cache = new Map<string, Cached>();

  constructor(
    readonly keys: readonly SigningKey[],
    /** The zone apex (signer name), uncompressed wire. */
    private readonly apex: Uint8Array,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** RRSIG RDATA (one-byte strings) over `rdatas` as an RRset of `owner` (wire), `type`, `ttl`. */
  sign(owner: Uint8Array, type: number, ttl: number, rdatas: readonly Uint8Array[]): string[] {
    const t = this.now();
    let key = `${bytesToRdataString(lowerName(owner))}\u0000${type}\u0000${ttl}`;
    for (const r of rdatas) key += `\u0000${bytesToRdataString(r)}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.until > t) return hit.sigs;
    const times = { inception: t - SIGNATURE_BACKDATE_S, expiration: t + SIGNATURE_VALIDITY_S };
    const sigs = this.keys.map((k) => bytesToRdataString(signRRset(owner, type, ttl, rdatas, k, this.apex, times)));
    if (this.#cache.size >= MAX_CACHED) {
      const [oldest] = this.#cache.keys();
      this.#cache.delete(oldest!);
    }
    this.#cache.set(key, { until: t + REUSE_S, sigs });
    return sigs;
  }
}
