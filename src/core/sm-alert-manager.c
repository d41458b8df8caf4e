/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-manager.c: the alert engine wired to the store and the channels. */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sm-alert-manager.h"
#include "sm-chart-render.h"
#include "sm-desktop.h"
#include "sm-series.h"
#include "sm-ssh-session.h"
#include "sm-telegram.h"

/* A chart attached to a Telegram notice: the metric's last hour. */
#define CHART_RANGE_S  3600
#define CHART_WIDTH    800
#define CHART_HEIGHT   300

/* The channel used when none is configured, so that a new user hears
 * about problems without setting anything up. */
#define IMPLICIT_DESKTOP_CHANNEL "desktop"

struct _SmAlertManager
{
  GObject        parent_instance;

  SmStore       *store;
  SmAlertEngine *engine;
  SmHistoryReader *history;     /* for charts attached to notices, or NULL */
  GTimeZone     *tz;
  SmClockFunc    clock;
  gpointer       clock_data;

  GPtrArray     *channels;      /* SmChannel, as stored */
  GHashTable    *notifiers;     /* lower-case name -> SmNotifier (built from channels) */
  GHashTable    *overrides;     /* lower-case name -> SmNotifier (set_notifier) */
  GHashTable    *told_failures; /* "channel\nmessage" already signalled */

  guint          timer_id;
  guint          pending;       /* sends in flight */
  GPtrArray     *flushes;       /* GTask waiting for pending == 0 */
  GCancellable  *cancellable;
  guint          n_sent;
  guint          n_failed;
  GError        *error;
};

G_DEFINE_FINAL_TYPE (SmAlertManager, sm_alert_manager, G_TYPE_OBJECT)

