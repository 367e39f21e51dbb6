// zonekeeper's batched UDP socket for the DNS server (Linux): recvmmsg/sendmmsg on a non-blocking
// socket watched by a libuv poll handle on Node's own loop. One JS call per received batch, one
// native call per batch of replies. See src/dns/server/udp-batch.ts for the JS side and
// docs/dns.md ("dns/server/") for the design.
//
// Memory shared with JS, all passed to the constructor and kept referenced until close():
//   inBuf   Uint8Array, `batch` slots of `slot` octets; packet i lands at offset i * slot
//   inDesc  Int32Array, 2 per packet: [offset, length] (length -1: datagram was truncated)
//   outBuf  Uint8Array the replies are written into by JS
//   outDesc Int32Array, 3 per reply: [offset, length, index of the packet it answers]
// The source addresses of the current batch stay here (index = packet number) until the next
// batch is read; copyAddr() saves one for a reply sent later (sendToAddr()).
//
// Send back-pressure: when sendmmsg/sendto reports EAGAIN, the unsent replies are copied into a
// bounded queue (kPendingMax) and sent when the socket turns writable (same poll handle, plus
// UV_WRITABLE); replies that do not fit in the queue are dropped and counted.
#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <vector>

namespace {

constexpr uint32_t kMaxBatch = 1024;
constexpr size_t kPendingMax = 4096;
constexpr int kRcvBuf = 4 * 1024 * 1024;
/** Batches read per wakeup before returning to the loop (fairness towards TCP, timers, IPC). */
constexpr uint32_t kBatchesPerWakeup = 8;

struct Pending {
  sockaddr_storage addr;
  socklen_t addrlen;
  std::vector<uint8_t> data;
};

struct Stats {
  double wakeups = 0;
  double batches = 0;
  double received = 0;
  double sent = 0;
  double queued = 0;
  double queueDropped = 0;
  double sendErrors = 0;
  double recvErrors = 0;
  double truncated = 0;
};

struct Sock {
  napi_env env = nullptr;
  napi_ref cb = nullptr;
  napi_ref refs[4] = {nullptr, nullptr, nullptr, nullptr};
  napi_async_context actx = nullptr;
  uint8_t* inData = nullptr;
  size_t inLen = 0;
  int32_t* inDesc = nullptr;
  uint8_t* outData = nullptr;
  size_t outLen = 0;
  int32_t* outDesc = nullptr;
  size_t outDescLen = 0;
  uint32_t batch = 0;
  uint32_t slot = 0;
  int fd = -1;
  uv_poll_t poll;
  bool pollStarted = false;
  bool closed = false;
  bool jsGone = false;
  bool handleOpen = false;
  bool writable = false;
  /** Packets of the current batch (valid source indexes for sendBatch/copyAddr). */
  uint32_t current = 0;
  std::vector<mmsghdr> rmsg;
  std::vector<iovec> riov;
  std::vector<sockaddr_storage> raddr;
  std::vector<mmsghdr> smsg;
  std::vector<iovec> siov;
  std::deque<Pending> pending;
  Stats stats;
};

// --- helpers ---------------------------------------------------------------------------------

const char* ErrnoCode(int e) {
  switch (e) {
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOBUFS: return "ENOBUFS";
    case ENOMEM: return "ENOMEM";
    case EBADF: return "EBADF";
    default: return "EIO";
  }
}

/** Throws an Error with `code` (e.g. EADDRINUSE), `errno` and `syscall`, like Node's own. */
void ThrowErrno(napi_env env, int e, const char* syscall) {
  const char* code = ErrnoCode(e);
  char text[160];
  snprintf(text, sizeof text, "%s %s: %s", syscall, code, strerror(e));
  napi_value msg, codeVal, err, errnoVal, sys;
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg) != napi_ok) return;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &codeVal);
  napi_create_error(env, codeVal, msg, &err);
  napi_create_int32(env, -e, &errnoVal);
  napi_set_named_property(env, err, "errno", errnoVal);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, err, "syscall", sys);
  napi_throw(env, err);
}

