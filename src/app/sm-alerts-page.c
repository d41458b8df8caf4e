/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alerts-page.c: the open alerts and the alert history. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sm-alert-timeline.h"
#include "sm-alerts-page.h"
#include "sm-alerts-page-private.h"
#include "sm-series.h"
#include "sm-server.h"

#define DEFAULT_HISTORY_LIMIT 500

/* The range drop-down's items, in order. */
static const gint64 range_seconds[] = {
  24 * 3600,
  7 * 24 * 3600,
  30 * 24 * 3600,
  0,                /* all */
};

/* The acknowledgement expiry combo's items, in order. */
static const gint64 expiry_seconds[] = {
  0,                /* never */
  3600,
  4 * 3600,
  24 * 3600,
};

struct _SmAlertsPage
{
  AdwBin            parent_instance;

  /* Template widgets */
  AdwToastOverlay  *toast_overlay;
  AdwViewStack     *view_stack;
  GtkStack         *active_stack;
  GtkListBox       *active_list;
  GtkDropDown      *server_dropdown;
  GtkStringList    *server_names;
  GtkDropDown      *severity_dropdown;
  GtkDropDown      *range_dropdown;
  GtkWidget        *timeline_box;
  SmAlertTimeline  *timeline;
  GtkLabel         *timeline_start_label;
  GtkStack         *history_stack;
  GtkListBox       *history_list;
  GtkLabel         *capped_label;
  GtkWidget        *switcher_bar;

  /* Owned references */
  SmStore          *store;
  SmAlertManager   *manager;
  GListModel       *servers;
  GArray           *server_ids;    /* gint64, parallel to server_names; 0: all */
  GPtrArray        *since_labels;  /* GtkLabel of the active rows */

  /* Unowned */
  AdwMessageDialog *ack_dialog;    /* weak */
  GtkEditable      *ack_comment;   /* inside ack_dialog */
  AdwComboRow      *ack_expiry;    /* inside ack_dialog */

  guint             minute_id;
  guint             history_limit;
  gboolean          history_dirty;
  gboolean          updating_servers;
};

G_DEFINE_FINAL_TYPE (SmAlertsPage, sm_alerts_page, ADW_TYPE_BIN)

/* Helpers */

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
show_error (SmAlertsPage *self,
            const char   *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
remove_all_rows (GtkListBox *list_box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list_box))) != NULL)
    gtk_list_box_remove (list_box, child);
}

static const char *
state_label (SmAlertState state)
{
  switch (state)
    {
    case SM_ALERT_STATE_INACTIVE:
      return C_("alert state", "Inactive");
    case SM_ALERT_STATE_PENDING:
      return C_("alert state", "Pending");
    case SM_ALERT_STATE_FIRING:
      return C_("alert state", "Firing");
    case SM_ALERT_STATE_ACKNOWLEDGED:
      return C_("alert state", "Acknowledged");
    case SM_ALERT_STATE_RESOLVED:
      return C_("alert state", "Resolved");
    default:
      g_assert_not_reached ();
    }
}

static const char *
severity_label (SmSeverity severity)
{
  return severity == SM_SEVERITY_CRITICAL ? _("Critical") : _("Warning");
}

static GtkWidget *
severity_icon (SmSeverity severity)
{
  gboolean critical = severity == SM_SEVERITY_CRITICAL;
  GtkWidget *icon = gtk_image_new_from_icon_name (critical ? "dialog-error-symbolic"
                                                           : "dialog-warning-symbolic");

  gtk_widget_add_css_class (icon, critical ? "error" : "warning");
  gtk_widget_set_tooltip_text (icon, severity_label (severity));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, severity_label (severity),
                                  -1);

  return icon;
}

/* "42 %" for a metric; NULL for a state target or no value. */
static char *
format_target_value (const char *target,
                     double      value)
{
  if (isnan (value) || target == NULL || g_str_has_prefix (target, "state."))
    return NULL;

  return sm_format_value (value, sm_metric_get_unit (target));
}

