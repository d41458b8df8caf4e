/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-row.c: one server in the window's sidebar list. */
#include "config.h"

#include <glib/gi18n.h>

#include "sm-server-row.h"
#include "sm-status-badge.h"

struct _SmServerRow
{
  GtkListBoxRow  parent_instance;

  /* Template widgets */
  SmStatusBadge *badge;
  GtkLabel      *name_label;
  GtkLabel      *address_label;

  /* Owned references */
  SmServer      *server;
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
server_notify_cb (SmServerRow *self,
                  GParamSpec  *pspec,
                  SmServer    *server)
{
  sm_server_row_update (self);
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

  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_SERVER_ROW);
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

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-server-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SmServerRow, badge);
  gtk_widget_class_bind_template_child (widget_class, SmServerRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerRow, address_label);
}

static void
sm_server_row_init (SmServerRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
