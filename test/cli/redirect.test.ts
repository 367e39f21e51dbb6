// `zonekeeper serve --redirect HOST:PORT`: the redirect service starts with the server, says where
// it listens, answers (404 for an unknown host), stops with it; bad settings are refused.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { runCli, startServe } from '../helpers/cli.js';

it('serve starts the redirect service when --redirect is set', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'zk-redirect-'));
  try {
    const srv = await startServe(['--data', dir, '--redirect', '127.0.0.1:0', '--redirect-status', '308']);
    const m = /redirect service listening on 127\.0\.0\.1:(\d+) \(HTTP 308\)/.exec(srv.output());
    expect(m, srv.output()).not.toBeNull();
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: Number(m![1]), headers: { host: 'nothing.example.test' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject);
    });
    expect(status).toBe(404);
    expect(await srv.stop()).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('refuses bad redirect settings', async () => {
  expect(() => loadConfig({ 'redirect-status': '303' }, {}, process.cwd())).toThrow(ConfigError);
  expect(() => loadConfig({ redirect: 'nonsense' }, {}, process.cwd())).toThrow(ConfigError);
  expect(loadConfig({}, {}, process.cwd()).redirect).toBeNull();
  const r = await runCli(['serve', '--redirect', '127.0.0.1:99999']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/redirect/);
});