static char *
format_relative (gint64 then,
                 gint64 now)
{
  gint64 seconds = MAX (0, now - then);
  int n;

  if (seconds < 60)
    return g_strdup (_("Just now"));

  if (seconds < 3600)
    {
      n = seconds / 60;
      /* Translators: how long ago an alert started, in minutes. */
      return g_strdup_printf (ngettext ("%d min ago", "%d min ago", n), n);
    }

  if (seconds < 2 * 86400)
    {
      n = seconds / 3600;
      /* Translators: how long ago an alert started, in hours. */
      return g_strdup_printf (ngettext ("%d hour ago", "%d hours ago", n), n);
    }

  n = seconds / 86400;
  /* Translators: how long ago an alert started, in days. */
  return g_strdup_printf (ngettext ("%d day ago", "%d days ago", n), n);
}

static char *
format_exact (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t);

  /* Translators: an exact date and time (strftime format). */
  return g_date_time_format (dt, _("%a %b %-d %Y, %H:%M:%S"));
}

static char *
format_short_time (gint64 t,
                   gint64 now)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t);
  g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now);

  if (g_date_time_get_year (dt) == g_date_time_get_year (today) &&
      g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (today))
    /* Translators: a time of today (strftime format). */
    return g_date_time_format (dt, _("%H:%M"));

  /* Translators: a day and time (strftime format). */
  return g_date_time_format (dt, _("%b %-d, %H:%M"));
}

static char *
format_duration (gint64 seconds)
{
  gint64 minutes = MAX (0, seconds) / 60;

  if (seconds < 60)
    /* Translators: a duration in seconds. */
    return g_strdup_printf (_("%d s"), (int) MAX (0, seconds));
  if (minutes < 60)
    /* Translators: a duration in minutes. */
    return g_strdup_printf (_("%d min"), (int) minutes);
  if (minutes < 24 * 60 && minutes % 60 == 0)
    /* Translators: a duration in hours. */
    return g_strdup_printf (_("%d h"), (int) (minutes / 60));
  if (minutes < 24 * 60)
    /* Translators: a duration in hours and minutes. */
    return g_strdup_printf (_("%d h %d min"), (int) (minutes / 60), (int) (minutes % 60));

  /* Translators: a duration in days and hours. */
  return g_strdup_printf (_("%d d %d h"), (int) (minutes / (24 * 60)), (int) (minutes / 60 % 24));
}

static void
add_held_reasons (GPtrArray   *parts,
                  SmAlertHeld  held)
{
  if (held & SM_ALERT_HELD_PARENT_DOWN)
    g_ptr_array_add (parts, g_strdup (_("Muted: parent down")));
  if (held & SM_ALERT_HELD_MAINTENANCE)
    g_ptr_array_add (parts, g_strdup (_("Maintenance")));
  if (held & SM_ALERT_HELD_QUIET_HOURS)
    g_ptr_array_add (parts, g_strdup (_("Quiet hours")));
  if (held & SM_ALERT_HELD_FLAPPING)
    g_ptr_array_add (parts, g_strdup (_("Flapping")));
  if (held & SM_ALERT_HELD_OFF_HOURS)
    g_ptr_array_add (parts, g_strdup (_("Outside business hours")));
}

static char *
join_parts (GPtrArray *parts)
{
  g_ptr_array_add (parts, NULL);

  /* Translators: separates the parts of a row's subtitle. */
  return g_strjoinv (_(" · "), (char **) parts->pdata);
}

/* Active alerts */

static void
update_since_labels (SmAlertsPage *self)
{
  gint64 now = now_seconds ();

  for (guint i = 0; i < self->since_labels->len; i++)
    {
      GtkLabel *label = g_ptr_array_index (self->since_labels, i);
      gint64 *since = g_object_get_data (G_OBJECT (label), "sm-since");
      g_autofree char *text = format_relative (*since, now);

      gtk_label_set_label (label, text);
    }
}

static gint64
widget_alert_id (GtkWidget *widget)
{
  gint64 *id = g_object_get_data (G_OBJECT (widget), "sm-alert-id");

  g_assert (id != NULL);

  return *id;
}

