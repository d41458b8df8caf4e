/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-scheduler.c: polls servers on worker threads at their intervals. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sm-collector.h"
#include "sm-history.h"
#include "sm-scheduler.h"
#include "sm-ssh-session.h"
#include "sm-vault.h"

#define BACKOFF_BASE_MS      2000
#define BACKOFF_MAX_MS       (5 * 60 * 1000)
/* The first poll of each server starts within this, spread at random. */
#define FIRST_POLL_SPREAD_MS 3000
/* The inventory (specs) is refreshed this often on a kept session. */
#define SPECS_EVERY_US       (G_GINT64_CONSTANT (24 * 60 * 60) * G_USEC_PER_SEC)

#define DISK_DEGRADED_PERCENT    90.0
#define MEMORY_DEGRADED_PERCENT  95.0

#define KEEPALIVE_EVERY_S        30

/* Worker-side state of one server: used by one job at a time. */
typedef struct {
  SmSshSession     *session;
  SmCollectorState *collector;
  gboolean          first_done;   /* FIRST flag sent on this session */
  gint64            specs_us;     /* when specs were last collected */
  gint64            slow_us;      /* when the slow sections were last collected */
} Worker;

static void
worker_free (Worker *worker)
{
  if (worker == NULL)
    return;
  if (worker->session != NULL)
    sm_ssh_session_disconnect (worker->session);
  g_clear_pointer (&worker->session, sm_ssh_session_free);
  g_clear_pointer (&worker->collector, sm_collector_state_free);
  g_free (worker);
}

/* Main-thread state of one server. */
typedef struct {
  SmScheduler  *scheduler;      /* unowned */
  SmServer     *server;
  Worker       *worker;         /* NULL while a job owns it */
  GCancellable *cancellable;    /* of the job in flight */
  guint         timeout_id;
  guint         failures;
  gboolean      running;
  gboolean      keeping_alive;  /* the job running is a keepalive */
  gboolean      poll_pending;   /* poll_now came during a keepalive */
  gint64        next_poll_us;   /* monotonic time the timer fires, or 0 */
  gboolean      reset_session;  /* settings changed while a job ran */
} Target;

/* One job: copied input, the worker it owns, and what it found. */
typedef struct {
  SmScheduler   *scheduler;     /* a strong reference */
  gint64         server_id;
  gboolean       local;
  SmSshConfig    config;
  Worker        *worker;
  GCancellable  *cancellable;
  SmPollOutcome *outcome;
  gboolean       close_only;    /* just disconnect the worker */
  gboolean       keepalive;     /* just keep the session alive */
} Job;

struct _SmScheduler
{
  GObject      parent_instance;

  /* Owned references */
  SmStore     *store;
  SmHistoryWriter *history;     /* borrowed, may be NULL */
  char        *known_hosts;
  GThreadPool *pool;
  GHashTable  *targets;         /* server id -> Target* */
  GMainContext *context;

  guint        keepalive_id;
  guint        keepalive_s;
  guint        n_keepalives;    /* done, for tests */

  /* State */
  gboolean     timers;
  gboolean     shut_down;
  guint        n_running;
};

G_DEFINE_FINAL_TYPE (SmScheduler, sm_scheduler, G_TYPE_OBJECT)

enum {
  POLL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_next (Target *target,
                           guint   delay_ms);
static void start_poll    (Target *target);

void
sm_poll_outcome_free (SmPollOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->reason);
  g_clear_error (&outcome->error);
  g_clear_pointer (&outcome->result, sm_poll_result_free);
  g_free (outcome->host_key_sha256);
  g_free (outcome);
}

