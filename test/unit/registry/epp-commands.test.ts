// Every command builder's frame, read back with fast-xml-parser, matches the RFC example's structure element by element.
import { describe, expect, it } from 'vitest';
import {
  domainCheckCommand, domainCreateCommand, domainDeleteCommand, domainInfoCommand, domainRenewCommand, domainUpdateCommand,
  helloFrame, hostCheckCommand, hostCreateCommand, hostDeleteCommand, hostInfoCommand, hostUpdateCommand, loginCommand,
  logoutCommand,
} from '../../../src/registry/epp/commands.js';
import { EppInputError } from '../../../src/registry/epp/errors.js';
import { command, DOMAIN, el, EPP, HOST, SECDNS, shapeOf } from './epp-xml-shape.js';

const T = 'ABC-12345';
const domainVerb = (verb: string, children: ReturnType<typeof el>[]) =>
  el(verb, [el(`domain:${verb}`, children, { 'xmlns:domain': DOMAIN })]);
const hostVerb = (verb: string, children: ReturnType<typeof el>[]) =>
  el(verb, [el(`host:${verb}`, children, { 'xmlns:host': HOST })]);
const ds = (keyTag: string, digest: string) => el('secDNS:dsData', [
  el('secDNS:keyTag', keyTag), el('secDNS:alg', '3'), el('secDNS:digestType', '1'), el('secDNS:digest', digest),
]);

describe('session frames (RFC 5730)', () => {
  it('§2.3 hello', () => {
    expect(shapeOf(helloFrame())).toStrictEqual(el('epp', [el('hello')], { xmlns: EPP }));
  });

  it('starts every frame with the XML declaration of the RFC examples', () => {
    expect(helloFrame().startsWith('<?xml version="1.0" encoding="UTF-8" standalone="no"?>')).toBe(true);
  });

  it('§2.9.1.1 login, as in the RFC example', () => {
    const xml = loginCommand({
      clID: 'ClientX', pw: 'foo-BAR2', newPW: 'bar-FOO2', clTRID: T,
      objURIs: ['urn:ietf:params:xml:ns:obj1', 'urn:ietf:params:xml:ns:obj2', 'urn:ietf:params:xml:ns:obj3'],
      extURIs: ['http://custom.example.test/epp/ext-1.0'],
    });
    expect(shapeOf(xml)).toStrictEqual(command(el('login', [
      el('clID', 'ClientX'),
      el('pw', 'foo-BAR2'),
      el('newPW', 'bar-FOO2'),
      el('options', [el('version', '1.0'), el('lang', 'en')]),
      el('svcs', [
        el('objURI', 'urn:ietf:params:xml:ns:obj1'),
        el('objURI', 'urn:ietf:params:xml:ns:obj2'),
        el('objURI', 'urn:ietf:params:xml:ns:obj3'),
        el('svcExtension', [el('extURI', 'http://custom.example.test/epp/ext-1.0')]),
      ]),
    ]), T));
  });

  it('login defaults to domain-1.0 and host-1.0 with the secDNS-1.1 extension', () => {
    const login = shapeOf(loginCommand({ clID: 'ClientX', pw: 'foo-BAR2', clTRID: T })).children[0]!.children[0]!;
    expect(login.children.map((c) => c.name)).toStrictEqual(['clID', 'pw', 'options', 'svcs']);
    expect(login.children[3]).toStrictEqual(el('svcs', [
      el('objURI', DOMAIN), el('objURI', HOST), el('svcExtension', [el('extURI', SECDNS)]),
    ]));
  });

  it('§2.9.1.2 logout', () => {
    expect(shapeOf(logoutCommand({ clTRID: T }))).toStrictEqual(command(el('logout'), T));
  });
});

