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
