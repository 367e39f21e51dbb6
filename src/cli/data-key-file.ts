// Loads the server's data key: from --data-key / ZONEKEEPER_DATA_KEY (base64), else from
// --data-key-file, which the first start creates (32 random bytes, base64, mode 0600).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/config.js';
import { DATA_KEY_BYTES, DataKey, parseDataKey } from '../core/crypto/data-key.js';
import { CliError } from './context.js';

export function loadDataKey(config: Pick<Config, 'dataKey' | 'dataKeyFile'>): { key: DataKey; created: boolean } {
  if (config.dataKey !== null) return { key: new DataKey(parseDataKey(config.dataKey)!), created: false }; // checked by loadConfig
  let text: string;
  try {
    text = readFileSync(config.dataKeyFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`cannot read the data key file ${config.dataKeyFile}: ${(err as Error).message}`);
    const key = DataKey.generate();
    mkdirSync(dirname(config.dataKeyFile), { recursive: true });
    try {
      // 'wx': never overwrite a key another process has just written.
      writeFileSync(config.dataKeyFile, `${key.exportBase64()}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadDataKey(config);
      throw new CliError(`cannot create the data key file ${config.dataKeyFile}: ${(e as Error).message}`);
    }
    return { key, created: true };
  }
  const bytes = parseDataKey(text);
  if (bytes === null) throw new CliError(`the data key file ${config.dataKeyFile} must hold ${DATA_KEY_BYTES} bytes in base64`);
  return { key: new DataKey(bytes), created: false };
}
