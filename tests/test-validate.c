/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-validate.c: the field validators and tag helpers. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm-test-util.h"
#include "sm-validate.h"

#define FINGERPRINT "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"

/* One case: the input, and NULL when it is valid or a piece of the
 * expected message when it is not. */
typedef struct {
  const char *input;
  const char *error;
} Case;

typedef char *(*TextValidator) (const char *text);

static void
run_cases (const char    *what,
           TextValidator  validate,
           const Case    *cases,
           gsize          n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *message = validate (cases[i].input);
      g_autofree char *shown = cases[i].input ? g_strescape (cases[i].input, NULL) : NULL;

      g_test_message ("%s (%s)", what, shown ? shown : "NULL");

      if (cases[i].error == NULL)
        {
          g_assert_null (message);
        }
      else
        {
          g_assert_nonnull (message);
          g_assert_true (g_utf8_validate (message, -1, NULL));
          /* Phrased to follow a field name: "Port must be ...". */
          g_assert_true (g_str_has_prefix (message, "must "));
          g_assert_nonnull (strstr (message, cases[i].error));
        }
    }
}

static char *
repeat (const char *piece,
        guint       times)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (s, piece);

  return g_string_free (s, FALSE);
}

static void
test_name (void)
{
  g_autofree char *max = repeat ("é", 64);
  g_autofree char *over = repeat ("é", 65);
  const Case cases[] = {
    { "web-01", NULL },
    { "Ünïcödé ☃ server", NULL },
    { " padded ", NULL },
    { max, NULL },
    { NULL, "must not be empty" },
    { "", "must not be empty" },
    { "   \t ", "must not be empty" },
    { over, "must be 64 characters or fewer" },
    { "two\nlines", "control characters" },
    { "bell\x07", "control characters" },
    { "bad \xff utf8", "UTF-8" },
  };

  run_cases ("name", sm_validate_name, cases, G_N_ELEMENTS (cases));
}

static void
test_host (void)
{
  g_autofree char *label63 = repeat ("a", 63);
  g_autofree char *label64 = repeat ("a", 64);
  g_autofree char *host_label63 = g_strconcat (label63, ".example.org", NULL);
  g_autofree char *host_label64 = g_strconcat (label64, ".example.org", NULL);
  /* 4 × (63 + 1) = 256 characters, 255 without the trailing dot. */
  g_autofree char *host256 = NULL;
  g_autofree char *host253 = NULL;
  g_autofree char *host253_dot = NULL;
  const char *host_message = "must be a host name, an IPv4 address or an IPv6 address "
                             "(for example server.example.org or 192.0.2.10)";

  host256 = g_strdup_printf ("%s.%s.%s.%s.", label63, label63, label63, label63);
  /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
  host253 = g_strdup_printf ("%s.%s.%s.%.61s", label63, label63, label63, label63);
  host253_dot = g_strconcat (host253, ".", NULL);
  g_assert_cmpuint (strlen (host256), ==, 256);
  g_assert_cmpuint (strlen (host253), ==, 253);

  {
    const Case cases[] = {
      { "server.example.org", NULL },
      { "localhost", NULL },
      { "a", NULL },
      { "Web-01.Example.ORG", NULL },
      { "1host.example.org", NULL },
      { "xn--bcher-kva.example", NULL },
      { "example.org.", NULL },
      { host_label63, NULL },
      { host253, NULL },
      { host253_dot, NULL },
      { "192.0.2.10", NULL },
      { "0.0.0.0", NULL },
      { "::1", NULL },
      { "fe80::1", NULL },
      { "2001:db8::1", NULL },
      { "2001:0db8:0000:0000:0000:0000:0000:0001", NULL },
      { "::ffff:192.0.2.1", NULL },
      { NULL, "must not be empty" },
      { "", "must not be empty" },
      { "user@host", "user name in its own field" },
      { "root@192.0.2.10", "user name in its own field" },
      { "[::1]", "without brackets" },
      { "[2001:db8::1]", "without brackets" },
      { "web 01", "spaces or control characters" },
      { " web01", "spaces or control characters" },
      { "web01\n", "spaces or control characters" },
      { "web\x01" "01", "spaces or control characters" },
      { "-bad", "starts or ends with “-”" },
      { "bad-", "starts or ends with “-”" },
      { "ok.-bad.org", "starts or ends with “-”" },
      { "a..b", "empty parts" },
      { ".example.org", "empty parts" },
      { ".", host_message },
      { host256, "253 characters or fewer" },
      { host_label64, "at most 63 characters between dots" },
      { "exa_mple.org", host_message },
      { "héllo.example", host_message },
      { "192.0.2.300", host_message },
      { "1.2.3", host_message },
      { "010.0.0.1", host_message },
      { "host:22", "IPv6" },
      { "2001:db8::1::2", "IPv6" },
      { ":::", "IPv6" },
      { "bad \xff", "UTF-8" },
    };

    run_cases ("host", sm_validate_host, cases, G_N_ELEMENTS (cases));
  }
}

