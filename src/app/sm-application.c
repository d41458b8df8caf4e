/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-application.c: the application: options, actions, the store. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-application.h"
#include "sm-check-store.h"
#include "sm-cli.h"
#include "sm-heartbeat-server.h"
#include "sm-history.h"
#include "sm-overview-page.h"
#include "sm-preferences-window.h"
#include "sm-scheduler.h"
#include "sm-settings.h"
#include "sm-vault.h"
#include "sm-window.h"

struct _SmApplication
{
  AdwApplication  parent_instance;

  /* Owned references */
  char           *data_dir;      /* --data-dir, absolute; NULL for the default */
  SmStore        *store;
  SmScheduler    *scheduler;     /* NULL until the vault has loaded */
  SmHistoryWriter *history_writer; /* NULL when the history cannot be written */
  SmHistoryReader *history_reader;
  SmAlertManager *alerts;
  SmCheckScheduler *checks;      /* NULL until the vault has loaded */
  SmHeartbeatServer *heartbeats; /* NULL unless heartbeat-listen is on */
  GPtrArray      *heartbeat_tokens; /* registered tokens (guarded memory) */
  GDBusConnection *system_bus;   /* logind's PrepareForSleep, or NULL */
  guint           sleep_subscription;
  guint           online_timeout_id; /* grace after a resume or reconnect */
  gboolean        network_was_available;
  GSettings      *settings;
  GCancellable   *cancellable;   /* the vault load */
  GError         *vault_error;

  char           *store_data_dir;
  char           *history_error;  /* the write error last shown, or NULL */
  char           *history_unavailable; /* why there is no reader, or NULL */

  /* State */
  gboolean        vault_loading;
  gboolean        failed;        /* the database could not be opened */
};

G_DEFINE_FINAL_TYPE (SmApplication, sm_application, ADW_TYPE_APPLICATION)

