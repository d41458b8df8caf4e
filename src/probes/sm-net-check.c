/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-net-check.c: TCP port and ping (ICMP echo) service checks. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib/gi18n.h>

#include "sm-deadline.h"
#include "sm-net-check.h"
#include "sm-validate.h"

#define PING_PAYLOAD_LEN   56
#define PING_PACKET_LEN    (8 + PING_PAYLOAD_LEN)
#define ICMP_ECHO_REQUEST  8
#define ICMP_ECHO_REPLY    0
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY   129

/* "field: problem"; takes problem. */
static char *
field_error (const char *field,
             char       *problem)
{
  char *message = g_strdup_printf ("%s: %s", field, problem);

  g_free (problem);
  return message;
}

static char *
validate_timeout (guint timeout_s)
{
  if (timeout_s < SM_NET_CHECK_TIMEOUT_MIN || timeout_s > SM_NET_CHECK_TIMEOUT_MAX)
    return g_strdup_printf (_("must be from %d to %d seconds"),
                            SM_NET_CHECK_TIMEOUT_MIN, SM_NET_CHECK_TIMEOUT_MAX);
  return NULL;
}

/* The host's syntax, and that an address literal fits the family. */
static char *
validate_host_family (const char  *host,
                      SmNetFamily  family)
{
  g_autoptr(GInetAddress) address = NULL;
  char *problem;

  if (family != SM_NET_FAMILY_ANY && family != SM_NET_FAMILY_IPV4 &&
      family != SM_NET_FAMILY_IPV6)
    return field_error ("family", g_strdup (_("must be any, IPv4 or IPv6")));

  problem = sm_validate_host (host);
  if (problem != NULL)
    return field_error ("host", problem);

  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    return NULL;
  if (family == SM_NET_FAMILY_IPV4 &&
      g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV4)
    return field_error ("host", g_strdup (_("must be an IPv4 address or a host name "
                                            "when the family is IPv4")));
  if (family == SM_NET_FAMILY_IPV6 &&
      g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return field_error ("host", g_strdup (_("must be an IPv6 address or a host name "
                                            "when the family is IPv6")));
  return NULL;
}

static GResolverNameLookupFlags
family_lookup_flags (SmNetFamily family)
{
  switch (family)
    {
    case SM_NET_FAMILY_IPV4:
      return G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY;
    case SM_NET_FAMILY_IPV6:
      return G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY;
    case SM_NET_FAMILY_ANY:
    default:
      return G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT;
    }
}

static gboolean
family_matches (SmNetFamily   family,
                GInetAddress *address)
{
  GSocketFamily address_family = g_inet_address_get_family (address);

  return family == SM_NET_FAMILY_ANY ||
         (family == SM_NET_FAMILY_IPV4 && address_family == G_SOCKET_FAMILY_IPV4) ||
         (family == SM_NET_FAMILY_IPV6 && address_family == G_SOCKET_FAMILY_IPV6);
}

/* A DOWN reason for a failed lookup. */
static char *
resolve_error_reason (const GError *error)
{
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    return g_strdup (_("no such host"));
  return g_strdup_printf (_("cannot resolve the host: %s"), error->message);
}

/* A DOWN reason for a failed connect. */
static char *
connect_error_reason (const GError *error,
                      guint         timeout_s)
{
  if (error == NULL)
    return g_strdup (_("no address to connect to"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup (_("connection refused"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup_printf (_("timed out after %u s"), timeout_s);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_strdup (_("network unreachable"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return g_strdup (_("host unreachable"));
  return g_strdup (error->message);
}

/* TCP check. */

SmTcpCheckConfig *
sm_tcp_check_config_new (void)
{
  SmTcpCheckConfig *config = g_new0 (SmTcpCheckConfig, 1);

  config->timeout_s = SM_NET_CHECK_TIMEOUT_DEFAULT;
  config->family = SM_NET_FAMILY_ANY;
  return config;
}

SmTcpCheckConfig *
sm_tcp_check_config_copy (const SmTcpCheckConfig *config)
{
  SmTcpCheckConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_memdup2 (config, sizeof *config);
  copy->host = g_strdup (config->host);
  return copy;
}

void
sm_tcp_check_config_free (SmTcpCheckConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->host);
  g_free (config);
}

char *
sm_tcp_check_config_validate (const SmTcpCheckConfig *config)
{
  char *problem;

  g_return_val_if_fail (config != NULL, NULL);

  problem = validate_host_family (config->host, config->family);
  if (problem != NULL)
    return problem;
  problem = sm_validate_port (config->port);
  if (problem != NULL)
    return field_error ("port", problem);
  problem = validate_timeout (config->timeout_s);
  if (problem != NULL)
    return field_error ("timeout", problem);
  return NULL;
}

typedef struct {
  SmTcpCheckConfig *config;
  SmDeadline        deadline;         /* the caller's cancel or the deadline */
  GSocketClient    *client;
  GList            *addresses;        /* GInetAddress */
  GList            *next_address;
  GError           *last_error;
  gint64            start_us;
  gint64            connect_start_us;
  double            dns_ms;
} TcpRun;

static void
tcp_run_free (gpointer data)
{
  TcpRun *run = data;

  sm_deadline_clear (&run->deadline);
  g_clear_object (&run->client);
  g_list_free_full (run->addresses, g_object_unref);
  g_clear_error (&run->last_error);
  sm_tcp_check_config_free (run->config);
  g_free (run);
}

/* Ends the task with a result (taken), or cancelled when the caller
 * cancelled; the deadline turns into "timed out". */
static void
tcp_return (GTask         *task,
            SmCheckResult *result)
{
  TcpRun *run = g_task_get_task_data (task);

  if (sm_deadline_caller_cancelled (&run->deadline))
    {
      g_clear_pointer (&result, sm_check_result_free);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "%s", _("The check was cancelled"));
    }
  else
    {
      if (result == NULL)
        result = sm_check_result_new (SM_CHECK_STATUS_DOWN, NULL);
      if (run->deadline.timed_out && result->status != SM_CHECK_STATUS_UP)
        sm_check_result_set_reason (result, _("timed out after %u s"),
                                    run->config->timeout_s);
      result->timing.total_ms = (g_get_monotonic_time () - run->start_us) / 1000.0;
      if (result->status != SM_CHECK_STATUS_UP)
        result->timing.total_ms = NAN;
      result->timing.dns_ms = run->dns_ms;
      result->time_us = g_get_real_time ();
      g_task_return_pointer (task, result, (GDestroyNotify) sm_check_result_free);
    }
  g_object_unref (task);
}

static void tcp_connect_next (GTask *task);

static void
tcp_connected_cb (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  GTask *task = user_data;
  TcpRun *run = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GInetAddress *address = run->next_address->data;
  SmCheckResult *result;
  double connect_ms;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &error);
  if (connection == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          tcp_return (task, NULL);
          return;
        }
      g_clear_error (&run->last_error);
      run->last_error = g_steal_pointer (&error);
      run->next_address = run->next_address->next;
      tcp_connect_next (task);
      return;
    }

  connect_ms = (g_get_monotonic_time () - run->connect_start_us) / 1000.0;
  result = sm_check_result_new (SM_CHECK_STATUS_UP, NULL);
  result->timing.connect_ms = connect_ms;
  sm_check_result_add_metric (result, "latency_ms", connect_ms, "ms");
  {
    g_autofree char *text = g_inet_address_to_string (address);

    sm_check_result_add_detail (result, "address", text);
  }
  /* Closing a plain TCP connection does not block. */
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  tcp_return (task, result);
}

static void
tcp_connect_next (GTask *task)
{
  TcpRun *run = g_task_get_task_data (task);
  g_autoptr(GSocketAddress) address = NULL;

  if (run->next_address == NULL)
    {
      g_autofree char *reason = connect_error_reason (run->last_error,
                                                      run->config->timeout_s);

      tcp_return (task, sm_check_result_new (SM_CHECK_STATUS_DOWN, reason));
      return;
    }

  address = g_inet_socket_address_new (run->next_address->data, run->config->port);
  run->connect_start_us = g_get_monotonic_time ();
  g_socket_client_connect_async (run->client, G_SOCKET_CONNECTABLE (address),
                                 run->deadline.cancellable, tcp_connected_cb, task);
}

static void
tcp_resolved_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  GTask *task = user_data;
  TcpRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (source), res, &error);
  run->dns_ms = (g_get_monotonic_time () - run->start_us) / 1000.0;
  if (addresses == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          tcp_return (task, NULL);
          return;
        }
      reason = resolve_error_reason (error);
      tcp_return (task, sm_check_result_new (SM_CHECK_STATUS_DOWN, reason));
      return;
    }

  /* The lookup flags already filter; keep only matching ones all the same. */
  for (GList *l = addresses; l != NULL; l = l->next)
    if (family_matches (run->config->family, l->data))
      run->addresses = g_list_append (run->addresses, g_object_ref (l->data));
  g_resolver_free_addresses (addresses);
  if (run->addresses == NULL)
    {
      tcp_return (task, sm_check_result_new (SM_CHECK_STATUS_DOWN, _("no such host")));
      return;
    }
  run->next_address = run->addresses;
  tcp_connect_next (task);
}

