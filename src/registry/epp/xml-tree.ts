// Reads one EPP frame's XML safely (no DTDs, no custom entities) into a namespace-resolved element tree.
import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { EppProtocolError } from './errors.js';

/** An element with its namespace resolved: EPP peers may pick any prefix (RFC 5730 §2 uses XML namespaces). */
export interface XmlElement {
  /** Namespace URI, or null for an element in no namespace. */
  readonly ns: string | null;
  /** Local name, prefix removed. */
  readonly name: string;
  /** Attributes other than namespace declarations, by name as written (EPP's own are unprefixed). */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (CDATA included), leading and trailing whitespace trimmed. */
  readonly text: string;
}

/** XML 1.0 §4.6: the only entities a document without a DTD may reference. */
const PREDEFINED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** XML 1.0 §2.2 Char: code points a character reference may name. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function resolveReference(token: string): string {
  if (token.startsWith('#')) {
    const hex = token.startsWith('#x');
    const digits = token.slice(hex ? 2 : 1);
    const radix = hex ? 16 : 10;
    const valid = digits.length > 0 && digits.length <= 8 && [...digits].every((d) => !Number.isNaN(Number.parseInt(d, radix)));
    const cp = valid ? Number.parseInt(digits, radix) : NaN;
    if (!isXmlChar(cp)) throw new Error(`invalid character reference &${token};`);
    return String.fromCodePoint(cp);
  }
  const value = PREDEFINED_ENTITIES.get(token);
  if (value === undefined) throw new Error(`reference to undeclared entity &${token};`);
  return value;
}

/** Character and predefined-entity references (XML 1.0 §4.1); anything else is not well formed here. */
function decodeReferences(text: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const semi = text.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) throw new Error('bare "&" in character data');
    out += text.slice(from, amp) + resolveReference(text.slice(amp + 1, semi));
    from = semi + 1;
    amp = text.indexOf('&', from);
  }
  return out + text.slice(from);
}

/**
 * The parser's entity hook. The parser hands it a DTD's entities after reading a DOCTYPE; any DTD is
 * refused (a second line of defence behind `refuseMarkupDeclarations`), so no entity can expand.
 */
const strictEntityDecoder: EntityDecoderOptions = {
  setExternalEntities: () => {},
  addInputEntities: () => {
    throw new Error('document type declarations are not accepted');
  },
  reset: () => {},
  decode: decodeReferences,
  setXmlVersion: () => {},
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false, // trimmed per element below, so text around CDATA keeps its spaces
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  entityDecoder: strictEntityDecoder,
  maxNestedTags: 64,
});

/**
 * XML 1.0 §2.8: outside comments and CDATA sections, `<!` only starts a DOCTYPE (and the entity
 * declarations inside it). EPP needs no DTD (RFC 5730 §2 uses XML Schema), and a DTD's entities are
 * the "billion laughs" and external-entity attacks, so any such markup refuses the document.
 */
function refuseMarkupDeclarations(xml: string): void {
  for (let at = xml.indexOf('<!'); at !== -1; at = xml.indexOf('<!', at + 2)) {
    if (xml.startsWith('<!--', at)) {
      at = xml.indexOf('-->', at + 4);
    } else if (xml.startsWith('<![CDATA[', at)) {
      at = xml.indexOf(']]>', at + 9);
    } else {
      throw new EppProtocolError('XML with a document type or entity declaration is refused');
    }
    if (at === -1) return; // unterminated: the validator reports it
  }
}

type OrderedNode = Record<string, unknown>;
type Scope = ReadonlyMap<string, string | null>;

const TEXT_KEY = '#text';
const ATTRS_KEY = ':@';

function qualifiedName(node: OrderedNode): string {
  const keys = Object.keys(node).filter((k) => k !== ATTRS_KEY);
  if (keys.length !== 1) throw new EppProtocolError('unexpected parser output');
  return keys[0]!;
}

/** Namespaces in Scope (XML Namespaces §6): declarations on an element apply to it and its descendants. */
function scopeOf(rawAttrs: Record<string, unknown>, parent: Scope): [Scope, Map<string, string>] {
  let scope: Map<string, string | null> | null = null;
  const attrs = new Map<string, string>();
  for (const [name, value] of Object.entries(rawAttrs)) {
    const text = String(value);
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      scope ??= new Map(parent);
      scope.set(name === 'xmlns' ? '' : name.slice(6), text === '' ? null : text);
    } else {
      attrs.set(name, text);
    }
  }
  return [scope ?? parent, attrs];
}

function toElement(node: OrderedNode, parentScope: Scope): XmlElement {
  const qname = qualifiedName(node);
  const rawAttrs = (node[ATTRS_KEY] ?? {}) as Record<string, unknown>;
  const [scope, attrs] = scopeOf(rawAttrs, parentScope);
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? '' : qname.slice(0, colon);
  const ns = scope.get(prefix) ?? null;
  if (prefix !== '' && ns === null) throw new EppProtocolError(`element <${qname}> uses an undeclared namespace prefix`);
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[qname] ?? []) as OrderedNode[]) {
    if (Object.hasOwn(child, TEXT_KEY)) text += String(child[TEXT_KEY]);
    else children.push(toElement(child, scope));
  }
  return { ns, name: colon === -1 ? qname : qname.slice(colon + 1), attrs, children, text: text.trim() };
}

/** Parses a whole document into its root element; anything not well-formed XML throws EppProtocolError. */
export function parseXmlDocument(xml: string): XmlElement {
  refuseMarkupDeclarations(xml);
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) throw new EppProtocolError(`XML is not well formed: ${verdict.err.msg} (line ${verdict.err.line})`);
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(xml) as OrderedNode[];
  } catch (error) {
    throw new EppProtocolError(`XML is not well formed: ${(error as Error).message}`, { cause: error });
  }
  const roots = nodes.filter((n) => !Object.hasOwn(n, TEXT_KEY));
  if (roots.length !== 1 || roots.length !== nodes.length) throw new EppProtocolError('XML must have exactly one root element');
  return toElement(roots[0]!, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
}

/** Child elements with this namespace and local name, in document order. */
export function childrenNamed(parent: XmlElement, ns: string, name: string): XmlElement[] {
  return parent.children.filter((c) => c.ns === ns && c.name === name);
}

/** The first child element with this namespace and local name, if any. */
export function childNamed(parent: XmlElement, ns: string, name: string): XmlElement | undefined {
  return parent.children.find((c) => c.ns === ns && c.name === name);
}

/** Like childNamed, for an element the schema requires: its absence is a protocol error. */
export function requireChild(parent: XmlElement, ns: string, name: string): XmlElement {
  const child = childNamed(parent, ns, name);
  if (!child) throw new EppProtocolError(`<${parent.name}> lacks the required <${name}>`);
  return child;
}

/** An attribute the schema requires. */
export function requireAttr(element: XmlElement, name: string): string {
  const value = element.attrs.get(name);
  if (value === undefined) throw new EppProtocolError(`<${element.name}> lacks the required attribute ${name}`);
  return value;
}

/** All character data of an element and its descendants, in document order (for free-form <value> content). */
export function deepText(element: XmlElement): string {
  return [element.text, ...element.children.map(deepText)].filter((t) => t !== '').join(' ');
}