static char *
ssh_error_reason (const GError *error)
{
  if (error->domain == SM_SSH_ERROR)
    {
      switch ((SmSshError) error->code)
        {
        case SM_SSH_ERROR_RESOLVE:
          return g_strdup (_("host name not found"));
        case SM_SSH_ERROR_REFUSED:
          return g_strdup (_("connection refused"));
        case SM_SSH_ERROR_UNREACHABLE:
          return g_strdup (_("unreachable"));
        case SM_SSH_ERROR_TIMEOUT:
          return g_strdup (_("timed out"));
        case SM_SSH_ERROR_HOST_KEY_UNKNOWN:
          return g_strdup (_("host key not trusted yet"));
        case SM_SSH_ERROR_HOST_KEY_CHANGED:
          return g_strdup (_("host key changed"));
        case SM_SSH_ERROR_AUTH_FAILED:
          return g_strdup (_("authentication failed"));
        case SM_SSH_ERROR_CREDENTIALS:
          return g_strdup (_("credentials unavailable"));
        case SM_SSH_ERROR_DISCONNECTED:
          return g_strdup (_("connection lost"));
        case SM_SSH_ERROR_OUTPUT_TOO_LARGE:
          return g_strdup (_("the host sent too much output"));
        default:
          break;
        }
    }
  if (error->domain == SM_VAULT_ERROR)
    return g_strdup (_("credentials unavailable"));
  return g_strdup (error->message);
}

SmServerStatus
sm_poll_classify (const SmPollResult  *result,
                  const GError        *error,
                  char               **out_reason)
{
  g_autofree char *reason = NULL;
  SmServerStatus status = SM_SERVER_STATUS_UP;

  if (error != NULL)
    {
      reason = ssh_error_reason (error);
      /* Not a failure of the server: the user has to look at the key. */
      status = g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN)
               ? SM_SERVER_STATUS_UNKNOWN : SM_SERVER_STATUS_DOWN;
    }
  else if (result == NULL)
    {
      status = SM_SERVER_STATUS_UNKNOWN;
    }
  else
    {
      double worst_disk = -1.0;
      const char *worst_mount = NULL;
      g_autofree char *worst_mount_owned = NULL;
      double mem = sm_poll_result_get_metric ((SmPollResult *) result, "mem.used_percent");

      for (guint i = 0; i < result->metrics->len; i++)
        {
          const SmMetric *metric = &g_array_index (result->metrics, SmMetric, i);
          const char *suffix = ".used_percent";

          if (g_str_has_prefix (metric->name, "disk.") &&
              g_str_has_suffix (metric->name, suffix) &&
              !g_str_has_suffix (metric->name, ".inodes_used_percent") &&
              metric->value > worst_disk)
            {
              worst_disk = metric->value;
              worst_mount = metric->name;
            }
        }
      if (worst_mount != NULL)
        worst_mount_owned = g_strndup (worst_mount + strlen ("disk."),
                                       strlen (worst_mount) - strlen ("disk.") - strlen (".used_percent"));

      if (worst_disk >= DISK_DEGRADED_PERCENT)
        {
          status = SM_SERVER_STATUS_DEGRADED;
          /* Translators: a mount point and how full it is: "disk / 97% full". */
          reason = g_strdup_printf (_("disk %s %.0f%% full"), worst_mount_owned, floor (worst_disk));
        }
      else if (!isnan (mem) && mem >= MEMORY_DEGRADED_PERCENT)
        {
          status = SM_SERVER_STATUS_DEGRADED;
          reason = g_strdup_printf (_("memory %.0f%% used"), floor (mem));
        }
      else
        {
          for (guint i = 0; result->units != NULL && i < result->units->len && reason == NULL; i++)
            {
              const SmUnit *unit = g_ptr_array_index (result->units, i);

              if (g_strcmp0 (unit->active, "failed") == 0)
                {
                  status = SM_SERVER_STATUS_DEGRADED;
                  reason = g_strdup_printf (_("unit %s failed"), unit->unit);
                }
            }
          for (guint i = 0; result->containers != NULL && i < result->containers->len && reason == NULL; i++)
            {
              const SmContainer *container = g_ptr_array_index (result->containers, i);

              if (g_strcmp0 (container->health, "unhealthy") == 0)
                {
                  status = SM_SERVER_STATUS_DEGRADED;
                  reason = g_strdup_printf (_("container %s unhealthy"), container->name);
                }
            }
        }

      if (reason == NULL)
        reason = g_strdup (_("up"));
    }

  if (out_reason != NULL)
    *out_reason = g_steal_pointer (&reason);
  return status;
}

