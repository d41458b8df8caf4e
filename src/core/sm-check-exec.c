/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-exec.c: running a check once, shared by --check-once and the
 * app. */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "sm-check-exec.h"
#include "sm-check-runner.h"
#include "sm-check-store.h"

void
sm_check_record (SmStore             *store,
                 SmHistoryWriter     *history,
                 gint64               server_id,
                 const SmCheck       *check,
                 const SmCheckResult *result)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SM_IS_STORE (store));
  g_return_if_fail (check != NULL && result != NULL);

  if (!sm_store_save_check_result (store, check->id, result, &error))
    g_message ("Check “%s”: the result could not be stored: %s", check->name, error->message);

  /* Latency, up and the probe's own metrics (perfdata, days left, log
   * matches) chart like any other metric of the server. */
  if (history != NULL)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
      double latency = result->timing.total_ms;
      double up = result->status == SM_CHECK_STATUS_UNKNOWN ? NAN
                  : result->status == SM_CHECK_STATUS_DOWN ? 0 : 1;

      g_ptr_array_add (names, g_strdup_printf ("check.%" G_GINT64_FORMAT ".latency_ms", check->id));
      g_array_append_val (values, latency);
      g_ptr_array_add (names, g_strdup_printf ("check.%" G_GINT64_FORMAT ".up", check->id));
      g_array_append_val (values, up);
      for (guint i = 0; i < result->metrics->len; i++)
        {
          const SmCheckMetric *metric = &g_array_index (result->metrics, SmCheckMetric, i);

          if (g_str_equal (metric->name, "latency_ms") || !isfinite (metric->value))
            continue;
          g_ptr_array_add (names, g_strdup_printf ("check.%" G_GINT64_FORMAT ".%s", check->id,
                                                   metric->name));
          g_array_append_val (values, metric->value);
        }
      sm_history_writer_add_values (history, server_id, result->time_us / G_USEC_PER_SEC,
                                    (const char * const *) names->pdata,
                                    (const double *) values->data, names->len);
    }
}

/* Heartbeats */

static void
load_heartbeat_state (SmStore       *store,
                      const SmCheck *check,
                      gint64        *out_created,
                      gint64        *out_last_ping)
{
  g_autofree char *state = sm_store_load_check_state (store, check->id, NULL);
  g_autoptr(JsonNode) node = state != NULL ? json_from_string (state, NULL) : NULL;
  JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  *out_created = object != NULL ? json_object_get_int_member_with_default (object, "created", 0) : 0;
  *out_last_ping = object != NULL ? json_object_get_int_member_with_default (object, "last_ping", 0) : 0;
}

static void
save_heartbeat_state (SmStore       *store,
                      const SmCheck *check,
                      gint64         created,
                      gint64         last_ping)
{
  g_autofree char *json = g_strdup_printf ("{\"created\":%" G_GINT64_FORMAT ",\"last_ping\":%"
                                           G_GINT64_FORMAT "}", created, last_ping);

  sm_store_save_check_state (store, check->id, json, NULL);
}

SmCheckResult *
sm_check_judge_stored_heartbeat (SmStore       *store,
                                 const SmCheck *check,
                                 gint64         now)
{
  gint64 created;
  gint64 last_ping;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (check != NULL, NULL);

  load_heartbeat_state (store, check, &created, &last_ping);
  if (created == 0)
    {
      created = now;
      save_heartbeat_state (store, check, created, last_ping);
    }
  return sm_check_judge_heartbeat (check, last_ping, created, now);
}

void
sm_check_note_ping (SmStore       *store,
                    const SmCheck *check,
                    gint64         now)
{
  gint64 created;
  gint64 last_ping;

  g_return_if_fail (SM_IS_STORE (store));
  g_return_if_fail (check != NULL);

  load_heartbeat_state (store, check, &created, &last_ping);
  save_heartbeat_state (store, check, created != 0 ? created : now, now);
}

/* Command and log checks */

static char *
log_state_to_json (const SmLogTailState *state)
{
  return g_strdup_printf ("{\"inode\":%" G_GUINT64_FORMAT ",\"offset\":%" G_GUINT64_FORMAT "}",
                          state->inode, state->offset);
}