static const GOptionEntry main_entries[] = {
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Keep the database and the key in DIR"), N_("DIR") },
  { "import", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Import servers from a JSON file and exit"), N_("FILE") },
  { "export", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Export servers (without secrets) to a JSON file and exit"), N_("FILE") },
  { "list", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("List the servers and exit"), NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("With --list, --check-once or --alerts: print JSON"), NULL },
  { "check-once", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Poll every enabled server once, print the results and exit"), NULL },
  { "alerts", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("List the active alerts and exit"), NULL },
  { "trust-host", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Connect to server NAME, print its host key fingerprint and trust it"), N_("NAME") },
  { "backup", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Copy the database to FILE while the app may keep running, and exit"), N_("FILE") },
  { "render-chart", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Draw a history chart of server NAME to --output and exit"), N_("NAME") },
  { "metric", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --render-chart: the metric, such as cpu.percent"), N_("METRIC") },
  { "range", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --render-chart: 15m, 1h, 6h, 24h (default), 7d, 30d or 1y"), N_("RANGE") },
  { "output", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("With --render-chart: the image to write, .png or .svg"), N_("FILE") },
  { "width", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("With --render-chart: width in pixels (default 1200)"), N_("W") },
  { "height", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("With --render-chart: height in pixels (default 400)"), N_("H") },
  { "dark", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("With --render-chart: use the dark style"), NULL },
  { NULL }
};

static void
for_each_window (SmApplication *self,
                 void         (*func) (SmWindow *window))
{
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (SM_IS_WINDOW (l->data))
        func (l->data);
    }
}

static void
vault_loaded_window (SmWindow *window)
{
  sm_window_set_vault_loading (window, FALSE);
}

static void
open_vault_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *data_dir = task_data;
  g_autoptr(GError) error = NULL;
  SmVault *vault;

  vault = sm_vault_open (data_dir, cancellable, &error);
  if (vault == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, vault, g_object_unref);
}

static void
window_server_saved_cb (SmApplication *self,
                        SmServer      *server,
                        SmWindow      *window)
{
  if (self->scheduler != NULL)
    sm_scheduler_add_server (self->scheduler, server);
  if (self->checks != NULL)
    sm_check_scheduler_add_server (self->checks, server);
}

static void
window_server_deleted_cb (SmApplication *self,
                          SmServer      *server,
                          SmWindow      *window)
{
  if (self->scheduler != NULL)
    sm_scheduler_remove_server (self->scheduler, server);
  if (self->checks != NULL)
    sm_check_scheduler_remove_server (self->checks, sm_server_get_id (server));
  if (self->history_writer != NULL)
    sm_history_writer_forget_server (self->history_writer, sm_server_get_id (server));
}

/* Polls every server the window lists; the scheduler updates their status
 * properties, which the rows and the page show. */
static void
poll_window_servers (SmApplication *self,
                     SmWindow      *window)
{
  GListModel *servers = sm_window_get_servers (window);

  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(SmServer) server = g_list_model_get_item (servers, i);

      sm_scheduler_add_server (self->scheduler, server);
      if (self->checks != NULL)
        sm_check_scheduler_add_server (self->checks, server);
    }
}

/* Host key trouble shows on the server page. */
static void
poll_finished_cb (SmApplication *self,
                  SmServer      *server,
                  gpointer       data,
                  SmScheduler   *scheduler)
{
  SmPollOutcome *outcome = data;
  g_autoptr(GList) windows = NULL;
  g_autoptr(GError) history_error = NULL;

  if (self->history_writer != NULL)
    history_error = sm_history_writer_dup_error (self->history_writer);
  /* History that cannot be saved (a full disk) is said once, in a toast
   * that stays; once writes work again, a new failure is said again. */
  if (history_error == NULL)
    g_clear_pointer (&self->history_error, g_free);
  else if (g_strcmp0 (self->history_error, history_error->message) == 0)
    g_clear_error (&history_error);
  else
    {
      g_free (self->history_error);
      self->history_error = g_strdup (history_error->message);
    }

  if (self->alerts != NULL)
    sm_alert_manager_process_poll (self->alerts, server, outcome);

  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (!SM_IS_WINDOW (l->data))
        continue;
      sm_window_report_poll (l->data, server, outcome->error, outcome->host_key_sha256);
      if (history_error != NULL)
        sm_window_show_error (l->data, history_error->message);
    }
}

/* Pushed heartbeats: an opt-in listener (Preferences). Every heartbeat
 * check has a secret token; the listener knows the current ones. */

static void
heartbeat_cb (SmApplication     *self,
              gint64             check_id,
              const char        *status,
              const char        *message,
              SmHeartbeatServer *listener)
{
  if (self->checks != NULL)
    sm_check_scheduler_note_heartbeat (self->checks, check_id, status, message);
}

static void
sync_heartbeat_tokens (SmApplication *self)
{
  g_autoptr(GPtrArray) checks = NULL;

  if (self->heartbeats == NULL || self->checks == NULL)
    return;

  for (guint i = 0; i < self->heartbeat_tokens->len; i++)
    sm_heartbeat_server_remove_check (self->heartbeats, g_ptr_array_index (self->heartbeat_tokens, i));
  g_ptr_array_set_size (self->heartbeat_tokens, 0);

  checks = sm_check_scheduler_list_checks (self->checks);
  for (guint i = 0; i < checks->len; i++)
    {
      SmCheck *check = g_ptr_array_index (checks, i);
      g_autoptr(GError) error = NULL;
      char *token;

      if (check->type != SM_CHECK_HEARTBEAT)
        continue;
      token = sm_store_load_check_token (self->store, check, &error);
      if (token == NULL && error == NULL)
        {
          g_autofree char *fresh = sm_heartbeat_new_token ();

          if (sm_store_set_check_token (self->store, check, fresh, &error))
            token = sm_secret_dup (fresh);
          memset (fresh, 0, strlen (fresh));
        }
      if (token == NULL)
        {
          g_message ("Heartbeat check “%s”: %s", check->name, error->message);
          continue;
        }
      sm_heartbeat_server_add_check (self->heartbeats, token, check->id);
      g_ptr_array_add (self->heartbeat_tokens, token);
    }
}

static void
heartbeat_settings_changed_cb (SmApplication *self)
{
  g_autofree char *address = g_settings_get_string (self->settings, "heartbeat-address");
  guint port = g_settings_get_uint (self->settings, "heartbeat-port");
  g_autoptr(GError) error = NULL;

  if (self->heartbeats != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->heartbeats, self);
      g_clear_object (&self->heartbeats);
    }
  g_ptr_array_set_size (self->heartbeat_tokens, 0);
  if (!g_settings_get_boolean (self->settings, "heartbeat-listen") || self->checks == NULL)
    return;

  self->heartbeats = sm_heartbeat_server_new ();
  if (!sm_heartbeat_server_listen (self->heartbeats, address, port, &error))
    {
      g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
      /* Translators: %s says why (the port is taken, say). */
      g_autofree char *message = g_strdup_printf (_("Cannot receive heartbeats: %s"), error->message);

      for (GList *l = windows; l != NULL; l = l->next)
        if (SM_IS_WINDOW (l->data))
          sm_window_show_error (l->data, message);
      g_clear_object (&self->heartbeats);
      return;
    }
  g_signal_connect_object (self->heartbeats, "heartbeat", G_CALLBACK (heartbeat_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->heartbeats, "report", G_CALLBACK (heartbeat_cb), self,
                           G_CONNECT_SWAPPED);
  /* The key scripts send with /report (Preferences copies it). */
  {
    g_autoptr(GError) key_error = NULL;
    char *key = sm_application_dup_report_key (self, &key_error);

    if (key == NULL)
      g_message ("Heartbeat reports are off: %s", key_error != NULL ? key_error->message : "no key");
    sm_heartbeat_server_set_api_key (self->heartbeats, key);
    sm_secret_free (key);
  }
  sync_heartbeat_tokens (self);
}

/* Check results feed the alert rules on "check." targets. */
static void
check_finished_cb (SmApplication *self,
                   SmServer      *server,
                   gpointer       check,
                   gpointer       result)
{
  if (self->alerts != NULL)
    sm_alert_manager_process_check (self->alerts, server, check, result);
}

static void
start_polling (SmApplication *self)
{
  g_autoptr(GList) windows = NULL;

  if (self->scheduler != NULL || self->store == NULL)
    return;

  self->scheduler = sm_scheduler_new (self->store, self->store_data_dir, 8);
  sm_scheduler_set_history_writer (self->scheduler, self->history_writer);
  self->checks = sm_check_scheduler_new (self->store, self->store_data_dir);
  sm_check_scheduler_set_history_writer (self->checks, self->history_writer);
  g_signal_connect_object (self->checks, "check-finished",
                           G_CALLBACK (check_finished_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->checks, "checks-changed",
                           G_CALLBACK (sync_heartbeat_tokens), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::heartbeat-listen",
                           G_CALLBACK (heartbeat_settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::heartbeat-address",
                           G_CALLBACK (heartbeat_settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::heartbeat-port",
                           G_CALLBACK (heartbeat_settings_changed_cb), self, G_CONNECT_SWAPPED);
  heartbeat_settings_changed_cb (self);
  g_signal_connect_object (self->scheduler, "poll-finished",
                           G_CALLBACK (poll_finished_cb), self,
                           G_CONNECT_SWAPPED);
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (SM_IS_WINDOW (l->data))
        {
          sm_window_set_check_scheduler (l->data, self->checks);
          poll_window_servers (self, l->data);
        }
    }
}

static void
open_vault_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SmApplication *self = SM_APPLICATION (object);
  g_autoptr(SmVault) vault = NULL;
  g_autoptr(GError) error = NULL;

  vault = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->vault_loading = FALSE;
  if (vault != NULL)
    sm_store_set_vault (self->store, vault);
  else
    self->vault_error = g_steal_pointer (&error);

  /* Channels with a secret can be built only now. */
  if (vault != NULL && self->alerts != NULL &&
      !sm_alert_manager_reload (self->alerts, &error))
    g_message ("Alert channels: %s", error->message);

  for_each_window (self, vault_loaded_window);

  /* Servers with a stored secret need the vault; poll only now. A failed
   * vault still polls: those servers say why they cannot log in. */
  start_polling (self);
}

static void
open_vault (SmApplication *self,
            const char    *data_dir)
{
  g_autoptr(GTask) task = NULL;

  self->vault_loading = TRUE;
  self->cancellable = g_cancellable_new ();

  task = g_task_new (self, self->cancellable, open_vault_cb, NULL);
  g_task_set_source_tag (task, open_vault);
  g_task_set_task_data (task, g_strdup (data_dir), g_free);
  g_task_run_in_thread (task, open_vault_thread);
}

static void
database_error_response_cb (SmApplication    *self,
                            const char       *response,
                            AdwMessageDialog *dialog)
{
  g_application_quit (G_APPLICATION (self));
}

static void
show_database_error (SmApplication *self,
                     const GError  *error)
{
  GtkWidget *dialog;

  self->failed = TRUE;

  dialog = adw_message_dialog_new (NULL, _("Cannot Open the Database"), error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "quit", _("_Quit"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "quit");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "quit");
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (database_error_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
retention_changed_cb (SmApplication *self)
{
  SmRetention retention;

  sm_settings_get_retention (self->settings, &retention);
  if (self->history_writer != NULL)
    sm_history_writer_set_retention (self->history_writer, &retention);
  if (self->history_reader != NULL)
    sm_history_reader_set_retention (self->history_reader, &retention);
}

/* The history writer (its own thread and connection) and the reader the
 * pages query on workers. Without them the app still monitors: the
 * History tab says why it is empty. */
static void
open_history (SmApplication *self)
{
  g_autoptr(GError) error = NULL;
  const char *path = sm_store_get_path (self->store);

  self->history_writer = sm_history_writer_new (path, &error);
  if (self->history_writer == NULL)
    {
      g_message ("History will not be recorded: %s", error->message);
      g_clear_error (&error);
    }
  self->history_reader = sm_history_reader_new (path, &error);
  if (self->history_reader == NULL)
    {
      g_message ("History cannot be shown: %s", error->message);
      self->history_unavailable = g_strdup (error->message);
    }

  retention_changed_cb (self);
  g_signal_connect_object (self->settings, "changed::retention-raw-hours",
                           G_CALLBACK (retention_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::retention-minute-days",
                           G_CALLBACK (retention_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::retention-hour-days",
                           G_CALLBACK (retention_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
delivery_failed_cb (SmApplication *self,
                    const char    *channel,
                    const GError  *error)
{
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  /* Translators: %s is a channel name, then the error. */
  g_autofree char *message = g_strdup_printf (_("Could not send a notification through “%s”: %s"),
                                              channel, error->message);

  for (GList *l = windows; l != NULL; l = l->next)
    if (SM_IS_WINDOW (l->data))
      sm_window_show_error (l->data, message);
}

static void
open_server_cb (SmApplication *self,
                gint64         server_id)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GListModel *servers;

  if (window == NULL)
    {
      g_application_activate (G_APPLICATION (self));
      window = gtk_application_get_active_window (GTK_APPLICATION (self));
    }
  if (!SM_IS_WINDOW (window))
    return;

  servers = sm_window_get_servers (SM_WINDOW (window));
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(SmServer) server = g_list_model_get_item (servers, i);

      if (sm_server_get_id (server) == server_id)
        sm_window_select_server (SM_WINDOW (window), server);
    }
  gtk_window_present (window);
}

/* After a resume or a reconnect the network takes a moment to work again
 * (DHCP, Wi-Fi, VPN): polls failing in that time are part of the gap. */
#define ONLINE_GRACE_S 30

static gboolean
online_timeout_cb (gpointer user_data)
{
  SmApplication *self = user_data;

  self->online_timeout_id = 0;
  if (self->alerts != NULL)
    sm_alert_manager_set_connectivity (self->alerts, TRUE);
  return G_SOURCE_REMOVE;
}

static void
set_online (SmApplication *self,
            gboolean       online)
{
  if (self->alerts == NULL)
    return;

  g_clear_handle_id (&self->online_timeout_id, g_source_remove);
  if (online)
    self->online_timeout_id = g_timeout_add_seconds (ONLINE_GRACE_S, online_timeout_cb, self);
  else
    sm_alert_manager_set_connectivity (self->alerts, FALSE);
}

/* This computer lost its network or goes to sleep: failures meanwhile are
 * a monitoring gap, not a wave of DOWN alerts. Only a loss after the
 * network was available counts: a machine that reaches its servers over
 * a LAN without a default route never looks "available" to GLib. */
static void
network_changed_cb (SmApplication   *self,
                    gboolean         available,
                    GNetworkMonitor *monitor)
{
  if (available)
    {
      self->network_was_available = TRUE;
      set_online (self, TRUE);
    }
  else if (self->network_was_available)
    {
      self->network_was_available = FALSE;
      set_online (self, FALSE);
    }
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender,
                      const char      *path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  SmApplication *self = user_data;
  gboolean sleeping = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &sleeping);
  set_online (self, !sleeping);
}

static void
system_bus_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SmApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      g_debug ("No system bus; suspend is not noticed: %s", error->message);
      return;
    }
  self->system_bus = bus;
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager",
                                        "PrepareForSleep", "/org/freedesktop/login1",
                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        prepare_for_sleep_cb, self, NULL);
}

static void
open_alerts (SmApplication *self)
{
  self->alerts = sm_alert_manager_new (self->store, NULL);
  sm_alert_manager_set_history_reader (self->alerts, self->history_reader);
  sm_alert_manager_set_timers (self->alerts, TRUE);
  g_signal_connect_object (self->alerts, "delivery-failed",
                           G_CALLBACK (delivery_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->alerts, "open-server",
                           G_CALLBACK (open_server_cb), self, G_CONNECT_SWAPPED);
  self->network_was_available =
    g_network_monitor_get_network_available (g_network_monitor_get_default ());
  g_signal_connect_object (g_network_monitor_get_default (), "network-changed",
                           G_CALLBACK (network_changed_cb), self, G_CONNECT_SWAPPED);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, g_object_ref (self));
}

static gboolean
open_store (SmApplication *self)
{
  g_autofree char *data_dir = NULL;
  g_autoptr(GError) error = NULL;

  data_dir = self->data_dir != NULL ? g_strdup (self->data_dir) : sm_store_default_data_dir ();

  self->store = sm_store_open_data_dir (data_dir, NULL, &error);
  if (self->store == NULL)
    {
      show_database_error (self, error);
      return FALSE;
    }
  self->store_data_dir = g_strdup (data_dir);

  open_history (self);
  open_alerts (self);

  /* "This computer" shows live numbers on the first launch. */
  if (!sm_store_ensure_local_server (self->store, _("This Computer"), NULL, &error))
    {
      g_debug ("Could not add the local server: %s", error->message);
      g_clear_error (&error);
    }

  open_vault (self, data_dir);

  return TRUE;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  SmApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing saves each window's size and commits its pending deletions. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);

  g_application_quit (G_APPLICATION (self));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SmApplication *self = user_data;
  SmPreferencesWindow *window;

  if (self->store == NULL)
    return;

  window = sm_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                      self->store, self->settings, self->vault_error);
  sm_preferences_window_set_alert_manager (window, self->alerts);
  gtk_window_present (GTK_WINDOW (window));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  SmApplication *self = user_data;
  static const char *developers[] = {
    "Status Monitor developers",
    NULL
  };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "modal", TRUE,
                        "application-name", _("Status Monitor"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", "Status Monitor developers",
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "website", "https://example.com/status-monitor",
                        "issue-url", "https://example.com/status-monitor/issues",
                        "copyright", "© 2026 Status Monitor developers",
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "about", about_action },
};

static int
sm_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  SmApplication *self = SM_APPLICATION (application);
  SmCliOptions cli = { 0 };
  int ret = -1;

  g_variant_dict_lookup (options, "data-dir", "^ay", &cli.data_dir);
  g_variant_dict_lookup (options, "import", "^ay", &cli.import_file);
  g_variant_dict_lookup (options, "export", "^ay", &cli.export_file);
  g_variant_dict_lookup (options, "list", "b", &cli.list);
  g_variant_dict_lookup (options, "json", "b", &cli.json);
  g_variant_dict_lookup (options, "version", "b", &cli.version);
  g_variant_dict_lookup (options, "check-once", "b", &cli.check_once);
  g_variant_dict_lookup (options, "alerts", "b", &cli.alerts);
  g_variant_dict_lookup (options, "trust-host", "s", &cli.trust_host);
  g_variant_dict_lookup (options, "backup", "^ay", &cli.backup_file);
  g_variant_dict_lookup (options, "render-chart", "s", &cli.render_chart);
  g_variant_dict_lookup (options, "metric", "s", &cli.metric);
  g_variant_dict_lookup (options, "range", "s", &cli.range);
  g_variant_dict_lookup (options, "output", "^ay", &cli.output);
  g_variant_dict_lookup (options, "width", "i", &cli.width);
  g_variant_dict_lookup (options, "height", "i", &cli.height);
  g_variant_dict_lookup (options, "dark", "b", &cli.dark);

  if (sm_cli_wants_action (&cli))
    {
      ret = sm_cli_run (&cli);
    }
  else if (cli.data_dir != NULL)
    {
      g_free (self->data_dir);
      self->data_dir = g_canonicalize_filename (cli.data_dir, NULL);
    }

  sm_cli_options_clear (&cli);

  return ret;
}

static void
sm_application_startup (GApplication *application)
{
  SmApplication *self = SM_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (sm_application_parent_class)->startup (application);

  self->settings = g_settings_new (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
}

static void
sm_application_activate (GApplication *application)
{
  SmApplication *self = SM_APPLICATION (application);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  if (self->failed || (self->store == NULL && !open_store (self)))
    return;

  window = GTK_WINDOW (sm_window_new (self, self->store));
  sm_window_set_vault_loading (SM_WINDOW (window), self->vault_loading);
  sm_window_set_history_reader (SM_WINDOW (window), self->history_reader);
  sm_window_set_alert_manager (SM_WINDOW (window), self->alerts);
  if (self->history_unavailable != NULL)
    sm_window_set_history_unavailable_reason (SM_WINDOW (window), self->history_unavailable);
  g_signal_connect_object (window, "server-saved",
                           G_CALLBACK (window_server_saved_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (window, "server-deleted",
                           G_CALLBACK (window_server_deleted_cb), self,
                           G_CONNECT_SWAPPED);
  if (self->checks != NULL)
    sm_window_set_check_scheduler (SM_WINDOW (window), self->checks);
  if (self->scheduler != NULL)
    poll_window_servers (self, SM_WINDOW (window));
  gtk_window_present (window);
}

static void
commit_window (SmWindow *window)
{
  sm_window_commit_pending_deletions (window);
}

static void
sm_application_shutdown (GApplication *application)
{
  SmApplication *self = SM_APPLICATION (application);

  for_each_window (self, commit_window);
  g_cancellable_cancel (self->cancellable);
  /* Polls in flight are cancelled and sessions closed within a second. */
  if (self->scheduler != NULL)
    {
      sm_scheduler_shutdown (self->scheduler);
      sm_scheduler_set_history_writer (self->scheduler, NULL);
    }
  if (self->heartbeats != NULL)
    g_signal_handlers_disconnect_by_data (self->heartbeats, self);
  g_clear_object (&self->heartbeats);
  if (self->checks != NULL)
    {
      sm_check_scheduler_shutdown (self->checks);
      sm_check_scheduler_set_history_writer (self->checks, NULL);
    }
  /* Writes what is queued, including the open rollup buckets. */
  g_clear_pointer (&self->history_writer, sm_history_writer_free);
  if (self->alerts != NULL)
    sm_alert_manager_set_timers (self->alerts, FALSE);
  g_clear_handle_id (&self->online_timeout_id, g_source_remove);
  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;

  G_APPLICATION_CLASS (sm_application_parent_class)->shutdown (application);
}

static void
sm_application_dispose (GObject *object)
{
  SmApplication *self = SM_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->heartbeats);
  g_clear_pointer (&self->heartbeat_tokens, g_ptr_array_unref);
  g_clear_object (&self->checks);
  g_clear_pointer (&self->history_writer, sm_history_writer_free);
  g_clear_pointer (&self->history_reader, sm_history_reader_unref);
  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
  g_clear_handle_id (&self->online_timeout_id, g_source_remove);
  g_clear_object (&self->alerts);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->store_data_dir, g_free);
  g_clear_pointer (&self->history_error, g_free);
  g_clear_pointer (&self->history_unavailable, g_free);
  g_clear_error (&self->vault_error);
  g_clear_pointer (&self->data_dir, g_free);

  G_OBJECT_CLASS (sm_application_parent_class)->dispose (object);
}

static void
sm_application_class_init (SmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = sm_application_dispose;

  app_class->handle_local_options = sm_application_handle_local_options;
  app_class->startup = sm_application_startup;
  app_class->activate = sm_application_activate;
  app_class->shutdown = sm_application_shutdown;
}

static void
sm_application_init (SmApplication *self)
{
  self->heartbeat_tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_secret_free);
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Watch your servers over SSH."));
}

SmApplication *
sm_application_new (void)
{
  return g_object_new (SM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

char *
sm_application_dup_report_key (SmApplication  *self,
                               GError        **error)
{
  char *key;

  g_return_val_if_fail (SM_IS_APPLICATION (self), NULL);

  if (self->store == NULL)
    return NULL;
  key = sm_store_load_app_secret (self->store, "heartbeat-report-key", error);
  if (key == NULL && (error == NULL || *error == NULL))
    {
      g_autofree char *fresh = sm_heartbeat_new_token ();

      if (sm_store_set_app_secret (self->store, "heartbeat-report-key", fresh, error))
        key = sm_secret_dup (fresh);
      memset (fresh, 0, strlen (fresh));
    }
  return key;
}

SmAlertManager *
sm_application_get_alert_manager (SmApplication *self)
{
  g_return_val_if_fail (SM_IS_APPLICATION (self), NULL);

  return self->alerts;
}

SmStore *
sm_application_get_store (SmApplication *self)
{
  g_return_val_if_fail (SM_IS_APPLICATION (self), NULL);

  return self->store;
}

GSettings *
sm_application_get_settings (SmApplication *self)
{
  g_return_val_if_fail (SM_IS_APPLICATION (self), NULL);

  return self->settings;
}

const GError *
sm_application_get_vault_error (SmApplication *self)
{
  g_return_val_if_fail (SM_IS_APPLICATION (self), NULL);

  return self->vault_error;
}

gboolean
sm_application_get_vault_loading (SmApplication *self)
{
  g_return_val_if_fail (SM_IS_APPLICATION (self), FALSE);

  return self->vault_loading;
}

SmScheduler *
sm_application_get_scheduler (SmApplication *self)
{
  g_return_val_if_fail (SM_IS_APPLICATION (self), NULL);

  return self->scheduler;
}
