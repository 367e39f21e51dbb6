// Wire names: presentation text ↔ wire, the store's canonical keys, case handling, limits, order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareNames as compareTextNames, formatName, parseName } from '../../../../src/core/names.js';
import { WireError } from '../../../../src/dns/wire/errors.js';
import {
  absoluteName,
  checkWireName,
  compareNames,
  isSubdomain,
  isWildcard,
  labelCount,
  lowerName,
  nameEquals,
  nameKey,
  nameToWire,
  parentName,
  prependLabel,
  ROOT_NAME,
  wireToName,
} from '../../../../src/dns/wire/name.js';

const bytes = (...parts: (number | string)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...Buffer.from(p, 'latin1')])));

describe('nameToWire', () => {
  it.each([
    ['www.example.test', bytes(3, 'www', 7, 'example', 4, 'test', 0)],
    ['www.example.test.', bytes(3, 'www', 7, 'example', 4, 'test', 0)],
    ['WwW.Example.TEST', bytes(3, 'WwW', 7, 'Example', 4, 'TEST', 0)],
    ['', bytes(0)],
    ['.', bytes(0)],
    ['a\\.b.example.test', bytes(3, 'a.b', 7, 'example', 4, 'test', 0)],
    ['a\\046b.example.test', bytes(3, 'a.b', 7, 'example', 4, 'test', 0)],
    ['weird\\032name.example.org.', bytes(10, 'weird name', 7, 'example', 3, 'org', 0)],
    ['\\000\\255.test', bytes(2, 0, 255, 4, 'test', 0)],
    ['a\\\\b.test', bytes(3, 'a\\b', 4, 'test', 0)],
    ['*.example.test', bytes(1, '*', 7, 'example', 4, 'test', 0)],
    ['test\\.', bytes(5, 'test.', 0)],
  ])('%j', (text, wire) => {
    expect(nameToWire(text)).toEqual(wire);
  });

  it('accepts a 63-octet label and a 255-octet name', () => {
    const l63 = 'a'.repeat(63);
    expect(nameToWire(`${l63}.test`).length).toBe(63 + 1 + 5 + 1);
    // 4 labels of 63 (256 octets with lengths) is too long; 3 x 63 + one of 61 = 255 exactly.
    const max = `${l63}.${l63}.${l63}.${'b'.repeat(61)}`;
    expect(nameToWire(max).length).toBe(255);
    expect(nameToWire(`${max}.`).length).toBe(255);
  });

  it.each([
    ['a 64-octet label', `${'a'.repeat(64)}.test`, /longer than 63/],
    ['a 256-octet name', `${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(63)}.${'b'.repeat(62)}`, /longer than 255/],
    ['a 256-octet name with a trailing dot', `${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(63)}.${'b'.repeat(62)}.`, /longer than 255/],
    ['an empty label', 'a..test', /empty label/],
    ['a leading dot', '.test', /empty label/],
    ['two trailing dots', 'test..', /empty label/],
    ['a lone backslash', 'test\\', /lone backslash/],
    ['a short \\DDD', 'a\\12', /three digits/],
    ['a \\DDD above 255', 'a\\256', /above 255/],
    ['a space', 'a b.test', /printable ASCII/],
    ['non-ASCII', 'bücher.test', /printable ASCII/],
  ])('refuses %s', (_what, text, re) => {
    expect(() => nameToWire(text)).toThrow(WireError);
    expect(() => nameToWire(text)).toThrow(re);
  });

  it('escaped octets count as one octet each toward the limits', () => {
    expect(nameToWire(`${'\\065'.repeat(63)}.test`)[0]).toBe(63);
    expect(() => nameToWire(`${'\\065'.repeat(64)}.test`)).toThrow(/longer than 63/);
  });
});