describe('domain commands (RFC 5731, 5910)', () => {
  it('§3.1.1 check', () => {
    const xml = domainCheckCommand({ names: ['example.test', 'example.org', 'example2.test'], clTRID: T });
    expect(shapeOf(xml)).toStrictEqual(command(domainVerb('check', [
      el('domain:name', 'example.test'), el('domain:name', 'example.org'), el('domain:name', 'example2.test'),
    ]), T));
  });

  it('§3.1.2 info', () => {
    const xml = domainInfoCommand({ name: 'example.test', authInfo: '2fooBAR', clTRID: T });
    expect(shapeOf(xml)).toStrictEqual(command(domainVerb('info', [
      el('domain:name', 'example.test', { hosts: 'all' }),
      el('domain:authInfo', [el('domain:pw', '2fooBAR')]),
    ]), T));
    const none = domainInfoCommand({ name: 'example.test', hosts: 'none', clTRID: T });
    expect(shapeOf(none)).toStrictEqual(command(domainVerb('info', [el('domain:name', 'example.test', { hosts: 'none' })]), T));
  });

  it('§3.2.1 create', () => {
    const xml = domainCreateCommand({
      name: 'example.test', period: 2, ns: ['ns1.example.org', 'ns2.example.org'], registrant: 'jd1234',
      contacts: [{ type: 'admin', id: 'sh8013' }, { type: 'tech', id: 'sh8013' }], authInfo: '2fooBAR', clTRID: T,
    });
    expect(shapeOf(xml)).toStrictEqual(command(domainVerb('create', [
      el('domain:name', 'example.test'),
      el('domain:period', '2', { unit: 'y' }),
      el('domain:ns', [el('domain:hostObj', 'ns1.example.org'), el('domain:hostObj', 'ns2.example.org')]),
      el('domain:registrant', 'jd1234'),
      el('domain:contact', 'sh8013', { type: 'admin' }),
      el('domain:contact', 'sh8013', { type: 'tech' }),
      el('domain:authInfo', [el('domain:pw', '2fooBAR')]),
    ]), T));
  });

  it('create with only the required elements', () => {
    const xml = domainCreateCommand({ name: 'example.test', authInfo: '2fooBAR', clTRID: T });
    expect(shapeOf(xml)).toStrictEqual(command(domainVerb('create', [
      el('domain:name', 'example.test'), el('domain:authInfo', [el('domain:pw', '2fooBAR')]),
    ]), T));
  });

  it('RFC 5910 §5.2.1 create with DS data', () => {
    const xml = domainCreateCommand({
      name: 'example.test', period: 2, ns: ['ns1.example.test'], authInfo: '2fooBAR', clTRID: T,
      secDns: { maxSigLife: 604800, dsData: [{ keyTag: 12345, alg: 3, digestType: 1, digest: '49FD46E6C4B45C55D4AC' }] },
    });
    expect(shapeOf(xml).children[0]!.children[1]).toStrictEqual(el('extension', [
      el('secDNS:create', [el('secDNS:maxSigLife', '604800'), ds('12345', '49FD46E6C4B45C55D4AC')], { 'xmlns:secDNS': SECDNS }),
    ]));
  });

  it('§3.2.3 renew', () => {
    const xml = domainRenewCommand({ name: 'example.test', curExpDate: '2000-04-03', period: 5, clTRID: T });
    expect(shapeOf(xml)).toStrictEqual(command(domainVerb('renew', [
      el('domain:name', 'example.test'), el('domain:curExpDate', '2000-04-03'), el('domain:period', '5', { unit: 'y' }),
    ]), T));
  });

  it('§3.2.4 delete', () => {
    expect(shapeOf(domainDeleteCommand({ name: 'example.test', clTRID: T })))
      .toStrictEqual(command(domainVerb('delete', [el('domain:name', 'example.test')]), T));
  });

  it('§3.2.5 update, as in the RFC example', () => {
    const xml = domainUpdateCommand({
      name: 'example.test',
      add: {
        ns: ['ns2.example.test'],
        contacts: [{ type: 'tech', id: 'mak21' }],
        statuses: [{ s: 'clientHold', lang: 'en', message: 'Payment overdue.' }],
      },
      rem: { ns: ['ns1.example.test'], contacts: [{ type: 'tech', id: 'sh8013' }], statuses: ['clientUpdateProhibited'] },
      chg: { registrant: 'sh8013', authInfo: '2BARfoo' },
      clTRID: T,
    });
    expect(shapeOf(xml)).toStrictEqual(command(domainVerb('update', [
      el('domain:name', 'example.test'),
      el('domain:add', [
        el('domain:ns', [el('domain:hostObj', 'ns2.example.test')]),
        el('domain:contact', 'mak21', { type: 'tech' }),
        el('domain:status', 'Payment overdue.', { s: 'clientHold', lang: 'en' }),
      ]),
      el('domain:rem', [
        el('domain:ns', [el('domain:hostObj', 'ns1.example.test')]),
        el('domain:contact', 'sh8013', { type: 'tech' }),
        el('domain:status', '', { s: 'clientUpdateProhibited' }),
      ]),
      el('domain:chg', [el('domain:registrant', 'sh8013'), el('domain:authInfo', [el('domain:pw', '2BARfoo')])]),
    ]), T));
  });

  it('update for a registrar lock: only the statuses', () => {
    const xml = domainUpdateCommand({
      name: 'example.test',
      add: { statuses: ['clientTransferProhibited', 'clientDeleteProhibited'] },
      clTRID: T,
    });
    expect(shapeOf(xml)).toStrictEqual(command(domainVerb('update', [
      el('domain:name', 'example.test'),
      el('domain:add', [
        el('domain:status', '', { s: 'clientTransferProhibited' }),
        el('domain:status', '', { s: 'clientDeleteProhibited' }),
      ]),
    ]), T));
  });

  it('RFC 5910 §5.2.5 update of DS data: rem, add, chg in that order', () => {
    const xml = domainUpdateCommand({
      name: 'example.test',
      secDns: {
        add: [{ keyTag: 12346, alg: 3, digestType: 1, digest: '38EC35D5B3A34B4A78EE' }],
        rem: [{ keyTag: 12345, alg: 3, digestType: 1, digest: '38EC35D5B3A34B33C99B' }],
        maxSigLife: 605900,
      },
      clTRID: T,
    });
    expect(shapeOf(xml)).toStrictEqual(command(domainVerb('update', [el('domain:name', 'example.test')]), T, [
      el('secDNS:update', [
        el('secDNS:rem', [ds('12345', '38EC35D5B3A34B33C99B')]),
        el('secDNS:add', [ds('12346', '38EC35D5B3A34B4A78EE')]),
        el('secDNS:chg', [el('secDNS:maxSigLife', '605900')]),
      ], { 'xmlns:secDNS': SECDNS }),
    ]));
  });

  it('RFC 5910 §5.2.5 remove all DS data and add new, urgently', () => {
    const xml = domainUpdateCommand({
      name: 'example.test',
      secDns: { remAll: true, add: [{ keyTag: 12346, alg: 3, digestType: 1, digest: '38EC35D5B3A34B4A78EE' }], urgent: true },
      clTRID: T,
    });
    expect(shapeOf(xml).children[0]!.children[1]).toStrictEqual(el('extension', [
      el('secDNS:update', [
        el('secDNS:rem', [el('secDNS:all', 'true')]),
        el('secDNS:add', [ds('12346', '38EC35D5B3A34B4A78EE')]),
      ], { 'xmlns:secDNS': SECDNS, urgent: 'true' }),
    ]));
  });
});