static void
ack_response_cb (SmAlertsPage     *self,
                 const char       *response,
                 AdwMessageDialog *dialog)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *comment = NULL;
  gint64 expires_at = 0;
  guint expiry;

  if (g_strcmp0 (response, "acknowledge") != 0 || self->manager == NULL)
    return;

  comment = g_strstrip (g_strdup (gtk_editable_get_text (self->ack_comment)));
  expiry = adw_combo_row_get_selected (self->ack_expiry);
  if (expiry < G_N_ELEMENTS (expiry_seconds) && expiry_seconds[expiry] > 0)
    expires_at = now_seconds () + expiry_seconds[expiry];

  if (!sm_alert_manager_acknowledge (self->manager,
                                     widget_alert_id (GTK_WIDGET (dialog)),
                                     comment[0] != '\0' ? comment : NULL,
                                     expires_at,
                                     &error))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is an error message. */
      message = g_strdup_printf (_("Could not acknowledge the alert: %s"), error->message);
      show_error (self, message);
    }
}

static void
ack_clicked_cb (SmAlertsPage *self,
                GtkButton    *button)
{
  const char *title = g_object_get_data (G_OBJECT (button), "sm-title");
  const char *server = g_object_get_data (G_OBJECT (button), "sm-server");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkStringList) expiries = NULL;
  GtkWidget *dialog;
  GtkWidget *list;
  GtkWidget *comment;
  GtkWidget *expiry;

  if (self->ack_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->ack_dialog));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Acknowledge Alert?"), NULL);
  /* Translators: the first %s is an alert title, the second a server name. */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” on %s stays open, but no more notifications are sent for it until it resolves or the acknowledgement expires."),
                                  title, server);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  comment = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (comment), _("Comment (Optional)"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (comment), TRUE);
  gtk_list_box_append (GTK_LIST_BOX (list), comment);

  expiries = gtk_string_list_new (NULL);
  gtk_string_list_append (expiries, C_("acknowledgement expires", "Never"));
  gtk_string_list_append (expiries, _("After 1 Hour"));
  gtk_string_list_append (expiries, _("After 4 Hours"));
  gtk_string_list_append (expiries, _("After 24 Hours"));
  expiry = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expiry), _("Expires"));
  adw_combo_row_set_model (ADW_COMBO_ROW (expiry), G_LIST_MODEL (expiries));
  gtk_list_box_append (GTK_LIST_BOX (list), expiry);

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "acknowledge", _("_Acknowledge"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "acknowledge",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "acknowledge");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "sm-alert-id",
                          g_memdup2 (g_object_get_data (G_OBJECT (button), "sm-alert-id"),
                                     sizeof (gint64)),
                          g_free);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (ack_response_cb), self,
                           G_CONNECT_SWAPPED);

  self->ack_dialog = ADW_MESSAGE_DIALOG (dialog);
  self->ack_comment = GTK_EDITABLE (comment);
  self->ack_expiry = ADW_COMBO_ROW (expiry);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->ack_dialog);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
resolve_clicked_cb (SmAlertsPage *self,
                    GtkButton    *button)
{
  g_autoptr(GError) error = NULL;

  if (self->manager == NULL)
    return;

  if (!sm_alert_manager_resolve (self->manager, widget_alert_id (GTK_WIDGET (button)), &error))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is an error message. */
      message = g_strdup_printf (_("Could not resolve the alert: %s"), error->message);
      show_error (self, message);
    }
}

static void
set_alert_data (GObject           *object,
                const SmAlertInfo *info)
{
  g_object_set_data_full (object, "sm-alert-id",
                          g_memdup2 (&info->alert_id, sizeof info->alert_id), g_free);
}

/* Acknowledge is only offered while the alert fires. */
static GtkWidget *
create_button (SmAlertsPage      *self,
               const SmAlertInfo *info,
               const char        *server_name,
               const char        *label,
               const char        *icon_name,
               GCallback          callback)
{
  GtkWidget *button;

  if (icon_name != NULL)
    {
      button = gtk_button_new_from_icon_name (icon_name);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
    }
  else
    {
      button = gtk_button_new_with_label (label);
    }

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (callback == G_CALLBACK (ack_clicked_cb))
    gtk_widget_set_visible (button, info->state == SM_ALERT_STATE_FIRING);
  set_alert_data (G_OBJECT (button), info);
  g_object_set_data_full (G_OBJECT (button), "sm-title", g_strdup (info->title), g_free);
  g_object_set_data_full (G_OBJECT (button), "sm-server", g_strdup (server_name), g_free);
  g_signal_connect_object (button, "clicked", callback, self, G_CONNECT_SWAPPED);

  return button;
}

/* The alert's server name as listed now (it may have been renamed, and an
 * alert restored from the store may not know it), else its own. */
