/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-page.c: the read-only details of the selected server. */
#include "config.h"

#include <glib/gi18n.h>

#include "sm-alert-manager.h"
#include "sm-application.h"
#include "sm-check-store.h"
#include "sm-checks-page.h"
#include "sm-history-page.h"
#include "sm-overview-page.h"
#include "sm-rules-list.h"
#include "sm-scheduler.h"
#include "sm-server-page.h"
#include "sm-server-page-private.h"
#include "sm-status-badge.h"

/* What the newest poll of a server said about its host key. */
typedef struct
{
  SmHostKeyIssue  issue;
  char           *fingerprint;
} HostKeyInfo;

struct _SmServerPage
{
  AdwBin         parent_instance;

  /* Template widgets */
  SmStatusBadge *badge;
  GtkLabel      *name_label;
  GtkLabel      *status_label;
  GtkLabel      *info_label;
  GtkLabel      *last_poll_label;
  GtkWidget     *host_key_box;
  GtkImage      *host_key_icon;
  GtkLabel      *host_key_title;
  GtkLabel      *host_key_body;
  GtkWidget     *host_key_button;
  AdwViewStack  *view_stack;
  AdwViewSwitcherBar *switcher_bar;
  SmOverviewPage *overview_page;
  SmHistoryPage *history_page;
  GtkWidget     *connection_group;
  GtkLabel      *host_label;
  GtkLabel      *port_label;
  GtkLabel      *username_label;
  GtkLabel      *auth_label;
  GtkWidget     *key_file_row;
  GtkLabel      *key_file_label;
  AdwActionRow  *credentials_row;
  GtkLabel      *credentials_label;
  GtkLabel      *host_key_label;
  GtkLabel      *group_label;
  GtkWidget     *tags_none_label;
  GtkBox        *tags_box;
  GtkLabel      *interval_label;
  GtkLabel      *enabled_label;
  GtkWidget     *notes_group;
  GtkLabel      *notes_label;
  AdwViewStackPage *alerts_stack_page;
  GtkWidget     *alerts_view;
  AdwPreferencesGroup *active_alerts_group;
  SmRulesList   *rules_list;
  AdwViewStackPage *checks_stack_page;
  SmChecksPage  *checks_page;

  /* Owned references */
  SmStore       *store;
  SmAlertManager *manager;
  GPtrArray     *alert_rows;     /* rows of active_alerts_group */
  SmServer      *server;
  GHashTable    *host_keys;      /* gint64 *id -> HostKeyInfo */

  /* State */
  guint          tick_id;        /* refreshes "Last poll 12 s ago" while mapped */
  gboolean       vault_loading;
};

G_DEFINE_FINAL_TYPE (SmServerPage, sm_server_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SERVER,
  PROP_VAULT_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_interval (guint seconds)
{
  if (seconds >= 60 && seconds % 60 == 0)
    {
      guint minutes = seconds / 60;

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Every minute",
                                           "Every %u minutes",
                                           minutes),
                              minutes);
    }

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Every second",
                                       "Every %u seconds",
                                       seconds),
                          seconds);
}

/* Values sit at the end of their row and may be ellipsized. */
static void
set_value (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
}

static void
update_credentials (SmServerPage *self)
{
  g_autoptr(GError) error = NULL;
  const char *text;
  const char *hint = NULL;

  if (self->server == NULL)
    return;

  if (sm_server_get_auth_method (self->server) == SM_AUTH_AGENT ||
      !sm_server_get_has_secret (self->server))
    {
      text = _("None");
    }
  else if (self->store == NULL || sm_store_get_vault (self->store) == NULL)
    {
      text = self->vault_loading ? _("Loading…") : _("Locked");
    }
  else
    {
      g_autoptr(SmSecret) secret = NULL;

      /* Only find out whether it decrypts; the secret is wiped at once. */
      secret = sm_store_load_secret (self->store, self->server, &error);
      if (secret != NULL)
        {
          text = _("Stored (encrypted)");
        }
      else if (error == NULL)
        {
          text = _("None");
        }
      else
        {
          text = _("Unavailable");
          if (sm_server_get_auth_method (self->server) == SM_AUTH_KEY)
            hint = _("Edit the server and enter the passphrase again.");
          else
            hint = _("Edit the server and enter the password again.");
        }
    }

  set_value (self->credentials_label, text);
  adw_action_row_set_subtitle (self->credentials_row, hint != NULL ? hint : "");
  if (hint != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->credentials_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->credentials_label), "warning");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->credentials_label), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->credentials_label), "dim-label");
    }
}

