/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-scheduler.c: the app's service checks at their intervals. */

#include "config.h"

#include <glib/gi18n.h>

#include "sm-check-exec.h"
#include "sm-check-runner.h"
#include "sm-check-scheduler.h"
#include "sm-check-store.h"
#include "sm-vault.h"

/* The first run of a check comes within this many seconds (spread). */
#define FIRST_RUN_MAX_S 10

typedef struct _Worker Worker;

/* One check with its timer. */
typedef struct {
  SmCheckScheduler *self;       /* borrowed */
  SmCheck          *check;
  SmServer         *server;
  guint             timer_id;
  gboolean          running;
  gboolean          removed;    /* dropped while it ran */
} Entry;

/* A server's command and log checks share its session, one run at a time. */
struct _Worker {
  SmCheckScheduler *self;       /* borrowed */
  gint64            server_id;
  SmServer         *server;
  SmSshSession     *session;    /* NULL until needed; used by one thread at a time */
  SmSshConfig       config;
  gboolean          has_config;
  gboolean          busy;
  gboolean          removed;
  GPtrArray        *queue;      /* Entry * waiting (borrowed) */
  GPtrArray        *items;      /* SmCheckShellItem of the run under way */
  GPtrArray        *running;    /* Entry * of the run under way (borrowed) */
  GError           *error;      /* connecting failed */
};

struct _SmCheckScheduler
{
  GObject          parent_instance;

  SmStore         *store;
  SmHistoryWriter *history;      /* borrowed, may be NULL */
  char            *known_hosts;
  GHashTable      *entries;      /* check id -> Entry */
  GHashTable      *workers;      /* server id -> Worker */
  GCancellable    *cancellable;
  gboolean         timers;
  gboolean         shut_down;
  guint            n_running;
};

G_DEFINE_FINAL_TYPE (SmCheckScheduler, sm_check_scheduler, G_TYPE_OBJECT)

enum {
  CHECK_FINISHED,
  CHECKS_CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void run_entry      (Entry *entry);
static void schedule_entry (Entry *entry,
                            guint  delay_ms);

static void
entry_free (Entry *entry)
{
  g_clear_handle_id (&entry->timer_id, g_source_remove);
  sm_check_free (entry->check);
  g_clear_object (&entry->server);
  g_free (entry);
}

/* Entries that are running are freed when their run ends. */
static void
entry_drop (gpointer data)
{
  Entry *entry = data;

  g_clear_handle_id (&entry->timer_id, g_source_remove);
  if (entry->running)
    entry->removed = TRUE;
  else
    entry_free (entry);
}

static void
worker_free (Worker *worker)
{
  g_clear_pointer (&worker->session, sm_ssh_session_free);
  if (worker->has_config)
    sm_ssh_config_clear (&worker->config);
  g_clear_object (&worker->server);
  g_clear_pointer (&worker->queue, g_ptr_array_unref);
  g_clear_pointer (&worker->items, g_ptr_array_unref);
  g_clear_pointer (&worker->running, g_ptr_array_unref);
  g_clear_error (&worker->error);
  g_free (worker);
}

static void
worker_drop (gpointer data)
{
  Worker *worker = data;

  if (worker->busy)
    worker->removed = TRUE;
  else
    worker_free (worker);
}

/* A heartbeat is judged at least every minute, so a late one is told
 * within a minute of its deadline; other checks run at their interval. */
static guint
next_run_ms (const SmCheck *check)
{
  if (check->type == SM_CHECK_HEARTBEAT)
    return MIN (check->interval, 60) * 1000;
  return check->interval * 1000;
}

/* Finishing a run */

static void
finish_entry (Entry               *entry,
              const SmCheckResult *result)
{
  SmCheckScheduler *self = entry->self;

  entry->running = FALSE;
  self->n_running--;
  if (entry->removed)
    entry_free (entry);
  else if (!self->shut_down)
    {
      if (result != NULL)
        {
          sm_check_record (self->store, self->history, sm_server_get_id (entry->server),
                           entry->check, result);
          g_signal_emit (self, signals[CHECK_FINISHED], 0, entry->server, entry->check, result);
        }
      schedule_entry (entry, next_run_ms (entry->check));
    }
  /* The run's reference (run_entry). */
  g_object_unref (self);
}

static void
net_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Entry *entry = user_data;
  g_autoptr(SmCheckResult) check_result = NULL;
  g_autoptr(GError) error = NULL;

  check_result = sm_check_run_finish (result, &error);
  if (check_result == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    check_result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, error->message);
  finish_entry (entry, check_result);
}

/* Shell runs */

static void worker_start (Worker *worker);

static void
worker_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Worker *worker = task_data;

  if (!sm_check_shell_run (worker->session, worker->items, cancellable, &worker->error) &&
      worker->session != NULL)
    sm_ssh_session_disconnect (worker->session);
  g_task_return_boolean (task, TRUE);
}

