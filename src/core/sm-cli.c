/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-cli.c: the command-line actions that run without a display. */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

#include "sm-alert-manager.h"
#include "sm-alert-store.h"
#include "sm-chart-render.h"
#include "sm-cli.h"
#include "sm-check-batch.h"
#include "sm-history.h"
#include "sm-scheduler.h"
#include "sm-settings.h"
#include "sm-ssh-session.h"
#include "sm-store.h"
#include "sm-transfer.h"
#include "sm-vault.h"

gboolean
sm_cli_wants_action (const SmCliOptions *options)
{
  g_return_val_if_fail (options != NULL, FALSE);

  return options->version ||
         options->import_file != NULL ||
         options->export_file != NULL ||
         options->trust_host != NULL ||
         options->list ||
         options->check_once ||
         options->alerts ||
         options->json ||
         options->backup_file != NULL ||
         options->render_chart != NULL ||
         options->metric != NULL ||
         options->range != NULL ||
         options->output != NULL ||
         options->width != 0 ||
         options->height != 0 ||
         options->dark;
}

void
sm_cli_options_clear (SmCliOptions *options)
{
  g_return_if_fail (options != NULL);

  g_clear_pointer (&options->data_dir, g_free);
  g_clear_pointer (&options->import_file, g_free);
  g_clear_pointer (&options->export_file, g_free);
  g_clear_pointer (&options->trust_host, g_free);
  g_clear_pointer (&options->backup_file, g_free);
  g_clear_pointer (&options->render_chart, g_free);
  g_clear_pointer (&options->metric, g_free);
  g_clear_pointer (&options->range, g_free);
  g_clear_pointer (&options->output, g_free);
  options->width = 0;
  options->height = 0;
  options->dark = FALSE;
  options->list = FALSE;
  options->check_once = FALSE;
  options->alerts = FALSE;
  options->json = FALSE;
  options->version = FALSE;
}

static void
print_error (const char *message)
{
  g_printerr ("status-monitor: %s\n", message);
}

/* Invalid input (a bad import file) is 2; everything else that fails is 1. */
static int
exit_status_for (const GError *error)
{
  if (g_error_matches (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID) ||
      g_error_matches (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID) ||
      g_error_matches (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE))
    return SM_CLI_EXIT_INVALID;
  return SM_CLI_EXIT_FAILURE;
}

static int
run_import (SmStore    *store,
            const char *data_dir,
            const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) vault_error = NULL;
  g_autoptr(SmVault) vault = NULL;
  SmTransferCounts counts = { 0 };
  guint alert_items;

  /* The vault is only needed to seal passwords; without one, an import that
   * carries none still works. */
  vault = sm_vault_open (data_dir, NULL, &vault_error);
  if (vault != NULL)
    sm_store_set_vault (store, vault);

  if (vault != NULL && sm_store_get_vault_state (store) == SM_VAULT_STATE_MISMATCH)
    {
      print_error (_("The credential key does not match this database, so "
                     "passwords cannot be stored. Restore the original key "
                     "(keyring entry or vault.key) or use another data directory."));
      return SM_CLI_EXIT_FAILURE;
    }

  if (!sm_transfer_import_file_full (store, path, &counts, &error))
    {
      if (vault_error != NULL && error->domain == SM_VAULT_ERROR)
        {
          g_autofree char *message =
            g_strdup_printf (_("%s: cannot store credentials: %s"),
                             path, vault_error->message);
          print_error (message);
          return SM_CLI_EXIT_FAILURE;
        }
      /* Import problems are already "FILE: where: what" lines. */
      if (g_error_matches (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID))
        g_printerr ("%s\n", error->message);
      else
        {
          g_autofree char *message = g_strdup_printf ("%s: %s", path, error->message);
          print_error (message);
        }
      return exit_status_for (error);
    }

  alert_items = counts.channels_added + counts.channels_updated +
                counts.rules_added + counts.rules_updated + counts.windows_added;

  /* A file with only alert settings says nothing about servers. */
  if (counts.servers_added + counts.servers_updated > 0 || alert_items == 0)
    g_print (ngettext ("Imported %u server from %s (%u added, %u updated)\n",
                       "Imported %u servers from %s (%u added, %u updated)\n",
                       counts.servers_added + counts.servers_updated),
             counts.servers_added + counts.servers_updated, path,
             counts.servers_added, counts.servers_updated);
  if (alert_items > 0)
    /* Translators: after "Imported 2 servers from FILE ...". */
    g_print (_("Alert settings: %u channels (%u added, %u updated), %u rules "
               "(%u added, %u updated), %u new quiet hours or maintenance windows\n"),
             counts.channels_added + counts.channels_updated,
             counts.channels_added, counts.channels_updated,
             counts.rules_added + counts.rules_updated,
             counts.rules_added, counts.rules_updated,
             counts.windows_added);
  if (counts.checks_added + counts.checks_updated > 0)
    /* Translators: after "Imported 2 servers from FILE ...". */
    g_print (_("Service checks: %u (%u added, %u updated)\n"),
             counts.checks_added + counts.checks_updated,
             counts.checks_added, counts.checks_updated);
  return SM_CLI_EXIT_OK;
}