socklen_t AddrLen(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return sizeof(sockaddr_in);
  if (a.ss_family == AF_INET6) return sizeof(sockaddr_in6);
  return 0;
}

void OnPoll(uv_poll_t* handle, int status, int events);

void StartPoll(Sock* s) {
  if (s->closed) return;
  int events = UV_READABLE | (s->pending.empty() ? 0 : UV_WRITABLE);
  if (uv_poll_start(&s->poll, events, OnPoll) == 0) s->pollStarted = true;
}

void Queue(Sock* s, const sockaddr_storage& addr, socklen_t addrlen, const uint8_t* data, size_t len) {
  if (s->pending.size() >= kPendingMax) {
    s->stats.queueDropped++;
    return;
  }
  Pending p;
  memcpy(&p.addr, &addr, sizeof addr);
  p.addrlen = addrlen;
  p.data.assign(data, data + len);
  const bool wasEmpty = s->pending.empty();
  s->pending.push_back(std::move(p));
  s->stats.queued++;
  if (wasEmpty) StartPoll(s);
}

/** Sends the queued replies until EAGAIN; stops watching for writability once they are gone. */
void Flush(Sock* s) {
  while (!s->pending.empty() && !s->closed) {
    Pending& p = s->pending.front();
    ssize_t r = sendto(s->fd, p.data.data(), p.data.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&p.addr), p.addrlen);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (r < 0) s->stats.sendErrors++;
    else s->stats.sent++;
    s->pending.pop_front();
  }
  StartPoll(s);
}

void FreeSock(Sock* s) { delete s; }

void OnHandleClosed(uv_handle_t* h) {
  Sock* s = static_cast<Sock*>(h->data);
  s->handleOpen = false;
  if (s->jsGone) FreeSock(s);
}

void CloseSock(Sock* s) {
  if (s->closed) return;
  s->closed = true;
  if (s->handleOpen) {
    uv_poll_stop(&s->poll);  // also drops the fd from epoll, so closing it now is safe
    uv_close(reinterpret_cast<uv_handle_t*>(&s->poll), OnHandleClosed);
  }
  if (s->fd >= 0) {
    close(s->fd);
    s->fd = -1;
  }
  s->pending.clear();
  napi_env env = s->env;
  if (s->cb != nullptr) {
    napi_delete_reference(env, s->cb);
    s->cb = nullptr;
  }
  for (napi_ref& r : s->refs) {
    if (r != nullptr) {
      napi_delete_reference(env, r);
      r = nullptr;
    }
  }
  if (s->actx != nullptr) {
    napi_async_destroy(env, s->actx);
    s->actx = nullptr;
  }
  s->inData = s->outData = nullptr;
  s->inDesc = s->outDesc = nullptr;
}

void EnvCleanup(void* arg) { CloseSock(static_cast<Sock*>(arg)); }

/** Calls onBatch(count); an exception thrown there is reported like any uncaught one. */
void CallBatch(Sock* s, uint32_t count) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, arg, result;
  if (napi_get_reference_value(env, s->cb, &cb) == napi_ok && cb != nullptr) {
    napi_get_global(env, &recv);  // napi_make_callback needs an object receiver
    napi_create_uint32(env, count, &arg);
    napi_status st = napi_make_callback(env, s->actx, recv, cb, 1, &arg, &result);
    if (st == napi_pending_exception) {
      napi_value exc;
      if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
    }
  }
  napi_close_handle_scope(env, scope);
}