enum {
  CHANGED,
  OPEN_SERVER,
  DELIVERY_FAILED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static gint64
now_seconds (SmAlertManager *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
keep_error (SmAlertManager *self,
            const GError   *error)
{
  g_clear_error (&self->error);
  self->error = g_error_copy (error);
}

static void
desktop_action_cb (SmNotifier     *notifier,
                   gint64          alert_id,
                   const char     *action,
                   SmAlertManager *self);

static void
finish_flushes (SmAlertManager *self)
{
  g_autoptr(GPtrArray) flushes = NULL;

  if (self->pending > 0 || self->flushes->len == 0)
    return;

  flushes = g_steal_pointer (&self->flushes);
  self->flushes = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < flushes->len; i++)
    g_task_return_boolean (g_ptr_array_index (flushes, i), TRUE);
}

/* Channels and notifiers */

static void
connect_notifier (SmAlertManager *self,
                  SmNotifier     *notifier)
{
  if (SM_IS_DESKTOP_NOTIFIER (notifier))
    g_signal_connect_object (notifier, "action-invoked",
                             G_CALLBACK (desktop_action_cb), self, 0);
}

static void
build_notifiers (SmAlertManager *self)
{
  SmStore *store = self->store;

  g_hash_table_remove_all (self->notifiers);
  for (guint i = 0; i < self->channels->len; i++)
    {
      SmChannel *channel = g_ptr_array_index (self->channels, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(SmNotifier) notifier = NULL;
      char *secret = NULL;

      if (!channel->enabled)
        continue;

      /* The vault loads after the store: reload() builds these later. */
      if (channel->has_secret && sm_store_get_vault (store) == NULL)
        continue;

      if (channel->has_secret)
        {
          secret = sm_store_load_channel_secret (store, channel, &error);
          if (secret == NULL && error != NULL)
            {
              g_message ("Channel “%s”: %s", channel->name, error->message);
              keep_error (self, error);
              continue;
            }
        }

      notifier = sm_channel_create_notifier (channel, secret, &error);
      sm_secret_free (secret);
      if (notifier == NULL)
        {
          g_message ("Channel “%s”: %s", channel->name, error->message);
          keep_error (self, error);
          continue;
        }
      connect_notifier (self, notifier);
      g_hash_table_insert (self->notifiers, g_utf8_strdown (channel->name, -1),
                           g_steal_pointer (&notifier));
    }

  /* Nothing configured: the desktop, so that problems are not missed. */
  if (self->channels->len == 0)
    {
      SmNotifier *desktop = SM_NOTIFIER (sm_desktop_notifier_new (IMPLICIT_DESKTOP_CHANNEL));

      connect_notifier (self, desktop);
      g_hash_table_insert (self->notifiers, g_strdup (IMPLICIT_DESKTOP_CHANNEL), desktop);
    }
}

static SmNotifier *
lookup_notifier (SmAlertManager *self,
                 const char     *name)
{
  g_autofree char *key = g_utf8_strdown (name, -1);
  SmNotifier *notifier = g_hash_table_lookup (self->overrides, key);

  if (notifier != NULL)
    {
      /* An override stands in for a stored channel; a disabled one stays quiet. */
      for (guint i = 0; i < self->channels->len; i++)
        {
          SmChannel *channel = g_ptr_array_index (self->channels, i);

          if (g_ascii_strcasecmp (channel->name, name) == 0 && !channel->enabled)
            return NULL;
        }
      return notifier;
    }
  return g_hash_table_lookup (self->notifiers, key);
}

/* The channel names a notification goes to: its own, or the defaults. */
static GStrv
channels_for (SmAlertManager       *self,
              const SmNotification *notification)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (notification->channels != NULL)
    return g_strdupv (notification->channels);

  for (guint i = 0; i < self->channels->len; i++)
    {
      SmChannel *channel = g_ptr_array_index (self->channels, i);

      if (channel->enabled && channel->is_default)
        g_strv_builder_add (builder, channel->name);
    }
  if (self->channels->len == 0)
    g_strv_builder_add (builder, IMPLICIT_DESKTOP_CHANNEL);
  return g_strv_builder_end (builder);
}

typedef struct {
  SmAlertManager *self;
  char           *channel;
} SendData;

static void
send_data_free (SendData *data)
{
  g_object_unref (data->self);
  g_free (data->channel);
  g_free (data);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SendData *data = user_data;
  SmAlertManager *self = data->self;
  g_autoptr(GError) error = NULL;

  if (!sm_notifier_send_finish (SM_NOTIFIER (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *key = g_strdup_printf ("%s\n%s", data->channel, error->message);

          self->n_failed++;
          keep_error (self, error);
          if (g_hash_table_add (self->told_failures, g_steal_pointer (&key)))
            g_signal_emit (self, signals[DELIVERY_FAILED], 0, data->channel, error);
        }
    }
  else
    {
      /* Working again: a later failure is worth telling. */
      GHashTableIter iter;
      const char *key;
      g_autofree char *prefix = g_strdup_printf ("%s\n", data->channel);

      g_hash_table_iter_init (&iter, self->told_failures);
      while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
        if (g_str_has_prefix (key, prefix))
          g_hash_table_iter_remove (&iter);
    }

  g_assert (self->pending > 0);
  self->pending--;
  finish_flushes (self);
  send_data_free (data);
}

static gboolean
wants_chart (SmAlertManager *self,
             const char     *name)
{
  for (guint i = 0; i < self->channels->len; i++)
    {
      SmChannel *channel = g_ptr_array_index (self->channels, i);

      if (g_ascii_strcasecmp (channel->name, name) == 0)
        return g_strcmp0 (sm_channel_get (channel, "attach_chart"), "true") == 0;
    }
  return FALSE;
}

typedef struct {
  SmHistoryReader *history;
  gint64           server_id;
  char            *metric;
  char            *title;
  gint64           start;
  gint64           end;
  guint            interval;
} ChartJob;

static void
chart_job_free (ChartJob *job)
{
  sm_history_reader_unref (job->history);
  g_free (job->metric);
  g_free (job->title);
  g_free (job);
}

static void
render_chart_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  ChartJob *job = task_data;
  g_autoptr(SmSeries) series = NULL;
  g_autoptr(SmChartModel) model = NULL;
  g_autoptr(GError) error = NULL;
  SmChartStyle style;
  GBytes *png;

  series = sm_history_reader_query (job->history, job->server_id, job->metric,
                                    job->start, job->end, CHART_WIDTH, job->interval, &error);
  if (series == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  model = sm_chart_model_new (sm_metric_get_unit (job->metric));
  sm_chart_model_set_title (model, job->title);
  sm_chart_model_set_range (model, job->start, job->end, FALSE);
  sm_chart_model_add_series (model, job->metric, g_steal_pointer (&series));
  if (!sm_chart_model_has_data (model))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no history");
      return;
    }
  sm_chart_style_init (&style, FALSE);
  png = sm_chart_model_render_png (model, CHART_WIDTH, CHART_HEIGHT, &style, &error);
  sm_chart_style_clear (&style);
  if (png == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, png, (GDestroyNotify) g_bytes_unref);
}

typedef struct {
  SendData   *send;
  SmNotifier *notifier;
  char       *caption;
} ChartSend;

static void
chart_rendered_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ChartSend *chart = user_data;
  SmAlertManager *self = chart->send->self;
  g_autoptr(GBytes) png = g_task_propagate_pointer (G_TASK (result), NULL);