static int
run_export (SmStore    *store,
            const char *path)
{
  g_autoptr(GError) error = NULL;

  if (!sm_transfer_export_file (store, path, &error))
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }
  return SM_CLI_EXIT_OK;
}

static int
run_list (SmStore  *store,
          gboolean  json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (json)
    text = sm_transfer_list_json (store, &error);
  else
    text = sm_transfer_list_table (store, &error);

  if (text == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  fputs (text, stdout);
  fflush (stdout);
  return SM_CLI_EXIT_OK;
}

/* Loads the vault for actions that need stored secrets; a failure is kept
 * so that only servers with a secret fail, with the reason. */
static SmVault *
open_vault_for (SmStore    *store,
                const char *data_dir)
{
  g_autoptr(GError) error = NULL;
  SmVault *vault = sm_vault_open (data_dir, NULL, &error);

  if (vault != NULL)
    sm_store_set_vault (store, vault);
  return vault;
}

/* How long --check-once waits for notifications to be delivered. */
#define CHECK_ONCE_FLUSH_TIMEOUT_S 60

typedef struct {
  GMainLoop      *loop;
  SmAlertManager *alerts;
  GCancellable   *cancellable;
  gboolean        json;
  guint           pending;
  int             status;
  gboolean        flushed;
  gboolean        timed_out;
  guint           n_failed;
  gboolean        checks_done;
  GError         *checks_error;
} CheckOnce;

/* A JSON string literal, escaped by json-glib. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *quoted = NULL;

  json_node_set_string (node, text != NULL ? text : "");
  json_generator_set_root (generator, node);
  quoted = json_generator_to_data (generator, NULL);
  g_string_append (out, quoted);
}

/* Numbers as people write them ("12.5", not "12.499999999999998"), which
 * json-glib's full-precision doubles are not. */
static void
append_json_number (GString    *out,
                    const char *format,
                    double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, format, value));
}

static void
print_outcome_json (SmServer            *server,
                    const SmPollOutcome *outcome)
{
  g_autoptr(GString) line = g_string_new ("{\"server\":");
  gboolean first = TRUE;

  append_json_string (line, sm_server_get_name (server));
  g_string_append (line, ",\"status\":");
  append_json_string (line, sm_server_status_to_string (outcome->status));
  g_string_append (line, ",\"reason\":");
  append_json_string (line, outcome->reason);
  g_string_append (line, ",\"latency_ms\":");
  append_json_number (line, "%.1f", outcome->latency_ms);
  g_string_append (line, ",\"metrics\":{");
  for (guint i = 0; outcome->result != NULL && i < outcome->result->metrics->len; i++)
    {
      const SmMetric *metric = &g_array_index (outcome->result->metrics, SmMetric, i);

      if (!isfinite (metric->value))
        continue;
      if (!first)
        g_string_append_c (line, ',');
      first = FALSE;
      append_json_string (line, metric->name);
      g_string_append_c (line, ':');
      append_json_number (line, "%.15g", round (metric->value * 1000) / 1000);
    }
  g_string_append (line, "}}");

  g_print ("%s\n", line->str);
}

static void
poll_finished_cb (SmScheduler *scheduler,
                  SmServer    *server,
                  gpointer     data,
                  CheckOnce   *check)
{
  const SmPollOutcome *outcome = data;

  if (check->json)
    {
      print_outcome_json (server, outcome);
    }
  else
    {
      g_autofree char *name = g_strescape (sm_server_get_name (server), NULL);

      g_print ("%-24s %-9s %7.1f ms  %s\n", name,
               sm_server_status_to_string (outcome->status),
               outcome->latency_ms, outcome->reason);
    }

  if (outcome->status != SM_SERVER_STATUS_UP)
    check->status = SM_CLI_EXIT_FAILURE;

  /* The same evaluation as in the app; notifications are its side effect. */
  if (check->alerts != NULL)
    sm_alert_manager_process_poll (check->alerts, server, outcome);

  if (--check->pending == 0)
    g_main_loop_quit (check->loop);
}

