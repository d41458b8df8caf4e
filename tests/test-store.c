/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-store.c: the SQLite store on real files in temporary directories. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm-alert-store.h"
#include "sm-check-store.h"
#include "sm-store.h"
#include "sm-test-util.h"

#define FINGERPRINT "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
#define FIXTURE_SECRET_HEX \
  "01a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4"

/* Per-test temporary directory and database path. */
typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->dir = sm_test_mkdtemp ();
  fixture->path = g_build_filename (fixture->dir, SM_STORE_FILE_NAME, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  /* A test may have made files read-only; the directory must still go. */
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);

  g_chmod (fixture->path, 0600);
  g_chmod (wal, 0600);
  sm_test_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* Vaults with fixed keys: A and B differ. */
static SmVault *
vault_new (guint8 seed)
{
  guint8 key[SM_VAULT_KEY_SIZE];

  for (guint i = 0; i < SM_VAULT_KEY_SIZE; i++)
    key[i] = (guint8)(seed + i * 7);

  return sm_vault_new_with_key (key);
}

#define vault_a() vault_new (0x11)
#define vault_b() vault_new (0x5a)

/* Raw SQLite access, the way another program would see the file. */

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                    NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 2000);
  return db;
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = raw_open (path);
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* Prepares sql and binds id to ?1 when it has a parameter. */
static sqlite3_stmt *
raw_prepare (sqlite3    *db,
             const char *sql,
             gint64      id)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, id);
  return stmt;
}

#define raw_int(path, sql) raw_int_for (path, sql, 0)

static gint64
raw_int_for (const char *path,
             const char *sql,
             gint64      id)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = raw_prepare (db, sql, id);
  gint64 value;

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* NULL for an SQL NULL. */
#define raw_blob(path, sql) raw_blob_for (path, sql, 0)

static GBytes *
raw_blob_for (const char *path,
              const char *sql,
              gint64      id)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = raw_prepare (db, sql, id);
  GBytes *value = NULL;

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
raw_set_secret (const char *path,
                gint64      id,
                GBytes     *blob)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE servers SET secret = ?1 WHERE id = ?2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob),
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static char *
table_info (const char *path,
            const char *table)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  GString *info = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT cid, name, type, \"notnull\", dflt_value, pk "
                                       "FROM pragma_table_info (?1)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (info, "%s %s %d %s %d\n",
                            sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2),
                            sqlite3_column_int (stmt, 3),
                            sqlite3_column_text (stmt, 4),
                            sqlite3_column_int (stmt, 5));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (info, FALSE);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
write_bytes (const char   *path,
             const void   *data,
             gsize         len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static gboolean
side_file_exists (const char *path,
                  const char *suffix)
{
  g_autofree char *side = g_strconcat (path, suffix, NULL);

  return g_file_test (side, G_FILE_TEST_EXISTS);
}

static guint
count_servers (SmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = sm_store_list_servers (store, &error);

  g_assert_no_error (error);
  g_assert_nonnull (servers);
  return servers->len;
}

static SmStore *
open_ok (const char *path,
         SmVault    *vault)
{
  g_autoptr(GError) error = NULL;
  SmStore *store = sm_store_open (path, vault, &error);

  g_assert_no_error (error);
  g_assert_true (SM_IS_STORE (store));
  return store;
}

static void
save_ok (SmStore        *store,
         SmServer       *server,
         SmSecretAction  action,
         const char     *secret)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sm_store_save_server (store, server, action, secret, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sm_server_get_id (server), >, 0);
}

static SmServer *
make_server (const char   *name,
             SmAuthMethod  method)
{
  SmServer *server = sm_server_new ();

  sm_server_set_name (server, name);
  sm_server_set_host (server, "server.example.org");
  sm_server_set_auth_method (server, method);
  if (method == SM_AUTH_KEY)
    sm_server_set_key_file (server, "~/.ssh/id_ed25519");

  return server;
}

static void
assert_servers_equal (SmServer *a,
                      SmServer *b)
{
  g_assert_cmpint (sm_server_get_id (a), ==, sm_server_get_id (b));
  g_assert_cmpstr (sm_server_get_uuid (a), ==, sm_server_get_uuid (b));
  g_assert_cmpstr (sm_server_get_name (a), ==, sm_server_get_name (b));
  g_assert_cmpstr (sm_server_get_host (a), ==, sm_server_get_host (b));
  g_assert_cmpuint (sm_server_get_port (a), ==, sm_server_get_port (b));
  g_assert_cmpstr (sm_server_get_username (a), ==, sm_server_get_username (b));
  g_assert_cmpint (sm_server_get_auth_method (a), ==, sm_server_get_auth_method (b));
  g_assert_cmpstr (sm_server_get_key_file (a), ==, sm_server_get_key_file (b));
  g_assert_cmpstr (sm_server_get_group (a), ==, sm_server_get_group (b));
  g_assert_cmpstrv (sm_server_get_tags (a), sm_server_get_tags (b));
  g_assert_cmpuint (sm_server_get_interval (a), ==, sm_server_get_interval (b));
  g_assert_cmpint (sm_server_get_enabled (a), ==, sm_server_get_enabled (b));
  g_assert_cmpstr (sm_server_get_notes (a), ==, sm_server_get_notes (b));
  g_assert_cmpstr (sm_server_get_host_key_sha256 (a), ==, sm_server_get_host_key_sha256 (b));
  g_assert_cmpint (sm_server_get_has_secret (a), ==, sm_server_get_has_secret (b));
}

/* Opening and migrations. */

static void
assert_fresh_schema (const char *path)
{
  g_autofree char *journal_mode = sm_test_sql_text (path, "PRAGMA journal_mode");

  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, SM_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (journal_mode, ==, "wal");
  /* 2 = incremental */
  g_assert_cmpint (raw_int (path, "PRAGMA auto_vacuum"), ==, 2);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_master "
                                  "WHERE type = 'table' AND name IN ('servers', 'meta')"), ==, 2);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM pragma_table_info('servers') "
                                  "WHERE name = 'parent_id'"), ==, 1);
}

static void
test_open_new_file (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(SmStore) store = NULL;

  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));

  store = open_ok (fixture->path, NULL);
  g_assert_cmpstr (sm_store_get_path (store), ==, fixture->path);
  g_assert_cmpint (sm_store_get_schema_version (store), ==, SM_STORE_SCHEMA_VERSION);
  g_assert_null (sm_store_get_vault (store));
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_NONE);
  g_assert_cmpuint (count_servers (store), ==, 0);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));

  assert_fresh_schema (fixture->path);
  g_assert_finalize_object (g_steal_pointer (&store));

  /* Opening again finds it current and changes nothing. */
  store = open_ok (fixture->path, NULL);
  g_assert_cmpint (sm_store_get_schema_version (store), ==, SM_STORE_SCHEMA_VERSION);
}

static void
test_open_empty_file (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(SmStore) store = NULL;

  write_bytes (fixture->path, "", 0);

  store = open_ok (fixture->path, NULL);
  g_assert_cmpint (sm_store_get_schema_version (store), ==, SM_STORE_SCHEMA_VERSION);
  assert_fresh_schema (fixture->path);
}

static void
test_open_data_dir (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *data_dir = g_build_filename (fixture->dir, "a", "b", "status-monitor", NULL);
  g_autofree char *db = g_build_filename (data_dir, SM_STORE_FILE_NAME, NULL);
  g_autofree char *blocker = g_build_filename (fixture->dir, "file", NULL);
  g_autofree char *blocked_dir = g_build_filename (blocker, "data", NULL);
  g_autofree char *default_dir = sm_store_default_data_dir ();
  g_autofree char *expected_default = g_build_filename (g_get_user_data_dir (),
                                                        "status-monitor", NULL);
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpstr (default_dir, ==, expected_default);

  store = sm_store_open_data_dir (data_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpstr (sm_store_get_path (store), ==, db);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_clear_object (&store);

  /* A data dir that cannot be created: a path component is a file. */
  write_bytes (blocker, "x", 1);
  store = sm_store_open_data_dir (blocked_dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, blocked_dir));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOTDIR)));
  g_clear_error (&error);

  /* A database in a folder that does not exist. */
  store = sm_store_open (blocked_dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, blocked_dir));
}

static void
build_v1 (const char *path)
{
  g_autofree char *fixture = sm_test_fixture_path ("v1.sql");
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  char *message = NULL;

  g_file_get_contents (fixture, &sql, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                    NULL), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("v1.sql: %s", message);
  sqlite3_close (db);

  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 1);
}