guint
sm_poll_next_delay_ms (guint  interval_s,
                       guint  failures,
                       double rand_unit)
{
  guint64 delay = (guint64) interval_s * 1000;

  if (failures > 0)
    {
      guint64 backoff = BACKOFF_BASE_MS;

      for (guint i = 1; i < failures && backoff < BACKOFF_MAX_MS; i++)
        backoff *= 2;
      backoff = MIN (backoff, BACKOFF_MAX_MS);
      delay = MAX (delay, backoff);
    }

  /* +-10 % so that servers added together drift apart. */
  delay = (guint64) (delay * (0.9 + 0.2 * CLAMP (rand_unit, 0.0, 1.0)));
  return (guint) MIN (delay, G_MAXUINT);
}

static void
job_free (Job *job)
{
  sm_ssh_config_clear (&job->config);
  worker_free (job->worker);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->outcome, sm_poll_outcome_free);
  g_clear_object (&job->scheduler);
  g_free (job);
}

/* What this poll collects: two readings on a new session, the inventory
 * on a new session and once a day, the sections that spawn processes on a
 * new session and every SM_COLLECT_SLOW_EVERY_US. */
static SmCollectFlags
worker_flags (Worker *worker)
{
  SmCollectFlags flags = SM_COLLECT_DEFAULT;
  gint64 now = g_get_real_time ();

  if (!worker->first_done)
    flags |= SM_COLLECT_FIRST | SM_COLLECT_SLOW;
  if (worker->specs_us == 0 || now - worker->specs_us > SPECS_EVERY_US)
    flags |= SM_COLLECT_SPECS;
  if (worker->slow_us == 0 || now - worker->slow_us >= SM_COLLECT_SLOW_EVERY_US)
    flags |= SM_COLLECT_SLOW;
  return flags;
}

static void
worker_collected (Worker         *worker,
                  SmCollectFlags  flags)
{
  worker->first_done = TRUE;
  if (flags & SM_COLLECT_SPECS)
    worker->specs_us = g_get_real_time ();
  if (flags & SM_COLLECT_SLOW)
    worker->slow_us = g_get_real_time ();
}

