// Server frames from the RFC examples parse to exact objects; anything malformed or dangerous is an EppProtocolError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EppProtocolError } from '../../../src/registry/epp/errors.js';
import { parseEppGreeting, parseEppMessage, parseEppResponse } from '../../../src/registry/epp/responses.js';
import {
  DOMAIN_CHECK_RESPONSE, DOMAIN_CREATE_RESPONSE, DOMAIN_INFO_RESPONSE, DOMAIN_RENEW_RESPONSE, ERROR_RESPONSE, GREETING,
  HOST_CHECK_RESPONSE, HOST_INFO_RESPONSE, LOGOUT_RESPONSE, POLL_RESPONSE, SECDNS_INFO_KEYDATA_RESPONSE, SECDNS_INFO_RESPONSE,
} from './epp-fixtures.js';

const OK = [{ code: 1000, message: 'Command completed successfully', values: [], extValues: [] }];
const TR_ID = { clTRID: 'ABC-12345', svTRID: '54322-XYZ' };

const DOMAIN_INFO = {
  type: 'domain:infData',
  name: 'example.test',
  roid: 'EXAMPLE1-REP',
  statuses: [{ s: 'ok' }],
  registrant: 'jd1234',
  contacts: [{ type: 'admin', id: 'sh8013' }, { type: 'tech', id: 'sh8013' }],
  ns: ['ns1.example.test', 'ns1.example.org'],
  hosts: ['ns1.example.test', 'ns2.example.test'],
  clID: 'ClientX',
  crID: 'ClientY',
  crDate: '1999-04-03T22:00:00.0Z',
  upID: 'ClientX',
  upDate: '1999-12-03T09:00:00.0Z',
  exDate: '2005-04-03T22:00:00.0Z',
  trDate: '2000-04-08T09:00:00.0Z',
  authInfo: '2fooBAR',
};

function protocolError(input: string | Uint8Array): EppProtocolError {
  try {
    parseEppMessage(input);
  } catch (error) {
    expect(error).toBeInstanceOf(EppProtocolError);
    return error as EppProtocolError;
  }
  throw new Error('expected an EppProtocolError');
}