static void
update_tags (SmServerPage *self)
{
  const char * const *tags = sm_server_get_tags (self->server);
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tags_box))) != NULL)
    gtk_box_remove (self->tags_box, child);

  for (n = 0; tags != NULL && tags[n] != NULL; n++)
    {
      GtkWidget *label = gtk_label_new (tags[n]);

      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), MIN (4, (int) g_utf8_strlen (tags[n], -1)));
      gtk_widget_set_tooltip_text (label, tags[n]);
      gtk_widget_add_css_class (label, "tag-pill");
      gtk_box_append (self->tags_box, label);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->tags_box), n > 0);
  gtk_widget_set_visible (self->tags_none_label, n == 0);
}

static void
host_key_info_free (HostKeyInfo *info)
{
  g_free (info->fingerprint);
  g_free (info);
}

static gboolean
is_empty (const char *str)
{
  return str == NULL || str[0] == '\0';
}

/* "Down — connection refused", in the status's colour. */
static void
update_status (SmServerPage *self)
{
  SmServerStatus status = sm_status_badge_status_for_server (self->server);
  const char *reason = sm_server_get_status_reason (self->server);
  g_autofree char *text = NULL;

  sm_status_badge_set_status (self->badge, status);

  if (!is_empty (reason) &&
      status != SM_SERVER_STATUS_DISABLED && status != SM_SERVER_STATUS_UP)
    /* Translators: a server's status and why, as in "Down — connection refused". */
    text = g_strdup_printf (_("%s — %s"), sm_server_status_to_label (status), reason);
  else
    text = g_strdup (sm_server_status_to_label (status));

  gtk_label_set_label (self->status_label, text);

  if (status == SM_SERVER_STATUS_DOWN)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  if (status == SM_SERVER_STATUS_DEGRADED)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "warning");
  if (status == SM_SERVER_STATUS_DOWN || status == SM_SERVER_STATUS_DEGRADED)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
}

static void
update_last_poll (SmServerPage *self)
{
  gint64 last_poll;
  gint64 seconds;
  g_autofree char *text = NULL;

  if (self->server == NULL)
    return;

  last_poll = sm_server_get_last_poll (self->server);
  if (last_poll == 0)
    {
      gtk_label_set_label (self->last_poll_label, _("No data yet"));
      return;
    }

  seconds = MAX (0, (g_get_real_time () - last_poll) / G_USEC_PER_SEC);
  if (seconds < 2)
    text = g_strdup (_("Last poll just now"));
  else if (seconds < 120)
    /* Translators: seconds since the newest poll. */
    text = g_strdup_printf (_("Last poll %u s ago"), (guint) seconds);
  else if (seconds < 120 * 60)
    /* Translators: minutes since the newest poll. */
    text = g_strdup_printf (_("Last poll %u min ago"), (guint) (seconds / 60));
  else
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (last_poll / G_USEC_PER_SEC);
      g_autofree char *formatted = g_date_time_format (time, "%c");

      /* Translators: %s is a date and time. */
      text = g_strdup_printf (_("Last poll %s"), formatted);
    }

  if (g_strcmp0 (gtk_label_get_label (self->last_poll_label), text) != 0)
    gtk_label_set_label (self->last_poll_label, text);
}