static gboolean
log_state_from_json (const char     *json,
                     SmLogTailState *state)
{
  g_autoptr(JsonNode) node = json != NULL ? json_from_string (json, NULL) : NULL;
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);
  if (!json_object_has_member (object, "inode") || !json_object_has_member (object, "offset"))
    return FALSE;
  state->inode = (guint64) MAX (json_object_get_int_member (object, "inode"), 0);
  state->offset = (guint64) MAX (json_object_get_int_member (object, "offset"), 0);
  state->initialised = TRUE;
  return TRUE;
}

SmCheckShellItem *
sm_check_shell_item_new (SmStore       *store,
                         const SmCheck *check)
{
  SmCheckShellItem *item;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (check != NULL && sm_check_type_uses_ssh (check->type), NULL);

  item = g_new0 (SmCheckShellItem, 1);
  item->check = sm_check_copy (check);
  if (check->type == SM_CHECK_COMMAND)
    item->command = g_strdup (sm_check_get_string (check, "command"));
  else
    {
      g_autofree char *state = sm_store_load_check_state (store, check->id, NULL);
      gboolean known = log_state_from_json (state, &item->state);

      item->command = sm_check_build_log_command (check, known ? &item->state : NULL);
    }
  return item;
}

void
sm_check_shell_item_free (SmCheckShellItem *item)
{
  if (item == NULL)
    return;
  sm_check_free (item->check);
  g_free (item->command);
  g_free (item->output);
  g_clear_error (&item->error);
  g_free (item);
}

static void
run_local (SmCheckShellItem *item,
           GCancellable     *cancellable)
{
  const char *argv[] = { "/bin/sh", "-c", item->command, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                               &item->error);
  if (process == NULL)
    return;
  if (!g_subprocess_communicate (process, NULL, cancellable, &out, NULL, &item->error))
    return;
  if (g_bytes_get_size (out) > SM_CHECK_MAX_OUTPUT)
    {
      g_set_error (&item->error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("the command printed more than %d MiB"), SM_CHECK_MAX_OUTPUT / (1024 * 1024));
      return;
    }
  item->output = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  item->len = g_bytes_get_size (out);
  if (g_subprocess_get_if_exited (process))
    item->exit_status = g_subprocess_get_exit_status (process);
  else
    item->exit_status = 128 + g_subprocess_get_term_sig (process);
}

gboolean
sm_check_shell_run (SmSshSession  *session,
                    GPtrArray     *items,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (items != NULL, FALSE);

  if (session != NULL && !sm_ssh_session_is_connected (session) &&
      !sm_ssh_session_connect (session, cancellable, error))
    return FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      SmCheckShellItem *item = g_ptr_array_index (items, i);
      gint64 start = g_get_monotonic_time ();

      if (session == NULL)
        run_local (item, cancellable);
      else
        item->output = sm_ssh_session_exec (session, item->command, SM_CHECK_MAX_OUTPUT,
                                            &item->exit_status, &item->len,
                                            cancellable, &item->error);
      item->latency_ms = (double) (g_get_monotonic_time () - start) / 1000.0;
    }
  return TRUE;
}

SmCheckResult *
sm_check_shell_item_finish (SmStore          *store,
                            SmCheckShellItem *item,
                            gboolean          local,
                            const GError     *connect_error)
{
  SmCheckResult *result;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (item != NULL, NULL);

  if (connect_error != NULL || item->error != NULL)
    {
      result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, NULL);
      /* Translators: %s says why the command could not run. */
      sm_check_result_set_reason (result, local ? _("Could not run: %s") : _("SSH: %s"),
                                  (connect_error != NULL ? connect_error : item->error)->message);
    }
  else if (item->check->type == SM_CHECK_COMMAND)
    result = sm_check_run_command_output (item->check, item->exit_status, item->output, item->len);
  else
    {
      g_autofree char *json = NULL;

      result = sm_check_parse_log_output (item->check, item->output, item->len, &item->state);
      json = log_state_to_json (&item->state);
      sm_store_save_check_state (store, item->check->id, json, NULL);
    }
  if (isnan (result->timing.total_ms) && connect_error == NULL)
    result->timing.total_ms = item->latency_ms;
  return result;
}
