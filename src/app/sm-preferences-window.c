/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-preferences-window.c: defaults for new servers, credentials, storage. */
#include "config.h"

#include <glib/gi18n.h>

#include "sm-history.h"
#include "sm-preferences-window.h"

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
  GtkAdjustment        *raw_retention_adjustment;
  GtkAdjustment        *minute_retention_adjustment;
  GtkAdjustment        *hour_retention_adjustment;

  /* Owned references */
  GCancellable         *cancellable;   /* the database size */
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

static void
sm_preferences_window_dispose (GObject *object)
{
  SmPreferencesWindow *self = SM_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sm_preferences_window_parent_class)->dispose (object);
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
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, raw_retention_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, minute_retention_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, hour_retention_adjustment);
}

static void
sm_preferences_window_init (SmPreferencesWindow *self)
{
  g_autofree char *description = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

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
  g_settings_bind (settings, "retention-raw-hours",
                   self->raw_retention_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "retention-minute-days",
                   self->minute_retention_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "retention-hour-days",
                   self->hour_retention_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);

  update_credentials (self, store, vault_error);

  data_dir = g_path_get_dirname (sm_store_get_path (store));
  adw_action_row_set_subtitle (self->data_dir_row, data_dir);
  adw_action_row_set_subtitle (self->database_row, sm_store_get_path (store));
  query_disk_usage (self, sm_store_get_path (store));

  return self;
}
