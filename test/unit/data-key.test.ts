// The data key: AES-256-GCM sealing bound to a context, refusal of other keys and altered text,
// and the check value that stops a server started with another key.
import { describe, expect, it } from 'vitest';
import { DataKey, DataKeyError } from '../../src/core/crypto/data-key.js';
import type { MetaRepo } from '../../src/core/ports.js';

class MemoryMeta implements MetaRepo {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async putIfAbsent(key: string, value: string) {
    if (!this.values.has(key)) this.values.set(key, value);
    return this.values.get(key)!;
  }
}

describe('DataKey', () => {
  it('seals and opens; each sealing is different; the context must match', () => {
    const k = DataKey.generate();
    const a = k.encrypt('0123abcd', 'ddns_1');
    const b = k.encrypt('0123abcd', 'ddns_1');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(k.decrypt(a, 'ddns_1')).toBe('0123abcd');
    expect(() => k.decrypt(a, 'ddns_2')).toThrow(DataKeyError);
  });

  it('refuses another key, altered text and foreign formats', () => {
    const k = DataKey.generate();
    const sealed = k.encrypt('secret', 'ctx');
    expect(() => DataKey.generate().decrypt(sealed, 'ctx')).toThrow(/does not decrypt/);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(() => k.decrypt(`${parts[0]}.${parts[1]}.${body.toString('base64url')}`, 'ctx')).toThrow(DataKeyError);
    expect(() => k.decrypt('plain', 'ctx')).toThrow(/not a sealed value/);
    expect(() => new DataKey(new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it('records its check value once and refuses a different key afterwards', async () => {
    const meta = new MemoryMeta();
    const k = DataKey.generate();
    await k.verifyAgainst(meta);
    await k.verifyAgainst(meta);
    await new DataKey(Buffer.from(k.exportBase64(), 'base64')).verifyAgainst(meta);
    await expect(DataKey.generate().verifyAgainst(meta)).rejects.toThrow(/not the one the database was set up with/);
    expect([...meta.values.values()][0]).not.toContain(k.exportBase64());
  });
});