static void
test_port (void)
{
  const struct {
    gint64 port;
    gboolean valid;
  } numbers[] = {
    { 1, TRUE },
    { 22, TRUE },
    { 65535, TRUE },
    { 0, FALSE },
    { -1, FALSE },
    { 65536, FALSE },
    { G_MAXINT64, FALSE },
  };
  const struct {
    const char *text;
    guint expected;    /* 0: invalid */
  } texts[] = {
    { "22", 22 },
    { " 22 ", 22 },
    { "\t8022\n", 8022 },
    { "1", 1 },
    { "65535", 65535 },
    { "0022", 22 },
    { "0", 0 },
    { "65536", 0 },
    { "99999999999999999999", 0 },
    { "22x", 0 },
    { "x22", 0 },
    { "2 2", 0 },
    { "+22", 0 },
    { "-22", 0 },
    { "0x16", 0 },
    { "", 0 },
    { "   ", 0 },
    { NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autofree char *message = sm_validate_port (numbers[i].port);

      if (numbers[i].valid)
        g_assert_null (message);
      else
        g_assert_cmpstr (message, ==, "must be a number from 1 to 65535");
    }

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      guint port = 7;
      g_autofree char *message = sm_validate_port_text (texts[i].text, &port);

      g_test_message ("port text (%s)", texts[i].text ? texts[i].text : "NULL");

      if (texts[i].expected != 0)
        {
          g_assert_null (message);
          g_assert_cmpuint (port, ==, texts[i].expected);
        }
      else
        {
          g_assert_cmpstr (message, ==, "must be a number from 1 to 65535");
          /* Left alone on failure. */
          g_assert_cmpuint (port, ==, 7);
        }
    }

  /* out_port is optional. */
  g_assert_null (sm_validate_port_text ("443", NULL));
}

static void
test_username (void)
{
  g_autofree char *max = repeat ("u", 64);
  g_autofree char *over = repeat ("u", 65);
  const Case cases[] = {
    { NULL, NULL },
    { "", NULL },
    { "deploy", NULL },
    { "first.last_1", NULL },
    { "jürgen", NULL },
    { max, NULL },
    { over, "must be 64 characters or fewer" },
    { "two words", "spaces" },
    { "tab\tbed", "spaces" },
    { "user@host", "“@” or “:”" },
    { "user:secret", "“@” or “:”" },
    { "-oProxyCommand=evil", "must not start with “-”" },
    { "\xc3\x28", "UTF-8" },
  };

  run_cases ("username", sm_validate_username, cases, G_N_ELEMENTS (cases));
}

