/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-desktop.c: the desktop channel, through libnotify.
 *
 * Every alert that is on screen has its NotifyNotification in a map by
 * alert_id, so that a resolved notice can update it and show it again:
 * libnotify keeps the server's id and sends it as replaces_id.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

#include "sm-desktop.h"

struct _SmDesktopNotifier
{
  GObject     parent_instance;

  /* Settings. */
  char       *name;

  /* State. */
  gboolean    caps_known;
  gboolean    has_actions;
  gboolean    told_unavailable;
  gint64      unavailable_until_us;   /* monotonic; 0 when available */

  /* Owned references. */
  GHashTable *shown;                  /* gint64 *alert_id -> NotifyNotification */
};

static void sm_desktop_notifier_iface_init (SmNotifierInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmDesktopNotifier, sm_desktop_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_NOTIFIER,
                                                      sm_desktop_notifier_iface_init))

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum {
  ACTION_INVOKED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

#define ALERT_ID_KEY "sm-alert-id"
#define NOTIFY_SERVICE "org.freedesktop.Notifications"

static void
ensure_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      if (!notify_is_initted ())
        notify_init (PACKAGE_NAME);
      g_once_init_leave (&initialized, 1);
    }
}

static const char *
icon_for (const SmNotification *notification)
{
  switch (notification->kind)
    {
    case SM_NOTIFICATION_RESOLVED:
      return "emblem-ok-symbolic";
    case SM_NOTIFICATION_TEST:
      return "dialog-information-symbolic";
    case SM_NOTIFICATION_FLAPPING:
    case SM_NOTIFICATION_FIRING:
    case SM_NOTIFICATION_ESCALATED:
    default:
      return notification->severity == SM_SEVERITY_CRITICAL
             ? "dialog-error-symbolic" : "dialog-warning-symbolic";
    }
}

static NotifyUrgency
urgency_for (const SmNotification *notification)
{
  if (notification->kind == SM_NOTIFICATION_RESOLVED)
    return NOTIFY_URGENCY_LOW;
  if (notification->kind == SM_NOTIFICATION_TEST)
    return NOTIFY_URGENCY_NORMAL;
  return notification->severity == SM_SEVERITY_CRITICAL
         ? NOTIFY_URGENCY_CRITICAL : NOTIFY_URGENCY_NORMAL;
}

/* "web-1: CPU above 90 %", or the title alone. */
static char *
summary_for (const SmNotification *notification)
{
  const char *title = notification->title != NULL ? notification->title : "";

  if (notification->server != NULL && *notification->server != '\0')
    return g_strdup_printf ("%s: %s", notification->server, title);
  return g_strdup (title);
}

static void
action_cb (NotifyNotification *notification,
           char               *action,
           gpointer            user_data)
{
  SmDesktopNotifier *self = SM_DESKTOP_NOTIFIER (user_data);
  gint64 *alert_id = g_object_get_data (G_OBJECT (notification), ALERT_ID_KEY);

  g_assert (alert_id != NULL);
  g_signal_emit (self, signals[ACTION_INVOKED], 0, *alert_id, action);
}

static void
closed_cb (NotifyNotification *notification,
           gpointer            user_data)
{
  SmDesktopNotifier *self = SM_DESKTOP_NOTIFIER (user_data);
  gint64 *alert_id = g_object_get_data (G_OBJECT (notification), ALERT_ID_KEY);

  if (alert_id != NULL &&
      g_hash_table_lookup (self->shown, alert_id) == notification)
    g_hash_table_remove (self->shown, alert_id);
}

/* Detaches notification from self, for the map's destroy function. */
static void
forget_notification (gpointer data)
{
  NotifyNotification *notification = data;

  g_signal_handlers_disconnect_matched (notification, G_SIGNAL_MATCH_FUNC,
                                        0, 0, NULL, closed_cb, NULL);
  notify_notification_clear_actions (notification);
  g_object_unref (notification);
}

static gboolean
is_no_service_error (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED) ||
         error->domain == G_IO_ERROR;
}

static GError *
no_service_error (void)
{
  return g_error_new_literal (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE,
                              _("No notification service is running"));
}

/* Whether org.freedesktop.Notifications has an owner or can be started,
 * asked before libnotify is: libnotify answers a missing service with a
 * g_warning of its own. */
static gboolean
service_available (GError **error)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **names = NULL;
  gboolean has_owner = FALSE;

  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  if (connection == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner",
                                       g_variant_new ("(s)", NOTIFY_SERVICE),
                                       G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(b)", &has_owner);
  if (has_owner)
    return TRUE;
  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "ListActivatableNames", NULL,
                                       G_VARIANT_TYPE ("(as)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(^a&s)", &names);
  if (g_strv_contains (names, NOTIFY_SERVICE))
    return TRUE;
  g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN,
                       "The name " NOTIFY_SERVICE " is not owned and cannot be activated");
  return FALSE;
}

static gboolean
report_unavailable (SmDesktopNotifier  *self,
                    const GError       *cause,
                    GError            **error)
{
  if (!self->told_unavailable)
    {
      g_message ("%s: no notification service is running (%s); "
                 "desktop notifications are off",
                 self->name, cause->message);
      self->told_unavailable = TRUE;
    }
  self->caps_known = FALSE;
  self->unavailable_until_us = g_get_monotonic_time () +
                               SM_DESKTOP_RETRY_S * G_USEC_PER_SEC;
  g_propagate_error (error, no_service_error ());
  return FALSE;
}

