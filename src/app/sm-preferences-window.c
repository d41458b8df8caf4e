/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-preferences-window.c: defaults for new servers, credentials, storage,
 * and the alert settings: channels, quiet hours, maintenance windows and
 * the rules that are not a server's own.
 *
 * Alert settings are written to the store at once, then the manager is
 * reloaded; its ::changed brings the lists up to date.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "sm-alert-store.h"
#include "sm-application.h"
#include "sm-channel-dialog.h"
#include "sm-history.h"
#include "sm-preferences-window.h"
#include "sm-preferences-window-private.h"
#include "sm-rules-list.h"

struct _SmPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwPreferencesGroup  *new_servers_group;
  GtkAdjustment        *interval_adjustment;
  GtkAdjustment        *port_adjustment;
  AdwEntryRow          *username_row;
  AdwActionRow         *key_row;
  GtkWidget            *key_icon;
  AdwActionRow         *data_dir_row;
  AdwActionRow         *database_row;
  GtkLabel             *database_size_label;
  GtkSwitch            *heartbeat_switch;
  AdwEntryRow          *heartbeat_address_row;
  GtkWidget            *heartbeat_port_row;
  GtkWidget            *report_key_row;
  GtkAdjustment        *heartbeat_port_adjustment;
  GtkAdjustment        *raw_retention_adjustment;
  GtkAdjustment        *minute_retention_adjustment;
  GtkAdjustment        *hour_retention_adjustment;
  AdwPreferencesPage   *alerts_page;
  AdwPreferencesGroup  *channels_group;
  AdwPreferencesGroup  *quiet_group;
  AdwPreferencesGroup  *maintenance_group;
  SmRulesList          *rules_list;

  /* Owned references */
  GCancellable         *cancellable;   /* the database size */
  SmStore              *store;
  SmAlertManager       *manager;
  GCancellable         *test_cancellable;
  GPtrArray            *channels;      /* SmChannel, as shown */
  GPtrArray            *windows;       /* SmAlertWindow, as shown */
  char                 *channels_shown;
  char                 *windows_shown;
  AdwMessageDialog     *window_dialog; /* the open quiet hours/maintenance editor */

  /* State */
  GPtrArray            *channel_rows;
  GPtrArray            *window_rows;
};

G_DEFINE_FINAL_TYPE (SmPreferencesWindow, sm_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
set_key_message (SmPreferencesWindow *self,
                 const char          *message,
                 gboolean             warning)
{
  adw_action_row_set_subtitle (self->key_row, message);
  gtk_widget_set_visible (self->key_icon, warning);
}

static void
update_credentials (SmPreferencesWindow *self,
                    SmStore             *store,
                    const GError        *vault_error)
{
  SmVault *vault = sm_store_get_vault (store);

  if (vault_error != NULL)
    {
      set_key_message (self, vault_error->message, TRUE);
      return;
    }

  if (vault == NULL)
    {
      set_key_message (self, _("Loading…"), FALSE);
      return;
    }

  if (sm_store_get_vault_state (store) == SM_VAULT_STATE_MISMATCH)
    {
      set_key_message (self,
                       _("The key does not match this database: stored passwords "
                         "cannot be decrypted. Enter them again."),
                       TRUE);
      return;
    }

  switch (sm_vault_get_backend (vault))
    {
    case SM_VAULT_BACKEND_KEYRING:
      set_key_message (self, _("Stored in your keyring (Secret Service)"), FALSE);
      break;

    case SM_VAULT_BACKEND_FILE:
      {
        g_autofree char *message = NULL;

        /* Translators: %s is the path of the key file. */
        message = g_strdup_printf (_("No keyring available. The encryption key is "
                                     "stored in %s, readable only by you. Anyone "
                                     "who can read your files can decrypt your "
                                     "stored passwords."),
                                   sm_vault_get_key_file (vault));
        set_key_message (self, message, TRUE);
      }
      break;

    case SM_VAULT_BACKEND_NONE:
    default:
      set_key_message (self, _("Kept in memory only"), FALSE);
      break;
    }
}

/* The database size is read on a worker: stat() on a slow disk must not
 * hold up the window. The callback holds only a weak reference. */
static void
disk_usage_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *path = task_data;

  g_task_return_pointer (task, g_format_size (sm_history_get_disk_usage (path)), g_free);
}

static void
disk_usage_done_cb (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(SmPreferencesWindow) self = g_weak_ref_get (weak);
  g_autofree char *size = g_task_propagate_pointer (G_TASK (result), NULL);

  g_weak_ref_clear (weak);
  g_free (weak);

  /* Cancelled when the window went: no size then. */
  if (self == NULL || size == NULL)
    return;

  gtk_label_set_label (self->database_size_label, size);
}

