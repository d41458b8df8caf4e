/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-server.c: the SmServer model. */
#include "config.h"

#include <glib-object.h>
#include <string.h>

#include "sm-server.h"
#include "sm-test-util.h"

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 GHashTable *counts)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, pspec->name));

  g_hash_table_insert (counts, (gpointer)pspec->name, GUINT_TO_POINTER (n + 1));
}

static guint
count_of (GHashTable *counts,
          const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static void
test_defaults (void)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autoptr(SmServer) other = sm_server_new ();
  g_autoptr(SmServer) plain = g_object_new (SM_TYPE_SERVER, NULL);

  g_assert_true (g_uuid_string_is_valid (sm_server_get_uuid (server)));
  g_assert_true (g_uuid_string_is_valid (sm_server_get_uuid (plain)));
  g_assert_cmpstr (sm_server_get_uuid (server), !=, sm_server_get_uuid (other));

  g_assert_cmpint (sm_server_get_id (server), ==, 0);
  g_assert_cmpstr (sm_server_get_name (server), ==, "");
  g_assert_cmpstr (sm_server_get_host (server), ==, "");
  g_assert_cmpuint (sm_server_get_port (server), ==, 22);
  g_assert_cmpstr (sm_server_get_username (server), ==, "");
  g_assert_cmpint (sm_server_get_auth_method (server), ==, SM_AUTH_AGENT);
  g_assert_null (sm_server_get_key_file (server));
  g_assert_cmpstr (sm_server_get_group (server), ==, "");
  g_assert_nonnull (sm_server_get_tags (server));
  g_assert_cmpuint (g_strv_length ((char **)sm_server_get_tags (server)), ==, 0);
  g_assert_cmpuint (sm_server_get_interval (server), ==, 60);
  g_assert_true (sm_server_get_enabled (server));
  g_assert_cmpstr (sm_server_get_notes (server), ==, "");
  g_assert_null (sm_server_get_host_key_sha256 (server));
  g_assert_false (sm_server_get_has_secret (server));
  g_assert_cmpint (sm_server_get_status (server), ==, SM_SERVER_STATUS_UNKNOWN);
}

static void
test_tags_never_null (void)
{
  g_autoptr(SmServer) server = sm_server_new ();
  const char * const tags[] = { "web", "eu", NULL };
  g_auto(GStrv) read_back = NULL;

  sm_server_set_tags (server, tags);
  g_assert_cmpstrv (sm_server_get_tags (server), tags);

  sm_server_set_tags (server, NULL);
  g_assert_nonnull (sm_server_get_tags (server));
  g_assert_cmpuint (g_strv_length ((char **)sm_server_get_tags (server)), ==, 0);

  g_object_set (server, "tags", NULL, NULL);
  g_object_get (server, "tags", &read_back, NULL);
  g_assert_nonnull (read_back);
  g_assert_cmpuint (g_strv_length (read_back), ==, 0);
}

