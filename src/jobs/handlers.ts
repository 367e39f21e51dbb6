// The job kinds zonekeeper runs, wired to the services that do the work.
import type { Services } from '../core/services.js';
import type { JobHandler, JobRunnerOptions } from './job-runner.js';

export function jobHandlers(services: Services): Record<string, JobHandler> {
  return {
    // After a switch to this server's nameservers: the zone exists and is active (docs/registry.md).
    zone_precheck: (job) => services.registry.precheck(job.subject),
    // A registry operation that found the registry unavailable, repeated until it completes.
    registry_retry: (job) => services.registry.retry(job.payload),
    // Registered domains with auto-renew on, renewed ahead of their expiry.
    auto_renew: (job) => services.registry.autoRenew(job.subject),
    // A DNSSEC key rollover: its next step (DS swap, then the old key's removal).
    dnssec_rollover: (job) =>
      services.dnssec.rolloverStep(job.subject, job.payload, {
        afterDsSwap: (zone) => services.dnssecAuto.afterDsSwap(zone),
        parentStillHas: (zone, dnskey) => services.dnssecAuto.parentStillHas(zone, dnskey),
        withdrawing: (zone) => services.dnssecAuto.withdrawing(zone),
        parentDsTtl: (zone) => services.dnssecAuto.parentDsTtlOf(zone),
      }),
    // Automatic DNSSEC: the next step of a domain's enrollment (or withdrawal).
    dnssec_auto: (job) => services.dnssecAuto.runJob(job.subject),
    // Health checks of every monitored record, every --monitor-interval seconds.
    health_check: () => services.health.runJob(),
    // The sandbox's TLD zone, republished after a publish failed behind a committed registry change.
    sandbox_publish: async (job) => {
      if (!services.registry.sandbox) return;
      await services.registry.sandbox.publish(String(job.payload.domain), (job.payload.extraNames as string[] | undefined) ?? []);
    },
  };
}

/** Recurring work must never end for good because of a bad spell: auto-renewal keeps retrying. */
export const JOB_RUNNER_OPTIONS: JobRunnerOptions = { persistentKinds: ['auto_renew', 'health_check'] };
