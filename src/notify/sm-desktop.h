/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-desktop.h: the desktop channel, through libnotify.
 *
 * The summary is the alert's title (after the server's name), the body its
 * details; urgency follows the severity (critical -> critical, warning ->
 * normal, resolved -> low) and the icon the kind. A resolved notice
 * replaces the one still shown for the same alert_id. Where the
 * notification server advertises the "actions" capability, firing notices
 * carry "Acknowledge" and "Open"; invoking one emits ::action-invoked.
 *
 * libnotify talks D-Bus to org.freedesktop.Notifications on the session
 * bus; no GTK is involved. Its calls are synchronous D-Bus round trips, made
 * from send_async on the notifier's thread; ::action-invoked is emitted on
 * the main context that was the thread-default one at the first send.
 *
 * When no notification service is running, sends fail with
 * SM_NOTIFIER_ERROR_UNAVAILABLE ("No notification service is running"),
 * the notifier says so once with g_message, and later sends fail at once
 * (the service is asked again at most every SM_DESKTOP_RETRY_S seconds).
 */
#pragma once

#include <gio/gio.h>

#include "sm-notifier.h"

G_BEGIN_DECLS

/* How long a notifier that found no notification service fails sends
 * without asking the bus again. */
#define SM_DESKTOP_RETRY_S  60

/* Action names passed to ::action-invoked. */
#define SM_DESKTOP_ACTION_ACKNOWLEDGE  "acknowledge"
#define SM_DESKTOP_ACTION_OPEN         "open"

#define SM_TYPE_DESKTOP_NOTIFIER (sm_desktop_notifier_get_type ())
G_DECLARE_FINAL_TYPE (SmDesktopNotifier, sm_desktop_notifier, SM, DESKTOP_NOTIFIER, GObject)

/* name NULL means "desktop". Calls notify_init (PACKAGE_NAME) once per
 * process; nothing is sent here. */
SmDesktopNotifier *sm_desktop_notifier_new (const char *name);

G_END_DECLS
