/*
 * anchord_udp.c - a batched UDP endpoint for the resolver's client-facing listener
 * (src/transport/native-udp.ts, src/transport/udp-listener.ts), part of the anchord_verify addon.
 *
 * node:dgram costs per datagram: a libuv recvmsg into a 64 KiB allocation, a Buffer, a
 * MakeCallback into JS, an 'message' emit with a RemoteInfo whose address is a fresh string, and
 * per answer a lookup and a SendWrap. Here a socket made and bound in C is polled on Node's own loop
 * (uv_poll_t); on readability it drains up to `batch` datagrams with one recvmmsg(2) into memory
 * JS sees, calls JS once for the whole batch, and sends the answers JS wrote during that call with
 * one sendmmsg(2). Answers made later (cache misses) go out with sendto(2) through sendTo().
 *
 * The C side never reads a payload: untrusted bytes stay bytes, and JS does DNS. It checks bounds
 * only (datagrams longer than a slot arrive with MSG_TRUNC and are counted and dropped; answer
 * lengths JS wrote are checked against the slot) and never throws for a send that fails: EAGAIN and
 * ENOBUFS (a full socket buffer) and other send errors are counted, as UDP allows a lost answer.
 *
 * JS API (one object per endpoint, made by udpOpen):
 *   udpOpen(address, port, reusePort, rcvbuf, sndbuf, batch, slot, sendSlot, onBatch) -> endpoint
 *     address: an IPv4 or IPv6 literal; rcvbuf/sndbuf 0 = system default; onBatch(count) is called
 *     once per batch of `count` datagrams. Throws an Error with `code` (errno name) when the socket
 *     cannot be made or bound.
 *   endpoint.port            the bound port (the system's choice when 0 was asked)
 *   endpoint.payload         ArrayBuffer, batch * slot: datagram j at j * slot
 *   endpoint.meta            Int32Array, batch * 4: [length, port, family (4|6), IPv4 as int32]
 *   endpoint.addr            Uint8Array, batch * 16: the IPv6 source of datagram j at j * 16
 *   endpoint.out             ArrayBuffer, batch * sendSlot: the answer to datagram j at j * sendSlot
 *   endpoint.outLen          Int32Array, batch: the answer's length (0: no answer yet)
 *   endpoint.counters        Float64Array: see COUNTER_* below
 *   endpoint.sendTo(bytes, port, family, ip4, ip6) -> boolean   one answer now (sendto)
 *   endpoint.close()         stops polling, closes the socket, releases the memory refs
 *
 * Lifetime: an open endpoint holds its JS object (and so its memory) strongly; close() lets go,
 * and the C side is freed once both the uv handle has closed and the object has been finalized.
 * An environment that ends with the endpoint open (a worker thread terminated) closes it through
 * an async cleanup hook that Node waits on until uv_close's callback ran.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "anchord_udp.h"

/* counters[] slots, read by native-udp.ts. */
enum {
  COUNTER_RECEIVED = 0, /* datagrams handed to JS */
  COUNTER_BATCHES,      /* onBatch calls */
  COUNTER_OVERSIZE,     /* MSG_TRUNC datagrams dropped */
  COUNTER_SENT,         /* answers the kernel took */
  COUNTER_SEND_FULL,    /* answers lost to EAGAIN/EWOULDBLOCK/ENOBUFS */
  COUNTER_SEND_ERROR,   /* answers lost to other send errors (bad length included) */
  COUNTER_RECV_ERROR,   /* recvmmsg errors other than EAGAIN/EINTR */
  COUNTER_COUNT
};

/* Batches drained per readability event before the loop gets a turn (libuv's own dgram reads 32). */
#define MAX_BATCHES_PER_WAKE 4
#define META_FIELDS 4