static void
worker_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Worker *worker = user_data;
  SmCheckScheduler *self = worker->self;
  g_autoptr(GPtrArray) items = g_steal_pointer (&worker->items);
  g_autoptr(GPtrArray) running = g_steal_pointer (&worker->running);

  worker->busy = FALSE;
  for (guint i = 0; i < running->len; i++)
    {
      Entry *entry = g_ptr_array_index (running, i);
      SmCheckShellItem *item = g_ptr_array_index (items, i);
      g_autoptr(SmCheckResult) check_result = NULL;

      if (!self->shut_down && !entry->removed)
        check_result = sm_check_shell_item_finish (self->store, item,
                                                   sm_server_get_is_local (worker->server),
                                                   worker->error);
      finish_entry (entry, check_result);
    }
  g_clear_error (&worker->error);

  if (worker->removed)
    worker_free (worker);
  else if (!self->shut_down && worker->queue->len > 0)
    worker_start (worker);
  /* The run's reference (worker_start). */
  g_object_unref (self);
}

static void
worker_start (Worker *worker)
{
  SmCheckScheduler *self = worker->self;
  g_autoptr(GTask) task = NULL;

  g_assert (!worker->busy);

  worker->items = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_check_shell_item_free);
  worker->running = g_ptr_array_new ();
  for (guint i = 0; i < worker->queue->len; i++)
    {
      Entry *entry = g_ptr_array_index (worker->queue, i);

      g_ptr_array_add (worker->items, sm_check_shell_item_new (self->store, entry->check));
      g_ptr_array_add (worker->running, entry);
    }
  g_ptr_array_set_size (worker->queue, 0);

  /* The session is made (and its secret read) on the main thread; it is
   * only used on the worker, one run at a time. */
  if (!sm_server_get_is_local (worker->server) && worker->session == NULL)
    {
      g_autoptr(GError) error = NULL;
      char *secret = sm_store_load_secret (self->store, worker->server, &error);

      if (worker->has_config)
        sm_ssh_config_clear (&worker->config);
      sm_ssh_config_init_from_server (&worker->config, worker->server, secret, self->known_hosts);
      worker->has_config = TRUE;
      sm_secret_free (secret);
      worker->session = sm_ssh_session_new (&worker->config);
    }

  worker->busy = TRUE;
  g_object_ref (self);
  task = g_task_new (NULL, self->cancellable, worker_done_cb, worker);
  g_task_set_source_tag (task, worker_start);
  g_task_set_task_data (task, worker, NULL);
  g_task_run_in_thread (task, worker_thread);
}

static Worker *
lookup_worker (SmCheckScheduler *self,
               SmServer         *server)
{
  gint64 id = sm_server_get_id (server);
  Worker *worker = g_hash_table_lookup (self->workers, &id);

  if (worker == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = id;
      worker = g_new0 (Worker, 1);
      worker->self = self;
      worker->server_id = id;
      worker->server = g_object_ref (server);
      worker->queue = g_ptr_array_new ();
      g_hash_table_insert (self->workers, key, worker);
    }
  return worker;
}

/* Running a check */

static void
run_entry (Entry *entry)
{
  SmCheckScheduler *self = entry->self;

  if (entry->running || self->shut_down)
    return;
  g_clear_handle_id (&entry->timer_id, g_source_remove);
  entry->running = TRUE;
  self->n_running++;
  /* A run keeps the scheduler alive until its callback. */
  g_object_ref (self);

  if (sm_check_runs_here (entry->check->type))
    sm_check_run_async (entry->check, sm_server_get_host (entry->server), self->cancellable,
                        net_done_cb, entry);
  else if (entry->check->type == SM_CHECK_HEARTBEAT)
    {
      g_autoptr(SmCheckResult) result =
        sm_check_judge_stored_heartbeat (self->store, entry->check,
                                         g_get_real_time () / G_USEC_PER_SEC);

      finish_entry (entry, result);
    }
  else
    {
      Worker *worker = lookup_worker (self, entry->server);

      g_ptr_array_add (worker->queue, entry);
      if (!worker->busy)
        worker_start (worker);
    }
}

static gboolean
timer_cb (gpointer user_data)
{
  Entry *entry = user_data;

  entry->timer_id = 0;
  run_entry (entry);
  return G_SOURCE_REMOVE;
}

/* delay_ms with +-10 % jitter, so checks of one interval spread out. */
static void
schedule_entry (Entry *entry,
                guint  delay_ms)
{
  SmCheckScheduler *self = entry->self;
  guint jitter;

  g_clear_handle_id (&entry->timer_id, g_source_remove);
  if (!self->timers || self->shut_down)
    return;
  jitter = delay_ms / 10;
  if (jitter > 0)
    delay_ms = delay_ms - jitter + (guint) g_random_int_range (0, (gint32) MIN (2 * jitter, G_MAXINT32));
  entry->timer_id = g_timeout_add (MAX (delay_ms, 1), timer_cb, entry);
}

