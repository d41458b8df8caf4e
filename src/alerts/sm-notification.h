/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-notification.h: what the alert engine asks a channel to tell, as
 * plain data (no GObjects), so that a notifier can run on any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SM_SEVERITY_WARNING,
  SM_SEVERITY_CRITICAL,
} SmSeverity;

/* "warning", "critical" */
const char *sm_severity_to_string   (SmSeverity  severity);
gboolean    sm_severity_from_string (const char *text,
                                     SmSeverity *out_severity);

typedef enum {
  SM_NOTIFICATION_FIRING,        /* an alert started (or repeats while firing) */
  SM_NOTIFICATION_ESCALATED,     /* still firing, unacknowledged, sent on */
  SM_NOTIFICATION_RESOLVED,      /* it is over */
  SM_NOTIFICATION_FLAPPING,      /* one notice instead of a storm */
  SM_NOTIFICATION_TEST,          /* "Send test message" */
} SmNotificationKind;

typedef struct {
  SmNotificationKind  kind;
  SmSeverity          severity;
  gint64              alert_id;   /* 0 for a test */
  char               *server;     /* server name, may be NULL */
  char               *title;      /* "CPU above 90 %" (plain text) */
  char               *body;       /* details (plain text, may be NULL) */
  double              value;      /* NAN when not a metric */
  gint64              time;       /* unix seconds of the transition */
  char              **channels;   /* channel names to send to (NULL-terminated);
                                   * NULL means the default channels */
} SmNotification;

SmNotification *sm_notification_new   (SmNotificationKind kind,
                                       SmSeverity         severity,
                                       const char        *server,
                                       const char        *title,
                                       const char        *body);
SmNotification *sm_notification_copy  (const SmNotification *notification);
void            sm_notification_free  (SmNotification *notification);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmNotification, sm_notification_free)

G_END_DECLS
