// `zonekeeper jobs run-due`: runs every job of the job table that is due now, once, and exits
// (what `serve` does every 5 seconds; for operators, cron and tests).
import { systemClock } from '../core/ports.js';
import { jobHandlers, JOB_RUNNER_OPTIONS } from '../jobs/handlers.js';
import { JobRunner } from '../jobs/job-runner.js';
import { CliError, withServices, type CommandContext } from './context.js';

export async function jobsCommand(ctx: CommandContext): Promise<number> {
  const action = ctx.positionals[0];
  if (action !== 'run-due') throw new CliError(`expected: run-due${action ? ` (got "${action}")` : ''}`, 2);
  return withServices(ctx.config, async (s) => {
    await s.health.schedule();
    const r = await new JobRunner(s.store, systemClock, jobHandlers(s), JOB_RUNNER_OPTIONS).runDue(10_000);
    ctx.io.out(ctx.json ? JSON.stringify(r) + '\n' : `ran ${r.ran} due jobs: ${r.done} done, ${r.failed} failed (failed ones are retried later)\n`);
    return 0;
  }, { registries: true, dataKey: true });
}
