/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-status-badge.c: a small coloured dot that shows a server's status. */
#include "config.h"

#include "sm-status-badge.h"

struct _SmStatusBadge
{
  GtkWidget       parent_instance;

  SmServerStatus  status;
};

G_DEFINE_FINAL_TYPE (SmStatusBadge, sm_status_badge, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sm_status_badge_update (SmStatusBadge *self)
{
  static const SmServerStatus all[] = {
    SM_SERVER_STATUS_UNKNOWN,
    SM_SERVER_STATUS_UP,
    SM_SERVER_STATUS_DEGRADED,
    SM_SERVER_STATUS_DOWN,
    SM_SERVER_STATUS_DISABLED,
  };
  const char *label = sm_server_status_to_label (self->status);

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self), sm_server_status_to_css (all[i]));
  gtk_widget_add_css_class (GTK_WIDGET (self), sm_server_status_to_css (self->status));

  gtk_widget_set_tooltip_text (GTK_WIDGET (self), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
sm_status_badge_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SmStatusBadge *self = SM_STATUS_BADGE (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_status_badge_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SmStatusBadge *self = SM_STATUS_BADGE (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      sm_status_badge_set_status (self, g_value_get_enum (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_status_badge_class_init (SmStatusBadgeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sm_status_badge_get_property;
  object_class->set_property = sm_status_badge_set_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       SM_TYPE_SERVER_STATUS,
                       SM_SERVER_STATUS_UNKNOWN,
                       (G_PARAM_READWRITE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "statusbadge");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sm_status_badge_init (SmStatusBadge *self)
{
  self->status = SM_SERVER_STATUS_UNKNOWN;

  gtk_widget_add_css_class (GTK_WIDGET (self), "status-dot");
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  sm_status_badge_update (self);
}

GtkWidget *
sm_status_badge_new (void)
{
  return g_object_new (SM_TYPE_STATUS_BADGE, NULL);
}

SmServerStatus
sm_status_badge_get_status (SmStatusBadge *self)
{
  g_return_val_if_fail (SM_IS_STATUS_BADGE (self), SM_SERVER_STATUS_UNKNOWN);

  return self->status;
}

void
sm_status_badge_set_status (SmStatusBadge  *self,
                            SmServerStatus  status)
{
  g_return_if_fail (SM_IS_STATUS_BADGE (self));

  if (self->status == status)
    return;

  self->status = status;
  sm_status_badge_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

SmServerStatus
sm_status_badge_status_for_server (SmServer *server)
{
  g_return_val_if_fail (SM_IS_SERVER (server), SM_SERVER_STATUS_UNKNOWN);

  if (!sm_server_get_enabled (server))
    return SM_SERVER_STATUS_DISABLED;

  return sm_server_get_status (server);
}
