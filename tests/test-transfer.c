/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-transfer.c: import validation and atomicity, export without secrets. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-transfer.h"
#include "sm-vault.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

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

  return g_test_run ();
}
