// Closed-loop load generator: N workers, each with one request in flight, for a fixed count.
import { makeAgent, request } from './http.mjs';

const SAMPLES_PER_KEY = 3;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const round = (x, digits = 2) => (x === null ? null : Number(x.toFixed(digits)));

/**
 * Runs `count` requests built by `makeRequest(i)` (i from `firstIndex`) over `concurrency` workers.
 * Stops dispatching at `deadline` (epoch ms) or when `shouldAbort()` says so; in-flight requests
 * finish. Latency statistics are over successful (2xx) requests; failures are counted by status
 * (or network error code) with a few sample bodies each.
 */
export async function runLoad({ baseUrl, count, concurrency, makeRequest, firstIndex = 0, deadline, shouldAbort = () => false, requestTimeoutMs = 15_000 }) {
  const agent = makeAgent(concurrency);
  const okMs = [];
  const failMs = []; // latency of answers that were not 2xx
  const failures = new Map(); // key -> {count, samples: [...]}
  let next = 0;
  let stopReason = null;
  const fail = (key, sample) => {
    const entry = failures.get(key) ?? { count: 0, samples: [] };
    entry.count++;
    if (entry.samples.length < SAMPLES_PER_KEY && !entry.samples.includes(sample)) entry.samples.push(sample);
    failures.set(key, entry);
  };
  const worker = async () => {
    while (next < count && !stopReason) {
      if (Date.now() > deadline) stopReason = 'phase deadline reached';
      else if (shouldAbort()) stopReason = 'server process exited';
      if (stopReason) break;
      const i = firstIndex + next++;
      try {
        const res = await request(agent, baseUrl, makeRequest(i), requestTimeoutMs);
        if (res.status >= 200 && res.status <= 299) okMs.push(res.ms);
        else {
          failMs.push(res.ms);
          fail(String(res.status), res.body.slice(0, 400));
        }
      } catch (err) {
        fail(err.code ?? 'ERROR', err.message.slice(0, 200));
      }
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  okMs.sort((a, b) => a - b);
  failMs.sort((a, b) => a - b);
  const errors = [...failures.values()].reduce((n, e) => n + e.count, 0);
  return {
    concurrency,
    requested: count,
    sent: next,
    ok: okMs.length,
    errors,
    seconds: round(seconds, 3),
    writesPerSec: round(okMs.length / seconds, 1),
    requestsPerSec: round(next / seconds, 1),
    latencyMs: {
      p50: round(percentile(okMs, 50)),
      p90: round(percentile(okMs, 90)),
      p99: round(percentile(okMs, 99)),
      max: round(okMs.length ? okMs[okMs.length - 1] : null),
      mean: round(okMs.length ? okMs.reduce((a, b) => a + b, 0) / okMs.length : null),
    },
    failedAnswerLatencyMs: failMs.length
      ? { p50: round(percentile(failMs, 50)), p99: round(percentile(failMs, 99)), max: round(failMs[failMs.length - 1]) }
      : null,
    errorsByStatus: Object.fromEntries([...failures].map(([k, v]) => [k, v.count])),
    errorSamples: Object.fromEntries([...failures].map(([k, v]) => [k, v.samples])),
    stopped: stopReason,
    nextIndex: firstIndex + next,
  };
}