static void
test_migrate_v1 (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *fresh_path = g_build_filename (fixture->dir, "fresh.db", NULL);
  g_autofree char *migrated_info = NULL;
  g_autofree char *fresh_info = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmStore) fresh = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autofree guint8 *expected_secret = NULL;
  SmServer *web;
  SmServer *db;
  SmServer *backup;
  const char * const web_tags[] = { "web", "eu-west", NULL };
  const char * const no_tags[] = { NULL };
  const char * const backup_tags[] = { "backup", NULL };

  build_v1 (fixture->path);

  store = open_ok (fixture->path, NULL);
  g_assert_cmpint (sm_store_get_schema_version (store), ==, SM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (fixture->path, "PRAGMA user_version"), ==, SM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM sqlite_master "
                                           "WHERE type = 'table' AND name = 'meta'"), ==, 1);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM servers "
                                           "WHERE parent_id IS NULL"), ==, 3);

  /* Ordered by group (none first), then name. */
  servers = sm_store_list_servers (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 3);
  db = g_ptr_array_index (servers, 0);
  backup = g_ptr_array_index (servers, 1);
  web = g_ptr_array_index (servers, 2);

  g_assert_cmpint (sm_server_get_id (web), ==, 1);
  g_assert_cmpstr (sm_server_get_uuid (web), ==, "6f1c2a9e-4b7d-4c3e-9a8f-0d1e2f3a4b5c");
  g_assert_cmpstr (sm_server_get_name (web), ==, "web-01");
  g_assert_cmpstr (sm_server_get_host (web), ==, "web01.example.org");
  g_assert_cmpuint (sm_server_get_port (web), ==, 22);
  g_assert_cmpstr (sm_server_get_username (web), ==, "deploy");
  g_assert_cmpint (sm_server_get_auth_method (web), ==, SM_AUTH_PASSWORD);
  g_assert_null (sm_server_get_key_file (web));
  g_assert_true (sm_server_get_has_secret (web));
  g_assert_cmpstr (sm_server_get_group (web), ==, "Production");
  g_assert_cmpstrv (sm_server_get_tags (web), web_tags);
  g_assert_cmpuint (sm_server_get_interval (web), ==, 60);
  g_assert_true (sm_server_get_enabled (web));
  g_assert_cmpstr (sm_server_get_notes (web), ==, "Front end, behind the load balancer");
  g_assert_cmpstr (sm_server_get_host_key_sha256 (web), ==, FINGERPRINT);

  g_assert_cmpint (sm_server_get_id (db), ==, 2);
  g_assert_cmpstr (sm_server_get_uuid (db), ==, "a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d");
  g_assert_cmpstr (sm_server_get_name (db), ==, "db-01");
  g_assert_cmpstr (sm_server_get_host (db), ==, "2001:db8::10");
  g_assert_cmpuint (sm_server_get_port (db), ==, 2222);
  g_assert_cmpstr (sm_server_get_username (db), ==, "");
  g_assert_cmpint (sm_server_get_auth_method (db), ==, SM_AUTH_KEY);
  g_assert_cmpstr (sm_server_get_key_file (db), ==, "~/.ssh/id_ed25519");
  g_assert_false (sm_server_get_has_secret (db));
  g_assert_cmpstr (sm_server_get_group (db), ==, "");
  g_assert_cmpstrv (sm_server_get_tags (db), no_tags);
  g_assert_cmpuint (sm_server_get_interval (db), ==, 300);
  g_assert_false (sm_server_get_enabled (db));
  g_assert_cmpstr (sm_server_get_notes (db), ==, "Ünïcödé — primary database\nsecond line");
  g_assert_null (sm_server_get_host_key_sha256 (db));

  g_assert_cmpint (sm_server_get_id (backup), ==, 3);
  g_assert_cmpstr (sm_server_get_uuid (backup), ==, "0d3f4f0e-8d9c-4b7a-9c4b-1e2f3a4b5c6d");
  g_assert_cmpstr (sm_server_get_name (backup), ==, "Backup");
  g_assert_cmpstr (sm_server_get_host (backup), ==, "192.0.2.10");
  g_assert_cmpuint (sm_server_get_port (backup), ==, 22);
  g_assert_cmpstr (sm_server_get_username (backup), ==, "root");
  g_assert_cmpint (sm_server_get_auth_method (backup), ==, SM_AUTH_AGENT);
  g_assert_null (sm_server_get_key_file (backup));
  g_assert_false (sm_server_get_has_secret (backup));
  g_assert_cmpstr (sm_server_get_group (backup), ==, "Production");
  g_assert_cmpstrv (sm_server_get_tags (backup), backup_tags);
  g_assert_cmpuint (sm_server_get_interval (backup), ==, 5);
  g_assert_true (sm_server_get_enabled (backup));
  g_assert_cmpstr (sm_server_get_notes (backup), ==, "");
  g_assert_null (sm_server_get_host_key_sha256 (backup));

  /* The sealed secret and the timestamps are carried over byte for byte. */
  secret = raw_blob (fixture->path, "SELECT secret FROM servers WHERE id = 1");
  g_assert_nonnull (secret);
  expected_secret = g_new (guint8, strlen (FIXTURE_SECRET_HEX) / 2);
  for (gsize i = 0; i < strlen (FIXTURE_SECRET_HEX) / 2; i++)
    expected_secret[i] = (g_ascii_xdigit_value (FIXTURE_SECRET_HEX[2 * i]) << 4) |
                         g_ascii_xdigit_value (FIXTURE_SECRET_HEX[2 * i + 1]);
  g_assert_cmpmem (g_bytes_get_data (secret, NULL), g_bytes_get_size (secret),
                   expected_secret, strlen (FIXTURE_SECRET_HEX) / 2);
  g_assert_cmpint (raw_int (fixture->path, "SELECT sum(created_at) FROM servers"), ==,
                   G_GINT64_CONSTANT (1700000000) + 1700000200 + 1700000400);
  g_assert_cmpint (raw_int (fixture->path, "SELECT sum(updated_at) FROM servers"), ==,
                   G_GINT64_CONSTANT (1700000100) + 1700000300 + 1700000500);

  /* Same columns as a database created by this version. */
  fresh = open_ok (fresh_path, NULL);
  migrated_info = table_info (fixture->path, "servers");
  fresh_info = table_info (fresh_path, "servers");
  g_assert_cmpstr (migrated_info, ==, fresh_info);
  g_assert_nonnull (strstr (migrated_info, "parent_id INTEGER 0"));
  g_clear_pointer (&migrated_info, g_free);
  g_clear_pointer (&fresh_info, g_free);
  migrated_info = table_info (fixture->path, "meta");
  fresh_info = table_info (fresh_path, "meta");
  g_assert_cmpstr (migrated_info, ==, fresh_info);
}

/* A migration that fails leaves the file exactly as it was. */
static void
test_migrate_fails (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;

  /* A version 1 file that already has a meta table: migration 2 cannot
   * create it. */
  build_v1 (fixture->path);
  raw_exec (fixture->path, "CREATE TABLE meta (something_else TEXT)");
  before = read_bytes (fixture->path);

  store = sm_store_open (fixture->path, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Could not update the database to schema 2; "
                                   "it was left as it was: "));
  g_assert_nonnull (strstr (error->message, fixture->path));

  after = read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpint (raw_int (fixture->path, "PRAGMA user_version"), ==, 1);
  g_assert_false (side_file_exists (fixture->path, "-wal"));
  g_assert_false (side_file_exists (fixture->path, "-journal"));
}

/* Without a check value, a key that cannot open the stored secrets is a
 * mismatch, and no check value is recorded for it. */
static void
test_migrate_v1_foreign_secret (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(SmVault) vault = vault_a ();
  g_autoptr(SmStore) store = NULL;

  build_v1 (fixture->path);

  store = open_ok (fixture->path, vault);
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_MISMATCH);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM meta"), ==, 0);
}

/* CRUD. */

static SmServer *
make_full_server (void)
{
  SmServer *server = sm_server_new ();
  const char * const tags[] = { "web", "eu west", "Ärger", NULL };

  sm_server_set_name (server, "Ünïcödé web ☃");
  sm_server_set_host (server, "2001:db8::1");
  sm_server_set_port (server, 2222);
  sm_server_set_username (server, "deploy");
  sm_server_set_auth_method (server, SM_AUTH_KEY);
  sm_server_set_key_file (server, "/home/me/.ssh/id_ed25519");
  sm_server_set_group (server, "Production");
  sm_server_set_tags (server, tags);
  sm_server_set_interval (server, 300);
  sm_server_set_enabled (server, FALSE);
  sm_server_set_notes (server, "Line one\nLine two — ünïcödé ☃\ttab");
  sm_server_set_host_key_sha256 (server, FINGERPRINT);

  return server;
}

