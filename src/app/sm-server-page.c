/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-page.c: the read-only details of the selected server. */
#include "config.h"

#include <glib/gi18n.h>

#include "sm-server-page.h"
#include "sm-status-badge.h"

struct _SmServerPage
{
  AdwBin         parent_instance;

  /* Template widgets */
  SmStatusBadge *badge;
  GtkLabel      *name_label;
  GtkLabel      *status_label;
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

  /* Owned references */
  SmStore       *store;
  SmServer      *server;

  /* State */
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

  sm_status_badge_set_status (self->badge, sm_status_badge_status_for_server (self->server));
  gtk_label_set_label (self->name_label, sm_server_get_name (self->server));
  gtk_label_set_label (self->status_label,
                       sm_server_status_to_label (sm_status_badge_status_for_server (self->server)));

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
  /* A status change is the frequent one: it needs no decryption. */
  if (g_str_equal (pspec->name, "status"))
    {
      SmServerStatus status = sm_status_badge_status_for_server (server);

      sm_status_badge_set_status (self->badge, status);
      gtk_label_set_label (self->status_label, sm_server_status_to_label (status));
      return;
    }

  update_all (self);
}

static void
sm_server_page_dispose (GObject *object)
{
  SmServerPage *self = SM_SERVER_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_SERVER_PAGE);
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

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-server-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, badge);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerPage, status_label);
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
}

static void
sm_server_page_init (SmServerPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }
}

SmServer *
sm_server_page_get_server (SmServerPage *self)
{
  g_return_val_if_fail (SM_IS_SERVER_PAGE (self), NULL);

  return self->server;
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

  if (self->server != NULL)
    {
      g_signal_connect_object (self->server, "notify",
                               G_CALLBACK (server_notify_cb), self,
                               G_CONNECT_SWAPPED);
      update_all (self);
    }

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
