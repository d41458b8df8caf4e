/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-row.c: one server in the window's sidebar list. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sm-server-row.h"
#include "sm-sparkline.h"
#include "sm-status-badge.h"

/* The sparkline's hour, queried for about this many pixel columns. */
#define SPARKLINE_QUERY_WIDTH 64
#define SPARKLINE_SECONDS 3600

struct _SmServerRow
{
  GtkListBoxRow  parent_instance;

  /* Template widgets */
  SmStatusBadge *badge;
  GtkLabel      *name_label;
  GtkLabel      *address_label;
  SmSparkline   *sparkline;

  /* Owned references */
  SmServer      *server;
  SmHistoryReader *reader;
  GCancellable  *cancellable;    /* the sparkline's query */
  GArray        *pending;        /* SmSeriesPoint: polls during the query */

  /* State */
  guint          query_serial;
  gboolean       querying;
};

G_DEFINE_FINAL_TYPE (SmServerRow, sm_server_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sm_server_row_update (SmServerRow *self)
{
  g_autofree char *address = NULL;
  SmServerStatus status = sm_status_badge_status_for_server (self->server);
  const char *reason = sm_server_get_status_reason (self->server);
  gboolean has_reason = reason != NULL && reason[0] != '\0' && status != SM_SERVER_STATUS_UP;
  gboolean alert = has_reason &&
                   (status == SM_SERVER_STATUS_DOWN || status == SM_SERVER_STATUS_DEGRADED);
  GtkWidget *subtitle = GTK_WIDGET (self->address_label);
  g_autofree char *accessible = NULL;
  g_autofree char *tooltip = NULL;

  if (sm_server_get_is_local (self->server))
    address = g_strdup (_("This computer, without SSH"));
  else
    address = sm_server_dup_address (self->server);

  gtk_label_set_label (self->name_label, sm_server_get_name (self->server));
  sm_status_badge_set_status (self->badge, status);

  /* A server in trouble says why instead of where it is. */
  gtk_label_set_label (self->address_label, alert ? reason : address);
  if (alert)
    gtk_widget_remove_css_class (subtitle, "dim-label");
  else
    gtk_widget_add_css_class (subtitle, "dim-label");
  if (alert && status == SM_SERVER_STATUS_DOWN)
    gtk_widget_add_css_class (subtitle, "error");
  else
    gtk_widget_remove_css_class (subtitle, "error");
  if (alert && status == SM_SERVER_STATUS_DEGRADED)
    gtk_widget_add_css_class (subtitle, "warning");
  else
    gtk_widget_remove_css_class (subtitle, "warning");

  if (has_reason && status != SM_SERVER_STATUS_DISABLED)
    /* Translators: a server's address and why its status is what it is. */
    tooltip = g_strdup_printf (_("%s\n%s — %s"), address,
                               sm_server_status_to_label (status), reason);
  else
    tooltip = g_strdup (address);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
  gtk_widget_set_tooltip_text (subtitle, NULL);

  if (sm_server_get_enabled (self->server))
    gtk_widget_remove_css_class (GTK_WIDGET (self), "disabled-server");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "disabled-server");

  if (has_reason && status != SM_SERVER_STATUS_DISABLED)
    /* Translators: the accessible name of a server in the list: "NAME, STATUS: REASON". */
    accessible = g_strdup_printf (_("%s, %s: %s"),
                                  sm_server_get_name (self->server),
                                  sm_server_status_to_label (status), reason);
  else
    /* Translators: the accessible name of a server in the list: "NAME, STATUS". */
    accessible = g_strdup_printf (_("%s, %s"),
                                  sm_server_get_name (self->server),
                                  sm_server_status_to_label (status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
update_sparkline_visible (SmServerRow *self)
{
  /* Never polled, or nothing recorded: no empty box. */
  gtk_widget_set_visible (GTK_WIDGET (self->sparkline),
                          sm_sparkline_get_n_points (self->sparkline) > 0);
}

/* Polls that came while the hour was being queried. */
static void
flush_pending (SmServerRow *self)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      const SmSeriesPoint *point = &g_array_index (self->pending, SmSeriesPoint, i);

      sm_sparkline_append (self->sparkline, point->t, point->avg);
    }
  g_array_set_size (self->pending, 0);

  update_sparkline_visible (self);
}

/* A new poll's CPU goes on the line; while the hour is being queried it
 * waits, so that the query's result does not replace it. */
static void
append_poll (SmServerRow *self)
{
  SmPollResult *result = (SmPollResult *) sm_server_get_last_result (self->server);
  SmSeriesPoint point;
  double cpu;

  if (result == NULL)
    return;

  cpu = sm_poll_result_get_metric (result, "cpu.percent");
  if (!isfinite (cpu))
    return;

  point = (SmSeriesPoint) { result->time_us / G_USEC_PER_SEC, cpu, cpu, cpu, 1 };
  if (self->querying)
    {
      g_array_append_val (self->pending, point);
      return;
    }

  sm_sparkline_append (self->sparkline, point.t, cpu);
  update_sparkline_visible (self);
}

static void
server_notify_cb (SmServerRow *self,
                  GParamSpec  *pspec,
                  SmServer    *server)
{
  if (g_str_equal (pspec->name, "last-poll"))
    {
      append_poll (self);
      return;
    }

  sm_server_row_update (self);
}

/* The sparkline's query */

typedef struct
{
  SmHistoryReader *reader;
  gint64           server_id;
  guint            interval;
} QueryInput;

static void
query_input_free (QueryInput *input)
{
  sm_history_reader_unref (input->reader);
  g_free (input);
}

typedef struct
{
  GWeakRef row;
  guint    serial;
} Caller;

static void
caller_free (Caller *caller)
{
  g_weak_ref_clear (&caller->row);
  g_free (caller);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Caller, caller_free)

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryInput *input = task_data;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  SmSeries *series;

  series = sm_history_reader_query (input->reader, input->server_id, "cpu.percent",
                                    now - SPARKLINE_SECONDS, now,
                                    SPARKLINE_QUERY_WIDTH, input->interval, &error);
  if (series == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, series, (GDestroyNotify) sm_series_free);
}

