/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-tls-check.c: certificate expiry of a TLS service, through a
 * GSocketClient that does the handshake and accepts any certificate
 * (recording what was wrong with it).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sm-deadline.h"
#include "sm-tls-check.h"

#define US_PER_DAY  (86400.0 * G_USEC_PER_SEC)

typedef struct {
  SmTlsCheckConfig     *config;
  GSocketClient        *client;
  GTlsDatabase         *database;      /* from ca_file, or NULL */
  GTlsConnection       *tls;           /* seen at the handshake */
  GTlsCertificateFlags  errors;
  SmDeadline            deadline;       /* ours: the deadline and the caller's */
  gint64                start_us;
  gint64                phase_start_us;
  SmCheckTiming         timing;
} Run;

/* Config. */

SmTlsCheckConfig *
sm_tls_check_config_new (void)
{
  SmTlsCheckConfig *config = g_new0 (SmTlsCheckConfig, 1);

  config->port = 443;
  config->warn_days = SM_TLS_CHECK_DEFAULT_WARN_DAYS;
  config->crit_days = SM_TLS_CHECK_DEFAULT_CRIT_DAYS;
  config->timeout_s = SM_TLS_CHECK_DEFAULT_TIMEOUT_S;
  return config;
}

SmTlsCheckConfig *
sm_tls_check_config_copy (const SmTlsCheckConfig *config)
{
  SmTlsCheckConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (SmTlsCheckConfig, 1);
  *copy = *config;
  copy->host = g_strdup (config->host);
  copy->server_name = g_strdup (config->server_name);
  copy->ca_file = g_strdup (config->ca_file);
  return copy;
}

void
sm_tls_check_config_free (SmTlsCheckConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->host);
  g_free (config->server_name);
  g_free (config->ca_file);
  g_free (config);
}

char *
sm_tls_check_config_validate (const SmTlsCheckConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (config->host == NULL || *config->host == '\0')
    /* Translators: the first %s is a configuration field name (host,
     * port, warn_days, …) that stays in English, as in all messages of
     * this validator. */
    return g_strdup_printf (_("%s: no host given"), "host");
  if (!g_utf8_validate (config->host, -1, NULL)
      || (strpbrk (config->host, " \t\r\n/:@?#") != NULL
          && !g_hostname_is_ip_address (config->host)))
    return g_strdup_printf (_("%s: not a host name or address"), "host");
  if (config->port > 65535)
    return g_strdup_printf (_("%s: must be between %u and %u"), "port", 1u, 65535u);
  if (config->server_name != NULL
      && (*config->server_name == '\0' || strpbrk (config->server_name, " /:@?#") != NULL))
    return g_strdup_printf (_("%s: not a host name"), "server_name");
  if (config->warn_days > SM_TLS_CHECK_MAX_DAYS)
    return g_strdup_printf (_("%s: must be between %u and %u"), "warn_days",
                            0u, (guint) SM_TLS_CHECK_MAX_DAYS);
  if (config->crit_days > config->warn_days)
    return g_strdup_printf (_("%s: must not be more than warn_days"), "crit_days");
  if (config->timeout_s < 1 || config->timeout_s > SM_TLS_CHECK_MAX_TIMEOUT_S)
    return g_strdup_printf (_("%s: must be between %u and %u"), "timeout_s",
                            1u, (guint) SM_TLS_CHECK_MAX_TIMEOUT_S);
  if (config->ca_file != NULL && *config->ca_file == '\0')
    return g_strdup_printf (_("%s: is empty"), "ca_file");
  return NULL;
}

/* Shared with the HTTP check. */

double
sm_tls_describe_certificate (SmCheckResult   *result,
                             GTlsCertificate *certificate,
                             gint64           now_us)
{
  g_autofree char *issuer = NULL;
  g_autofree char *subject = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GDateTime) not_after_utc = NULL;
  g_autofree char *iso = NULL;
  double days_left;

  g_return_val_if_fail (result != NULL, NAN);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NAN);

  issuer = g_tls_certificate_get_issuer_name (certificate);
  subject = g_tls_certificate_get_subject_name (certificate);
  if (issuer != NULL)
    sm_check_result_add_detail (result, "issuer", issuer);
  if (subject != NULL)
    sm_check_result_add_detail (result, "subject", subject);

  not_after = g_tls_certificate_get_not_valid_after (certificate);
  if (not_after == NULL)
    return NAN;
  not_after_utc = g_date_time_to_utc (not_after);
  iso = g_date_time_format_iso8601 (not_after_utc);
  sm_check_result_add_detail (result, "not_after", iso);
  days_left = ((double) g_date_time_to_unix (not_after_utc) * G_USEC_PER_SEC
               - (double) now_us) / US_PER_DAY;
  sm_check_result_add_metric (result, "tls.days_left", days_left, NULL);
  return days_left;
}

