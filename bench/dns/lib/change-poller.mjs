// Worker thread of big-zone.mjs: polls one server over UDP for a name until the answer holds the
// expected address: a query every `intervalUs` microseconds, or back to back when the round trip
// takes longer (the next query leaves once the previous answer is in). The pause between polls is
// Atomics.wait, a real sleep, so polling does not burn a CPU the server needs. Running in its own
// thread keeps the polling from delaying the main thread's HTTP client and its timestamps.
//
// In:  {port, intervalUs} at start (workerData); then messages {id, name, value, timeoutMs}.
// Out: {id, started} once the first poll was answered (without the record: the caller writes now),
//      then {id, seen, firstSeenSent, firstSeenRecv, lastMissSent, lastMissRecv, polls, timeouts}
//      (process.hrtime.bigint() values: the same monotonic clock as the main thread's).
import { parentPort, workerData } from 'node:worker_threads';
import { openClient } from './dnsclient.mjs';

const client = await openClient(workerData.port);
const now = () => process.hrtime.bigint();
const intervalNs = BigInt(Math.round((workerData.intervalUs ?? 200) * 1000));
const sleeper = new Int32Array(new SharedArrayBuffer(4));

parentPort.on('message', async (job) => {
  if (job === 'close') {
    client.close();
    parentPort.close();
    return;
  }
  const until = now() + BigInt(job.timeoutMs) * 1_000_000n;
  let polls = 0;
  let timeouts = 0;
  let lastMissSent = null;
  let lastMissRecv = null;
  let sent = 0n;
  while (now() < until) {
    const wait = sent + intervalNs - now();
    if (wait > 0n) Atomics.wait(sleeper, 0, 0, Number(wait) / 1e6);
    sent = now();
    polls++;
    let res;
    try {
      res = await client.query(job.name, 'A', { timeoutMs: 100 });
    } catch {
      timeouts++;
      continue;
    }
    const recv = now();
    if (res.rcode === 'NOERROR' && res.answers.some((a) => a.type === 'A' && a.data === job.value)) {
      parentPort.postMessage({ id: job.id, seen: true, firstSeenSent: sent, firstSeenRecv: recv, lastMissSent, lastMissRecv, polls, timeouts });
      return;
    }
    if (lastMissSent === null) parentPort.postMessage({ id: job.id, started: true }); // poll loop is running
    lastMissSent = sent;
    lastMissRecv = recv;
  }
  parentPort.postMessage({ id: job.id, seen: false, lastMissSent, lastMissRecv, polls, timeouts });
});
parentPort.postMessage({ ready: true });