typedef struct {
  napi_env env;
  int fd;
  int family; /* AF_INET or AF_INET6 */
  uv_poll_t poll;
  int open;          /* polling; close() not called */
  int handle_closed; /* uv_close's callback ran (or the handle was never started) */
  int finalized;     /* the JS object is gone */
  int in_callback;
  /* The async cleanup hook while open; the one Node handed us while it waits for the handle to close. */
  napi_async_cleanup_hook_handle cleanup;
  napi_async_cleanup_hook_handle cleanup_pending;
  napi_ref self;     /* strong while open: the endpoint lives while it polls */
  napi_ref callback;
  napi_ref mem[6];   /* payload, meta, addr, out, outLen, counters: strong while open */
  napi_async_context actx;
  uint32_t batch, slot, send_slot;
  uint8_t *payload;
  int32_t *meta;
  uint8_t *addr;
  uint8_t *out;
  int32_t *out_len;
  double *counters;
  int *index; /* index[j]: the recvmmsg entry of JS datagram j */
  struct mmsghdr *rmsgs;
  struct iovec *riov;
  struct sockaddr_storage *rname;
  struct mmsghdr *smsgs;
  struct iovec *siov;
} endpoint_t;

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  const char *code = NULL;
  switch (err) {
    case EADDRINUSE: code = "EADDRINUSE"; break;
    case EADDRNOTAVAIL: code = "EADDRNOTAVAIL"; break;
    case EACCES: code = "EACCES"; break;
    case EAFNOSUPPORT: code = "EAFNOSUPPORT"; break;
    case EINVAL: code = "EINVAL"; break;
    case ENOMEM: code = "ENOMEM"; break;
    case EMFILE: code = "EMFILE"; break;
    default: code = "EIO"; break;
  }
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, code, msg);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static void endpoint_free(endpoint_t *ep) {
  free(ep->index);
  free(ep->rmsgs);
  free(ep->riov);
  free(ep->rname);
  free(ep->smsgs);
  free(ep->siov);
  free(ep);
}

static void on_handle_closed(uv_handle_t *h) {
  endpoint_t *ep = h->data;
  if (ep->fd >= 0) close(ep->fd);
  ep->fd = -1;
  ep->handle_closed = 1;
  /* Removing the hook lets the environment's teardown go on (it may finalize ep there): ep is not touched after it. */
  napi_async_cleanup_hook_handle pending = ep->cleanup_pending;
  ep->cleanup_pending = NULL;
  if (ep->finalized) endpoint_free(ep);
  if (pending != NULL) napi_remove_async_cleanup_hook(pending);
}

static void endpoint_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  endpoint_t *ep = data;
  ep->finalized = 1;
  if (ep->handle_closed) endpoint_free(ep);
}

/* Stops polling and lets go of the JS references; the socket closes in uv_close's callback. */
static void endpoint_stop(endpoint_t *ep) {
  napi_env env = ep->env;
  if (!ep->open) return;
  ep->open = 0;
  if (ep->cleanup != NULL) napi_remove_async_cleanup_hook(ep->cleanup);
  ep->cleanup = NULL;
  uv_poll_stop(&ep->poll);
  uv_close((uv_handle_t *)&ep->poll, on_handle_closed);
  for (int i = 0; i < 6; i++) {
    if (ep->mem[i] != NULL) napi_delete_reference(env, ep->mem[i]);
    ep->mem[i] = NULL;
  }
  if (ep->callback != NULL) napi_delete_reference(env, ep->callback);
  ep->callback = NULL;
  /* Inside a batch call (close() from the handler) napi_make_callback is still using the context: on_readable destroys it after. */
  if (ep->actx != NULL && !ep->in_callback) {
    napi_async_destroy(env, ep->actx);
    ep->actx = NULL;
  }
  if (ep->self != NULL) napi_delete_reference(env, ep->self);
  ep->self = NULL;
}

/*
 * The environment (a worker thread, or the process) ends with the endpoint open: stop polling and
 * close the handle, and tell Node the cleanup is done only from uv_close's callback, so that the
 * addon's code is still there when libuv calls it.
 */
static void async_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  endpoint_t *ep = arg;
  ep->cleanup = NULL; /* removed by on_handle_closed through cleanup_pending */
  ep->cleanup_pending = handle;
  endpoint_stop(ep);
}

static void count_send_error(endpoint_t *ep, int err) {
  if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
    ep->counters[COUNTER_SEND_FULL]++;
  } else {
    ep->counters[COUNTER_SEND_ERROR]++;
  }
}