static void
print_check (SmServer            *server,
             const SmCheck       *check,
             const SmCheckResult *result,
             gboolean             json)
{
  if (json)
    {
      g_autoptr(GString) line = g_string_new ("{\"server\":");

      append_json_string (line, sm_server_get_name (server));
      g_string_append (line, ",\"check\":");
      append_json_string (line, check->name);
      g_string_append (line, ",\"type\":");
      append_json_string (line, sm_check_type_to_string (check->type));
      g_string_append (line, ",\"status\":");
      append_json_string (line, sm_check_status_to_string (result->status));
      g_string_append (line, ",\"reason\":");
      append_json_string (line, result->reason);
      g_string_append (line, ",\"latency_ms\":");
      if (isfinite (result->timing.total_ms))
        append_json_number (line, "%.1f", result->timing.total_ms);
      else
        g_string_append (line, "null");
      g_string_append_c (line, '}');
      g_print ("%s\n", line->str);
    }
  else
    {
      g_autofree char *server_name = g_strescape (sm_server_get_name (server), NULL);
      g_autofree char *check_name = g_strescape (check->name, NULL);
      g_autofree char *where = g_strdup_printf ("%s / %s", server_name, check_name);

      g_print ("%-24s %-9s %7.1f ms  %s\n", where, sm_check_status_to_string (result->status),
               isfinite (result->timing.total_ms) ? result->timing.total_ms : 0.0,
               result->reason != NULL ? result->reason : "");
    }
}

static void
check_finished_cb (SmServer            *server,
                   const SmCheck       *check,
                   const SmCheckResult *result,
                   gpointer             user_data)
{
  CheckOnce *check_once = user_data;

  print_check (server, check, result, check_once->json);
  if (result->status != SM_CHECK_STATUS_UP)
    check_once->status = SM_CLI_EXIT_FAILURE;
  /* The same rules as in the app. */
  if (check_once->alerts != NULL)
    sm_alert_manager_process_check (check_once->alerts, server, check, result);
}

static void
checks_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CheckOnce *check_once = user_data;

  sm_check_batch_run_finish (result, &check_once->checks_error);
  check_once->checks_done = TRUE;
}

/* Channel names and notifier errors carry no secret (a bot token is shown
 * as "<token>"). */
static void
delivery_failed_cb (SmAlertManager *alerts,
                    const char     *channel,
                    const GError   *error,
                    CheckOnce      *check)
{
  g_autofree char *name = g_strescape (channel != NULL ? channel : "", NULL);
  g_autofree char *message =
    g_strdup_printf (_("Notification through “%s” failed: %s"), name,
                     error != NULL ? error->message : _("unknown error"));

  (void) alerts;
  check->n_failed++;
  print_error (message);
}