void
sm_tcp_check_run_async (const SmTcpCheckConfig *config,
                        GCancellable           *cancellable,
                        GAsyncReadyCallback     callback,
                        gpointer                user_data)
{
  GTask *task;
  TcpRun *run;
  g_autoptr(GInetAddress) literal = NULL;
  g_autoptr(GResolver) resolver = NULL;
  g_autofree char *problem = NULL;

  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_tcp_check_run_async);
  g_task_set_name (task, "sm_tcp_check_run_async");

  run = g_new0 (TcpRun, 1);
  run->config = sm_tcp_check_config_copy (config);
  run->start_us = g_get_monotonic_time ();
  run->dns_ms = NAN;
  g_task_set_task_data (task, run, tcp_run_free);

  problem = sm_tcp_check_config_validate (config);
  if (problem != NULL)
    {
      tcp_return (task, sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, problem));
      return;
    }

  sm_deadline_start (&run->deadline, config->timeout_s, cancellable);

  run->client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (run->client, FALSE);
  g_socket_client_set_timeout (run->client, config->timeout_s);

  literal = g_inet_address_new_from_string (config->host);
  if (literal != NULL)
    {
      run->addresses = g_list_append (NULL, g_steal_pointer (&literal));
      run->next_address = run->addresses;
      tcp_connect_next (task);
      return;
    }

  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_with_flags_async (resolver,
                                              config->host,
                                              family_lookup_flags (config->family),
                                              run->deadline.cancellable,
                                              tcp_resolved_cb, task);
}