static void
query_done_cb (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Caller) caller = user_data;
  g_autoptr(SmServerRow) self = g_weak_ref_get (&caller->row);
  g_autoptr(SmSeries) series = NULL;
  g_autoptr(GError) error = NULL;

  series = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL || self->pending == NULL || caller->serial != self->query_serial)
    return;

  self->querying = FALSE;
  /* Without history the line still fills from the polls. */
  if (series != NULL)
    sm_sparkline_set_series (self->sparkline, series);
  else
    g_debug ("No CPU history for %s: %s", sm_server_get_name (self->server), error->message);

  flush_pending (self);
}

static void
query_history (SmServerRow *self)
{
  g_autoptr(GTask) task = NULL;
  QueryInput *input;
  Caller *caller;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->query_serial++;
  self->querying = FALSE;

  /* Not stored yet: no history. Polls that waited go on the line. */
  if (self->reader == NULL || sm_server_get_id (self->server) <= 0)
    {
      flush_pending (self);
      return;
    }

  input = g_new0 (QueryInput, 1);
  input->reader = sm_history_reader_ref (self->reader);
  input->server_id = sm_server_get_id (self->server);
  input->interval = sm_server_get_interval (self->server);

  caller = g_new0 (Caller, 1);
  g_weak_ref_init (&caller->row, self);
  caller->serial = self->query_serial;

  self->cancellable = g_cancellable_new ();
  self->querying = TRUE;

  task = g_task_new (NULL, self->cancellable, query_done_cb, caller);
  g_task_set_source_tag (task, query_history);
  g_task_set_task_data (task, input, (GDestroyNotify) query_input_free);
  g_task_run_in_thread (task, query_thread);
}

static void
sm_server_row_constructed (GObject *object)
{
  SmServerRow *self = SM_SERVER_ROW (object);

  G_OBJECT_CLASS (sm_server_row_parent_class)->constructed (object);

  g_assert (SM_IS_SERVER (self->server));

  g_signal_connect_object (self->server, "notify",
                           G_CALLBACK (server_notify_cb), self,
                           G_CONNECT_SWAPPED);
  sm_server_row_update (self);
}

static void
sm_server_row_dispose (GObject *object)
{
  SmServerRow *self = SM_SERVER_ROW (object);

  /* A late result finds no pending array and is dropped. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->query_serial++;
  g_clear_pointer (&self->pending, g_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_SERVER_ROW);
  g_clear_pointer (&self->reader, sm_history_reader_unref);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (sm_server_row_parent_class)->dispose (object);
}

static void
sm_server_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SmServerRow *self = SM_SERVER_ROW (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_server_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SmServerRow *self = SM_SERVER_ROW (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      self->server = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_server_row_class_init (SmServerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sm_server_row_constructed;
  object_class->dispose = sm_server_row_dispose;
  object_class->get_property = sm_server_row_get_property;
  object_class->set_property = sm_server_row_set_property;

  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL,
                         SM_TYPE_SERVER,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SM_TYPE_STATUS_BADGE);
  g_type_ensure (SM_TYPE_SPARKLINE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-server-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SmServerRow, badge);
  gtk_widget_class_bind_template_child (widget_class, SmServerRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerRow, address_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerRow, sparkline);
}

static void
sm_server_row_init (SmServerRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->pending = g_array_new (FALSE, FALSE, sizeof (SmSeriesPoint));
}

GtkWidget *
sm_server_row_new (SmServer *server)
{
  g_return_val_if_fail (SM_IS_SERVER (server), NULL);

  return g_object_new (SM_TYPE_SERVER_ROW,
                       "server", server,
                       NULL);
}

SmServer *
sm_server_row_get_server (SmServerRow *self)
{
  g_return_val_if_fail (SM_IS_SERVER_ROW (self), NULL);

  return self->server;
}

void
sm_server_row_set_history_reader (SmServerRow     *self,
                                  SmHistoryReader *reader)
{
  g_return_if_fail (SM_IS_SERVER_ROW (self));

  if (self->reader == reader)
    return;

  g_clear_pointer (&self->reader, sm_history_reader_unref);
  if (reader != NULL)
    self->reader = sm_history_reader_ref (reader);

  query_history (self);
}