/* OS and uptime from the newest poll. */
static void
update_info (SmServerPage *self)
{
  const SmPollResult *result = sm_server_get_last_result (self->server);
  const SmSpecs *specs = sm_server_get_specs (self->server);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *uptime = NULL;

  if (specs != NULL && !is_empty (specs->os_name))
    g_string_append (text, specs->os_name);

  if (result != NULL)
    uptime = sm_overview_format_uptime (sm_poll_result_get_metric ((SmPollResult *) result,
                                                                   "uptime.seconds"));
  if (uptime != NULL)
    {
      g_autofree char *unbroken = sm_overview_no_break (uptime);

      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append (text, unbroken);
    }

  if (g_strcmp0 (gtk_label_get_label (self->info_label), text->str) != 0)
    gtk_label_set_label (self->info_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->info_label), text->len > 0);
}

static char *
dup_known_hosts_path (SmServerPage *self)
{
  g_autofree char *dir = NULL;

  if (self->store == NULL)
    return g_strdup ("known_hosts");

  dir = g_path_get_dirname (sm_store_get_path (self->store));

  return g_build_filename (dir, "known_hosts", NULL);
}

static void
update_host_key (SmServerPage *self)
{
  HostKeyInfo *info = NULL;
  gint64 id;

  if (self->server != NULL)
    {
      id = sm_server_get_id (self->server);
      info = g_hash_table_lookup (self->host_keys, &id);
    }

  if (info == NULL || info->issue == SM_HOST_KEY_ISSUE_NONE)
    {
      gtk_widget_set_visible (self->host_key_box, FALSE);
      return;
    }

  if (info->issue == SM_HOST_KEY_ISSUE_UNKNOWN)
    {
      g_autofree char *body = NULL;

      gtk_image_set_from_icon_name (self->host_key_icon, "dialog-warning-symbolic");
      gtk_label_set_label (self->host_key_title, _("The authenticity of this server cannot be verified yet"));
      /* Translators: %s is a host key fingerprint, "SHA256:…"; keep the markup. */
      body = g_markup_printf_escaped (_("Fingerprint <tt>%s</tt>\n\nCompare it with the one on the server:\n<tt>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</tt>"),
                                      info->fingerprint != NULL ? info->fingerprint : "?");
      gtk_label_set_markup (self->host_key_body, body);
      gtk_widget_set_visible (self->host_key_button, info->fingerprint != NULL);
      gtk_widget_remove_css_class (self->host_key_box, "host-key-changed");
      gtk_widget_add_css_class (self->host_key_box, "host-key-unknown");
      gtk_widget_remove_css_class (GTK_WIDGET (self->host_key_icon), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->host_key_icon), "warning");
    }
  else
    {
      g_autofree char *known_hosts = dup_known_hosts_path (self);
      g_autofree char *body = NULL;

      gtk_image_set_from_icon_name (self->host_key_icon, "dialog-error-symbolic");
      gtk_label_set_label (self->host_key_title, _("The host key has changed"));
      /* Translators: the first %s is a fingerprint "SHA256:…", the second a
       * file name; keep the markup. */
      body = g_markup_printf_escaped (_("This may be an attack (someone intercepting the connection) or the server was reinstalled. Status Monitor will not connect until you check it.\n\nOffered key: <tt>%s</tt>\n\nIf the change is expected, remove the old key of this server from <tt>%s</tt> and trust the new one."),
                                      info->fingerprint != NULL ? info->fingerprint : "?",
                                      known_hosts);
      gtk_label_set_markup (self->host_key_body, body);
      gtk_widget_set_visible (self->host_key_button, FALSE);
      gtk_widget_remove_css_class (self->host_key_box, "host-key-unknown");
      gtk_widget_add_css_class (self->host_key_box, "host-key-changed");
      gtk_widget_remove_css_class (GTK_WIDGET (self->host_key_icon), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->host_key_icon), "error");
    }

  gtk_widget_set_visible (self->host_key_box, TRUE);
}

