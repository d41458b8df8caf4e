/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-checks-page.c: the "Checks" view of a server page.
 *
 * One row per check of the server, made from the store (the check and its
 * latest result); a result the scheduler reports (::check-finished) updates
 * its row at once. The latency of the last hour and the uptime over 24
 * hours, 7 and 30 days come from the history, read on a worker thread
 * (GTask) that holds a weak reference to the page: a late answer for a
 * page that is gone, or for an older query, is dropped.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sm-check-dialog.h"
#include "sm-check-store.h"
#include "sm-checks-page.h"
#include "sm-checks-page-private.h"
#include "sm-net-check.h"
#include "sm-series.h"
#include "sm-sparkline.h"

/* The sparkline's hour, queried for about this many pixel columns. */
#define SPARKLINE_WIDTH 72
/* After a result, the history is read again this much later (the writer
 * thread batches its inserts). */
#define HISTORY_DELAY_MS 2000

static const gint64 uptime_ranges[] = { 24 * 3600, 7 * 24 * 3600, 30 * 24 * 3600 };
#define N_UPTIMES G_N_ELEMENTS (uptime_ranges)

/* What a row shows; the row points at it, the page owns it. */
typedef struct
{
  SmCheck       *check;
  SmCheckResult *result;        /* latest, or NULL: not run yet */
  SmSeries      *latency;       /* raw milliseconds of the last hour */
  double         uptime[N_UPTIMES];
  gboolean       running;

  AdwActionRow  *row;
  GtkImage      *icon;
  GtkLabel      *latency_label;
  GtkLabel      *uptime_label;
  SmSparkline   *sparkline;
  GtkWidget     *run_button;
} Entry;

struct _SmChecksPage
{
  AdwBin               parent_instance;

  /* Template widgets */
  GtkStack            *stack;
  GtkWidget           *empty_page;
  AdwPreferencesGroup *checks_group;

  /* Owned references */
  SmStore             *store;
  SmCheckScheduler    *scheduler;
  SmServer            *server;
  SmHistoryReader     *reader;
  GPtrArray           *entries;       /* Entry */
  GCancellable        *cancellable;   /* the history query */
  GtkSizeGroup        *numbers_group; /* lines the sparklines up */

  /* State */
  char                *ping_reason;   /* why ping cannot run here, or NULL */
  guint                history_id;    /* a delayed history query */
  guint                serial;
  guint                n_pending;
};

G_DEFINE_FINAL_TYPE (SmChecksPage, sm_checks_page, ADW_TYPE_BIN)

static void query_history (SmChecksPage *self);

static void
entry_free (Entry *entry)
{
  g_clear_pointer (&entry->check, sm_check_free);
  g_clear_pointer (&entry->result, sm_check_result_free);
  g_clear_pointer (&entry->latency, sm_series_free);
  g_free (entry);
}

static Entry *
find_entry (SmChecksPage *self,
            gint64        check_id)
{
  for (guint i = 0; self->entries != NULL && i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->check->id == check_id)
        return entry;
    }
  return NULL;
}

static gint64
get_server_id (SmChecksPage *self)
{
  return self->server != NULL ? MAX (sm_server_get_id (self->server), 0) : 0;
}

/* Status */

static const char *
status_label (SmCheckStatus status)
{
  switch (status)
    {
    case SM_CHECK_STATUS_UP:
      return _("Up");
    case SM_CHECK_STATUS_DEGRADED:
      return _("Degraded");
    case SM_CHECK_STATUS_DOWN:
      return _("Down");
    case SM_CHECK_STATUS_UNKNOWN:
    default:
      return _("Unknown");
    }
}