static void
test_crud_round_trip (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) server = make_full_server ();
  g_autoptr(SmServer) loaded = NULL;
  g_autoptr(SmServer) found = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tags_json = NULL;
  const char * const no_tags[] = { NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 id;

  g_assert_cmpint (sm_server_get_id (server), ==, 0);
  save_ok (store, server, SM_SECRET_KEEP, NULL);
  id = sm_server_get_id (server);
  g_assert_false (sm_server_get_has_secret (server));

  loaded = sm_store_get_server (store, id, &error);
  g_assert_no_error (error);
  assert_servers_equal (loaded, server);

  servers = sm_store_list_servers (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 1);
  assert_servers_equal (g_ptr_array_index (servers, 0), server);

  /* Case-insensitive (ASCII) by name. */
  found = sm_store_find_server_by_name (store, "Ünïcödé WEB ☃", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  assert_servers_equal (found, server);
  g_clear_object (&found);
  found = sm_store_find_server_by_name (store, "Ünïcödé web", &error);
  g_assert_no_error (error);
  g_assert_null (found);

  /* Stored as documented. */
  tags_json = sm_test_sql_text (fixture->path, "SELECT tags FROM servers");
  g_assert_cmpstr (tags_json, ==, "[\"web\",\"eu west\",\"Ärger\"]");
  g_assert_cmpint (raw_int (fixture->path, "SELECT created_at FROM servers"), >=, now - 5);
  g_assert_cmpint (raw_int (fixture->path, "SELECT updated_at FROM servers"), <=, now + 5);
  g_assert_cmpint (raw_int (fixture->path, "SELECT secret IS NULL FROM servers"), ==, 1);

  /* Update every field; updated_at moves, created_at stays. */
  raw_exec (fixture->path, "UPDATE servers SET created_at = 1, updated_at = 1");
  sm_server_set_name (server, "renamed");
  sm_server_set_host (server, "192.0.2.10");
  sm_server_set_port (server, 22);
  sm_server_set_username (server, "");
  sm_server_set_auth_method (server, SM_AUTH_AGENT);
  sm_server_set_key_file (server, NULL);
  sm_server_set_group (server, NULL);
  sm_server_set_tags (server, NULL);
  sm_server_set_interval (server, 5);
  sm_server_set_enabled (server, TRUE);
  sm_server_set_notes (server, "");
  sm_server_set_host_key_sha256 (server, NULL);
  save_ok (store, server, SM_SECRET_KEEP, NULL);
  g_assert_cmpint (sm_server_get_id (server), ==, id);
  g_assert_cmpuint (count_servers (store), ==, 1);

  g_clear_object (&loaded);
  loaded = sm_store_get_server (store, id, &error);
  g_assert_no_error (error);
  assert_servers_equal (loaded, server);
  g_assert_cmpstrv (sm_server_get_tags (loaded), no_tags);
  g_assert_cmpint (raw_int (fixture->path, "SELECT created_at FROM servers"), ==, 1);
  g_assert_cmpint (raw_int (fixture->path, "SELECT updated_at FROM servers"), >=, now - 5);

  /* Survives closing and reopening. */
  g_assert_finalize_object (g_steal_pointer (&store));
  store = open_ok (fixture->path, NULL);
  g_clear_object (&loaded);
  loaded = sm_store_get_server (store, id, &error);
  g_assert_no_error (error);
  assert_servers_equal (loaded, server);

  /* Unknown ids. */
  g_clear_object (&loaded);
  loaded = sm_store_get_server (store, id + 100, &error);
  g_assert_null (loaded);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
}

static void
test_crud_order (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;
  const struct {
    const char *name;
    const char *group;
  } rows[] = {
    { "zeta", "" },
    { "beta", "Prod" },
    { "Alpha", "" },
    { "Delta", "prod" },
    { "charlie", "Ops" },
  };
  const char *expected[] = { "Alpha", "zeta", "charlie", "beta", "Delta" };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(SmServer) server = make_server (rows[i].name, SM_AUTH_AGENT);

      sm_server_set_group (server, rows[i].group);
      save_ok (store, server, SM_SECRET_KEEP, NULL);
    }

  servers = sm_store_list_servers (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (sm_server_get_name (g_ptr_array_index (servers, i)), ==, expected[i]);
}

static void
test_crud_duplicate (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) first = make_server ("Web-01", SM_AUTH_AGENT);
  g_autoptr(SmServer) second = make_server ("web-01", SM_AUTH_AGENT);
  g_autoptr(SmServer) other = make_server ("db", SM_AUTH_AGENT);
  g_autoptr(SmServer) loaded = NULL;
  g_autoptr(GError) error = NULL;

  save_ok (store, first, SM_SECRET_KEEP, NULL);

  g_assert_false (sm_store_save_server (store, second, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==,
                   "A server named “web-01” already exists. Choose another name.");
  g_assert_cmpint (sm_server_get_id (second), ==, 0);
  g_assert_cmpuint (count_servers (store), ==, 1);
  g_clear_error (&error);

  /* Renaming another server onto it. */
  save_ok (store, other, SM_SECRET_KEEP, NULL);
  sm_server_set_name (other, "WEB-01");
  g_assert_false (sm_store_save_server (store, other, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);
  loaded = sm_store_get_server (store, sm_server_get_id (other), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sm_server_get_name (loaded), ==, "db");

  /* A server may change the case of its own name. */
  sm_server_set_name (first, "WEB-01");
  save_ok (store, first, SM_SECRET_KEEP, NULL);
  g_clear_object (&loaded);
  loaded = sm_store_get_server (store, sm_server_get_id (first), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sm_server_get_name (loaded), ==, "WEB-01");

  /* The uuid is unique too, and fixed once saved. */
  g_clear_object (&loaded);
  loaded = make_server ("copy", SM_AUTH_AGENT);
  sm_server_set_uuid (loaded, sm_server_get_uuid (first));
  g_assert_false (sm_store_save_server (store, loaded, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);
  sm_server_set_uuid (first, "11111111-2222-4333-8444-555555555555");
  g_assert_false (sm_store_save_server (store, first, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "uuid: "));
  g_assert_cmpuint (count_servers (store), ==, 2);
}

static void
test_crud_invalid (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SmVault) vault = vault_a ();
  g_autoptr(SmStore) store = open_ok (fixture->path, vault);
  g_autoptr(SmServer) stored = make_server ("stored", SM_AUTH_PASSWORD);
  g_autoptr(SmServer) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = {
    "name: must not be empty",
    "host: must not include a user name",
    "port: must be a number from 1 to 65535",
    "port: must be a number from 1 to 65535",
    "username: must not contain spaces",
    "key_file: must not be empty",
    "key_file: must be an absolute path",
    "group: must not contain control characters",
    "tags[1]: must not contain commas",
    "tags: must be 32 tags or fewer",
    "interval: must be from 5 seconds to 1 hour (5-3600)",
    "notes: must be 4096 characters or fewer",
    "host_key_sha256: must be “SHA256:”",
    "uuid: must be a UUID",
    "name: must be 64 characters or fewer",
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(SmServer) server = make_server ("valid", SM_AUTH_PASSWORD);
      g_autoptr(GStrvBuilder) many = g_strv_builder_new ();
      g_auto(GStrv) tags = NULL;
      g_autofree char *long_text = g_strnfill (4097, 'n');
      const char * const bad_tags[] = { "ok", "a,b", NULL };

      switch (i)
        {
        case 0: sm_server_set_name (server, "   "); break;
        case 1: sm_server_set_host (server, "root@example.org"); break;
        case 2: sm_server_set_port (server, 0); break;
        case 3: sm_server_set_port (server, 65536); break;
        case 4: sm_server_set_username (server, "two words"); break;
        case 5: sm_server_set_auth_method (server, SM_AUTH_KEY); break;
        case 6: sm_server_set_key_file (server, "id_ed25519"); break;
        case 7: sm_server_set_group (server, "a\nb"); break;
        case 8: sm_server_set_tags (server, bad_tags); break;
        case 9:
          for (guint j = 0; j < 33; j++)
            {
              g_autofree char *tag = g_strdup_printf ("tag%u", j);

              g_strv_builder_add (many, tag);
            }
          tags = g_strv_builder_end (many);
          sm_server_set_tags (server, (const char * const *)tags);
          break;
        case 10: sm_server_set_interval (server, 4); break;
        case 11: sm_server_set_notes (server, long_text); break;
        case 12: sm_server_set_host_key_sha256 (server, "SHA256:tooshort"); break;
        case 13: sm_server_set_uuid (server, "not-a-uuid"); break;
        case 14: sm_server_set_name (server, long_text); break;
        default: g_assert_not_reached ();
        }

      g_test_message ("invalid case %u", i);
      g_assert_false (sm_store_save_server (store, server, SM_SECRET_SET, "pw", &error));
      g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, expected[i]));
      g_assert_cmpint (sm_server_get_id (server), ==, 0);
      g_assert_false (sm_server_get_has_secret (server));
      g_assert_cmpuint (count_servers (store), ==, 0);
      g_clear_error (&error);
    }

  /* An invalid update leaves the stored row as it was. */
  save_ok (store, stored, SM_SECRET_SET, "first");
  sm_server_set_port (stored, 0);
  sm_server_set_host (stored, "changed.example.org");
  g_assert_false (sm_store_save_server (store, stored, SM_SECRET_CLEAR, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  loaded = sm_store_get_server (store, sm_server_get_id (stored), NULL);
  g_assert_cmpuint (sm_server_get_port (loaded), ==, 22);
  g_assert_cmpstr (sm_server_get_host (loaded), ==, "server.example.org");
  g_assert_true (sm_server_get_has_secret (loaded));
}

static void
test_crud_delete (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) parent = make_server ("parent", SM_AUTH_AGENT);
  g_autoptr(SmServer) child = make_server ("child", SM_AUTH_AGENT);
  g_autoptr(SmServer) loaded = NULL;
  g_autoptr(GError) error = NULL;

  save_ok (store, parent, SM_SECRET_KEEP, NULL);
  save_ok (store, child, SM_SECRET_KEEP, NULL);
  g_assert_cmpint (sm_server_get_id (parent), ==, 1);
  raw_exec (fixture->path, "UPDATE servers SET parent_id = 1 WHERE id = 2");

  g_assert_true (sm_store_delete_server (store, sm_server_get_id (parent), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_servers (store), ==, 1);

  loaded = sm_store_get_server (store, sm_server_get_id (parent), &error);
  g_assert_null (loaded);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* foreign_keys=ON on the store's connection: ON DELETE SET NULL ran. */
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM servers "
                                           "WHERE parent_id IS NULL"), ==, 1);

  g_assert_false (sm_store_delete_server (store, sm_server_get_id (parent), &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  loaded = sm_store_get_server (store, sm_server_get_id (child), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sm_server_get_name (loaded), ==, "child");
}

/* Secrets. */

#define PASSWORD "correct horse battery staple ☃ 7Qx"

static void
test_secret_set_and_load (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(SmVault) vault = vault_a ();
  g_autoptr(SmStore) store = open_ok (fixture->path, vault);
  g_autoptr(SmServer) server = make_server ("pw-server-xyz", SM_AUTH_PASSWORD);
  g_autoptr(SmServer) loaded = NULL;
  g_autoptr(SmSecret) secret = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);

  g_assert_true (sm_store_get_vault (store) == vault);
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_OK);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM meta "
                                           "WHERE key = 'vault_check'"), ==, 1);

  save_ok (store, server, SM_SECRET_SET, PASSWORD);
  g_assert_true (sm_server_get_has_secret (server));

  /* The files hold the server (the scan works) but not the password. */
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (sm_test_file_contains (fixture->path, "pw-server-xyz", 13) ||
                 sm_test_file_contains (wal, "pw-server-xyz", 13));
  g_assert_false (sm_test_file_contains (fixture->path, PASSWORD, strlen (PASSWORD)));
  g_assert_false (sm_test_file_contains (wal, PASSWORD, strlen (PASSWORD)));

  /* Sealed: version byte, 24-byte nonce, ciphertext and 16-byte tag. */
  blob = raw_blob_for (fixture->path, "SELECT secret FROM servers WHERE id = ?1",
                       sm_server_get_id (server));
  g_assert_nonnull (blob);
  g_assert_cmpuint (g_bytes_get_size (blob), ==, 1 + 24 + strlen (PASSWORD) + 16);
  g_assert_cmpint (((const guint8 *)g_bytes_get_data (blob, NULL))[0], ==, 0x01);

  secret = sm_store_load_secret (store, server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, PASSWORD);
  g_clear_pointer (&secret, sm_secret_free);

  loaded = sm_store_get_server (store, sm_server_get_id (server), &error);
  g_assert_no_error (error);
  g_assert_true (sm_server_get_has_secret (loaded));
  secret = sm_store_load_secret (store, loaded, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, PASSWORD);
  g_clear_pointer (&secret, sm_secret_free);

  /* Closed, checkpointed into the main file: still not there. */
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_true (sm_test_file_contains (fixture->path, "pw-server-xyz", 13));
  g_assert_false (sm_test_file_contains (fixture->path, PASSWORD, strlen (PASSWORD)));

  store = open_ok (fixture->path, vault);
  secret = sm_store_load_secret (store, loaded, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, PASSWORD);
}

