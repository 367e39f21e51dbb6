// Signing where RRs enter DNS (docs/dnssec.md): a ZoneSink decorator between the engine and the
// zones (or the worker processes). A zone with active keys (the engine hands them over before each
// whole-zone load, `setKeys`) is served with its RRSIGs and NSEC chain: a load signs everything, a
// journal entry re-signs what it touches (ZoneSignerState), and `refresh` re-signs zones whose
// signatures are half-way through their validity. Zones without keys pass through untouched (and
// may take the memory-lean whole-zone path, `replaceZone`).
import type { RR } from '../../core/model.js';
import type { SigningKey } from '../../core/dnssec/keys.js';
import type { ZoneSink } from '../engine.js';
import { errorText, type DnsLogger } from '../server/types.js';
import type { Zone } from '../zone/zone.js';
import { RESIGN_AFTER_S, ZoneSignerState } from './zone-signer-state.js';

/** Where the DNS side gets a zone's active signing keys (the DNSSEC service, in `serve`). */
export interface DnssecKeySource {
  keys(zoneId: string): Promise<SigningKey[]>;
}

export class SigningSink implements ZoneSink {
  readonly #states = new Map<string, { signer: ZoneSignerState; serial: number }>();
  readonly #keys = new Map<string, readonly SigningKey[]>();

  constructor(
    private readonly inner: ZoneSink,
    private readonly logger: DnsLogger,
    /** Seconds since the epoch (tests move it). */
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    if (inner.settled) this.settled = () => inner.settled!();
    if (inner.replaceZone) {
      this.replaceZone = (zone: Zone) => {
        this.#states.delete(zone.origin);
        inner.replaceZone!(zone);
      };
    }
  }

  settled?: () => Promise<void>;
  replaceZone?: (zone: Zone) => void;

  /** The keys the next whole-zone load of `origin` signs with ([]: unsigned). */
  setKeys(origin: string, keys: readonly SigningKey[]): void {
    if (keys.length === 0) this.#keys.delete(origin);
    else this.#keys.set(origin, keys);
  }

  /** Whether `origin` is served signed. */
  isSigned(origin: string): boolean {
    return this.#states.has(origin);
  }

  replace(origin: string, rrs: readonly RR[], serial: number): void {
    const keys = this.#keys.get(origin);
    if (keys === undefined) {
      const was = this.#states.delete(origin);
      this.inner.replace(origin, rrs, serial);
      if (was) this.inner.setSigner?.(origin, null);
      return;
    }
    try {
      const signer = new ZoneSignerState(origin, keys, this.now);
      const extras = signer.load(rrs);
      this.#states.set(origin, { signer, serial });
      this.inner.replace(origin, [...rrs, ...extras], serial);
      this.inner.setSigner?.(origin, keys);
    } catch (err) {
      this.#states.delete(origin);
      this.logger.error({ zone: origin, err: errorText(err) }, 'dnssec: the zone could not be signed; serving it unsigned');
      this.inner.replace(origin, rrs, serial);
      this.inner.setSigner?.(origin, null);
    }
  }

  apply(origin: string, removed: readonly RR[], added: readonly RR[], toSerial: number): void {
    const st = this.#states.get(origin);
    if (st === undefined) {
      this.inner.apply(origin, removed, added, toSerial);
      return;
    }
    try {
      const d = st.signer.change(removed, added);
      st.serial = toSerial;
      this.inner.apply(origin, [...removed, ...d.removed], [...added, ...d.added], toSerial);
    } catch (err) {
      this.logger.error({ zone: origin, err: errorText(err) }, 'dnssec: a change could not be signed; signing the whole zone again');
      this.inner.apply(origin, removed, added, toSerial);
      this.#resign(origin);
    }
  }

  remove(origin: string): void {
    this.#states.delete(origin);
    this.#keys.delete(origin);
    this.inner.remove(origin);
  }

  #resign(origin: string): void {
    const st = this.#states.get(origin);
    if (st === undefined) return;
    try {
      const d = st.signer.resignAll();
      this.inner.apply(origin, d.removed, d.added, st.serial);
    } catch (err) {
      this.logger.error({ zone: origin, err: errorText(err) }, 'dnssec: re-signing failed');
    }
  }

  /** Re-signs the zones whose signatures are half-way through their validity; returns how many. */
  refresh(): number {
    let n = 0;
    for (const [origin, st] of this.#states) {
      if (st.signer.age < RESIGN_AFTER_S) continue;
      this.#resign(origin);
      n++;
    }
    return n;
  }
}
