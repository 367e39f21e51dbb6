// Parses server frames (RFC 5730 §2.4 greeting, §2.6 response) into typed plain objects; bad input → EppProtocolError.
import { EppProtocolError } from './errors.js';
import { EPP_NS, SECDNS_NS } from './namespaces.js';
import { parseIntegerText, parseResData, parseSecDnsInfData, type EppResData, type SecDnsInfData } from './object-responses.js';
import { childNamed, childrenNamed, deepText, parseXmlDocument, requireAttr, requireChild, type XmlElement } from './xml-tree.js';

export type * from './object-responses.js';

/** RFC 5730 §2.4: who the server is and which services it offers. */
export interface EppGreeting {
  kind: 'greeting';
  svID: string;
  svDate: string;
  versions: string[];
  langs: string[];
  objURIs: string[];
  extURIs: string[];
}

/** The element a server quotes to show what it objected to (<value>, RFC 5730 §2.6). */
export interface EppResultValue {
  /** Namespace and local name of the quoted element; both null when <value> holds only text. */
  ns: string | null;
  element: string | null;
  text: string;
}

/** <extValue>: a quoted value with the server's human-readable reason. */
export interface EppExtValue {
  value: EppResultValue;
  reason: string;
  reasonLang?: string;
}

export interface EppResult {
  code: number;
  message: string;
  /** Language of the message when the server states it. */
  lang?: string;
  values: EppResultValue[];
  extValues: EppExtValue[];
}

/** RFC 5730 §2.6 <msgQ>: messages waiting for the client's poll. */
export interface EppMessageQueue {
  count: number;
  id: string;
  qDate?: string;
  message?: string;
}

export interface EppResponse {
  kind: 'response';
  /** One or more (RFC 5730 §2.6: several only to report several errors); the first decides the outcome. */
  results: EppResult[];
  msgQ?: EppMessageQueue;
  /** The first child of <resData>: the object mappings define exactly one. */
  resData?: EppResData;
  /** RFC 5910 §5.1.2: DNSSEC data in <extension> of a domain info response. */
  secDns?: SecDnsInfData;
  trID: { clTRID?: string; svTRID: string };
}

export type EppServerMessage = EppGreeting | EppResponse;

function texts(parent: XmlElement, name: string): string[] {
  return childrenNamed(parent, EPP_NS, name).map((el) => el.text);
}

function parseGreeting(el: XmlElement): EppGreeting {
  const menu = requireChild(el, EPP_NS, 'svcMenu');
  const svcExtension = childNamed(menu, EPP_NS, 'svcExtension');
  return {
    kind: 'greeting',
    svID: requireChild(el, EPP_NS, 'svID').text,
    svDate: requireChild(el, EPP_NS, 'svDate').text,
    versions: texts(menu, 'version'),
    langs: texts(menu, 'lang'),
    objURIs: texts(menu, 'objURI'),
    extURIs: svcExtension ? texts(svcExtension, 'extURI') : [],
  };
}

function resultValue(value: XmlElement): EppResultValue {
  const quoted = value.children[0];
  if (!quoted) return { ns: null, element: null, text: value.text };
  return { ns: quoted.ns, element: quoted.name, text: deepText(quoted) };
}

/** RFC 5730 §2.6: result codes are four digits, 1xxx success and 2xxx failure. */
function resultCode(result: XmlElement): number {
  const raw = requireAttr(result, 'code');
  const code = raw.length === 4 ? parseIntegerText(raw, 'result code', 2999) : NaN;
  if (!(code >= 1000)) throw new EppProtocolError(`result code ${JSON.stringify(raw)} is not a 1xxx or 2xxx code`);
  return code;
}