static char *
load_secret_ok (SmStore  *store,
                SmServer *server)
{
  g_autoptr(GError) error = NULL;
  char *secret = sm_store_load_secret (store, server, &error);

  g_assert_no_error (error);
  return secret;
}

static void
test_secret_keep_clear_agent (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(SmVault) vault = vault_a ();
  g_autoptr(SmStore) store = open_ok (fixture->path, vault);
  g_autoptr(SmServer) server = make_server ("key-server", SM_AUTH_KEY);
  g_autoptr(SmServer) fresh = make_server ("fresh", SM_AUTH_PASSWORD);
  g_autoptr(SmServer) agent = make_server ("agent", SM_AUTH_AGENT);
  g_autoptr(SmServer) loaded = NULL;
  char *secret;

  /* A new server saved with KEEP has nothing stored. */
  save_ok (store, fresh, SM_SECRET_KEEP, "ignored");
  g_assert_false (sm_server_get_has_secret (fresh));
  g_assert_null (load_secret_ok (store, fresh));

  save_ok (store, server, SM_SECRET_SET, "passphrase-1");
  secret = load_secret_ok (store, server);
  g_assert_cmpstr (secret, ==, "passphrase-1");
  sm_secret_free (secret);

  /* KEEP leaves it while other fields change. */
  sm_server_set_host (server, "other.example.org");
  sm_server_set_has_secret (server, FALSE);
  save_ok (store, server, SM_SECRET_KEEP, "ignored");
  g_assert_true (sm_server_get_has_secret (server));
  secret = load_secret_ok (store, server);
  g_assert_cmpstr (secret, ==, "passphrase-1");
  sm_secret_free (secret);

  save_ok (store, server, SM_SECRET_SET, "passphrase-2");
  secret = load_secret_ok (store, server);
  g_assert_cmpstr (secret, ==, "passphrase-2");
  sm_secret_free (secret);

  /* SET with an empty secret clears. */
  save_ok (store, server, SM_SECRET_SET, "");
  g_assert_false (sm_server_get_has_secret (server));
  g_assert_null (load_secret_ok (store, server));
  loaded = sm_store_get_server (store, sm_server_get_id (server), NULL);
  g_assert_false (sm_server_get_has_secret (loaded));
  g_clear_object (&loaded);

  /* CLEAR. */
  save_ok (store, server, SM_SECRET_SET, "passphrase-3");
  g_assert_true (sm_server_get_has_secret (server));
  save_ok (store, server, SM_SECRET_CLEAR, NULL);
  g_assert_false (sm_server_get_has_secret (server));
  g_assert_null (load_secret_ok (store, server));

  /* Switching to the agent clears, even with KEEP. */
  save_ok (store, server, SM_SECRET_SET, "passphrase-4");
  g_assert_true (sm_server_get_has_secret (server));
  sm_server_set_auth_method (server, SM_AUTH_AGENT);
  save_ok (store, server, SM_SECRET_KEEP, NULL);
  g_assert_false (sm_server_get_has_secret (server));
  g_assert_null (load_secret_ok (store, server));
  loaded = sm_store_get_server (store, sm_server_get_id (server), NULL);
  g_assert_false (sm_server_get_has_secret (loaded));

  /* An agent server never stores one. */
  save_ok (store, agent, SM_SECRET_SET, "not-stored");
  g_assert_false (sm_server_get_has_secret (agent));
  g_assert_null (load_secret_ok (store, agent));
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM servers "
                                           "WHERE secret IS NOT NULL"), ==, 0);
}

static void
test_secret_no_vault (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) server = make_server ("pw", SM_AUTH_PASSWORD);
  g_autoptr(SmServer) loaded = NULL;
  g_autoptr(SmVault) vault = vault_a ();
  g_autoptr(GError) error = NULL;
  char *secret;

  g_assert_false (sm_store_save_server (store, server, SM_SECRET_SET, "secret-1", &error));
  g_assert_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND);
  g_assert_null (strstr (error->message, "secret-1"));
  g_assert_cmpint (sm_server_get_id (server), ==, 0);
  g_assert_cmpuint (count_servers (store), ==, 0);
  g_clear_error (&error);

  /* Saved without a secret, then an update that would set one. */
  save_ok (store, server, SM_SECRET_KEEP, NULL);
  g_assert_null (load_secret_ok (store, server));
  sm_server_set_host (server, "changed.example.org");
  g_assert_false (sm_store_save_server (store, server, SM_SECRET_SET, "secret-1", &error));
  g_assert_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND);
  g_clear_error (&error);
  loaded = sm_store_get_server (store, sm_server_get_id (server), NULL);
  g_assert_cmpstr (sm_server_get_host (loaded), ==, "server.example.org");

  /* A secret stored earlier cannot be read without a vault. */
  sm_store_set_vault (store, vault);
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_OK);
  save_ok (store, server, SM_SECRET_SET, "secret-1");
  sm_store_set_vault (store, NULL);
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_NONE);
  g_assert_null (sm_store_get_vault (store));
  secret = sm_store_load_secret (store, server, &error);
  g_assert_null (secret);
  g_assert_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND);
}

