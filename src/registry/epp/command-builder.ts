// The shared parts of every client frame: the <epp><command> envelope, serialization, schema checks on inputs.
import { isIPv4, isIPv6 } from 'node:net';
import { create } from 'xmlbuilder2';
import { EppInputError } from './errors.js';
import { EPP_NS } from './namespaces.js';

/** An element under construction (xmlbuilder2's builder interface). */
export type XMLBuilder = ReturnType<typeof create>;

/** Appends `<qname>text</qname>` in namespace `ns`; the builder escapes the text. */
export function leaf(parent: XMLBuilder, ns: string, qname: string, text: string, attrs?: Record<string, string>): XMLBuilder {
  return parent.ele(ns, qname, attrs).txt(text);
}

/** The document every client frame starts with (RFC 5730 §2 examples: UTF-8, standalone="no"). */
function eppRoot(): { doc: XMLBuilder; epp: XMLBuilder } {
  const doc = create({ version: '1.0', encoding: 'UTF-8', standalone: false });
  return { doc, epp: doc.ele(EPP_NS, 'epp') };
}

function serialize(doc: XMLBuilder): string {
  try {
    return doc.end({ prettyPrint: false, wellFormed: true });
  } catch (error) {
    // wellFormed rejects characters XML cannot carry (e.g. U+0000) in any text we were given.
    throw new EppInputError('command', `cannot be serialized as XML: ${(error as Error).message}`);
  }
}

/** `<epp><hello/></epp>` and the like: a frame outside <command>. */
export function eppFrame(build: (epp: XMLBuilder) => void): string {
  const { doc, epp } = eppRoot();
  build(epp);
  return serialize(doc);
}

export interface CommandParts {
  /** Adds the verb element (<login>, <check>, ...) to <command>. */
  verb: (command: XMLBuilder) => void;
  /** Adds children to <extension>; omitted when absent. */
  extension?: ((extension: XMLBuilder) => void) | undefined;
  clTRID: string;
}

/** RFC 5730 §2.5: <command> holds the verb, an optional <extension>, then <clTRID>, in that order. */
export function commandFrame({ verb, extension, clTRID }: CommandParts): string {
  checkToken('clTRID', clTRID, 3, 64); // RFC 5730 §4 trIDStringType
  return eppFrame((epp) => {
    const command = epp.ele(EPP_NS, 'command');
    verb(command);
    if (extension) extension(command.ele(EPP_NS, 'extension'));
    leaf(command, EPP_NS, 'clTRID', clTRID);
  });
}

/** `<VERB><prefix:VERB xmlns:prefix="ns">`: the EPP verb wrapping the object mapping's element (RFC 5730 §2.9). */
export function objectVerb(command: XMLBuilder, verb: string, ns: string, prefix: string): XMLBuilder {
  return command.ele(EPP_NS, verb).ele(ns, `${prefix}:${verb}`);
}

/**
 * XML Schema `token` with length bounds: no leading, trailing or doubled spaces, no tabs or line
 * breaks, since the server would collapse them and then act on a different value than we logged.
 */
export function checkToken(field: string, value: string, min: number, max: number): void {
  if (typeof value !== 'string') throw new EppInputError(field, 'must be a string');
  if (value.length < min || value.length > max) {
    throw new EppInputError(field, `must be ${min} to ${max} characters long, got ${value.length}`);
  }
  if (value.trim() !== value || value.includes('  ') || /[\t\n\r]/.test(value)) {
    throw new EppInputError(field, 'must be an XML Schema token (no leading, trailing, doubled spaces or line breaks)');
  }
}

/** eppcom:labelType (RFC 5730 §4): object names, 1 to 255 characters. */
export function checkName(field: string, value: string): void {
  checkToken(field, value, 1, 255);
}

export function checkNames(field: string, values: readonly string[], min = 0): void {
  if (!Array.isArray(values) || values.length < min) throw new EppInputError(field, `needs at least ${min} name(s)`);
  values.forEach((v, i) => checkName(`${field}[${i}]`, v));
}

export function checkInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EppInputError(field, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/** Both host mappings carry addresses with the version written out (RFC 5732 §2.5: ip="v4" | "v6"). */
export function ipVersionOf(field: string, address: string): 'v4' | 'v6' {
  if (isIPv4(address)) return 'v4';
  if (isIPv6(address)) return 'v6';
  throw new EppInputError(field, `is not an IPv4 or IPv6 address: ${JSON.stringify(address)}`);
}

/** A status element: `s` names the status, the optional text says why (RFC 5731 §2.3, RFC 5732 §2.3). */
export interface StatusInput<S extends string> {
  s: S;
  message?: string;
  /** Language of the message (RFC 5646 tag); the server assumes "en" when absent. */
  lang?: string;
}

export function statusElement<S extends string>(parent: XMLBuilder, ns: string, qname: string, status: S | StatusInput<S>): void {
  const { s, message, lang } = typeof status === 'string' ? { s: status, message: undefined, lang: undefined } : status;
  const attrs: Record<string, string> = { s };
  if (lang !== undefined && message !== undefined) attrs.lang = lang;
  const el = parent.ele(ns, qname, attrs);
  if (message !== undefined) el.txt(message);
}