static void
set_icon (Entry      *entry,
          const char *icon_name,
          const char *css_class,
          const char *tooltip)
{
  static const char * const classes[] = { "success", "warning", "error", "dim-label" };
  GtkWidget *icon = GTK_WIDGET (entry->icon);

  gtk_image_set_from_icon_name (entry->icon, icon_name);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (icon, classes[i]);
  gtk_widget_add_css_class (icon, css_class);
  gtk_widget_set_tooltip_text (icon, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
}

/* "12 ms", "1.2 s"; "—" for NAN. */
static char *
format_latency (double ms)
{
  return sm_format_value (ms, SM_VALUE_UNIT_MILLISECONDS);
}

/* "99.9 %", "100 %", "—". */
static char *
format_uptime (double percent)
{
  if (isnan (percent))
    return g_strdup ("—");
  if (percent >= 99.995)
    return g_strdup ("100 %");
  if (percent >= 99.0)
    return g_strdup_printf ("%.2f %%", floor (percent * 100) / 100);
  return g_strdup_printf ("%.1f %%", floor (percent * 10) / 10);
}

/* The sparkline draws 0..100: the hour is scaled to its highest point. */
static void
update_sparkline (Entry *entry)
{
  g_autoptr(SmSeries) scaled = NULL;
  double max = 0;

  if (entry->latency == NULL || entry->latency->points->len == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (entry->sparkline), FALSE);
      return;
    }

  for (guint i = 0; i < entry->latency->points->len; i++)
    max = MAX (max, g_array_index (entry->latency->points, SmSeriesPoint, i).avg);

  scaled = sm_series_new (entry->latency->metric, entry->latency->tier, entry->latency->step);
  scaled->gap = entry->latency->gap;
  for (guint i = 0; i < entry->latency->points->len; i++)
    {
      SmSeriesPoint point = g_array_index (entry->latency->points, SmSeriesPoint, i);
      double factor = max > 0 ? 90.0 / max : 0;

      point.min *= factor;
      point.max *= factor;
      point.avg *= factor;
      sm_series_append_point (scaled, &point);
    }

  sm_sparkline_set_series (entry->sparkline, scaled);
  gtk_widget_set_visible (GTK_WIDGET (entry->sparkline), TRUE);
}

static void
update_entry (SmChecksPage *self,
              Entry        *entry)
{
  const SmCheckResult *result = entry->result;
  const char *type = sm_check_type_to_label (entry->check->type);
  g_autofree char *subtitle = NULL;
  g_autofree char *latency = NULL;
  g_autofree char *uptime = NULL;
  g_autofree char *u0 = format_uptime (entry->uptime[0]);
  g_autofree char *u1 = format_uptime (entry->uptime[1]);
  g_autofree char *u2 = format_uptime (entry->uptime[2]);
  const char *what;

  if (entry->check->type == SM_CHECK_PING && self->ping_reason != NULL)
    {
      set_icon (entry, "dialog-warning-symbolic", "warning", _("Not Available"));
      what = self->ping_reason;
    }
  else if (!entry->check->enabled)
    {
      set_icon (entry, "media-playback-pause-symbolic", "dim-label", _("Disabled"));
      what = _("Disabled");
    }
  else if (result == NULL)
    {
      set_icon (entry, "content-loading-symbolic", "dim-label", _("Not Run Yet"));
      what = _("Not run yet");
    }
  else
    {
      switch (result->status)
        {
        case SM_CHECK_STATUS_UP:
          set_icon (entry, "emblem-ok-symbolic", "success", status_label (result->status));
          break;
        case SM_CHECK_STATUS_DEGRADED:
          set_icon (entry, "dialog-warning-symbolic", "warning", status_label (result->status));
          break;
        case SM_CHECK_STATUS_DOWN:
          set_icon (entry, "dialog-error-symbolic", "error", status_label (result->status));
          break;
        case SM_CHECK_STATUS_UNKNOWN:
        default:
          set_icon (entry, "dialog-question-symbolic", "dim-label", status_label (result->status));
          break;
        }
      what = result->reason != NULL && result->reason[0] != '\0'
             ? result->reason : status_label (result->status);
    }

  /* Translators: a check's type and its state, as in "HTTP — status 503". */
  subtitle = g_strdup_printf (_("%s — %s"), type, what);
  adw_action_row_set_subtitle (entry->row, subtitle);

  /* The latest matching log lines or a plugin's long output, on hover. */
  if (result != NULL && result->lines->len > 0)
    {
      g_autoptr(GString) lines = g_string_new (NULL);

      for (guint i = 0; i < result->lines->len; i++)
        {
          if (i > 0)
            g_string_append_c (lines, '\n');
          g_string_append (lines, g_ptr_array_index (result->lines, i));
        }
      gtk_widget_set_tooltip_text (GTK_WIDGET (entry->row), lines->str);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (entry->row), NULL);

  latency = format_latency (result != NULL ? result->timing.total_ms : NAN);
  gtk_label_set_label (entry->latency_label, latency);

  /* Translators: uptime over the last 24 hours, 7 days and 30 days. */
  uptime = g_strdup_printf (_("24 h %s · 7 d %s · 30 d %s"), u0, u1, u2);
  gtk_label_set_label (entry->uptime_label, uptime);
  gtk_widget_set_visible (GTK_WIDGET (entry->uptime_label),
                          !isnan (entry->uptime[0]) || !isnan (entry->uptime[1]) ||
                          !isnan (entry->uptime[2]));

  update_sparkline (entry);

  gtk_widget_set_sensitive (entry->run_button, !entry->running && self->scheduler != NULL);
  gtk_widget_set_visible (entry->run_button, self->scheduler != NULL);
}