static gboolean
is_self_signed (GTlsCertificate *certificate)
{
  g_autofree char *issuer = g_tls_certificate_get_issuer_name (certificate);
  g_autofree char *subject = g_tls_certificate_get_subject_name (certificate);

  return issuer != NULL && g_strcmp0 (issuer, subject) == 0;
}

static void
append_item (GString    *out,
             const char *item)
{
  if (out->len > 0)
    g_string_append (out, ", ");
  g_string_append (out, item);
}

char *
sm_tls_describe_errors (GTlsCertificateFlags  flags,
                        GTlsCertificate      *certificate)
{
  gboolean self_signed;
  GString *out;

  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), NULL);

  if (flags == 0)
    return NULL;

  self_signed = certificate != NULL && is_self_signed (certificate);
  out = g_string_new (NULL);
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    append_item (out, self_signed ? _("self-signed") : _("certificate not trusted"));
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    append_item (out, _("hostname mismatch"));
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    append_item (out, _("certificate expired"));
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    append_item (out, _("certificate not yet valid"));
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    append_item (out, _("certificate revoked"));
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    append_item (out, _("insecure algorithm"));
  if (flags & G_TLS_CERTIFICATE_GENERIC_ERROR)
    append_item (out, _("certificate invalid"));
  if (out->len == 0)
    g_string_append (out, _("certificate invalid"));
  return g_string_free (out, FALSE);
}

/* The run. */

static void
run_free (gpointer data)
{
  Run *run = data;


  g_clear_object (&run->tls);
  g_clear_object (&run->client);
  g_clear_object (&run->database);
  sm_deadline_clear (&run->deadline);
  sm_tls_check_config_free (run->config);
  g_free (run);
}

static double
ms_since (gint64 start_us)
{
  return (double) (g_get_monotonic_time () - start_us) / 1000.0;
}

/* Hands result (transfer full) to the caller. If the caller cancelled,
 * GTask turns it into G_IO_ERROR_CANCELLED. */
static void
run_return (GTask         *task,
            SmCheckResult *result)
{
  Run *run = g_task_get_task_data (task);

  sm_deadline_stop (&run->deadline);
  run->timing.total_ms = ms_since (run->start_us);
  result->timing = run->timing;
  sm_check_result_add_metric (result, "latency_ms", run->timing.total_ms, "ms");
  result->time_us = g_get_real_time ();
  g_task_return_pointer (task, result, (GDestroyNotify) sm_check_result_free);
}

static gboolean
accept_certificate_cb (GTlsConnection       *connection,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Run *run = user_data;

  (void) connection;
  (void) certificate;

  run->errors = errors;
  return TRUE;
}

static void
event_cb (GSocketClient      *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  Run *run = user_data;

  (void) client;
  (void) connectable;

  switch (event)
    {
    case G_SOCKET_CLIENT_RESOLVING:
    case G_SOCKET_CLIENT_CONNECTING:
      run->phase_start_us = g_get_monotonic_time ();
      break;
    case G_SOCKET_CLIENT_RESOLVED:
      run->timing.dns_ms = ms_since (run->phase_start_us);
      break;
    case G_SOCKET_CLIENT_CONNECTED:
      run->timing.connect_ms = ms_since (run->phase_start_us);
      break;
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
      run->phase_start_us = g_get_monotonic_time ();
      if (G_IS_TLS_CLIENT_CONNECTION (connection))
        {
          g_set_object (&run->tls, G_TLS_CONNECTION (connection));
          if (run->database != NULL)
            g_tls_connection_set_database (run->tls, run->database);
          if (run->config->server_name != NULL)
            {
              g_autoptr(GSocketConnectable) identity =
                g_network_address_new (run->config->server_name, run->config->port);

              g_tls_client_connection_set_server_identity (G_TLS_CLIENT_CONNECTION (connection),
                                                           identity);
            }
          g_signal_connect (connection, "accept-certificate",
                            G_CALLBACK (accept_certificate_cb), run);
        }
      break;
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
      run->timing.tls_ms = ms_since (run->phase_start_us);
      break;
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
    case G_SOCKET_CLIENT_COMPLETE:
    default:
      break;
    }
}

static void
close_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  (void) user_data;

  /* A peer that does not answer the close_notify is no news. */
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
}

/* A reason for a failed connection or handshake. */
static char *
describe_connect_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup (_("connection refused"));
  if (error->domain == G_RESOLVER_ERROR)
    return g_strdup_printf (_("could not resolve host: %s"), error->message);
  if (error->domain == G_TLS_ERROR)
    return g_strdup_printf (_("TLS handshake failed: %s"), error->message);
  return g_strdup (error->message);
}

static char *
days_text (double days_left)
{
  double rounded = round (fabs (days_left));
  gulong days = (gulong) rounded;

  if (days_left >= 0)
    {
      if (days == 0)
        return g_strdup (_("certificate expires in less than a day"));
      return g_strdup_printf (ngettext ("certificate expires in %lu day",
                                        "certificate expires in %lu days", days),
                              days);
    }
  if (days == 0)
    return g_strdup (_("certificate expired less than a day ago"));
  return g_strdup_printf (ngettext ("certificate expired %lu day ago",
                                    "certificate expired %lu days ago", days),
                          days);
}

