// Every schema migration, in apply order.
import { initial } from './001-initial.js';
import { dyndns } from './002-dyndns.js';
import { organizations } from './003-organizations.js';
import { registry } from './004-registry.js';
import { smartRecords } from './005-smart-records.js';
import { dnssec } from './006-dnssec.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [initial, dyndns, organizations, registry, smartRecords, dnssec];
