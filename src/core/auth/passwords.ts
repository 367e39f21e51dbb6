// Password hashing for user logins: argon2id (RFC 9106) with OWASP's minimum parameters, in PHC
// string form, computed off the event loop by @node-rs/argon2's thread pool.
import { hash, verify } from '@node-rs/argon2';
import { fieldError, type FieldError } from '../errors.js';

/** argon2id: m = 19 MiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet, 2025). */
const ARGON2ID = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;
/** An upper bound keeps one request from costing more than a normal login. */
export const MAX_PASSWORD_LENGTH = 1024;

export function passwordErrors(password: string, pointer = '/password'): FieldError[] {
  const n = [...password].length;
  if (n < MIN_PASSWORD_LENGTH) return [fieldError(pointer, 'too_short', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`)];
  if (n > MAX_PASSWORD_LENGTH) return [fieldError(pointer, 'too_long', `The password must have at most ${MAX_PASSWORD_LENGTH} characters.`)];
  if (password.includes('\u0000')) return [fieldError(pointer, 'invalid_value', 'The password must not contain NUL characters.')];
  return [];
}

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), ARGON2ID);
}

/** True when `password` matches the PHC string; false for a mismatch or a malformed hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password.normalize('NFC'));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Verifies against a fixed hash with the same parameters, so that a login for an unknown email
 * costs the same time as one with a wrong password (no user enumeration by timing).
 */
export async function spendVerifyTime(password: string): Promise<void> {
  dummy ??= hashPassword('zonekeeper-timing-equalizer');
  await verifyPassword(await dummy, password);
}