static void
flush_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CheckOnce *check = user_data;
  g_autoptr(GError) error = NULL;

  if (!sm_alert_manager_flush_finish (SM_ALERT_MANAGER (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    print_error (error->message);
  check->flushed = TRUE;
  g_main_loop_quit (check->loop);
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  CheckOnce *check = user_data;

  check->timed_out = TRUE;
  g_cancellable_cancel (check->cancellable);
  g_main_loop_quit (check->loop);
  return G_SOURCE_REMOVE;
}

/* Waits until every notification the round sent is delivered or failed,
 * at most CHECK_ONCE_FLUSH_TIMEOUT_S. FALSE on the timeout. */
static gboolean
flush_notifications (CheckOnce *check)
{
  guint timeout_id;

  check->cancellable = g_cancellable_new ();
  timeout_id = g_timeout_add_seconds (CHECK_ONCE_FLUSH_TIMEOUT_S, flush_timeout_cb, check);
  sm_alert_manager_flush_async (check->alerts, check->cancellable, flush_cb, check);
  while (!check->flushed && !check->timed_out)
    g_main_loop_run (check->loop);
  if (!check->timed_out)
    g_source_remove (timeout_id);
  g_clear_object (&check->cancellable);

  return !check->timed_out;
}

static int
run_check_once (SmStore    *store,
                const char *data_dir,
                gboolean    json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(SmVault) vault = NULL;
  g_autoptr(SmScheduler) scheduler = NULL;
  g_autoptr(SmHistoryWriter) history = NULL;
  g_autoptr(GError) history_error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(SmAlertManager) alerts = NULL;
  g_autoptr(GError) alerts_error = NULL;
  CheckOnce check = { 0 };

  /* As on the app's first launch: a fresh data dir checks this computer. */
  if (!sm_store_ensure_local_server (store, _("This Computer"), NULL, &error) ||
      (servers = sm_store_list_servers (store, &error)) == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  vault = open_vault_for (store, data_dir);
  loop = g_main_loop_new (NULL, FALSE);
  scheduler = sm_scheduler_new (store, data_dir, 16);
  sm_scheduler_set_timers (scheduler, FALSE);

  /* The polls go into the history as the app's do; a history that cannot
   * be written does not stop the check. */
  history = sm_history_writer_new (sm_store_get_path (store), &history_error);
  if (history == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("History not recorded: %s"),
                                                  history_error->message);
      print_error (message);
    }
  sm_scheduler_set_history_writer (scheduler, history);

  /* Rules, windows, channels and the alerts left open come from the store;
   * what cannot be loaded is said, and the check goes on without it. */
  alerts = sm_alert_manager_new (store, NULL);
  alerts_error = sm_alert_manager_dup_error (alerts);
  if (alerts_error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Alerts: %s"), alerts_error->message);
      print_error (message);
    }

  check.loop = loop;
  check.alerts = alerts;
  check.json = json;
  check.status = SM_CLI_EXIT_OK;
  g_signal_connect (scheduler, "poll-finished", G_CALLBACK (poll_finished_cb), &check);
  g_signal_connect (alerts, "delivery-failed", G_CALLBACK (delivery_failed_cb), &check);

  for (guint i = 0; i < servers->len; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);

      if (!sm_server_get_enabled (server))
        continue;
      sm_scheduler_add_server (scheduler, server);
      check.pending++;
    }

  if (check.pending == 0)
    {
      print_error (_("No enabled servers to check. Add one with --import or in the app."));
      return SM_CLI_EXIT_INVALID;
    }

  /* All at once: the pool bounds how many run in parallel. Every poll is
   * one round for the alerts (a round where every server is unreachable
   * is a gap in monitoring, not an outage of each). */
  sm_alert_manager_begin_round (alerts);
  for (guint i = 0; i < servers->len; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);

      if (sm_server_get_enabled (server))
        sm_scheduler_poll_now (scheduler, server);
    }

  g_main_loop_run (loop);
  sm_alert_manager_end_round (alerts);
  sm_scheduler_shutdown (scheduler);
  sm_scheduler_set_history_writer (scheduler, NULL);

  /* Then each server's service checks, printed as they finish. */
  {
    g_autofree char *known_hosts = g_build_filename (data_dir, "known_hosts", NULL);
    g_autoptr(GError) checks_error = NULL;

    check.checks_done = FALSE;
    sm_check_batch_run_async (store, servers, known_hosts, history, check_finished_cb, &check,
                              NULL, checks_done_cb, &check);
    while (!check.checks_done)
      g_main_context_iteration (NULL, TRUE);
    if (check.checks_error != NULL)
      {
        print_error (check.checks_error->message);
        g_clear_error (&check.checks_error);
        check.status = SM_CLI_EXIT_FAILURE;
      }
  }

  if (history != NULL && !sm_history_writer_flush (history, &history_error))
    {
      g_autofree char *message = g_strdup_printf (_("History not recorded: %s"),
                                                  history_error->message);
      print_error (message);
    }

  /* Delivery failures are printed (delivery_failed_cb) but do not change
   * the exit status, which says whether the servers are up. */
  if (!flush_notifications (&check))
    {
      print_error (_("Timed out sending notifications"));
      g_signal_handlers_disconnect_by_data (alerts, &check);
      return SM_CLI_EXIT_FAILURE;
    }
  g_signal_handlers_disconnect_by_data (alerts, &check);

  return check.status;
}

static char *
format_value (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    return g_strdup ("");
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.10g",
                                    round (value * 1000) / 1000));
}