/* Sends the answers JS wrote into out/outLen for datagrams 0..count-1 with sendmmsg. */
static void flush_answers(endpoint_t *ep, int count) {
  int m = 0;
  for (int j = 0; j < count; j++) {
    int32_t len = ep->out_len[j];
    if (len == 0) continue;
    ep->out_len[j] = 0;
    if (len < 0 || (uint32_t)len > ep->send_slot) {
      ep->counters[COUNTER_SEND_ERROR]++;
      continue;
    }
    int i = ep->index[j];
    ep->siov[m].iov_base = ep->out + (size_t)j * ep->send_slot;
    ep->siov[m].iov_len = (size_t)len;
    memset(&ep->smsgs[m].msg_hdr, 0, sizeof ep->smsgs[m].msg_hdr);
    ep->smsgs[m].msg_hdr.msg_iov = &ep->siov[m];
    ep->smsgs[m].msg_hdr.msg_iovlen = 1;
    ep->smsgs[m].msg_hdr.msg_name = &ep->rname[i];
    ep->smsgs[m].msg_hdr.msg_namelen = ep->rmsgs[i].msg_hdr.msg_namelen;
    m++;
  }
  int k = 0;
  while (k < m) {
    int r = sendmmsg(ep->fd, ep->smsgs + k, (unsigned)(m - k), MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      count_send_error(ep, errno); /* the first message failed: skip it, try the rest */
      k++;
    } else {
      ep->counters[COUNTER_SENT] += r;
      k += r;
    }
  }
}

/*
 * One recvmmsg into the slots; returns the datagrams kept for JS (oversize ones dropped), -1 when
 * none are waiting; *got is how many the kernel gave (fewer than the batch: the queue is empty).
 */
static int receive_batch(endpoint_t *ep, int *got) {
  for (uint32_t i = 0; i < ep->batch; i++) {
    ep->rmsgs[i].msg_hdr.msg_namelen = sizeof ep->rname[i];
    ep->rmsgs[i].msg_hdr.msg_flags = 0;
    ep->rmsgs[i].msg_len = 0;
  }
  int n;
  do {
    n = recvmmsg(ep->fd, ep->rmsgs, ep->batch, MSG_DONTWAIT, NULL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) ep->counters[COUNTER_RECV_ERROR]++;
    return -1;
  }
  *got = n;
  int count = 0;
  for (int i = 0; i < n; i++) {
    struct msghdr *h = &ep->rmsgs[i].msg_hdr;
    if ((h->msg_flags & MSG_TRUNC) != 0 || ep->rmsgs[i].msg_len > ep->slot) {
      ep->counters[COUNTER_OVERSIZE]++;
      continue;
    }
    int32_t *meta = ep->meta + (size_t)count * META_FIELDS;
    const struct sockaddr_storage *from = &ep->rname[i];
    if (from->ss_family == AF_INET && h->msg_namelen >= sizeof(struct sockaddr_in)) {
      const struct sockaddr_in *a = (const struct sockaddr_in *)from;
      meta[1] = ntohs(a->sin_port);
      meta[2] = 4;
      meta[3] = (int32_t)ntohl(a->sin_addr.s_addr);
    } else if (from->ss_family == AF_INET6 && h->msg_namelen >= sizeof(struct sockaddr_in6)) {
      const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)from;
      meta[1] = ntohs(a->sin6_port);
      meta[2] = 6;
      meta[3] = 0;
      memcpy(ep->addr + (size_t)count * 16, &a->sin6_addr, 16);
    } else {
      ep->counters[COUNTER_RECV_ERROR]++;
      continue;
    }
    /* The payload stays where recvmmsg put it unless an earlier one was dropped: move it down. */
    if (count != i) memmove(ep->payload + (size_t)count * ep->slot, ep->payload + (size_t)i * ep->slot, ep->rmsgs[i].msg_len);
    meta[0] = (int32_t)ep->rmsgs[i].msg_len;
    ep->index[count] = i;
    ep->out_len[count] = 0;
    count++;
  }
  return count;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  endpoint_t *ep = handle->data;
  (void)events;
  if (!ep->open || ep->in_callback) return;
  if (status < 0) {
    ep->counters[COUNTER_RECV_ERROR]++;
    return;
  }
  napi_env env = ep->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  for (int round = 0; round < MAX_BATCHES_PER_WAKE && ep->open; round++) {
    int got = 0;
    int count = receive_batch(ep, &got);
    if (count < 0) break;
    if (count == 0) {
      if ((uint32_t)got < ep->batch) break;
      continue;
    }
    ep->counters[COUNTER_RECEIVED] += count;
    ep->counters[COUNTER_BATCHES]++;
    napi_value self, fn, arg, result;
    if (napi_get_reference_value(env, ep->self, &self) != napi_ok || napi_get_reference_value(env, ep->callback, &fn) != napi_ok ||
        napi_create_int32(env, count, &arg) != napi_ok) {
      break;
    }
    ep->in_callback = 1;
    napi_status st = napi_make_callback(env, ep->actx, self, fn, 1, &arg, &result);
    ep->in_callback = 0;
    if (st == napi_pending_exception) {
      /* JS catches its own errors; one that escapes is the process's uncaught exception. */
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
    /* close() inside the callback: the answers of this batch are not sent (the socket is going). */
    if (!ep->open) {
      if (ep->actx != NULL) napi_async_destroy(env, ep->actx);
      ep->actx = NULL;
      break;
    }
    flush_answers(ep, count);
    if ((uint32_t)got < ep->batch) break;
  }
  napi_close_handle_scope(env, scope);
}