static gboolean
show (SmDesktopNotifier     *self,
      const SmNotification  *notification,
      GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *summary = summary_for (notification);
  NotifyNotification *shown = NULL;
  /* libnotify 0.8 has no autoptr for its type. */
  g_autoptr(GObject) owned_ref = NULL;
  NotifyNotification *owned = NULL;
  gint64 alert_id = notification->alert_id;
  gboolean resolved = notification->kind == SM_NOTIFICATION_RESOLVED;

  if (self->unavailable_until_us > g_get_monotonic_time ())
    {
      g_propagate_error (error, no_service_error ());
      return FALSE;
    }

  if (!service_available (&local_error))
    return report_unavailable (self, local_error, error);

  ensure_init ();

  if (!self->caps_known)
    {
      GList *caps = notify_get_server_caps ();

      if (caps != NULL)
        {
          self->caps_known = TRUE;
          self->has_actions = g_list_find_custom (caps, "actions",
                                                  (GCompareFunc) g_strcmp0) != NULL;
        }
      g_list_free_full (caps, g_free);
    }

  if (alert_id != 0)
    shown = g_hash_table_lookup (self->shown, &alert_id);

  if (shown != NULL)
    {
      notify_notification_update (shown, summary, notification->body,
                                  icon_for (notification));
      notify_notification_clear_actions (shown);
    }
  else
    {
      owned = notify_notification_new (summary, notification->body,
                                       icon_for (notification));
      owned_ref = G_OBJECT (owned);
      shown = owned;
      g_object_set_data_full (G_OBJECT (shown), ALERT_ID_KEY,
                              g_memdup2 (&alert_id, sizeof alert_id), g_free);
      g_signal_connect (shown, "closed", G_CALLBACK (closed_cb), self);
    }

  notify_notification_set_urgency (shown, urgency_for (notification));
  notify_notification_set_app_name (shown, PACKAGE_NAME);
  notify_notification_set_hint_string (shown, "desktop-entry", APP_ID);
  if (self->has_actions && !resolved && alert_id != 0 &&
      notification->kind != SM_NOTIFICATION_TEST)
    {
      notify_notification_add_action (shown, SM_DESKTOP_ACTION_ACKNOWLEDGE,
                                      _("Acknowledge"), action_cb, self, NULL);
      notify_notification_add_action (shown, SM_DESKTOP_ACTION_OPEN,
                                      _("Open"), action_cb, self, NULL);
    }

  if (!notify_notification_show (shown, &local_error))
    {
      if (owned == NULL)
        g_hash_table_remove (self->shown, &alert_id);
      if (is_no_service_error (local_error))
        return report_unavailable (self, local_error, error);
      g_set_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE,
                   _("The notification service failed: %s"),
                   local_error->message);
      return FALSE;
    }
  self->unavailable_until_us = 0;

  /* A resolved alert is over: a later firing gets a notification of its
   * own. Nothing else is tracked for alerts without an id. */
  if (resolved || alert_id == 0)
    {
      if (owned == NULL)
        g_hash_table_remove (self->shown, &alert_id);
    }
  else if (owned != NULL)
    {
      g_hash_table_insert (self->shown,
                           g_memdup2 (&alert_id, sizeof alert_id),
                           g_steal_pointer (&owned_ref));
    }
  return TRUE;
}

static void
sm_desktop_notifier_send_async (SmNotifier           *notifier,
                                const SmNotification *notification,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  SmDesktopNotifier *self = SM_DESKTOP_NOTIFIER (notifier);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_desktop_notifier_send_async);
  g_task_set_name (task, "[sm-desktop] send");

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!show (self, notification, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
sm_desktop_notifier_send_finish (SmNotifier    *notifier,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, notifier), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
sm_desktop_notifier_get_name (SmNotifier *notifier)
{
  return SM_DESKTOP_NOTIFIER (notifier)->name;
}

SmDesktopNotifier *
sm_desktop_notifier_new (const char *name)
{
  return g_object_new (SM_TYPE_DESKTOP_NOTIFIER,
                       "name", name != NULL ? name : "desktop",
                       NULL);
}

static void
sm_desktop_notifier_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SmDesktopNotifier *self = SM_DESKTOP_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_desktop_notifier_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SmDesktopNotifier *self = SM_DESKTOP_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      if (self->name == NULL)
        self->name = g_strdup ("desktop");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_desktop_notifier_dispose (GObject *object)
{
  SmDesktopNotifier *self = SM_DESKTOP_NOTIFIER (object);

  if (self->shown != NULL)
    g_hash_table_remove_all (self->shown);

  G_OBJECT_CLASS (sm_desktop_notifier_parent_class)->dispose (object);
}

static void
sm_desktop_notifier_finalize (GObject *object)
{
  SmDesktopNotifier *self = SM_DESKTOP_NOTIFIER (object);

  g_clear_pointer (&self->shown, g_hash_table_unref);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (sm_desktop_notifier_parent_class)->finalize (object);
}

static void
sm_desktop_notifier_iface_init (SmNotifierInterface *iface)
{
  iface->get_name = sm_desktop_notifier_get_name;
  iface->send_async = sm_desktop_notifier_send_async;
  iface->send_finish = sm_desktop_notifier_send_finish;
}

static void
sm_desktop_notifier_class_init (SmDesktopNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_desktop_notifier_dispose;
  object_class->finalize = sm_desktop_notifier_finalize;
  object_class->get_property = sm_desktop_notifier_get_property;
  object_class->set_property = sm_desktop_notifier_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "desktop",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SmDesktopNotifier::action-invoked:
   * @alert_id: the alert whose notification it was
   * @action: SM_DESKTOP_ACTION_ACKNOWLEDGE or SM_DESKTOP_ACTION_OPEN
   *
   * The user chose an action on a notification.
   */
  signals[ACTION_INVOKED] =
    g_signal_new ("action-invoked",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
sm_desktop_notifier_init (SmDesktopNotifier *self)
{
  self->shown = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                       g_free, forget_notification);
}
