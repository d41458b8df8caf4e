/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-runner.c: a service check's settings turned into its probe's
 * configuration, and the probe run. */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sm-check-runner.h"
#include "sm-dns-check.h"
#include "sm-heartbeat-server.h"
#include "sm-http-check.h"
#include "sm-net-check.h"
#include "sm-plugin-output.h"
#include "sm-tls-check.h"

/* Settings into probe configurations. Validation already happened in
 * sm_check_validate; the probes validate again and report UNKNOWN. */

static const char *
host_of (const SmCheck *check,
         const char    *server_host)
{
  const char *host = sm_check_get_string (check, "host");

  return host != NULL && host[0] != '\0' ? host : server_host;
}

static guint
timeout_of (const SmCheck *check,
            guint          fallback)
{
  return (guint) CLAMP (sm_check_get_int (check, "timeout", fallback), 1, 300);
}

static SmHttpCheckConfig *
http_config (const SmCheck *check)
{
  SmHttpCheckConfig *config = sm_http_check_config_new ();
  JsonNode *headers = json_object_get_member (check->settings, "headers");
  JsonNode *status = json_object_get_member (check->settings, "expect_status");

  g_free (config->url);
  config->url = g_strdup (sm_check_get_string (check, "url"));
  if (sm_check_get_string (check, "method") != NULL)
    {
      g_free (config->method);
      config->method = g_strdup (sm_check_get_string (check, "method"));
    }
  if (headers != NULL && JSON_NODE_HOLDS_OBJECT (headers))
    {
      JsonObject *object = json_node_get_object (headers);
      g_autoptr(GList) names = json_object_get_members (object);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *line = g_strdup_printf ("%s: %s", (const char *) l->data,
                                                   json_object_get_string_member (object, l->data));

          g_strv_builder_add (builder, line);
        }
      g_strfreev (config->headers);
      config->headers = g_strv_builder_end (builder);
    }
  config->body = g_strdup (sm_check_get_string (check, "body"));
  if (status != NULL && JSON_NODE_HOLDS_VALUE (status))
    {
      if (json_node_get_value_type (status) == G_TYPE_INT64)
        config->expect_status_min = config->expect_status_max = (guint) json_node_get_int (status);
      else if (json_node_get_value_type (status) == G_TYPE_STRING)
        {
          g_auto(GStrv) parts = g_strsplit (json_node_get_string (status), "-", 2);

          if (g_strv_length (parts) == 2)
            {
              config->expect_status_min = (guint) g_ascii_strtoull (parts[0], NULL, 10);
              config->expect_status_max = (guint) g_ascii_strtoull (parts[1], NULL, 10);
            }
        }
    }
  config->keyword = g_strdup (sm_check_get_string (check, "keyword"));
  config->keyword_absent = sm_check_get_bool (check, "keyword_absent", FALSE);
  config->regex = g_strdup (sm_check_get_string (check, "regex"));
  config->regex_absent = sm_check_get_bool (check, "regex_absent", FALSE);
  config->max_response_bytes = (gsize) sm_check_get_int (check, "max_size",
                                                         (gint64) config->max_response_bytes);
  config->timeout_s = timeout_of (check, config->timeout_s);
  config->follow_redirects = sm_check_get_bool (check, "follow_redirects", config->follow_redirects);
  config->verify_tls = sm_check_get_bool (check, "verify_tls", config->verify_tls);
  config->ca_file = g_strdup (sm_check_get_string (check, "ca_file"));
  return config;
}

static SmTlsCheckConfig *
tls_config (const SmCheck *check,
            const char    *server_host)
{
  SmTlsCheckConfig *config = sm_tls_check_config_new ();

  config->host = g_strdup (host_of (check, server_host));
  config->port = (guint) sm_check_get_int (check, "port", 443);
  config->server_name = g_strdup (sm_check_get_string (check, "server_name"));
  config->warn_days = (guint) sm_check_get_int (check, "warn_days", config->warn_days);
  config->crit_days = (guint) sm_check_get_int (check, "crit_days", config->crit_days);
  config->timeout_s = timeout_of (check, config->timeout_s);
  return config;
}

static SmNetFamily
family_of (const SmCheck *check)
{
  const char *family = sm_check_get_string (check, "family");

  if (g_strcmp0 (family, "ipv4") == 0)
    return SM_NET_FAMILY_IPV4;
  if (g_strcmp0 (family, "ipv6") == 0)
    return SM_NET_FAMILY_IPV6;
  return SM_NET_FAMILY_ANY;
}

static SmTcpCheckConfig *
tcp_config (const SmCheck *check,
            const char    *server_host)
{
  SmTcpCheckConfig *config = sm_tcp_check_config_new ();

  config->host = g_strdup (host_of (check, server_host));
  config->port = (guint) sm_check_get_int (check, "port", 0);
  config->family = family_of (check);
  config->timeout_s = timeout_of (check, config->timeout_s);
  return config;
}

static SmPingCheckConfig *
ping_config (const SmCheck *check,
             const char    *server_host)
{
  SmPingCheckConfig *config = sm_ping_check_config_new ();

  config->host = g_strdup (host_of (check, server_host));
  config->count = (guint) sm_check_get_int (check, "count", config->count);
  config->warn_loss_pct = (guint) sm_check_get_int (check, "warn_loss", config->warn_loss_pct);
  config->crit_loss_pct = (guint) sm_check_get_int (check, "crit_loss", config->crit_loss_pct);
  config->timeout_s = timeout_of (check, config->timeout_s);
  return config;
}