describe('host commands (RFC 5732)', () => {
  it('§3.1.1 check and §3.1.2 info', () => {
    expect(shapeOf(hostCheckCommand({ names: ['ns1.example.test', 'ns2.example.test'], clTRID: T })))
      .toStrictEqual(command(hostVerb('check', [el('host:name', 'ns1.example.test'), el('host:name', 'ns2.example.test')]), T));
    expect(shapeOf(hostInfoCommand({ name: 'ns1.example.test', clTRID: T })))
      .toStrictEqual(command(hostVerb('info', [el('host:name', 'ns1.example.test')]), T));
  });

  it('§3.2.1 create, the address version derived from each address', () => {
    const xml = hostCreateCommand({ name: 'ns1.example.test', addrs: ['192.0.2.2', '192.0.2.29', '2001:db8:0:0:8:800:200C:417A'], clTRID: T });
    expect(shapeOf(xml)).toStrictEqual(command(hostVerb('create', [
      el('host:name', 'ns1.example.test'),
      el('host:addr', '192.0.2.2', { ip: 'v4' }),
      el('host:addr', '192.0.2.29', { ip: 'v4' }),
      el('host:addr', '2001:db8:0:0:8:800:200C:417A', { ip: 'v6' }),
    ]), T));
  });

  it('§3.2.2 delete', () => {
    expect(shapeOf(hostDeleteCommand({ name: 'ns1.example.test', clTRID: T })))
      .toStrictEqual(command(hostVerb('delete', [el('host:name', 'ns1.example.test')]), T));
  });

  it('§3.2.5 update, as in the RFC example', () => {
    const xml = hostUpdateCommand({
      name: 'ns1.example.test',
      add: { addrs: ['192.0.2.22'], statuses: ['clientUpdateProhibited'] },
      rem: { addrs: ['2001:db8:0:0:8:800:200C:417A'] },
      chg: { name: 'ns2.example.test' },
      clTRID: T,
    });
    expect(shapeOf(xml)).toStrictEqual(command(hostVerb('update', [
      el('host:name', 'ns1.example.test'),
      el('host:add', [el('host:addr', '192.0.2.22', { ip: 'v4' }), el('host:status', '', { s: 'clientUpdateProhibited' })]),
      el('host:rem', [el('host:addr', '2001:db8:0:0:8:800:200C:417A', { ip: 'v6' })]),
      el('host:chg', [el('host:name', 'ns2.example.test')]),
    ]), T));
  });
});