/* Every property notifies once for a new value and never for the same one. */
static void
test_notify_on_change_only (void)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  const char * const tags[] = { "a", "b", NULL };
  const char * const same_tags[] = { "a", "b", NULL };
  const struct {
    const char *name;
    GType type;
    gint64 number;
    const char *text;
  } cases[] = {
    { "id", G_TYPE_INT64, 42, NULL },
    { "uuid", G_TYPE_STRING, 0, "11111111-2222-4333-8444-555555555555" },
    { "name", G_TYPE_STRING, 0, "web-01" },
    { "host", G_TYPE_STRING, 0, "2001:db8::1" },
    { "port", G_TYPE_UINT, 2222, NULL },
    { "username", G_TYPE_STRING, 0, "deploy" },
    { "auth-method", SM_TYPE_AUTH_METHOD, SM_AUTH_KEY, NULL },
    { "key-file", G_TYPE_STRING, 0, "~/.ssh/id_ed25519" },
    { "group", G_TYPE_STRING, 0, "Production" },
    { "interval", G_TYPE_UINT, 300, NULL },
    { "enabled", G_TYPE_BOOLEAN, FALSE, NULL },
    { "notes", G_TYPE_STRING, 0, "Ünïcödé" },
    { "host-key-sha256", G_TYPE_STRING, 0, "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU" },
    { "has-secret", G_TYPE_BOOLEAN, TRUE, NULL },
    { "status", SM_TYPE_SERVER_STATUS, SM_SERVER_STATUS_DOWN, NULL },
  };

  g_signal_connect (server, "notify", G_CALLBACK (count_notify_cb), counts);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (server),
                                                        cases[i].name);
      g_auto(GValue) value = G_VALUE_INIT;
      g_auto(GValue) read_back = G_VALUE_INIT;

      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
      g_assert_true (pspec->flags & G_PARAM_READWRITE);

      g_value_init (&value, cases[i].type);
      if (cases[i].type == G_TYPE_STRING)
        g_value_set_string (&value, cases[i].text);
      else if (cases[i].type == G_TYPE_INT64)
        g_value_set_int64 (&value, cases[i].number);
      else if (cases[i].type == G_TYPE_UINT)
        g_value_set_uint (&value, (guint)cases[i].number);
      else if (cases[i].type == G_TYPE_BOOLEAN)
        g_value_set_boolean (&value, (gboolean)cases[i].number);
      else
        g_value_set_enum (&value, (int)cases[i].number);

      g_object_set_property (G_OBJECT (server), cases[i].name, &value);
      g_assert_cmpuint (count_of (counts, cases[i].name), ==, 1);
      g_object_set_property (G_OBJECT (server), cases[i].name, &value);
      g_assert_cmpuint (count_of (counts, cases[i].name), ==, 1);

      g_value_init (&read_back, cases[i].type);
      g_object_get_property (G_OBJECT (server), cases[i].name, &read_back);
      g_assert_true (g_param_values_cmp (pspec, &value, &read_back) == 0);
    }

  sm_server_set_tags (server, tags);
  g_assert_cmpuint (count_of (counts, "tags"), ==, 1);
  sm_server_set_tags (server, same_tags);
  g_assert_cmpuint (count_of (counts, "tags"), ==, 1);

  /* NULL and "" are the same empty name: no notification. */
  sm_server_set_group (server, NULL);
  g_assert_cmpuint (count_of (counts, "group"), ==, 2);
  sm_server_set_group (server, "");
  g_assert_cmpuint (count_of (counts, "group"), ==, 2);

  /* "" clears an optional field. */
  sm_server_set_key_file (server, "");
  g_assert_null (sm_server_get_key_file (server));
  g_assert_cmpuint (count_of (counts, "key-file"), ==, 2);
  sm_server_set_key_file (server, NULL);
  g_assert_cmpuint (count_of (counts, "key-file"), ==, 2);

  /* No property was notified that was not changed. */
  g_assert_cmpuint (g_hash_table_size (counts), ==, G_N_ELEMENTS (cases) + 1);
}

