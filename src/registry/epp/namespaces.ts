// The XML namespace URIs of the EPP schemas this codec speaks, spelled once.

/** RFC 5730 §4: the EPP envelope (greeting, command, response). */
export const EPP_NS = 'urn:ietf:params:xml:ns:epp-1.0';
/** RFC 5731 §4: domain name objects. */
export const DOMAIN_NS = 'urn:ietf:params:xml:ns:domain-1.0';
/** RFC 5732 §4: host objects (name servers). */
export const HOST_NS = 'urn:ietf:params:xml:ns:host-1.0';
/** RFC 5910 §4: DNSSEC delegation data, version 1.1. */
export const SECDNS_NS = 'urn:ietf:params:xml:ns:secDNS-1.1';
