// Registry settings: sandbox and glue TLD lists, and --epp-registries parsed into per-TLD EPP
// connections, with clear errors for every malformed part.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

const load = (flags: Record<string, string>) => loadConfig(flags, {}, process.cwd());

describe('registry settings', () => {
  it('defaults: the sandbox runs .test; glue for .se, .nu, .test; no EPP registries', () => {
    expect(load({}).registry).toEqual({ sandboxTlds: ['test'], glueTlds: ['se', 'nu', 'test'], epp: [] });
  });

  it('TLD lists are canonical, deduplicated, `none` empties them', () => {
    expect(load({ 'sandbox-tlds': '.TEST, example,test', 'glue-tlds': 'none' }).registry).toMatchObject({ sandboxTlds: ['test', 'example'], glueTlds: [] });
    expect(() => load({ 'sandbox-tlds': 'example.test' })).toThrow(ConfigError);
    expect(() => load({ 'glue-tlds': 'bad tld' })).toThrow(/glue-tlds/);
  });

  it('--epp-registries: per TLD, port 700 by default, escaped credentials, ca and servername', () => {
    const r = load({ 'epp-registries': 'se=epps://client%401:p%40ss@epp.example.net?ca=/etc/ca.pem&servername=epp.example.net, .NU=epps://c2:pw2@[2001:db8::1]:7000' }).registry.epp;
    expect(r).toEqual([
      { tld: 'se', host: 'epp.example.net', port: 700, clID: 'client@1', password: 'p@ss', caFile: '/etc/ca.pem', servername: 'epp.example.net' },
      { tld: 'nu', host: '2001:db8::1', port: 7000, clID: 'c2', password: 'pw2', caFile: null, servername: null },
    ]);
  });

  it.each([
    ['se=http://c:p@epp.example.net', /epps:\/\//],
    ['se=epps://epp.example.net', /client id and password/],
    ['epps://c:p@epp.example.net', /TLD=|not a TLD/],
    ['s e=epps://c:p@epp.example.net', /not a TLD/],
    ['se=epps://c:p@epp.example.net,se=epps://c:p@epp2.example.net', /twice/],
    ['se=not a url', /TLD=epps/],
  ])('refuses %s', (spec, message) => {
    expect(() => load({ 'epp-registries': spec })).toThrow(message);
  });
});