static SmPollResult *
poll_remote (Job     *job,
             GError **error)
{
  Worker *worker = job->worker;
  g_autofree char *marker = sm_collector_new_marker ();
  g_autofree char *end_line = sm_collector_end_line (marker);

  if (worker->session == NULL)
    worker->session = sm_ssh_session_new (&job->config);

  /* A kept session can be dead without anyone noticing (the host
   * rebooted, a NAT forgot the connection): then reconnect once, at once,
   * instead of reporting the server down. */
  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *command = NULL;
      g_autofree char *input = NULL;
      g_autofree char *output = NULL;
      gboolean fresh = FALSE;
      SmCollectFlags flags;
      gsize len = 0;

      if (!sm_ssh_session_is_connected (worker->session))
        {
          if (!sm_ssh_session_connect (worker->session, job->cancellable, error))
            return NULL;
          fresh = TRUE;
          worker->first_done = FALSE;

          /* A key the user accepted (a pin) also goes to the app's
           * known_hosts, in OpenSSH's format. */
          if (job->config.pinned_sha256 != NULL && job->config.known_hosts != NULL)
            {
              g_autoptr(GError) trust_error = NULL;

              if (!sm_ssh_session_trust_host_key (worker->session, &trust_error))
                g_debug ("Could not record the host key: %s", trust_error->message);
            }
        }

      flags = worker_flags (worker);
      command = sm_collector_build_command (marker, flags);
      /* The script defines the function once per remote shell. */
      input = !worker->first_done
              ? g_strconcat (sm_collector_get_script (), "\n", command, NULL)
              : g_strdup (command);

      output = sm_ssh_session_run_in_shell (worker->session, input, end_line,
                                            SM_COLLECTOR_MAX_OUTPUT, &len,
                                            job->cancellable, &local_error);
      if (output != NULL)
        {
          worker_collected (worker, flags);
          return sm_collector_parse (worker->collector, marker, output, len);
        }

      /* A broken shell is closed by the session; the next one needs the
       * script again. */
      worker->first_done = FALSE;
      if (fresh || attempt > 0 ||
          !g_error_matches (local_error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      sm_ssh_session_disconnect (worker->session);
    }
}

static SmPollResult *
poll_local (Job     *job,
            GError **error)
{
  Worker *worker = job->worker;
  SmCollectFlags flags;
  SmPollResult *result;

  flags = worker_flags (worker);

  result = sm_collector_run_local (worker->collector, flags, job->cancellable, error);
  if (result != NULL)
    worker_collected (worker, flags);
  return result;
}

static gboolean deliver_cb (gpointer data);

/* Disconnects on the pool, so removing a server or quitting never waits
 * on a network. */
static void
close_worker (SmScheduler *self,
              Worker      *worker)
{
  Job *close;

  if (worker == NULL)
    return;
  if (self->pool == NULL)
    {
      worker_free (worker);
      return;
    }

  close = g_new0 (Job, 1);
  close->close_only = TRUE;
  close->worker = worker;
  g_thread_pool_push (self->pool, close, NULL);
}

/* From a worker: deliver_cb runs in the scheduler's context, always on
 * its thread. (g_main_context_invoke would run it right here, on the
 * worker, whenever the worker can acquire a context nobody is iterating
 * at that moment, as between two g_main_context_iteration calls.) */
static void
post_to_main (Job *job)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_cb, job, NULL);
  g_source_attach (source, job->scheduler->context);
  g_source_unref (source);
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  SmPollOutcome *outcome;
  gint64 start;

  if (job->keepalive)
    {
      g_autoptr(GError) keepalive_error = NULL;

      /* A peer that is gone is noticed here, between polls; the next poll
       * then reconnects instead of failing first. */
      if (job->worker->session != NULL &&
          sm_ssh_session_is_connected (job->worker->session) &&
          !sm_ssh_session_keepalive (job->worker->session, &keepalive_error))
        {
          g_debug ("Keepalive failed: %s", keepalive_error->message);
          sm_ssh_session_disconnect (job->worker->session);
        }
      post_to_main (job);
      return;
    }

  if (job->close_only)
    {
      /* worker_free disconnects; done on the pool so quitting and
       * removing never wait on a network. */
      job_free (job);
      return;
    }

  outcome = g_new0 (SmPollOutcome, 1);
  start = g_get_monotonic_time ();

  if (job->worker->collector == NULL)
    job->worker->collector = sm_collector_state_new ();

  if (job->local)
    outcome->result = poll_local (job, &error);
  else
    outcome->result = poll_remote (job, &error);

  outcome->latency_ms = (g_get_monotonic_time () - start) / 1000.0;
  if (outcome->result != NULL)
    outcome->result->latency_ms = outcome->latency_ms;

  if (error != NULL &&
      (g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN) ||
       g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_CHANGED)) &&
      job->worker->session != NULL)
    outcome->host_key_sha256 = g_strdup (sm_ssh_session_get_host_key_sha256 (job->worker->session));

  /* A session that failed is rebuilt on the next poll. */
  if (error != NULL && job->worker->session != NULL)
    {
      sm_ssh_session_disconnect (job->worker->session);
      g_clear_pointer (&job->worker->session, sm_ssh_session_free);
    }

  outcome->status = sm_poll_classify (outcome->result, error, &outcome->reason);
  outcome->error = g_steal_pointer (&error);
  job->outcome = outcome;

  post_to_main (job);
}

static Target *
lookup_target (SmScheduler *self,
               gint64       id)
{
  return g_hash_table_lookup (self->targets, &id);
}

/* Each poll's outcome is handed to the store: the latest status and
 * numbers, and the inventory with the time it last changed (one small
 * UPSERT on the main thread), and to the history writer's queue (its
 * thread writes the samples). */
static void
save_poll (SmScheduler         *self,
           SmServer            *server,
           const SmPollOutcome *outcome)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *specs = NULL;
  gboolean changed = FALSE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (self->history != NULL)
    sm_history_writer_add_poll (self->history, sm_server_get_id (server),
                                outcome->result != NULL ? outcome->result->time_us / G_USEC_PER_SEC : now,
                                outcome->status, outcome->reason, outcome->latency_ms,
                                outcome->result);

  if (outcome->result != NULL)
    {
      metrics = sm_poll_result_metrics_to_json (outcome->result);
      if (outcome->result->specs != NULL)
        specs = sm_specs_to_json (outcome->result->specs);
    }

  if (!sm_store_save_poll (self->store, sm_server_get_id (server), now,
                           sm_server_status_to_string (outcome->status),
                           outcome->reason, metrics, specs, &changed, &error))
    g_debug ("Could not store the poll of %s: %s", sm_server_get_name (server), error->message);
  else if (changed)
    g_message ("The hardware or OS of %s changed", sm_server_get_name (server));
}

