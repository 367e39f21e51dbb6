// docs/errors.md lists exactly the codes of the error catalogue, with the same statuses.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';
import { ROOT } from '../helpers/cli.js';

describe('error catalogue', () => {
  it('docs/errors.md has one row per code with its status', async () => {
    const md = await readFile(path.join(ROOT, 'docs/errors.md'), 'utf8');
    const rows = new Map([...md.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]));
    const catalogue = new Map(Object.entries(ERROR_CATALOGUE).map(([code, d]) => [code, d.status]));
    expect(rows).toEqual(catalogue);
  });
  it('codes are snake_case and titles/descriptions present', () => {
    for (const [code, d] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(d.title.length).toBeGreaterThan(3);
      expect(d.description.length).toBeGreaterThan(10);
      expect(d.status).toBeGreaterThanOrEqual(400);
    }
  });
});