static void
trust_clicked_cb (SmServerPage *self,
                  GtkButton    *button)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *previous = NULL;
  GApplication *app = g_application_get_default ();
  HostKeyInfo *info;
  gint64 id;

  if (self->server == NULL || self->store == NULL)
    return;

  id = sm_server_get_id (self->server);
  info = g_hash_table_lookup (self->host_keys, &id);
  if (info == NULL || info->issue != SM_HOST_KEY_ISSUE_UNKNOWN || info->fingerprint == NULL)
    return;

  /* Pinned on the entry: the next connection accepts exactly this key. */
  previous = g_strdup (sm_server_get_host_key_sha256 (self->server));
  sm_server_set_host_key_sha256 (self->server, info->fingerprint);
  if (!sm_store_save_server (self->store, self->server, SM_SECRET_KEEP, NULL, &error))
    {
      g_autofree char *message = NULL;

      sm_server_set_host_key_sha256 (self->server, previous);
      /* Translators: %s is an error message. */
      message = g_strdup_printf (_("Could not save the key: %s"), error->message);
      gtk_label_set_text (self->host_key_body, message);
      return;
    }

  g_hash_table_remove (self->host_keys, &id);
  update_host_key (self);

  if (SM_IS_APPLICATION (app) && sm_application_get_scheduler (SM_APPLICATION (app)) != NULL)
    sm_scheduler_poll_now (sm_application_get_scheduler (SM_APPLICATION (app)), self->server);
}

static gboolean
tick_cb (gpointer user_data)
{
  update_last_poll (user_data);

  return G_SOURCE_CONTINUE;
}