void ReadBatches(Sock* s) {
  for (uint32_t round = 0; round < kBatchesPerWakeup && !s->closed; round++) {
    for (uint32_t i = 0; i < s->batch; i++) {
      msghdr& h = s->rmsg[i].msg_hdr;
      h.msg_name = &s->raddr[i];
      h.msg_namelen = sizeof(sockaddr_storage);
      h.msg_iov = &s->riov[i];
      h.msg_iovlen = 1;
      h.msg_control = nullptr;
      h.msg_controllen = 0;
      h.msg_flags = 0;
      s->rmsg[i].msg_len = 0;
    }
    int n = recvmmsg(s->fd, s->rmsg.data(), s->batch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) s->stats.recvErrors++;
      return;
    }
    if (n == 0) return;
    for (int i = 0; i < n; i++) {
      const bool trunc = (s->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
      if (trunc) s->stats.truncated++;
      s->inDesc[2 * i] = static_cast<int32_t>(static_cast<size_t>(i) * s->slot);
      s->inDesc[2 * i + 1] = trunc ? -1 : static_cast<int32_t>(s->rmsg[i].msg_len);
    }
    s->current = static_cast<uint32_t>(n);
    s->stats.batches++;
    s->stats.received += n;
    CallBatch(s, static_cast<uint32_t>(n));
    // JS may have closed the socket meanwhile (s stays allocated until the handle is closed).
    if (static_cast<uint32_t>(n) < s->batch) return;
  }
}

void OnPoll(uv_poll_t* handle, int status, int events) {
  Sock* s = static_cast<Sock*>(handle->data);
  if (s->closed) return;
  s->stats.wakeups++;
  if (status < 0) {
    s->stats.recvErrors++;
    return;
  }
  if ((events & UV_WRITABLE) != 0) Flush(s);
  if ((events & UV_READABLE) != 0) ReadBatches(s);
}

// --- JS bindings -------------------------------------------------------------------------------

Sock* Unwrap(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  napi_value self;
  if (napi_get_cb_info(env, info, argc, argv, &self, nullptr) != napi_ok) return nullptr;
  void* p = nullptr;
  if (napi_unwrap(env, self, &p) != napi_ok || p == nullptr) {
    napi_throw_type_error(env, nullptr, "not a UdpBatchSocket");
    return nullptr;
  }
  return static_cast<Sock*>(p);
}

bool GetTyped(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length, const char* what) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (!is || napi_get_typedarray_info(env, v, &type, length, data, &ab, &off) != napi_ok || type != want) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s has the wrong type", what);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  return true;
}

bool GetU32(napi_env env, napi_value v, uint32_t* out, const char* what) {
  if (napi_get_value_uint32(env, v, out) != napi_ok) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a number", what);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  return true;
}

void Finalize(napi_env env, void* data, void* hint) {
  Sock* s = static_cast<Sock*>(data);
  napi_remove_env_cleanup_hook(env, EnvCleanup, s);
  CloseSock(s);
  s->jsGone = true;
  if (!s->handleOpen) FreeSock(s);
}