static const char *
alert_server_name (SmAlertsPage      *self,
                   const SmAlertInfo *info)
{
  gint64 id;
  guint n;

  id = info->server_id != NULL ? g_ascii_strtoll (info->server_id, NULL, 10) : 0;
  n = self->servers != NULL ? g_list_model_get_n_items (self->servers) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SmServer) server = g_list_model_get_item (self->servers, i);

      /* The list keeps the server and its name alive. */
      if (sm_server_get_id (server) == id)
        return sm_server_get_name (server);
    }

  if (info->server_name != NULL)
    return info->server_name;

  return info->server_id != NULL ? info->server_id : "";
}

static GtkWidget *
create_active_row (SmAlertsPage      *self,
                   const SmAlertInfo *info,
                   gint64             now)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *subtitle = NULL;
  g_autofree char *value = NULL;
  g_autofree char *since_text = NULL;
  g_autofree char *since_exact = NULL;
  g_autofree char *since_tooltip = NULL;
  const char *server_name = alert_server_name (self, info);
  GtkWidget *row;
  GtkWidget *icon;
  GtkWidget *state;
  GtkWidget *since;
  GtkWidget *ack;
  GtkWidget *resolve;
  GtkWidget *squeezer;
  GtkWidget *wide;
  GtkWidget *narrow;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->title);
  icon = severity_icon (info->severity);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (row, "alert-row");
  set_alert_data (G_OBJECT (row), info);

  g_ptr_array_add (parts, g_strdup (server_name));
  value = format_target_value (info->target, info->value);
  if (value != NULL)
    /* Translators: %s is a value with its unit ("93 %"). */
    g_ptr_array_add (parts, g_strdup_printf (_("Last value %s"), value));
  add_held_reasons (parts, info->held);
  if (info->state == SM_ALERT_STATE_ACKNOWLEDGED && info->ack_expires > 0)
    {
      g_autofree char *until = format_short_time (info->ack_expires, now);

      /* Translators: %s is a time. */
      g_ptr_array_add (parts, g_strdup_printf (_("Acknowledged until %s"), until));
    }
  if (info->state == SM_ALERT_STATE_ACKNOWLEDGED && info->ack_comment != NULL)
    /* Translators: %s is the comment given when the alert was acknowledged. */
    g_ptr_array_add (parts, g_strdup_printf (_("“%s”"), info->ack_comment));
  subtitle = join_parts (parts);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);

  since_text = format_relative (info->since, now);
  since_exact = format_exact (info->since);
  /* Translators: %s is an exact date and time. */
  since_tooltip = g_strdup_printf (_("Since %s"), since_exact);
  since = gtk_label_new (since_text);
  gtk_widget_set_tooltip_text (since, since_tooltip);
  gtk_widget_add_css_class (since, "dim-label");
  gtk_widget_add_css_class (since, "numeric");
  g_object_set_data_full (G_OBJECT (since), "sm-since",
                          g_memdup2 (&info->since, sizeof info->since), g_free);
  g_ptr_array_add (self->since_labels, since);

  state = gtk_label_new (state_label (info->state));
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (state, "alert-state");
  gtk_widget_add_css_class (state, sm_alert_state_to_string (info->state));
  if (info->state == SM_ALERT_STATE_FIRING)
    gtk_widget_add_css_class (state, info->severity == SM_SEVERITY_CRITICAL ? "critical" : "warning");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);

  /* Labelled buttons and the time, or icon buttons when narrow. */
  squeezer = adw_squeezer_new ();
  adw_squeezer_set_transition_type (ADW_SQUEEZER (squeezer), ADW_SQUEEZER_TRANSITION_TYPE_NONE);
  adw_squeezer_set_xalign (ADW_SQUEEZER (squeezer), 1);
  gtk_widget_set_valign (squeezer, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), squeezer);

  wide = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (wide, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (wide), since);
  gtk_widget_set_margin_end (since, 6);
  ack = create_button (self, info, server_name, _("Acknowledge"), NULL, G_CALLBACK (ack_clicked_cb));
  gtk_box_append (GTK_BOX (wide), ack);
  resolve = create_button (self, info, server_name, _("Resolve"), NULL, G_CALLBACK (resolve_clicked_cb));
  gtk_box_append (GTK_BOX (wide), resolve);
  adw_squeezer_add (ADW_SQUEEZER (squeezer), wide);

  narrow = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (narrow, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (narrow),
                  create_button (self, info, server_name, _("Acknowledge"), "notifications-disabled-symbolic",
                                 G_CALLBACK (ack_clicked_cb)));
  gtk_box_append (GTK_BOX (narrow),
                  create_button (self, info, server_name, _("Resolve"), "object-select-symbolic",
                                 G_CALLBACK (resolve_clicked_cb)));
  adw_squeezer_add (ADW_SQUEEZER (squeezer), narrow);

  g_object_set_data (G_OBJECT (row), "sm-severity-icon", icon);
  g_object_set_data (G_OBJECT (row), "sm-state-label", state);
  g_object_set_data (G_OBJECT (row), "sm-since-label", since);
  g_object_set_data (G_OBJECT (row), "sm-ack-button", ack);
  g_object_set_data (G_OBJECT (row), "sm-resolve-button", resolve);

  return row;
}

