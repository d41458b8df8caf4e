/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sm-test-util.h"

#include <gio/gio.h>
#include <sqlite3.h>
#include <string.h>

guint32
sm_test_pixel_at (cairo_surface_t *surface,
                  int              x,
                  int              y)
{
  unsigned char *data;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  g_assert_nonnull (data);
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (surface));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (surface));
  return *(guint32 *) (data + y * cairo_image_surface_get_stride (surface) + x * 4);
}

gboolean
sm_test_wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static sqlite3_stmt *
sql_first_row (const char  *path,
               const char  *sql,
               sqlite3    **out_db)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *out_db = db;
  return stmt;
}

gint64
sm_test_sql_int (const char *path,
                 const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = sql_first_row (path, sql, &db);
  gint64 value = sqlite3_column_int64 (stmt, 0);

  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

char *
sm_test_sql_text (const char *path,
                  const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = sql_first_row (path, sql, &db);
  char *value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));

  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

char *
sm_test_mkdtemp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sm-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rmdir_recursive (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                        NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
        {
          g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

          rmdir_recursive (child);
          g_object_unref (info);
        }
    }
  g_file_delete (file, NULL, NULL);
}

void
sm_test_rmdir (const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  rmdir_recursive (file);
}

char *
sm_test_fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

gboolean
sm_test_file_contains (const char *path,
                       const char *needle,
                       gsize       len)
{
  g_autofree char *contents = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &contents, &size, NULL))
    return FALSE;
  return len <= size && memmem (contents, size, needle, len) != NULL;
}

static double
proc_uptime (void)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents ("/proc/uptime", &text, NULL, NULL));
  return g_ascii_strtod (text, NULL);
}

void
sm_test_wait_for_ticks (void)
{
  double start = proc_uptime ();

  while (proc_uptime () < start + 0.05)
    g_usleep (5 * 1000);
}

/* A GResolver that never touches the network, installed as the default
 * for one test:
 *   local.test    127.0.0.1 and ::1 (as the lookup flags allow)
 *   hang.test     never answers (until cancelled)
 *   anything else does not exist */
#define FAKE_TYPE_RESOLVER (fake_resolver_get_type ())
G_DECLARE_FINAL_TYPE (FakeResolver, fake_resolver, FAKE, RESOLVER, GResolver)

struct _FakeResolver {
  GResolver parent_instance;
};

G_DEFINE_TYPE (FakeResolver, fake_resolver, G_TYPE_RESOLVER)

static GList *
fake_lookup (GResolver                 *resolver,
             const char                *hostname,
             GResolverNameLookupFlags   flags,
             GCancellable              *cancellable,
             GError                   **error)
{
  GList *addresses = NULL;

  if (!g_str_equal (hostname, "local.test"))
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "No such name “%s”", hostname);
      return NULL;
    }
  if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) == 0)
    addresses = g_list_append (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4));
  if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY) == 0)
    addresses = g_list_append (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6));
  return addresses;
}

static GList *
fake_lookup_default (GResolver     *resolver,
                     const char    *hostname,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return fake_lookup (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                      cancellable, error);
}

static gboolean
fake_hang_cancelled_cb (GCancellable *cancellable,
                        gpointer      user_data)
{
  g_task_return_error_if_cancelled (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

static void
fake_lookup_async (GResolver                *resolver,
                   const char               *hostname,
                   GResolverNameLookupFlags  flags,
                   GCancellable             *cancellable,
                   GAsyncReadyCallback       callback,
                   gpointer                  user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses;

  if (g_str_equal (hostname, "hang.test"))
    {
      g_autoptr(GSource) source = NULL;

      g_assert_nonnull (cancellable);
      source = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, source, (GSourceFunc) fake_hang_cancelled_cb);
      return;
    }

  addresses = fake_lookup (resolver, hostname, flags, cancellable, &error);
  if (addresses == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static void
fake_lookup_default_async (GResolver           *resolver,
                           const char          *hostname,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  fake_lookup_async (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                     cancellable, callback, user_data);
}

static GList *
fake_lookup_finish (GResolver     *resolver,
                    GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fake_resolver_class_init (FakeResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name = fake_lookup_default;
  resolver_class->lookup_by_name_async = fake_lookup_default_async;
  resolver_class->lookup_by_name_finish = fake_lookup_finish;
  resolver_class->lookup_by_name_with_flags = fake_lookup;
  resolver_class->lookup_by_name_with_flags_async = fake_lookup_async;
  resolver_class->lookup_by_name_with_flags_finish = fake_lookup_finish;
}

static void
fake_resolver_init (FakeResolver *self)
{
}

GResolver *
sm_test_fake_resolver_install (void)
{
  GResolver *previous = g_resolver_get_default ();
  g_autoptr(GResolver) fake = g_object_new (FAKE_TYPE_RESOLVER, NULL);

  g_resolver_set_default (fake);
  return previous;
}

void
sm_test_fake_resolver_uninstall (GResolver *previous)
{
  g_resolver_set_default (previous);
  g_object_unref (previous);
}

/* python3-dbusmock's notification daemon */

#define NOTIFY_NAME "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"

static void
notify_name_appeared_cb (GDBusConnection *connection,
                         const char      *name,
                         const char      *owner,
                         gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

GSubprocess *
sm_test_notification_daemon_start (GTestDBus        *bus,
                                   GDBusConnection  *connection,
                                   const char       *capabilities,
                                   char            **skip_reason)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parameters = NULL;
  GSubprocess *daemon;
  gboolean appeared = FALSE;
  guint watch;

  if (!g_file_test ("/usr/lib/python3/dist-packages/dbusmock", G_FILE_TEST_IS_DIR))
    {
      *skip_reason = g_strdup ("python3-dbusmock is not installed");
      return NULL;
    }

  parameters = g_strdup_printf ("{\"capabilities\": \"%s\"}", capabilities);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                g_test_dbus_get_bus_address (bus), TRUE);
  /* Debian's python3-dbusmock runs under Debian's python3. */
  daemon = g_subprocess_launcher_spawn (launcher, &error,
                                        "/usr/bin/python3", "-m", "dbusmock",
                                        "--template", "notification_daemon",
                                        "-p", parameters, NULL);
  g_assert_no_error (error);

  watch = g_bus_watch_name_on_connection (connection, NOTIFY_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          notify_name_appeared_cb, NULL, &appeared, NULL);
  sm_test_wait_until (appeared);
  g_bus_unwatch_name (watch);
  return daemon;
}

GVariant *
sm_test_notification_mock_call (GDBusConnection *connection,
                                const char      *method,
                                GVariant        *args,
                                const char      *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_sync (connection, NOTIFY_NAME, NOTIFY_PATH,
                                       "org.freedesktop.DBus.Mock", method, args,
                                       reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  return reply;
}