describe('wireToName, absoluteName, nameKey', () => {
  it('keeps case in presentation and lowercases keys', () => {
    const w = nameToWire('WWW.Example.Test');
    expect(wireToName(w)).toBe('WWW.Example.Test');
    expect(absoluteName(w)).toBe('WWW.Example.Test.');
    expect(nameKey(w)).toBe('www.example.test');
  });

  it('writes the root as "." (presentation) and "" (key)', () => {
    expect(wireToName(ROOT_NAME)).toBe('.');
    expect(absoluteName(ROOT_NAME)).toBe('.');
    expect(nameKey(ROOT_NAME)).toBe('');
  });

  it('escapes like the store (core/names.ts formatLabel)', () => {
    const w = bytes(8, 'a.b c"D\\', 2, 0, 0x7f, 4, '@$!/', 4, 'test', 0);
    expect(nameKey(w)).toBe('a\\046b\\032c\\034d\\092.\\000\\127.\\064\\036\\!\\/.test');
    expect(wireToName(w)).toBe('a\\046b\\032c\\034D\\092.\\000\\127.\\064\\036\\!\\/.test');
    expect(nameToWire(wireToName(w))).toEqual(w);
    expect(nameToWire(nameKey(w))).toEqual(lowerName(w));
  });

  it('nameKey equals the store canonical name for the same text', () => {
    for (const text of ['www.example.test', 'WWW.Example.ORG', '_sip._tcp.example.org', '*.wild.example.org', 'john\\.doe.example.org', 'a\\!b.example.org', 'weird\\ name.example.org']) {
      const store = parseName(text, 'any');
      expect(store.ok).toBe(true);
      if (store.ok) expect(nameKey(nameToWire(text))).toBe(store.name);
    }
  });

  it('nameKey agrees with core formatName for random labels (property)', () => {
    const label = fc.uint8Array({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 8 }), (labels) => {
        const text = formatName(labels);
        const wire = nameToWire(text);
        expect(nameKey(wire)).toBe(text);
        expect(nameToWire(wireToName(wire))).toEqual(wire);
        expect(labelCount(wire)).toBe(labels.length);
      }),
    );
  });

  it('random wire names survive text and back, case included (property)', () => {
    const label = fc.uint8Array({ minLength: 1, maxLength: 63 });
    fc.assert(
      fc.property(fc.array(label, { minLength: 0, maxLength: 6 }), (labels) => {
        const size = labels.reduce((n, l) => n + l.length + 1, 1);
        fc.pre(size <= 255);
        const wire = Uint8Array.from([...labels.flatMap((l) => [l.length, ...l]), 0]);
        expect(checkWireName(wire)).toBe(wire.length);
        expect(nameToWire(wireToName(wire))).toEqual(wire);
        expect(nameToWire(absoluteName(wire))).toEqual(wire);
      }),
    );
  });

  it('refuses malformed wire', () => {
    expect(() => wireToName(bytes(3, 'ab'))).toThrow(WireError);
    expect(() => wireToName(bytes(1, 'a'))).toThrow(WireError);
    expect(() => nameKey(bytes(0xc0, 0))).toThrow(WireError);
  });
});

describe('helpers', () => {
  const www = nameToWire('www.Example.test');
  const zone = nameToWire('example.TEST');

  it('lowerName lowercases only ASCII letters and keeps the input', () => {
    const w = bytes(4, 'AbZ\xc4', 4, 'TEST', 0);
    expect(lowerName(w)).toEqual(bytes(4, 'abz\xc4', 4, 'test', 0));
    expect(w).toEqual(bytes(4, 'AbZ\xc4', 4, 'TEST', 0));
  });

  it('labelCount, parentName, firstLabel-based helpers', () => {
    expect(labelCount(www)).toBe(3);
    expect(labelCount(ROOT_NAME)).toBe(0);
    expect(parentName(www)).toEqual(nameToWire('Example.test'));
    expect(parentName(ROOT_NAME)).toBeNull();
    expect(isWildcard(nameToWire('*.example.test'))).toBe(true);
    expect(isWildcard(nameToWire('\\*a.example.test'))).toBe(false);
    expect(prependLabel(Buffer.from('*'), zone)).toEqual(nameToWire('*.example.TEST'));
    expect(() => prependLabel(new Uint8Array(64), zone)).toThrow(WireError);
  });

  it('nameEquals and isSubdomain ignore case and respect label boundaries', () => {
    expect(nameEquals(www, nameToWire('WWW.EXAMPLE.TEST'))).toBe(true);
    expect(nameEquals(www, nameToWire('ww.example.test'))).toBe(false);
    expect(isSubdomain(www, zone)).toBe(true);
    expect(isSubdomain(zone, zone)).toBe(true);
    expect(isSubdomain(www, ROOT_NAME)).toBe(true);
    expect(isSubdomain(zone, www)).toBe(false);
    expect(isSubdomain(nameToWire('wwwexample.test'), nameToWire('example.test'))).toBe(false);
    // The bytes of "xample.test" appear at the end, but not at a label boundary.
    expect(isSubdomain(nameToWire('a.e.xample.test'), nameToWire('xample.test'))).toBe(true);
    expect(isSubdomain(nameToWire('aexample.test'), nameToWire('xample.test'))).toBe(false);
  });

  it('compareNames follows RFC 4034 6.1 (the example of section 6.1)', () => {
    const ordered = ['example', 'a.example', 'yljkjljk.a.example', 'Z.a.example', 'zABC.a.EXAMPLE', 'z.example', '\\001.z.example', '*.z.example', '\\200.z.example'];
    const wires = ordered.map(nameToWire);
    const shuffled = [...wires].reverse().sort(compareNames);
    expect(shuffled.map(wireToName)).toEqual(ordered);
  });

  it('compareNames agrees with core compareNames (property)', () => {
    const label = fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => b.map((x) => 0x41 + (x % 8)));
    const name = fc.array(label, { minLength: 0, maxLength: 4 });
    fc.assert(
      fc.property(name, name, (a, b) => {
        const wa = Uint8Array.from([...a.flatMap((l) => [l.length, ...l]), 0]);
        const wb = Uint8Array.from([...b.flatMap((l) => [l.length, ...l]), 0]);
        expect(Math.sign(compareNames(wa, wb))).toBe(Math.sign(compareTextNames(formatName(a), formatName(b))));
      }),
    );
  });

  it('checkWireName refuses pointers, overlong names and trailing bytes', () => {
    expect(() => checkWireName(bytes(1, 'a', 0xc0, 12))).toThrow(WireError);
    expect(() => checkWireName(bytes(1, 'a', 0, 0))).toThrow(/after the end/);
    expect(() => checkWireName(Uint8Array.from([...Array(128).fill(0).flatMap(() => [1, 0x61]), 0]))).toThrow(/longer than 255/);
  });
});