static void
assert_unavailable (SmStore    *store,
                    SmServer   *server,
                    const char *plaintext)
{
  g_autoptr(GError) error = NULL;
  char *secret = sm_store_load_secret (store, server, &error);

  g_assert_null (secret);
  g_assert_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_UNAVAILABLE);
  g_assert_true (g_str_has_prefix (error->message, "Credentials unavailable for “"));
  g_assert_nonnull (strstr (error->message, sm_server_get_name (server)));
  g_assert_null (strstr (error->message, plaintext));
}

static void
test_secret_tamper (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(SmVault) vault = vault_a ();
  g_autoptr(SmStore) store = open_ok (fixture->path, vault);
  g_autoptr(SmServer) one = make_server ("one", SM_AUTH_PASSWORD);
  g_autoptr(SmServer) two = make_server ("two", SM_AUTH_PASSWORD);
  g_autoptr(GBytes) original = NULL;
  g_autoptr(GBytes) flipped = NULL;
  g_autoptr(GBytes) truncated = NULL;
  char *secret;
  guint8 *data;
  gsize len;

  save_ok (store, one, SM_SECRET_SET, "secret-one");
  save_ok (store, two, SM_SECRET_SET, "secret-two");

  original = raw_blob_for (fixture->path, "SELECT secret FROM servers WHERE id = ?1",
                           sm_server_get_id (one));
  g_assert_nonnull (original);

  /* One bit flipped in the ciphertext. */
  len = g_bytes_get_size (original);
  data = g_memdup2 (g_bytes_get_data (original, NULL), len);
  data[len - 1] ^= 0x01;
  flipped = g_bytes_new_take (data, len);
  raw_set_secret (fixture->path, sm_server_get_id (one), flipped);
  assert_unavailable (store, one, "secret-one");

  /* Cut short. */
  truncated = g_bytes_new_from_bytes (original, 0, 20);
  raw_set_secret (fixture->path, sm_server_get_id (one), truncated);
  assert_unavailable (store, one, "secret-one");

  /* A valid value moved to another row: the associated data differs. */
  raw_set_secret (fixture->path, sm_server_get_id (two), original);
  assert_unavailable (store, two, "secret-one");

  /* Put back, it opens again. */
  raw_set_secret (fixture->path, sm_server_get_id (one), original);
  secret = load_secret_ok (store, one);
  g_assert_cmpstr (secret, ==, "secret-one");
  sm_secret_free (secret);
}

static void
test_secret_vault_mismatch (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(SmVault) a = vault_a ();
  g_autoptr(SmVault) b = vault_b ();
  g_autoptr(SmStore) store = open_ok (fixture->path, a);
  g_autoptr(SmServer) server = make_server ("pw", SM_AUTH_PASSWORD);
  g_autoptr(GBytes) check_before = NULL;
  g_autoptr(GBytes) check_after = NULL;
  char *secret;

  save_ok (store, server, SM_SECRET_SET, "secret-a");
  check_before = raw_blob (fixture->path, "SELECT value FROM meta WHERE key = 'vault_check'");
  g_assert_nonnull (check_before);
  g_assert_finalize_object (g_steal_pointer (&store));

  store = open_ok (fixture->path, b);
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_MISMATCH);
  assert_unavailable (store, server, "secret-a");
  g_assert_finalize_object (g_steal_pointer (&store));

  /* The check value was not replaced. */
  check_after = raw_blob (fixture->path, "SELECT value FROM meta WHERE key = 'vault_check'");
  g_assert_true (g_bytes_equal (check_before, check_after));

  store = open_ok (fixture->path, a);
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_OK);
  secret = load_secret_ok (store, server);
  g_assert_cmpstr (secret, ==, "secret-a");
  sm_secret_free (secret);
  g_assert_finalize_object (g_steal_pointer (&store));

  /* Given later, as the UI does. */
  store = open_ok (fixture->path, NULL);
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_NONE);
  sm_store_set_vault (store, b);
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_MISMATCH);
  g_assert_true (sm_store_get_vault (store) == b);
  sm_store_set_vault (store, a);
  g_assert_cmpint (sm_store_get_vault_state (store), ==, SM_VAULT_STATE_OK);
}

/* Files that must be left alone. */

static void
test_error_locked (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *v1_path = g_build_filename (fixture->dir, "v1.db", NULL);
  const char *paths[] = { fixture->path, v1_path };
  g_autoptr(SmStore) store = NULL;

  /* A current WAL database, and a version 1 one in rollback mode. */
  store = open_ok (fixture->path, NULL);
  g_clear_object (&store);
  build_v1 (v1_path);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      sqlite3 *holder = raw_open (paths[i]);
      gint64 start;
      gint64 elapsed;

      g_assert_cmpint (sqlite3_exec (holder, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;",
                                     NULL, NULL, NULL), ==, SQLITE_OK);

      start = g_get_monotonic_time ();
      store = sm_store_open (paths[i], NULL, &error);
      elapsed = g_get_monotonic_time () - start;

      g_assert_null (store);
      g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_LOCKED);
      g_assert_true (g_str_has_prefix (error->message, "The database "));
      g_assert_nonnull (strstr (error->message, paths[i]));
      g_assert_nonnull (strstr (error->message, "in use by another program"));
      /* It waited for the busy timeout, and no longer. */
      g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC);
      g_assert_cmpint (elapsed, <, 10 * G_USEC_PER_SEC);

      sqlite3_exec (holder, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close (holder);
    }

  /* The v1 database was not migrated while locked; released, it is. */
  g_assert_cmpint (raw_int (v1_path, "PRAGMA user_version"), ==, 1);
  store = open_ok (v1_path, NULL);
  g_assert_cmpint (sm_store_get_schema_version (store), ==, SM_STORE_SCHEMA_VERSION);
}

static void
test_error_read_only (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) server = make_server ("web", SM_AUTH_AGENT);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  save_ok (store, server, SM_SECRET_KEEP, NULL);
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_false (side_file_exists (fixture->path, "-wal"));

  before = read_bytes (fixture->path);
  g_assert_cmpint (g_chmod (fixture->path, 0444), ==, 0);

  store = sm_store_open (fixture->path, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_READ_ONLY);
  expected = g_strdup_printf ("The database %s is read-only. Make it writable "
                              "(chmod u+w %s) or choose another data directory "
                              "with --data-dir.",
                              fixture->path, fixture->path);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  /* Through the data dir too. */
  store = sm_store_open_data_dir (fixture->dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_READ_ONLY);

  after = read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (side_file_exists (fixture->path, "-wal"));
  g_assert_false (side_file_exists (fixture->path, "-shm"));

  g_assert_cmpint (g_chmod (fixture->path, 0644), ==, 0);
  store = open_ok (fixture->path, NULL);
  g_assert_cmpuint (count_servers (store), ==, 1);
}