static void
query_disk_usage (SmPreferencesWindow *self,
                  const char          *path)
{
  g_autoptr(GTask) task = NULL;
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, self);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, disk_usage_done_cb, weak);
  g_task_set_source_tag (task, query_disk_usage);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, disk_usage_thread);
}

/* Alerts: shared helpers */

static void
reload_manager (SmPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->manager != NULL && !sm_alert_manager_reload (self->manager, &error))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (error->message));
}

static void
show_error_toast (SmPreferencesWindow *self,
                  const GError        *error)
{
  AdwToast *toast = adw_toast_new (error->message);

  adw_toast_set_timeout (toast, 0);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static GtkWidget *
create_icon_button (const char *icon_name,
                    const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static void
clear_group_rows (AdwPreferencesGroup *group,
                  GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static GtkWidget *
add_placeholder_row (AdwPreferencesGroup *group,
                     GPtrArray           *rows,
                     const char          *title)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (row, "dim-label");
  adw_preferences_group_add (group, row);
  g_ptr_array_add (rows, row);
  return row;
}

typedef void (*ConfirmFunc) (SmPreferencesWindow *self,
                             gint64               id);

static void
confirm_response_cb (AdwMessageDialog    *dialog,
                     const char          *response,
                     SmPreferencesWindow *self)
{
  ConfirmFunc func = g_object_get_data (G_OBJECT (dialog), "func");
  gint64 *id = g_object_get_data (G_OBJECT (dialog), "id");

  if (g_strcmp0 (response, "delete") == 0)
    func (self, *id);
}

static void
confirm_delete (SmPreferencesWindow *self,
                const char          *heading,
                const char          *body,
                ConfirmFunc          func,
                gint64               id)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "func", func);
  g_object_set_data_full (G_OBJECT (dialog), "id", g_memdup2 (&id, sizeof id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Channels */

static const char *
channel_icon_name (SmChannelType type)
{
  switch (type)
    {
    case SM_CHANNEL_TELEGRAM:
      return "chat-message-new-symbolic";
    case SM_CHANNEL_WEBHOOK:
      return "web-browser-symbolic";
    case SM_CHANNEL_EMAIL:
      return "mail-unread-symbolic";
    case SM_CHANNEL_DESKTOP:
    default:
      return "computer-symbolic";
    }
}

static char *
dup_channel_subtitle (const SmChannel *channel)
{
  g_autoptr(GString) text = g_string_new (sm_channel_type_to_label (channel->type));

  if (channel->is_default)
    {
      g_string_append (text, " · ");
      g_string_append (text, _("Default"));
    }
  if (!channel->enabled)
    {
      g_string_append (text, " · ");
      g_string_append (text, _("Disabled"));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static SmChannel *
find_channel (SmPreferencesWindow *self,
              gint64               id)
{
  for (guint i = 0; self->channels != NULL && i < self->channels->len; i++)
    {
      SmChannel *channel = g_ptr_array_index (self->channels, i);

      if (channel->id == id)
        return channel;
    }
  return NULL;
}

static AdwActionRow *
find_channel_row (SmPreferencesWindow *self,
                  gint64               id)
{
  for (guint i = 0; i < self->channel_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->channel_rows, i);
      gint64 *row_id = g_object_get_data (G_OBJECT (row), "id");

      if (row_id != NULL && *row_id == id)
        return ADW_ACTION_ROW (row);
    }
  return NULL;
}

static gint64
get_widget_id (gpointer widget)
{
  gint64 *id = g_object_get_data (G_OBJECT (widget), "id");

  return id != NULL ? *id : 0;
}

static void
set_widget_id (gpointer widget,
               gint64   id)
{
  g_object_set_data_full (G_OBJECT (widget), "id", g_memdup2 (&id, sizeof id), g_free);
}

static void
open_channel_dialog (SmPreferencesWindow *self,
                     const SmChannel     *channel)
{
  SmChannelDialog *dialog;

  dialog = sm_channel_dialog_new (GTK_WINDOW (self), self->store, self->manager, channel);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_channel_cb (SmPreferencesWindow *self)
{
  if (self->store != NULL)
    open_channel_dialog (self, NULL);
}

static void
edit_channel_cb (GtkButton           *button,
                 SmPreferencesWindow *self)
{
  SmChannel *channel = find_channel (self, get_widget_id (button));

  if (channel != NULL)
    open_channel_dialog (self, channel);
}

static void
delete_channel (SmPreferencesWindow *self,
                gint64               id)
{
  g_autoptr(GError) error = NULL;

  if (!sm_store_delete_channel (self->store, id, &error))
    {
      show_error_toast (self, error);
      return;
    }
  reload_manager (self);
}

static void
delete_channel_cb (GtkButton           *button,
                   SmPreferencesWindow *self)
{
  SmChannel *channel = find_channel (self, get_widget_id (button));
  g_autofree char *body = NULL;

  if (channel == NULL)
    return;

  /* Translators: %s is a channel's name. */
  body = g_strdup_printf (_("Rules that send to “%s” will no longer do so."), channel->name);
  confirm_delete (self, _("Delete Channel?"), body, delete_channel, channel->id);
}

typedef struct {
  GWeakRef  window;
  gint64    id;
  char     *name;
} TestData;

static void
test_data_free (TestData *data)
{
  g_weak_ref_clear (&data->window);
  g_free (data->name);
  g_free (data);
}

static void
test_channel_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  TestData *data = user_data;
  g_autoptr(SmPreferencesWindow) self = g_weak_ref_get (&data->window);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  AdwActionRow *row;
  gboolean ok;

  ok = sm_alert_manager_test_channel_finish (SM_ALERT_MANAGER (object), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      test_data_free (data);
      return;
    }

  if (ok)
    /* Translators: %s is a channel's name. */
    message = g_strdup_printf (_("Test message sent to “%s”"), data->name);
  else
    /* Translators: a channel's name and why a test message failed. */
    message = g_strdup_printf (_("“%s” failed: %s"), data->name, error->message);

  row = find_channel_row (self, data->id);
  if (row != NULL)
    {
      gtk_widget_set_sensitive (g_object_get_data (G_OBJECT (row), "test-button"), TRUE);
      adw_action_row_set_subtitle (row, ok ? _("Test message sent") : error->message);
      gtk_widget_remove_css_class (GTK_WIDGET (row), ok ? "test-error" : "test-success");
      gtk_widget_add_css_class (GTK_WIDGET (row), ok ? "test-success" : "test-error");
    }
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
  test_data_free (data);
}

static void
test_channel_cb (GtkButton           *button,
                 SmPreferencesWindow *self)
{
  SmChannel *channel = find_channel (self, get_widget_id (button));
  TestData *data;

  if (channel == NULL || self->manager == NULL)
    return;

  data = g_new0 (TestData, 1);
  g_weak_ref_init (&data->window, self);
  data->id = channel->id;
  data->name = g_strdup (channel->name);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  sm_alert_manager_test_channel_async (self->manager, channel, NULL, self->test_cancellable,
                                       test_channel_done_cb, data);
}

static GtkWidget *
create_channel_row (SmPreferencesWindow *self,
                    const SmChannel     *channel)
{
  g_autofree char *subtitle = dup_channel_subtitle (channel);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (channel_icon_name (channel->type));
  GtkWidget *test = gtk_button_new_with_mnemonic (_("_Test"));
  GtkWidget *edit = create_icon_button ("document-edit-symbolic", _("Edit Channel"));
  GtkWidget *delete = create_icon_button ("user-trash-symbolic", _("Delete Channel"));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), channel->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, sm_channel_type_to_label (channel->type),
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  if (!channel->enabled)
    gtk_widget_add_css_class (icon, "dim-label");

  gtk_widget_set_valign (test, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (test, _("Send a Test Message"));
  set_widget_id (test, channel->id);
  set_widget_id (edit, channel->id);
  set_widget_id (delete, channel->id);
  g_signal_connect_object (test, "clicked", G_CALLBACK (test_channel_cb), self, 0);
  g_signal_connect_object (edit, "clicked", G_CALLBACK (edit_channel_cb), self, 0);
  g_signal_connect_object (delete, "clicked", G_CALLBACK (delete_channel_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), test);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
  set_widget_id (row, channel->id);
  g_object_set_data (G_OBJECT (row), "test-button", test);

  return row;
}

static void
refresh_channels (SmPreferencesWindow *self)
{
  g_autoptr(GPtrArray) channels = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  channels = sm_store_list_channels (self->store, &error);
  if (channels == NULL)
    {
      adw_preferences_group_set_description (self->channels_group, error->message);
      return;
    }

  for (guint i = 0; i < channels->len; i++)
    {
      SmChannel *channel = g_ptr_array_index (channels, i);

      g_string_append_printf (text, "%" G_GINT64_FORMAT "|%s|%d|%d|%d|%d\n",
                              channel->id, channel->name, channel->type,
                              channel->enabled, channel->is_default, channel->has_secret);
    }
  if (self->channels_shown != NULL && g_str_equal (self->channels_shown, text->str))
    return;

  g_free (self->channels_shown);
  self->channels_shown = g_strdup (text->str);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  self->channels = g_steal_pointer (&channels);

  clear_group_rows (self->channels_group, self->channel_rows);
  for (guint i = 0; i < self->channels->len; i++)
    {
      GtkWidget *row = create_channel_row (self, g_ptr_array_index (self->channels, i));

      adw_preferences_group_add (self->channels_group, row);
      g_ptr_array_add (self->channel_rows, row);
    }
  if (self->channels->len == 0)
    {
      GtkWidget *row = add_placeholder_row (self->channels_group, self->channel_rows,
                                            _("No Channels"));

      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Alerts show as desktop notifications until you add a channel."));
    }
}

/* Quiet hours and maintenance windows */

static char *
format_minutes (guint16 minutes)
{
  return g_strdup_printf ("%02u:%02u", minutes / 60, minutes % 60);
}

static char *
dup_days_text (guint8 days)
{
  g_autoptr(GDateTime) monday = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (days == SM_WEEKDAYS_ALL)
    return g_strdup (_("Every day"));
  if (days == SM_WEEKDAYS_MON_FRI)
    return g_strdup (_("Weekdays"));
  if (days == 0x60)
    return g_strdup (_("Weekends"));

  for (guint i = 0; i < 7; i++)
    {
      if (days & (1 << i))
        {
          g_autoptr(GDateTime) day = g_date_time_add_days (monday, i);

          g_ptr_array_add (names, g_date_time_format (day, "%a"));
        }
    }
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

static char *
dup_window_title (const SmAlertWindow *window)
{
  g_autofree char *days = dup_days_text (window->window.days);
  g_autofree char *start = format_minutes (window->window.start);
  g_autofree char *end = format_minutes (window->window.end);

  /* Translators: days, then a time range, as in "Weekdays, 22:00–07:00". */
  return g_strdup_printf (_("%s, %s–%s"), days, start, end);
}

static char *
dup_server_name (SmPreferencesWindow *self,
                 gint64               server_id)
{
  g_autoptr(SmServer) server = NULL;

  if (server_id == 0)
    return g_strdup (_("All servers"));
  server = sm_store_get_server (self->store, server_id, NULL);
  return g_strdup (server != NULL ? sm_server_get_name (server) : _("A deleted server"));
}

static SmAlertWindow *
find_window (SmPreferencesWindow *self,
             gint64               id)
{
  for (guint i = 0; self->windows != NULL && i < self->windows->len; i++)
    {
      SmAlertWindow *window = g_ptr_array_index (self->windows, i);

      if (window->id == id)
        return window;
    }
  return NULL;
}

/* The editor: a message dialog with the days, the times and, for a
 * maintenance window, the server. */

typedef struct {
  SmAlertWindow    *window;      /* what is edited */
  GtkToggleButton  *days[7];
  GtkEditable      *start;
  GtkEditable      *end;
  GtkEditable      *comment;
  AdwComboRow      *server_row;  /* maintenance only */
  GArray           *server_ids;  /* gint64, by position in server_row */
  GtkLabel         *error_label;
} WindowEditor;

static void
window_editor_free (WindowEditor *editor)
{
  sm_alert_window_free (editor->window);
  g_clear_pointer (&editor->server_ids, g_array_unref);
  g_free (editor);
}

/* Reads the editor into editor->window; NULL when valid, else a message. */
static char *
window_editor_read (WindowEditor *editor)
{
  SmWeeklyWindow *window = &editor->window->window;
  g_autofree char *start = g_strstrip (g_strdup (gtk_editable_get_text (editor->start)));
  g_autofree char *end = g_strstrip (g_strdup (gtk_editable_get_text (editor->end)));
  g_autofree char *comment = g_strstrip (g_strdup (gtk_editable_get_text (editor->comment)));
  char *message;

  window->days = 0;
  for (guint i = 0; i < 7; i++)
    if (gtk_toggle_button_get_active (editor->days[i]))
      window->days |= 1 << i;
  if (window->days == 0)
    return g_strdup (_("Choose at least one day"));

  message = sm_parse_time_of_day (start, &window->start);
  if (message != NULL)
    {
      g_autofree char *owned = message;

      /* Translators: what is wrong with the start time. */
      return g_strdup_printf (_("From: %s"), owned);
    }
  message = sm_parse_time_of_day (end, &window->end);
  if (message != NULL)
    {
      g_autofree char *owned = message;

      /* Translators: what is wrong with the end time. */
      return g_strdup_printf (_("To: %s"), owned);
    }

  g_free (editor->window->comment);
  editor->window->comment = comment[0] != '\0' ? g_strdup (comment) : NULL;

  if (editor->server_row != NULL)
    {
      guint selected = adw_combo_row_get_selected (editor->server_row);

      editor->window->server_id = selected < editor->server_ids->len
                                  ? g_array_index (editor->server_ids, gint64, selected) : 0;
    }

  return sm_weekly_window_validate (window);
}

static void
window_editor_changed_cb (AdwMessageDialog *dialog)
{
  WindowEditor *editor = g_object_get_data (G_OBJECT (dialog), "editor");
  g_autofree char *message = window_editor_read (editor);

  gtk_label_set_text (editor->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (editor->error_label), message != NULL);
  adw_message_dialog_set_response_enabled (dialog, "save", message == NULL);
}

static void
window_editor_response_cb (AdwMessageDialog    *dialog,
                           const char          *response,
                           SmPreferencesWindow *self)
{
  WindowEditor *editor = g_object_get_data (G_OBJECT (dialog), "editor");
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;

  if (self->window_dialog == dialog)
    self->window_dialog = NULL;

  if (g_strcmp0 (response, "save") != 0)
    return;

  message = window_editor_read (editor);
  if (message != NULL)
    return;

  if (!sm_store_save_window (self->store, editor->window, &error))
    {
      show_error_toast (self, error);
      return;
    }
  reload_manager (self);
}

static GtkWidget *
add_entry_row (GtkListBox *list,
               const char *title,
               const char *text)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  gtk_list_box_append (list, row);
  return row;
}

static void
open_window_editor (SmPreferencesWindow *self,
                    const SmAlertWindow *window,
                    SmWindowKind         kind)
{
  g_autoptr(GDateTime) monday = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);
  WindowEditor *editor = g_new0 (WindowEditor, 1);
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *days_box;
  GtkWidget *list;
  gboolean quiet;

  if (window != NULL)
    {
      editor->window = sm_alert_window_copy (window);
    }
  else
    {
      editor->window = sm_alert_window_new (kind);
      editor->window->window.days = kind == SM_WINDOW_QUIET_HOURS ? SM_WEEKDAYS_ALL : 0x40;
      editor->window->window.start = kind == SM_WINDOW_QUIET_HOURS ? 22 * 60 : 2 * 60;
      editor->window->window.end = kind == SM_WINDOW_QUIET_HOURS ? 7 * 60 : 4 * 60;
    }
  quiet = editor->window->kind == SM_WINDOW_QUIET_HOURS;

  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   quiet
                                   ? (window != NULL ? _("Edit Quiet Hours") : _("Add Quiet Hours"))
                                   : (window != NULL ? _("Edit Maintenance Window") : _("Add Maintenance Window")),
                                   quiet
                                   ? _("Only critical alerts are sent during these hours.")
                                   : _("No alerts are raised during this window. A window that ends before it starts lasts past midnight."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "save", window != NULL ? _("_Save") : _("_Add"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  days_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_box_set_homogeneous (GTK_BOX (days_box), TRUE);
  gtk_widget_add_css_class (days_box, "linked");
  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (monday, i);
      g_autofree char *abbrev = g_date_time_format (day, "%a");
      g_autofree char *full = g_date_time_format (day, "%A");
      GtkWidget *button = gtk_toggle_button_new_with_label (abbrev);

      gtk_widget_set_tooltip_text (button, full);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, full,
                                      -1);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button),
                                    (editor->window->window.days & (1 << i)) != 0);
      g_signal_connect_object (button, "toggled",
                               G_CALLBACK (window_editor_changed_cb), dialog,
                               G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (days_box), button);
      editor->days[i] = GTK_TOGGLE_BUTTON (button);
    }
  gtk_box_append (GTK_BOX (box), days_box);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  start = format_minutes (editor->window->window.start);
  end = format_minutes (editor->window->window.end);
  editor->start = GTK_EDITABLE (add_entry_row (GTK_LIST_BOX (list), _("From (HH:MM)"), start));
  editor->end = GTK_EDITABLE (add_entry_row (GTK_LIST_BOX (list), _("To (HH:MM)"), end));

  if (!quiet)
    {
      g_autoptr(GPtrArray) servers = sm_store_list_servers (self->store, NULL);
      GtkStringList *model = gtk_string_list_new (NULL);
      gint64 all = 0;
      guint selected = 0;

      editor->server_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      gtk_string_list_append (model, _("All Servers"));
      g_array_append_val (editor->server_ids, all);
      for (guint i = 0; servers != NULL && i < servers->len; i++)
        {
          SmServer *server = g_ptr_array_index (servers, i);
          gint64 id = sm_server_get_id (server);

          if (id == editor->window->server_id)
            selected = editor->server_ids->len;
          gtk_string_list_append (model, sm_server_get_name (server));
          g_array_append_val (editor->server_ids, id);
        }
      editor->server_row = ADW_COMBO_ROW (adw_combo_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (editor->server_row), _("Server"));
      adw_combo_row_set_model (editor->server_row, G_LIST_MODEL (model));
      adw_combo_row_set_selected (editor->server_row, selected);
      g_object_unref (model);
      gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (editor->server_row));
      g_signal_connect_object (editor->server_row, "notify::selected",
                               G_CALLBACK (window_editor_changed_cb), dialog,
                               G_CONNECT_SWAPPED);
    }

  editor->comment = GTK_EDITABLE (add_entry_row (GTK_LIST_BOX (list), _("Comment (Optional)"),
                                                 editor->window->comment ?: ""));
  g_signal_connect_object (editor->start, "changed",
                           G_CALLBACK (window_editor_changed_cb), dialog, G_CONNECT_SWAPPED);
  g_signal_connect_object (editor->end, "changed",
                           G_CALLBACK (window_editor_changed_cb), dialog, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), list);

  editor->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (editor->error_label, TRUE);
  gtk_label_set_xalign (editor->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (editor->error_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (editor->error_label), "caption");
  gtk_widget_set_visible (GTK_WIDGET (editor->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (editor->error_label));

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  g_object_set_data_full (G_OBJECT (dialog), "editor", editor,
                          (GDestroyNotify) window_editor_free);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (window_editor_response_cb), self, 0);
  self->window_dialog = ADW_MESSAGE_DIALOG (dialog);
  window_editor_changed_cb (ADW_MESSAGE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_quiet_hours_cb (SmPreferencesWindow *self)
{
  if (self->store != NULL)
    open_window_editor (self, NULL, SM_WINDOW_QUIET_HOURS);
}

static void
add_maintenance_cb (SmPreferencesWindow *self)
{
  if (self->store != NULL)
    open_window_editor (self, NULL, SM_WINDOW_MAINTENANCE);
}

static void
edit_window_cb (GtkButton           *button,
                SmPreferencesWindow *self)
{
  SmAlertWindow *window = find_window (self, get_widget_id (button));

  if (window != NULL)
    open_window_editor (self, window, window->kind);
}

static void
delete_window (SmPreferencesWindow *self,
               gint64               id)
{
  g_autoptr(GError) error = NULL;

  if (!sm_store_delete_window (self->store, id, &error))
    {
      show_error_toast (self, error);
      return;
    }
  reload_manager (self);
}

static void
delete_window_cb (GtkButton           *button,
                  SmPreferencesWindow *self)
{
  SmAlertWindow *window = find_window (self, get_widget_id (button));
  g_autofree char *title = NULL;

  if (window == NULL)
    return;

  title = dup_window_title (window);
  confirm_delete (self,
                  window->kind == SM_WINDOW_QUIET_HOURS
                  ? _("Delete Quiet Hours?") : _("Delete Maintenance Window?"),
                  title, delete_window, window->id);
}

static GtkWidget *
create_window_row (SmPreferencesWindow *self,
                   const SmAlertWindow *window)
{
  g_autofree char *title = dup_window_title (window);
  g_autofree char *server = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *edit = create_icon_button ("document-edit-symbolic",
                                        window->kind == SM_WINDOW_QUIET_HOURS
                                        ? _("Edit Quiet Hours") : _("Edit Maintenance Window"));
  GtkWidget *delete = create_icon_button ("user-trash-symbolic",
                                          window->kind == SM_WINDOW_QUIET_HOURS
                                          ? _("Delete Quiet Hours") : _("Delete Maintenance Window"));

  if (window->kind == SM_WINDOW_MAINTENANCE)
    {
      server = dup_server_name (self, window->server_id);
      g_string_append (subtitle, server);
    }
  if (window->comment != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, window->comment);
    }

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  set_widget_id (edit, window->id);
  set_widget_id (delete, window->id);
  set_widget_id (row, window->id);
  g_signal_connect_object (edit, "clicked", G_CALLBACK (edit_window_cb), self, 0);
  g_signal_connect_object (delete, "clicked", G_CALLBACK (delete_window_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);

  return row;
}

static void
refresh_windows (SmPreferencesWindow *self)
{
  g_autoptr(GPtrArray) windows = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint n_quiet = 0;
  guint n_maintenance = 0;

  windows = sm_store_list_windows (self->store, &error);
  if (windows == NULL)
    {
      adw_preferences_group_set_description (self->quiet_group, error->message);
      return;
    }

  for (guint i = 0; i < windows->len; i++)
    {
      SmAlertWindow *window = g_ptr_array_index (windows, i);

      g_string_append_printf (text, "%" G_GINT64_FORMAT "|%d|%" G_GINT64_FORMAT "|%u|%u|%u|%s\n",
                              window->id, window->kind, window->server_id,
                              window->window.days, window->window.start, window->window.end,
                              window->comment ?: "");
    }
  if (self->windows_shown != NULL && g_str_equal (self->windows_shown, text->str))
    return;

  g_free (self->windows_shown);
  self->windows_shown = g_strdup (text->str);
  g_clear_pointer (&self->windows, g_ptr_array_unref);
  self->windows = g_steal_pointer (&windows);

  for (guint i = 0; i < self->window_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->window_rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->window_rows, 0);

  for (guint i = 0; i < self->windows->len; i++)
    {
      SmAlertWindow *window = g_ptr_array_index (self->windows, i);
      GtkWidget *row = create_window_row (self, window);

      if (window->kind == SM_WINDOW_QUIET_HOURS)
        {
          adw_preferences_group_add (self->quiet_group, row);
          n_quiet++;
        }
      else
        {
          adw_preferences_group_add (self->maintenance_group, row);
          n_maintenance++;
        }
      g_ptr_array_add (self->window_rows, row);
    }
  if (n_quiet == 0)
    add_placeholder_row (self->quiet_group, self->window_rows, _("No Quiet Hours"));
  if (n_maintenance == 0)
    add_placeholder_row (self->maintenance_group, self->window_rows, _("No Maintenance Windows"));
}

static void
manager_changed_cb (SmPreferencesWindow *self)
{
  if (self->store == NULL || self->channel_rows == NULL)
    return;

  refresh_channels (self);
  refresh_windows (self);
}

void
sm_preferences_window_set_alert_manager (SmPreferencesWindow *self,
                                         SmAlertManager      *manager)
{
  g_return_if_fail (SM_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (manager == NULL || SM_IS_ALERT_MANAGER (manager));

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, manager_changed_cb, self);
  g_set_object (&self->manager, manager);

  gtk_widget_set_visible (GTK_WIDGET (self->alerts_page), manager != NULL);
  sm_rules_list_set_source (self->rules_list, manager != NULL ? self->store : NULL, manager);
  if (manager == NULL)
    return;

  g_signal_connect_object (manager, "changed",
                           G_CALLBACK (manager_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_clear_pointer (&self->channels_shown, g_free);
  g_clear_pointer (&self->windows_shown, g_free);
  manager_changed_cb (self);
}

/* Test accessors */

AdwPreferencesPage *
_sm_preferences_window_get_alerts_page (SmPreferencesWindow *self)
{
  g_return_val_if_fail (SM_IS_PREFERENCES_WINDOW (self), NULL);

  return self->alerts_page;
}

SmRulesList *
_sm_preferences_window_get_rules_list (SmPreferencesWindow *self)
{
  g_return_val_if_fail (SM_IS_PREFERENCES_WINDOW (self), NULL);

  return self->rules_list;
}

AdwMessageDialog *
_sm_preferences_window_add_window (SmPreferencesWindow *self,
                                   SmWindowKind         kind)
{
  g_return_val_if_fail (SM_IS_PREFERENCES_WINDOW (self), NULL);

  open_window_editor (self, NULL, kind);
  return self->window_dialog;
}

GtkEditable *
_sm_preferences_window_get_window_field (AdwMessageDialog *dialog,
                                         const char       *field)
{
  WindowEditor *editor = g_object_get_data (G_OBJECT (dialog), "editor");

  g_return_val_if_fail (editor != NULL, NULL);

  if (g_str_equal (field, "start"))
    return editor->start;
  if (g_str_equal (field, "end"))
    return editor->end;
  if (g_str_equal (field, "comment"))
    return editor->comment;
  g_return_val_if_reached (NULL);
}

GtkToggleButton *
_sm_preferences_window_get_window_day (AdwMessageDialog *dialog,
                                       guint             day)
{
  WindowEditor *editor = g_object_get_data (G_OBJECT (dialog), "editor");

  g_return_val_if_fail (editor != NULL && day < 7, NULL);

  return editor->days[day];
}

guint
_sm_preferences_window_get_n_channel_rows (SmPreferencesWindow *self)
{
  g_return_val_if_fail (SM_IS_PREFERENCES_WINDOW (self), 0);

  return self->channels != NULL ? self->channels->len : 0;
}

guint
_sm_preferences_window_get_n_window_rows (SmPreferencesWindow *self)
{
  g_return_val_if_fail (SM_IS_PREFERENCES_WINDOW (self), 0);

  return self->windows != NULL ? self->windows->len : 0;
}

static void
sm_preferences_window_dispose (GObject *object)
{
  SmPreferencesWindow *self = SM_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, manager_changed_cb, self);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->windows, g_ptr_array_unref);
  g_clear_pointer (&self->channel_rows, g_ptr_array_unref);
  g_clear_pointer (&self->window_rows, g_ptr_array_unref);
  g_clear_pointer (&self->channels_shown, g_free);
  g_clear_pointer (&self->windows_shown, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (sm_preferences_window_parent_class)->dispose (object);
}

/* Copies the heartbeat report key (made the first time) to the
 * clipboard; it is never shown. */
static void
copy_report_key_cb (SmPreferencesWindow *self)
{
  GApplication *app = g_application_get_default ();
  g_autoptr(GError) error = NULL;
  char *key;

  if (!SM_IS_APPLICATION (app))
    return;
  key = sm_application_dup_report_key (SM_APPLICATION (app), &error);
  if (key == NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (error != NULL ? error->message
                                                       : _("No report key is available.")));
      return;
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), key);
  sm_secret_free (key);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Report key copied")));
}

static void
sm_preferences_window_class_init (SmPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, new_servers_group);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, interval_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, port_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, username_row);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, key_row);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, key_icon);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, data_dir_row);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, database_row);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, database_size_label);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, heartbeat_switch);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, heartbeat_address_row);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, heartbeat_port_row);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, report_key_row);
  gtk_widget_class_bind_template_callback (widget_class, copy_report_key_cb);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, heartbeat_port_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, raw_retention_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, minute_retention_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, hour_retention_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, alerts_page);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, channels_group);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, quiet_group);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, maintenance_group);

  gtk_widget_class_bind_template_callback (widget_class, add_channel_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_quiet_hours_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_maintenance_cb);
}

