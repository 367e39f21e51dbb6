// The health probes' address policy (docs/smart-records.md "Health monitoring"): loopback,
// private, link-local (the cloud metadata address), shared and multicast addresses are not probed
// unless the operator allows it, whether given as an address or reached through a host name.
import { describe, expect, it } from 'vitest';
import { isPrivateAddress, SystemProbes } from '../../../src/monitoring/probes.js';

describe('health probe address policy', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['192.0.2.1', false],
    ['203.0.113.9', false],
    ['2001:db8::1', false],
  ])('%s private: %s', (address, privateAddress) => expect(isPrivateAddress(address)).toBe(privateAddress));

  it('refuses to probe such addresses by default, with a reason, for both checks and host names', async () => {
    const probes = new SystemProbes({ httpPort: 80 });
    await expect(probes.http('127.0.0.1', 'www.example.test')).rejects.toThrow(/not probed \(--monitor-private-addresses\)/);
    await expect(probes.ping('169.254.169.254')).rejects.toThrow(/link-local/);
    await expect(probes.http('localhost', 'www.example.test')).rejects.toThrow(/\(localhost\) is a loopback/);
  });
});