static SmCheckResult *
judge (Run             *run,
       GTlsCertificate *certificate)
{
  SmCheckResult *result = sm_check_result_new (SM_CHECK_STATUS_UP, NULL);
  g_autoptr(GDateTime) not_before = NULL;
  g_autofree char *expiry = NULL;
  g_autofree char *validation = NULL;
  GTlsCertificateFlags other;
  double days_left;

  days_left = sm_tls_describe_certificate (result, certificate, g_get_real_time ());
  /* Expiry is judged below, in days; the list names the rest. */
  other = run->errors & ~(G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED);
  validation = sm_tls_describe_errors (other, certificate);
  if (validation != NULL)
    sm_check_result_add_detail (result, "validation", validation);

  not_before = g_tls_certificate_get_not_valid_before (certificate);
  if (isnan (days_left))
    {
      result->status = SM_CHECK_STATUS_UNKNOWN;
      expiry = g_strdup (_("certificate has no expiry date"));
    }
  else if (not_before != NULL
           && g_date_time_to_unix (not_before) * G_USEC_PER_SEC > g_get_real_time ())
    {
      /* No client accepts it yet. */
      result->status = SM_CHECK_STATUS_DOWN;
      expiry = g_strdup (_("certificate not yet valid"));
    }
  else if (days_left < 0 || days_left < run->config->crit_days)
    {
      result->status = SM_CHECK_STATUS_DOWN;
      expiry = days_text (days_left);
    }
  else if (days_left < run->config->warn_days)
    {
      result->status = SM_CHECK_STATUS_DEGRADED;
      expiry = days_text (days_left);
    }

  if (expiry != NULL && validation != NULL)
    sm_check_result_set_reason (result, "%s (%s)", expiry, validation);
  else if (expiry != NULL)
    sm_check_result_set_reason (result, "%s", expiry);
  else if (validation != NULL)
    sm_check_result_set_reason (result, "%s", validation);
  return result;
}

static void
connect_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;
  SmCheckResult *result;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &error);
  if (connection == NULL)
    {
      g_autofree char *reason = NULL;

      if (run->deadline.timed_out)
        reason = g_strdup_printf (_("timed out after %u s"), run->config->timeout_s);
      else
        reason = describe_connect_error (error);
      run_return (task, sm_check_result_new (SM_CHECK_STATUS_DOWN, reason));
      return;
    }

  certificate = run->tls != NULL ? g_tls_connection_get_peer_certificate (run->tls) : NULL;
  if (certificate == NULL)
    result = sm_check_result_new (SM_CHECK_STATUS_DOWN, _("no certificate received"));
  else
    result = judge (run, certificate);
  g_io_stream_close_async (G_IO_STREAM (connection), G_PRIORITY_DEFAULT, NULL,
                           close_cb, NULL);
  run_return (task, result);
}

void
sm_tls_check_run_async (const SmTlsCheckConfig *config,
                        GCancellable           *cancellable,
                        GAsyncReadyCallback     callback,
                        gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketConnectable) address = NULL;
  g_autofree char *problem = NULL;
  Run *run;

  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_tls_check_run_async);

  run = g_new0 (Run, 1);
  run->config = sm_tls_check_config_copy (config);
  if (run->config->port == 0)
    run->config->port = 443;
  run->start_us = g_get_monotonic_time ();
  run->timing.dns_ms = NAN;
  run->timing.connect_ms = NAN;
  run->timing.tls_ms = NAN;
  run->timing.first_byte_ms = NAN;
  g_task_set_task_data (task, run, run_free);

  problem = sm_tls_check_config_validate (run->config);
  if (problem != NULL)
    {
      run_return (task, sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, problem));
      return;
    }

  if (run->config->ca_file != NULL)
    {
      g_autoptr(GError) error = NULL;

      run->database = g_tls_file_database_new (run->config->ca_file, &error);
      if (run->database == NULL)
        {
          SmCheckResult *result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, NULL);

          sm_check_result_set_reason (result, "ca_file: %s", error->message);
          run_return (task, result);
          return;
        }
    }

  sm_deadline_start (&run->deadline, run->config->timeout_s, cancellable);

  run->client = g_socket_client_new ();
  g_socket_client_set_tls (run->client, TRUE);
  g_socket_client_set_timeout (run->client, run->config->timeout_s);
  g_signal_connect (run->client, "event", G_CALLBACK (event_cb), run);

  address = g_network_address_new (run->config->host, run->config->port);
  g_socket_client_connect_async (run->client, address, run->deadline.cancellable,
                                 connect_cb, g_steal_pointer (&task));
}

SmCheckResult *
sm_tls_check_run_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, sm_tls_check_run_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
