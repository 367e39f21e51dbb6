import { describe, expect, it } from 'vitest';
import { Zone } from '../../../../src/dns/zone/zone.js';
import { ZoneSet } from '../../../../src/dns/zone/zone-set.js';

const zone = (origin: string): Zone =>
  Zone.fromRRs(origin, [{ name: origin, type: 'SOA', ttl: 3600, rdata: 'ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300' }]);

describe('ZoneSet', () => {
  it('finds the longest matching origin, label-wise', () => {
    const set = new ZoneSet();
    set.set(zone('example.test'));
    set.set(zone('sub.example.test'));
    set.set(zone('example.org'));
    expect(set.find('example.test')?.origin).toBe('example.test');
    expect(set.find('www.example.test')?.origin).toBe('example.test');
    expect(set.find('sub.example.test')?.origin).toBe('sub.example.test');
    expect(set.find('a.b.sub.example.test')?.origin).toBe('sub.example.test');
    expect(set.find('xsub.example.test')?.origin).toBe('example.test');
    expect(set.find('notexample.test')).toBeUndefined();
    expect(set.find('test')).toBeUndefined();
    expect(set.find('')).toBeUndefined();
    expect(set.find('www.example.org')?.origin).toBe('example.org');
  });

  it('a root zone catches everything else', () => {
    const set = new ZoneSet();
    set.set(zone(''));
    set.set(zone('example.test'));
    expect(set.find('www.example.test')?.origin).toBe('example.test');
    expect(set.find('www.example.org')?.origin).toBe('');
    expect(set.find('')?.origin).toBe('');
  });

  it('bumps the generation on set, delete and touched', () => {
    const set = new ZoneSet();
    const g0 = set.generation;
    set.set(zone('example.test'));
    expect(set.generation).toBeGreaterThan(g0);
    const g1 = set.generation;
    set.touched();
    expect(set.generation).toBeGreaterThan(g1);
    const g2 = set.generation;
    expect(set.delete('example.test')).toBe(true);
    expect(set.generation).toBeGreaterThan(g2);
    expect(set.size).toBe(0);
    expect(set.find('www.example.test')).toBeUndefined();
  });

  it('replaces a zone and lists origins', () => {
    const set = new ZoneSet();
    const a = zone('example.test');
    const b = zone('example.test');
    set.set(a);
    set.set(b);
    set.set(zone('a.b.c.example.org'));
    expect(set.get('example.test')).toBe(b);
    expect(set.size).toBe(2);
    expect([...set.origins()].sort()).toEqual(['a.b.c.example.org', 'example.test']);
    set.delete('a.b.c.example.org');
    expect(set.find('x.a.b.c.example.org')).toBeUndefined();
    expect(set.find('www.example.test')).toBe(b);
  });
});