static void
assert_rejected_untouched (const char   *path,
                           SmStoreError  code)
{
  g_autoptr(GBytes) before = read_bytes (path);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st_before;
  GStatBuf st_after;

  g_assert_cmpint (g_stat (path, &st_before), ==, 0);

  store = sm_store_open (path, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, SM_STORE_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  if (code == SM_STORE_ERROR_CORRUPT)
    {
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_nonnull (strstr (error->message, "is not a Status Monitor database or is damaged"));
      g_assert_nonnull (strstr (error->message, "left untouched"));
    }

  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpint (g_stat (path, &st_after), ==, 0);
  g_assert_cmpint (st_after.st_mtime, ==, st_before.st_mtime);
  g_assert_false (side_file_exists (path, "-wal"));
  g_assert_false (side_file_exists (path, "-shm"));
  g_assert_false (side_file_exists (path, "-journal"));
}

static void
test_error_corrupt (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *random_path = g_build_filename (fixture->dir, "random.db", NULL);
  g_autofree char *text_path = g_build_filename (fixture->dir, "text.db", NULL);
  g_autofree char *good_path = g_build_filename (fixture->dir, "good.db", NULL);
  g_autofree char *cut_path = g_build_filename (fixture->dir, "cut.db", NULL);
  g_autofree char *foreign_path = g_build_filename (fixture->dir, "foreign.db", NULL);
  g_autofree char *no_servers_path = g_build_filename (fixture->dir, "no-servers.db", NULL);
  g_autofree char *long_notes = g_strnfill (4000, 'n');
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GBytes) good = NULL;
  guint8 noise[16384];
  const char *text = "name,host,port\nweb-01,web.example.org,22\n";

  for (gsize i = 0; i < sizeof noise; i++)
    noise[i] = (guint8)g_rand_int_range (rand, 0, 256);
  write_bytes (random_path, noise, sizeof noise);
  assert_rejected_untouched (random_path, SM_STORE_ERROR_CORRUPT);

  write_bytes (text_path, text, strlen (text));
  assert_rejected_untouched (text_path, SM_STORE_ERROR_CORRUPT);

  /* A real database cut off after its first page. */
  store = open_ok (good_path, NULL);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("server-%u", i);
      g_autoptr(SmServer) server = make_server (name, SM_AUTH_AGENT);

      sm_server_set_notes (server, long_notes);
      save_ok (store, server, SM_SECRET_KEEP, NULL);
    }
  g_assert_finalize_object (g_steal_pointer (&store));
  good = read_bytes (good_path);
  g_assert_cmpuint (g_bytes_get_size (good), >, 8 * 4096);
  write_bytes (cut_path, g_bytes_get_data (good, NULL), 4096);
  assert_rejected_untouched (cut_path, SM_STORE_ERROR_CORRUPT);
  write_bytes (cut_path, g_bytes_get_data (good, NULL), 1000);
  assert_rejected_untouched (cut_path, SM_STORE_ERROR_CORRUPT);

  /* Another program's database: adding our tables would change it. */
  raw_exec (foreign_path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)");
  assert_rejected_untouched (foreign_path, SM_STORE_ERROR_CORRUPT);

  /* Claims version 1 but has no servers table. */
  raw_exec (no_servers_path, "CREATE TABLE other (x); PRAGMA user_version = 1;");
  assert_rejected_untouched (no_servers_path, SM_STORE_ERROR_CORRUPT);
}

static void
test_error_too_new (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  g_assert_finalize_object (g_steal_pointer (&store));
  raw_exec (fixture->path, "PRAGMA user_version = 99");
  assert_rejected_untouched (fixture->path, SM_STORE_ERROR_TOO_NEW);

  store = sm_store_open (fixture->path, NULL, &error);
  g_assert_null (store);
  expected = g_strdup_printf ("%s was written by a newer version of Status Monitor "
                              "(schema 99); this version understands up to %d. "
                              "Update the app.",
                              fixture->path, SM_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (raw_int (fixture->path, "PRAGMA user_version"), ==, 99);
}

/* Writes fail as on a full disk: the file size limit (EFBIG). */
static void
test_error_write_fails (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) first = make_server ("first", SM_AUTH_AGENT);
  g_autoptr(SmServer) big = make_server ("big", SM_AUTH_AGENT);
  g_autoptr(SmServer) after = make_server ("after", SM_AUTH_AGENT);
  g_autoptr(GError) error = NULL;
  g_autofree char *notes = g_strnfill (4096, 'x');
  struct rlimit saved;
  struct rlimit limited;
  void (*saved_handler) (int);
  gboolean saved_ok;

  save_ok (store, first, SM_SECRET_KEEP, NULL);
  sm_server_set_notes (big, notes);

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = 1024;
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);

  saved_ok = sm_store_save_server (store, big, SM_SECRET_KEEP, NULL, &error);

  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_assert_false (saved_ok);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_assert_cmpint (sm_server_get_id (big), ==, 0);

  /* Rolled back, and the store still works. */
  g_assert_cmpuint (count_servers (store), ==, 1);
  save_ok (store, after, SM_SECRET_KEEP, NULL);
  g_assert_cmpuint (count_servers (store), ==, 2);
}

/* Transactions. */

static void
test_transaction_rollback (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) a = make_server ("a", SM_AUTH_AGENT);
  g_autoptr(SmServer) b = make_server ("b", SM_AUTH_AGENT);
  g_autoptr(GError) error = NULL;

  g_assert_true (sm_store_begin (store, &error));
  g_assert_no_error (error);
  save_ok (store, a, SM_SECRET_KEEP, NULL);
  save_ok (store, b, SM_SECRET_KEEP, NULL);
  g_assert_cmpuint (count_servers (store), ==, 2);
  sm_store_rollback (store);

  g_assert_cmpuint (count_servers (store), ==, 0);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM servers"), ==, 0);

  /* Usable again afterwards, with or without a transaction. */
  sm_server_set_id (a, 0);
  save_ok (store, a, SM_SECRET_KEEP, NULL);
  g_assert_cmpuint (count_servers (store), ==, 1);

  /* A delete inside a rolled back transaction is undone too. */
  g_assert_true (sm_store_begin (store, &error));
  g_assert_true (sm_store_delete_server (store, sm_server_get_id (a), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_servers (store), ==, 0);
  sm_store_rollback (store);
  g_assert_cmpuint (count_servers (store), ==, 1);
}

