// The zones this server is authoritative for, by origin (docs/dns.md "dns/zone").
// `generation` changes on every change of any zone (set, delete, or an applied journal entry that
// the engine reports with `touched()`), so reply caches keyed by it never serve stale data.
import type { Zone } from './zone.js';

export class ZoneSet {
  private readonly zones = new Map<string, Zone>();
  private gen = 0;
  /** Label count of the longest origin: `find` starts stripping there instead of at the qname. */
  private maxLabels = 0;

  /** Bumps on every `set`, `delete` and `touched`. */
  get generation(): number {
    return this.gen;
  }

  get size(): number {
    return this.zones.size;
  }

  get(origin: string): Zone | undefined {
    return this.zones.get(origin);
  }

  /** Add or replace the zone of `zone.origin` (a whole-zone reload swaps the reference here). */
  set(zone: Zone): void {
    this.zones.set(zone.origin, zone);
    const n = countLabels(zone.origin);
    if (n > this.maxLabels) this.maxLabels = n;
    this.gen++;
  }

  delete(origin: string): boolean {
    const had = this.zones.delete(origin);
    if (had) {
      this.maxLabels = 0;
      for (const o of this.zones.keys()) this.maxLabels = Math.max(this.maxLabels, countLabels(o));
    }
    this.gen++;
    return had;
  }

  /** Call after `zone.apply(...)` on a zone of this set: invalidates caches keyed by generation. */
  touched(): void {
    this.gen++;
  }

  origins(): IterableIterator<string> {
    return this.zones.keys();
  }

  zonesList(): IterableIterator<Zone> {
    return this.zones.values();
  }

  /** The zone with the longest origin that equals `qnameKey` or is an ancestor of it (label-wise). */
  find(qnameKey: string): Zone | undefined {
    if (this.zones.size === 0) return undefined;
    let name = qnameKey;
    let labels = countLabels(name);
    while (labels > this.maxLabels) {
      name = stripLabel(name);
      labels--;
    }
    for (;;) {
      const z = this.zones.get(name);
      if (z !== undefined) return z;
      if (name === '') return undefined;
      name = stripLabel(name);
    }
  }
}

/** Labels of a canonical key (every `.` separates labels; "" is the root). */
function countLabels(name: string): number {
  if (name === '') return 0;
  let n = 1;
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) n++;
  return n;
}

function stripLabel(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? '' : name.slice(i + 1);
}