static SmDnsCheckConfig *
dns_config (const SmCheck *check)
{
  SmDnsCheckConfig *config = sm_dns_check_config_new ();
  const char *record = sm_check_get_string (check, "record");

  config->name = g_strdup (sm_check_get_string (check, "query"));
  if (g_strcmp0 (record, "AAAA") == 0)
    config->record_type = SM_DNS_RECORD_AAAA;
  else if (g_strcmp0 (record, "ANY") == 0)
    config->record_type = SM_DNS_RECORD_ANY;
  else
    config->record_type = SM_DNS_RECORD_A;
  config->resolver = g_strdup (sm_check_get_string (check, "resolver"));
  config->expected = sm_check_dup_strv (check, "expect");
  config->timeout_s = timeout_of (check, config->timeout_s);
  return config;
}

gboolean
sm_check_runs_here (SmCheckType type)
{
  switch (type)
    {
    case SM_CHECK_HTTP:
    case SM_CHECK_TLS:
    case SM_CHECK_TCP:
    case SM_CHECK_PING:
    case SM_CHECK_DNS:
      return TRUE;
    case SM_CHECK_COMMAND:
    case SM_CHECK_LOG:
    case SM_CHECK_HEARTBEAT:
    default:
      return FALSE;
    }
}

/* Running */

static SmCheckResult *
probe_finish (SmCheckType    type,
              GAsyncResult  *result,
              GError       **error)
{
  switch (type)
    {
    case SM_CHECK_HTTP:
      return sm_http_check_run_finish (result, error);
    case SM_CHECK_TLS:
      return sm_tls_check_run_finish (result, error);
    case SM_CHECK_TCP:
      return sm_tcp_check_run_finish (result, error);
    case SM_CHECK_PING:
      return sm_ping_check_run_finish (result, error);
    case SM_CHECK_DNS:
      return sm_dns_check_run_finish (result, error);
    case SM_CHECK_COMMAND:
    case SM_CHECK_LOG:
    case SM_CHECK_HEARTBEAT:
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
probe_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SmCheckType type = GPOINTER_TO_INT (g_task_get_task_data (task));
  GError *error = NULL;
  SmCheckResult *check_result = probe_finish (type, result, &error);

  if (check_result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, check_result, (GDestroyNotify) sm_check_result_free);
}

void
sm_check_run_async (const SmCheck       *check,
                    const char          *server_host,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (check != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_check_run_async);
  g_task_set_task_data (task, GINT_TO_POINTER (check->type), NULL);

  switch (check->type)
    {
    case SM_CHECK_HTTP:
      {
        g_autoptr(SmHttpCheckConfig) config = http_config (check);

        sm_http_check_run_async (config, cancellable, probe_done_cb, task);
        return;
      }
    case SM_CHECK_TLS:
      {
        g_autoptr(SmTlsCheckConfig) config = tls_config (check, server_host);

        sm_tls_check_run_async (config, cancellable, probe_done_cb, task);
        return;
      }
    case SM_CHECK_TCP:
      {
        g_autoptr(SmTcpCheckConfig) config = tcp_config (check, server_host);

        sm_tcp_check_run_async (config, cancellable, probe_done_cb, task);
        return;
      }
    case SM_CHECK_PING:
      {
        g_autoptr(SmPingCheckConfig) config = ping_config (check, server_host);

        sm_ping_check_run_async (config, cancellable, probe_done_cb, task);
        return;
      }
    case SM_CHECK_DNS:
      {
        g_autoptr(SmDnsCheckConfig) config = dns_config (check);

        sm_dns_check_run_async (config, cancellable, probe_done_cb, task);
        return;
      }
    case SM_CHECK_COMMAND:
    case SM_CHECK_LOG:
    case SM_CHECK_HEARTBEAT:
    default:
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "%s checks do not run from this computer",
                               sm_check_type_to_string (check->type));
      g_object_unref (task);
      return;
    }
}

SmCheckResult *
sm_check_run_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

SmCheckResult *
sm_check_judge_heartbeat (const SmCheck *check,
                          gint64         last_ping,
                          gint64         created,
                          gint64         now)
{
  g_autofree char *reason = NULL;
  SmCheckStatus status;
  SmCheckResult *result;

  g_return_val_if_fail (check != NULL, NULL);

  status = sm_heartbeat_evaluate (last_ping, now, check->interval,
                                  (guint) sm_check_get_int (check, "grace", 300),
                                  created, &reason);
  result = sm_check_result_new (status, reason);
  result->time_us = now * G_USEC_PER_SEC;
  if (last_ping > 0)
    sm_check_result_add_metric (result, "age_s", (double) (now - last_ping), "s");
  return result;
}

SmCheckResult *
sm_check_run_command_output (const SmCheck *check,
                             int            exit_status,
                             const char    *output,
                             gsize          len)
{
  g_autofree char *problem = NULL;
  SmCheckResult *result;

  g_return_val_if_fail (check != NULL, NULL);

  result = sm_plugin_output_parse (exit_status, output, len,
                                   sm_check_get_string (check, "regex"), &problem);
  if (result == NULL)
    result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, problem);
  return result;
}

char *
sm_check_build_log_command (const SmCheck        *check,
                            const SmLogTailState *state)
{
  g_return_val_if_fail (check != NULL, NULL);

  return sm_log_tail_build_command (sm_check_get_string (check, "path"), state, 0);
}

SmCheckResult *
sm_check_parse_log_output (const SmCheck  *check,
                           const char     *output,
                           gsize           len,
                           SmLogTailState *state)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) patterns = NULL;
  g_autofree char *problem = NULL;

  g_return_val_if_fail (check != NULL, NULL);
  g_return_val_if_fail (state != NULL, NULL);

  if (!sm_log_tail_parse (output, len, state, lines, &problem))
    return sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, problem);
  patterns = sm_check_dup_strv (check, "patterns");
  return sm_log_tail_match (lines, (const char * const *) patterns,
                            (guint) sm_check_get_int (check, "keep", 10));
}
