// Entry point of a DNS worker process (forked by DnsWorkerPool through node:cluster).
import { runDnsWorker } from './worker.js';

runDnsWorker();
