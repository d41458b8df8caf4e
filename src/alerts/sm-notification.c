/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-notification.c: what the alert engine asks a channel to tell. */
#include "config.h"

#include <math.h>

#include "sm-notification.h"

const char *
sm_severity_to_string (SmSeverity severity)
{
  return severity == SM_SEVERITY_CRITICAL ? "critical" : "warning";
}

gboolean
sm_severity_from_string (const char *text,
                         SmSeverity *out_severity)
{
  g_return_val_if_fail (out_severity != NULL, FALSE);

  if (g_strcmp0 (text, "warning") == 0)
    *out_severity = SM_SEVERITY_WARNING;
  else if (g_strcmp0 (text, "critical") == 0)
    *out_severity = SM_SEVERITY_CRITICAL;
  else
    return FALSE;
  return TRUE;
}

SmNotification *
sm_notification_new (SmNotificationKind  kind,
                     SmSeverity          severity,
                     const char         *server,
                     const char         *title,
                     const char         *body)
{
  SmNotification *notification = g_new0 (SmNotification, 1);

  notification->kind = kind;
  notification->severity = severity;
  notification->server = g_strdup (server);
  notification->title = g_strdup (title);
  notification->body = g_strdup (body);
  notification->value = NAN;
  notification->time = g_get_real_time () / G_USEC_PER_SEC;
  return notification;
}

SmNotification *
sm_notification_copy (const SmNotification *notification)
{
  SmNotification *copy;

  g_return_val_if_fail (notification != NULL, NULL);

  copy = sm_notification_new (notification->kind, notification->severity,
                              notification->server, notification->title,
                              notification->body);
  copy->alert_id = notification->alert_id;
  copy->value = notification->value;
  copy->time = notification->time;
  copy->channels = g_strdupv (notification->channels);
  return copy;
}

void
sm_notification_free (SmNotification *notification)
{
  if (notification == NULL)
    return;
  g_free (notification->server);
  g_free (notification->title);
  g_free (notification->body);
  g_strfreev (notification->channels);
  g_free (notification);
}
