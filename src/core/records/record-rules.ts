// Rules over the records at one owner name (RFC 1034 3.6.2 CNAME exclusivity, RFC 2181 duplicates,
// delegation and DS placement, the server-managed apex NS set), checked on the state a change leaves.
import { fieldError, type FieldError } from '../errors.js';

export interface RuleRecord {
  id: string;
  name: string;
  type: string;
  rdata: string;
}

/** Types that give a name its addresses: one source per name (A/AAAA together, or an ALIAS, a Redirect or a PullZone). */
const ADDRESS_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'ALIAS', 'REDIRECT', 'PULLZONE']);
/** Types that stand alone among the address types (their addresses come from elsewhere). */
const SOLE_ADDRESS_TYPES: Readonly<Record<string, string>> = { REDIRECT: 'a Redirect', PULLZONE: 'a PullZone' };

/** Rules for one candidate against the other records at its owner name (pointer prefix given). */
export function checkCandidate(zoneName: string, cand: RuleRecord, others: RuleRecord[], at: string): FieldError[] {
  const errors: FieldError[] = [];
  const apex = cand.name === zoneName;
  const wildcard = cand.name.startsWith('*.');
  if (cand.type === 'CNAME' && apex) {
    errors.push(fieldError(`${at}/type`, 'not_allowed', 'A CNAME cannot stand at the zone apex; use an ALIAS record there.'));
  }
  if (cand.type === 'NS' && apex) {
    errors.push(fieldError(`${at}/name`, 'not_allowed', 'The apex NS set is managed by the server and cannot be changed through records.'));
  }
  if (cand.type === 'NS' && wildcard) {
    errors.push(fieldError(`${at}/name`, 'not_allowed', 'NS records cannot be owned by a wildcard name (RFC 4592 4.2).'));
  }
  if (cand.type === 'DS' && apex) {
    errors.push(fieldError(`${at}/type`, 'not_allowed', 'A DS record belongs in the parent zone, not at this zone apex.'));
  }
  for (const o of others) {
    if (o.id === cand.id) continue;
    if (o.type === cand.type && o.rdata === cand.rdata) {
      errors.push(fieldError(`${at}/value`, 'duplicate', `An identical ${cand.type} record already exists at ${cand.name}.`));
    } else if (cand.type === 'SCRIPT' || o.type === 'SCRIPT') {
      // A Script computes every answer at its name: nothing else may be there (and one script per name).
      errors.push(fieldError(`${at}/type`, 'conflict', `${cand.name} already has ${o.type === 'SCRIPT' ? 'a Script' : 'other records'}; a Script answers every query at its name and cannot share it with any other record.`));
    } else if (cand.type === 'CNAME' || o.type === 'CNAME') {
      errors.push(fieldError(`${at}/type`, 'conflict', `${cand.name} already has ${o.type === 'CNAME' ? 'a CNAME' : 'other records'}; a CNAME cannot share its name with any other record.`));
    } else if (cand.type === 'ALIAS' && ['A', 'AAAA', 'ALIAS'].includes(o.type)) {
      errors.push(fieldError(`${at}/type`, 'conflict', `${cand.name} already has ${o.type} records; an ALIAS supplies the addresses itself and must stand alone among A/AAAA/ALIAS.`));
    } else if ((cand.type in SOLE_ADDRESS_TYPES && ADDRESS_TYPES.has(o.type)) || (o.type in SOLE_ADDRESS_TYPES && ADDRESS_TYPES.has(cand.type))) {
      // The redirect service or the pull zone's edges supply the addresses: nothing else may (and one per name).
      const sole = cand.type in SOLE_ADDRESS_TYPES ? cand.type : o.type;
      const what = o.type === 'REDIRECT' ? "a Redirect, whose addresses are the redirect service's" : o.type === 'PULLZONE' ? "a PullZone, whose addresses are the pull zone's edges" : `${o.type} records`;
      errors.push(fieldError(`${at}/type`, 'conflict', `${cand.name} already has ${what}; ${SOLE_ADDRESS_TYPES[sole]} stands alone among A/AAAA/ALIAS/Redirect/PullZone records.`));
    } else if (o.type === 'ALIAS' && (cand.type === 'A' || cand.type === 'AAAA')) {
      errors.push(fieldError(`${at}/type`, 'conflict', `${cand.name} has an ALIAS record, which supplies its addresses; remove it before adding ${cand.type} records.`));
    }
    if (errors.length > 0) break;
  }
  return errors;
}

/** After the whole change: a DS needs NS records at the same name (a delegation). */
export function checkDelegation(name: string, records: RuleRecord[], at: string): FieldError[] {
  const hasDs = records.some((r) => r.type === 'DS');
  const hasNs = records.some((r) => r.type === 'NS');
  if (hasDs && !hasNs) {
    return [fieldError(at, 'conflict', `A DS record at ${name} needs NS records at the same name (a delegation); add the NS records first or remove the DS.`)];
  }
  return [];
}

/** Codes that make a change a 409 conflict rather than a 400 invalid request. */
export const CONFLICT_CODES: ReadonlySet<string> = new Set(['duplicate', 'conflict']);