/* Row buttons */

static GtkWindow *
get_parent_window (SmChecksPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
dialog_saved_cb (SmChecksPage *self,
                 gint64        check_id)
{
  /* With a scheduler, its ::checks-changed reloads the page. */
  if (self->scheduler == NULL)
    sm_checks_page_reload (self);
}

static SmCheckDialog *
open_dialog (SmChecksPage  *self,
             const SmCheck *check)
{
  SmCheckDialog *dialog;

  if (self->store == NULL || self->server == NULL)
    return NULL;

  dialog = sm_check_dialog_new (get_parent_window (self), self->store, self->scheduler,
                                get_server_id (self), check);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (dialog_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

static Entry *
entry_for_button (GtkWidget *button)
{
  GtkWidget *row = gtk_widget_get_ancestor (button, ADW_TYPE_ACTION_ROW);

  return row != NULL ? g_object_get_data (G_OBJECT (row), "sm-entry") : NULL;
}

static void
run_clicked_cb (GtkWidget    *button,
                SmChecksPage *self)
{
  Entry *entry = entry_for_button (button);

  if (entry == NULL || self->scheduler == NULL)
    return;

  if (sm_check_scheduler_run_now (self->scheduler, entry->check->id))
    {
      entry->running = TRUE;
      update_entry (self, entry);
    }
}

static void
edit_clicked_cb (GtkWidget    *button,
                 SmChecksPage *self)
{
  Entry *entry = entry_for_button (button);

  if (entry != NULL)
    open_dialog (self, entry->check);
}

static void
row_activated_cb (AdwActionRow *row,
                  SmChecksPage *self)
{
  Entry *entry = g_object_get_data (G_OBJECT (row), "sm-entry");

  if (entry != NULL)
    open_dialog (self, entry->check);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SmChecksPage     *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "sm-check-id"));
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0 || self->store == NULL)
    return;

  if (!sm_store_delete_check (self->store, id, &error))
    {
      GtkWidget *message = adw_message_dialog_new (get_parent_window (self),
                                                   _("Could Not Delete the Check"),
                                                   error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (message), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (message));
      return;
    }

  if (self->scheduler != NULL)
    sm_check_scheduler_reload_server (self->scheduler, get_server_id (self));
  else
    sm_checks_page_reload (self);
}

