/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-batch.c: every enabled check of some servers, once. */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <sys/wait.h>

#include "sm-check-batch.h"
#include "sm-check-runner.h"
#include "sm-check-store.h"
#include "sm-ssh-session.h"
#include "sm-vault.h"

/* What a command or log check may print in one run. */
#define MAX_OUTPUT (4 * 1024 * 1024)

typedef struct {
  SmStore         *store;
  SmHistoryWriter *history;
  SmCheckBatchFunc each;
  gpointer         each_data;
  guint            pending;
  guint            n_run;
  gboolean         started;
} Batch;

static void
batch_free (Batch *batch)
{
  g_clear_object (&batch->store);
  g_free (batch);
}

static void
maybe_finish (GTask *task)
{
  Batch *batch = g_task_get_task_data (task);

  if (batch->started && batch->pending == 0)
    g_task_return_int (task, batch->n_run);
}

/* A result: stored, recorded in the history, handed on. */
static void
deliver (GTask               *task,
         SmServer            *server,
         const SmCheck       *check,
         const SmCheckResult *result)
{
  Batch *batch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!sm_store_save_check_result (batch->store, check->id, result, &error))
    g_message ("Check “%s”: the result could not be stored: %s", check->name, error->message);

  if (batch->history != NULL)
    {
      g_autofree char *latency = g_strdup_printf ("check.%" G_GINT64_FORMAT ".latency_ms", check->id);
      g_autofree char *up = g_strdup_printf ("check.%" G_GINT64_FORMAT ".up", check->id);
      const char *names[] = { latency, up };
      double values[] = {
        result->timing.total_ms,
        result->status == SM_CHECK_STATUS_UNKNOWN ? NAN
        : result->status == SM_CHECK_STATUS_DOWN ? 0 : 1,
      };

      sm_history_writer_add_values (batch->history, sm_server_get_id (server),
                                    result->time_us / G_USEC_PER_SEC, names, values, 2);
    }

  batch->n_run++;
  if (batch->each != NULL)
    batch->each (server, check, result, batch->each_data);
}

/* Network checks */

typedef struct {
  GTask    *task;
  SmServer *server;
  SmCheck  *check;
} NetRun;

static void
net_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  NetRun *run = user_data;
  Batch *batch = g_task_get_task_data (run->task);
  g_autoptr(SmCheckResult) check_result = NULL;
  g_autoptr(GError) error = NULL;

  check_result = sm_check_run_finish (result, &error);
  if (check_result == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    check_result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, error->message);
  if (check_result != NULL)
    deliver (run->task, run->server, run->check, check_result);

  batch->pending--;
  maybe_finish (run->task);
  g_object_unref (run->task);
  g_object_unref (run->server);
  sm_check_free (run->check);
  g_free (run);
}

/* Heartbeats */

static SmCheckResult *
judge_heartbeat (Batch         *batch,
                 const SmCheck *check)
{
  g_autofree char *state = sm_store_load_check_state (batch->store, check->id, NULL);
  g_autoptr(JsonNode) node = state != NULL ? json_from_string (state, NULL) : NULL;
  JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 last_ping = object != NULL ? json_object_get_int_member_with_default (object, "last_ping", 0) : 0;
  gint64 created = object != NULL ? json_object_get_int_member_with_default (object, "created", 0) : 0;

  /* The first time a check is seen is where its wait starts. */
  if (created == 0)
    {
      g_autofree char *json = NULL;

      created = now;
      json = g_strdup_printf ("{\"created\":%" G_GINT64_FORMAT ",\"last_ping\":%" G_GINT64_FORMAT "}",
                              created, last_ping);
      sm_store_save_check_state (batch->store, check->id, json, NULL);
    }
  return sm_check_judge_heartbeat (check, last_ping, created, now);
}

/* Command and log checks: one session per server, on a worker. */

typedef struct {
  SmCheck        *check;
  char           *command;
  SmLogTailState  state;      /* log checks */
  /* Filled by the worker. */
  char           *output;
  gsize           len;
  int             exit_status;
  double          latency_ms;
  GError         *error;
} ShellItem;

static void
shell_item_free (ShellItem *item)
{
  sm_check_free (item->check);
  g_free (item->command);
  g_free (item->output);
  g_clear_error (&item->error);
  g_free (item);
}

typedef struct {
  GTask       *task;          /* the batch */
  SmServer    *server;
  gboolean     local;
  SmSshConfig  config;
  GPtrArray   *items;         /* ShellItem */
  GError      *error;         /* connecting failed */
} ShellJob;

static void
shell_job_free (ShellJob *job)
{
  g_object_unref (job->task);
  g_object_unref (job->server);
  if (!job->local)
    sm_ssh_config_clear (&job->config);
  g_ptr_array_unref (job->items);
  g_clear_error (&job->error);
  g_free (job);
}

static void
run_local (ShellItem    *item,
           GCancellable *cancellable)
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
  if (g_bytes_get_size (out) > MAX_OUTPUT)
    {
      g_set_error (&item->error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("the command printed more than %d MiB"), MAX_OUTPUT / (1024 * 1024));
      return;
    }
  item->output = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  item->len = g_bytes_get_size (out);
  if (g_subprocess_get_if_exited (process))
    item->exit_status = g_subprocess_get_exit_status (process);
  else
    item->exit_status = 128 + g_subprocess_get_term_sig (process);
}

