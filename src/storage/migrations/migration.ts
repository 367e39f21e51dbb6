// The shape of one schema migration: an id that sorts in apply order and an `up` step.
import type { Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export interface Migration {
  /** Sorts in apply order: `NNN-name`. Never rename one that has shipped. */
  id: string;
  /** Runs inside the migration transaction; `dialect` is for the few places the two differ. */
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}