static void
update_tick (SmServerPage *self)
{
  gboolean wanted = self->server != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (wanted && self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
  else if (!wanted)
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
sm_server_page_map (GtkWidget *widget)
{
  SmServerPage *self = SM_SERVER_PAGE (widget);

  GTK_WIDGET_CLASS (sm_server_page_parent_class)->map (widget);

  update_last_poll (self);
  update_tick (self);
}

static void
sm_server_page_unmap (GtkWidget *widget)
{
  SmServerPage *self = SM_SERVER_PAGE (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  GTK_WIDGET_CLASS (sm_server_page_parent_class)->unmap (widget);
}

static void
update_all (SmServerPage *self)
{
  g_autofree char *port = NULL;
  g_autofree char *interval = NULL;
  const char *group;
  const char *host_key;
  const char *notes;
  const char *username;
  SmAuthMethod method;

  if (self->server == NULL)
    return;

  gtk_label_set_label (self->name_label, sm_server_get_name (self->server));
  update_status (self);
  update_info (self);
  update_last_poll (self);
  update_host_key (self);

  /* "This computer" is read without SSH: no connection to describe. */
  gtk_widget_set_visible (self->connection_group, !sm_server_get_is_local (self->server));
  set_value (self->host_label, sm_server_get_host (self->server));
  port = g_strdup_printf ("%u", sm_server_get_port (self->server));
  gtk_label_set_label (self->port_label, port);
  username = sm_server_get_username (self->server);
  set_value (self->username_label,
             username != NULL && username[0] != '\0' ? username : _("None"));

  method = sm_server_get_auth_method (self->server);
  gtk_label_set_label (self->auth_label, sm_auth_method_to_label (method));
  gtk_widget_set_visible (self->key_file_row, method == SM_AUTH_KEY);
  set_value (self->key_file_label, sm_server_get_key_file (self->server));

  host_key = sm_server_get_host_key_sha256 (self->server);
  set_value (self->host_key_label,
             host_key != NULL && host_key[0] != '\0' ? host_key : _("Not yet verified"));

  group = sm_server_get_group (self->server);
  set_value (self->group_label,
             group != NULL && group[0] != '\0' ? group : _("None"));
  update_tags (self);

  interval = format_interval (sm_server_get_interval (self->server));
  gtk_label_set_label (self->interval_label, interval);
  gtk_label_set_label (self->enabled_label,
                       sm_server_get_enabled (self->server) ? _("Yes") : _("No"));

  notes = sm_server_get_notes (self->server);
  gtk_widget_set_visible (self->notes_group, notes != NULL && notes[0] != '\0');
  gtk_label_set_label (self->notes_label, notes != NULL ? notes : "");

  update_credentials (self);
}

static void
server_notify_cb (SmServerPage *self,
                  GParamSpec   *pspec,
                  SmServer     *server)
{
  /* Status and polls are the frequent changes: they need no decryption. */
  if (g_str_equal (pspec->name, "status") || g_str_equal (pspec->name, "status-reason"))
    {
      update_status (self);
      return;
    }
  if (g_str_equal (pspec->name, "last-poll"))
    {
      update_info (self);
      update_last_poll (self);
      return;
    }

  update_all (self);
}

/* Alerts */

static char *
dup_alert_subtitle (const SmAlertInfo *info)
{
  g_autoptr(GDateTime) since = g_date_time_new_from_unix_local (info->since);
  g_autofree char *time = since != NULL ? g_date_time_format (since, "%x %X") : g_strdup ("");

  switch (info->state)
    {
    case SM_ALERT_STATE_PENDING:
      /* Translators: %s is a date and time. */
      return g_strdup_printf (_("Pending since %s"), time);
    case SM_ALERT_STATE_ACKNOWLEDGED:
      /* Translators: %s is a date and time. */
      return g_strdup_printf (_("Acknowledged, firing since %s"), time);
    case SM_ALERT_STATE_FIRING:
    case SM_ALERT_STATE_INACTIVE:
    case SM_ALERT_STATE_RESOLVED:
    default:
      /* Translators: %s is a date and time. */
      return g_strdup_printf (_("Firing since %s"), time);
    }
}

static void
update_alerts (SmServerPage *self)
{
  g_autoptr(GPtrArray) active = NULL;
  g_autofree char *server_id = NULL;
  guint n = 0;

  if (self->alert_rows == NULL)
    return;

  for (guint i = 0; i < self->alert_rows->len; i++)
    adw_preferences_group_remove (self->active_alerts_group,
                                  g_ptr_array_index (self->alert_rows, i));
  g_ptr_array_set_size (self->alert_rows, 0);

  if (self->manager == NULL || self->server == NULL)
    return;

  server_id = g_strdup_printf ("%" G_GINT64_FORMAT, sm_server_get_id (self->server));
  active = sm_alert_manager_list_active (self->manager);
  for (guint i = 0; active != NULL && i < active->len; i++)
    {
      SmAlertInfo *info = g_ptr_array_index (active, i);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;
      GtkWidget *icon;

      if (g_strcmp0 (info->server_id, server_id) != 0)
        continue;

      subtitle = dup_alert_subtitle (info);
      row = adw_action_row_new ();
      icon = gtk_image_new_from_icon_name (info->severity == SM_SEVERITY_CRITICAL
                                           ? "dialog-error-symbolic"
                                           : "dialog-warning-symbolic");
      gtk_widget_add_css_class (icon, info->severity == SM_SEVERITY_CRITICAL ? "error" : "warning");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      info->severity == SM_SEVERITY_CRITICAL ? _("Critical") : _("Warning"),
                                      -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_preferences_group_add (self->active_alerts_group, row);
      g_ptr_array_add (self->alert_rows, row);
      n++;
    }

  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Active Alerts"));
      gtk_widget_add_css_class (row, "dim-label");
      adw_preferences_group_add (self->active_alerts_group, row);
      g_ptr_array_add (self->alert_rows, row);
    }
}

static void
update_rules_list (SmServerPage *self)
{
  sm_rules_list_set_server_id (self->rules_list,
                               self->server != NULL ? MAX (sm_server_get_id (self->server), 0) : 0);
  sm_rules_list_set_source (self->rules_list,
                            self->manager != NULL ? self->store : NULL,
                            self->manager);
}

static void
manager_changed_cb (SmServerPage *self)
{
  update_alerts (self);
}

void
sm_server_page_set_alert_manager (SmServerPage   *self,
                                  SmAlertManager *manager)
{
  g_return_if_fail (SM_IS_SERVER_PAGE (self));
  g_return_if_fail (manager == NULL || SM_IS_ALERT_MANAGER (manager));

  if (self->manager == manager)
    return;

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, manager_changed_cb, self);
  g_set_object (&self->manager, manager);
  if (self->manager != NULL)
    g_signal_connect_object (self->manager, "changed",
                             G_CALLBACK (manager_changed_cb), self,
                             G_CONNECT_SWAPPED);

  adw_view_stack_page_set_visible (self->alerts_stack_page, manager != NULL);
  gtk_widget_set_visible (self->alerts_view, manager != NULL);
  update_rules_list (self);
  update_alerts (self);
}

static void
sm_server_page_dispose (GObject *object)
{
  SmServerPage *self = SM_SERVER_PAGE (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, server_notify_cb, self);
  /* The switcher lets go of the stack's pages before they go. */
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_SERVER_PAGE);
  g_clear_pointer (&self->host_keys, g_hash_table_unref);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, manager_changed_cb, self);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->alert_rows, g_ptr_array_unref);
  g_clear_object (&self->server);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_server_page_parent_class)->dispose (object);
}