/* ---------- JS entry points ---------- */

static endpoint_t *unwrap_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok) return NULL;
  return data;
}

static napi_value js_bool(napi_env env, int v) {
  napi_value r;
  napi_get_boolean(env, v != 0, &r);
  return r;
}

/* sendTo(bytes, port, family, ip4, ip6 | null) -> boolean: one answer now. */
static napi_value ep_send_to(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  endpoint_t *ep = unwrap_this(env, info, &argc, argv);
  if (ep == NULL || argc < 5) return throw_type(env, "sendTo(bytes, port, family, ip4, ip6) on an endpoint");
  if (!ep->open) return js_bool(env, 0);
  void *bytes;
  size_t len;
  napi_typedarray_type type;
  uint32_t port, family;
  int32_t ip4;
  if (napi_get_typedarray_info(env, argv[0], &type, &len, &bytes, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      napi_get_value_uint32(env, argv[1], &port) != napi_ok || napi_get_value_uint32(env, argv[2], &family) != napi_ok ||
      napi_get_value_int32(env, argv[3], &ip4) != napi_ok || port > 65535 || len > 65535) {
    return throw_type(env, "sendTo: bytes must be a Uint8Array of at most 65535 octets, port 0..65535");
  }
  struct sockaddr_storage to;
  socklen_t tolen;
  memset(&to, 0, sizeof to);
  if (family == 4 && ep->family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&to;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl((uint32_t)ip4);
    tolen = sizeof *a;
  } else if (family == 6 && ep->family == AF_INET6) {
    void *ip6;
    size_t ip6len;
    if (napi_get_typedarray_info(env, argv[4], &type, &ip6len, &ip6, NULL, NULL) != napi_ok || type != napi_uint8_array || ip6len != 16) {
      return throw_type(env, "sendTo: ip6 must be a Uint8Array of 16 octets");
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    memcpy(&a->sin6_addr, ip6, 16);
    tolen = sizeof *a;
  } else {
    return throw_type(env, "sendTo: family does not match the socket's");
  }
  ssize_t r;
  do {
    r = sendto(ep->fd, bytes, len, MSG_DONTWAIT, (struct sockaddr *)&to, tolen);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    count_send_error(ep, errno);
    return js_bool(env, 0);
  }
  ep->counters[COUNTER_SENT]++;
  return js_bool(env, 1);
}

static napi_value ep_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  endpoint_t *ep = unwrap_this(env, info, &argc, NULL);
  if (ep == NULL) return throw_type(env, "close() on an endpoint");
  endpoint_stop(ep);
  return NULL;
}

/* A JS buffer of `bytes` octets kept alive by a strong reference while the endpoint is open. */
static int make_buffer(napi_env env, endpoint_t *ep, int ref_slot, size_t bytes, napi_typedarray_type type, size_t elem, void **data,
                       napi_value *value) {
  napi_value ab;
  if (napi_create_arraybuffer(env, bytes, data, &ab) != napi_ok) return 0;
  memset(*data, 0, bytes);
  if (elem == 0) {
    *value = ab;
  } else if (napi_create_typedarray(env, type, bytes / elem, ab, 0, value) != napi_ok) {
    return 0;
  }
  return napi_create_reference(env, *value, 1, &ep->mem[ref_slot]) == napi_ok;
}

static napi_value udp_open(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 9) {
    return throw_type(env, "udpOpen(address, port, reusePort, rcvbuf, sndbuf, batch, slot, sendSlot, onBatch)");
  }
  char text[INET6_ADDRSTRLEN + 1];
  size_t textlen;
  uint32_t port, rcvbuf, sndbuf, batch, slot, send_slot;
  bool reuse;
  napi_valuetype fntype;
  if (napi_get_value_string_utf8(env, argv[0], text, sizeof text, &textlen) != napi_ok || napi_get_value_uint32(env, argv[1], &port) != napi_ok ||
      napi_get_value_bool(env, argv[2], &reuse) != napi_ok || napi_get_value_uint32(env, argv[3], &rcvbuf) != napi_ok ||
      napi_get_value_uint32(env, argv[4], &sndbuf) != napi_ok || napi_get_value_uint32(env, argv[5], &batch) != napi_ok ||
      napi_get_value_uint32(env, argv[6], &slot) != napi_ok || napi_get_value_uint32(env, argv[7], &send_slot) != napi_ok ||
      napi_typeof(env, argv[8], &fntype) != napi_ok || fntype != napi_function) {
    return throw_type(env, "udpOpen: bad argument types");
  }
  if (port > 65535 || batch < 1 || batch > 1024 || slot < 512 || slot > 65536 || send_slot < 512 || send_slot > 65536) {
    return throw_type(env, "udpOpen: port 0..65535, batch 1..1024, slot and sendSlot 512..65536");
  }
  struct sockaddr_storage local;
  socklen_t locallen;
  memset(&local, 0, sizeof local);
  int family;
  struct sockaddr_in *l4 = (struct sockaddr_in *)&local;
  struct sockaddr_in6 *l6 = (struct sockaddr_in6 *)&local;
  if (textlen < sizeof text - 1 && inet_pton(AF_INET, text, &l4->sin_addr) == 1) {
    family = AF_INET;
    l4->sin_family = AF_INET;
    l4->sin_port = htons((uint16_t)port);
    locallen = sizeof *l4;
  } else if (textlen < sizeof text - 1 && inet_pton(AF_INET6, text, &l6->sin6_addr) == 1) {
    family = AF_INET6;
    l6->sin6_family = AF_INET6;
    l6->sin6_port = htons((uint16_t)port);
    locallen = sizeof *l6;
  } else {
    return throw_type(env, "udpOpen: address is not an IPv4 or IPv6 literal");
  }

  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1;
  /* As node:dgram's ipv6Only: an IPv6 listen address takes IPv6 only (RFC 3493 §5.3). */
  if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) goto sockerr;
  if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) goto sockerr;
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) goto sockerr;
  if (sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0) goto sockerr;
  if (bind(fd, (struct sockaddr *)&local, locallen) != 0) goto sockerr;
  struct sockaddr_storage bound;
  socklen_t boundlen = sizeof bound;
  if (getsockname(fd, (struct sockaddr *)&bound, &boundlen) != 0) goto sockerr;
  uint32_t bound_port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port : ((struct sockaddr_in6 *)&bound)->sin6_port);

  endpoint_t *ep = calloc(1, sizeof *ep);
  if (ep == NULL) {
    close(fd);
    return throw_errno(env, "udpOpen", ENOMEM);
  }
  ep->env = env;
  ep->fd = fd;
  ep->family = family;
  ep->batch = batch;
  ep->slot = slot;
  ep->send_slot = send_slot;
  ep->handle_closed = 1; /* until uv_poll_init */
  ep->index = calloc(batch, sizeof *ep->index);
  ep->rmsgs = calloc(batch, sizeof *ep->rmsgs);
  ep->riov = calloc(batch, sizeof *ep->riov);
  ep->rname = calloc(batch, sizeof *ep->rname);
  ep->smsgs = calloc(batch, sizeof *ep->smsgs);
  ep->siov = calloc(batch, sizeof *ep->siov);
  napi_value obj, payload, meta, addr, out, out_len, counters, name, port_value;
  if (ep->index == NULL || ep->rmsgs == NULL || ep->riov == NULL || ep->rname == NULL || ep->smsgs == NULL || ep->siov == NULL) goto fail;
  if (napi_create_object(env, &obj) != napi_ok) goto fail;
  if (!make_buffer(env, ep, 0, (size_t)batch * slot, napi_uint8_array, 0, (void **)&ep->payload, &payload) ||
      !make_buffer(env, ep, 1, (size_t)batch * META_FIELDS * 4, napi_int32_array, 4, (void **)&ep->meta, &meta) ||
      !make_buffer(env, ep, 2, (size_t)batch * 16, napi_uint8_array, 1, (void **)&ep->addr, &addr) ||
      !make_buffer(env, ep, 3, (size_t)batch * send_slot, napi_uint8_array, 0, (void **)&ep->out, &out) ||
      !make_buffer(env, ep, 4, (size_t)batch * 4, napi_int32_array, 4, (void **)&ep->out_len, &out_len) ||
      !make_buffer(env, ep, 5, COUNTER_COUNT * 8, napi_float64_array, 8, (void **)&ep->counters, &counters)) {
    goto fail;
  }
  for (uint32_t i = 0; i < batch; i++) {
    ep->riov[i].iov_base = ep->payload + (size_t)i * slot;
    ep->riov[i].iov_len = slot;
    ep->rmsgs[i].msg_hdr.msg_iov = &ep->riov[i];
    ep->rmsgs[i].msg_hdr.msg_iovlen = 1;
    ep->rmsgs[i].msg_hdr.msg_name = &ep->rname[i];
  }
  napi_create_uint32(env, bound_port, &port_value);
  napi_property_descriptor props[] = {
      {"port", NULL, NULL, NULL, NULL, port_value, napi_enumerable, NULL},
      {"payload", NULL, NULL, NULL, NULL, payload, napi_enumerable, NULL},
      {"meta", NULL, NULL, NULL, NULL, meta, napi_enumerable, NULL},
      {"addr", NULL, NULL, NULL, NULL, addr, napi_enumerable, NULL},
      {"out", NULL, NULL, NULL, NULL, out, napi_enumerable, NULL},
      {"outLen", NULL, NULL, NULL, NULL, out_len, napi_enumerable, NULL},
      {"counters", NULL, NULL, NULL, NULL, counters, napi_enumerable, NULL},
      {"sendTo", NULL, ep_send_to, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, ep_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, obj, sizeof props / sizeof props[0], props) != napi_ok) goto fail;
  if (napi_create_string_utf8(env, "anchord_udp", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, obj, name, &ep->actx) != napi_ok || napi_create_reference(env, argv[8], 1, &ep->callback) != napi_ok ||
      napi_create_reference(env, obj, 1, &ep->self) != napi_ok) {
    goto fail;
  }
  if (napi_wrap(env, obj, ep, endpoint_finalize, NULL, NULL) != napi_ok) goto fail;
  /* From here the finalizer owns ep: a failure below only stops the endpoint. */
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &ep->poll, fd) != 0) {
    ep->handle_closed = 1;
    for (int i = 0; i < 6; i++) napi_delete_reference(env, ep->mem[i]);
    napi_delete_reference(env, ep->callback);
    napi_async_destroy(env, ep->actx);
    napi_delete_reference(env, ep->self);
    close(fd);
    ep->fd = -1;
    return throw_errno(env, "uv_poll_init", EIO);
  }
  ep->poll.data = ep;
  ep->handle_closed = 0;
  ep->open = 1;
  if (napi_add_async_cleanup_hook(env, async_cleanup, ep, &ep->cleanup) != napi_ok) ep->cleanup = NULL;
  uv_poll_start(&ep->poll, UV_READABLE, on_readable);
  return obj;

fail:
  for (int i = 0; i < 6; i++)
    if (ep->mem[i] != NULL) napi_delete_reference(env, ep->mem[i]);
  if (ep->callback != NULL) napi_delete_reference(env, ep->callback);
  if (ep->self != NULL) napi_delete_reference(env, ep->self);
  if (ep->actx != NULL) napi_async_destroy(env, ep->actx);
  endpoint_free(ep);
  close(fd);
  return throw_errno(env, "udpOpen", ENOMEM);

sockerr: {
  int err = errno;
  close(fd);
  return throw_errno(env, "udp bind", err);
}
}

void anchord_udp_define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"udpOpen", NULL, udp_open, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
