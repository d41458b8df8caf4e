/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-transfer.c: import validation and atomicity, export without secrets. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sm-alert-store.h"
#include "sm-check-store.h"
#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-transfer.h"
#include "sm-vault.h"

/* A new database's global rules on service checks (migration 8). */
#define N_GLOBAL_RULES 3

#define SECRET_PASSWORD   "Tr0ub4dor&3-horse-battery"
#define SECRET_PASSPHRASE "correct-staple-passphrase-42"

typedef struct {
  char    *dir;
  SmVault *vault;
  SmStore *store;
} Fixture;

static const guint8 test_key[SM_VAULT_KEY_SIZE] = {
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = sm_test_mkdtemp ();
  fixture->vault = sm_vault_new_with_key (test_key);
  fixture->store = sm_store_open_data_dir (fixture->dir, fixture->vault, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->vault);
  sm_test_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static guint
count_servers (SmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = sm_store_list_servers (store, &error);

  g_assert_no_error (error);
  return servers->len;
}

static gboolean
import_text (SmStore     *store,
             const char  *text,
             guint       *added,
             guint       *updated,
             GError     **error)
{
  return sm_transfer_import_data (store, "servers.json", text, strlen (text),
                                  added, updated, error);
}

static const char *valid_file =
  "{\"servers\": ["
  " {\"name\": \"web1\", \"host\": \"web1.example.org\", \"port\": 2222,"
  "  \"username\": \"deploy\","
  "  \"auth\": {\"method\": \"password\", \"password\": \"" SECRET_PASSWORD "\"},"
  "  \"group\": \"Production\", \"tags\": [\"web\", \"eu\"], \"interval\": 30,"
  "  \"enabled\": true, \"notes\": \"Front end\","
  "  \"host_key_sha256\": \"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\"},"
  " {\"name\": \"db1\", \"host\": \"2001:db8::10\","
  "  \"auth\": {\"method\": \"key\", \"key_file\": \"/home/ops/.ssh/id_ed25519\","
  "            \"passphrase\": \"" SECRET_PASSPHRASE "\"},"
  "  \"group\": \"Production\"},"
  " {\"name\": \"nas\", \"host\": \"192.0.2.7\", \"auth\": {\"method\": \"agent\"},"
  "  \"enabled\": false}"
  "]}";

static void
test_import_valid (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) web = NULL;
  g_autoptr(SmServer) db = NULL;
  g_autoptr(SmServer) nas = NULL;
  g_autoptr(SmSecret) password = NULL;
  g_autoptr(SmSecret) passphrase = NULL;
  guint added = 99, updated = 99;

  g_assert_true (import_text (fixture->store, valid_file, &added, &updated, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 3);
  g_assert_cmpuint (updated, ==, 0);
  g_assert_cmpuint (count_servers (fixture->store), ==, 3);

  web = sm_store_find_server_by_name (fixture->store, "web1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (web);
  g_assert_cmpstr (sm_server_get_host (web), ==, "web1.example.org");
  g_assert_cmpuint (sm_server_get_port (web), ==, 2222);
  g_assert_cmpstr (sm_server_get_username (web), ==, "deploy");
  g_assert_cmpint (sm_server_get_auth_method (web), ==, SM_AUTH_PASSWORD);
  g_assert_cmpstr (sm_server_get_group (web), ==, "Production");
  g_assert_cmpuint (g_strv_length ((GStrv) sm_server_get_tags (web)), ==, 2);
  g_assert_cmpstr (sm_server_get_tags (web)[1], ==, "eu");
  g_assert_cmpuint (sm_server_get_interval (web), ==, 30);
  g_assert_true (sm_server_get_enabled (web));
  g_assert_cmpstr (sm_server_get_notes (web), ==, "Front end");
  g_assert_cmpstr (sm_server_get_host_key_sha256 (web), ==,
                   "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
  g_assert_true (sm_server_get_has_secret (web));
  password = sm_store_load_secret (fixture->store, web, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET_PASSWORD);

  db = sm_store_find_server_by_name (fixture->store, "DB1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  g_assert_cmpstr (sm_server_get_host (db), ==, "2001:db8::10");
  g_assert_cmpuint (sm_server_get_port (db), ==, 22);
  g_assert_cmpint (sm_server_get_auth_method (db), ==, SM_AUTH_KEY);
  g_assert_cmpstr (sm_server_get_key_file (db), ==, "/home/ops/.ssh/id_ed25519");
  passphrase = sm_store_load_secret (fixture->store, db, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passphrase, ==, SECRET_PASSPHRASE);

  nas = sm_store_find_server_by_name (fixture->store, "nas", &error);
  g_assert_no_error (error);
  g_assert_nonnull (nas);
  g_assert_false (sm_server_get_enabled (nas));
  g_assert_false (sm_server_get_has_secret (nas));
  g_assert_cmpint (sm_server_get_auth_method (nas), ==, SM_AUTH_AGENT);
}

/* Each case: a file, and lines that must all be in the error message. */
typedef struct {
  const char *json;
  const char *expected[4];
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "not json at all", { "servers.json: not valid JSON" } },
  { "[1, 2]", { "servers.json: the top level must be an object" } },
  { "{\"servers\": 3}", { "servers.json: servers: must be an array" } },
  { "{\"servers\": [], \"extra\": 1}", { "servers.json: extra: unknown field" } },
  { "{\"servers\": [7]}", { "servers.json: servers[0]: must be an object" } },
  { "{\"servers\": [{\"host\": \"a.example\"}]}",
    { "servers.json: servers[0].name: is required" } },
  { "{\"servers\": [{\"name\": \"a\"}]}",
    { "servers.json: servers[0].host: is required" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"auth\": {\"method\": \"agent\"}},"
    "              {\"name\": \"b\", \"host\": \"b.example\", \"auth\": {\"method\": \"agent\"}},"
    "              {\"name\": \"c\", \"host\": \"c.example\", \"auth\": {\"method\": \"agent\"}},"
    "              {\"name\": \"d\", \"host\": \"d.example\", \"port\": 70000, \"auth\": {\"method\": \"agent\"}}]}",
    { "servers.json: servers[3].port: must be a number from 1 to 65535" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"port\": \"22\"}]}",
    { "servers.json: servers[0].port: must be a whole number" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"port\": 0}]}",
    { "servers.json: servers[0].port: must be a number from 1 to 65535" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"bad host!\"}]}",
    { "servers.json: servers[0].host: " } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"interval\": 1}]}",
    { "servers.json: servers[0].interval: " } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"enabled\": \"yes\"}]}",
    { "servers.json: servers[0].enabled: must be true or false" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"tags\": [\"ok\", 5]}]}",
    { "servers.json: servers[0].tags[1]: must be a string" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"prot\": 22}]}",
    { "servers.json: servers[0].prot: unknown field" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"auth\": {\"method\": \"telnet\"}}]}",
    { "servers.json: servers[0].auth.method: must be \"password\", \"key\" or \"agent\"" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"auth\": {\"method\": \"key\"}}]}",
    { "servers.json: servers[0].auth.key_file: is required" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"auth\": {\"method\": \"password\"}}]}",
    { "servers.json: servers[0].auth.password: is required" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"auth\": {\"method\": \"agent\", \"password\": \"x\"}}]}",
    { "servers.json: servers[0].auth.password: is only used with method \"password\"" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"timeouts\": {\"connect\": 601}}]}",
    { "servers.json: servers[0].timeouts.connect: must be from 1 to 600 seconds" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"timeouts\": {\"banner\": 5, \"auth\": \"9\"}}]}",
    { "servers.json: servers[0].timeouts.banner: unknown field",
      "servers.json: servers[0].timeouts.auth: must be a whole number" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"timeouts\": 5}]}",
    { "servers.json: servers[0].timeouts: must be an object" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"host_key_sha256\": \"MD5:aa\"}]}",
    { "servers.json: servers[0].host_key_sha256: " } },
  { "{\"servers\": [{\"name\": \"Web\", \"host\": \"a.example\"}, {\"name\": \"web\", \"host\": \"b.example\"}]}",
    { "servers.json: servers[1].name: “web” is used twice in this file (also servers[0])" } },
  /* Every problem is reported, not just the first. */
  { "{\"servers\": [{\"name\": \"\", \"host\": \"\", \"port\": -1}, {\"name\": \"b\", \"host\": \"b.example\", \"interval\": 7200}]}",
    { "servers.json: servers[0].name: ", "servers.json: servers[0].host: ",
      "servers.json: servers[0].port: ", "servers.json: servers[1].interval: " } },
};

static void
test_import_invalid (Fixture       *fixture,
                     gconstpointer  user_data)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *c = &invalid_cases[i];
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s", i, c->json);
      g_assert_false (import_text (fixture->store, c->json, NULL, NULL, &error));
      g_assert_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID);
      for (guint j = 0; j < G_N_ELEMENTS (c->expected) && c->expected[j] != NULL; j++)
        {
          if (strstr (error->message, c->expected[j]) == NULL)
            g_error ("case %u: expected “%s” in:\n%s", i, c->expected[j], error->message);
        }
      /* Nothing of a rejected file is applied. */
      g_assert_cmpuint (count_servers (fixture->store), ==, 0);
    }
}

/* A file whose last entry fails only when it is applied (no vault to seal its
 * password) leaves nothing behind: one transaction. */
static void
test_import_atomic_apply (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  const char *file =
    "{\"servers\": ["
    " {\"name\": \"a\", \"host\": \"a.example\", \"auth\": {\"method\": \"agent\"}},"
    " {\"name\": \"b\", \"host\": \"b.example\", \"auth\": {\"method\": \"agent\"}},"
    " {\"name\": \"c\", \"host\": \"c.example\","
    "  \"auth\": {\"method\": \"password\", \"password\": \"hunter2hunter2\"}}]}";

  store = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (import_text (store, file, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (strstr (error->message, "servers[2]") != NULL);
  g_assert_cmpuint (count_servers (store), ==, 0);

  g_clear_object (&store);
  sm_test_rmdir (dir);
}

static void
test_import_updates (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) web = NULL;
  g_autoptr(SmServer) nas = NULL;
  g_autoptr(SmSecret) password = NULL;
  guint added = 0, updated = 0;
  gint64 web_id;
  const char *update =
    "{\"servers\": ["
    " {\"name\": \"WEB1\", \"host\": \"web1.example.net\", \"port\": 22,"
    "  \"auth\": {\"method\": \"password\"}},"
    " {\"name\": \"nas\", \"host\": \"192.0.2.7\","
    "  \"auth\": {\"method\": \"password\", \"password\": \"new-nas-password\"}},"
    " {\"name\": \"new\", \"host\": \"new.example\"}]}";

  g_assert_true (import_text (fixture->store, valid_file, NULL, NULL, &error));
  g_assert_no_error (error);
  web = sm_store_find_server_by_name (fixture->store, "web1", &error);
  web_id = sm_server_get_id (web);
  g_clear_object (&web);

  g_assert_true (import_text (fixture->store, update, &added, &updated, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 1);
  g_assert_cmpuint (updated, ==, 2);
  g_assert_cmpuint (count_servers (fixture->store), ==, 4);

  /* Same row, new values; fields the file leaves out are kept; the stored
   * password is kept because the file gives none. */
  web = sm_store_find_server_by_name (fixture->store, "web1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sm_server_get_id (web), ==, web_id);
  g_assert_cmpstr (sm_server_get_name (web), ==, "WEB1");
  g_assert_cmpstr (sm_server_get_host (web), ==, "web1.example.net");
  g_assert_cmpuint (sm_server_get_port (web), ==, 22);
  g_assert_cmpstr (sm_server_get_group (web), ==, "Production");
  g_assert_cmpuint (sm_server_get_interval (web), ==, 30);
  password = sm_store_load_secret (fixture->store, web, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, SECRET_PASSWORD);
  g_clear_pointer (&password, sm_secret_free);

  nas = sm_store_find_server_by_name (fixture->store, "nas", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sm_server_get_auth_method (nas), ==, SM_AUTH_PASSWORD);
  password = sm_store_load_secret (fixture->store, nas, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "new-nas-password");
}

static void
test_export_round_trip (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "export.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *dir2 = sm_test_mkdtemp ();
  g_autoptr(SmStore) store2 = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *wal_path = NULL;
  GStatBuf st;

  g_assert_true (import_text (fixture->store, valid_file, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (sm_transfer_export_file (fixture->store, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* No secret in the export, the database or its WAL. */
  g_assert_true (sm_test_file_contains (path, "web1.example.org", strlen ("web1.example.org")));
  g_assert_false (sm_test_file_contains (path, SECRET_PASSWORD, strlen (SECRET_PASSWORD)));
  g_assert_false (sm_test_file_contains (path, SECRET_PASSPHRASE, strlen (SECRET_PASSPHRASE)));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "\"password\" :"));
  g_assert_null (strstr (contents, "\"passphrase\" :"));

  db_path = g_build_filename (fixture->dir, SM_STORE_FILE_NAME, NULL);
  wal_path = g_strconcat (db_path, "-wal", NULL);
  g_assert_true (sm_test_file_contains (db_path, "web1.example.org", strlen ("web1.example.org")) ||
                 sm_test_file_contains (wal_path, "web1.example.org", strlen ("web1.example.org")));
  g_assert_false (sm_test_file_contains (db_path, SECRET_PASSWORD, strlen (SECRET_PASSWORD)));
  g_assert_false (sm_test_file_contains (wal_path, SECRET_PASSWORD, strlen (SECRET_PASSWORD)));
  g_assert_false (sm_test_file_contains (db_path, SECRET_PASSPHRASE, strlen (SECRET_PASSPHRASE)));
  g_assert_false (sm_test_file_contains (wal_path, SECRET_PASSPHRASE, strlen (SECRET_PASSPHRASE)));

  /* An export imports into an empty store as the same servers, but a
   * password server without its password is refused: secrets never travel. */
  store2 = sm_store_open_data_dir (dir2, fixture->vault, &error);
  g_assert_no_error (error);
  g_assert_false (sm_transfer_import_data (store2, "export.json", contents, strlen (contents),
                                           NULL, NULL, &error));
  g_assert_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "export.json: servers[2].auth.password: is required"));
  g_clear_error (&error);

  before = sm_store_list_servers (fixture->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < before->len; i++)
    {
      SmServer *server = g_ptr_array_index (before, i);
      if (sm_server_get_auth_method (server) == SM_AUTH_PASSWORD)
        g_assert_true (sm_store_save_server (fixture->store, server, SM_SECRET_CLEAR, NULL, &error));
    }
  g_clear_pointer (&contents, g_free);
  contents = sm_transfer_export_data (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (contents);
  {
    /* Switch the password server to the agent so the export imports. */
    g_autoptr(GString) patched = g_string_new (contents);
    g_assert_cmpuint (g_string_replace (patched, "\"method\" : \"password\"", "\"method\" : \"agent\"", 0), ==, 1);
    g_assert_true (sm_transfer_import_data (store2, "export.json", patched->str, patched->len,
                                            NULL, NULL, &error));
    g_assert_no_error (error);
  }

  after = sm_store_list_servers (store2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    {
      SmServer *a = g_ptr_array_index (before, i);
      SmServer *b = g_ptr_array_index (after, i);
      g_autofree char *tags_a = g_strjoinv (",", (GStrv) sm_server_get_tags (a));
      g_autofree char *tags_b = g_strjoinv (",", (GStrv) sm_server_get_tags (b));

      g_assert_cmpstr (sm_server_get_name (a), ==, sm_server_get_name (b));
      g_assert_cmpstr (sm_server_get_host (a), ==, sm_server_get_host (b));
      g_assert_cmpuint (sm_server_get_port (a), ==, sm_server_get_port (b));
      g_assert_cmpstr (sm_server_get_group (a), ==, sm_server_get_group (b));
      g_assert_cmpstr (tags_a, ==, tags_b);
      g_assert_cmpuint (sm_server_get_interval (a), ==, sm_server_get_interval (b));
      g_assert_cmpint (sm_server_get_enabled (a), ==, sm_server_get_enabled (b));
      g_assert_cmpstr (sm_server_get_notes (a), ==, sm_server_get_notes (b));
      g_assert_cmpstr (sm_server_get_key_file (a), ==, sm_server_get_key_file (b));
      g_assert_cmpstr (sm_server_get_host_key_sha256 (a), ==, sm_server_get_host_key_sha256 (b));
    }

  g_clear_object (&store2);
  sm_test_rmdir (dir2);
}

static void
test_list_outputs (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *table = NULL;
  g_autofree char *json = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *array;
  JsonObject *first;

  g_assert_true (import_text (fixture->store, valid_file, NULL, NULL, &error));
  g_assert_no_error (error);

  table = sm_transfer_list_table (fixture->store, &error);
  g_assert_no_error (error);
  lines = g_strsplit (table, "\n", -1);
  /* Header, three servers, and the empty string after the last newline. */
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[0], "NAME"));
  g_assert_nonnull (strstr (table, "web1.example.org"));
  g_assert_nonnull (strstr (table, "2222"));
  g_assert_null (strstr (table, SECRET_PASSWORD));
  /* Columns line up: "HOST" starts where each host starts. */
  {
    const char *host_col = strstr (lines[0], "HOST");
    gsize offset = host_col - lines[0];
    for (guint i = 1; i < 4; i++)
      g_assert_cmpint (lines[i][offset - 1], ==, ' ');
  }

  json = sm_transfer_list_json (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (json, SECRET_PASSWORD));
  g_assert_null (strstr (json, SECRET_PASSPHRASE));
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  /* Ungrouped first, then by name: nas, db1, web1. */
  first = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "nas");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "name"), ==, "db1");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_array_get_object_element (array, 2), "auth"), "method"), ==, "password");
  g_assert_false (json_object_has_member (json_object_get_object_member (json_array_get_object_element (array, 2), "auth"), "password"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 2), "port"), ==, 2222);
  g_assert_false (json_object_get_boolean_member (first, "enabled"));
}

/* Per-server SSH deadlines: imported, stored, exported, kept on update. */
static void
test_timeouts (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) server = NULL;
  g_autofree char *export = NULL;
  const char *file =
    "{\"servers\": [{\"name\": \"slow\", \"host\": \"slow.example\","
    " \"timeouts\": {\"connect\": 3, \"command\": 120}}]}";
  const char *update =
    "{\"servers\": [{\"name\": \"slow\", \"host\": \"slow.example\", \"port\": 2222}]}";

  g_assert_true (import_text (fixture->store, file, NULL, NULL, &error));
  g_assert_no_error (error);
  server = sm_store_find_server_by_name (fixture->store, "slow", &error);
  g_assert_cmpuint (sm_server_get_timeout (server, SM_TIMEOUT_CONNECT), ==, 3);
  g_assert_cmpuint (sm_server_get_timeout (server, SM_TIMEOUT_HANDSHAKE), ==, 0);
  g_assert_cmpuint (sm_server_get_timeout (server, SM_TIMEOUT_COMMAND), ==, 120);

  export = sm_transfer_export_data (fixture->store, &error);
  g_assert_nonnull (strstr (export, "\"timeouts\" : {"));
  g_assert_nonnull (strstr (export, "\"command\" : 120"));
  g_assert_null (strstr (export, "\"handshake\""));

  /* A re-import without "timeouts" keeps them. */
  g_clear_object (&server);
  g_assert_true (import_text (fixture->store, update, NULL, NULL, &error));
  server = sm_store_find_server_by_name (fixture->store, "slow", &error);
  g_assert_cmpuint (sm_server_get_port (server), ==, 2222);
  g_assert_cmpuint (sm_server_get_timeout (server, SM_TIMEOUT_COMMAND), ==, 120);
}

/* "This computer" is listed (auth "local") but never exported. */
static void
test_local_server (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) local = NULL;
  g_autofree char *export = NULL;
  g_autofree char *table = NULL;
  g_autofree char *json = NULL;

  g_assert_true (sm_store_ensure_local_server (fixture->store, "This Computer", &local, &error));
  g_assert_no_error (error);
  g_assert_true (import_text (fixture->store, valid_file, NULL, NULL, &error));
  g_assert_no_error (error);

  export = sm_transfer_export_data (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (export, "This Computer"));
  g_assert_nonnull (strstr (export, "web1"));

  table = sm_transfer_list_table (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (table, "This Computer"));
  g_assert_nonnull (strstr (table, " local "));

  json = sm_transfer_list_json (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (json, "\"local\" : true"));
}

/* Alert settings: channels, rules, quiet hours, maintenance, parents. */

#define TG_TOKEN      "123456:SECRET-tg_token-XYZ"
#define HOOK_SECRET   "SECRET-hook-path"
#define MAIL_PASSWORD "SECRET-mail-password"

static char *
read_fixture (const char *name)
{
  g_autofree char *path = sm_test_fixture_path (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static guint
count_channels (SmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) channels = sm_store_list_channels (store, &error);

  g_assert_no_error (error);
  return channels->len;
}

static guint
count_rules (SmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = sm_store_list_rules (store, &error);

  g_assert_no_error (error);
  return rules->len;
}

static guint
count_windows (SmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) windows = sm_store_list_windows (store, &error);

  g_assert_no_error (error);
  return windows->len;
}

static SmChannel *
find_channel (SmStore    *store,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  SmChannel *channel = sm_store_find_channel (store, name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (channel);
  return channel;
}

static gint64
server_id (SmStore    *store,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) server = sm_store_find_server_by_name (store, name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (server);
  return sm_server_get_id (server);
}

/* The first stored rule on target with the given scope. */
static SmAlertRule *
find_rule (SmStore      *store,
           const char   *target,
           SmAlertScope  scope)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = sm_store_list_rules (store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rules->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (rules, i);

      if (g_str_equal (rule->target, target) && rule->scope == scope)
        return sm_alert_rule_copy (rule);
    }
  return NULL;
}

static void
assert_no_secret_in_database (Fixture *fixture)
{
  g_autofree char *db_path = g_build_filename (fixture->dir, SM_STORE_FILE_NAME, NULL);
  g_autofree char *wal_path = g_strconcat (db_path, "-wal", NULL);
  const char *secrets[] = { TG_TOKEN, HOOK_SECRET, MAIL_PASSWORD };

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      g_assert_false (sm_test_file_contains (db_path, secrets[i], strlen (secrets[i])));
      g_assert_false (sm_test_file_contains (wal_path, secrets[i], strlen (secrets[i])));
    }
}

static void
test_import_alerts (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *file = read_fixture ("import-alerts.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(SmChannel) tg = NULL;
  g_autoptr(SmChannel) hook = NULL;
  g_autoptr(SmChannel) mail = NULL;
  g_autoptr(SmChannel) desk = NULL;
  g_autoptr(SmSecret) secret = NULL;
  g_autoptr(SmAlertRule) cpu = NULL;
  g_autoptr(SmAlertRule) mem = NULL;
  g_autoptr(SmAlertRule) disk = NULL;
  g_autoptr(GPtrArray) windows = NULL;
  g_autoptr(SmServer) db = NULL;
  g_autofree char *web_id_text = NULL;
  SmTransferCounts counts = { 0 };
  gint64 web_id;
  guint n_rules;
  gboolean saw_quiet = FALSE, saw_web = FALSE, saw_all = FALSE;

  g_assert_true (sm_transfer_import_data_full (fixture->store, "alerts.json", file,
                                               strlen (file), &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.servers_added, ==, 2);
  g_assert_cmpuint (counts.channels_added, ==, 4);
  g_assert_cmpuint (counts.channels_updated, ==, 0);
  g_assert_cmpuint (counts.rules_added, ==, 3);
  g_assert_cmpuint (counts.windows_added, ==, 3);

  /* Parent resolved by name. */
  web_id = server_id (fixture->store, "web-1");
  web_id_text = g_strdup_printf ("%" G_GINT64_FORMAT, web_id);
  db = sm_store_find_server_by_name (fixture->store, "db-1", &error);
  g_assert_cmpint (sm_server_get_parent_id (db), ==, web_id);

  /* Channels; secrets encrypted, readable only through the store. */
  g_assert_cmpuint (count_channels (fixture->store), ==, 4);
  tg = find_channel (fixture->store, "tg");
  g_assert_cmpint (tg->type, ==, SM_CHANNEL_TELEGRAM);
  g_assert_cmpstr (sm_channel_get (tg, "chat_id"), ==, "42");
  g_assert_cmpstr (sm_channel_get (tg, "api_base"), ==, "https://api.telegram.org");
  g_assert_null (sm_channel_get (tg, "bot_token"));
  g_assert_true (tg->has_secret);
  g_assert_false (tg->is_default);
  g_assert_true (tg->enabled);
  secret = sm_store_load_channel_secret (fixture->store, tg, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, TG_TOKEN);
  g_clear_pointer (&secret, sm_secret_free);

  hook = find_channel (fixture->store, "hook");
  g_assert_cmpstr (sm_channel_get (hook, "format"), ==, "slack");
  g_assert_false (hook->enabled);
  secret = sm_store_load_channel_secret (fixture->store, hook, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (secret, HOOK_SECRET));
  g_clear_pointer (&secret, sm_secret_free);

  mail = find_channel (fixture->store, "mail");
  g_assert_cmpstr (sm_channel_get (mail, "port"), ==, "587");
  g_assert_cmpstr (sm_channel_get (mail, "to"), ==, "ops@example.org");
  secret = sm_store_load_channel_secret (fixture->store, mail, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, MAIL_PASSWORD);
  g_clear_pointer (&secret, sm_secret_free);

  desk = find_channel (fixture->store, "desk");
  g_assert_cmpint (desk->type, ==, SM_CHANNEL_DESKTOP);
  g_assert_false (desk->has_secret);
  g_assert_true (desk->is_default);

  assert_no_secret_in_database (fixture);

  /* Rules: the server's name became its id; global and group scopes. */
  cpu = find_rule (fixture->store, "cpu.percent", SM_ALERT_SCOPE_SERVER);
  g_assert_nonnull (cpu);
  /* The server's default cpu rule is there too; the imported one has "for" 5m
   * and the two channels. */
  {
    g_autoptr(GPtrArray) rules = sm_store_list_rules (fixture->store, &error);
    gboolean found = FALSE;

    for (guint i = 0; i < rules->len; i++)
      {
        SmAlertRule *rule = g_ptr_array_index (rules, i);

        if (rule->channels != NULL && g_strv_length (rule->channels) == 2)
          {
            found = TRUE;
            g_assert_cmpstr (rule->target, ==, "cpu.percent");
            g_assert_cmpint (rule->scope, ==, SM_ALERT_SCOPE_SERVER);
            g_assert_cmpstr (rule->scope_value, ==, web_id_text);
            g_assert_cmpint (rule->for_seconds, ==, 300);
            g_assert_cmpint (rule->severity, ==, SM_SEVERITY_CRITICAL);
            g_assert_cmpstr (rule->channels[0], ==, "desk");
            g_assert_cmpstr (rule->channels[1], ==, "tg");
            g_assert_true (g_str_has_prefix (rule->id, "r-"));
          }
      }
    g_assert_true (found);
  }
  mem = find_rule (fixture->store, "mem.used_percent", SM_ALERT_SCOPE_ALL);
  g_assert_nonnull (mem);
  g_assert_cmpint (mem->op, ==, SM_ALERT_OP_GE);
  g_assert_cmpfloat (mem->threshold, ==, 95);
  disk = find_rule (fixture->store, "disk.*.used_percent", SM_ALERT_SCOPE_GROUP);
  g_assert_nonnull (disk);
  g_assert_cmpstr (disk->id, ==, "r-prod-disk");
  g_assert_cmpstr (disk->scope_value, ==, "Production");
  g_assert_cmpstr (disk->channels[0], ==, "mail");

  /* Quiet hours and maintenance windows. */
  windows = sm_store_list_windows (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (windows->len, ==, 3);
  for (guint i = 0; i < windows->len; i++)
    {
      SmAlertWindow *window = g_ptr_array_index (windows, i);

      if (window->kind == SM_WINDOW_QUIET_HOURS)
        {
          saw_quiet = TRUE;
          g_assert_cmpuint (window->window.days, ==, SM_WEEKDAYS_MON_FRI);
          g_assert_cmpuint (window->window.start, ==, 22 * 60);
          g_assert_cmpuint (window->window.end, ==, 7 * 60);
        }
      else if (window->server_id == web_id)
        {
          saw_web = TRUE;
          g_assert_cmpuint (window->window.days, ==, 1 << 6);
          g_assert_cmpuint (window->window.start, ==, 2 * 60);
          g_assert_cmpuint (window->window.end, ==, 4 * 60);
          g_assert_cmpstr (window->comment, ==, "Kernel updates");
        }
      else
        {
          saw_all = TRUE;
          g_assert_cmpint (window->server_id, ==, 0);
          g_assert_cmpuint (window->window.days, ==, SM_WEEKDAYS_ALL);
        }
    }
  g_assert_true (saw_quiet && saw_web && saw_all);

  /* Again: servers and channels are updated, the rule with an id replaced,
   * rules without one added, the same windows not added twice. */
  n_rules = count_rules (fixture->store);
  memset (&counts, 0, sizeof counts);
  g_assert_true (sm_transfer_import_data_full (fixture->store, "alerts.json", file,
                                               strlen (file), &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.servers_updated, ==, 2);
  g_assert_cmpuint (counts.channels_updated, ==, 4);
  g_assert_cmpuint (counts.rules_updated, ==, 1);
  g_assert_cmpuint (counts.rules_added, ==, 2);
  g_assert_cmpuint (counts.windows_added, ==, 0);
  g_assert_cmpuint (count_rules (fixture->store), ==, n_rules + 2);
  g_assert_cmpuint (count_windows (fixture->store), ==, 3);
  g_assert_cmpuint (count_channels (fixture->store), ==, 4);

  /* A channel without its secret keeps the stored one. */
  {
    const char *update =
      "{\"channels\": [{\"name\": \"TG\", \"type\": \"telegram\", \"chat_id\": \"-100123\"}]}";
    g_autoptr(SmChannel) updated = NULL;

    g_assert_true (import_text (fixture->store, update, NULL, NULL, &error));
    g_assert_no_error (error);
    updated = find_channel (fixture->store, "tg");
    g_assert_cmpint (updated->id, ==, tg->id);
    g_assert_cmpstr (sm_channel_get (updated, "chat_id"), ==, "-100123");
    secret = sm_store_load_channel_secret (fixture->store, updated, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (secret, ==, TG_TOKEN);
  }

  /* A parent may be a server that is only in the store. */
  {
    const char *child =
      "{\"servers\": [{\"name\": \"cache-1\", \"host\": \"cache1.example.org\","
      " \"parent\": \"DB-1\"}]}";
    g_autoptr(SmServer) cache = NULL;

    g_assert_true (import_text (fixture->store, child, NULL, NULL, &error));
    g_assert_no_error (error);
    cache = sm_store_find_server_by_name (fixture->store, "cache-1", &error);
    g_assert_cmpint (sm_server_get_parent_id (cache), ==, server_id (fixture->store, "db-1"));
  }
}

static void
test_export_alerts (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *file = read_fixture ("import-alerts.json");
  g_autofree char *export = NULL;
  g_autofree char *again = NULL;
  g_autofree char *dir2 = sm_test_mkdtemp ();
  g_autoptr(SmStore) store2 = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) other = NULL;
  g_autoptr(SmAlertRule) cpu2 = NULL;
  SmTransferCounts counts = { 0 };
  JsonObject *root;
  JsonArray *array;
  gboolean saw_default = FALSE, saw_cpu = FALSE;
  guint n_rules;

  g_assert_true (import_text (fixture->store, file, NULL, NULL, &error));
  g_assert_no_error (error);
  n_rules = count_rules (fixture->store);

  export = sm_transfer_export_data (fixture->store, &error);
  g_assert_no_error (error);
  g_test_message ("%s", export);

  /* No secret, no secret member, not even a part of one. */
  g_assert_null (strstr (export, TG_TOKEN));
  g_assert_null (strstr (export, "SECRET"));
  g_assert_null (strstr (export, "123456:"));
  g_assert_null (strstr (export, "bot_token"));
  g_assert_null (strstr (export, "\"password\""));
  g_assert_null (strstr (export, "\"url\""));

  g_assert_true (json_parser_load_from_data (parser, export, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  array = json_object_get_array_member (root, "servers");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *server = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (server, "name"), "db-1"))
        g_assert_cmpstr (json_object_get_string_member (server, "parent"), ==, "web-1");
      else
        g_assert_false (json_object_has_member (server, "parent"));
    }

  array = json_object_get_array_member (root, "channels");
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *channel = json_array_get_object_element (array, i);
      const char *name = json_object_get_string_member (channel, "name");

      if (g_str_equal (name, "tg"))
        {
          g_assert_cmpstr (json_object_get_string_member (channel, "type"), ==, "telegram");
          g_assert_cmpstr (json_object_get_string_member (channel, "chat_id"), ==, "42");
          g_assert_false (json_object_get_boolean_member (channel, "default"));
        }
      else if (g_str_equal (name, "mail"))
        g_assert_cmpint (json_object_get_int_member (channel, "port"), ==, 587);
    }

  /* Every rule, the default ones too, names its server by name. */
  array = json_object_get_array_member (root, "rules");
  g_assert_cmpuint (json_array_get_length (array), ==, n_rules);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *rule = json_array_get_object_element (array, i);
      const char *server = json_object_get_string_member_with_default (rule, "server", NULL);

      if (server != NULL)
        g_assert_true (g_str_equal (server, "web-1") || g_str_equal (server, "db-1"));
      if (g_str_equal (json_object_get_string_member (rule, "metric"), "state.unreachable"))
        saw_default = TRUE;
      if (json_object_has_member (rule, "channels") &&
          json_array_get_length (json_object_get_array_member (rule, "channels")) == 2)
        {
          saw_cpu = TRUE;
          g_assert_cmpstr (server, ==, "web-1");
          g_assert_cmpstr (json_object_get_string_member (rule, "for"), ==, "5m");
        }
    }
  g_assert_true (saw_default);
  g_assert_true (saw_cpu);

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "quiet_hours")), ==, 1);
  array = json_object_get_array_member (root, "maintenance");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  {
    gboolean saw_server = FALSE;

    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *window = json_array_get_object_element (array, i);

        if (json_object_has_member (window, "server"))
          {
            saw_server = TRUE;
            g_assert_cmpstr (json_object_get_string_member (window, "server"), ==, "web-1");
            g_assert_cmpstr (json_object_get_string_member (window, "comment"), ==, "Kernel updates");
          }
      }
    g_assert_true (saw_server);
  }

  /* The export imports back into the same store as no change: everything
   * updated, no rule or window added (the default rules keep their ids). */
  g_assert_true (sm_transfer_import_data_full (fixture->store, "export.json", export,
                                               strlen (export), &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.servers_added, ==, 0);
  g_assert_cmpuint (counts.channels_added, ==, 0);
  g_assert_cmpuint (counts.rules_added, ==, 0);
  g_assert_cmpuint (counts.rules_updated, ==, n_rules);
  g_assert_cmpuint (counts.windows_added, ==, 0);
  g_assert_cmpuint (count_rules (fixture->store), ==, n_rules);
  again = sm_transfer_export_data (fixture->store, &error);
  g_assert_cmpstr (again, ==, export);

  /* Into another store: secrets must be entered again... */
  store2 = sm_store_open_data_dir (dir2, fixture->vault, &error);
  g_assert_no_error (error);
  g_assert_false (import_text (store2, export, NULL, NULL, &error));
  g_assert_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "servers.json: channels[3].bot_token: "));
  g_clear_error (&error);
  g_assert_cmpuint (count_servers (store2), ==, 0);

  /* ...then it imports, with the servers at other ids: the default rules
   * follow their servers instead of being added twice. */
  other = sm_server_new ();
  sm_server_set_name (other, "other");
  sm_server_set_host (other, "other.example.org");
  g_assert_true (sm_store_save_server (store2, other, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);
  {
    JsonObject *tg = NULL;
    JsonObject *hook = NULL;
    g_autoptr(JsonGenerator) generator = json_generator_new ();
    g_autofree char *patched = NULL;

    array = json_object_get_array_member (root, "channels");
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *channel = json_array_get_object_element (array, i);

        if (g_str_equal (json_object_get_string_member (channel, "name"), "tg"))
          tg = channel;
        else if (g_str_equal (json_object_get_string_member (channel, "name"), "hook"))
          hook = channel;
      }
    json_object_set_string_member (tg, "bot_token", "999:other-token");
    json_object_set_string_member (hook, "url", "https://hooks.example.org/other");
    json_generator_set_root (generator, json_parser_get_root (parser));
    patched = json_generator_to_data (generator, NULL);
    g_assert_true (import_text (store2, patched, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (count_servers (store2), ==, 3);
  g_assert_cmpuint (count_channels (store2), ==, 4);
  g_assert_cmpuint (count_windows (store2), ==, 3);
  /* The rules of the export plus the defaults of "other". */
  {
    g_autoptr(GPtrArray) defaults = sm_alert_rules_new_defaults ("1");

    g_assert_cmpuint (count_rules (store2), ==, n_rules + defaults->len);
  }
  g_assert_cmpint (server_id (store2, "web-1"), !=, server_id (fixture->store, "web-1"));

  g_clear_object (&store2);
  sm_test_rmdir (dir2);
}

/* Each bad file is refused with its path-prefixed message, and nothing of
 * it is applied. */
static const InvalidCase invalid_alert_cases[] = {
  { "{\"channels\": [{\"name\": \"x\", \"type\": \"pager\"}]}",
    { "servers.json: channels[0].type: must be \"desktop\", \"telegram\", \"webhook\" or \"email\"" } },
  { "{\"channels\": [{\"name\": \"x\"}]}",
    { "servers.json: channels[0].type: is required" } },
  { "{\"channels\": [{\"type\": \"desktop\"}]}",
    { "servers.json: channels[0].name: is required" } },
  { "{\"channels\": [{\"name\": \"tg\", \"type\": \"telegram\", \"chat_id\": \"42\"}]}",
    { "servers.json: channels[0].bot_token: " } },
  { "{\"channels\": [{\"name\": \"d\", \"type\": \"desktop\", \"chat_id\": \"42\"}]}",
    { "servers.json: channels[0].chat_id: unknown field (known fields: name, type, enabled, default)" } },
  { "{\"channels\": [{\"name\": \"d\", \"type\": \"desktop\"}, {\"name\": \"D\", \"type\": \"desktop\"}]}",
    { "servers.json: channels[1].name: “D” is used twice in this file (also channels[0])" } },
  { "{\"channels\": [{\"name\": \"tg\", \"type\": \"telegram\", \"chat_id\": \"42\", \"bot_token\": \"\"}]}",
    { "servers.json: channels[0].bot_token: must not be empty" } },
  { "{\"channels\": 5}",
    { "servers.json: channels: must be an array of channel objects" } },
  { "{\"servers\": [{\"name\": \"web-1\", \"host\": \"web1.example.org\"}],"
    " \"rules\": [{\"server\": \"web-2\", \"metric\": \"cpu.percent\", \"op\": \">\", \"threshold\": 90}]}",
    { "servers.json: rules[0].server: no server named “web-2” in this file or in the app" } },
  { "{\"channels\": [{\"name\": \"desk\", \"type\": \"desktop\"}],"
    " \"rules\": [{\"metric\": \"cpu.percent\", \"op\": \">\", \"threshold\": 90,"
    "             \"channels\": [\"desk\", \"pager\"]}]}",
    { "servers.json: rules[0].channels[1]: no channel named “pager” in this file or in the app" } },
  { "{\"rules\": [{\"metric\": \"cpu.percent\", \"op\": \">\", \"threshold\": 90, \"for\": \"5 minutes\"}]}",
    { "servers.json: rules[0].for: must be a duration such as 30s, 5m, 2h or 1d" } },
  { "{\"rules\": [{\"metric\": \"cpu.percent\", \"op\": \"=>\", \"threshold\": 90}]}",
    { "servers.json: rules[0].op: " } },
  { "{\"rules\": [{\"id\": \"r-1\", \"metric\": \"cpu.percent\", \"op\": \">\", \"threshold\": 90},"
    "            {\"id\": \"r-1\", \"metric\": \"mem.used_percent\", \"op\": \">\", \"threshold\": 90}]}",
    { "servers.json: rules[1].id: “r-1” is used twice in this file (also rules[0])" } },
  { "{\"rules\": [7]}",
    { "servers.json: rules[0]: must be an object" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"parent\": \"b\"},"
    "              {\"name\": \"b\", \"host\": \"b.example\", \"parent\": \"c\"},"
    "              {\"name\": \"c\", \"host\": \"c.example\", \"parent\": \"A\"}]}",
    { "servers.json: servers[0].parent: “b” depends on this server, directly or through its parents",
      "servers.json: servers[1].parent: “c” depends on this server",
      "servers.json: servers[2].parent: “A” depends on this server" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"parent\": \"a\"}]}",
    { "servers.json: servers[0].parent: a server cannot depend on itself" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"parent\": \"ghost\"}]}",
    { "servers.json: servers[0].parent: no server named “ghost” in this file or in the app" } },
  { "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\", \"parent\": 3}]}",
    { "servers.json: servers[0].parent: must be a string" } },
  { "{\"quiet_hours\": [{\"days\": \"all\", \"start\": \"25:00\", \"end\": \"07:00\"}]}",
    { "servers.json: quiet_hours[0].start: " } },
  { "{\"quiet_hours\": [{\"days\": \"all\", \"start\": \"22:00\", \"end\": \"07:00\", \"server\": \"a\"}]}",
    { "servers.json: quiet_hours[0].server: unknown field" } },
  { "{\"maintenance\": [{\"server\": \"ghost\", \"days\": \"all\", \"start\": \"02:00\", \"end\": \"03:00\"}]}",
    { "servers.json: maintenance[0].server: no server named “ghost” in this file or in the app" } },
  { "{\"maintenance\": [{\"days\": [\"someday\"], \"start\": \"02:00\", \"end\": \"03:00\"}]}",
    { "servers.json: maintenance[0].days" } },
  { "{\"servers\": [], \"alerts\": []}",
    { "servers.json: alerts: unknown field (known fields: servers, channels, rules, quiet_hours, maintenance)" } },
  { "{}",
    { "servers.json: servers: must be an array" } },
  /* Valid servers and channels do not get in when a rule is bad. */
  { "{\"servers\": [{\"name\": \"web-1\", \"host\": \"web1.example.org\"}],"
    " \"channels\": [{\"name\": \"tg\", \"type\": \"telegram\", \"chat_id\": \"42\","
    "                 \"bot_token\": \"" TG_TOKEN "\"}],"
    " \"rules\": [{\"server\": \"web-1\", \"metric\": \"cpu.percent\", \"op\": \">\","
    "             \"threshold\": \"high\"}]}",
    { "servers.json: rules[0].threshold: " } },
};

static void
test_import_alerts_invalid (Fixture       *fixture,
                            gconstpointer  user_data)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_alert_cases); i++)
    {
      const InvalidCase *c = &invalid_alert_cases[i];
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s", i, c->json);
      g_assert_false (import_text (fixture->store, c->json, NULL, NULL, &error));
      g_assert_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID);
      for (guint j = 0; j < G_N_ELEMENTS (c->expected) && c->expected[j] != NULL; j++)
        {
          if (strstr (error->message, c->expected[j]) == NULL)
            g_error ("case %u: expected “%s” in:\n%s", i, c->expected[j], error->message);
        }
      g_assert_null (strstr (error->message, TG_TOKEN));
      g_assert_cmpuint (count_servers (fixture->store), ==, 0);
      g_assert_cmpuint (count_channels (fixture->store), ==, 0);
      g_assert_cmpuint (count_rules (fixture->store), ==, N_GLOBAL_RULES);
      g_assert_cmpuint (count_windows (fixture->store), ==, 0);
    }

  /* One mistake, one message: what names an invalid entry is not reported
   * as naming an unknown one. */
  {
    g_autoptr(GError) error = NULL;
    const char *file =
      "{\"servers\": [{\"name\": \"web-1\", \"host\": \"bad host!\"},"
      "              {\"name\": \"db-1\", \"host\": \"db.example\", \"parent\": \"web-1\"}],"
      " \"channels\": [{\"name\": \"tg\", \"type\": \"telegram\", \"chat_id\": 42,"
      "                 \"bot_token\": \"" TG_TOKEN "\", \"colour\": \"red\"}],"
      " \"rules\": [{\"server\": \"web-1\", \"metric\": \"state.unreachable\", \"channels\": [\"tg\"]}],"
      " \"maintenance\": [{\"server\": \"WEB-1\", \"days\": \"all\", \"start\": \"01:00\", \"end\": \"02:00\"}]}";

    g_assert_false (import_text (fixture->store, file, NULL, NULL, &error));
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "servers.json: servers[0].host: "));
    g_assert_nonnull (strstr (error->message, "servers.json: channels[0].colour: unknown field"));
    g_assert_null (strstr (error->message, "servers[1]"));
    g_assert_null (strstr (error->message, "rules[0]"));
    g_assert_null (strstr (error->message, "maintenance[0]"));
    g_assert_null (strstr (error->message, TG_TOKEN));
    g_assert_cmpuint (count_servers (fixture->store), ==, 0);
  }
}

/* A refused file changes nothing of what is stored either; a failure while
 * applying (no vault to seal a token) rolls back the servers before it. */
static void
test_import_alerts_atomic (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *file = read_fixture ("import-alerts.json");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autoptr(SmStore) no_vault = NULL;
  g_autoptr(GError) error = NULL;
  const char *bad =
    "{\"servers\": [{\"name\": \"web-1\", \"host\": \"changed.example.org\"},"
    "               {\"name\": \"new-1\", \"host\": \"new.example.org\", \"parent\": \"web-1\"}],"
    " \"channels\": [{\"name\": \"tg\", \"type\": \"telegram\", \"chat_id\": \"99\"}],"
    " \"quiet_hours\": [{\"days\": \"all\", \"start\": \"20:00\", \"end\": \"06:00\"}],"
    " \"rules\": [{\"id\": \"r-prod-disk\", \"metric\": \"disk.*.used_percent\", \"op\": \">\","
    "             \"threshold\": 50, \"channels\": [\"nobody\"]}]}";
  const char *needs_vault =
    "{\"servers\": [{\"name\": \"a\", \"host\": \"a.example\"}],"
    " \"channels\": [{\"name\": \"tg\", \"type\": \"telegram\", \"chat_id\": \"42\","
    "                 \"bot_token\": \"" TG_TOKEN "\"}]}";

  g_assert_true (import_text (fixture->store, file, NULL, NULL, &error));
  g_assert_no_error (error);
  before = sm_transfer_export_data (fixture->store, &error);
  g_assert_no_error (error);

  g_assert_false (import_text (fixture->store, bad, NULL, NULL, &error));
  g_assert_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "servers.json: rules[0].channels[0]: no channel named “nobody”"));
  g_clear_error (&error);

  after = sm_transfer_export_data (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, before);

  no_vault = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (import_text (no_vault, needs_vault, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "channels[0]"));
  g_assert_null (strstr (error->message, TG_TOKEN));
  g_assert_cmpuint (count_servers (no_vault), ==, 0);
  g_assert_cmpuint (count_channels (no_vault), ==, 0);
  g_assert_cmpuint (count_rules (no_vault), ==, N_GLOBAL_RULES);

  g_clear_object (&no_vault);
  sm_test_rmdir (dir);
}

/* Service checks: a "checks" array per server. */
static void
test_import_checks (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const char *file =
    "{\"servers\": [{\"name\": \"web-1\", \"host\": \"web1.example.org\", \"checks\": ["
    "  {\"type\":\"http\",\"name\":\"api\",\"url\":\"https://example.org/health\","
    "   \"expect_status\":200,\"keyword\":\"ok\",\"interval\":30},"
    "  {\"type\":\"tcp\",\"port\":5432},"
    "  {\"type\":\"tls\",\"port\":443,\"warn_days\":14,\"crit_days\":3},"
    "  {\"type\":\"command\",\"command\":\"/usr/lib/nagios/plugins/check_load -w 5 -c 10\"},"
    "  {\"type\":\"log\",\"path\":\"/var/log/syslog\",\"patterns\":[\"error\",\"segfault\"]},"
    "  {\"type\":\"heartbeat\",\"interval\":3600,\"grace\":300}]}]}";
  const char *again =
    "{\"servers\": [{\"name\": \"web-1\", \"host\": \"web1.example.org\", \"checks\": ["
    "  {\"type\":\"http\",\"name\":\"api\",\"url\":\"https://example.org/v2/health\"}]}]}";
  const char *bad[][2] = {
    { "{\"servers\": [{\"name\": \"web-1\", \"host\": \"h.example\", \"checks\": ["
      "  {\"type\":\"tcp\",\"port\":22}, {\"type\":\"http\",\"url\":\"gopher://x/\"}]}]}",
      "servers.json: servers[0].checks[1].url: must be an http or https URL" },
    { "{\"servers\": [{\"name\": \"web-1\", \"host\": \"h.example\", \"checks\": ["
      "  {\"type\":\"log\",\"path\":\"/var/log/x\",\"patterns\":[\"(\"]}]}]}",
      "servers.json: servers[0].checks[0].patterns[0]: is not a valid regular expression" },
    { "{\"servers\": [{\"name\": \"web-1\", \"host\": \"h.example\", \"checks\": ["
      "  {\"type\":\"tcp\",\"port\":70000}]}]}",
      "servers.json: servers[0].checks[0].port: must be a number from 1 to 65535" },
    { "{\"servers\": [{\"name\": \"web-1\", \"host\": \"h.example\", \"checks\": ["
      "  {\"type\":\"tcp\",\"port\":22,\"interval\":1}]}]}",
      "servers.json: servers[0].checks[0].interval: " },
    { "{\"servers\": [{\"name\": \"web-1\", \"host\": \"h.example\", \"checks\": ["
      "  {\"type\":\"tcp\",\"port\":22,\"name\":\"db\"}, {\"type\":\"tcp\",\"port\":23,\"name\":\"DB\"}]}]}",
      "servers.json: servers[0].checks[1].name: another check of this server has the same name" },
    { "{\"servers\": [{\"name\": \"web-1\", \"host\": \"h.example\", \"checks\": {}}]}",
      "servers.json: servers[0].checks: must be a list of checks" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  SmTransferCounts counts = { 0 };
  SmCheck *api = NULL;

  g_assert_true (sm_transfer_import_data_full (fixture->store, "servers.json", file, strlen (file),
                                               &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.checks_added, ==, 6);
  checks = sm_store_list_checks (fixture->store, 0, &error);
  g_assert_cmpuint (checks->len, ==, 6);
  for (guint i = 0; i < checks->len; i++)
    if (g_str_equal (((SmCheck *) g_ptr_array_index (checks, i))->name, "api"))
      api = g_ptr_array_index (checks, i);
  g_assert_nonnull (api);
  g_assert_cmpuint (api->interval, ==, 30);

  /* The same name again updates that check and keeps the others. */
  memset (&counts, 0, sizeof counts);
  g_assert_true (sm_transfer_import_data_full (fixture->store, "servers.json", again, strlen (again),
                                               &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.checks_updated, ==, 1);
  g_assert_cmpuint (counts.checks_added, ==, 0);
  g_clear_pointer (&checks, g_ptr_array_unref);
  checks = sm_store_list_checks (fixture->store, 0, &error);
  g_assert_cmpuint (checks->len, ==, 6);

  /* Export writes them back under their server. */
  exported = sm_transfer_export_data (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (exported, "\"checks\""));
  g_assert_nonnull (strstr (exported, "https://example.org/v2/health"));
  g_assert_nonnull (strstr (exported, "check_load -w 5 -c 10"));

  /* Bad checks: a message with the path, nothing changed. */
  before = sm_transfer_export_data (fixture->store, &error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (import_text (fixture->store, bad[i][0], NULL, NULL, &error));
      g_assert_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID);
      if (strstr (error->message, bad[i][1]) == NULL)
        g_error ("case %u: \"%s\" lacks \"%s\"", i, error->message, bad[i][1]);
      g_clear_error (&error);
    }
  after = sm_transfer_export_data (fixture->store, &error);
  g_assert_cmpstr (after, ==, before);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/transfer/checks/import", Fixture, NULL,
              fixture_set_up, test_import_checks, fixture_tear_down);

  g_test_add ("/transfer/import/valid", Fixture, NULL,
              fixture_set_up, test_import_valid, fixture_tear_down);
  g_test_add ("/transfer/import/invalid", Fixture, NULL,
              fixture_set_up, test_import_invalid, fixture_tear_down);
  g_test_add_func ("/transfer/import/atomic-apply", test_import_atomic_apply);
  g_test_add ("/transfer/import/updates", Fixture, NULL,
              fixture_set_up, test_import_updates, fixture_tear_down);
  g_test_add ("/transfer/export/round-trip", Fixture, NULL,
              fixture_set_up, test_export_round_trip, fixture_tear_down);
  g_test_add ("/transfer/list", Fixture, NULL,
              fixture_set_up, test_list_outputs, fixture_tear_down);
  g_test_add ("/transfer/timeouts", Fixture, NULL,
              fixture_set_up, test_timeouts, fixture_tear_down);
  g_test_add ("/transfer/local-server", Fixture, NULL,
              fixture_set_up, test_local_server, fixture_tear_down);

  g_test_add ("/transfer/alerts/import", Fixture, NULL,
              fixture_set_up, test_import_alerts, fixture_tear_down);
  g_test_add ("/transfer/alerts/export", Fixture, NULL,
              fixture_set_up, test_export_alerts, fixture_tear_down);
  g_test_add ("/transfer/alerts/invalid", Fixture, NULL,
              fixture_set_up, test_import_alerts_invalid, fixture_tear_down);
  g_test_add ("/transfer/alerts/atomic", Fixture, NULL,
              fixture_set_up, test_import_alerts_atomic, fixture_tear_down);

  return g_test_run ();
}
