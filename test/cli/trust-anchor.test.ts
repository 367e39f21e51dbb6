// `zonekeeper registry trust-anchor TLD`: the sandbox TLD's key as a trust anchor, in the forms
// unbound (a DNSKEY line) and delv/BIND (a trust-anchors clause) read; the same key every time;
// usage errors exit 2. unbound-checkconf accepts the line as a trust-anchor.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { findProgram, runProgram } from '../helpers/peers.js';

let dir: string;
const data = () => ['--data', dir];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zk-cli-ta-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('prints the test. key as a DNSKEY line and as a trust-anchors clause, the same key each time', async () => {
  const first = await runCli(['registry', 'trust-anchor', 'test', ...data()]);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toMatch(/^test\. IN DNSKEY 257 3 13 [A-Za-z0-9+/]+=*\n$/);
  const again = await runCli(['registry', 'trust-anchor', 'test.', ...data()]);
  expect(again.stdout).toBe(first.stdout);
  const bind = await runCli(['registry', 'trust-anchor', 'test', '--format', 'bind', ...data()]);
  expect(bind.code, bind.stderr).toBe(0);
  const key = first.stdout.trim().split(' ').slice(-1)[0]!;
  expect(bind.stdout).toBe(`trust-anchors {\n  "test." static-key 257 3 13 "${key}";\n};\n`);
  const checkconf = findProgram('unbound-checkconf');
  if (checkconf) {
    const conf = path.join(dir, 'unbound.conf');
    await writeFile(conf, `server:\n  chroot: ""\n  username: ""\n  trust-anchor: "${first.stdout.trim().replace(' IN ', ' ')}"\n`);
    const r = await runProgram(checkconf, [conf]);
    expect(r.code, r.output).toBe(0);
  }
});

it('usage errors exit 2', async () => {
  expect((await runCli(['registry', 'trust-anchor', ...data()])).code).toBe(2);
  const notSandbox = await runCli(['registry', 'trust-anchor', 'org', ...data()]);
  expect(notSandbox.code).toBe(2);
  expect(notSandbox.stderr).toMatch(/not a TLD of the sandbox registry/);
  expect((await runCli(['registry', 'trust-anchor', 'test', '--format', 'xml', ...data()])).code).toBe(2);
});