// new UdpBatchSocket(host, port, reusePort, inBuf, inDesc, outBuf, outDesc, slot, onBatch)
napi_value New(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_value self;
  napi_get_cb_info(env, info, &argc, argv, &self, nullptr);
  if (argc < 9) {
    napi_throw_type_error(env, nullptr, "UdpBatchSocket needs 9 arguments");
    return nullptr;
  }
  char host[INET6_ADDRSTRLEN + 1];
  size_t hostLen = 0;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hostLen) != napi_ok) {
    napi_throw_type_error(env, nullptr, "host must be a string");
    return nullptr;
  }
  uint32_t port, slot;
  bool reusePort = false;
  if (!GetU32(env, argv[1], &port, "port") || !GetU32(env, argv[7], &slot, "slot")) return nullptr;
  napi_get_value_bool(env, argv[2], &reusePort);
  if (port > 65535 || slot == 0) {
    napi_throw_range_error(env, nullptr, "port or slot out of range");
    return nullptr;
  }
  void *inData, *inDesc, *outData, *outDesc;
  size_t inLen, inDescLen, outLen, outDescLen;
  if (!GetTyped(env, argv[3], napi_uint8_array, &inData, &inLen, "inBuf") || !GetTyped(env, argv[4], napi_int32_array, &inDesc, &inDescLen, "inDesc") ||
      !GetTyped(env, argv[5], napi_uint8_array, &outData, &outLen, "outBuf") || !GetTyped(env, argv[6], napi_int32_array, &outDesc, &outDescLen, "outDesc")) {
    return nullptr;
  }
  napi_valuetype cbType;
  napi_typeof(env, argv[8], &cbType);
  if (cbType != napi_function) {
    napi_throw_type_error(env, nullptr, "onBatch must be a function");
    return nullptr;
  }
  const size_t batch = inLen / slot;
  if (batch == 0 || batch > kMaxBatch || inDescLen < 2 * batch || outDescLen < 3 || outDescLen / 3 > kMaxBatch) {
    napi_throw_range_error(env, nullptr, "buffer sizes do not fit the batch");
    return nullptr;
  }

  sockaddr_storage addr;
  memset(&addr, 0, sizeof addr);
  socklen_t addrlen;
  auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(port));
    addrlen = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(port));
    addrlen = sizeof(sockaddr_in6);
  } else {
    napi_throw_type_error(env, "EINVAL", "host must be an IPv4 or IPv6 address");
    return nullptr;
  }

  int fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ThrowErrno(env, errno, "socket");
    return nullptr;
  }
  const int one = 1;
  if (reusePort && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    int e = errno;
    close(fd);
    ThrowErrno(env, e, "setsockopt");
    return nullptr;
  }
  // A deeper receive queue absorbs bursts; capped by net.core.rmem_max unless we may force it.
  const int rcv = kRcvBuf;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), addrlen) != 0) {
    int e = errno;
    close(fd);
    ThrowErrno(env, e, "bind");
    return nullptr;
  }

  Sock* s = new Sock();
  s->env = env;
  s->fd = fd;
  s->batch = static_cast<uint32_t>(batch);
  s->slot = slot;
  s->inData = static_cast<uint8_t*>(inData);
  s->inLen = inLen;
  s->inDesc = static_cast<int32_t*>(inDesc);
  s->outData = static_cast<uint8_t*>(outData);
  s->outLen = outLen;
  s->outDesc = static_cast<int32_t*>(outDesc);
  s->outDescLen = outDescLen;
  s->rmsg.assign(batch, mmsghdr{});
  s->riov.resize(batch);
  s->raddr.resize(batch);
  for (size_t i = 0; i < batch; i++) {
    s->riov[i].iov_base = s->inData + i * slot;
    s->riov[i].iov_len = slot;
  }
  s->smsg.assign(outDescLen / 3, mmsghdr{});
  s->siov.resize(outDescLen / 3);
  for (int i = 0; i < 4; i++) napi_create_reference(env, argv[3 + i], 1, &s->refs[i]);
  napi_create_reference(env, argv[8], 1, &s->cb);
  napi_value resName;
  napi_create_string_utf8(env, "zonekeeper:UdpBatchSocket", NAPI_AUTO_LENGTH, &resName);
  napi_async_init(env, self, resName, &s->actx);

  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  s->poll.data = s;
  int r = uv_poll_init(loop, &s->poll, fd);
  if (r != 0) {
    CloseSock(s);
    FreeSock(s);
    ThrowErrno(env, -r, "uv_poll_init");
    return nullptr;
  }
  s->handleOpen = true;
  StartPoll(s);
  if (napi_wrap(env, self, s, Finalize, nullptr, nullptr) != napi_ok) {
    s->jsGone = true;  // freed once the handle is closed
    CloseSock(s);
    return nullptr;
  }
  napi_add_env_cleanup_hook(env, EnvCleanup, s);
  return self;
}

napi_value Port(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Sock* s = Unwrap(env, info, &argc, nullptr);
  if (s == nullptr) return nullptr;
  if (s->closed) {
    ThrowErrno(env, EBADF, "getsockname");
    return nullptr;
  }
  sockaddr_storage a;
  socklen_t len = sizeof a;
  if (getsockname(s->fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ThrowErrno(env, errno, "getsockname");
    return nullptr;
  }
  uint16_t port = a.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port) : ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
  napi_value out;
  napi_create_uint32(env, port, &out);
  return out;
}