static gboolean
deliver_cb (gpointer data)
{
  Job *job = data;
  SmScheduler *self = job->scheduler;
  Target *target;

  self->n_running--;
  target = self->shut_down ? NULL : lookup_target (self, job->server_id);

  if (target == NULL || target->cancellable != job->cancellable)
    {
      /* Removed, replaced or shut down meanwhile: drop the result and
       * close the session off the main thread. */
      if (!self->shut_down)
        close_worker (self, g_steal_pointer (&job->worker));
      job_free (job);
      return G_SOURCE_REMOVE;
    }

  target->running = FALSE;
  g_clear_object (&target->cancellable);

  if (job->keepalive)
    {
      self->n_keepalives++;
      target->keeping_alive = FALSE;
      if (target->reset_session)
        {
          target->reset_session = FALSE;
          close_worker (self, g_steal_pointer (&job->worker));
          target->worker = g_new0 (Worker, 1);
        }
      else
        {
          target->worker = g_steal_pointer (&job->worker);
        }
      if (target->poll_pending)
        {
          target->poll_pending = FALSE;
          start_poll (target);
        }
      job_free (job);
      return G_SOURCE_REMOVE;
    }

  if (target->reset_session)
    {
      target->reset_session = FALSE;
      close_worker (self, g_steal_pointer (&job->worker));
      target->worker = g_new0 (Worker, 1);
    }
  else
    {
      target->worker = g_steal_pointer (&job->worker);
    }

  if (job->outcome->error != NULL)
    target->failures++;
  else
    target->failures = 0;

  save_poll (self, target->server, job->outcome);
  sm_server_set_status_reason (target->server, job->outcome->reason);
  sm_server_set_status (target->server, job->outcome->status);
  g_signal_emit (self, signals[POLL_FINISHED], 0, target->server, job->outcome);
  /* The page shows the newest numbers; a failed poll keeps the last ones
   * (with the status saying why they are old). */
  if (job->outcome->result != NULL)
    sm_server_take_last_result (target->server, g_steal_pointer (&job->outcome->result));

  if (self->timers && sm_server_get_enabled (target->server))
    schedule_next (target,
                   sm_poll_next_delay_ms (sm_server_get_interval (target->server),
                                          target->failures,
                                          g_random_double ()));

  job_free (job);
  return G_SOURCE_REMOVE;
}

static void
start_poll (Target *target)
{
  SmScheduler *self = target->scheduler;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  Job *job;

  if (self->shut_down)
    return;
  if (target->running)
    {
      /* A keepalive is quick; the poll follows it. */
      if (target->keeping_alive)
        target->poll_pending = TRUE;
      return;
    }

  g_clear_handle_id (&target->timeout_id, g_source_remove);
  target->next_poll_us = 0;
  job = g_new0 (Job, 1);
  job->scheduler = g_object_ref (self);
  job->server_id = sm_server_get_id (target->server);
  job->local = sm_server_get_is_local (target->server);
  job->cancellable = g_cancellable_new ();
  job->worker = g_steal_pointer (&target->worker);
  if (job->worker == NULL)
    job->worker = g_new0 (Worker, 1);

  if (!job->local)
    {
      /* Decrypted here, copied into guarded memory for the job, wiped
       * with it. A secret that cannot be decrypted fails the poll with a
       * clear reason instead of trying without it. */
      if (sm_server_get_has_secret (target->server))
        secret = sm_store_load_secret (self->store, target->server, &error);
      sm_ssh_config_init_from_server (&job->config, target->server, secret,
                                      self->known_hosts);
      g_clear_pointer (&secret, sm_secret_free);
    }

  target->running = TRUE;
  target->cancellable = g_object_ref (job->cancellable);
  self->n_running++;

  if (error != NULL)
    {
      SmPollOutcome *outcome = g_new0 (SmPollOutcome, 1);

      outcome->status = sm_poll_classify (NULL, error, &outcome->reason);
      outcome->error = g_steal_pointer (&error);
      job->outcome = outcome;
      g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                                  deliver_cb, job, NULL);
      return;
    }

  g_thread_pool_push (self->pool, job, NULL);
}