static void
print_alert_json (const SmAlertInfo *info,
                  const char        *server)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GDateTime) since = g_date_time_new_from_unix_utc (info->since);
  g_autofree char *since_text = since != NULL ? g_date_time_format_iso8601 (since) : NULL;

  g_string_append_printf (line, "{\"alert_id\":%" G_GINT64_FORMAT, info->alert_id);
  g_string_append (line, ",\"severity\":");
  append_json_string (line, sm_severity_to_string (info->severity));
  g_string_append (line, ",\"server\":");
  append_json_string (line, server);
  g_string_append (line, ",\"title\":");
  append_json_string (line, info->title);
  g_string_append (line, ",\"target\":");
  append_json_string (line, info->target);
  g_string_append (line, ",\"state\":");
  append_json_string (line, sm_alert_state_to_string (info->state));
  g_string_append (line, ",\"since\":");
  append_json_string (line, since_text);
  g_string_append (line, ",\"value\":");
  if (isfinite (info->value))
    append_json_number (line, "%.15g", round (info->value * 1000) / 1000);
  else
    g_string_append (line, "null");
  g_string_append_c (line, '}');

  g_print ("%s\n", line->str);
}

static int
run_alerts (SmStore  *store,
            gboolean  json)
{
  enum { SEVERITY, SERVER, WHAT, STATE, SINCE, VALUE, N_COLUMNS };
  const char *headers[N_COLUMNS] = {
    N_("SEVERITY"), N_("SERVER"), N_("WHAT"), N_("STATE"), N_("SINCE"), N_("VALUE"),
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  guint widths[N_COLUMNS] = { 0 };

  alerts = sm_store_list_open_alerts (store, &error);
  if (alerts == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  if (alerts->len == 0)
    {
      if (!json)
        g_print ("%s\n", _("No active alerts."));
      return SM_CLI_EXIT_OK;
    }

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  if (!json)
    {
      GStrv row = g_new0 (char *, N_COLUMNS + 1);

      for (guint c = 0; c < N_COLUMNS; c++)
        row[c] = g_strdup (_(headers[c]));
      g_ptr_array_add (rows, row);
    }

  for (guint i = 0; i < alerts->len; i++)
    {
      const SmAlertInfo *info = g_ptr_array_index (alerts, i);
      g_autofree char *server = info->server_name != NULL
        ? g_strdup (info->server_name)
        : g_strdup (info->server_id != NULL ? info->server_id : "");
      g_autoptr(GDateTime) since = NULL;
      GStrv row;

      if (json)
        {
          print_alert_json (info, server);
          continue;
        }

      since = g_date_time_new_from_unix_local (info->since);
      row = g_new0 (char *, N_COLUMNS + 1);
      row[SEVERITY] = g_strdup (sm_severity_to_string (info->severity));
      row[SERVER] = g_strescape (server, NULL);
      row[WHAT] = g_strescape (info->title != NULL ? info->title : "", NULL);
      row[STATE] = g_strdup (sm_alert_state_to_string (info->state));
      row[SINCE] = since != NULL ? g_date_time_format (since, "%Y-%m-%d %H:%M") : g_strdup ("");
      row[VALUE] = format_value (info->value);
      g_ptr_array_add (rows, row);
    }

  if (json)
    return SM_CLI_EXIT_OK;

  for (guint r = 0; r < rows->len; r++)
    {
      GStrv row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < N_COLUMNS; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));
    }
  for (guint r = 0; r < rows->len; r++)
    {
      GStrv row = g_ptr_array_index (rows, r);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < N_COLUMNS; c++)
        {
          g_string_append (line, row[c]);
          if (c == N_COLUMNS - 1)
            break;
          for (glong k = g_utf8_strlen (row[c], -1); k < (glong) widths[c] + 2; k++)
            g_string_append_c (line, ' ');
        }
      g_print ("%s\n", line->str);
    }

  return SM_CLI_EXIT_OK;
}

static int
run_backup (SmStore    *store,
            const char *dest)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *size = NULL;

  if (!sm_history_backup (sm_store_get_path (store), dest, &error))
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  size = g_format_size (sm_history_get_disk_usage (dest));
  g_print (_("Backed up %s to %s (%s)\n"), sm_store_get_path (store), dest, size);
  return SM_CLI_EXIT_OK;
}

#define CHART_DEFAULT_WIDTH   1200
#define CHART_DEFAULT_HEIGHT  400
#define CHART_MIN_SIZE        100
#define CHART_MAX_SIZE        8000

