// Canonical RRsets for DNSSEC (RFC 4034 3.1.8.1, 6.2, 6.3).
import { describe, expect, it } from 'vitest';
import { canonicalRdataSet, canonicalRRsetWire } from '../../../../src/dns/wire/canonical.js';
import { CLASS, TYPE } from '../../../../src/dns/wire/constants.js';
import { nameToWire } from '../../../../src/dns/wire/name.js';
import { rdataFromText, rdataToText } from '../../../../src/dns/wire/rdata.js';

describe('canonical RRsets', () => {
  it('canonicalizes, sorts and deduplicates RDATA', () => {
    const rdatas = ['20 B.example.', '10 b.example.', '10 A.EXAMPLE.', '10 B.Example.'].map((t) => rdataFromText(TYPE.MX, t));
    expect(canonicalRdataSet(TYPE.MX, rdatas).map((r) => rdataToText(TYPE.MX, r))).toEqual(['10 a.example.', '10 b.example.', '20 b.example.']);
    // Sorting is by octets, not by text: 192.0.2.10 comes after 192.0.2.9.
    const a = ['192.0.2.10', '192.0.2.9', '192.0.2.9'].map((t) => rdataFromText(TYPE.A, t));
    expect(canonicalRdataSet(TYPE.A, a).map((r) => rdataToText(TYPE.A, r))).toEqual(['192.0.2.9', '192.0.2.10']);
    // NSEC keeps the case of its next name (RFC 6840 5.1), so these differ.
    const nsec = ['A.example. A', 'a.example. A'].map((t) => rdataFromText(TYPE.NSEC, t));
    expect(canonicalRdataSet(TYPE.NSEC, nsec)).toHaveLength(2);
  });

  it('writes owner, type, class, TTL, RDLENGTH and RDATA per record', () => {
    const wire = canonicalRRsetWire(nameToWire('WWW.Example.test'), TYPE.A, CLASS.IN, 3600, [rdataFromText(TYPE.A, '192.0.2.2'), rdataFromText(TYPE.A, '192.0.2.1')]);
    const owner = [...nameToWire('www.example.test')];
    const rr = (last: number): number[] => [...owner, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, last];
    expect([...wire]).toEqual([...rr(1), ...rr(2)]);
  });
});