static void
delete_clicked_cb (GtkWidget    *button,
                   SmChecksPage *self)
{
  Entry *entry = entry_for_button (button);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (entry == NULL)
    return;

  /* Translators: %s is a check's name. */
  body = g_strdup_printf (_("“%s” and its latest result are removed. Its history stays until it ages out."),
                          entry->check->name);
  dialog = adw_message_dialog_new (get_parent_window (self), _("Delete Check?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "sm-check-id", GSIZE_TO_POINTER ((gsize) entry->check->id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
make_button (SmChecksPage *self,
             const char   *icon_name,
             const char   *tooltip,
             GCallback     callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect (button, "clicked", callback, self);

  return button;
}

static Entry *
make_entry (SmChecksPage *self,
            SmCheck      *check)
{
  Entry *entry = g_new0 (Entry, 1);
  GtkWidget *box;
  GtkWidget *numbers;

  entry->check = check;
  for (guint i = 0; i < N_UPTIMES; i++)
    entry->uptime[i] = NAN;

  entry->row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (entry->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry->row), check->name);
  adw_action_row_set_subtitle_lines (entry->row, 2);
  gtk_widget_add_css_class (GTK_WIDGET (entry->row), "check-row");
  g_object_set_data (G_OBJECT (entry->row), "sm-entry", entry);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (entry->row), TRUE);
  g_signal_connect (entry->row, "activated", G_CALLBACK (row_activated_cb), self);

  entry->icon = GTK_IMAGE (gtk_image_new ());
  adw_action_row_add_prefix (entry->row, GTK_WIDGET (entry->icon));

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);

  entry->sparkline = SM_SPARKLINE (sm_sparkline_new ());
  gtk_widget_set_size_request (GTK_WIDGET (entry->sparkline), SPARKLINE_WIDTH, 24);
  gtk_widget_set_valign (GTK_WIDGET (entry->sparkline), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry->sparkline), _("Latency of the last hour"));
  gtk_widget_set_visible (GTK_WIDGET (entry->sparkline), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (entry->sparkline));

  numbers = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_valign (numbers, GTK_ALIGN_CENTER);
  entry->latency_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (entry->latency_label, 1);
  gtk_widget_add_css_class (GTK_WIDGET (entry->latency_label), "numeric");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry->latency_label), _("Latency of the latest run"));
  gtk_box_append (GTK_BOX (numbers), GTK_WIDGET (entry->latency_label));
  entry->uptime_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (entry->uptime_label, 1);
  gtk_widget_add_css_class (GTK_WIDGET (entry->uptime_label), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (entry->uptime_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (entry->uptime_label), "dim-label");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry->uptime_label),
                               _("Uptime over the last 24 hours, 7 days and 30 days"));
  gtk_box_append (GTK_BOX (numbers), GTK_WIDGET (entry->uptime_label));
  gtk_box_append (GTK_BOX (box), numbers);
  gtk_size_group_add_widget (self->numbers_group, numbers);
  adw_action_row_add_suffix (entry->row, box);

  entry->run_button = make_button (self, "media-playback-start-symbolic", _("Run Now"),
                                   G_CALLBACK (run_clicked_cb));
  adw_action_row_add_suffix (entry->row, entry->run_button);
  adw_action_row_add_suffix (entry->row,
                             make_button (self, "document-edit-symbolic", _("Edit"),
                                          G_CALLBACK (edit_clicked_cb)));
  adw_action_row_add_suffix (entry->row,
                             make_button (self, "user-trash-symbolic", _("Delete"),
                                          G_CALLBACK (delete_clicked_cb)));

  return entry;
}

static void
clear_rows (SmChecksPage *self)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      adw_preferences_group_remove (self->checks_group, GTK_WIDGET (entry->row));
    }
  g_ptr_array_set_size (self->entries, 0);
}

static void
update_actions (SmChecksPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checks.add",
                                 self->store != NULL && get_server_id (self) > 0);
}

/* History */

typedef struct
{
  GWeakRef page;
  guint    serial;
} Caller;

static Caller *
caller_new (SmChecksPage *self)
{
  Caller *caller = g_new0 (Caller, 1);

  g_weak_ref_init (&caller->page, self);
  caller->serial = self->serial;

  return caller;
}

static void
caller_free (Caller *caller)
{
  g_weak_ref_clear (&caller->page);
  g_free (caller);
}

typedef struct
{
  SmHistoryReader *reader;
  gint64           server_id;
  guint            interval;
  GArray          *ids;       /* gint64 */
  gint64           now;
} HistoryInput;

typedef struct
{
  gint64    id;
  SmSeries *latency;
  double    uptime[N_UPTIMES];
} HistoryOutput;

