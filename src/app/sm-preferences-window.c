/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-preferences-window.c: defaults for new servers, credentials, storage. */
#include "config.h"

#include <glib/gi18n.h>

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

static void
sm_preferences_window_class_init (SmPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, new_servers_group);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, interval_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, port_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, username_row);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, key_row);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, key_icon);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, data_dir_row);
  gtk_widget_class_bind_template_child (widget_class, SmPreferencesWindow, database_row);
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
  g_autofree char *database = NULL;

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

  update_credentials (self, store, vault_error);

  data_dir = g_path_get_dirname (sm_store_get_path (store));
  database = g_path_get_basename (sm_store_get_path (store));
  adw_action_row_set_subtitle (self->data_dir_row, data_dir);
  adw_action_row_set_subtitle (self->database_row, database);

  return self;
}