SmCheckResult *
sm_tcp_check_run_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sm_tcp_check_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Ping check. */

SmPingCheckConfig *
sm_ping_check_config_new (void)
{
  SmPingCheckConfig *config = g_new0 (SmPingCheckConfig, 1);

  config->count = SM_PING_COUNT_DEFAULT;
  config->interval_ms = SM_PING_INTERVAL_DEFAULT_MS;
  config->timeout_s = SM_PING_TIMEOUT_DEFAULT;
  config->family = SM_NET_FAMILY_ANY;
  config->warn_loss_pct = SM_PING_WARN_LOSS_DEFAULT;
  config->crit_loss_pct = SM_PING_CRIT_LOSS_DEFAULT;
  return config;
}

SmPingCheckConfig *
sm_ping_check_config_copy (const SmPingCheckConfig *config)
{
  SmPingCheckConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_memdup2 (config, sizeof *config);
  copy->host = g_strdup (config->host);
  return copy;
}

void
sm_ping_check_config_free (SmPingCheckConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->host);
  g_free (config);
}

char *
sm_ping_check_config_validate (const SmPingCheckConfig *config)
{
  char *problem;

  g_return_val_if_fail (config != NULL, NULL);

  problem = validate_host_family (config->host, config->family);
  if (problem != NULL)
    return problem;
  if (config->count < SM_PING_COUNT_MIN || config->count > SM_PING_COUNT_MAX)
    return field_error ("count", g_strdup_printf (_("must be a number from %d to %d"),
                                                  SM_PING_COUNT_MIN, SM_PING_COUNT_MAX));
  if (config->interval_ms < SM_PING_INTERVAL_MIN_MS ||
      config->interval_ms > SM_PING_INTERVAL_MAX_MS)
    return field_error ("interval",
                        g_strdup_printf (_("must be from %d to %d milliseconds"),
                                         SM_PING_INTERVAL_MIN_MS, SM_PING_INTERVAL_MAX_MS));
  problem = validate_timeout (config->timeout_s);
  if (problem != NULL)
    return field_error ("timeout", problem);
  if (config->warn_loss_pct > 100)
    return field_error ("warn_loss", g_strdup (_("must be a percentage from 0 to 100")));
  if (config->crit_loss_pct < 1 || config->crit_loss_pct > 100)
    return field_error ("crit_loss", g_strdup (_("must be a percentage from 1 to 100")));
  if (config->warn_loss_pct >= config->crit_loss_pct)
    return field_error ("warn_loss", g_strdup (_("must be below the critical loss")));
  return NULL;
}