static void
reload_active (SmAlertsPage *self)
{
  g_autoptr(GPtrArray) alerts = NULL;
  gint64 now = now_seconds ();

  g_ptr_array_set_size (self->since_labels, 0);
  remove_all_rows (self->active_list);

  if (self->manager != NULL)
    alerts = sm_alert_manager_list_active (self->manager);

  for (guint i = 0; alerts != NULL && i < alerts->len; i++)
    gtk_list_box_append (self->active_list,
                         create_active_row (self, g_ptr_array_index (alerts, i), now));

  gtk_stack_set_visible_child_name (self->active_stack,
                                    alerts != NULL && alerts->len > 0 ? "list" : "empty");
  /* The same count as the sidebar's badge: firing and acknowledged. */
  adw_view_stack_page_set_badge_number (adw_view_stack_get_page (self->view_stack,
                                                                 GTK_WIDGET (self->active_stack)),
                                        self->manager != NULL ? sm_alert_manager_count_active (self->manager) : 0);
}

/* History */

static char *
transition_text (const SmAlertEventRow *event)
{
  switch (event->kind)
    {
    case SM_ALERT_EVENT_TRANSITION:
      /* Translators: an alert's change of state, "Firing → Resolved". */
      return g_strdup_printf (_("%s → %s"), state_label (event->from), state_label (event->to));
    case SM_ALERT_EVENT_FLAPPING_STARTED:
      return g_strdup (_("Started flapping"));
    case SM_ALERT_EVENT_FLAPPING_STOPPED:
      return g_strdup (_("Stopped flapping"));
    case SM_ALERT_EVENT_ESCALATED:
      return g_strdup (_("Escalated"));
    case SM_ALERT_EVENT_GAP:
    default:
      return NULL;
    }
}

static GtkWidget *
create_history_row (const SmAlertEventRow *event,
                    gint64                 now)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *subtitle = NULL;
  g_autofree char *time_text = NULL;
  g_autofree char *time_exact = NULL;
  GtkWidget *row;
  GtkWidget *time_label;
  GtkWidget *icon;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  if (event->kind == SM_ALERT_EVENT_GAP)
    {
      gint64 end = MAX (event->end_time, event->time);
      g_autofree char *duration = format_duration (end - event->time);

      icon = gtk_image_new_from_icon_name ("network-offline-symbolic");
      gtk_widget_add_css_class (icon, "dim-label");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Monitoring Gap"));
      /* Translators: %s is a duration ("12 min"). */
      g_ptr_array_add (parts, g_strdup_printf (_("No data for %s"), duration));
      gtk_widget_add_css_class (row, "gap-row");
    }
  else
    {
      g_autofree char *value = format_target_value (event->target, event->value);
      char *transition = transition_text (event);

      icon = severity_icon (event->severity);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     event->title != NULL ? event->title : "");
      g_ptr_array_add (parts, g_strdup (event->server_name != NULL ? event->server_name
                                                                  : _("Deleted server")));
      if (transition != NULL)
        g_ptr_array_add (parts, transition);
      if (value != NULL)
        g_ptr_array_add (parts, g_steal_pointer (&value));
      add_held_reasons (parts, event->held);
    }

  /* The engine's own words (English) repeat the rest: a tooltip. */
  if (event->message != NULL && event->message[0] != '\0')
    gtk_widget_set_tooltip_text (row, event->message);

  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  subtitle = join_parts (parts);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  time_text = format_short_time (event->time, now);
  time_exact = format_exact (event->time);
  time_label = gtk_label_new (time_text);
  gtk_widget_set_tooltip_text (time_label, time_exact);
  gtk_widget_add_css_class (time_label, "dim-label");
  gtk_widget_add_css_class (time_label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), time_label);

  return row;
}