static void
history_input_free (HistoryInput *input)
{
  g_clear_pointer (&input->reader, sm_history_reader_unref);
  g_clear_pointer (&input->ids, g_array_unref);
  g_free (input);
}

static void
history_output_clear (HistoryOutput *output)
{
  g_clear_pointer (&output->latency, sm_series_free);
}

static void
history_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  HistoryInput *input = task_data;
  g_autoptr(GArray) outputs = g_array_new (FALSE, TRUE, sizeof (HistoryOutput));

  g_array_set_clear_func (outputs, (GDestroyNotify) history_output_clear);

  for (guint i = 0; i < input->ids->len; i++)
    {
      gint64 id = g_array_index (input->ids, gint64, i);
      g_autofree char *latency = g_strdup_printf ("check.%" G_GINT64_FORMAT ".latency_ms", id);
      g_autofree char *up = g_strdup_printf ("check.%" G_GINT64_FORMAT ".up", id);
      g_autoptr(GError) error = NULL;
      HistoryOutput output = { .id = id };

      if (g_task_return_error_if_cancelled (task))
        return;

      output.latency = sm_history_reader_query (input->reader, input->server_id, latency,
                                                input->now - 3600, input->now,
                                                SPARKLINE_WIDTH, input->interval, &error);
      if (output.latency == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      for (guint r = 0; r < N_UPTIMES; r++)
        {
          SmStats stats;

          output.uptime[r] = NAN;
          if (!sm_history_reader_get_stats (input->reader, input->server_id, up,
                                            input->now - uptime_ranges[r], input->now,
                                            &stats, &error))
            {
              history_output_clear (&output);
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          if (stats.count > 0 && !isnan (stats.avg))
            output.uptime[r] = CLAMP (stats.avg * 100.0, 0.0, 100.0);
        }

      g_array_append_val (outputs, output);
    }

  g_task_return_pointer (task, g_steal_pointer (&outputs), (GDestroyNotify) g_array_unref);
}

static void
history_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Caller *caller = user_data;
  g_autoptr(SmChecksPage) self = g_weak_ref_get (&caller->page);
  g_autoptr(GArray) outputs = NULL;
  g_autoptr(GError) error = NULL;
  guint serial = caller->serial;

  caller_free (caller);
  outputs = g_task_propagate_pointer (G_TASK (result), &error);

  if (self == NULL)
    return;

  self->n_pending--;
  if (outputs == NULL || serial != self->serial)
    return;

  for (guint i = 0; i < outputs->len; i++)
    {
      HistoryOutput *output = &g_array_index (outputs, HistoryOutput, i);
      Entry *entry = find_entry (self, output->id);

      if (entry == NULL)
        continue;

      g_clear_pointer (&entry->latency, sm_series_free);
      entry->latency = g_steal_pointer (&output->latency);
      memcpy (entry->uptime, output->uptime, sizeof entry->uptime);
      update_entry (self, entry);
    }
}

static void
query_history (SmChecksPage *self)
{
  g_autoptr(GTask) task = NULL;
  HistoryInput *input;

  g_clear_handle_id (&self->history_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->serial++;

  if (self->reader == NULL || self->entries->len == 0 || get_server_id (self) <= 0)
    return;

  input = g_new0 (HistoryInput, 1);
  input->reader = sm_history_reader_ref (self->reader);
  input->server_id = get_server_id (self);
  input->interval = SM_CHECK_DEFAULT_INTERVAL;
  input->now = g_get_real_time () / G_USEC_PER_SEC;
  input->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      g_array_append_val (input->ids, entry->check->id);
      input->interval = MIN (input->interval, MAX (entry->check->interval, 1));
    }

  self->cancellable = g_cancellable_new ();
  self->n_pending++;
  task = g_task_new (NULL, self->cancellable, history_done_cb, caller_new (self));
  g_task_set_source_tag (task, query_history);
  g_task_set_task_data (task, input, (GDestroyNotify) history_input_free);
  g_task_run_in_thread (task, history_thread);
}

static gboolean
history_timeout_cb (gpointer user_data)
{
  SmChecksPage *self = user_data;

  self->history_id = 0;
  query_history (self);

  return G_SOURCE_REMOVE;
}