static int
run_render_chart (SmStore            *store,
                  const SmCliOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) server = NULL;
  g_autoptr(SmHistoryReader) reader = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GPtrArray) metrics = NULL;
  g_autoptr(SmSeries) series = NULL;
  g_autoptr(SmChartModel) model = NULL;
  g_autofree char *title = NULL;
  SmChartStyle style;
  SmRetention retention;
  SmRange range = SM_RANGE_24H;
  gint64 end;
  gint64 start;
  int width = options->width != 0 ? options->width : CHART_DEFAULT_WIDTH;
  int height = options->height != 0 ? options->height : CHART_DEFAULT_HEIGHT;
  gboolean known = FALSE;
  gboolean saved;

  if (options->metric == NULL || options->output == NULL)
    {
      print_error (_("--render-chart needs --metric METRIC and --output FILE.png|svg"));
      return SM_CLI_EXIT_INVALID;
    }
  if (options->range != NULL && !sm_range_from_string (options->range, &range))
    {
      g_autofree char *message =
        g_strdup_printf (_("Unknown range “%s”: use 15m, 1h, 6h, 24h, 7d, 30d or 1y"),
                         options->range);
      print_error (message);
      return SM_CLI_EXIT_INVALID;
    }
  if (width < CHART_MIN_SIZE || width > CHART_MAX_SIZE ||
      height < CHART_MIN_SIZE || height > CHART_MAX_SIZE)
    {
      g_autofree char *message =
        g_strdup_printf (_("The chart size must be between %d and %d pixels"),
                         CHART_MIN_SIZE, CHART_MAX_SIZE);
      print_error (message);
      return SM_CLI_EXIT_INVALID;
    }
  if (!g_str_has_suffix (options->output, ".png") && !g_str_has_suffix (options->output, ".svg"))
    {
      g_autofree char *message =
        g_strdup_printf (_("%s: the output must end in .png or .svg"), options->output);
      print_error (message);
      return SM_CLI_EXIT_INVALID;
    }

  server = sm_store_find_server_by_name (store, options->render_chart, &error);
  if (server == NULL)
    {
      g_autofree char *message = error != NULL
        ? g_strdup (error->message)
        : g_strdup_printf (_("No server named “%s”. See --list."), options->render_chart);
      print_error (message);
      return error != NULL ? SM_CLI_EXIT_FAILURE : SM_CLI_EXIT_INVALID;
    }

  reader = sm_history_reader_new (sm_store_get_path (store), &error);
  if (reader == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }
  settings = sm_settings_new_if_installed ();
  sm_settings_get_retention (settings, &retention);
  sm_history_reader_set_retention (reader, &retention);

  metrics = sm_history_reader_list_metrics (reader, sm_server_get_id (server), &error);
  if (metrics == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }
  for (guint i = 0; i < metrics->len && !known; i++)
    known = g_str_equal (g_ptr_array_index (metrics, i), options->metric);
  if (!known)
    {
      g_autoptr(GString) message = g_string_new (NULL);

      g_string_printf (message, _("%s has no history of “%s”."),
                       sm_server_get_name (server), options->metric);
      if (metrics->len > 0)
        {
          g_string_append_c (message, ' ');
          g_string_append (message, _("Known metrics:"));
          for (guint i = 0; i < metrics->len; i++)
            g_string_append_printf (message, " %s", (const char *) g_ptr_array_index (metrics, i));
        }
      print_error (message->str);
      return SM_CLI_EXIT_INVALID;
    }

  end = g_get_real_time () / G_USEC_PER_SEC;
  start = end - sm_range_get_seconds (range);
  series = sm_history_reader_query (reader, sm_server_get_id (server), options->metric,
                                    start, end, width, sm_server_get_interval (server),
                                    &error);
  if (series == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  model = sm_chart_model_new (sm_metric_get_unit (options->metric));
  /* Translators: a chart title: server, metric, range ("web-1: cpu.percent, 24 h"). */
  title = g_strdup_printf (_("%s: %s, %s"), sm_server_get_name (server),
                           options->metric, sm_range_to_label (range));
  sm_chart_model_set_title (model, title);
  sm_chart_model_set_range (model, start, end, FALSE);
  sm_chart_model_add_series (model, options->metric, g_steal_pointer (&series));

  sm_chart_style_init (&style, options->dark);
  saved = sm_chart_model_save (model, options->output, width, height, &style, &error);
  sm_chart_style_clear (&style);
  if (!saved)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  g_print (_("Wrote %s\n"), options->output);
  return SM_CLI_EXIT_OK;
}