static void
test_enums (void)
{
  g_autoptr(GEnumClass) auth_class = NULL;
  g_autoptr(GEnumClass) status_class = NULL;
  SmAuthMethod method = SM_AUTH_PASSWORD;

  g_assert_true (G_TYPE_IS_ENUM (SM_TYPE_AUTH_METHOD));
  g_assert_true (G_TYPE_IS_ENUM (SM_TYPE_SERVER_STATUS));

  auth_class = g_type_class_ref (SM_TYPE_AUTH_METHOD);
  g_assert_cmpuint (auth_class->n_values, ==, 3);
  g_assert_cmpint (g_enum_get_value_by_nick (auth_class, "key")->value, ==, SM_AUTH_KEY);

  status_class = g_type_class_ref (SM_TYPE_SERVER_STATUS);
  g_assert_cmpuint (status_class->n_values, ==, 5);
  g_assert_cmpint (g_enum_get_value_by_nick (status_class, "degraded")->value, ==,
                   SM_SERVER_STATUS_DEGRADED);

  for (SmAuthMethod m = SM_AUTH_PASSWORD; m <= SM_AUTH_AGENT; m++)
    {
      SmAuthMethod parsed = SM_AUTH_AGENT + 1;

      g_assert_true (sm_auth_method_from_string (sm_auth_method_to_string (m), &parsed));
      g_assert_cmpint (parsed, ==, m);
    }
  g_assert_cmpstr (sm_auth_method_to_string (SM_AUTH_PASSWORD), ==, "password");
  g_assert_cmpstr (sm_auth_method_to_string (SM_AUTH_KEY), ==, "key");
  g_assert_cmpstr (sm_auth_method_to_string (SM_AUTH_AGENT), ==, "agent");

  g_assert_false (sm_auth_method_from_string ("Password", &method));
  g_assert_false (sm_auth_method_from_string ("", &method));
  g_assert_false (sm_auth_method_from_string (NULL, &method));
  g_assert_cmpint (method, ==, SM_AUTH_PASSWORD);
  g_assert_true (sm_auth_method_from_string ("agent", NULL));

  g_assert_cmpstr (sm_auth_method_to_label (SM_AUTH_PASSWORD), ==, "Password");
  g_assert_cmpstr (sm_auth_method_to_label (SM_AUTH_KEY), ==, "Private Key");
  g_assert_cmpstr (sm_auth_method_to_label (SM_AUTH_AGENT), ==, "SSH Agent");

  g_assert_cmpstr (sm_server_status_to_string (SM_SERVER_STATUS_UNKNOWN), ==, "unknown");
  g_assert_cmpstr (sm_server_status_to_string (SM_SERVER_STATUS_UP), ==, "up");
  g_assert_cmpstr (sm_server_status_to_string (SM_SERVER_STATUS_DEGRADED), ==, "degraded");
  g_assert_cmpstr (sm_server_status_to_string (SM_SERVER_STATUS_DOWN), ==, "down");
  g_assert_cmpstr (sm_server_status_to_string (SM_SERVER_STATUS_DISABLED), ==, "disabled");
  g_assert_cmpstr (sm_server_status_to_label (SM_SERVER_STATUS_UNKNOWN), ==, "Not checked yet");
  g_assert_cmpstr (sm_server_status_to_label (SM_SERVER_STATUS_UP), ==, "Up");
  g_assert_cmpstr (sm_server_status_to_label (SM_SERVER_STATUS_DEGRADED), ==, "Degraded");
  g_assert_cmpstr (sm_server_status_to_label (SM_SERVER_STATUS_DOWN), ==, "Down");
  g_assert_cmpstr (sm_server_status_to_label (SM_SERVER_STATUS_DISABLED), ==, "Disabled");

  g_assert_cmpstr (sm_server_status_to_css (SM_SERVER_STATUS_UNKNOWN), ==, "unknown");
  g_assert_cmpstr (sm_server_status_to_css (SM_SERVER_STATUS_UP), ==, "up");
  g_assert_cmpstr (sm_server_status_to_css (SM_SERVER_STATUS_DEGRADED), ==, "degraded");
  g_assert_cmpstr (sm_server_status_to_css (SM_SERVER_STATUS_DOWN), ==, "down");
  g_assert_cmpstr (sm_server_status_to_css (SM_SERVER_STATUS_DISABLED), ==, "disabled");
}

static void
test_address (void)
{
  const struct {
    const char *username;
    const char *host;
    guint port;
    const char *expected;
  } cases[] = {
    { "deploy", "web.example.org", 22, "deploy@web.example.org:22" },
    { "", "web.example.org", 2222, "web.example.org:2222" },
    { NULL, "192.0.2.10", 22, "192.0.2.10:22" },
    { "root", "2001:db8::1", 22, "root@[2001:db8::1]:22" },
    { "", "::1", 65535, "[::1]:65535" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SmServer) server = sm_server_new ();
      g_autofree char *address = NULL;

      sm_server_set_username (server, cases[i].username);
      sm_server_set_host (server, cases[i].host);
      sm_server_set_port (server, cases[i].port);
      address = sm_server_dup_address (server);
      g_assert_cmpstr (address, ==, cases[i].expected);
    }
}