static gint64
selected_server_id (SmAlertsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->server_dropdown);

  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->server_ids->len)
    return 0;

  return g_array_index (self->server_ids, gint64, selected);
}

static void
reload_history (SmAlertsPage *self)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  SmAlertEventFilter filter;
  gint64 now = now_seconds ();
  guint severity = gtk_drop_down_get_selected (self->severity_dropdown);
  guint range = gtk_drop_down_get_selected (self->range_dropdown);
  gint64 server_id = selected_server_id (self);
  gboolean capped = FALSE;

  self->history_dirty = FALSE;
  remove_all_rows (self->history_list);

  if (self->store == NULL)
    {
      gtk_stack_set_visible_child_name (self->history_stack, "empty");
      gtk_widget_set_visible (self->timeline_box, FALSE);
      return;
    }

  sm_alert_event_filter_init (&filter);
  filter.server_id = server_id;
  filter.severity = severity == 1 ? SM_SEVERITY_WARNING : severity == 2 ? SM_SEVERITY_CRITICAL : -1;
  if (range < G_N_ELEMENTS (range_seconds) && range_seconds[range] > 0)
    filter.since = now - range_seconds[range];
  /* Gaps belong to no server or severity: they show unless a severity is chosen. */
  filter.include_gaps = filter.severity < 0;
  /* One more than shown tells whether there are more. */
  filter.limit = self->history_limit + 1;

  events = sm_store_list_alert_events (self->store, &filter, &error);
  if (events == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is an error message. */
      message = g_strdup_printf (_("Could not read the alert history: %s"), error->message);
      show_error (self, message);
      events = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_event_row_free);
    }

  if (events->len > self->history_limit)
    {
      capped = TRUE;
      g_ptr_array_set_size (events, self->history_limit);
    }

  for (guint i = 0; i < events->len; i++)
    {
      const SmAlertEventRow *event = g_ptr_array_index (events, i);
      GtkWidget *row = create_history_row (event, now);

      g_object_set_data (G_OBJECT (row), "sm-event", (gpointer) event);
      gtk_list_box_append (self->history_list, row);
    }
  /* The rows point at the events: they live as long as the list does. */
  g_object_set_data_full (G_OBJECT (self->history_list), "sm-events",
                          g_ptr_array_ref (events), (GDestroyNotify) g_ptr_array_unref);

  gtk_widget_set_visible (GTK_WIDGET (self->capped_label), capped);
  if (capped)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (ngettext ("Showing the newest %u event. Narrow the filter to see older ones.",
                                        "Showing the newest %u events. Narrow the filter to see older ones.",
                                        self->history_limit),
                              self->history_limit);
      gtk_label_set_label (self->capped_label, text);
    }

  gtk_stack_set_visible_child_name (self->history_stack, events->len > 0 ? "list" : "empty");

  /* One server: its episodes over the range. */
  gtk_widget_set_visible (self->timeline_box, server_id != 0);
  if (server_id != 0)
    {
      gint64 start = filter.since;
      g_autofree char *start_text = NULL;

      if (start == 0)
        {
          start = now - range_seconds[0];
          for (guint i = 0; i < events->len; i++)
            start = MIN (start, ((SmAlertEventRow *) g_ptr_array_index (events, i))->time);
        }
      start = MIN (start, now - 60);

      sm_alert_timeline_set_events (self->timeline, events, start, now);
      start_text = format_short_time (start, now);
      gtk_label_set_label (self->timeline_start_label, start_text);
    }
}

static void
queue_history (SmAlertsPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    reload_history (self);
  else
    self->history_dirty = TRUE;
}

static void
filter_changed_cb (SmAlertsPage *self)
{
  /* Template set-up and rebuilding the server list change it too. */
  if (self->server_ids == NULL || self->updating_servers)
    return;

  reload_history (self);
}

