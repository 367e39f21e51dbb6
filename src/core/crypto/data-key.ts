// The server's data key: AES-256-GCM for secrets that must be shown again (DynDNS tokens), and a
// check value kept in the store so a node started with another key refuses to run.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MetaRepo } from '../ports.js';

export const DATA_KEY_BYTES = 32;
const FORMAT = 'v1';
const CHECK_KEY = 'data_key_check';

/** The bytes of a data key written as base64 (a key file, ZONEKEEPER_DATA_KEY), or null when it is not one. */
export function parseDataKey(text: string): Buffer | null {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) return null;
  const bytes = Buffer.from(t, 'base64');
  return bytes.length === DATA_KEY_BYTES ? bytes : null;
}

export class DataKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataKeyError';
  }
}

export class DataKey {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== DATA_KEY_BYTES) throw new DataKeyError(`a data key has ${DATA_KEY_BYTES} bytes, this one ${key.length}`);
    this.#key = Buffer.from(key);
  }

  static generate(): DataKey {
    return new DataKey(randomBytes(DATA_KEY_BYTES));
  }

  /** A 32-byte key for one purpose (HKDF-SHA256, RFC 5869), e.g. signing access tokens. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `zonekeeper ${purpose}`, 32));
  }

  /** The key as base64, for the key file written at first start. */
  exportBase64(): string {
    return this.#key.toString('base64');
  }

  /** `v1.<iv>.<ciphertext+tag>` (base64url); `context` (e.g. the row id) must match on decryption. */
  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${FORMAT}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Throws DataKeyError for another key, another context or altered text. */
  decrypt(sealed: string, context: string): string {
    const [format, ivText, bodyText] = sealed.split('.');
    if (format !== FORMAT || !ivText || !bodyText) throw new DataKeyError('not a sealed value of this server');
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== 12 || body.length < 16) throw new DataKeyError('not a sealed value of this server');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new DataKeyError('the value does not decrypt with this data key (another key, or altered data)');
    }
  }

  /** A value that identifies the key without revealing it. */
  checkValue(): string {
    return createHmac('sha256', this.#key).update('zonekeeper data key check v1').digest('hex');
  }

  /**
   * Records this key's check value in a new store, or verifies it against the recorded one: a
   * server must not start with a key its stored secrets were not sealed with.
   */
  async verifyAgainst(meta: MetaRepo): Promise<void> {
    const mine = this.checkValue();
    const stored = await meta.putIfAbsent(CHECK_KEY, mine);
    if (stored.length !== mine.length || !timingSafeEqual(Buffer.from(stored), Buffer.from(mine))) {
      throw new DataKeyError('this data key is not the one the database was set up with (see --data-key-file / ZONEKEEPER_DATA_KEY in docs/operations.md)');
    }
  }
}