/* GObject */

static void
sm_check_scheduler_dispose (GObject *object)
{
  SmCheckScheduler *self = SM_CHECK_SCHEDULER (object);

  sm_check_scheduler_shutdown (self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_check_scheduler_parent_class)->dispose (object);
}

static void
sm_check_scheduler_finalize (GObject *object)
{
  SmCheckScheduler *self = SM_CHECK_SCHEDULER (object);

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->workers, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_free (self->known_hosts);

  G_OBJECT_CLASS (sm_check_scheduler_parent_class)->finalize (object);
}

static void
sm_check_scheduler_class_init (SmCheckSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_check_scheduler_dispose;
  object_class->finalize = sm_check_scheduler_finalize;

  signals[CHECK_FINISHED] =
    g_signal_new ("check-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, SM_TYPE_SERVER, G_TYPE_POINTER, G_TYPE_POINTER);
  signals[CHECKS_CHANGED] =
    g_signal_new ("checks-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
sm_check_scheduler_init (SmCheckScheduler *self)
{
  self->entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, entry_drop);
  self->workers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, worker_drop);
  self->cancellable = g_cancellable_new ();
  self->timers = TRUE;
}

SmCheckScheduler *
sm_check_scheduler_new (SmStore    *store,
                        const char *data_dir)
{
  SmCheckScheduler *self;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);

  self = g_object_new (SM_TYPE_CHECK_SCHEDULER, NULL);
  self->store = g_object_ref (store);
  self->known_hosts = g_build_filename (data_dir, "known_hosts", NULL);
  return self;
}

void
sm_check_scheduler_set_history_writer (SmCheckScheduler *self,
                                       SmHistoryWriter  *history)
{
  g_return_if_fail (SM_IS_CHECK_SCHEDULER (self));

  self->history = history;
}

void
sm_check_scheduler_set_timers (SmCheckScheduler *self,
                               gboolean          enabled)
{
  GHashTableIter iter;
  Entry *entry;

  g_return_if_fail (SM_IS_CHECK_SCHEDULER (self));

  self->timers = enabled;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      if (!enabled)
        g_clear_handle_id (&entry->timer_id, g_source_remove);
      else if (!entry->running && entry->timer_id == 0)
        schedule_entry (entry, (guint) g_random_int_range (1000, FIRST_RUN_MAX_S * 1000));
    }
}

static void
remove_entries_of (SmCheckScheduler *self,
                   gint64            server_id)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (sm_server_get_id (entry->server) == server_id)
      {
        Worker *worker = g_hash_table_lookup (self->workers, &server_id);
        gboolean queued = worker != NULL && g_ptr_array_remove (worker->queue, entry);

        g_hash_table_iter_remove (&iter);
        /* Waiting for its server's session, it will not run: its run ends
         * here (the entry goes, with the run's reference). */
        if (queued)
          finish_entry (entry, NULL);
      }
}

/* A timer for each enabled check of server, as stored. */
static void
add_entries (SmCheckScheduler *self,
             SmServer         *server)
{
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GError) error = NULL;
  gint64 server_id = sm_server_get_id (server);

  checks = sm_store_list_checks (self->store, server_id, &error);
  if (checks == NULL)
    {
      g_message ("The checks of “%s” could not be read: %s", sm_server_get_name (server),
                 error->message);
      return;
    }
  for (guint i = 0; i < checks->len; i++)
    {
      SmCheck *check = g_ptr_array_index (checks, i);
      Entry *entry;
      gint64 *key;

      if (!check->enabled)
        continue;
      entry = g_new0 (Entry, 1);
      entry->self = self;
      entry->check = sm_check_copy (check);
      entry->server = g_object_ref (server);
      key = g_new (gint64, 1);
      *key = check->id;
      g_hash_table_insert (self->entries, key, entry);
      schedule_entry (entry, (guint) g_random_int_range (1000, FIRST_RUN_MAX_S * 1000));
    }
  g_signal_emit (self, signals[CHECKS_CHANGED], 0, server_id);
}

void
sm_check_scheduler_add_server (SmCheckScheduler *self,
                               SmServer         *server)
{
  gint64 server_id;

  g_return_if_fail (SM_IS_CHECK_SCHEDULER (self));
  g_return_if_fail (SM_IS_SERVER (server));

  if (self->shut_down)
    return;
  server_id = sm_server_get_id (server);
  remove_entries_of (self, server_id);
  /* A changed server (host, credentials) gets a new session. */
  g_hash_table_remove (self->workers, &server_id);
  if (!sm_server_get_enabled (server))
    return;

  add_entries (self, server);
}

