// Client frames for host objects (RFC 5732 §3): the name servers, with glue addresses, that domains point at.
import { EppInputError } from './errors.js';
import {
  checkName, checkNames, commandFrame, ipVersionOf, leaf, objectVerb, statusElement,
  type StatusInput, type XMLBuilder,
} from './command-builder.js';
import { HOST_NS } from './namespaces.js';

/** RFC 5732 §2.3: the statuses a client may set or clear on a host. */
export type HostClientStatus = 'clientDeleteProhibited' | 'clientUpdateProhibited';
export type HostStatusInput = HostClientStatus | StatusInput<HostClientStatus>;

export interface HostCheckInput {
  names: string[];
  clTRID: string;
}

export interface HostNameInput {
  name: string;
  clTRID: string;
}

export interface HostCreateInput {
  name: string;
  /** Glue addresses; `ip="v4"`/`"v6"` is derived from each. Servers refuse them outside their zones (RFC 5732 §3.2.1). */
  addrs?: string[];
  clTRID: string;
}

export interface HostAddRemInput {
  addrs?: string[];
  statuses?: HostStatusInput[];
}

export interface HostUpdateInput {
  name: string;
  add?: HostAddRemInput;
  rem?: HostAddRemInput;
  /** Rename the host (<host:chg><host:name>). */
  chg?: { name: string };
  clTRID: string;
}

const H = HOST_NS;

function hostVerb(command: XMLBuilder, verb: string): XMLBuilder {
  return objectVerb(command, verb, H, 'host');
}

/** Addresses are written as given (RFC 5732 §2.5 allows any textual form); only their validity is checked here. */
function addrElements(parent: XMLBuilder, field: string, addrs: readonly string[]): void {
  addrs.forEach((address, i) => leaf(parent, H, 'host:addr', address, { ip: ipVersionOf(`${field}[${i}]`, address) }));
}

function checkAddrs(field: string, addrs: readonly string[] | undefined): void {
  (addrs ?? []).forEach((address, i) => ipVersionOf(`${field}[${i}]`, address));
}

/** RFC 5732 §3.1.1. */
export function hostCheckCommand({ names, clTRID }: HostCheckInput): string {
  checkNames('names', names, 1);
  return commandFrame({
    clTRID,
    verb: (command) => {
      const check = hostVerb(command, 'check');
      for (const name of names) leaf(check, H, 'host:name', name);
    },
  });
}

/** RFC 5732 §3.1.2. */
export function hostInfoCommand({ name, clTRID }: HostNameInput): string {
  checkName('name', name);
  return commandFrame({ clTRID, verb: (command) => leaf(hostVerb(command, 'info'), H, 'host:name', name) });
}

/** RFC 5732 §3.2.1: name, then addr*. */
export function hostCreateCommand({ name, addrs = [], clTRID }: HostCreateInput): string {
  checkName('name', name);
  checkAddrs('addrs', addrs);
  return commandFrame({
    clTRID,
    verb: (command) => {
      const create = hostVerb(command, 'create');
      leaf(create, H, 'host:name', name);
      addrElements(create, 'addrs', addrs);
    },
  });
}

/** RFC 5732 §3.2.2: refused by the server (2305) while a domain still uses the host. */
export function hostDeleteCommand({ name, clTRID }: HostNameInput): string {
  checkName('name', name);
  return commandFrame({ clTRID, verb: (command) => leaf(hostVerb(command, 'delete'), H, 'host:name', name) });
}

function hasAddRem(part: HostAddRemInput | undefined): part is HostAddRemInput {
  return !!part && ((part.addrs?.length ?? 0) + (part.statuses?.length ?? 0)) > 0;
}

function checkAddRem(field: string, part: HostAddRemInput | undefined): void {
  checkAddrs(`${field}.addrs`, part?.addrs);
  (part?.statuses ?? []).forEach((status, i) => {
    const s = typeof status === 'string' ? status : status.s;
    if (s !== 'clientDeleteProhibited' && s !== 'clientUpdateProhibited') {
      throw new EppInputError(`${field}.statuses[${i}]`, 'must be clientDeleteProhibited or clientUpdateProhibited (RFC 5732 §2.3)');
    }
  });
}

/** <host:add> or <host:rem> in schema order: addr*, status*. */
function addRemElement(parent: XMLBuilder, field: 'add' | 'rem', part: HostAddRemInput): void {
  const el = parent.ele(H, `host:${field}`);
  addrElements(el, `${field}.addrs`, part.addrs ?? []);
  for (const status of part.statuses ?? []) statusElement(el, H, 'host:status', status);
}

/** RFC 5732 §3.2.5: name, add, rem, chg — at least one change. */
export function hostUpdateCommand({ name, add, rem, chg, clTRID }: HostUpdateInput): string {
  checkName('name', name);
  checkAddRem('add', add);
  checkAddRem('rem', rem);
  if (chg !== undefined) checkName('chg.name', chg.name);
  if (!hasAddRem(add) && !hasAddRem(rem) && chg === undefined) throw new EppInputError('update', 'changes nothing');
  return commandFrame({
    clTRID,
    verb: (command) => {
      const update = hostVerb(command, 'update');
      leaf(update, H, 'host:name', name);
      if (hasAddRem(add)) addRemElement(update, 'add', add);
      if (hasAddRem(rem)) addRemElement(update, 'rem', rem);
      if (chg !== undefined) leaf(update.ele(H, 'host:chg'), H, 'host:name', chg.name);
    },
  });
}