function parseResult(result: XmlElement): EppResult {
  const msg = requireChild(result, EPP_NS, 'msg');
  const lang = msg.attrs.get('lang');
  const parsed: EppResult = {
    code: resultCode(result),
    message: msg.text,
    values: childrenNamed(result, EPP_NS, 'value').map(resultValue),
    extValues: childrenNamed(result, EPP_NS, 'extValue').map((ext) => {
      const reason = requireChild(ext, EPP_NS, 'reason');
      const reasonLang = reason.attrs.get('lang');
      const extValue: EppExtValue = { value: resultValue(requireChild(ext, EPP_NS, 'value')), reason: reason.text };
      if (reasonLang !== undefined) extValue.reasonLang = reasonLang;
      return extValue;
    }),
  };
  if (lang !== undefined) parsed.lang = lang;
  return parsed;
}

function parseMessageQueue(el: XmlElement): EppMessageQueue {
  const queue: EppMessageQueue = {
    count: parseIntegerText(requireAttr(el, 'count'), '<msgQ> count', Number.MAX_SAFE_INTEGER),
    id: requireAttr(el, 'id'),
  };
  const qDate = childNamed(el, EPP_NS, 'qDate');
  const msg = childNamed(el, EPP_NS, 'msg');
  if (qDate) queue.qDate = qDate.text;
  if (msg) queue.message = deepText(msg);
  return queue;
}

function parseResponse(el: XmlElement): EppResponse {
  const results = childrenNamed(el, EPP_NS, 'result');
  if (results.length === 0) throw new EppProtocolError('<response> has no <result>');
  const trID = requireChild(el, EPP_NS, 'trID');
  const clTRID = childNamed(trID, EPP_NS, 'clTRID')?.text;
  const response: EppResponse = {
    kind: 'response',
    results: results.map(parseResult),
    trID: clTRID === undefined
      ? { svTRID: requireChild(trID, EPP_NS, 'svTRID').text }
      : { clTRID, svTRID: requireChild(trID, EPP_NS, 'svTRID').text },
  };
  const msgQ = childNamed(el, EPP_NS, 'msgQ');
  if (msgQ) response.msgQ = parseMessageQueue(msgQ);
  const data = childNamed(el, EPP_NS, 'resData')?.children[0];
  if (data) response.resData = parseResData(data);
  const secDns = childNamed(el, EPP_NS, 'extension')?.children.find((c) => c.ns === SECDNS_NS && c.name === 'infData');
  if (secDns) response.secDns = parseSecDnsInfData(secDns);
  return response;
}

function toText(input: string | Uint8Array): string {
  // A byte order mark is not markup (XML 1.0 §4.3.3); TextDecoder drops it from bytes, so drop it from text too.
  if (typeof input === 'string') return input.startsWith('\uFEFF') ? input.slice(1) : input;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch (error) {
    throw new EppProtocolError('frame is not valid UTF-8 (RFC 5730 §2 requires it)', { cause: error });
  }
}

/**
 * Any frame a server sends: a greeting or a response. A frame payload (bytes) or its text; the
 * parser never expands entities beyond XML's five, and refuses DTDs.
 */
export function parseEppMessage(input: string | Uint8Array): EppServerMessage {
  const root = parseXmlDocument(toText(input));
  if (root.ns !== EPP_NS || root.name !== 'epp') {
    throw new EppProtocolError(`root element is <${root.name}> in ${root.ns ?? 'no namespace'}, not <epp> in ${EPP_NS}`);
  }
  const body = root.children;
  if (body.length !== 1 || body[0]!.ns !== EPP_NS) throw new EppProtocolError('<epp> must hold exactly one EPP element');
  const [element] = body as [XmlElement];
  if (element.name === 'greeting') return parseGreeting(element);
  if (element.name === 'response') return parseResponse(element);
  throw new EppProtocolError(`<epp> holds <${element.name}>, which a server does not send`);
}

/** The server's first frame, or its answer to <hello>. */
export function parseEppGreeting(input: string | Uint8Array): EppGreeting {
  const message = parseEppMessage(input);
  if (message.kind !== 'greeting') throw new EppProtocolError('expected a <greeting>, got a <response>');
  return message;
}

/** The server's answer to a command. */
export function parseEppResponse(input: string | Uint8Array): EppResponse {
  const message = parseEppMessage(input);
  if (message.kind !== 'response') throw new EppProtocolError('expected a <response>, got a <greeting>');
  return message;
}
