/*
 * Batched UDP receive for the collector's receive threads: poll(2) on the listeners'
 * sockets, then recvmmsg(2) up to 64 datagrams per call into one buffer, with each
 * datagram's length, listener and source address in an Int32Array. Node's dgram delivers
 * one datagram per event loop callback, with a new Buffer and a source-address object
 * each; here a whole batch costs one call from JavaScript and allocates nothing.
 *
 * Also send() with sendmmsg(2), for the intake benchmark's sender.
 *
 * N-API only (NAPI_VERSION 8), so the module built against any Node.js headers loads in
 * any Node.js that has that N-API version. Built by scripts/build-native.ts.
 */
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_BATCH 64
#define MAX_FDS 16
/* Int32 words per datagram in `meta`: length (-1 truncated), listener index, family, port, address (4 words). */
#define META_WORDS 8

static int typed(napi_env env, napi_value value, napi_typedarray_type want, void** data, size_t* length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok) return 0;
  return type == want;
}

/*
 * receive(fds: Int32Array, timeoutMs: number, buffer: Uint8Array, slotBytes: number, meta: Int32Array): number
 * Returns the number of datagrams received (0 on timeout), or -errno.
 */
static napi_value Receive(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_value result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t* fds;
  uint8_t* buffer;
  int32_t* meta;
  size_t nfds, bufferBytes, metaWords;
  int32_t timeoutMs, slotBytes;
  if (argc < 5 || !typed(env, argv[0], napi_int32_array, (void**)&fds, &nfds) || !typed(env, argv[2], napi_uint8_array, (void**)&buffer, &bufferBytes) ||
      !typed(env, argv[4], napi_int32_array, (void**)&meta, &metaWords) || napi_get_value_int32(env, argv[1], &timeoutMs) != napi_ok ||
      napi_get_value_int32(env, argv[3], &slotBytes) != napi_ok || slotBytes <= 0 || nfds == 0 || nfds > MAX_FDS) {
    napi_throw_type_error(env, NULL, "receive(fds: Int32Array, timeoutMs, buffer: Uint8Array, slotBytes, meta: Int32Array)");
    return NULL;
  }
  size_t capacity = bufferBytes / (size_t)slotBytes;
  if (capacity > metaWords / META_WORDS) capacity = metaWords / META_WORDS;
  if (capacity > MAX_BATCH) capacity = MAX_BATCH;

  struct pollfd pfds[MAX_FDS];
  for (size_t i = 0; i < nfds; i++) {
    pfds[i].fd = fds[i];
    pfds[i].events = POLLIN;
    pfds[i].revents = 0;
  }
  int ready = poll(pfds, nfds, timeoutMs);
  if (ready < 0) {
    napi_create_int32(env, errno == EINTR ? 0 : -errno, &result);
    return result;
  }

  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  struct sockaddr_storage addrs[MAX_BATCH];
  size_t total = 0;
  for (size_t i = 0; i < nfds && ready > 0 && total < capacity; i++) {
    if ((pfds[i].revents & (POLLIN | POLLERR)) == 0) continue;
    size_t want = capacity - total;
    memset(msgs, 0, sizeof(struct mmsghdr) * want);
    for (size_t k = 0; k < want; k++) {
      iov[k].iov_base = buffer + (total + k) * (size_t)slotBytes;
      iov[k].iov_len = (size_t)slotBytes;
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      msgs[k].msg_hdr.msg_name = &addrs[k];
      msgs[k].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    }
    int n = recvmmsg(fds[i], msgs, (unsigned int)want, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      if (total > 0) break;
      napi_create_int32(env, -errno, &result);
      return result;
    }
    for (int k = 0; k < n; k++) {
      int32_t* m = meta + (total + (size_t)k) * META_WORDS;
      m[0] = (msgs[k].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int32_t)msgs[k].msg_len;
      m[1] = (int32_t)i;
      struct sockaddr* sa = (struct sockaddr*)&addrs[k];
      if (sa->sa_family == AF_INET) {
        struct sockaddr_in* a = (struct sockaddr_in*)sa;
        m[2] = 4;
        m[3] = ntohs(a->sin_port);
        m[4] = (int32_t)ntohl(a->sin_addr.s_addr);
        m[5] = m[6] = m[7] = 0;
      } else if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6* a = (struct sockaddr_in6*)sa;
        uint32_t w[4];
        memcpy(w, &a->sin6_addr, 16);
        m[2] = 6;
        m[3] = ntohs(a->sin6_port);
        for (int j = 0; j < 4; j++) m[4 + j] = (int32_t)ntohl(w[j]);
      } else {
        m[2] = 0;
        m[3] = 0;
        m[4] = m[5] = m[6] = m[7] = 0;
      }
    }
    total += (size_t)n;
  }
  napi_create_int32(env, (int32_t)total, &result);
  return result;
}

/*
 * send(fd: number, datagrams: Uint8Array[]): number -- sendmmsg(2) on a connected socket,
 * 64 at a time; returns how many were sent (fewer when the socket would block), or -errno.
 * Used by the intake benchmark's sender, so that sending costs the machine it shares with
 * the collectors as little as possible.
 */
static napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_value result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  uint32_t count;
  bool isArray = false;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_is_array(env, argv[1], &isArray) != napi_ok || !isArray ||
      napi_get_array_length(env, argv[1], &count) != napi_ok) {
    napi_throw_type_error(env, NULL, "send(fd, datagrams: Uint8Array[])");
    return NULL;
  }
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  uint32_t sent = 0;
  while (sent < count) {
    uint32_t n = count - sent < MAX_BATCH ? count - sent : MAX_BATCH;
    memset(msgs, 0, sizeof(struct mmsghdr) * n);
    for (uint32_t k = 0; k < n; k++) {
      napi_value element;
      void* data;
      size_t length;
      if (napi_get_element(env, argv[1], sent + k, &element) != napi_ok || !typed(env, element, napi_uint8_array, &data, &length)) {
        napi_throw_type_error(env, NULL, "send: every datagram must be a Uint8Array");
        return NULL;
      }
      iov[k].iov_base = data;
      iov[k].iov_len = length;
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || sent > 0) break;
      napi_create_int32(env, -errno, &result);
      return result;
    }
    sent += (uint32_t)r;
    if ((uint32_t)r < n) break;
  }
  napi_create_int32(env, (int32_t)sent, &result);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "receive", NAPI_AUTO_LENGTH, Receive, NULL, &fn);
  napi_set_named_property(env, exports, "receive", fn);
  napi_create_function(env, "send", NAPI_AUTO_LENGTH, Send, NULL, &fn);
  napi_set_named_property(env, exports, "send", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
