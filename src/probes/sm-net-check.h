/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-net-check.h: TCP port and ping (ICMP echo) service checks.
 *
 * Both end in an SmCheckResult. The TCP check connects with GSocketClient
 * on the caller's main context; the ping check sends ICMP echo requests
 * through an unprivileged ICMP socket (SOCK_DGRAM, IPPROTO_ICMP/ICMPV6) on
 * a worker thread, which Linux allows only where net.ipv4.ping_group_range
 * includes the process's group; sm_ping_is_available says whether it does.
 *
 * Configs are plain data: the run functions copy them. The _finish
 * functions return a result for every outcome of the check (UP, DOWN with
 * a reason, ...) and fail only when the run was cancelled.
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"

G_BEGIN_DECLS

typedef enum {
  SM_NET_FAMILY_ANY,
  SM_NET_FAMILY_IPV4,
  SM_NET_FAMILY_IPV6,
} SmNetFamily;

#define SM_NET_CHECK_TIMEOUT_MIN      1
#define SM_NET_CHECK_TIMEOUT_MAX      300
#define SM_NET_CHECK_TIMEOUT_DEFAULT  10

/* TCP port check. */
typedef struct {
  char        *host;       /* host name, IPv4 or IPv6 address (no brackets) */
  guint        port;       /* 1-65535 */
  guint        timeout_s;  /* 1-300: resolving and connecting together */
  SmNetFamily  family;
} SmTcpCheckConfig;

/* Defaults: no host, port 0 (both must be set), timeout 10 s, any family. */
SmTcpCheckConfig *sm_tcp_check_config_new      (void);
SmTcpCheckConfig *sm_tcp_check_config_copy     (const SmTcpCheckConfig *config);
void              sm_tcp_check_config_free     (SmTcpCheckConfig       *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmTcpCheckConfig, sm_tcp_check_config_free)

/* NULL when valid, else a translated "field: problem" ("port: must be a
 * number from 1 to 65535"); fields are host, port, timeout and family. */
char             *sm_tcp_check_config_validate (const SmTcpCheckConfig *config);

/* UP with metric "latency_ms" (the connect time); DOWN with reason
 * "connection refused", "timed out after N s", "no such host", "network
 * unreachable", "host unreachable" or the system's message. */
void              sm_tcp_check_run_async       (const SmTcpCheckConfig *config,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
SmCheckResult    *sm_tcp_check_run_finish      (GAsyncResult           *result,
                                                GError                **error);

/* Ping check. */
#define SM_PING_COUNT_MIN             1
#define SM_PING_COUNT_MAX             20
#define SM_PING_COUNT_DEFAULT         3
#define SM_PING_INTERVAL_MIN_MS       100
#define SM_PING_INTERVAL_MAX_MS       10000
#define SM_PING_INTERVAL_DEFAULT_MS   1000
#define SM_PING_TIMEOUT_DEFAULT       5
#define SM_PING_WARN_LOSS_DEFAULT     20
#define SM_PING_CRIT_LOSS_DEFAULT     100

typedef struct {
  char        *host;
  guint        count;          /* echo requests per run, 1-20 */
  guint        interval_ms;    /* between requests, 100-10000 */
  guint        timeout_s;      /* how long each request waits for its reply, 1-300 */
  SmNetFamily  family;
  guint        warn_loss_pct;  /* DEGRADED when the loss is above this, 0-100 */
  guint        crit_loss_pct;  /* DOWN when the loss reaches this, 1-100 */
} SmPingCheckConfig;

/* Defaults: no host, 3 requests 1 s apart, 5 s timeout, any family, warn
 * above 20 % loss, DOWN at 100 %. */
SmPingCheckConfig *sm_ping_check_config_new      (void);
SmPingCheckConfig *sm_ping_check_config_copy     (const SmPingCheckConfig *config);
void               sm_ping_check_config_free     (SmPingCheckConfig       *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmPingCheckConfig, sm_ping_check_config_free)

/* As sm_tcp_check_config_validate; fields are host, count, interval,
 * timeout, family, warn_loss and crit_loss. */
char              *sm_ping_check_config_validate (const SmPingCheckConfig *config);

/* Whether this process may open an unprivileged ICMP socket of family
 * (G_SOCKET_FAMILY_IPV4 or G_SOCKET_FAMILY_IPV6, or AF_INET/AF_INET6); if
 * not, out_reason (optional) gets a translated message that says so and
 * suggests a TCP check. */
gboolean           sm_ping_is_available          (int                       family,
                                                  char                    **out_reason);

/* Runs on a worker thread. UP with metrics "rtt_ms" (average), "rtt_min_ms",
 * "rtt_max_ms" and "loss_pct"; DEGRADED when the loss is above warn_loss_pct;
 * DOWN when it reaches crit_loss_pct ("no reply" when every request was
 * lost); UNKNOWN when no ICMP socket could be opened (the reason says why). */
void               sm_ping_check_run_async       (const SmPingCheckConfig *config,
                                                  GCancellable            *cancellable,
                                                  GAsyncReadyCallback      callback,
                                                  gpointer                 user_data);
SmCheckResult     *sm_ping_check_run_finish      (GAsyncResult            *result,
                                                  GError                 **error);

/* Internal, for tests: the verdict on one run, where rtt_ms[i] is the
 * round trip of request i or NAN when it was lost, and send_errno the last
 * sendto () failure (0 if none). */
SmCheckResult     *_sm_ping_check_evaluate       (const SmPingCheckConfig  *config,
                                                  const double             *rtt_ms,
                                                  guint                     count,
                                                  int                       send_errno);

G_END_DECLS
