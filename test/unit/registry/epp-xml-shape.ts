// Reads a built frame back with fast-xml-parser (independent of the codec's own reader) into a comparable element tree.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** An element as written: qualified name, attributes (namespace declarations included), text, children in order. */
export interface Shape {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Shape[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
});

type Node = Record<string, unknown>;

function toShape(node: Node): Shape {
  const name = Object.keys(node).find((k) => k !== ':@')!;
  const shape: Shape = { name, attrs: { ...((node[':@'] ?? {}) as Record<string, string>) }, text: '', children: [] };
  for (const child of node[name] as Node[]) {
    if ('#text' in child) shape.text += String(child['#text']);
    else shape.children.push(toShape(child));
  }
  return shape;
}

/** The root element of a frame; fails the test if the XML is not well formed or has several roots. */
export function shapeOf(xml: string): Shape {
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) throw new Error(`not well formed: ${verdict.err.msg}`);
  const nodes = parser.parse(xml) as Node[];
  if (nodes.length !== 1) throw new Error(`expected one root element, got ${nodes.length}`);
  return toShape(nodes[0]!);
}

/** An expected element: `el('domain:name', 'example.test')`, `el('domain:ns', [el(...)])`, attributes last. */
export function el(name: string, content: string | Shape[] = [], attrs: Record<string, string> = {}): Shape {
  return typeof content === 'string'
    ? { name, attrs, text: content, children: [] }
    : { name, attrs, text: '', children: content };
}

export const EPP = 'urn:ietf:params:xml:ns:epp-1.0';
export const DOMAIN = 'urn:ietf:params:xml:ns:domain-1.0';
export const HOST = 'urn:ietf:params:xml:ns:host-1.0';
export const SECDNS = 'urn:ietf:params:xml:ns:secDNS-1.1';

/** `<epp xmlns=...><command>VERB [extension] <clTRID>` as in every RFC command example. */
export function command(verb: Shape, clTRID: string, extension?: Shape[]): Shape {
  const children = [verb];
  if (extension) children.push(el('extension', extension));
  children.push(el('clTRID', clTRID));
  return el('epp', [el('command', children)], { xmlns: EPP });
}