/* Scheduler */

static void
check_finished_cb (SmChecksPage *self,
                   SmServer     *server,
                   gpointer      check_ptr,
                   gpointer      result_ptr)
{
  const SmCheck *check = check_ptr;
  const SmCheckResult *result = result_ptr;
  Entry *entry;

  if (server == NULL || self->server == NULL ||
      sm_server_get_id (server) != sm_server_get_id (self->server))
    return;

  entry = find_entry (self, check->id);
  if (entry == NULL)
    return;

  g_clear_pointer (&entry->result, sm_check_result_free);
  entry->result = sm_check_result_copy (result);
  entry->running = FALSE;

  /* The line grows at once; the history catches up a little later. */
  if (!isnan (result->timing.total_ms))
    {
      if (entry->latency == NULL)
        entry->latency = sm_series_new ("latency_ms", SM_TIER_RAW, MAX (check->interval, 1));
      sm_series_append_value (entry->latency, result->time_us / G_USEC_PER_SEC,
                              result->timing.total_ms);
    }

  update_entry (self, entry);

  if (self->reader != NULL && self->history_id == 0)
    self->history_id = g_timeout_add (HISTORY_DELAY_MS, history_timeout_cb, self);
}

static void
checks_changed_cb (SmChecksPage *self,
                   gint64        server_id)
{
  if (server_id == get_server_id (self))
    sm_checks_page_reload (self);
}

/* Actions */

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  open_dialog (SM_CHECKS_PAGE (widget), NULL);
}

/* GObject */

static void
sm_checks_page_dispose (GObject *object)
{
  SmChecksPage *self = SM_CHECKS_PAGE (object);

  g_clear_handle_id (&self->history_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->scheduler != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->scheduler, check_finished_cb, self);
      g_signal_handlers_disconnect_by_func (self->scheduler, checks_changed_cb, self);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_CHECKS_PAGE);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->numbers_group);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->store);
  g_clear_object (&self->server);
  g_clear_pointer (&self->reader, sm_history_reader_unref);
  g_clear_pointer (&self->ping_reason, g_free);

  G_OBJECT_CLASS (sm_checks_page_parent_class)->dispose (object);
}

static void
sm_checks_page_class_init (SmChecksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_checks_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-checks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SmChecksPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SmChecksPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SmChecksPage, checks_group);

  gtk_widget_class_install_action (widget_class, "checks.add", NULL, add_activated);
}

static void
sm_checks_page_init (SmChecksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->numbers_group = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);
  update_actions (self);
}

GtkWidget *
sm_checks_page_new (void)
{
  return g_object_new (SM_TYPE_CHECKS_PAGE, NULL);
}

void
sm_checks_page_set_store (SmChecksPage *self,
                          SmStore      *store)
{
  g_return_if_fail (SM_IS_CHECKS_PAGE (self));
  g_return_if_fail (store == NULL || SM_IS_STORE (store));

  if (g_set_object (&self->store, store))
    sm_checks_page_reload (self);
}

SmCheckScheduler *
sm_checks_page_get_scheduler (SmChecksPage *self)
{
  g_return_val_if_fail (SM_IS_CHECKS_PAGE (self), NULL);

  return self->scheduler;
}

