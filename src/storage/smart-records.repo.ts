// Storage of the smart-record state kept outside the records (docs/smart-records.md): the last
// state of Script records as DNS ran them.
import type { ScriptStatusRepo } from '../core/ports.js';
import type { Db } from './schema.js';
import { chunks, IN_CHUNK } from './sql-util.js';

export class SqlScriptStatusRepo implements ScriptStatusRepo {
  constructor(private readonly db: Db) {}

  async report(zoneName: string, name: string, key: string, error: string | null, at: string): Promise<void> {
    await this.db
      .insertInto('script_status')
      .values({ zone_name: zoneName, name, script_key: key, error, at })
      .onConflict((oc) => oc.columns(['zone_name', 'name']).doUpdateSet({ script_key: key, error, at }).where('script_status.at', '<', at))
      .execute();
  }

  async get(zoneName: string, names: string[]): Promise<Map<string, { key: string; error: string | null; at: string }>> {
    const out = new Map<string, { key: string; error: string | null; at: string }>();
    for (const part of chunks([...new Set(names)], IN_CHUNK)) {
      if (part.length === 0) continue;
      const rows = await this.db.selectFrom('script_status').selectAll().where('zone_name', '=', zoneName).where('name', 'in', part).execute();
      for (const r of rows) out.set(r.name, { key: r.script_key, error: r.error, at: r.at });
    }
    return out;
  }
}