  if (png != NULL && !g_cancellable_is_cancelled (self->cancellable))
    sm_telegram_notifier_send_photo_async (SM_TELEGRAM_NOTIFIER (chart->notifier), NULL, png,
                                           chart->caption, self->cancellable, send_cb,
                                           g_steal_pointer (&chart->send));
  else
    {
      /* No history to show: the message went out without a chart. */
      g_assert (self->pending > 0);
      self->pending--;
      finish_flushes (self);
      send_data_free (g_steal_pointer (&chart->send));
    }

  g_object_unref (chart->notifier);
  g_free (chart->caption);
  g_free (chart);
}

/* Renders the metric's last hour on a worker and sends it as a photo. */
static void
attach_chart (SmAlertManager       *self,
              SmNotifier           *notifier,
              const char           *channel,
              const SmNotification *notification)
{
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GTask) task = NULL;
  SmAlertInfo *info = NULL;
  ChartJob *job;
  ChartSend *chart;

  if (self->history == NULL || notification->alert_id <= 0 ||
      (notification->kind != SM_NOTIFICATION_FIRING &&
       notification->kind != SM_NOTIFICATION_ESCALATED))
    return;

  active = sm_alert_manager_list_active (self);
  for (guint i = 0; i < active->len; i++)
    if (((SmAlertInfo *) g_ptr_array_index (active, i))->alert_id == notification->alert_id)
      info = g_ptr_array_index (active, i);
  if (info == NULL || sm_alert_target_is_state (info->target))
    return;

  job = g_new0 (ChartJob, 1);
  job->history = sm_history_reader_ref (self->history);
  job->server_id = g_ascii_strtoll (info->server_id, NULL, 10);
  job->metric = g_strdup (info->target);
  job->end = now_seconds (self);
  job->start = job->end - CHART_RANGE_S;
  job->interval = SM_SERVER_DEFAULT_INTERVAL;
  /* Translators: a chart title: server and metric, over the last hour. */
  job->title = g_strdup_printf (_("%s: %s, last hour"),
                                info->server_name != NULL ? info->server_name : "",
                                info->target);

  chart = g_new0 (ChartSend, 1);
  chart->send = g_new0 (SendData, 1);
  chart->send->self = g_object_ref (self);
  chart->send->channel = g_strdup (channel);
  chart->notifier = g_object_ref (notifier);
  chart->caption = g_strdup (job->title);
  self->pending++;

  task = g_task_new (NULL, self->cancellable, chart_rendered_cb, chart);
  g_task_set_source_tag (task, attach_chart);
  g_task_set_task_data (task, job, (GDestroyNotify) chart_job_free);
  g_task_run_in_thread (task, render_chart_thread);
}

static void
dispatch (SmAlertManager *self,
          GPtrArray      *notifications)
{
  for (guint i = 0; i < notifications->len; i++)
    {
      SmNotification *notification = g_ptr_array_index (notifications, i);
      g_auto(GStrv) names = channels_for (self, notification);

      for (guint c = 0; names[c] != NULL; c++)
        {
          SmNotifier *notifier = lookup_notifier (self, names[c]);
          SendData *data;

          if (notifier == NULL)
            {
              g_debug ("No usable channel “%s” for alert %" G_GINT64_FORMAT,
                       names[c], notification->alert_id);
              continue;
            }

          data = g_new0 (SendData, 1);
          data->self = g_object_ref (self);
          data->channel = g_strdup (names[c]);
          self->pending++;
          self->n_sent++;
          sm_notifier_send_async (notifier, notification, self->cancellable, send_cb, data);
          if (SM_IS_TELEGRAM_NOTIFIER (notifier) && wants_chart (self, names[c]))
            attach_chart (self, notifier, names[c], notification);
        }
    }
}