static void
test_interval (void)
{
  const struct {
    gint64 seconds;
    gboolean valid;
  } cases[] = {
    { 5, TRUE },
    { 60, TRUE },
    { 3600, TRUE },
    { 4, FALSE },
    { 0, FALSE },
    { -60, FALSE },
    { 3601, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = sm_validate_interval (cases[i].seconds);

      if (cases[i].valid)
        g_assert_null (message);
      else
        g_assert_cmpstr (message, ==, "must be from 5 seconds to 1 hour (5-3600)");
    }
}

static void
test_key_file (void)
{
  const Case cases[] = {
    { "/home/me/.ssh/id_ed25519", NULL },
    { "~/.ssh/id_ed25519", NULL },
    { "/keys/ünïcödé key", NULL },
    { NULL, "must not be empty" },
    { "", "must not be empty" },
    { "id_ed25519", "absolute path or start with “~/”" },
    { ".ssh/id_ed25519", "absolute path or start with “~/”" },
    { "~other/.ssh/id_ed25519", "absolute path or start with “~/”" },
    { "~", "absolute path or start with “~/”" },
    { "/home/me/.ssh/", "not a folder" },
    { "/home/me/id\n", "control characters" },
    { "/home/\xff", "UTF-8" },
  };

  run_cases ("key file", sm_validate_key_file, cases, G_N_ELEMENTS (cases));
}

static void
test_key_file_exists (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *key = g_build_filename (dir, "id_ed25519", NULL);
  g_autofree char *missing = g_build_filename (dir, "id_missing", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *under_file = g_build_filename (key, "sub", NULL);
  g_autofree char *home_key = g_build_filename (g_get_home_dir (), ".ssh", "id_test", NULL);
  g_autofree char *home_ssh = g_path_get_dirname (home_key);
  g_autofree char *message = NULL;
  GError *error = NULL;

  g_file_set_contents (key, "not really a key\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  g_assert_null (sm_validate_key_file_exists (key));

  /* The syntax is checked first. */
  message = sm_validate_key_file_exists ("relative/key");
  g_assert_nonnull (strstr (message, "absolute path"));
  g_clear_pointer (&message, g_free);

  message = sm_validate_key_file_exists (missing);
  g_assert_nonnull (strstr (message, "does not exist"));
  g_assert_nonnull (strstr (message, missing));
  g_clear_pointer (&message, g_free);

  message = sm_validate_key_file_exists (under_file);
  g_assert_nonnull (strstr (message, "does not exist"));
  g_clear_pointer (&message, g_free);

  message = sm_validate_key_file_exists (dir);
  g_assert_nonnull (strstr (message, "is a folder"));
  g_clear_pointer (&message, g_free);

  message = sm_validate_key_file_exists (fifo);
  g_assert_nonnull (strstr (message, "regular file"));
  g_clear_pointer (&message, g_free);

  /* Unreadable: root reads everything, so only as another user. */
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (key, 0000), ==, 0);
      message = sm_validate_key_file_exists (key);
      g_assert_nonnull (strstr (message, "cannot be read"));
      g_clear_pointer (&message, g_free);
      g_assert_cmpint (g_chmod (key, 0600), ==, 0);
    }

  /* "~/" is the home directory (a temporary one in this test). */
  message = sm_validate_key_file_exists ("~/.ssh/id_test");
  g_assert_nonnull (strstr (message, "does not exist"));
  g_assert_nonnull (strstr (message, home_key));
  g_clear_pointer (&message, g_free);

  g_assert_cmpint (g_mkdir_with_parents (home_ssh, 0700), ==, 0);
  g_file_set_contents (home_key, "key\n", -1, &error);
  g_assert_no_error (error);
  g_assert_null (sm_validate_key_file_exists ("~/.ssh/id_test"));

  sm_test_rmdir (dir);
}

static void
test_group (void)
{
  g_autofree char *max = repeat ("g", 64);
  g_autofree char *over = repeat ("g", 65);
  const Case cases[] = {
    { NULL, NULL },
    { "", NULL },
    { "Production", NULL },
    { "Kunden — Ü", NULL },
    { max, NULL },
    { over, "must be 64 characters or fewer" },
    { "two\nlines", "control characters" },
    { "\xfe", "UTF-8" },
  };

  run_cases ("group", sm_validate_group, cases, G_N_ELEMENTS (cases));
}

static void
test_tag (void)
{
  g_autofree char *max = repeat ("t", 32);
  g_autofree char *over = repeat ("t", 33);
  const Case cases[] = {
    { "web", NULL },
    { "eu-west 1", NULL },
    { "Ärger", NULL },
    { max, NULL },
    { NULL, "must not be empty" },
    { "", "must not be empty" },
    { "  ", "must not be empty" },
    { "a,b", "must not contain commas" },
    { over, "must be 32 characters or fewer" },
    { "tab\tbed", "control characters" },
    { "\xff", "UTF-8" },
  };

  run_cases ("tag", sm_validate_tag, cases, G_N_ELEMENTS (cases));
}

static void
test_notes (void)
{
  g_autofree char *max = repeat ("ü", 4096);
  g_autofree char *over = repeat ("n", 4097);
  const Case cases[] = {
    { NULL, NULL },
    { "", NULL },
    { "Line one\nLine two\r\n\tindented — ünïcödé ☃", NULL },
    { max, NULL },
    { over, "must be 4096 characters or fewer" },
    { "bell\x07", "control characters other than tabs and line breaks" },
    { "escape\x1b[31m", "control characters" },
    { "\xff\xfe", "UTF-8" },
  };

  run_cases ("notes", sm_validate_notes, cases, G_N_ELEMENTS (cases));
}

static void
test_host_key (void)
{
  const char *message = "must be “SHA256:” followed by 43 characters";
  const Case cases[] = {
    { NULL, NULL },
    { "", NULL },
    { FINGERPRINT, NULL },
    { "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8", NULL },
    { "SHA256:++++++++++++++++++++++++++++++++++++++++++A", NULL },
    { "sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", message },
    { "MD5:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", message },
    { "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", message },
    { "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF", message },
    { "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUA", message },
    { "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", message },
    { "SHA256:47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU", message },
    { "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF V", message },
    /* 43 characters, but the last carries bits beyond the 32 bytes. */
    { "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV", message },
    { "SHA256:", message },
  };

  run_cases ("host key", sm_validate_host_key_sha256, cases, G_N_ELEMENTS (cases));
}

static void
test_tags_parse (void)
{
  const struct {
    const char *text;
    const char *expected[6];
  } cases[] = {
    { "a, b,,c ", { "a", "b", "c", NULL } },
    { NULL, { NULL } },
    { "", { NULL } },
    { " , ,, ", { NULL } },
    { "web", { "web", NULL } },
    { "  web  ", { "web", NULL } },
    { "dev ops , prod", { "dev ops", "prod", NULL } },
    { "b,a,b,c,a", { "b", "a", "c", NULL } },
    { "Prod, prod, PROD", { "Prod", NULL } },
    { "Ärger,ärger, übel", { "Ärger", "übel", NULL } },
    { "x,\ty\n,z", { "x", "y", "z", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) tags = sm_tags_parse (cases[i].text);

      g_test_message ("tags (%s)", cases[i].text ? cases[i].text : "NULL");
      g_assert_nonnull (tags);
      g_assert_cmpstrv (tags, cases[i].expected);
    }
}

static void
test_tags_join (void)
{
  const char * const none[] = { NULL };
  const char * const one[] = { "web", NULL };
  const char * const three[] = { "web", "eu west", "Ärger", NULL };
  g_autofree char *joined_null = sm_tags_join (NULL);
  g_autofree char *joined_none = sm_tags_join (none);
  g_autofree char *joined_one = sm_tags_join (one);
  g_autofree char *joined_three = sm_tags_join (three);
  g_auto(GStrv) round_trip = NULL;

  g_assert_cmpstr (joined_null, ==, "");
  g_assert_cmpstr (joined_none, ==, "");
  g_assert_cmpstr (joined_one, ==, "web");
  g_assert_cmpstr (joined_three, ==, "web, eu west, Ärger");

  round_trip = sm_tags_parse (joined_three);
  g_assert_cmpstrv (round_trip, three);
}

int
main (int   argc,
      char *argv[])
{
  /* Isolated dirs give the test its own (empty) home directory. */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/validate/name", test_name);
  g_test_add_func ("/validate/host", test_host);
  g_test_add_func ("/validate/port", test_port);
  g_test_add_func ("/validate/username", test_username);
  g_test_add_func ("/validate/interval", test_interval);
  g_test_add_func ("/validate/key-file", test_key_file);
  g_test_add_func ("/validate/key-file-exists", test_key_file_exists);
  g_test_add_func ("/validate/group", test_group);
  g_test_add_func ("/validate/tag", test_tag);
  g_test_add_func ("/validate/notes", test_notes);
  g_test_add_func ("/validate/host-key", test_host_key);
  g_test_add_func ("/tags/parse", test_tags_parse);
  g_test_add_func ("/tags/join", test_tags_join);

  return g_test_run ();
}
