// Public identifiers: a type prefix plus a lowercase ULID (time-ordered, so ids sort by creation).
import { randomBytes } from 'node:crypto';

export const ID_PREFIX = {
  account: 'acc_',
  apiKey: 'key_',
  domain: 'dom_',
  zone: 'zone_',
  record: 'drr_',
  dyndns: 'ddns_',
  dyndnsLog: 'ddl_',
  request: 'req_',
  user: 'usr_',
  apiToken: 'tok_',
  refresh: 'rft_',
  dnssecKey: 'dsk_',
  job: 'job_',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lowercase

let lastTime = -1;
let lastRandom: number[] = [];

// Random bytes are drawn from the OS 4 KiB at a time: one getrandom() call per 256 new ids instead
// of one per id (it showed in profiles of sequential API writes). The pool is never reused.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function random16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return out;
}

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/**
 * A monotonic ULID: within one millisecond the random part is incremented, so ids made by one
 * process are strictly increasing (cursor pagination relies on that ordering).
 */
export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    // increment the 80-bit random part as 16 base32 digits
    let i = lastRandom.length - 1;
    while (i >= 0 && lastRandom[i] === 31) {
      lastRandom[i] = 0;
      i--;
    }
    if (i >= 0) lastRandom[i] = (lastRandom[i] ?? 0) + 1;
    now = lastTime;
  } else {
    const bytes = random16();
    lastRandom = Array.from(bytes, (b) => b & 31);
    lastRandom[0] = (lastRandom[0] ?? 0) & 15; // leave head-room so increments never overflow
    lastTime = now;
  }
  return encodeTime(now) + lastRandom.map((d) => ALPHABET[d]).join('');
}

export function newId(kind: IdKind, now?: number): string {
  return ID_PREFIX[kind] + ulid(now);
}

const ULID_RE = /^[0-9abcdefghjkmnpqrstvwxyz]{26}$/;

/** True when `id` has the prefix of `kind` and a well-formed ULID (case-insensitive). */
export function isId(kind: IdKind, id: string): boolean {
  const prefix = ID_PREFIX[kind];
  return id.startsWith(prefix) && ULID_RE.test(id.slice(prefix.length).toLowerCase());
}