/* Stores the events, sends the notifications and tells the UI. */
static void
handle (SmAlertManager *self,
        GPtrArray      *events,
        GPtrArray      *notifications)
{
  g_autoptr(GError) error = NULL;

  if (events->len > 0 && !sm_store_record_alert_events (self->store, events, &error))
    {
      g_message ("Could not store %u alert events: %s", events->len, error->message);
      keep_error (self, error);
      g_clear_error (&error);
    }
  if (notifications != NULL && notifications->len > 0)
    {
      if (!sm_store_note_notifications (self->store, notifications, &error))
        {
          g_message ("Could not store which alerts were told: %s", error->message);
          keep_error (self, error);
          g_clear_error (&error);
        }
      dispatch (self, notifications);
    }
  if (events->len > 0)
    g_signal_emit (self, signals[CHANGED], 0);
}

static GPtrArray *
new_events (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_event_free);
}

static GPtrArray *
new_notifications (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) sm_notification_free);
}

/* The engine knows servers by their id as text, and their parent's. */
static void
input_init (SmAlertInput  *input,
            SmServer      *server,
            char         **out_server_id,
            char         **out_parent_id)
{
  *out_server_id = g_strdup_printf ("%" G_GINT64_FORMAT, sm_server_get_id (server));
  *out_parent_id = sm_server_get_parent_id (server) > 0
    ? g_strdup_printf ("%" G_GINT64_FORMAT, sm_server_get_parent_id (server)) : NULL;

  memset (input, 0, sizeof *input);
  input->server_id = *out_server_id;
  input->server_name = sm_server_get_name (server);
  input->group = sm_server_get_group (server);
  input->tags = sm_server_get_tags (server);
  input->parent_id = *out_parent_id;
}

/* Loading */

static gboolean
load (SmAlertManager *self,
      GError        **error)
{
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GPtrArray) windows = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  g_autoptr(GPtrArray) current = NULL;

  rules = sm_store_list_rules (self->store, error);
  if (rules == NULL)
    return FALSE;
  servers = sm_store_list_servers (self->store, error);
  if (servers == NULL)
    return FALSE;
  for (guint i = 0; i < servers->len; i++)
    {
      g_autofree char *id = NULL;
      g_autofree char *parent = NULL;
      SmAlertInput input;

      input_init (&input, g_ptr_array_index (servers, i), &id, &parent);
      sm_alert_engine_set_server (self->engine, id, input.server_name, parent);
    }
  windows = sm_store_list_windows (self->store, error);
  if (windows == NULL)
    return FALSE;
  channels = sm_store_list_channels (self->store, error);
  if (channels == NULL)
    return FALSE;

  /* Rules: replaced in place so that the alerts of unchanged rules stay. */
  current = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < rules->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (rules, i);

      g_ptr_array_add (current, g_strdup (rule->id));
    }
  {
    g_autoptr(GPtrArray) engine_rules = g_object_get_data (G_OBJECT (self), "rule-ids");

    g_object_steal_data (G_OBJECT (self), "rule-ids");
    for (guint i = 0; engine_rules != NULL && i < engine_rules->len; i++)
      {
        const char *id = g_ptr_array_index (engine_rules, i);

        if (!g_ptr_array_find_with_equal_func (current, id, g_str_equal, NULL))
          sm_alert_engine_remove_rule (self->engine, id);
      }
  }
  for (guint i = 0; i < rules->len; i++)
    sm_alert_engine_add_rule (self->engine, g_ptr_array_index (rules, i));
  g_object_set_data_full (G_OBJECT (self), "rule-ids", g_steal_pointer (&current),
                          (GDestroyNotify) g_ptr_array_unref);

  sm_alert_engine_clear_maintenance (self->engine);
  sm_alert_engine_clear_quiet_hours (self->engine);
  for (guint i = 0; i < windows->len; i++)
    {
      SmAlertWindow *window = g_ptr_array_index (windows, i);

      if (window->kind == SM_WINDOW_QUIET_HOURS)
        sm_alert_engine_add_quiet_hours (self->engine, &window->window);
      else
        {
          g_autofree char *server_id = window->server_id != 0
            ? g_strdup_printf ("%" G_GINT64_FORMAT, window->server_id) : NULL;

          sm_alert_engine_add_maintenance (self->engine, server_id, &window->window);
        }
    }

  g_ptr_array_unref (self->channels);
  self->channels = g_steal_pointer (&channels);
  build_notifiers (self);
  return TRUE;
}

