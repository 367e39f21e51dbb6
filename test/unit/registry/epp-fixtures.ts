// Server frames typed in from the RFC examples (RFC 5730-5732, 5910), with example.test names and documentation addresses.

/** RFC 5730 §2.4: greeting. */
export const GREETING = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <greeting>
    <svID>Example EPP server epp.example.test</svID>
    <svDate>2000-06-08T22:00:00.0Z</svDate>
    <svcMenu>
      <version>1.0</version>
      <lang>en</lang>
      <lang>fr</lang>
      <objURI>urn:ietf:params:xml:ns:domain-1.0</objURI>
      <objURI>urn:ietf:params:xml:ns:host-1.0</objURI>
      <objURI>urn:ietf:params:xml:ns:contact-1.0</objURI>
      <svcExtension>
        <extURI>urn:ietf:params:xml:ns:secDNS-1.1</extURI>
        <extURI>http://custom.example.test/epp/ext-1.0</extURI>
      </svcExtension>
    </svcMenu>
    <dcp>
      <access><all/></access>
      <statement>
        <purpose><admin/><prov/></purpose>
        <recipient><ours/><public/></recipient>
        <retention><stated/></retention>
      </statement>
    </dcp>
  </greeting>
</epp>`;

/** RFC 5731 §3.1.1: domain check response. */
export const DOMAIN_CHECK_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1000">
      <msg>Command completed successfully</msg>
    </result>
    <resData>
      <domain:chkData
       xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">
        <domain:cd>
          <domain:name avail="1">example.test</domain:name>
        </domain:cd>
        <domain:cd>
          <domain:name avail="0">example.org</domain:name>
          <domain:reason>In use</domain:reason>
        </domain:cd>
        <domain:cd>
          <domain:name avail="1">example2.test</domain:name>
        </domain:cd>
      </domain:chkData>
    </resData>
    <trID>
      <clTRID>ABC-12345</clTRID>
      <svTRID>54322-XYZ</svTRID>
    </trID>
  </response>
</epp>`;

/** The <domain:infData> of RFC 5731 §3.1.2, shared by the plain and the secDNS info responses. */
const DOMAIN_INF_DATA = `<domain:infData
       xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">
        <domain:name>example.test</domain:name>
        <domain:roid>EXAMPLE1-REP</domain:roid>
        <domain:status s="ok"/>
        <domain:registrant>jd1234</domain:registrant>
        <domain:contact type="admin">sh8013</domain:contact>
        <domain:contact type="tech">sh8013</domain:contact>
        <domain:ns>
          <domain:hostObj>ns1.example.test</domain:hostObj>
          <domain:hostObj>ns1.example.org</domain:hostObj>
        </domain:ns>
        <domain:host>ns1.example.test</domain:host>
        <domain:host>ns2.example.test</domain:host>
        <domain:clID>ClientX</domain:clID>
        <domain:crID>ClientY</domain:crID>
        <domain:crDate>1999-04-03T22:00:00.0Z</domain:crDate>
        <domain:upID>ClientX</domain:upID>
        <domain:upDate>1999-12-03T09:00:00.0Z</domain:upDate>
        <domain:exDate>2005-04-03T22:00:00.0Z</domain:exDate>
        <domain:trDate>2000-04-08T09:00:00.0Z</domain:trDate>
        <domain:authInfo>
          <domain:pw>2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:infData>`;

const TR_ID = `<trID>
      <clTRID>ABC-12345</clTRID>
      <svTRID>54322-XYZ</svTRID>
    </trID>`;

/** RFC 5731 §3.1.2: domain info response. */
export const DOMAIN_INFO_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1000">
      <msg>Command completed successfully</msg>
    </result>
    <resData>
      ${DOMAIN_INF_DATA}
    </resData>
    ${TR_ID}
  </response>
</epp>`;

/** RFC 5910 §5.1.2: domain info response with DS data (DS Data Interface). */
export const SECDNS_INFO_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1000">
      <msg>Command completed successfully</msg>
    </result>
    <resData>
      ${DOMAIN_INF_DATA}
    </resData>
    <extension>
      <secDNS:infData
       xmlns:secDNS="urn:ietf:params:xml:ns:secDNS-1.1">
        <secDNS:dsData>
          <secDNS:keyTag>12345</secDNS:keyTag>
          <secDNS:alg>3</secDNS:alg>
          <secDNS:digestType>1</secDNS:digestType>
          <secDNS:digest>49FD46E6C4B45C55D4AC</secDNS:digest>
        </secDNS:dsData>
      </secDNS:infData>
    </extension>
    ${TR_ID}
  </response>
</epp>`;

/** RFC 5910 §5.1.2: the variant with maxSigLife and the key data of a DS record. */
export const SECDNS_INFO_KEYDATA_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1000">
      <msg>Command completed successfully</msg>
    </result>
    <resData>
      ${DOMAIN_INF_DATA}
    </resData>
    <extension>
      <secDNS:infData
       xmlns:secDNS="urn:ietf:params:xml:ns:secDNS-1.1">
        <secDNS:maxSigLife>604800</secDNS:maxSigLife>
        <secDNS:dsData>
          <secDNS:keyTag>12345</secDNS:keyTag>
          <secDNS:alg>3</secDNS:alg>
          <secDNS:digestType>1</secDNS:digestType>
          <secDNS:digest>49FD46E6C4B45C55D4AC</secDNS:digest>
          <secDNS:keyData>
            <secDNS:flags>257</secDNS:flags>
            <secDNS:protocol>3</secDNS:protocol>
            <secDNS:alg>1</secDNS:alg>
            <secDNS:pubKey>AQPJ////4Q==</secDNS:pubKey>
          </secDNS:keyData>
        </secDNS:dsData>
      </secDNS:infData>
    </extension>
    ${TR_ID}
  </response>
