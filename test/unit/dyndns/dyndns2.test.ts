// The DynDNS request parser and reply lines: which token, host names and addresses a request
// carries (every parameter form real clients send), and the lines they read back.
import { describe, expect, it } from 'vitest';
import { basicPassword, parseUpdateAddress, parseUpdateRequest, replyLine } from '../../../src/core/dyndns/dyndns2.js';

const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

describe('parseUpdateRequest', () => {
  it.each([
    // [query, client address, v4, v6, fromClient]
    [{ hostname: 'h.example.test', myip: '192.0.2.1' }, '127.0.0.1', '192.0.2.1', null, false],
    [{ hostname: 'h.example.test', myip: '192.0.2.1,2001:DB8::1' }, '127.0.0.1', '192.0.2.1', '2001:db8::1', false],
    [{ hostname: 'h.example.test', myip: '2001:db8:0:0:0:0:0:2 , 192.0.2.2' }, '127.0.0.1', '192.0.2.2', '2001:db8::2', false],
    [{ hostname: 'h.example.test', myip: ['192.0.2.3', '192.0.2.4'] }, '127.0.0.1', '192.0.2.3', null, false],
    [{ hostname: 'h.example.test', myipv6: '2001:db8::3' }, '127.0.0.1', null, '2001:db8::3', false],
    [{ hostname: 'h.example.test', ipv6: '2001:db8::4' }, '127.0.0.1', null, '2001:db8::4', false],
    [{ hostname: 'h.example.test', myipv4: '192.0.2.5', myip: '192.0.2.6,2001:db8::6' }, '127.0.0.1', '192.0.2.5', '2001:db8::6', false],
    [{ hostname: 'h.example.test', ip: '198.51.100.1' }, '127.0.0.1', '198.51.100.1', null, false],
    [{ hostname: 'h.example.test', myip: '::ffff:192.0.2.9' }, '127.0.0.1', '192.0.2.9', null, false],
    [{ hostname: 'h.example.test' }, '203.0.113.9', '203.0.113.9', null, true],
    [{ hostname: 'h.example.test', myip: '' }, '::ffff:203.0.113.8', '203.0.113.8', null, true],
    [{ hostname: 'h.example.test' }, '2001:db8::99', null, '2001:db8::99', true],
  ])('%j from %s → v4 %s, v6 %s', (q, client, v4, v6, fromClient) => {
    const r = parseUpdateRequest(q, undefined, client);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.request).toMatchObject({ v4, v6, fromClient, hostnames: ['h.example.test'] });
  });

  it.each([
    [{ myip: '192.0.2.256' }, /^myip: "192.0.2.256" is not an IPv4 or IPv6 address$/],
    [{ myip: '192.0.2.01' }, /not an IPv4 or IPv6/],
    [{ myip: '0.0.0.0' }, /unspecified/],
    [{ myip: '239.1.2.3' }, /multicast/],
    [{ myip: '255.255.255.255' }, /broadcast/],
    [{ myip: '::' }, /unspecified/],
    [{ myipv6: 'ff05::2' }, /^myipv6: .*multicast/],
    [{ myipv4: '2001:db8::1' }, /^myipv4: .*not an IPv4 address/],
    [{ myipv6: '192.0.2.1' }, /^myipv6: .*not an IPv6 address/],
    [{ ip: 'www.example.org' }, /^ip: /],
  ])('refuses %j', (q, message) => {
    const r = parseUpdateRequest({ hostname: 'h.example.test', ...q }, undefined, '127.0.0.1');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail).toMatch(message);
  });

  it('takes the token from the query first, else the Basic password (the user name is free)', () => {
    const q = { hostname: 'a.example.test,b.example.test', myip: '192.0.2.1' };
    const fromBasic = parseUpdateRequest(q, basic('a.example.test', 'secret:with:colons'), '127.0.0.1');
    expect(fromBasic.ok && fromBasic.request).toMatchObject({ token: 'secret:with:colons', hostnames: ['a.example.test', 'b.example.test'] });
    const fromQuery = parseUpdateRequest({ ...q, token: 'abc' }, basic('u', 'other'), '127.0.0.1');
    expect(fromQuery.ok && fromQuery.request.token).toBe('abc');
    const none = parseUpdateRequest(q, 'Bearer xyz', '127.0.0.1');
    expect(none.ok && none.request.token).toBeNull();
    expect(basicPassword('Basic ' + Buffer.from('nocolon').toString('base64'))).toBeNull();
    expect(basicPassword('Basic !!!')).toBeNull();
    expect(basicPassword(undefined)).toBeNull();
  });

  it('keeps empty host lists empty (answered notfqdn) and splits repeated parameters', () => {
    const r = parseUpdateRequest({ hostname: ['x.example.test', 'y.example.test,z.example.test'] }, undefined, '192.0.2.1');
    expect(r.ok && r.request.hostnames).toEqual(['x.example.test', 'y.example.test', 'z.example.test']);
    const e = parseUpdateRequest({}, undefined, '192.0.2.1');
    expect(e.ok && e.request.hostnames).toEqual([]);
  });
});

describe('parseUpdateAddress and replyLine', () => {
  it('canonicalizes addresses (RFC 5952 for IPv6)', () => {
    expect(parseUpdateAddress('2001:0DB8:0000:0000:0000:0000:0000:0001')).toEqual({ family: 6, text: '2001:db8::1' });
    expect(parseUpdateAddress('10.0.0.1')).toEqual({ family: 4, text: '10.0.0.1' });
  });

  it('writes the dyndns2 lines', () => {
    expect(replyLine({ status: 'good', addresses: ['192.0.2.1', '2001:db8::1'] })).toBe('good 192.0.2.1,2001:db8::1');
    expect(replyLine({ status: 'nochg', addresses: [] })).toBe('nochg');
    expect(replyLine({ status: 'badauth' })).toBe('badauth');
  });
});