void
sm_check_scheduler_remove_server (SmCheckScheduler *self,
                                  gint64            server_id)
{
  g_return_if_fail (SM_IS_CHECK_SCHEDULER (self));

  remove_entries_of (self, server_id);
  g_hash_table_remove (self->workers, &server_id);
}

void
sm_check_scheduler_reload_server (SmCheckScheduler *self,
                                  gint64            server_id)
{
  g_autoptr(SmServer) server = NULL;
  GHashTableIter iter;
  Entry *entry;

  g_return_if_fail (SM_IS_CHECK_SCHEDULER (self));

  /* The server object the entries hold is the one the app shows. */
  g_hash_table_iter_init (&iter, self->entries);
  while (server == NULL && g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (sm_server_get_id (entry->server) == server_id)
      server = g_object_ref (entry->server);
  if (server == NULL)
    {
      Worker *worker = g_hash_table_lookup (self->workers, &server_id);

      if (worker != NULL)
        server = g_object_ref (worker->server);
    }
  if (server == NULL)
    server = sm_store_get_server (self->store, server_id, NULL);
  if (server == NULL)
    return;

  /* Keep the session: only the checks changed. */
  remove_entries_of (self, server_id);
  if (sm_server_get_enabled (server))
    add_entries (self, server);
}

gboolean
sm_check_scheduler_run_now (SmCheckScheduler *self,
                            gint64            check_id)
{
  Entry *entry;

  g_return_val_if_fail (SM_IS_CHECK_SCHEDULER (self), FALSE);

  entry = g_hash_table_lookup (self->entries, &check_id);
  if (entry == NULL)
    return FALSE;
  run_entry (entry);
  return TRUE;
}

void
sm_check_scheduler_note_heartbeat (SmCheckScheduler *self,
                                   gint64            check_id,
                                   const char       *status,
                                   const char       *message)
{
  g_autoptr(SmCheckResult) result = NULL;
  SmCheckStatus check_status = SM_CHECK_STATUS_UP;
  Entry *entry;

  g_return_if_fail (SM_IS_CHECK_SCHEDULER (self));

  entry = g_hash_table_lookup (self->entries, &check_id);
  if (entry == NULL || self->shut_down)
    return;

  sm_check_note_ping (self->store, entry->check, g_get_real_time () / G_USEC_PER_SEC);
  if (status != NULL && !sm_check_status_from_string (status, &check_status))
    check_status = SM_CHECK_STATUS_UNKNOWN;
  result = sm_check_result_new (check_status, message);
  sm_check_record (self->store, self->history, sm_server_get_id (entry->server), entry->check, result);
  g_signal_emit (self, signals[CHECK_FINISHED], 0, entry->server, entry->check, result);
  /* The wait for the next one starts now. */
  if (!entry->running)
    schedule_entry (entry, next_run_ms (entry->check));
}

GPtrArray *
sm_check_scheduler_list_checks (SmCheckScheduler *self)
{
  GPtrArray *checks;
  GHashTableIter iter;
  Entry *entry;

  g_return_val_if_fail (SM_IS_CHECK_SCHEDULER (self), NULL);

  checks = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_check_free);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (!entry->removed)
      g_ptr_array_add (checks, sm_check_copy (entry->check));
  return checks;
}

guint
sm_check_scheduler_get_n_running (SmCheckScheduler *self)
{
  g_return_val_if_fail (SM_IS_CHECK_SCHEDULER (self), 0);

  return self->n_running;
}

void
sm_check_scheduler_shutdown (SmCheckScheduler *self)
{
  g_return_if_fail (SM_IS_CHECK_SCHEDULER (self));

  if (self->shut_down)
    return;
  self->shut_down = TRUE;
  g_cancellable_cancel (self->cancellable);

  /* Runs still waiting for a session end now; those under way end in
   * their callbacks. The caller's reference keeps self alive meanwhile. */
  g_object_ref (self);
  {
    GHashTableIter iter;
    Worker *worker;

    g_hash_table_iter_init (&iter, self->workers);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &worker))
      {
        g_autoptr(GPtrArray) queue = g_steal_pointer (&worker->queue);

        worker->queue = g_ptr_array_new ();
        for (guint i = 0; i < queue->len; i++)
          {
            Entry *entry = g_ptr_array_index (queue, i);

            gpointer key = NULL;

            entry->removed = TRUE;
            if (g_hash_table_steal_extended (self->entries, &entry->check->id, &key, NULL))
              g_free (key);
            finish_entry (entry, NULL);
          }
      }
  }
  g_hash_table_remove_all (self->entries);
  g_hash_table_remove_all (self->workers);
  g_object_unref (self);
}