static int
run_trust_host (SmStore    *store,
                const char *data_dir,
                const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) server = NULL;
  g_autoptr(SmSshSession) session = NULL;
  g_autofree char *known_hosts = g_build_filename (data_dir, "known_hosts", NULL);
  SmSshConfig config = { 0 };

  server = sm_store_find_server_by_name (store, name, &error);
  if (server == NULL)
    {
      g_autofree char *message = error != NULL
        ? g_strdup (error->message)
        : g_strdup_printf (_("No server named “%s”. See --list."), name);
      print_error (message);
      return SM_CLI_EXIT_INVALID;
    }

  /* Trusting needs only the handshake; no secret is used before the key
   * is trusted. */
  sm_ssh_config_init_from_server (&config, server, NULL, known_hosts);
  session = sm_ssh_session_new (&config);
  sm_ssh_config_clear (&config);

  if (sm_ssh_session_connect (session, NULL, &error) ||
      !g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN))
    {
      if (error == NULL || error->domain != SM_SSH_ERROR ||
          error->code == SM_SSH_ERROR_AUTH_FAILED ||
          error->code == SM_SSH_ERROR_CREDENTIALS)
        {
          g_print (_("%s: the host key %s %s is already trusted\n"),
                   sm_server_get_name (server),
                   sm_ssh_session_get_host_key_type (session),
                   sm_ssh_session_get_host_key_sha256 (session));
          return SM_CLI_EXIT_OK;
        }
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  g_print (_("%s: host key %s %s\n"),
           sm_server_get_name (server),
           sm_ssh_session_get_host_key_type (session),
           sm_ssh_session_get_host_key_sha256 (session));

  g_clear_error (&error);
  if (!sm_ssh_session_trust_host_key (session, &error))
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  g_print (_("Trusted; stored in %s\n"), known_hosts);
  return SM_CLI_EXIT_OK;
}

int
sm_cli_run (const SmCliOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  g_return_val_if_fail (options != NULL, SM_CLI_EXIT_FAILURE);

  if (options->version)
    {
      g_print ("status-monitor %s\n", PACKAGE_VERSION);
      return SM_CLI_EXIT_OK;
    }

  if (options->json && !options->list && !options->check_once && !options->alerts)
    {
      print_error (_("--json goes with --list, --check-once or --alerts"));
      return SM_CLI_EXIT_INVALID;
    }
  if (options->list && options->check_once)
    {
      print_error (_("--list and --check-once cannot be combined"));
      return SM_CLI_EXIT_INVALID;
    }
  if (options->alerts && (options->list || options->check_once))
    {
      print_error (_("--alerts cannot be combined with --list or --check-once"));
      return SM_CLI_EXIT_INVALID;
    }
  if (options->render_chart == NULL &&
      (options->metric != NULL || options->range != NULL || options->output != NULL ||
       options->width != 0 || options->height != 0 || options->dark))
    {
      print_error (_("--metric, --range, --output, --width, --height and --dark go with --render-chart"));
      return SM_CLI_EXIT_INVALID;
    }

  data_dir = options->data_dir != NULL ? g_strdup (options->data_dir)
                                       : sm_store_default_data_dir ();

  store = sm_store_open_data_dir (data_dir, NULL, &error);
  if (store == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  if (options->import_file != NULL)
    {
      status = run_import (store, data_dir, options->import_file);
      if (status != SM_CLI_EXIT_OK)
        return status;
    }

  if (options->export_file != NULL)
    {
      status = run_export (store, options->export_file);
      if (status != SM_CLI_EXIT_OK)
        return status;
    }

  if (options->trust_host != NULL)
    {
      status = run_trust_host (store, data_dir, options->trust_host);
      if (status != SM_CLI_EXIT_OK)
        return status;
    }

  if (options->backup_file != NULL)
    {
      status = run_backup (store, options->backup_file);
      if (status != SM_CLI_EXIT_OK)
        return status;
    }

  if (options->render_chart != NULL)
    {
      status = run_render_chart (store, options);
      if (status != SM_CLI_EXIT_OK)
        return status;
    }

  if (options->list)
    return run_list (store, options->json);

  if (options->check_once)
    return run_check_once (store, data_dir, options->json);

  if (options->alerts)
    return run_alerts (store, options->json);

  return SM_CLI_EXIT_OK;
}
