/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-batch.c: every enabled check of some servers, once. */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sm-check-batch.h"
#include "sm-check-exec.h"
#include "sm-check-runner.h"
#include "sm-check-store.h"
#include "sm-ssh-session.h"
#include "sm-vault.h"

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

  sm_check_record (batch->store, batch->history, sm_server_get_id (server), check, result);
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

/* Command and log checks: one session per server, on a worker. */

typedef struct {
  GTask       *task;          /* the batch */
  SmServer    *server;
  gboolean     local;
  SmSshConfig  config;
  GPtrArray   *items;         /* SmCheckShellItem */
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
shell_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ShellJob *job = task_data;
  g_autoptr(SmSshSession) session = job->local ? NULL : sm_ssh_session_new (&job->config);

  sm_check_shell_run (session, job->items, cancellable, &job->error);
  g_task_return_boolean (task, TRUE);
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
      SmCheckShellItem *item = g_ptr_array_index (job->items, i);
      g_autoptr(SmCheckResult) check_result =
        sm_check_shell_item_finish (batch->store, item, job->local, job->error);

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

      shell_items = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_check_shell_item_free);
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
              g_autoptr(SmCheckResult) result =
                sm_check_judge_stored_heartbeat (store, check, g_get_real_time () / G_USEC_PER_SEC);

              deliver (task, server, check, result);
            }
          else
            g_ptr_array_add (shell_items, sm_check_shell_item_new (store, check));
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