// sendBatch(count): sends outDesc[0 .. 3*count) — returns how many replies were sent or queued.
napi_value SendBatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Sock* s = Unwrap(env, info, &argc, argv);
  if (s == nullptr) return nullptr;
  uint32_t count = 0;
  if (argc < 1 || !GetU32(env, argv[0], &count, "count")) return nullptr;
  napi_value out;
  if (s->closed) {
    napi_create_uint32(env, 0, &out);
    return out;
  }
  if (count > s->smsg.size()) {
    napi_throw_range_error(env, nullptr, "count exceeds outDesc");
    return nullptr;
  }
  for (uint32_t i = 0; i < count; i++) {
    const int32_t off = s->outDesc[3 * i], len = s->outDesc[3 * i + 1], src = s->outDesc[3 * i + 2];
    if (off < 0 || len < 0 || static_cast<size_t>(off) + static_cast<size_t>(len) > s->outLen || src < 0 || static_cast<uint32_t>(src) >= s->current) {
      napi_throw_range_error(env, nullptr, "reply descriptor out of range");
      return nullptr;
    }
    s->siov[i].iov_base = s->outData + off;
    s->siov[i].iov_len = static_cast<size_t>(len);
    msghdr& h = s->smsg[i].msg_hdr;
    h.msg_name = &s->raddr[src];
    h.msg_namelen = s->rmsg[src].msg_hdr.msg_namelen;
    h.msg_iov = &s->siov[i];
    h.msg_iovlen = 1;
    h.msg_control = nullptr;
    h.msg_controllen = 0;
    h.msg_flags = 0;
  }
  uint32_t done = 0, accepted = 0;
  while (done < count) {
    if (!s->pending.empty()) {
      // Keep the order: once something waits, everything after it waits too.
      for (; done < count; done++) {
        const size_t before = s->pending.size();
        Queue(s, s->raddr[s->outDesc[3 * done + 2]], s->smsg[done].msg_hdr.msg_namelen, static_cast<uint8_t*>(s->siov[done].iov_base), s->siov[done].iov_len);
        if (s->pending.size() > before) accepted++;
      }
      break;
    }
    int r = sendmmsg(s->fd, &s->smsg[done], count - done, MSG_DONTWAIT);
    if (r > 0) {
      done += static_cast<uint32_t>(r);
      accepted += static_cast<uint32_t>(r);
      s->stats.sent += r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const size_t before = s->pending.size();
      Queue(s, s->raddr[s->outDesc[3 * done + 2]], s->smsg[done].msg_hdr.msg_namelen, static_cast<uint8_t*>(s->siov[done].iov_base), s->siov[done].iov_len);
      if (s->pending.size() > before) accepted++;
      done++;
      continue;  // the rest goes to the queue too (it is not empty any more) unless it was full
    }
    // Any other error belongs to the first message: drop it, go on with the next.
    s->stats.sendErrors++;
    done++;
  }
  napi_create_uint32(env, accepted, &out);
  return out;
}

// copyAddr(index, buf): the source address of packet `index` of the current batch into buf
// (at least 28 octets: a sockaddr_in or sockaddr_in6). Returns its length.
napi_value CopyAddr(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Sock* s = Unwrap(env, info, &argc, argv);
  if (s == nullptr) return nullptr;
  uint32_t index;
  void* data;
  size_t len;
  if (argc < 2 || !GetU32(env, argv[0], &index, "index") || !GetTyped(env, argv[1], napi_uint8_array, &data, &len, "buf")) return nullptr;
  if (index >= s->current || len < sizeof(sockaddr_in6)) {
    napi_throw_range_error(env, nullptr, "index or buffer size out of range");
    return nullptr;
  }
  const socklen_t n = AddrLen(s->raddr[index]);
  memset(data, 0, sizeof(sockaddr_in6));
  memcpy(data, &s->raddr[index], n);
  napi_value out;
  napi_create_uint32(env, n, &out);
  return out;
}