static void
sm_server_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SmServerPage *self = SM_SERVER_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;

    case PROP_VAULT_LOADING:
      g_value_set_boolean (value, self->vault_loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_server_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SmServerPage *self = SM_SERVER_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      sm_server_page_set_store (self, g_value_get_object (value));
      break;

    case PROP_SERVER:
      sm_server_page_set_server (self, g_value_get_object (value));
      break;

    case PROP_VAULT_LOADING:
      sm_server_page_set_vault_loading (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_server_page_class_init (SmServerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_server_page_dispose;
  object_class->get_property = sm_server_page_get_property;
  object_class->set_property = sm_server_page_set_property;

  widget_class->map = sm_server_page_map;
  widget_class->unmap = sm_server_page_unmap;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         SM_TYPE_STORE,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL,
                         SM_TYPE_SERVER,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_VAULT_LOADING] =
    g_param_spec_boolean ("vault-loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SM_TYPE_STATUS_BADGE);
  g_type_ensure (SM_TYPE_OVERVIEW_PAGE);
  g_type_ensure (SM_TYPE_HISTORY_PAGE);
  g_type_ensure (SM_TYPE_RULES_LIST);
  g_type_ensure (SM_TYPE_CHECKS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-server-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, badge);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, info_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, last_poll_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, host_key_box);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, host_key_icon);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, host_key_title);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, host_key_body);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, host_key_button);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, overview_page);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, history_page);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, connection_group);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, host_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, port_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, username_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, auth_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, key_file_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, key_file_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, credentials_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, credentials_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, host_key_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, group_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, tags_none_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, tags_box);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, interval_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, enabled_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, notes_group);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, notes_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, alerts_stack_page);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, alerts_view);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, active_alerts_group);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, rules_list);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, checks_stack_page);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, checks_page);
  gtk_widget_class_bind_template_callback (widget_class, trust_clicked_cb);
}

static void
sm_server_page_init (SmServerPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->alert_rows = g_ptr_array_new ();

  self->host_keys = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                           g_free, (GDestroyNotify) host_key_info_free);
}

GtkWidget *
sm_server_page_new (SmStore *store)
{
  g_return_val_if_fail (store == NULL || SM_IS_STORE (store), NULL);

  return g_object_new (SM_TYPE_SERVER_PAGE,
                       "store", store,
                       NULL);
}

SmStore *
sm_server_page_get_store (SmServerPage *self)
{
  g_return_val_if_fail (SM_IS_SERVER_PAGE (self), NULL);

  return self->store;
}