static gboolean
timeout_cb (gpointer data)
{
  Target *target = data;

  target->timeout_id = 0;
  start_poll (target);
  return G_SOURCE_REMOVE;
}

static void
schedule_next (Target *target,
               guint   delay_ms)
{
  g_clear_handle_id (&target->timeout_id, g_source_remove);
  target->next_poll_us = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  target->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, delay_ms,
                                           timeout_cb, target, NULL);
}

static void
target_free (Target *target)
{
  SmScheduler *self = target->scheduler;

  g_clear_handle_id (&target->timeout_id, g_source_remove);
  if (target->cancellable != NULL)
    g_cancellable_cancel (target->cancellable);
  g_clear_object (&target->cancellable);

  close_worker (self, g_steal_pointer (&target->worker));

  g_clear_object (&target->server);
  g_free (target);
}

/* Every KEEPALIVE_EVERY_S, a server whose session sits idle until a poll
 * more than that away gets a keepalive: NATs and firewalls keep the
 * connection, and a dead peer is found before the poll. */
static gboolean
keepalive_cb (gpointer data)
{
  SmScheduler *self = data;
  GHashTableIter iter;
  gpointer value;
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, self->targets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Target *target = value;
      Job *job;

      if (target->running || target->worker == NULL ||
          target->worker->session == NULL ||
          target->next_poll_us - now < (gint64) self->keepalive_s * G_USEC_PER_SEC)
        continue;

      job = g_new0 (Job, 1);
      job->scheduler = g_object_ref (self);
      job->keepalive = TRUE;
      job->server_id = sm_server_get_id (target->server);
      job->cancellable = g_cancellable_new ();
      job->worker = g_steal_pointer (&target->worker);
      target->running = TRUE;
      target->keeping_alive = TRUE;
      target->cancellable = g_object_ref (job->cancellable);
      self->n_running++;
      g_thread_pool_push (self->pool, job, NULL);
    }

  return G_SOURCE_CONTINUE;
}

void
sm_scheduler_add_server (SmScheduler *self,
                         SmServer    *server)
{
  gint64 id;
  Target *target;

  g_return_if_fail (SM_IS_SCHEDULER (self));
  g_return_if_fail (SM_IS_SERVER (server));
  g_return_if_fail (sm_server_get_id (server) != 0);

  if (self->shut_down)
    return;

  id = sm_server_get_id (server);
  target = lookup_target (self, id);
  if (target == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = id;
      target = g_new0 (Target, 1);
      target->scheduler = self;
      target->worker = g_new0 (Worker, 1);
      g_hash_table_insert (self->targets, key, target);
    }
  else if (target->running)
    {
      /* Settings may have changed: the session in use is dropped when the
       * poll returns. */
      target->reset_session = TRUE;
    }
  else if (target->worker != NULL)
    {
      close_worker (self, g_steal_pointer (&target->worker));
      target->worker = g_new0 (Worker, 1);
    }

  g_set_object (&target->server, server);
  target->failures = 0;
  g_clear_handle_id (&target->timeout_id, g_source_remove);

  if (!sm_server_get_enabled (server))
    {
      /* A disabled server keeps no connection open. */
      if (target->running)
        {
          target->reset_session = TRUE;
          if (target->cancellable != NULL)
            g_cancellable_cancel (target->cancellable);
        }
      else
        {
          close_worker (self, g_steal_pointer (&target->worker));
          target->worker = g_new0 (Worker, 1);
        }
      target->next_poll_us = 0;
      sm_server_set_status_reason (server, NULL);
      sm_server_set_status (server, SM_SERVER_STATUS_DISABLED);
      return;
    }

  if (self->timers && !target->running)
    schedule_next (target, g_random_int_range (0, FIRST_POLL_SPREAD_MS));
}

void
sm_scheduler_remove_server (SmScheduler *self,
                            SmServer    *server)
{
  gint64 id;

  g_return_if_fail (SM_IS_SCHEDULER (self));
  g_return_if_fail (SM_IS_SERVER (server));

  id = sm_server_get_id (server);
  g_hash_table_remove (self->targets, &id);
}