static void
test_transaction_commit (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) a = make_server ("a", SM_AUTH_AGENT);
  g_autoptr(SmServer) dup = make_server ("A", SM_AUTH_AGENT);
  g_autoptr(SmServer) b = make_server ("b", SM_AUTH_AGENT);
  g_autoptr(GError) error = NULL;

  g_assert_true (sm_store_begin (store, &error));

  /* Not visible to other connections before the commit. */
  save_ok (store, a, SM_SECRET_KEEP, NULL);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM servers"), ==, 0);

  /* A failed save undoes only itself. */
  g_assert_false (sm_store_save_server (store, dup, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);
  save_ok (store, b, SM_SECRET_KEEP, NULL);

  g_assert_true (sm_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM servers"), ==, 2);
  g_assert_cmpuint (count_servers (store), ==, 2);
}

/* "This computer" (migration 3): the flag survives a round trip and an
 * upgraded v2 database has it off for every server. */
static void
test_crud_local (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) local = sm_server_new ();
  g_autoptr(SmServer) remote = sm_server_new ();
  g_autoptr(SmServer) loaded = NULL;

  sm_server_set_name (local, "This Computer");
  sm_server_set_host (local, "localhost");
  sm_server_set_is_local (local, TRUE);
  g_assert_true (sm_store_save_server (store, local, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);
  sm_server_set_name (remote, "remote");
  sm_server_set_host (remote, "remote.example");
  g_assert_true (sm_store_save_server (store, remote, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);

  loaded = sm_store_get_server (store, sm_server_get_id (local), &error);
  g_assert_no_error (error);
  g_assert_true (sm_server_get_is_local (loaded));
  g_clear_object (&loaded);
  loaded = sm_store_get_server (store, sm_server_get_id (remote), &error);
  g_assert_no_error (error);
  g_assert_false (sm_server_get_is_local (loaded));
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM servers WHERE local = 1"), ==, 1);

  /* Deadlines survive a round trip; 0 is the default. */
  g_clear_object (&loaded);
  sm_server_set_timeout (remote, SM_TIMEOUT_AUTH, 42);
  g_assert_true (sm_store_save_server (store, remote, SM_SECRET_KEEP, NULL, &error));
  loaded = sm_store_get_server (store, sm_server_get_id (remote), &error);
  g_assert_cmpuint (sm_server_get_timeout (loaded, SM_TIMEOUT_AUTH), ==, 42);
  g_assert_cmpuint (sm_server_get_timeout (loaded, SM_TIMEOUT_CONNECT), ==, 0);
  sm_server_set_timeout (remote, SM_TIMEOUT_AUTH, SM_TIMEOUT_MAX + 1);
  g_assert_false (sm_store_save_server (store, remote, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Updating keeps it. */
  g_clear_object (&loaded);
  sm_server_set_interval (local, 10);
  g_assert_true (sm_store_save_server (store, local, SM_SECRET_KEEP, NULL, &error));
  loaded = sm_store_get_server (store, sm_server_get_id (local), &error);
  g_assert_true (sm_server_get_is_local (loaded));
  g_assert_cmpuint (sm_server_get_interval (loaded), ==, 10);
}

static void
test_local_offered_once (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) taken = sm_server_new ();
  g_autoptr(SmServer) added = NULL;
  g_autoptr(SmServer) again = NULL;

  /* The name is taken already: the built-in entry gets "… 2". */
  sm_server_set_name (taken, "this computer");
  sm_server_set_host (taken, "elsewhere.example");
  g_assert_true (sm_store_save_server (store, taken, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (sm_store_ensure_local_server (store, "This Computer", &added, &error));
  g_assert_no_error (error);
  g_assert_nonnull (added);
  g_assert_cmpstr (sm_server_get_name (added), ==, "This Computer 2");
  g_assert_true (sm_server_get_is_local (added));
  g_assert_cmpint (sm_server_get_id (added), >, 0);
  g_assert_cmpuint (count_servers (store), ==, 2);

  /* Once only, also after the user deleted it. */
  g_assert_true (sm_store_ensure_local_server (store, "This Computer", &again, &error));
  g_assert_null (again);
  g_assert_true (sm_store_delete_server (store, sm_server_get_id (added), &error));
  g_assert_true (sm_store_ensure_local_server (store, "This Computer", &again, &error));
  g_assert_no_error (error);
  g_assert_null (again);
  g_assert_cmpuint (count_servers (store), ==, 1);
}

/* Migration 4: the latest poll per server, and the time the inventory
 * last changed (the first inventory is no change). */
static void
test_save_poll (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) server = sm_server_new ();
  gboolean changed = TRUE;
  gint64 changed_at = -1;
  gint64 id;

  sm_server_set_name (server, "web");
  sm_server_set_host (server, "web.example");
  g_assert_true (sm_store_save_server (store, server, SM_SECRET_KEEP, NULL, &error));
  id = sm_server_get_id (server);

  g_assert_true (sm_store_save_poll (store, id, 1000, "up", "up", "{\"cpu.percent\":5}",
                                     "{\"os_name\":\"Debian 12\"}", &changed, &error));
  g_assert_no_error (error);
  g_assert_false (changed);
  g_assert_true (sm_store_get_specs_changed_at (store, id, &changed_at, &error));
  g_assert_cmpint (changed_at, ==, 0);

  /* A poll without inventory keeps the stored one. */
  g_assert_true (sm_store_save_poll (store, id, 1010, "degraded", "disk / 95% full",
                                     "{\"cpu.percent\":7}", NULL, &changed, &error));
  g_assert_false (changed);
  g_assert_cmpint (raw_int (fixture->path, "SELECT polled_at FROM server_state"), ==, 1010);
  g_assert_cmpint (raw_int (fixture->path, "SELECT specs IS NOT NULL FROM server_state"), ==, 1);
  g_assert_cmpint (raw_int (fixture->path, "SELECT status = 'degraded' FROM server_state"), ==, 1);

  /* The same inventory again: no change. Another one: noted. */
  g_assert_true (sm_store_save_poll (store, id, 1020, "up", "up", "{}",
                                     "{\"os_name\":\"Debian 12\"}", &changed, &error));
  g_assert_false (changed);
  g_assert_true (sm_store_save_poll (store, id, 1030, "up", "up", "{}",
                                     "{\"os_name\":\"Debian 13\"}", &changed, &error));
  g_assert_true (changed);
  g_assert_true (sm_store_get_specs_changed_at (store, id, &changed_at, &error));
  g_assert_cmpint (changed_at, ==, 1030);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM server_state"), ==, 1);

  /* Deleting the server deletes its state. */
  g_assert_true (sm_store_delete_server (store, id, &error));
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM server_state"), ==, 0);
}

/* Alerts (migration 7). */

static guint
count_rules_for (SmStore *store,
                 gint64   server_id)
{
  g_autoptr(GPtrArray) rules = sm_store_list_rules (store, NULL);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, server_id);
  guint n = 0;

  g_assert_nonnull (rules);
  for (guint i = 0; i < rules->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (rules, i);

      n += rule->scope == SM_ALERT_SCOPE_SERVER && g_strcmp0 (rule->scope_value, id) == 0;
    }
  return n;
}

static void
test_alerts_default_rules (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(SmServer) added = make_server ("new-one", SM_AUTH_AGENT);

  /* Servers from an old database get the defaults on migration ... */
  build_v1 (fixture->path);
  store = open_ok (fixture->path, NULL);
  servers = sm_store_list_servers (store, NULL);
  g_assert_cmpuint (servers->len, ==, 3);
  for (guint i = 0; i < servers->len; i++)
    g_assert_cmpuint (count_rules_for (store, sm_server_get_id (g_ptr_array_index (servers, i))), ==, 6);

  /* ... new ones when they are added, and they go with the server. */
  save_ok (store, added, SM_SECRET_KEEP, NULL);
  g_assert_cmpuint (count_rules_for (store, sm_server_get_id (added)), ==, 6);
  g_assert_true (sm_store_delete_server (store, sm_server_get_id (added), NULL));
  /* The three servers' and the three global check rules. */
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM alert_rules"), ==, 21);
}

static void
test_alerts_parent (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmServer) router = make_server ("router", SM_AUTH_AGENT);
  g_autoptr(SmServer) web = make_server ("web", SM_AUTH_AGENT);
  g_autoptr(SmServer) stored = NULL;
  g_autoptr(GError) error = NULL;

  save_ok (store, router, SM_SECRET_KEEP, NULL);
  sm_server_set_parent_id (web, sm_server_get_id (router));
  save_ok (store, web, SM_SECRET_KEEP, NULL);
  stored = sm_store_get_server (store, sm_server_get_id (web), NULL);
  g_assert_cmpint (sm_server_get_parent_id (stored), ==, sm_server_get_id (router));

  /* A cycle, itself, a server that does not exist. */
  sm_server_set_parent_id (router, sm_server_get_id (web));
  g_assert_false (sm_store_save_server (store, router, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "parent: "));
  g_clear_error (&error);
  sm_server_set_parent_id (router, sm_server_get_id (router));
  g_assert_false (sm_store_save_server (store, router, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  sm_server_set_parent_id (router, 9999);
  g_assert_false (sm_store_save_server (store, router, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "parent: no such server");
  g_clear_error (&error);

  /* Deleting the parent leaves the child without one. */
  g_assert_true (sm_store_delete_server (store, sm_server_get_id (router), NULL));
  g_clear_object (&stored);
  stored = sm_store_get_server (store, sm_server_get_id (web), NULL);
  g_assert_cmpint (sm_server_get_parent_id (stored), ==, 0);
}

static void
test_alerts_channels (Fixture       *fixture,
                      gconstpointer  user_data)
{
  static const char token[] = "987654:SECRET-token-value";
  g_autoptr(SmVault) vault = vault_a ();
  g_autoptr(SmStore) store = open_ok (fixture->path, vault);
  g_autoptr(SmChannel) tg = sm_channel_new ("tg", SM_CHANNEL_TELEGRAM);
  g_autoptr(SmChannel) other = sm_channel_new ("TG", SM_CHANNEL_DESKTOP);
  g_autoptr(SmChannel) found = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  /* A Telegram channel needs its token and a chat. */
  g_assert_false (sm_store_save_channel (store, tg, SM_SECRET_SET, token, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "chat_id: "));
  g_clear_error (&error);
  sm_channel_set (tg, "chat_id", "-100123");
  g_assert_true (sm_store_save_channel (store, tg, SM_SECRET_SET, token, &error));
  g_assert_no_error (error);
  g_assert_true (tg->has_secret);

  /* The token is encrypted at rest. */
  g_assert_false (sm_test_file_contains (fixture->path, token, strlen (token)));
  secret = sm_store_load_channel_secret (store, tg, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, token);
  sm_secret_free (secret);

  /* Names are unique regardless of case. */
  g_assert_false (sm_store_save_channel (store, other, SM_SECRET_KEEP, NULL, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);

  /* Saving with KEEP keeps the token. */
  sm_channel_set (tg, "chat_id", "42");
  g_assert_true (sm_store_save_channel (store, tg, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);
  found = sm_store_find_channel (store, "Tg", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (sm_channel_get (found, "chat_id"), ==, "42");
  g_assert_true (found->has_secret);
  secret = sm_store_load_channel_secret (store, found, &error);
  g_assert_cmpstr (secret, ==, token);
  sm_secret_free (secret);

  channels = sm_store_list_channels (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (channels->len, ==, 1);
  g_assert_true (sm_store_delete_channel (store, tg->id, &error));
  g_assert_no_error (error);
  g_assert_false (sm_store_delete_channel (store, tg->id, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
}

static void
test_alerts_windows (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(SmStore) store = open_ok (fixture->path, NULL);
  g_autoptr(SmAlertWindow) quiet = sm_alert_window_new (SM_WINDOW_QUIET_HOURS);
  g_autoptr(SmAlertWindow) bad = sm_alert_window_new (SM_WINDOW_MAINTENANCE);
  g_autoptr(GPtrArray) windows = NULL;
  g_autoptr(GError) error = NULL;
  SmAlertWindow *read;

  quiet->window.days = SM_WEEKDAYS_MON_FRI;
  quiet->window.start = 22 * 60;
  quiet->window.end = 6 * 60 + 30;
  g_assert_true (sm_store_save_window (store, quiet, &error));
  g_assert_no_error (error);
  g_assert_cmpint (quiet->id, >, 0);

  bad->server_id = 4242;
  g_assert_false (sm_store_save_window (store, bad, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  bad->server_id = 0;
  bad->window.days = 0;
  g_assert_false (sm_store_save_window (store, bad, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  windows = sm_store_list_windows (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (windows->len, ==, 1);
  read = g_ptr_array_index (windows, 0);
  g_assert_cmpint (read->kind, ==, SM_WINDOW_QUIET_HOURS);
  g_assert_cmpuint (read->window.days, ==, SM_WEEKDAYS_MON_FRI);
  g_assert_cmpuint (read->window.start, ==, 22 * 60);
  g_assert_cmpuint (read->window.end, ==, 6 * 60 + 30);
  g_assert_true (sm_store_delete_window (store, quiet->id, &error));
  g_clear_pointer (&windows, g_ptr_array_unref);
  windows = sm_store_list_windows (store, &error);
  g_assert_cmpuint (windows->len, ==, 0);
}

/* Service checks (migration 8). */

static SmCheck *
make_check (gint64      server_id,
            const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autofree char *problem = NULL;
  SmCheck *check = sm_check_from_json (node, &problem);

  g_assert_null (problem);
  check->server_id = server_id;
  return check;
}

static void
test_checks_crud (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(SmVault) vault = vault_a ();
  g_autoptr(SmStore) store = open_ok (fixture->path, vault);
  g_autoptr(SmServer) web = make_server ("web", SM_AUTH_AGENT);
  g_autoptr(SmServer) db = make_server ("db", SM_AUTH_AGENT);
  g_autoptr(SmCheck) api = NULL;
  g_autoptr(SmCheck) twin = NULL;
  g_autoptr(SmCheck) other = NULL;
  g_autoptr(SmCheck) beat = NULL;
  g_autoptr(SmCheck) read = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GError) error = NULL;
  static const char token[] = "hb-token-4f9d2a7c1e";
  char *secret;

  save_ok (store, web, SM_SECRET_KEEP, NULL);
  save_ok (store, db, SM_SECRET_KEEP, NULL);

  api = make_check (sm_server_get_id (web),
                    "{\"type\":\"http\",\"name\":\"api\",\"url\":\"https://a.example/\",\"interval\":30}");
  g_assert_true (sm_store_save_check (store, api, &error));
  g_assert_no_error (error);
  g_assert_cmpint (api->id, >, 0);

  /* Names are unique per server, not across servers. */
  twin = make_check (sm_server_get_id (web), "{\"type\":\"tcp\",\"name\":\"API\",\"port\":80}");
  g_assert_false (sm_store_save_check (store, twin, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);
  twin->server_id = sm_server_get_id (db);
  g_assert_true (sm_store_save_check (store, twin, &error));
  g_assert_no_error (error);

  /* Bad input is refused with its field. */
  other = make_check (sm_server_get_id (web), "{\"type\":\"tcp\",\"port\":80}");
  json_object_set_int_member (other->settings, "port", 70000);
  g_assert_false (sm_store_save_check (store, other, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "port: "));
  g_clear_error (&error);
  json_object_set_int_member (other->settings, "port", 80);
  other->server_id = 4242;
  g_assert_false (sm_store_save_check (store, other, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  checks = sm_store_list_checks (store, sm_server_get_id (web), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (checks->len, ==, 1);
  read = sm_store_get_check (store, api->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read->name, ==, "api");
  g_assert_cmpuint (read->interval, ==, 30);
  g_assert_cmpstr (sm_check_get_string (read, "url"), ==, "https://a.example/");

  /* A heartbeat's token is encrypted at rest. */
  beat = make_check (sm_server_get_id (web), "{\"type\":\"heartbeat\",\"interval\":3600}");
  g_assert_true (sm_store_save_check (store, beat, &error));
  g_assert_null (sm_store_load_check_token (store, beat, &error));
  g_assert_no_error (error);
  g_assert_true (sm_store_set_check_token (store, beat, token, &error));
  g_assert_no_error (error);
  g_assert_false (sm_test_file_contains (fixture->path, token, strlen (token)));
  secret = sm_store_load_check_token (store, beat, &error);
  g_assert_cmpstr (secret, ==, token);
  sm_secret_free (secret);

  /* Results: the latest one, read back. */
  {
    g_autoptr(SmCheckResult) result = sm_check_result_new (SM_CHECK_STATUS_DOWN, "status 503");
    g_autoptr(SmCheckResult) back = NULL;

    result->timing.total_ms = 12.5;
    result->http_status = 503;
    sm_check_result_add_metric (result, "latency_ms", 12.5, "ms");
    sm_check_result_add_detail (result, "issuer", "CN=Test CA");
    g_ptr_array_add (result->lines, g_strdup ("line one"));
    g_assert_true (sm_store_save_check_result (store, api->id, result, &error));
    g_assert_no_error (error);
    back = sm_store_get_check_result (store, api->id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (back->status, ==, SM_CHECK_STATUS_DOWN);
    g_assert_cmpstr (back->reason, ==, "status 503");
    g_assert_cmpfloat (back->timing.total_ms, ==, 12.5);
    g_assert_cmpuint (back->http_status, ==, 503);
    g_assert_cmpfloat (sm_check_result_get_metric (back, "latency_ms"), ==, 12.5);
    g_assert_cmpstr (sm_check_result_get_detail (back, "issuer"), ==, "CN=Test CA");
    g_assert_cmpstr (g_ptr_array_index (back->lines, 0), ==, "line one");
    g_assert_cmpint (back->time_us / G_USEC_PER_SEC, ==, result->time_us / G_USEC_PER_SEC);
  }

  /* Probe state survives until the settings change. */
  g_assert_true (sm_store_save_check_state (store, api->id, "{\"offset\":10}", &error));
  {
    g_autofree char *state = sm_store_load_check_state (store, api->id, &error);

    g_assert_cmpstr (state, ==, "{\"offset\":10}");
  }
  json_object_set_string_member (api->settings, "url", "https://b.example/");
  g_assert_true (sm_store_save_check (store, api, &error));
  {
    g_autofree char *state = sm_store_load_check_state (store, api->id, &error);

    g_assert_null (state);
  }

  /* Checks and results go with their server. */
  g_assert_true (sm_store_delete_server (store, sm_server_get_id (web), &error));
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM checks"), ==, 1);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM check_results"), ==, 0);
  g_assert_true (sm_store_delete_check (store, twin->id, &error));
  g_assert_false (sm_store_delete_check (store, twin->id, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/store/open/new-file", test_open_new_file);
  ADD ("/store/open/empty-file", test_open_empty_file);
  ADD ("/store/open/data-dir", test_open_data_dir);
  ADD ("/store/migrate/v1", test_migrate_v1);
  ADD ("/store/migrate/v1-foreign-secret", test_migrate_v1_foreign_secret);
  ADD ("/store/migrate/fails", test_migrate_fails);
  ADD ("/store/crud/round-trip", test_crud_round_trip);
  ADD ("/store/crud/order", test_crud_order);
  ADD ("/store/crud/duplicate", test_crud_duplicate);
  ADD ("/store/crud/invalid", test_crud_invalid);
  ADD ("/store/crud/delete", test_crud_delete);
  ADD ("/store/crud/local", test_crud_local);
  ADD ("/store/crud/local-offered-once", test_local_offered_once);
  ADD ("/store/poll/save", test_save_poll);
  ADD ("/store/secret/set-and-load", test_secret_set_and_load);
  ADD ("/store/secret/keep-clear-agent", test_secret_keep_clear_agent);
  ADD ("/store/secret/no-vault", test_secret_no_vault);
  ADD ("/store/secret/tamper", test_secret_tamper);
  ADD ("/store/secret/vault-mismatch", test_secret_vault_mismatch);
  ADD ("/store/error/locked", test_error_locked);
  ADD ("/store/error/read-only", test_error_read_only);
  ADD ("/store/error/corrupt", test_error_corrupt);
  ADD ("/store/error/too-new", test_error_too_new);
  ADD ("/store/error/write-fails", test_error_write_fails);
  ADD ("/store/transaction/rollback", test_transaction_rollback);
  ADD ("/store/transaction/commit", test_transaction_commit);
  ADD ("/store/alerts/default-rules", test_alerts_default_rules);
  ADD ("/store/alerts/parent", test_alerts_parent);
  ADD ("/store/alerts/channels", test_alerts_channels);
  ADD ("/store/alerts/windows", test_alerts_windows);
  ADD ("/store/checks/crud", test_checks_crud);

#undef ADD

  return g_test_run ();
}