static void
test_secret_ad (void)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autofree char *ad = sm_server_dup_secret_ad (server);
  g_autofree char *expected = g_strdup_printf ("server/%s/secret", sm_server_get_uuid (server));

  g_assert_cmpstr (ad, ==, expected);
}

static void
test_copy (void)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autoptr(SmServer) copy = NULL;
  const char * const tags[] = { "web", "eu", NULL };
  const char * const other_tags[] = { "db", NULL };

  sm_server_set_id (server, 7);
  sm_server_set_name (server, "web-01");
  sm_server_set_host (server, "2001:db8::1");
  sm_server_set_port (server, 2222);
  sm_server_set_username (server, "deploy");
  sm_server_set_auth_method (server, SM_AUTH_KEY);
  sm_server_set_key_file (server, "~/.ssh/id_ed25519");
  sm_server_set_group (server, "Production");
  sm_server_set_tags (server, tags);
  sm_server_set_interval (server, 30);
  sm_server_set_enabled (server, FALSE);
  sm_server_set_notes (server, "Ünïcödé");
  sm_server_set_host_key_sha256 (server, "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
  sm_server_set_has_secret (server, TRUE);
  sm_server_set_status (server, SM_SERVER_STATUS_UP);

  copy = sm_server_copy (server);
  g_assert_true (copy != server);
  g_assert_cmpint (sm_server_get_id (copy), ==, 7);
  g_assert_cmpstr (sm_server_get_uuid (copy), ==, sm_server_get_uuid (server));
  g_assert_cmpstr (sm_server_get_name (copy), ==, "web-01");
  g_assert_cmpstr (sm_server_get_host (copy), ==, "2001:db8::1");
  g_assert_cmpuint (sm_server_get_port (copy), ==, 2222);
  g_assert_cmpstr (sm_server_get_username (copy), ==, "deploy");
  g_assert_cmpint (sm_server_get_auth_method (copy), ==, SM_AUTH_KEY);
  g_assert_cmpstr (sm_server_get_key_file (copy), ==, "~/.ssh/id_ed25519");
  g_assert_cmpstr (sm_server_get_group (copy), ==, "Production");
  g_assert_cmpstrv (sm_server_get_tags (copy), tags);
  g_assert_cmpuint (sm_server_get_interval (copy), ==, 30);
  g_assert_false (sm_server_get_enabled (copy));
  g_assert_cmpstr (sm_server_get_notes (copy), ==, "Ünïcödé");
  g_assert_cmpstr (sm_server_get_host_key_sha256 (copy), ==,
                   "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
  g_assert_true (sm_server_get_has_secret (copy));
  g_assert_cmpint (sm_server_get_status (copy), ==, SM_SERVER_STATUS_UP);

  /* Deep: changing the original leaves the copy alone. */
  g_assert_true (sm_server_get_tags (copy) != sm_server_get_tags (server));
  sm_server_set_tags (server, other_tags);
  sm_server_set_name (server, "changed");
  g_assert_cmpstrv (sm_server_get_tags (copy), tags);
  g_assert_cmpstr (sm_server_get_name (copy), ==, "web-01");

  g_assert_finalize_object (g_steal_pointer (&copy));
}

static void
test_uuid_kept (void)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autofree char *before = g_strdup (sm_server_get_uuid (server));

  /* A server always keeps an identity. */
  sm_server_set_uuid (server, NULL);
  g_assert_cmpstr (sm_server_get_uuid (server), ==, before);
  sm_server_set_uuid (server, "11111111-2222-4333-8444-555555555555");
  g_assert_cmpstr (sm_server_get_uuid (server), ==, "11111111-2222-4333-8444-555555555555");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/defaults", test_defaults);
  g_test_add_func ("/server/tags-never-null", test_tags_never_null);
  g_test_add_func ("/server/notify-on-change-only", test_notify_on_change_only);
  g_test_add_func ("/server/enums", test_enums);
  g_test_add_func ("/server/address", test_address);
  g_test_add_func ("/server/secret-ad", test_secret_ad);
  g_test_add_func ("/server/copy", test_copy);
  g_test_add_func ("/server/uuid-kept", test_uuid_kept);

  return g_test_run ();
}