void
sm_scheduler_poll_now (SmScheduler *self,
                       SmServer    *server)
{
  Target *target;

  g_return_if_fail (SM_IS_SCHEDULER (self));
  g_return_if_fail (SM_IS_SERVER (server));

  target = lookup_target (self, sm_server_get_id (server));
  if (target == NULL)
    return;

  g_clear_handle_id (&target->timeout_id, g_source_remove);
  start_poll (target);
}

void
sm_scheduler_set_history_writer (SmScheduler     *self,
                                 SmHistoryWriter *writer)
{
  g_return_if_fail (SM_IS_SCHEDULER (self));

  self->history = writer;
}

void
sm_scheduler_set_timers (SmScheduler *self,
                         gboolean     timers)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (SM_IS_SCHEDULER (self));

  self->timers = !!timers;
  g_hash_table_iter_init (&iter, self->targets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Target *target = value;

      g_clear_handle_id (&target->timeout_id, g_source_remove);
      if (self->timers && !target->running && sm_server_get_enabled (target->server))
        schedule_next (target, g_random_int_range (0, FIRST_POLL_SPREAD_MS));
    }
}

void
sm_scheduler_set_keepalive_interval (SmScheduler *self,
                                     guint        seconds)
{
  g_return_if_fail (SM_IS_SCHEDULER (self));
  g_return_if_fail (seconds > 0);

  self->keepalive_s = seconds;
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  if (!self->shut_down)
    self->keepalive_id = g_timeout_add_seconds (seconds, keepalive_cb, self);
}

guint
sm_scheduler_get_n_keepalives (SmScheduler *self)
{
  g_return_val_if_fail (SM_IS_SCHEDULER (self), 0);

  return self->n_keepalives;
}

guint
sm_scheduler_get_n_running (SmScheduler *self)
{
  g_return_val_if_fail (SM_IS_SCHEDULER (self), 0);

  return self->n_running;
}

void
sm_scheduler_shutdown (SmScheduler *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (SM_IS_SCHEDULER (self));

  if (self->shut_down)
    return;

  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  g_hash_table_iter_init (&iter, self->targets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Target *target = value;

      if (target->cancellable != NULL)
        g_cancellable_cancel (target->cancellable);
    }

  /* Sessions not in a job are closed on the pool, in parallel. */
  g_hash_table_remove_all (self->targets);
  self->shut_down = TRUE;

  /* Waits for the jobs: each wait inside a job honours its cancellable,
   * and disconnects are bounded, so this returns quickly. Jobs still
   * deliver to the main context; deliver_cb drops them. */
  g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);

  while (self->n_running > 0)
    g_main_context_iteration (self->context, TRUE);
}

static void
sm_scheduler_dispose (GObject *object)
{
  SmScheduler *self = SM_SCHEDULER (object);

  if (self->pool != NULL)
    sm_scheduler_shutdown (self);

  G_OBJECT_CLASS (sm_scheduler_parent_class)->dispose (object);
}

static void
sm_scheduler_finalize (GObject *object)
{
  SmScheduler *self = SM_SCHEDULER (object);

  g_clear_pointer (&self->targets, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_pointer (&self->known_hosts, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (sm_scheduler_parent_class)->finalize (object);
}

static void
sm_scheduler_class_init (SmSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_scheduler_dispose;
  object_class->finalize = sm_scheduler_finalize;

  signals[POLL_FINISHED] =
    g_signal_new ("poll-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SM_TYPE_SERVER, G_TYPE_POINTER);
}

static void
sm_scheduler_init (SmScheduler *self)
{
  self->timers = TRUE;
  self->targets = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                         g_free, (GDestroyNotify) target_free);
}

SmScheduler *
sm_scheduler_new (SmStore    *store,
                  const char *data_dir,
                  guint       max_threads)
{
  SmScheduler *self;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (max_threads > 0, NULL);

  self = g_object_new (SM_TYPE_SCHEDULER, NULL);
  self->store = g_object_ref (store);
  self->known_hosts = g_build_filename (data_dir, "known_hosts", NULL);
  self->context = g_main_context_ref_thread_default ();
  self->pool = g_thread_pool_new (run_job, self, (int) max_threads, FALSE, NULL);
  sm_scheduler_set_keepalive_interval (self, KEEPALIVE_EVERY_S);

  return self;
}