static int
ping_protocol (int family)
{
  return family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
}

/* Why socket () failed, for people. */
static char *
ping_unavailable_message (int errsv)
{
  switch (errsv)
    {
    case EACCES:
    case EPERM:
      return g_strdup (_("This system does not allow unprivileged ping "
                         "(net.ipv4.ping_group_range); use a TCP check instead"));
    case EAFNOSUPPORT:
      return g_strdup (_("This system does not support this address family "
                         "for ping; use a TCP check instead"));
    case EPROTONOSUPPORT:
    case ESOCKTNOSUPPORT:
      return g_strdup (_("This system does not support unprivileged ICMP "
                         "sockets; use a TCP check instead"));
    default:
      return g_strdup_printf (_("Cannot open an ICMP socket (%s); use a TCP "
                                "check instead"), g_strerror (errsv));
    }
}

/* An unprivileged ICMP socket, or -1 with errno set. */
static int
ping_socket_open (int family)
{
  return socket (family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, ping_protocol (family));
}

gboolean
sm_ping_is_available (int    family,
                      char **out_reason)
{
  int fd;

  g_return_val_if_fail (family == AF_INET || family == AF_INET6, FALSE);

  fd = ping_socket_open (family);
  if (fd < 0)
    {
      int errsv = errno;

      if (out_reason != NULL)
        *out_reason = ping_unavailable_message (errsv);
      return FALSE;
    }
  close (fd);
  if (out_reason != NULL)
    *out_reason = NULL;
  return TRUE;
}

/* The address to ping, or NULL with a DOWN result in out_result, or NULL
 * and no result when cancelled. */
static GInetAddress *
ping_resolve (const SmPingCheckConfig  *config,
              GCancellable             *cancellable,
              SmCheckResult           **out_result)
{
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GError) error = NULL;
  GInetAddress *address;
  GList *addresses;

  *out_result = NULL;
  address = g_inet_address_new_from_string (config->host);
  if (address != NULL)
    return address;

  resolver = g_resolver_get_default ();
  addresses = g_resolver_lookup_by_name_with_flags (resolver,
                                                    config->host,
                                                    family_lookup_flags (config->family),
                                                    cancellable, &error);
  if (addresses == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return NULL;
      reason = resolve_error_reason (error);
      *out_result = sm_check_result_new (SM_CHECK_STATUS_DOWN, reason);
      return NULL;
    }
  for (GList *l = addresses; l != NULL && address == NULL; l = l->next)
    if (family_matches (config->family, l->data))
      address = g_object_ref (l->data);
  g_resolver_free_addresses (addresses);
  if (address == NULL)
    *out_result = sm_check_result_new (SM_CHECK_STATUS_DOWN, _("no such host"));
  return address;
}

typedef struct {
  guint    count;
  gint64  *sent_us;    /* 0 when not sent */
  double  *rtt_ms;     /* NAN until the reply came */
  guint    n_received;
  int      send_errno; /* the last sendto () failure */
} PingState;