bool ReadAddrBuf(napi_env env, napi_value v, sockaddr_storage* a, socklen_t* alen) {
  void* data;
  size_t len;
  if (!GetTyped(env, v, napi_uint8_array, &data, &len, "addr")) return false;
  memset(a, 0, sizeof *a);
  memcpy(a, data, len < sizeof(sockaddr_in6) ? len : sizeof(sockaddr_in6));
  *alen = AddrLen(*a);
  if (*alen == 0 || len < *alen) {
    napi_throw_type_error(env, nullptr, "addr is not an address from copyAddr()");
    return false;
  }
  return true;
}

// sendToAddr(addr, data): one datagram; true when sent or queued.
napi_value SendToAddr(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Sock* s = Unwrap(env, info, &argc, argv);
  if (s == nullptr) return nullptr;
  sockaddr_storage a;
  socklen_t alen;
  void* data;
  size_t len;
  if (argc < 2 || !ReadAddrBuf(env, argv[0], &a, &alen) || !GetTyped(env, argv[1], napi_uint8_array, &data, &len, "data")) return nullptr;
  bool ok = false;
  if (!s->closed) {
    if (!s->pending.empty()) {
      const size_t before = s->pending.size();
      Queue(s, a, alen, static_cast<uint8_t*>(data), len);
      ok = s->pending.size() > before;
    } else {
      ssize_t r;
      do r = sendto(s->fd, data, len, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&a), alen);
      while (r < 0 && errno == EINTR);
      if (r >= 0) {
        s->stats.sent++;
        ok = true;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        const size_t before = s->pending.size();
        Queue(s, a, alen, static_cast<uint8_t*>(data), len);
        ok = s->pending.size() > before;
      } else {
        s->stats.sendErrors++;
      }
    }
  }
  napi_value out;
  napi_get_boolean(env, ok, &out);
  return out;
}

// addrText(addr): "192.0.2.1" / "2001:db8::1" of an address buffer (for logs).
napi_value AddrText(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  sockaddr_storage a;
  socklen_t alen;
  if (argc < 1 || !ReadAddrBuf(env, argv[0], &a, &alen)) return nullptr;
  char text[INET6_ADDRSTRLEN] = "";
  if (a.ss_family == AF_INET) inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&a)->sin_addr, text, sizeof text);
  else inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&a)->sin6_addr, text, sizeof text);
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Sock* s = Unwrap(env, info, &argc, nullptr);
  if (s == nullptr) return nullptr;
  if (!s->closed) {
    napi_remove_env_cleanup_hook(env, EnvCleanup, s);
    CloseSock(s);
  }
  return nullptr;
}

napi_value GetStats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Sock* s = Unwrap(env, info, &argc, nullptr);
  if (s == nullptr) return nullptr;
  napi_value out, v;
  napi_create_object(env, &out);
  const struct {
    const char* name;
    double value;
  } fields[] = {
      {"wakeups", s->stats.wakeups}, {"batches", s->stats.batches}, {"received", s->stats.received},
      {"sent", s->stats.sent}, {"queued", s->stats.queued}, {"queueDropped", s->stats.queueDropped},
      {"sendErrors", s->stats.sendErrors}, {"recvErrors", s->stats.recvErrors}, {"truncated", s->stats.truncated},
      {"pending", static_cast<double>(s->pending.size())},
  };
  for (const auto& f : fields) {
    napi_create_double(env, f.value, &v);
    napi_set_named_property(env, out, f.name, v);
  }
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"port", nullptr, Port, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sendBatch", nullptr, SendBatch, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"copyAddr", nullptr, CopyAddr, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sendToAddr", nullptr, SendToAddr, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stats", nullptr, GetStats, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value cls;
  napi_define_class(env, "UdpBatchSocket", NAPI_AUTO_LENGTH, New, nullptr, sizeof methods / sizeof methods[0], methods, &cls);
  napi_set_named_property(env, exports, "UdpBatchSocket", cls);
  napi_value fn;
  napi_create_function(env, "addrText", NAPI_AUTO_LENGTH, AddrText, nullptr, &fn);
  napi_set_named_property(env, exports, "addrText", fn);
  napi_value maxBatch;
  napi_create_uint32(env, kMaxBatch, &maxBatch);
  napi_set_named_property(env, exports, "maxBatch", maxBatch);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