void
sm_server_page_set_store (SmServerPage *self,
                          SmStore      *store)
{
  g_return_if_fail (SM_IS_SERVER_PAGE (self));
  g_return_if_fail (store == NULL || SM_IS_STORE (store));

  if (g_set_object (&self->store, store))
    {
      update_credentials (self);
      update_rules_list (self);
      sm_checks_page_set_store (self->checks_page, store);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }
}

SmServer *
sm_server_page_get_server (SmServerPage *self)
{
  g_return_val_if_fail (SM_IS_SERVER_PAGE (self), NULL);

  return self->server;
}

/* The History tab charts each check by its name. */
static void
update_check_names (SmServerPage *self)
{
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(GPtrArray) checks = NULL;

  if (self->server == NULL || self->store == NULL)
    {
      sm_history_page_set_check_names (self->history_page, NULL);
      return;
    }
  checks = sm_store_list_checks (self->store, sm_server_get_id (self->server), NULL);
  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      SmCheck *check = g_ptr_array_index (checks, i);

      g_hash_table_insert (names, g_strdup_printf ("%" G_GINT64_FORMAT, check->id),
                           g_strdup (check->name));
    }
  sm_history_page_set_check_names (self->history_page, names);
}

static void
checks_changed_cb (SmServerPage *self,
                   gint64        server_id)
{
  if (self->server != NULL && sm_server_get_id (self->server) == server_id)
    update_check_names (self);
}

void
sm_server_page_set_server (SmServerPage *self,
                           SmServer     *server)
{
  g_return_if_fail (SM_IS_SERVER_PAGE (self));
  g_return_if_fail (server == NULL || SM_IS_SERVER (server));

  if (self->server == server)
    return;

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, server_notify_cb, self);

  g_set_object (&self->server, server);
  sm_overview_page_set_server (self->overview_page, server);
  sm_history_page_set_server (self->history_page, server);
  update_check_names (self);
  sm_checks_page_set_server (self->checks_page, server);

  if (self->server != NULL)
    {
      g_signal_connect_object (self->server, "notify",
                               G_CALLBACK (server_notify_cb), self,
                               G_CONNECT_SWAPPED);
      update_all (self);
    }
  update_tick (self);
  update_rules_list (self);
  update_alerts (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

gboolean
sm_server_page_get_vault_loading (SmServerPage *self)
{
  g_return_val_if_fail (SM_IS_SERVER_PAGE (self), FALSE);

  return self->vault_loading;
}

void
sm_server_page_set_vault_loading (SmServerPage *self,
                                  gboolean      vault_loading)
{
  g_return_if_fail (SM_IS_SERVER_PAGE (self));

  vault_loading = !!vault_loading;
  if (self->vault_loading == vault_loading)
    return;

  self->vault_loading = vault_loading;
  update_credentials (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VAULT_LOADING]);
}

void
sm_server_page_refresh_credentials (SmServerPage *self)
{
  g_return_if_fail (SM_IS_SERVER_PAGE (self));

  update_credentials (self);
}

AdwViewStack *
sm_server_page_get_view_stack (SmServerPage *self)
{
  g_return_val_if_fail (SM_IS_SERVER_PAGE (self), NULL);

  return self->view_stack;
}

AdwViewSwitcherBar *
sm_server_page_get_switcher_bar (SmServerPage *self)
{
  g_return_val_if_fail (SM_IS_SERVER_PAGE (self), NULL);

  return self->switcher_bar;
}