static void
ping_send (int                    fd,
           int                    family,
           const struct sockaddr *address,
           socklen_t              address_len,
           PingState             *state,
           guint                  seq)
{
  guint8 packet[PING_PACKET_LEN] = { 0 };

  packet[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO_REQUEST;
  /* Code, checksum and identifier stay 0: the kernel fills them in for
   * ping sockets. */
  packet[6] = (seq >> 8) & 0xff;
  packet[7] = seq & 0xff;
  for (guint i = 8; i < PING_PACKET_LEN; i++)
    packet[i] = (guint8) i;

  state->sent_us[seq] = g_get_monotonic_time ();
  if (sendto (fd, packet, sizeof packet, 0, address, address_len) < 0)
    state->send_errno = errno;
}

static void
ping_receive_all (int        fd,
                  int        family,
                  PingState *state,
                  gint64     timeout_us)
{
  guint8 buffer[1500];
  guint8 reply_type = family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHO_REPLY;

  for (;;)
    {
      ssize_t len = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      gint64 now = g_get_monotonic_time ();
      guint seq;

      if (len < 0)
        {
          if (errno == EINTR)
            continue;
          return;   /* EAGAIN, or an ICMP error we do not report */
        }
      if (len < 8 || buffer[0] != reply_type || buffer[1] != 0)
        continue;
      seq = ((guint) buffer[6] << 8) | buffer[7];
      if (seq >= state->count || state->sent_us[seq] == 0 || !isnan (state->rtt_ms[seq]))
        continue;
      if (now - state->sent_us[seq] > timeout_us)
        continue;
      state->rtt_ms[seq] = (now - state->sent_us[seq]) / 1000.0;
      state->n_received++;
    }
}

SmCheckResult *
_sm_ping_check_evaluate (const SmPingCheckConfig *config,
                         const double            *rtt_ms,
                         guint                    count,
                         int                      send_errno)
{
  SmCheckResult *result;
  guint n_received = 0;
  double loss_pct;
  double sum = 0, min = INFINITY, max = -INFINITY;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (count > 0, NULL);

  for (guint i = 0; i < count; i++)
    {
      if (isnan (rtt_ms[i]))
        continue;
      n_received++;
      sum += rtt_ms[i];
      min = MIN (min, rtt_ms[i]);
      max = MAX (max, rtt_ms[i]);
    }
  loss_pct = 100.0 * (count - n_received) / count;

  if (n_received == 0)
    {
      g_autofree char *reason = NULL;

      if (send_errno == ENETUNREACH)
        reason = g_strdup (_("network unreachable"));
      else if (send_errno == EHOSTUNREACH)
        reason = g_strdup (_("host unreachable"));
      else if (send_errno != 0)
        reason = g_strdup_printf (_("cannot send: %s"), g_strerror (send_errno));
      else
        reason = g_strdup (_("no reply"));
      result = sm_check_result_new (SM_CHECK_STATUS_DOWN, reason);
      sm_check_result_add_metric (result, "loss_pct", loss_pct, "%");
      return result;
    }

  if (loss_pct >= config->crit_loss_pct)
    result = sm_check_result_new (SM_CHECK_STATUS_DOWN, NULL);
  else if (loss_pct > config->warn_loss_pct)
    result = sm_check_result_new (SM_CHECK_STATUS_DEGRADED, NULL);
  else
    result = sm_check_result_new (SM_CHECK_STATUS_UP, NULL);
  if (result->status != SM_CHECK_STATUS_UP)
    sm_check_result_set_reason (result, _("%.0f %% packet loss"), loss_pct);

  result->timing.total_ms = sum / n_received;
  sm_check_result_add_metric (result, "rtt_ms", sum / n_received, "ms");
  sm_check_result_add_metric (result, "rtt_min_ms", min, "ms");
  sm_check_result_add_metric (result, "rtt_max_ms", max, "ms");
  sm_check_result_add_metric (result, "loss_pct", loss_pct, "%");
  return result;
}

/* The check on the calling (worker) thread; NULL when cancelled. */
static SmCheckResult *
ping_run (const SmPingCheckConfig *config,
          GCancellable            *cancellable)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autofree char *address_text = NULL;
  struct sockaddr_storage native;
  SmCheckResult *result = NULL;
  PingState state = { 0 };
  GPollFD fds[2];
  guint n_fds = 1;
  gint64 timeout_us = (gint64) config->timeout_s * G_USEC_PER_SEC;
  gint64 interval_us = (gint64) config->interval_ms * 1000;
  gint64 next_send_us;
  guint next_seq = 0;
  gboolean cancelled = FALSE;
  int family;
  int fd;

  address = ping_resolve (config, cancellable, &result);
  if (address == NULL)
    return result;
  address_text = g_inet_address_to_string (address);

  family = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? AF_INET6 : AF_INET;
  socket_address = g_inet_socket_address_new (address, 0);
  if (!g_socket_address_to_native (socket_address, &native, sizeof native, NULL))
    return sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, _("cannot use the address"));

  fd = ping_socket_open (family);
  if (fd < 0)
    {
      g_autofree char *reason = ping_unavailable_message (errno);

      return sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, reason);
    }

  state.count = config->count;
  state.sent_us = g_new0 (gint64, config->count);
  state.rtt_ms = g_new (double, config->count);
  for (guint i = 0; i < config->count; i++)
    state.rtt_ms[i] = NAN;

  fds[0].fd = fd;
  fds[0].events = G_IO_IN;
  if (g_cancellable_make_pollfd (cancellable, &fds[1]))
    n_fds = 2;

  next_send_us = g_get_monotonic_time ();
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wake_us;
      int wait_ms;

      if (g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          break;
        }
      while (next_seq < config->count && now >= next_send_us)
        {
          ping_send (fd, family, (struct sockaddr *) &native,
                     g_socket_address_get_native_size (socket_address),
                     &state, next_seq);
          next_seq++;
          next_send_us += interval_us;
          now = g_get_monotonic_time ();
        }
      if (next_seq == config->count &&
          (state.n_received == config->count ||
           now >= state.sent_us[config->count - 1] + timeout_us))
        break;

      wake_us = next_seq < config->count ? next_send_us
                                         : state.sent_us[config->count - 1] + timeout_us;
      wait_ms = (int) ((MAX (wake_us - now, 0) + 999) / 1000);
      fds[0].revents = 0;
      if (n_fds == 2)
        fds[1].revents = 0;
      if (g_poll (fds, n_fds, wait_ms) > 0 && (fds[0].revents & (G_IO_IN | G_IO_ERR)) != 0)
        ping_receive_all (fd, family, &state, timeout_us);
    }

  if (n_fds == 2)
    g_cancellable_release_fd (cancellable);
  close (fd);

  if (!cancelled)
    {
      result = _sm_ping_check_evaluate (config, state.rtt_ms, state.count, state.send_errno);
      sm_check_result_add_detail (result, "address", address_text);
    }
  g_free (state.sent_us);
  g_free (state.rtt_ms);
  return result;
}

static void
ping_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const SmPingCheckConfig *config = task_data;
  g_autofree char *problem = sm_ping_check_config_validate (config);
  SmCheckResult *result;

  if (problem != NULL)
    result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, problem);
  else
    result = ping_run (config, cancellable);

  if (result == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "%s", _("The check was cancelled"));
      return;
    }
  result->time_us = g_get_real_time ();
  g_task_return_pointer (task, result, (GDestroyNotify) sm_check_result_free);
}

void
sm_ping_check_run_async (const SmPingCheckConfig *config,
                         GCancellable            *cancellable,
                         GAsyncReadyCallback      callback,
                         gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_ping_check_run_async);
  g_task_set_name (task, "sm_ping_check_run_async");
  g_task_set_task_data (task, sm_ping_check_config_copy (config),
                        (GDestroyNotify) sm_ping_check_config_free);
  g_task_run_in_thread (task, ping_thread);
}

SmCheckResult *
sm_ping_check_run_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sm_ping_check_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