static void
rebuild_servers (SmAlertsPage *self)
{
  gint64 selected_id = selected_server_id (self);
  guint n = self->servers != NULL ? g_list_model_get_n_items (self->servers) : 0;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->server_names));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint selected = 0;
  gint64 all = 0;

  g_array_set_size (self->server_ids, 0);
  g_array_append_val (self->server_ids, all);
  g_ptr_array_add (names, g_strdup (_("All Servers")));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SmServer) server = g_list_model_get_item (self->servers, i);
      gint64 id = sm_server_get_id (server);

      if (id == selected_id)
        selected = self->server_ids->len;
      g_array_append_val (self->server_ids, id);
      g_ptr_array_add (names, g_strdup (sm_server_get_name (server)));
    }
  g_ptr_array_add (names, NULL);

  self->updating_servers = TRUE;
  gtk_string_list_splice (self->server_names, 0, n_old, (const char * const *) names->pdata);
  gtk_drop_down_set_selected (self->server_dropdown, selected);
  self->updating_servers = FALSE;

  /* The chosen server went: show every server's history. */
  if (selected_id != 0 && selected == 0)
    queue_history (self);
}

static void
servers_changed_cb (SmAlertsPage *self)
{
  rebuild_servers (self);
  /* A renamed server is a replaced item: its alerts show the new name. */
  reload_active (self);
}

static void
manager_changed_cb (SmAlertsPage *self)
{
  reload_active (self);
  queue_history (self);
}

static gboolean
minute_cb (gpointer user_data)
{
  SmAlertsPage *self = user_data;

  update_since_labels (self);

  return G_SOURCE_CONTINUE;
}

/* GtkWidget */

static void
sm_alerts_page_map (GtkWidget *widget)
{
  SmAlertsPage *self = SM_ALERTS_PAGE (widget);

  GTK_WIDGET_CLASS (sm_alerts_page_parent_class)->map (widget);

  if (self->history_dirty)
    reload_history (self);
  update_since_labels (self);
  if (self->minute_id == 0)
    self->minute_id = g_timeout_add_seconds (60, minute_cb, self);
}

static void
sm_alerts_page_unmap (GtkWidget *widget)
{
  SmAlertsPage *self = SM_ALERTS_PAGE (widget);

  g_clear_handle_id (&self->minute_id, g_source_remove);

  GTK_WIDGET_CLASS (sm_alerts_page_parent_class)->unmap (widget);
}

/* GObject */

