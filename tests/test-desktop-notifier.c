/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desktop-notifier.c: SmDesktopNotifier against python3-dbusmock's
 * notification_daemon on a private session bus (GTestDBus).
 *
 * libnotify and the session bus connection are process-global, so the
 * daemon case runs in this process and the no-daemon case in a
 * subprocess with a bus of its own.
 */
#include "config.h"

#include <gio/gio.h>

#include "sm-desktop.h"
#include "sm-test-util.h"

#define WAIT_S       20

typedef struct {
  GMainLoop *loop;
  gboolean   done;
  gboolean   ok;
  GError    *error;
  gint64     alert_id;
  char      *action;
} Wait;

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("timed out after %d s", WAIT_S);
  return G_SOURCE_REMOVE;
}

static void
run_until_done (Wait *wait)
{
  guint id = g_timeout_add_seconds (WAIT_S, timeout_cb, NULL);

  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = sm_notifier_send_finish (SM_NOTIFIER (object), result, &wait->error);
  wait->done = TRUE;
}

static void
action_invoked_cb (SmDesktopNotifier *notifier,
                   gint64             alert_id,
                   const char        *action,
                   gpointer           user_data)
{
  Wait *wait = user_data;

  wait->alert_id = alert_id;
  g_free (wait->action);
  wait->action = g_strdup (action);
  wait->done = TRUE;
}

static gboolean
send (SmDesktopNotifier  *notifier,
      SmNotification     *notification,
      GError            **error)
{
  Wait wait = { 0 };

  sm_notifier_send_async (SM_NOTIFIER (notifier), notification, NULL,
                          send_cb, &wait);
  run_until_done (&wait);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.ok;
}

/* The arguments of the only Notify call since the last ClearCalls. */
static GVariant *
take_notify_call (GDBusConnection *connection)
{
  g_autoptr(GVariant) calls = sm_test_notification_mock_call (connection, "GetCalls", NULL, "(a(tsav))");
  g_autoptr(GVariantIter) iter = NULL;
  GVariant *found = NULL;
  const char *method;
  GVariant *args;
  guint64 when;
  guint n = 0;

  g_variant_get (calls, "(a(tsav))", &iter);
  while (g_variant_iter_loop (iter, "(t&s@av)", &when, &method, &args))
    {
      if (g_strcmp0 (method, "Notify") == 0)
        {
          g_clear_pointer (&found, g_variant_unref);
          found = g_variant_ref (args);
          n++;
        }
    }
  g_assert_cmpuint (n, ==, 1);
  g_variant_unref (sm_test_notification_mock_call (connection, "ClearCalls", NULL, NULL));
  return found;
}

static GVariant *
arg (GVariant *args,
     guint     i)
{
  g_autoptr(GVariant) boxed = g_variant_get_child_value (args, i);

  return g_variant_get_variant (boxed);
}