describe('input the schemas do not allow → EppInputError, nothing sent', () => {
  const ds1 = { keyTag: 1, alg: 13, digestType: 2, digest: 'AB' };
  const cases: [string, () => string, string][] = [
    ['a clTRID shorter than 3', () => logoutCommand({ clTRID: 'AB' }), 'clTRID'],
    ['a clTRID longer than 64', () => logoutCommand({ clTRID: 'x'.repeat(65) }), 'clTRID'],
    ['a clID with a line break', () => loginCommand({ clID: 'Client\nX', pw: 'foo-BAR2', clTRID: T }), 'clID'],
    ['a password shorter than 6', () => loginCommand({ clID: 'ClientX', pw: 'short', clTRID: T }), 'pw'],
    ['a check without names', () => domainCheckCommand({ names: [], clTRID: T }), 'names'],
    ['an empty name', () => domainInfoCommand({ name: '', clTRID: T }), 'name'],
    ['a period of 0 years', () => domainCreateCommand({ name: 'example.test', period: 0, authInfo: 'x', clTRID: T }), 'period'],
    ['a period of 100 years', () => domainRenewCommand({ name: 'example.test', curExpDate: '2000-04-03', period: 100, clTRID: T }), 'period'],
    ['a curExpDate that is not a date', () => domainRenewCommand({ name: 'example.test', curExpDate: '2000-02-30', clTRID: T }), 'curExpDate'],
    ['an empty authInfo on create', () => domainCreateCommand({ name: 'example.test', authInfo: '', clTRID: T }), 'authInfo'],
    ['a server status', () => domainUpdateCommand({ name: 'example.test', add: { statuses: ['serverHold' as never] }, clTRID: T }), 'add.statuses[0]'],
    ['an update that changes nothing', () => domainUpdateCommand({ name: 'example.test', add: {}, clTRID: T }), 'update'],
    ['remAll with rem', () => domainUpdateCommand({ name: 'example.test', secDns: { remAll: true, rem: [ds1] }, clTRID: T }), 'secDns'],
    ['a keyTag above 65535', () => domainUpdateCommand({ name: 'example.test', secDns: { add: [{ ...ds1, keyTag: 65536 }] }, clTRID: T }), 'secDns.add[0].keyTag'],
    ['a digest that is not hex', () => domainUpdateCommand({ name: 'example.test', secDns: { add: [{ ...ds1, digest: 'XYZ0' }] }, clTRID: T }), 'secDns.add[0].digest'],
    ['a digest of odd length', () => domainUpdateCommand({ name: 'example.test', secDns: { rem: [{ ...ds1, digest: 'ABC' }] }, clTRID: T }), 'secDns.rem[0].digest'],
    ['a host address that is not an IP', () => hostCreateCommand({ name: 'ns1.example.test', addrs: ['192.0.2.300'], clTRID: T }), 'addrs[0]'],
    ['a host status a client may not set', () => hostUpdateCommand({ name: 'ns1.example.test', add: { statuses: ['linked' as never] }, clTRID: T }), 'add.statuses[0]'],
    ['a host update that changes nothing', () => hostUpdateCommand({ name: 'ns1.example.test', clTRID: T }), 'update'],
    ['a character XML cannot carry', () => domainCreateCommand({ name: 'example.test', authInfo: 'pw\u0000x', clTRID: T }), 'command'],
  ];
  it.each(cases)('%s', (_, build, field) => {
    expect(build).toThrow(EppInputError);
    try {
      build();
    } catch (error) {
      expect((error as EppInputError).field).toBe(field);
    }
  });

  it('escapes markup in values rather than trusting them', () => {
    const xml = domainCreateCommand({ name: 'example.test', authInfo: 'a&b<c>"d\'</domain:pw>', clTRID: T });
    const pw = shapeOf(xml).children[0]!.children[0]!.children[0]!.children[1]!.children[0]!;
    expect(pw).toStrictEqual(el('domain:pw', 'a&b<c>"d\'</domain:pw>'));
  });
});
