// A DNS "server" that does no DNS work: it answers every query with the query itself, QR and AA
// set (a NOERROR reply with an empty answer section). It bounds what any Node.js server built
// on node:dgram can show under the same dnsperf load on the same machine (bench/dns/ceiling.mjs).
//
//   node bench/dns/lib/ceiling-server.mjs PORT MODE WORKERS
//   MODE: cb   = socket.send(reply, port, address, callback)  (what a server that counts sends does)
//         nocb = socket.send(reply, port, address)
//   WORKERS: 0 = answer in this process; N > 0 = node:cluster with N workers sharing the socket
import cluster from 'node:cluster';
import dgram from 'node:dgram';

const [port, mode = 'cb', workers = '0'] = process.argv.slice(2);
const n = Number(workers);

if (cluster.isPrimary && n > 0) {
  for (let i = 0; i < n; i++) cluster.fork();
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === n) console.log('listening');
  });
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers)) w.kill();
    process.exit(0);
  });
} else {
  const sock = dgram.createSocket('udp4');
  let sent = 0;
  const done = () => {
    sent++;
  };
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    msg[2] = (msg[2] | 0x84) & 0xfd; // QR, AA; clear TC (keeps opcode and RD)
    msg[3] &= 0x70; // RA off, RCODE 0
    if (mode === 'cb') sock.send(msg, rinfo.port, rinfo.address, done);
    else sock.send(msg, rinfo.port, rinfo.address);
  });
  sock.bind(Number(port), '127.0.0.1', () => {
    if (n === 0) console.log('listening');
  });
  process.on('SIGTERM', () => process.exit(0));
}