/* GObject */

/* Retry counters survive the process (see SmAlertCounter). */
static void
save_counters (SmAlertManager *self)
{
  g_autoptr(GPtrArray) counters = NULL;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || self->engine == NULL)
    return;
  counters = sm_alert_engine_list_counters (self->engine);
  if (!sm_store_save_alert_counters (self->store, counters, &error))
    g_message ("Could not store alert retry counters: %s", error->message);
}

static void
load_counters (SmAlertManager *self)
{
  g_autoptr(GPtrArray) counters = NULL;
  g_autoptr(GError) error = NULL;

  counters = sm_store_list_alert_counters (self->store, &error);
  if (counters == NULL)
    {
      g_message ("Could not read alert retry counters: %s", error->message);
      return;
    }
  for (guint i = 0; i < counters->len; i++)
    sm_alert_engine_restore_counter (self->engine, g_ptr_array_index (counters, i));
}

static void
sm_alert_manager_dispose (GObject *object)
{
  SmAlertManager *self = SM_ALERT_MANAGER (object);

  save_counters (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_hash_table_remove_all (self->notifiers);
  g_hash_table_remove_all (self->overrides);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_alert_manager_parent_class)->dispose (object);
}

static void
sm_alert_manager_finalize (GObject *object)
{
  SmAlertManager *self = SM_ALERT_MANAGER (object);

  g_clear_pointer (&self->engine, sm_alert_engine_free);
  g_clear_pointer (&self->history, sm_history_reader_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->notifiers, g_hash_table_unref);
  g_clear_pointer (&self->overrides, g_hash_table_unref);
  g_clear_pointer (&self->told_failures, g_hash_table_unref);
  g_clear_pointer (&self->flushes, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (sm_alert_manager_parent_class)->finalize (object);
}

static void
sm_alert_manager_class_init (SmAlertManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_alert_manager_dispose;
  object_class->finalize = sm_alert_manager_finalize;

  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[OPEN_SERVER] =
    g_signal_new ("open-server",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[DELIVERY_FAILED] =
    g_signal_new ("delivery-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
sm_alert_manager_init (SmAlertManager *self)
{
  self->channels = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_channel_free);
  self->notifiers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->told_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->flushes = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

SmAlertManager *
sm_alert_manager_new (SmStore   *store,
                      GTimeZone *tz)
{
  SmAlertManager *self;
  g_autoptr(GError) error = NULL;
  guint restored = 0;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  self = g_object_new (SM_TYPE_ALERT_MANAGER, NULL);
  self->store = g_object_ref (store);
  self->tz = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  self->engine = sm_alert_engine_new (self->tz);
  sm_alert_engine_set_next_alert_id (self->engine,
                                     sm_store_get_max_alert_id (store, NULL) + 1);

  if (!load (self, &error) ||
      !sm_store_restore_open_alerts (store, self->engine, now_seconds (self), &restored, &error))
    {
      g_message ("Alerts: %s", error->message);
      keep_error (self, error);
    }
  load_counters (self);
  return self;
}

void
sm_alert_manager_set_clock (SmAlertManager *self,
                            SmClockFunc     clock,
                            gpointer        user_data)
{
  g_return_if_fail (SM_IS_ALERT_MANAGER (self));

  self->clock = clock;
  self->clock_data = user_data;
}

static gboolean
minute_cb (gpointer user_data)
{
  sm_alert_manager_tick (user_data);
  return G_SOURCE_CONTINUE;
}

void
sm_alert_manager_set_timers (SmAlertManager *self,
                             gboolean        enabled)
{
  g_return_if_fail (SM_IS_ALERT_MANAGER (self));

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (enabled)
    self->timer_id = g_timeout_add_seconds (60, minute_cb, self);
}

gboolean
sm_alert_manager_reload (SmAlertManager  *self,
                         GError         **error)
{
  g_return_val_if_fail (SM_IS_ALERT_MANAGER (self), FALSE);

  if (!load (self, error))
    return FALSE;
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

void
sm_alert_manager_set_history_reader (SmAlertManager  *self,
                                     SmHistoryReader *reader)
{
  g_return_if_fail (SM_IS_ALERT_MANAGER (self));

  if (reader != NULL)
    sm_history_reader_ref (reader);
  g_clear_pointer (&self->history, sm_history_reader_unref);
  self->history = reader;
}

void
sm_alert_manager_set_notifier (SmAlertManager *self,
                               SmNotifier     *notifier)
{
  g_return_if_fail (SM_IS_ALERT_MANAGER (self));
  g_return_if_fail (SM_IS_NOTIFIER (notifier));

  connect_notifier (self, notifier);
  g_hash_table_insert (self->overrides,
                       g_utf8_strdown (sm_notifier_get_name (notifier), -1),
                       g_object_ref (notifier));
}

/* Polls */

static gboolean
any_unit_failed (const SmPollResult *result)
{
  for (guint i = 0; result->units != NULL && i < result->units->len; i++)
    {
      SmUnit *unit = g_ptr_array_index (result->units, i);

      if (g_strcmp0 (unit->active, "failed") == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
any_container_down (const SmPollResult *result)
{
  for (guint i = 0; result->containers != NULL && i < result->containers->len; i++)
    {
      SmContainer *container = g_ptr_array_index (result->containers, i);

      if (g_strcmp0 (container->state, "running") != 0 ||
          g_strcmp0 (container->health, "unhealthy") == 0)
        return TRUE;
    }
  return FALSE;
}

void
sm_alert_manager_process_poll (SmAlertManager      *self,
                               SmServer            *server,
                               const SmPollOutcome *outcome)
{
  g_autoptr(GPtrArray) events = new_events ();
  g_autoptr(GPtrArray) notifications = new_notifications ();
  g_autoptr(GArray) metrics = g_array_new (FALSE, FALSE, sizeof (SmAlertMetric));
  g_autofree char *server_id = NULL;
  g_autofree char *parent_id = NULL;
  const SmPollResult *result;
  SmAlertInput input;

  g_return_if_fail (SM_IS_ALERT_MANAGER (self));
  g_return_if_fail (SM_IS_SERVER (server));
  g_return_if_fail (outcome != NULL);

  if (outcome->status == SM_SERVER_STATUS_DISABLED)
    return;

  result = outcome->result;
  input_init (&input, server, &server_id, &parent_id);
  input.host_key_changed = g_error_matches (outcome->error, SM_SSH_ERROR,
                                            SM_SSH_ERROR_HOST_KEY_CHANGED);
  /* A host that answers with a changed key is reachable: that alert says it. */
  input.reachable = result != NULL || input.host_key_changed ||
                    outcome->status != SM_SERVER_STATUS_DOWN;
  if (result != NULL)
    {
      input.unit_failed = any_unit_failed (result);
      input.container_not_running = any_container_down (result);
      for (guint i = 0; result->metrics != NULL && i < result->metrics->len; i++)
        {
          const SmMetric *metric = &g_array_index (result->metrics, SmMetric, i);
          SmAlertMetric alert_metric = { metric->name, metric->value };

          g_array_append_val (metrics, alert_metric);
        }
    }
  input.metrics = (const SmAlertMetric *) metrics->data;
  input.n_metrics = metrics->len;

  sm_alert_engine_evaluate (self->engine, now_seconds (self), &input, events, notifications);
  handle (self, events, notifications);
}

void
sm_alert_manager_process_check (SmAlertManager      *self,
                                SmServer            *server,
                                const SmCheck       *check,
                                const SmCheckResult *result)
{
  g_autoptr(GPtrArray) events = new_events ();
  g_autoptr(GPtrArray) notifications = new_notifications ();
  g_autoptr(GArray) metrics = g_array_new (FALSE, FALSE, sizeof (SmAlertMetric));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *server_id = NULL;
  g_autofree char *parent_id = NULL;
  SmAlertInput input;

  g_return_if_fail (SM_IS_ALERT_MANAGER (self));
  g_return_if_fail (SM_IS_SERVER (server));
  g_return_if_fail (check != NULL && result != NULL);

#define ADD_METRIC(suffix, number)                                              \
  G_STMT_START {                                                                \
    char *name_ = g_strdup_printf ("check.%s.%s", check->name, (suffix));       \
    SmAlertMetric metric_ = { name_, (number) };                                \
                                                                                \
    g_ptr_array_add (names, name_);                                             \
    g_array_append_val (metrics, metric_);                                      \
  } G_STMT_END

  if (result->status != SM_CHECK_STATUS_UNKNOWN)
    ADD_METRIC ("up", result->status == SM_CHECK_STATUS_DOWN ? 0.0 : 1.0);
  ADD_METRIC ("degraded", result->status == SM_CHECK_STATUS_DEGRADED ? 1.0 : 0.0);
  if (isfinite (result->timing.total_ms))
    ADD_METRIC ("latency_ms", result->timing.total_ms);
  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmCheckMetric *metric = &g_array_index (result->metrics, SmCheckMetric, i);

      if (isfinite (metric->value) && !g_str_equal (metric->name, "latency_ms"))
        ADD_METRIC (metric->name, metric->value);
    }
#undef ADD_METRIC

  input_init (&input, server, &server_id, &parent_id);
  input.reachable = TRUE;
  input.partial = TRUE;
  input.metrics = (const SmAlertMetric *) metrics->data;
  input.n_metrics = metrics->len;

  sm_alert_engine_evaluate (self->engine, now_seconds (self), &input, events, notifications);
  handle (self, events, notifications);
}

void
sm_alert_manager_begin_round (SmAlertManager *self)
{
  g_return_if_fail (SM_IS_ALERT_MANAGER (self));

  sm_alert_engine_begin_round (self->engine);
}

void
sm_alert_manager_end_round (SmAlertManager *self)
{
  g_autoptr(GPtrArray) events = new_events ();
  g_autoptr(GPtrArray) notifications = new_notifications ();

  g_return_if_fail (SM_IS_ALERT_MANAGER (self));

  sm_alert_engine_end_round (self->engine, now_seconds (self), events, notifications);
  handle (self, events, notifications);
}

void
sm_alert_manager_tick (SmAlertManager *self)
{
  g_autoptr(GPtrArray) events = new_events ();
  g_autoptr(GPtrArray) notifications = new_notifications ();

  g_return_if_fail (SM_IS_ALERT_MANAGER (self));

  sm_alert_engine_tick (self->engine, now_seconds (self), events, notifications);
  handle (self, events, notifications);
}

void
sm_alert_manager_set_connectivity (SmAlertManager *self,
                                   gboolean        online)
{
  g_autoptr(GPtrArray) events = new_events ();

  g_return_if_fail (SM_IS_ALERT_MANAGER (self));

  sm_alert_engine_set_connectivity (self->engine, now_seconds (self), online, events);
  handle (self, events, NULL);
}

gboolean
sm_alert_manager_acknowledge (SmAlertManager  *self,
                              gint64           alert_id,
                              const char      *comment,
                              gint64           expires_at,
                              GError         **error)
{
  g_autoptr(GPtrArray) events = new_events ();

  g_return_val_if_fail (SM_IS_ALERT_MANAGER (self), FALSE);

  if (!sm_alert_engine_acknowledge (self->engine, now_seconds (self), alert_id, comment,
                                    expires_at, events, error))
    return FALSE;
  handle (self, events, NULL);
  return TRUE;
}

gboolean
sm_alert_manager_resolve (SmAlertManager  *self,
                          gint64           alert_id,
                          GError         **error)
{
  g_autoptr(GPtrArray) events = new_events ();
  g_autoptr(GPtrArray) notifications = new_notifications ();

  g_return_val_if_fail (SM_IS_ALERT_MANAGER (self), FALSE);

  if (!sm_alert_engine_resolve (self->engine, now_seconds (self), alert_id, events,
                                notifications, error))
    return FALSE;
  handle (self, events, notifications);
  return TRUE;
}

static void
desktop_action_cb (SmNotifier     *notifier,
                   gint64          alert_id,
                   const char     *action,
                   SmAlertManager *self)
{
  if (g_strcmp0 (action, SM_DESKTOP_ACTION_ACKNOWLEDGE) == 0)
    {
      g_autoptr(GError) error = NULL;

      if (!sm_alert_manager_acknowledge (self, alert_id, NULL, 0, &error))
        g_debug ("Acknowledge from a notification: %s", error->message);
    }
  else if (g_strcmp0 (action, SM_DESKTOP_ACTION_OPEN) == 0)
    {
      g_autoptr(GPtrArray) active = sm_alert_manager_list_active (self);

      for (guint i = 0; i < active->len; i++)
        {
          SmAlertInfo *info = g_ptr_array_index (active, i);

          if (info->alert_id == alert_id)
            g_signal_emit (self, signals[OPEN_SERVER], 0,
                           g_ascii_strtoll (info->server_id, NULL, 10));
        }
    }
}

GPtrArray *
sm_alert_manager_list_active (SmAlertManager *self)
{
  g_return_val_if_fail (SM_IS_ALERT_MANAGER (self), NULL);

  return sm_alert_engine_list_active (self->engine, now_seconds (self));
}

guint
sm_alert_manager_count_active (SmAlertManager *self)
{
  g_autoptr(GPtrArray) active = NULL;
  guint count = 0;

  g_return_val_if_fail (SM_IS_ALERT_MANAGER (self), 0);

  active = sm_alert_manager_list_active (self);
  for (guint i = 0; i < active->len; i++)
    {
      SmAlertInfo *info = g_ptr_array_index (active, i);

      if (info->state != SM_ALERT_STATE_PENDING)
        count++;
    }
  return count;
}

SmAlertEngine *
sm_alert_manager_get_engine (SmAlertManager *self)
{
  g_return_val_if_fail (SM_IS_ALERT_MANAGER (self), NULL);

  return self->engine;
}

/* Tests of a channel */

static void
test_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sm_notifier_send_finish (SM_NOTIFIER (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
sm_alert_manager_test_channel_async (SmAlertManager      *self,
                                     const SmChannel     *channel,
                                     const char          *secret,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SmNotifier) notifier = NULL;
  g_autoptr(GError) error = NULL;
  char *stored = NULL;

  g_return_if_fail (SM_IS_ALERT_MANAGER (self));
  g_return_if_fail (channel != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_alert_manager_test_channel_async);

  if (secret == NULL && channel->id != 0 && channel->has_secret)
    {
      stored = sm_store_load_channel_secret (self->store, channel, &error);
      if (stored == NULL && error != NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  notifier = sm_channel_create_notifier (channel, secret != NULL ? secret : stored, &error);
  sm_secret_free (stored);
  if (notifier == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The notifier lives as long as the send (the task holds it). */
  g_task_set_task_data (task, g_object_ref (notifier), g_object_unref);
  sm_notifier_send_test_async (notifier, cancellable, test_sent_cb, g_steal_pointer (&task));
}

gboolean
sm_alert_manager_test_channel_finish (SmAlertManager  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sm_alert_manager_flush_async (SmAlertManager      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SM_IS_ALERT_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_alert_manager_flush_async);
  g_ptr_array_add (self->flushes, task);
  finish_flushes (self);
}

gboolean
sm_alert_manager_flush_finish (SmAlertManager  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
sm_alert_manager_get_n_sent (SmAlertManager *self)
{
  g_return_val_if_fail (SM_IS_ALERT_MANAGER (self), 0);

  return self->n_sent;
}

guint
sm_alert_manager_get_n_failed (SmAlertManager *self)
{
  g_return_val_if_fail (SM_IS_ALERT_MANAGER (self), 0);

  return self->n_failed;
}

GError *
sm_alert_manager_dup_error (SmAlertManager *self)
{
  g_return_val_if_fail (SM_IS_ALERT_MANAGER (self), NULL);

  return self->error != NULL ? g_error_copy (self->error) : NULL;
}
