// Kysely's PostgreSQL dialect with the plan re-entry check on connection checkout.
import { PostgresDialect, PostgresDriver, type DatabaseConnection, type Driver, type PostgresDialectConfig } from 'kysely';
import { assertNotInPlan } from './plan-guard.js';

class GuardedPostgresDriver extends PostgresDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    assertNotInPlan();
    return super.acquireConnection();
  }
}

export class GuardedPostgresDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;

  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new GuardedPostgresDriver(this.#config);
  }
}