static void
sm_alerts_page_dispose (GObject *object)
{
  SmAlertsPage *self = SM_ALERTS_PAGE (object);

  g_clear_handle_id (&self->minute_id, g_source_remove);

  if (self->ack_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->ack_dialog), (gpointer *) &self->ack_dialog);
      gtk_window_destroy (GTK_WINDOW (self->ack_dialog));
      self->ack_dialog = NULL;
    }

  if (self->servers != NULL)
    g_signal_handlers_disconnect_by_func (self->servers, servers_changed_cb, self);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, manager_changed_cb, self);

  if (self->since_labels != NULL)
    g_ptr_array_set_size (self->since_labels, 0);

  /* The toast overlay is a template child and the bin's child: let the bin drop it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_ALERTS_PAGE);

  g_clear_object (&self->manager);
  g_clear_object (&self->store);
  g_clear_object (&self->servers);
  g_clear_pointer (&self->server_ids, g_array_unref);
  g_clear_pointer (&self->since_labels, g_ptr_array_unref);

  G_OBJECT_CLASS (sm_alerts_page_parent_class)->dispose (object);
}

static void
sm_alerts_page_class_init (SmAlertsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_alerts_page_dispose;

  widget_class->map = sm_alerts_page_map;
  widget_class->unmap = sm_alerts_page_unmap;

  g_type_ensure (SM_TYPE_ALERT_TIMELINE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-alerts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, active_stack);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, active_list);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, server_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, server_names);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, severity_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, range_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, timeline_box);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, timeline);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, timeline_start_label);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, history_stack);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, history_list);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, capped_label);
  gtk_widget_class_bind_template_child (widget_class, SmAlertsPage, switcher_bar);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
}

static void
sm_alerts_page_init (SmAlertsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->history_limit = DEFAULT_HISTORY_LIMIT;
  self->since_labels = g_ptr_array_new ();
  self->server_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  rebuild_servers (self);
  reload_active (self);
  self->history_dirty = TRUE;
}

GtkWidget *
sm_alerts_page_new (void)
{
  return g_object_new (SM_TYPE_ALERTS_PAGE, NULL);
}

void
sm_alerts_page_set_store (SmAlertsPage *self,
                          SmStore      *store)
{
  g_return_if_fail (SM_IS_ALERTS_PAGE (self));
  g_return_if_fail (store == NULL || SM_IS_STORE (store));

  if (g_set_object (&self->store, store))
    queue_history (self);
}

void
sm_alerts_page_set_manager (SmAlertsPage   *self,
                            SmAlertManager *manager)
{
  g_return_if_fail (SM_IS_ALERTS_PAGE (self));
  g_return_if_fail (manager == NULL || SM_IS_ALERT_MANAGER (manager));

  if (self->manager == manager)
    return;

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, manager_changed_cb, self);

  g_set_object (&self->manager, manager);

  if (manager != NULL)
    g_signal_connect_object (manager, "changed",
                             G_CALLBACK (manager_changed_cb), self,
                             G_CONNECT_SWAPPED);

  manager_changed_cb (self);
}

void
sm_alerts_page_set_servers (SmAlertsPage *self,
                            GListModel   *servers)
{
  g_return_if_fail (SM_IS_ALERTS_PAGE (self));
  g_return_if_fail (servers == NULL || G_IS_LIST_MODEL (servers));

  if (self->servers == servers)
    return;

  if (self->servers != NULL)
    g_signal_handlers_disconnect_by_func (self->servers, servers_changed_cb, self);

  g_set_object (&self->servers, servers);

  if (servers != NULL)
    g_signal_connect_object (servers, "items-changed",
                             G_CALLBACK (servers_changed_cb), self,
                             G_CONNECT_SWAPPED);

  rebuild_servers (self);
}

void
sm_alerts_page_refresh (SmAlertsPage *self)
{
  g_return_if_fail (SM_IS_ALERTS_PAGE (self));

  reload_active (self);
  queue_history (self);
}

AdwViewStack *
sm_alerts_page_get_view_stack (SmAlertsPage *self)
{
  g_return_val_if_fail (SM_IS_ALERTS_PAGE (self), NULL);

  return self->view_stack;
}

GtkWidget *
sm_alerts_page_get_switcher_bar (SmAlertsPage *self)
{
  g_return_val_if_fail (SM_IS_ALERTS_PAGE (self), NULL);

  return self->switcher_bar;
}

/* Private accessors */

GtkListBox *
_sm_alerts_page_get_active_list (SmAlertsPage *self)
{
  return self->active_list;
}

GtkStack *
_sm_alerts_page_get_active_stack (SmAlertsPage *self)
{
  return self->active_stack;
}

GtkListBox *
_sm_alerts_page_get_history_list (SmAlertsPage *self)
{
  return self->history_list;
}

GtkStack *
_sm_alerts_page_get_history_stack (SmAlertsPage *self)
{
  return self->history_stack;
}

GtkDropDown *
_sm_alerts_page_get_server_dropdown (SmAlertsPage *self)
{
  return self->server_dropdown;
}

GtkDropDown *
_sm_alerts_page_get_severity_dropdown (SmAlertsPage *self)
{
  return self->severity_dropdown;
}

GtkDropDown *
_sm_alerts_page_get_range_dropdown (SmAlertsPage *self)
{
  return self->range_dropdown;
}

SmAlertTimeline *
_sm_alerts_page_get_timeline (SmAlertsPage *self)
{
  return self->timeline;
}

GtkLabel *
_sm_alerts_page_get_capped_label (SmAlertsPage *self)
{
  return self->capped_label;
}

AdwMessageDialog *
_sm_alerts_page_get_ack_dialog (SmAlertsPage *self)
{
  return self->ack_dialog;
}

GtkEditable *
_sm_alerts_page_get_ack_comment (SmAlertsPage *self)
{
  return self->ack_dialog != NULL ? self->ack_comment : NULL;
}

AdwComboRow *
_sm_alerts_page_get_ack_expiry (SmAlertsPage *self)
{
  return self->ack_dialog != NULL ? self->ack_expiry : NULL;
}

void
_sm_alerts_page_set_history_limit (SmAlertsPage *self,
                                   guint         limit)
{
  self->history_limit = MAX (limit, 1);
  queue_history (self);
}
