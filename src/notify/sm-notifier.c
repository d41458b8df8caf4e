/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-notifier.c: the interface every notification channel implements. */
#include "config.h"

#include <glib/gi18n.h>

#include "sm-notifier.h"

G_DEFINE_QUARK (sm-notifier-error-quark, sm_notifier_error)

G_DEFINE_INTERFACE (SmNotifier, sm_notifier, G_TYPE_OBJECT)

static void
sm_notifier_default_init (SmNotifierInterface *iface)
{
  (void) iface;
}

const char *
sm_notifier_get_name (SmNotifier *self)
{
  SmNotifierInterface *iface;

  g_return_val_if_fail (SM_IS_NOTIFIER (self), NULL);

  iface = SM_NOTIFIER_GET_IFACE (self);
  g_return_val_if_fail (iface->get_name != NULL, NULL);
  return iface->get_name (self);
}

void
sm_notifier_send_async (SmNotifier           *self,
                        const SmNotification *notification,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  SmNotifierInterface *iface;

  g_return_if_fail (SM_IS_NOTIFIER (self));
  g_return_if_fail (notification != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = SM_NOTIFIER_GET_IFACE (self);
  g_return_if_fail (iface->send_async != NULL);
  iface->send_async (self, notification, cancellable, callback, user_data);
}

gboolean
sm_notifier_send_finish (SmNotifier    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  SmNotifierInterface *iface;

  g_return_val_if_fail (SM_IS_NOTIFIER (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = SM_NOTIFIER_GET_IFACE (self);
  g_return_val_if_fail (iface->send_finish != NULL, FALSE);
  return iface->send_finish (self, result, error);
}

const char *
sm_notifier_test_message (void)
{
  return _("Status Monitor: test message");
}

void
sm_notifier_send_test_async (SmNotifier          *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(SmNotification) notification = NULL;

  g_return_if_fail (SM_IS_NOTIFIER (self));

  notification = sm_notification_new (SM_NOTIFICATION_TEST,
                                      SM_SEVERITY_WARNING, NULL,
                                      sm_notifier_test_message (), NULL);
  sm_notifier_send_async (self, notification, cancellable, callback,
                          user_data);
}