static void
shell_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ShellJob *job = task_data;
  g_autoptr(SmSshSession) session = NULL;

  if (!job->local)
    {
      session = sm_ssh_session_new (&job->config);
      if (!sm_ssh_session_connect (session, cancellable, &job->error))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
    }

  for (guint i = 0; i < job->items->len; i++)
    {
      ShellItem *item = g_ptr_array_index (job->items, i);
      gint64 start = g_get_monotonic_time ();

      if (job->local)
        run_local (item, cancellable);
      else
        item->output = sm_ssh_session_exec (session, item->command, MAX_OUTPUT,
                                            &item->exit_status, &item->len,
                                            cancellable, &item->error);
      item->latency_ms = (double) (g_get_monotonic_time () - start) / 1000.0;
    }
  g_task_return_boolean (task, TRUE);
}

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

static void
shell_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ShellJob *job = user_data;
  Batch *batch = g_task_get_task_data (job->task);
  gboolean cancelled = g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)));

  for (guint i = 0; i < job->items->len && !cancelled; i++)
    {
      ShellItem *item = g_ptr_array_index (job->items, i);
      g_autoptr(SmCheckResult) check_result = NULL;

      if (job->error != NULL || item->error != NULL)
        {
          check_result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, NULL);
          /* Translators: %s says why the command could not run. */
          sm_check_result_set_reason (check_result, job->local ? _("Could not run: %s") : _("SSH: %s"),
                                      (job->error != NULL ? job->error : item->error)->message);
        }
      else if (item->check->type == SM_CHECK_COMMAND)
        check_result = sm_check_run_command_output (item->check, item->exit_status,
                                                    item->output, item->len);
      else
        {
          g_autofree char *json = NULL;

          check_result = sm_check_parse_log_output (item->check, item->output, item->len,
                                                    &item->state);
          json = log_state_to_json (&item->state);
          sm_store_save_check_state (batch->store, item->check->id, json, NULL);
        }
      if (isnan (check_result->timing.total_ms))
        check_result->timing.total_ms = item->latency_ms;
      deliver (job->task, job->server, item->check, check_result);
    }

  batch->pending--;
  maybe_finish (job->task);
  shell_job_free (job);
}

static void
start_shell_job (GTask      *task,
                 SmServer   *server,
                 GPtrArray  *items,
                 const char *known_hosts)
{
  Batch *batch = g_task_get_task_data (task);
  g_autoptr(GTask) job_task = NULL;
  ShellJob *job = g_new0 (ShellJob, 1);

  job->task = g_object_ref (task);
  job->server = g_object_ref (server);
  job->items = g_ptr_array_ref (items);
  job->local = sm_server_get_is_local (server);
  if (!job->local)
    {
      g_autoptr(GError) error = NULL;
      char *secret = sm_store_load_secret (batch->store, server, &error);

      sm_ssh_config_init_from_server (&job->config, server, secret, known_hosts);
      sm_secret_free (secret);
    }

  batch->pending++;
  job_task = g_task_new (NULL, g_task_get_cancellable (task), shell_done_cb, job);
  g_task_set_source_tag (job_task, start_shell_job);
  /* The job is freed by shell_done_cb, after the thread. */
  g_task_set_task_data (job_task, job, NULL);
  g_task_run_in_thread (job_task, shell_thread);
}

void
sm_check_batch_run_async (SmStore             *store,
                          GPtrArray           *servers,
                          const char          *known_hosts,
                          SmHistoryWriter     *history,
                          SmCheckBatchFunc     each,
                          gpointer             each_data,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Batch *batch;

  g_return_if_fail (SM_IS_STORE (store));
  g_return_if_fail (servers != NULL);

  batch = g_new0 (Batch, 1);
  batch->store = g_object_ref (store);
  batch->history = history;
  batch->each = each;
  batch->each_data = each_data;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_check_batch_run_async);
  g_task_set_task_data (task, batch, (GDestroyNotify) batch_free);

  for (guint s = 0; s < servers->len; s++)
    {
      SmServer *server = g_ptr_array_index (servers, s);
      g_autoptr(GPtrArray) checks = NULL;
      g_autoptr(GPtrArray) shell_items = NULL;
      g_autoptr(GError) error = NULL;

      if (!sm_server_get_enabled (server))
        continue;
      checks = sm_store_list_checks (store, sm_server_get_id (server), &error);
      if (checks == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      shell_items = g_ptr_array_new_with_free_func ((GDestroyNotify) shell_item_free);
      for (guint c = 0; c < checks->len; c++)
        {
          SmCheck *check = g_ptr_array_index (checks, c);

          if (!check->enabled)
            continue;

          if (sm_check_runs_here (check->type))
            {
              NetRun *run = g_new0 (NetRun, 1);

              run->task = g_object_ref (task);
              run->server = g_object_ref (server);
              run->check = sm_check_copy (check);
              batch->pending++;
              sm_check_run_async (check, sm_server_get_host (server), cancellable, net_done_cb, run);
            }
          else if (check->type == SM_CHECK_HEARTBEAT)
            {
              g_autoptr(SmCheckResult) result = judge_heartbeat (batch, check);

              deliver (task, server, check, result);
            }
          else
            {
              ShellItem *item = g_new0 (ShellItem, 1);

              item->check = sm_check_copy (check);
              if (check->type == SM_CHECK_COMMAND)
                item->command = g_strdup (sm_check_get_string (check, "command"));
              else
                {
                  g_autofree char *state = sm_store_load_check_state (store, check->id, NULL);
                  gboolean known = log_state_from_json (state, &item->state);

                  item->command = sm_check_build_log_command (check, known ? &item->state : NULL);
                }
              g_ptr_array_add (shell_items, item);
            }
        }
      if (shell_items->len > 0)
        start_shell_job (task, server, shell_items, known_hosts);
    }

  batch->started = TRUE;
  maybe_finish (task);
}

guint
sm_check_batch_run_finish (GAsyncResult  *result,
                           GError       **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);

  n = g_task_propagate_int (G_TASK (result), error);
  return n > 0 ? (guint) n : 0;
}