static void
sm_preferences_window_init (SmPreferencesWindow *self)
{
  g_autofree char *description = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rules_list = SM_RULES_LIST (sm_rules_list_new ());
  adw_preferences_page_add (self->alerts_page, ADW_PREFERENCES_GROUP (self->rules_list));

  self->test_cancellable = g_cancellable_new ();
  self->channel_rows = g_ptr_array_new ();
  self->window_rows = g_ptr_array_new ();

  /* Translators: %s is the local user name. */
  description = g_strdup_printf (_("Given to servers you add. An empty user name "
                                   "means your own (%s)."),
                                 g_get_user_name ());
  adw_preferences_group_set_description (self->new_servers_group, description);
}

SmPreferencesWindow *
sm_preferences_window_new (GtkWindow    *parent,
                           SmStore      *store,
                           GSettings    *settings,
                           const GError *vault_error)
{
  SmPreferencesWindow *self;
  g_autofree char *data_dir = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SM_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);

  g_settings_bind (settings, "default-interval",
                   self->interval_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "default-port",
                   self->port_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "default-username",
                   self->username_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "heartbeat-listen",
                   self->heartbeat_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "heartbeat-address",
                   self->heartbeat_address_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "heartbeat-port",
                   self->heartbeat_port_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_object_bind_property (self->heartbeat_switch, "active",
                          self->heartbeat_address_row, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->heartbeat_switch, "active",
                          self->heartbeat_port_row, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->heartbeat_switch, "active",
                          self->report_key_row, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_settings_bind (settings, "retention-raw-hours",
                   self->raw_retention_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "retention-minute-days",
                   self->minute_retention_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "retention-hour-days",
                   self->hour_retention_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);

  self->store = g_object_ref (store);
  update_credentials (self, store, vault_error);

  data_dir = g_path_get_dirname (sm_store_get_path (store));
  adw_action_row_set_subtitle (self->data_dir_row, data_dir);
  adw_action_row_set_subtitle (self->database_row, sm_store_get_path (store));
  query_disk_usage (self, sm_store_get_path (store));

  return self;
}