describe('RFC example responses', () => {
  it('RFC 5730 §2.4 greeting', () => {
    expect(parseEppGreeting(GREETING)).toStrictEqual({
      kind: 'greeting',
      svID: 'Example EPP server epp.example.test',
      svDate: '2000-06-08T22:00:00.0Z',
      versions: ['1.0'],
      langs: ['en', 'fr'],
      objURIs: ['urn:ietf:params:xml:ns:domain-1.0', 'urn:ietf:params:xml:ns:host-1.0', 'urn:ietf:params:xml:ns:contact-1.0'],
      extURIs: ['urn:ietf:params:xml:ns:secDNS-1.1', 'http://custom.example.test/epp/ext-1.0'],
    });
  });

  it('RFC 5731 §3.1.1 domain check', () => {
    expect(parseEppResponse(DOMAIN_CHECK_RESPONSE)).toStrictEqual({
      kind: 'response',
      results: OK,
      resData: {
        type: 'domain:chkData',
        items: [
          { name: 'example.test', avail: true },
          { name: 'example.org', avail: false, reason: 'In use' },
          { name: 'example2.test', avail: true },
        ],
      },
      trID: TR_ID,
    });
  });

  it('RFC 5731 §3.1.2 domain info', () => {
    expect(parseEppResponse(DOMAIN_INFO_RESPONSE)).toStrictEqual({ kind: 'response', results: OK, resData: DOMAIN_INFO, trID: TR_ID });
  });

  it('RFC 5910 §5.1.2 domain info with DS data', () => {
    expect(parseEppResponse(SECDNS_INFO_RESPONSE)).toStrictEqual({
      kind: 'response',
      results: OK,
      resData: DOMAIN_INFO,
      secDns: { dsData: [{ keyTag: 12345, alg: 3, digestType: 1, digest: '49FD46E6C4B45C55D4AC' }], keyData: [] },
      trID: TR_ID,
    });
  });

  it('RFC 5910 §5.1.2 DS data with maxSigLife and key data', () => {
    expect(parseEppResponse(SECDNS_INFO_KEYDATA_RESPONSE).secDns).toStrictEqual({
      maxSigLife: 604800,
      dsData: [{
        keyTag: 12345, alg: 3, digestType: 1, digest: '49FD46E6C4B45C55D4AC',
        keyData: { flags: 257, protocol: 3, alg: 1, pubKey: 'AQPJ////4Q==' },
      }],
      keyData: [],
    });
  });

  it('RFC 5731 §3.2.1 domain create and §3.2.3 renew', () => {
    expect(parseEppResponse(DOMAIN_CREATE_RESPONSE)).toStrictEqual({
      kind: 'response',
      results: OK,
      resData: { type: 'domain:creData', name: 'example.test', crDate: '1999-04-03T22:00:00.0Z', exDate: '2001-04-03T22:00:00.0Z' },
      trID: TR_ID,
    });
    expect(parseEppResponse(DOMAIN_RENEW_RESPONSE).resData).toStrictEqual({
      type: 'domain:renData', name: 'example.test', exDate: '2005-04-03T22:00:00.0Z',
    });
  });

  it('RFC 5732 §3.1.1 host check', () => {
    expect(parseEppResponse(HOST_CHECK_RESPONSE).resData).toStrictEqual({
      type: 'host:chkData',
      items: [{ name: 'ns1.example.test', avail: true }, { name: 'ns2.example2.test', avail: false, reason: 'In use' }],
    });
  });

  it('RFC 5732 §3.1.2 host info', () => {
    expect(parseEppResponse(HOST_INFO_RESPONSE)).toStrictEqual({
      kind: 'response',
      results: OK,
      resData: {
        type: 'host:infData',
        name: 'ns1.example.test',
        roid: 'NS1_EXAMPLE1-REP',
        statuses: [{ s: 'linked' }, { s: 'clientUpdateProhibited' }],
        addrs: [
          { ip: 'v4', address: '192.0.2.2' },
          { ip: 'v4', address: '192.0.2.29' },
          { ip: 'v6', address: '2001:db8:0:0:8:800:200C:417A' },
        ],
        clID: 'ClientY',
        crID: 'ClientX',
        crDate: '1999-04-03T22:00:00.0Z',
        upID: 'ClientX',
        upDate: '1999-12-03T09:00:00.0Z',
        trDate: '2000-04-08T09:00:00.0Z',
      },
      trID: TR_ID,
    });
  });

  it('RFC 5730 §2.6 error response: every result, its values and the reason', () => {
    expect(parseEppResponse(ERROR_RESPONSE)).toStrictEqual({
      kind: 'response',
      results: [
        {
          code: 2004,
          message: 'Parameter value range error',
          values: [{ ns: 'urn:ietf:params:xml:ns:obj', element: 'elem1', text: '2525' }],
          extValues: [],
        },
        {
          code: 2005,
          message: 'Parameter value syntax error',
          values: [{ ns: 'urn:ietf:params:xml:ns:obj', element: 'elem2', text: 'ex(ample' }],
          extValues: [{
            value: { ns: 'urn:ietf:params:xml:ns:obj', element: 'elem3', text: 'abc.ex(ample' },
            reason: 'Invalid character found.',
          }],
        },
      ],
      trID: TR_ID,
    });
  });

  it('RFC 5730 §2.9.2.3 poll: message queue, and response data this codec does not read', () => {
    expect(parseEppResponse(POLL_RESPONSE)).toStrictEqual({
      kind: 'response',
      results: [{ code: 1301, message: 'Command completed successfully; ack to dequeue', values: [], extValues: [] }],
      msgQ: { count: 5, id: '12345', qDate: '2000-06-08T22:00:00.0Z', message: 'Transfer requested.' },
      resData: { type: 'unknown', ns: 'urn:ietf:params:xml:ns:obj', name: 'trnData' },
      trID: { clTRID: 'ABC-12346', svTRID: '54321-XYZ' },
    });
  });

  it('RFC 5730 §2.9.1.2 logout: a response without clTRID', () => {
    expect(parseEppResponse(LOGOUT_RESPONSE)).toStrictEqual({
      kind: 'response',
      results: [{ code: 1500, message: 'Command completed successfully; ending session', values: [], extValues: [] }],
      trID: { svTRID: '54322-XYZ' },
    });
  });
});