void
sm_server_page_report_host_key (SmServerPage   *self,
                                SmServer       *server,
                                SmHostKeyIssue  issue,
                                const char     *fingerprint)
{
  gint64 id;

  g_return_if_fail (SM_IS_SERVER_PAGE (self));
  g_return_if_fail (SM_IS_SERVER (server));

  id = sm_server_get_id (server);
  if (issue == SM_HOST_KEY_ISSUE_NONE)
    {
      g_hash_table_remove (self->host_keys, &id);
    }
  else
    {
      HostKeyInfo *info = g_new0 (HostKeyInfo, 1);

      info->issue = issue;
      info->fingerprint = g_strdup (fingerprint);
      g_hash_table_insert (self->host_keys, g_memdup2 (&id, sizeof id), info);
    }

  if (self->server != NULL && sm_server_get_id (self->server) == id)
    update_host_key (self);
}

SmHostKeyIssue
sm_server_page_get_host_key_issue (SmServerPage *self,
                                   SmServer     *server)
{
  HostKeyInfo *info;
  gint64 id;

  g_return_val_if_fail (SM_IS_SERVER_PAGE (self), SM_HOST_KEY_ISSUE_NONE);
  g_return_val_if_fail (SM_IS_SERVER (server), SM_HOST_KEY_ISSUE_NONE);

  id = sm_server_get_id (server);
  info = g_hash_table_lookup (self->host_keys, &id);

  return info != NULL ? info->issue : SM_HOST_KEY_ISSUE_NONE;
}

/* Test accessors */

SmOverviewPage *
_sm_server_page_get_overview_page (SmServerPage *self)
{
  return self->overview_page;
}

GtkLabel *
_sm_server_page_get_status_label (SmServerPage *self)
{
  return self->status_label;
}

GtkLabel *
_sm_server_page_get_info_label (SmServerPage *self)
{
  return self->info_label;
}

GtkLabel *
_sm_server_page_get_last_poll_label (SmServerPage *self)
{
  return self->last_poll_label;
}

GtkWidget *
_sm_server_page_get_host_key_box (SmServerPage *self)
{
  return self->host_key_box;
}

GtkLabel *
_sm_server_page_get_host_key_body (SmServerPage *self)
{
  return self->host_key_body;
}

GtkWidget *
_sm_server_page_get_host_key_button (SmServerPage *self)
{
  return self->host_key_button;
}

guint
_sm_server_page_get_tick_id (SmServerPage *self)
{
  return self->tick_id;
}

void
sm_server_page_set_history_reader (SmServerPage    *self,
                                   SmHistoryReader *reader)
{
  g_return_if_fail (SM_IS_SERVER_PAGE (self));

  sm_history_page_set_reader (self->history_page, reader);
  sm_checks_page_set_history_reader (self->checks_page, reader);
}

void
sm_server_page_set_history_unavailable_reason (SmServerPage *self,
                                               const char   *reason)
{
  g_return_if_fail (SM_IS_SERVER_PAGE (self));

  sm_history_page_set_unavailable_reason (self->history_page, reason);
}

SmHistoryPage *
_sm_server_page_get_history_page (SmServerPage *self)
{
  return self->history_page;
}

void
sm_server_page_set_check_scheduler (SmServerPage     *self,
                                    SmCheckScheduler *scheduler)
{
  g_return_if_fail (SM_IS_SERVER_PAGE (self));
  g_return_if_fail (scheduler == NULL || SM_IS_CHECK_SCHEDULER (scheduler));

  if (scheduler != NULL)
    g_signal_connect_object (scheduler, "checks-changed",
                             G_CALLBACK (checks_changed_cb), self, G_CONNECT_SWAPPED);

  sm_checks_page_set_scheduler (self->checks_page, scheduler);
  adw_view_stack_page_set_visible (self->checks_stack_page, scheduler != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->checks_page), scheduler != NULL);
}

SmChecksPage *
_sm_server_page_get_checks_page (SmServerPage *self)
{
  g_return_val_if_fail (SM_IS_SERVER_PAGE (self), NULL);

  return self->checks_page;
}

SmRulesList *
_sm_server_page_get_rules_list (SmServerPage *self)
{
  g_return_val_if_fail (SM_IS_SERVER_PAGE (self), NULL);

  return self->rules_list;
}