</epp>`;

/** RFC 5731 §3.2.1: domain create response. */
export const DOMAIN_CREATE_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1000">
      <msg>Command completed successfully</msg>
    </result>
    <resData>
      <domain:creData
       xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">
        <domain:name>example.test</domain:name>
        <domain:crDate>1999-04-03T22:00:00.0Z</domain:crDate>
        <domain:exDate>2001-04-03T22:00:00.0Z</domain:exDate>
      </domain:creData>
    </resData>
    ${TR_ID}
  </response>
</epp>`;

/** RFC 5731 §3.2.3: domain renew response. */
export const DOMAIN_RENEW_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1000">
      <msg>Command completed successfully</msg>
    </result>
    <resData>
      <domain:renData
       xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">
        <domain:name>example.test</domain:name>
        <domain:exDate>2005-04-03T22:00:00.0Z</domain:exDate>
      </domain:renData>
    </resData>
    ${TR_ID}
  </response>
</epp>`;

/** RFC 5732 §3.1.1: host check response. */
export const HOST_CHECK_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1000">
      <msg>Command completed successfully</msg>
    </result>
    <resData>
      <host:chkData
       xmlns:host="urn:ietf:params:xml:ns:host-1.0">
        <host:cd>
          <host:name avail="1">ns1.example.test</host:name>
        </host:cd>
        <host:cd>
          <host:name avail="0">ns2.example2.test</host:name>
          <host:reason>In use</host:reason>
        </host:cd>
      </host:chkData>
    </resData>
    ${TR_ID}
  </response>
</epp>`;

/** RFC 5732 §3.1.2: host info response. */
export const HOST_INFO_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1000">
      <msg>Command completed successfully</msg>
    </result>
    <resData>
      <host:infData
       xmlns:host="urn:ietf:params:xml:ns:host-1.0">
        <host:name>ns1.example.test</host:name>
        <host:roid>NS1_EXAMPLE1-REP</host:roid>
        <host:status s="linked"/>
        <host:status s="clientUpdateProhibited"/>
        <host:addr ip="v4">192.0.2.2</host:addr>
        <host:addr ip="v4">192.0.2.29</host:addr>
        <host:addr ip="v6">2001:db8:0:0:8:800:200C:417A</host:addr>
        <host:clID>ClientY</host:clID>
        <host:crID>ClientX</host:crID>
        <host:crDate>1999-04-03T22:00:00.0Z</host:crDate>
        <host:upID>ClientX</host:upID>
        <host:upDate>1999-12-03T09:00:00.0Z</host:upDate>
        <host:trDate>2000-04-08T09:00:00.0Z</host:trDate>
      </host:infData>
    </resData>
    ${TR_ID}
  </response>
</epp>`;

/** RFC 5730 §2.6: an error response with two results, <value> and <extValue><reason>. */
export const ERROR_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="2004">
      <msg>Parameter value range error</msg>
      <value xmlns:obj="urn:ietf:params:xml:ns:obj">
        <obj:elem1>2525</obj:elem1>
      </value>
    </result>
    <result code="2005">
      <msg>Parameter value syntax error</msg>
      <value xmlns:obj="urn:ietf:params:xml:ns:obj">
        <obj:elem2>ex(ample</obj:elem2>
      </value>
      <extValue>
        <value xmlns:obj="urn:ietf:params:xml:ns:obj">
          <obj:elem3>abc.ex(ample</obj:elem3>
        </value>
        <reason>Invalid character found.</reason>
      </extValue>
    </result>
    ${TR_ID}
  </response>
</epp>`;

/** RFC 5730 §2.9.2.3: a poll response with a queued message (its transfer data is not read by this codec). */
export const POLL_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1301">
      <msg>Command completed successfully; ack to dequeue</msg>
    </result>
    <msgQ count="5" id="12345">
      <qDate>2000-06-08T22:00:00.0Z</qDate>
      <msg>Transfer requested.</msg>
    </msgQ>
    <resData>
      <obj:trnData
       xmlns:obj="urn:ietf:params:xml:ns:obj">
        <obj:name>example</obj:name>
        <obj:trStatus>pending</obj:trStatus>
        <obj:reID>ClientX</obj:reID>
        <obj:reDate>2000-06-08T22:00:00.0Z</obj:reDate>
        <obj:acID>ClientY</obj:acID>
        <obj:acDate>2000-06-13T22:00:00.0Z</obj:acDate>
        <obj:exDate>2002-09-08T22:00:00.0Z</obj:exDate>
      </obj:trnData>
    </resData>
    <trID>
      <clTRID>ABC-12346</clTRID>
      <svTRID>54321-XYZ</svTRID>
    </trID>
  </response>
</epp>`;

/** RFC 5730 §2.9.1.2: the logout response (no clTRID echoed here, which the schema allows). */
export const LOGOUT_RESPONSE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">
  <response>
    <result code="1500">
      <msg>Command completed successfully; ending session</msg>
    </result>
    <trID>
      <svTRID>54322-XYZ</svTRID>
    </trID>
  </response>
</epp>`;