describe('namespaces, languages, encodings', () => {
  it('resolves namespaces whatever the prefixes', () => {
    const xml = `<e:epp xmlns:e="urn:ietf:params:xml:ns:epp-1.0"><e:response>
      <e:result code="1000"><e:msg lang="fr">Commande exécutée</e:msg></e:result>
      <e:resData><chkData xmlns="urn:ietf:params:xml:ns:domain-1.0"><cd><name avail="true">example.test</name>
        <reason lang="en">Reserved</reason></cd></chkData></e:resData>
      <e:trID><e:svTRID>S-1</e:svTRID></e:trID></e:response></e:epp>`;
    expect(parseEppResponse(xml)).toStrictEqual({
      kind: 'response',
      results: [{ code: 1000, message: 'Commande exécutée', lang: 'fr', values: [], extValues: [] }],
      resData: { type: 'domain:chkData', items: [{ name: 'example.test', avail: true, reason: 'Reserved', reasonLang: 'en' }] },
      trID: { svTRID: 'S-1' },
    });
  });

  it('does not mistake an element of another namespace for an EPP one', () => {
    const xml = DOMAIN_CHECK_RESPONSE.replace('xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"', 'xmlns:domain="urn:example:other"');
    expect(parseEppResponse(xml).resData).toStrictEqual({ type: 'unknown', ns: 'urn:example:other', name: 'chkData' });
  });

  it('reads UTF-8 bytes, character references, predefined entities and CDATA', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><response>
      <result code="2306"><msg>Politique &#233;chou&#xE9;e &amp; &lt;refus&gt; <![CDATA[a & b < c]]></msg></result>
      <trID><svTRID>S-&quot;1&apos;</svTRID></trID></response></epp>`;
    const parsed = parseEppResponse(new TextEncoder().encode(xml));
    expect(parsed.results[0]!.message).toBe('Politique échouée & <refus> a & b < c');
    expect(parsed.trID.svTRID).toBe('S-"1\'');
  });

  it('reads status messages with their language and the hostAttr form of name servers', () => {
    const xml = DOMAIN_INFO_RESPONSE
      .replace('<domain:status s="ok"/>', '<domain:status s="clientHold" lang="en">Payment overdue.</domain:status><domain:status s="clientTransferProhibited"/>')
      .replace('<domain:hostObj>ns1.example.org</domain:hostObj>',
        '<domain:hostAttr><domain:hostName>ns2.example.org</domain:hostName><domain:hostAddr ip="v4">192.0.2.53</domain:hostAddr></domain:hostAttr>');
    const info = parseEppResponse(xml).resData;
    expect(info).toMatchObject({
      statuses: [{ s: 'clientHold', message: 'Payment overdue.', lang: 'en' }, { s: 'clientTransferProhibited' }],
      ns: ['ns1.example.test', 'ns2.example.org'],
    });
  });

  it('takes ip="v4" when a host address leaves the attribute out (RFC 5732 §4 default)', () => {
    const xml = HOST_INFO_RESPONSE.replace('<host:addr ip="v4">192.0.2.2</host:addr>', '<host:addr>192.0.2.2</host:addr>');
    const info = parseEppResponse(xml).resData;
    expect(info?.type === 'host:infData' && info.addrs[0]).toStrictEqual({ ip: 'v4', address: '192.0.2.2' });
  });

  it('tells a greeting from a response', () => {
    expect(parseEppMessage(GREETING).kind).toBe('greeting');
    expect(() => parseEppResponse(GREETING)).toThrow(EppProtocolError);
    expect(() => parseEppGreeting(LOGOUT_RESPONSE)).toThrow(EppProtocolError);
  });
});

const EPP_OPEN = '<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">';
const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE epp [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
${EPP_OPEN}<response><result code="1000"><msg>&lol2;</msg></result><trID><svTRID>S</svTRID></trID></response></epp>`;

describe('malformed and hostile input → EppProtocolError', () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['empty input', '', /not well formed/],
    ['plain text', 'hello', /not well formed/],
    ['truncated XML', DOMAIN_INFO_RESPONSE.slice(0, 400), /not well formed/],
    ['mismatched tags', `${EPP_OPEN}<response></result></epp>`, /not well formed/],
    ['two root elements', `${EPP_OPEN}<hello/></epp><epp/>`, /one root element/],
    ['a foreign root element', '<html xmlns="urn:ietf:params:xml:ns:epp-1.0"><response/></html>', /not <epp>/],
    ['<epp> in no namespace', '<epp><greeting/></epp>', /not <epp>/],
    ['<epp> in another namespace', '<epp xmlns="urn:ietf:params:xml:ns:epp-0.4"><greeting/></epp>', /not <epp>/],
    ['a command, which servers do not send', `${EPP_OPEN}<command><logout/><clTRID>ABC</clTRID></command></epp>`, /does not send/],
    ['an empty <epp>', `${EPP_OPEN}</epp>`, /exactly one EPP element/],
    ['a response without <result>', `${EPP_OPEN}<response><trID><svTRID>S</svTRID></trID></response></epp>`, /no <result>/],
    ['a response without <trID>', `${EPP_OPEN}<response><result code="1000"><msg>ok</msg></result></response></epp>`, /<trID>/],
    ['a result without code', `${EPP_OPEN}<response><result><msg>ok</msg></result><trID><svTRID>S</svTRID></trID></response></epp>`, /code/],
    ['a result without <msg>', `${EPP_OPEN}<response><result code="1000"/><trID><svTRID>S</svTRID></trID></response></epp>`, /<msg>/],
    ['a result code that is not a number', LOGOUT_RESPONSE.replace('1500', '15x0'), /result code/],
    ['a result code outside 1000-2999', LOGOUT_RESPONSE.replace('1500', '3000'), /result code/],
    ['a three-digit result code', LOGOUT_RESPONSE.replace('1500', '999'), /result code/],
    ['a greeting without <svcMenu>', `${EPP_OPEN}<greeting><svID>x</svID><svDate>y</svDate></greeting></epp>`, /svcMenu/],
    ['avail that is not a boolean', DOMAIN_CHECK_RESPONSE.replace('avail="1"', 'avail="yes"'), /boolean/],
    ['an infData without roid', DOMAIN_INFO_RESPONSE.replace('<domain:roid>EXAMPLE1-REP</domain:roid>', ''), /roid/],
    ['a keyTag out of range', SECDNS_INFO_RESPONSE.replace('>12345<', '>65536<'), /keyTag/],
    ['a negative alg', SECDNS_INFO_RESPONSE.replace('<secDNS:alg>3', '<secDNS:alg>-3'), /alg/],
    ['an ip attribute other than v4/v6', HOST_INFO_RESPONSE.replace('ip="v6"', 'ip="v5"'), /v5/],
    ['an undeclared namespace prefix', `${EPP_OPEN}<response><x:result code="1000"/></response></epp>`, /undeclared namespace prefix/],
    ['a DOCTYPE with entity declarations (billion laughs)', BILLION_LAUGHS, /document type or entity declaration/],
    ['a DOCTYPE without entities', `<?xml version="1.0"?><!DOCTYPE epp>${EPP_OPEN}<hello/></epp>`, /document type/],
    ['an external entity', `<!DOCTYPE epp [<!ENTITY x SYSTEM "file:///etc/passwd">]>${EPP_OPEN}<greeting>&x;</greeting></epp>`, /document type/],
    ['a DOCTYPE after a comment', `<!-- hi --><!DOCTYPE epp [<!ENTITY a "b">]>${EPP_OPEN}<hello/></epp>`, /document type/],
    ['a reference to an undeclared entity', LOGOUT_RESPONSE.replace('ending session', '&nbsp;'), /undeclared entity/],
    ['a bare ampersand', LOGOUT_RESPONSE.replace('ending session', 'this & that'), /not well formed/],
    ['a character reference to U+0000', LOGOUT_RESPONSE.replace('ending session', '&#0;'), /character reference/],
    ['nesting deeper than any EPP frame needs', `${EPP_OPEN}${'<a>'.repeat(100)}${'</a>'.repeat(100)}</epp>`, /nested/],
    ['bytes that are not UTF-8', Uint8Array.from([0x3c, 0x65, 0xff, 0xfe, 0x3e]), /UTF-8/],
  ];
  it.each(cases)('%s', (_, input, reason) => {
    expect(protocolError(input).message).toMatch(reason);
  });

  it('accepts "<!" inside comments and CDATA (only a real declaration is refused)', () => {
    const xml = LOGOUT_RESPONSE.replace('<response>', '<response><!-- <!DOCTYPE x> -->')
      .replace('ending session', '<![CDATA[<!ENTITY y "z">]]>');
    expect(parseEppResponse(xml).results[0]!.message).toBe('Command completed successfully; <!ENTITY y "z">');
  });

  it('never throws anything but EppProtocolError, for any prefix of a valid frame', () => {
    const frames = [GREETING, ERROR_RESPONSE, SECDNS_INFO_KEYDATA_RESPONSE, HOST_INFO_RESPONSE];
    fc.assert(fc.property(fc.constantFrom(...frames), fc.nat(), (frame, cut) => {
      try {
        parseEppMessage(frame.slice(0, cut % (frame.length + 1)));
      } catch (error) {
        return error instanceof EppProtocolError;
      }
      return true;
    }), { numRuns: 500 });
  });

  it('never throws anything but EppProtocolError, for arbitrary text', () => {
    const pieces = fc.constantFrom('<', '>', '/', 'epp', 'response', '"', '=', '&', ';', '<!', '--', ']]>', 'xmlns', ':', ' ', 'a');
    fc.assert(fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
      try {
        parseEppMessage(parts.join(''));
      } catch (error) {
        return error instanceof EppProtocolError;
      }
      return true;
    }), { numRuns: 1000 });
  });
});