static void
test_daemon (void)
{
  /* Never freed: g_test_dbus_down waits for the session connection to
   * go, and libnotify keeps it for the life of the process. */
  GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autofree char *skip = NULL;
  g_autoptr(GSubprocess) mock = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(SmDesktopNotifier) notifier = NULL;
  g_autoptr(SmNotification) firing = NULL;
  g_autoptr(SmNotification) resolved = NULL;
  g_autoptr(GVariant) call = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GVariant) hints = NULL;
  g_autoptr(GVariant) urgency = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **actions = NULL;
  Wait wait = { 0 };
  guint32 first_id;

  g_test_dbus_up (bus);
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  /* The bus goes away before the process does. */
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  mock = sm_test_notification_daemon_start (bus, connection, "body actions icon-static", &skip);
  if (mock == NULL)
    {
      g_test_skip (skip);
      g_test_dbus_stop (bus);
      return;
    }

  notifier = sm_desktop_notifier_new ("desk");
  g_assert_cmpstr (sm_notifier_get_name (SM_NOTIFIER (notifier)), ==, "desk");

  /* A critical alert fires. */
  firing = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_CRITICAL,
                                "web-1", "CPU above 90 %", "CPU at 97 % for 5 min");
  firing->alert_id = 42;
  g_assert_true (send (notifier, firing, &error));
  g_assert_no_error (error);

  call = take_notify_call (connection);
  value = arg (call, 1);
  g_assert_cmpuint (g_variant_get_uint32 (value), ==, 0);
  g_clear_pointer (&value, g_variant_unref);
  value = arg (call, 2);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "dialog-error-symbolic");
  g_clear_pointer (&value, g_variant_unref);
  value = arg (call, 3);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "web-1: CPU above 90 %");
  g_clear_pointer (&value, g_variant_unref);
  value = arg (call, 4);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "CPU at 97 % for 5 min");
  g_clear_pointer (&value, g_variant_unref);
  value = arg (call, 5);
  actions = g_variant_get_strv (value, NULL);
  g_assert_cmpuint (g_strv_length ((char **) actions), ==, 4);
  g_assert_cmpstr (actions[0], ==, "acknowledge");
  g_assert_cmpstr (actions[1], ==, "Acknowledge");
  g_assert_cmpstr (actions[2], ==, "open");
  g_assert_cmpstr (actions[3], ==, "Open");
  g_clear_pointer (&value, g_variant_unref);
  hints = arg (call, 6);
  urgency = g_variant_lookup_value (hints, "urgency", G_VARIANT_TYPE_BYTE);
  g_assert_nonnull (urgency);
  g_assert_cmpuint (g_variant_get_byte (urgency), ==, 2);
  g_clear_pointer (&urgency, g_variant_unref);
  g_clear_pointer (&hints, g_variant_unref);
  g_clear_pointer (&call, g_variant_unref);
  /* The mock numbers notifications from 1. */
  first_id = 1;

  /* Invoking "Acknowledge" on it reaches the app. */
  g_signal_connect (notifier, "action-invoked", G_CALLBACK (action_invoked_cb), &wait);
  wait.done = FALSE;
  g_variant_unref (sm_test_notification_mock_call (connection, "EmitSignal",
                              g_variant_new_parsed ("(%s, %s, %s, [<%u>, <%s>])",
                                                    "org.freedesktop.Notifications",
                                                    "ActionInvoked", "us",
                                                    first_id, "acknowledge"),
                              NULL));
  run_until_done (&wait);
  g_assert_cmpint (wait.alert_id, ==, 42);
  g_assert_cmpstr (wait.action, ==, "acknowledge");
  g_clear_pointer (&wait.action, g_free);
  g_variant_unref (sm_test_notification_mock_call (connection, "ClearCalls", NULL, NULL));

  /* The resolved notice replaces it, with low urgency and no actions. */
  resolved = sm_notification_new (SM_NOTIFICATION_RESOLVED, SM_SEVERITY_CRITICAL,
                                  "web-1", "CPU back below 90 %", NULL);
  resolved->alert_id = 42;
  g_assert_true (send (notifier, resolved, &error));
  g_assert_no_error (error);

  call = take_notify_call (connection);
  value = arg (call, 1);
  g_assert_cmpuint (g_variant_get_uint32 (value), ==, first_id);
  g_clear_pointer (&value, g_variant_unref);
  value = arg (call, 2);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "emblem-ok-symbolic");
  g_clear_pointer (&value, g_variant_unref);
  value = arg (call, 3);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "web-1: CPU back below 90 %");
  g_clear_pointer (&value, g_variant_unref);
  value = arg (call, 5);
  g_assert_cmpuint (g_variant_n_children (value), ==, 0);
  g_clear_pointer (&value, g_variant_unref);
  hints = arg (call, 6);
  urgency = g_variant_lookup_value (hints, "urgency", G_VARIANT_TYPE_BYTE);
  g_assert_nonnull (urgency);
  g_assert_cmpuint (g_variant_get_byte (urgency), ==, 0);
  g_clear_pointer (&urgency, g_variant_unref);
  g_clear_pointer (&hints, g_variant_unref);
  g_clear_pointer (&call, g_variant_unref);

  g_clear_object (&notifier);
  g_subprocess_force_exit (mock);
  g_subprocess_wait (mock, NULL, NULL);
  g_test_dbus_stop (bus);
}

static void
test_no_daemon (void)
{
  if (g_test_subprocess ())
    {
      /* Never freed: g_test_dbus_down waits for the session connection to
   * go, and libnotify keeps it for the life of the process. */
  GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_autoptr(GDBusConnection) connection = NULL;
      g_autoptr(SmDesktopNotifier) notifier = NULL;
      g_autoptr(SmNotification) firing = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start;

      g_test_dbus_up (bus);
      connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
      g_assert_no_error (error);
      g_dbus_connection_set_exit_on_close (connection, FALSE);

      notifier = sm_desktop_notifier_new (NULL);
      firing = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_WARNING,
                                    "web-1", "Disk / above 90 %", NULL);
      firing->alert_id = 7;

      g_assert_false (send (notifier, firing, &error));
      g_assert_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE);
      g_assert_cmpstr (error->message, ==, "No notification service is running");
      g_clear_error (&error);

      start = g_get_monotonic_time ();
      g_assert_false (send (notifier, firing, &error));
      g_assert_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE);
      g_assert_cmpstr (error->message, ==, "No notification service is running");
      g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

      g_clear_object (&notifier);
      g_test_dbus_stop (bus);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*no notification service is running*");
  g_test_trap_assert_stderr_unmatched ("*no notification service*no notification service*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/desktop-notifier/daemon", test_daemon);
  g_test_add_func ("/desktop-notifier/no-daemon", test_no_daemon);

  return g_test_run ();
}
