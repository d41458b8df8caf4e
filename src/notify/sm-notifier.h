/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-notifier.h: the interface every notification channel implements.
 *
 * A channel (desktop, Telegram, webhook, email) takes an SmNotification,
 * plain data from the alert engine, and delivers it asynchronously. All
 * calls on one notifier are made from the thread whose thread-default main
 * context was current when it was created; callbacks run there too.
 */
#pragma once

#include <gio/gio.h>

#include "sm-notification.h"

G_BEGIN_DECLS

#define SM_NOTIFIER_ERROR (sm_notifier_error_quark ())
GQuark sm_notifier_error_quark (void);

typedef enum {
  /* The channel's settings cannot work (a malformed token or chat id). */
  SM_NOTIFIER_ERROR_INVALID,
  /* The service refused the credentials (Telegram 401). */
  SM_NOTIFIER_ERROR_AUTH,
  /* The service refused this message for good (Telegram 400, 403, 404);
   * sending it again will not help. */
  SM_NOTIFIER_ERROR_REFUSED,
  /* The service could not be reached or kept failing (network errors,
   * 5xx, 429) after the channel's retries. Worth trying later. */
  SM_NOTIFIER_ERROR_UNAVAILABLE,
  /* The service answered something the channel does not understand. */
  SM_NOTIFIER_ERROR_PROTOCOL,
} SmNotifierError;

#define SM_TYPE_NOTIFIER (sm_notifier_get_type ())
G_DECLARE_INTERFACE (SmNotifier, sm_notifier, SM, NOTIFIER, GObject)

struct _SmNotifierInterface
{
  GTypeInterface parent_iface;

  const char *(*get_name)    (SmNotifier            *self);
  void        (*send_async)  (SmNotifier            *self,
                              const SmNotification  *notification,
                              GCancellable          *cancellable,
                              GAsyncReadyCallback    callback,
                              gpointer               user_data);
  gboolean    (*send_finish) (SmNotifier            *self,
                              GAsyncResult          *result,
                              GError               **error);
};

/* The channel's name as the user gave it ("tg", "desk"). */
const char *sm_notifier_get_name         (SmNotifier            *self);

/* Delivers notification (copied; the caller keeps it). The callback gets
 * TRUE from sm_notifier_send_finish once the channel has handed it over. */
void        sm_notifier_send_async       (SmNotifier            *self,
                                          const SmNotification  *notification,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
gboolean    sm_notifier_send_finish      (SmNotifier            *self,
                                          GAsyncResult          *result,
                                          GError               **error);

/* The text of the Preferences "Send test message" button. */
const char *sm_notifier_test_message     (void);
/* Sends an SM_NOTIFICATION_TEST notification titled with
 * sm_notifier_test_message(); finish with sm_notifier_send_finish. */
void        sm_notifier_send_test_async  (SmNotifier            *self,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);

G_END_DECLS