void
sm_checks_page_set_scheduler (SmChecksPage     *self,
                              SmCheckScheduler *scheduler)
{
  g_return_if_fail (SM_IS_CHECKS_PAGE (self));
  g_return_if_fail (scheduler == NULL || SM_IS_CHECK_SCHEDULER (scheduler));

  if (self->scheduler == scheduler)
    return;

  if (self->scheduler != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->scheduler, check_finished_cb, self);
      g_signal_handlers_disconnect_by_func (self->scheduler, checks_changed_cb, self);
    }
  g_set_object (&self->scheduler, scheduler);
  if (self->scheduler != NULL)
    {
      g_signal_connect_object (self->scheduler, "check-finished",
                               G_CALLBACK (check_finished_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->scheduler, "checks-changed",
                               G_CALLBACK (checks_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }

  for (guint i = 0; i < self->entries->len; i++)
    update_entry (self, g_ptr_array_index (self->entries, i));
}

void
sm_checks_page_set_server (SmChecksPage *self,
                           SmServer     *server)
{
  g_return_if_fail (SM_IS_CHECKS_PAGE (self));
  g_return_if_fail (server == NULL || SM_IS_SERVER (server));

  if (g_set_object (&self->server, server))
    sm_checks_page_reload (self);
}

void
sm_checks_page_set_history_reader (SmChecksPage    *self,
                                   SmHistoryReader *reader)
{
  g_return_if_fail (SM_IS_CHECKS_PAGE (self));

  if (self->reader == reader)
    return;

  g_clear_pointer (&self->reader, sm_history_reader_unref);
  if (reader != NULL)
    self->reader = sm_history_reader_ref (reader);
  query_history (self);
}

void
sm_checks_page_reload (SmChecksPage *self)
{
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GError) error = NULL;
  gboolean has_ping = FALSE;

  g_return_if_fail (SM_IS_CHECKS_PAGE (self));

  clear_rows (self);
  update_actions (self);

  if (self->store != NULL && get_server_id (self) > 0)
    {
      checks = sm_store_list_checks (self->store, get_server_id (self), &error);
      if (checks == NULL)
        g_warning ("Could not list the checks: %s", error->message);
    }

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    has_ping |= ((SmCheck *) g_ptr_array_index (checks, i))->type == SM_CHECK_PING;

  g_clear_pointer (&self->ping_reason, g_free);
  if (has_ping && !sm_ping_is_available (G_SOCKET_FAMILY_IPV4, &self->ping_reason) &&
      self->ping_reason == NULL)
    self->ping_reason = g_strdup (_("Ping is not available here; use a TCP check instead."));

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      SmCheck *check = sm_check_copy (g_ptr_array_index (checks, i));
      g_autoptr(GError) result_error = NULL;
      Entry *entry;

      entry = make_entry (self, check);
      entry->result = sm_store_get_check_result (self->store, check->id, &result_error);
      g_ptr_array_add (self->entries, entry);
      adw_preferences_group_add (self->checks_group, GTK_WIDGET (entry->row));
      update_entry (self, entry);
    }

  gtk_stack_set_visible_child_name (self->stack, self->entries->len > 0 ? "list" : "empty");
  query_history (self);
}

/* Test accessors */

guint
_sm_checks_page_get_n_rows (SmChecksPage *self)
{
  return self->entries->len;
}

AdwActionRow *
_sm_checks_page_get_row (SmChecksPage *self,
                         gint64        check_id)
{
  Entry *entry = find_entry (self, check_id);

  return entry != NULL ? entry->row : NULL;
}

static Entry *
row_entry (AdwActionRow *row)
{
  Entry *entry = g_object_get_data (G_OBJECT (row), "sm-entry");

  g_assert (entry != NULL);
  return entry;
}

GtkLabel *
_sm_checks_page_row_get_latency (AdwActionRow *row)
{
  return row_entry (row)->latency_label;
}

GtkLabel *
_sm_checks_page_row_get_uptime (AdwActionRow *row)
{
  return row_entry (row)->uptime_label;
}

GtkImage *
_sm_checks_page_row_get_icon (AdwActionRow *row)
{
  return row_entry (row)->icon;
}

GtkWidget *
_sm_checks_page_row_get_sparkline (AdwActionRow *row)
{
  return GTK_WIDGET (row_entry (row)->sparkline);
}

GtkWidget *
_sm_checks_page_row_get_run_button (AdwActionRow *row)
{
  return row_entry (row)->run_button;
}

GtkWidget *
_sm_checks_page_get_empty_page (SmChecksPage *self)
{
  return self->empty_page;
}

SmCheckDialog *
_sm_checks_page_open_dialog (SmChecksPage *self,
                             gint64        check_id)
{
  Entry *entry = check_id > 0 ? find_entry (self, check_id) : NULL;

  return open_dialog (self, entry != NULL ? entry->check : NULL);
}

guint
_sm_checks_page_get_n_pending (SmChecksPage *self)
{
  return self->n_pending;
}
