/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-check.c: service check definitions: the import format, defaults
 * and every kind of bad input. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "sm-check.h"

static SmCheck *
parse (const char  *json,
       char       **out_error)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  return sm_check_from_json (node, out_error);
}

static void
assert_ok (const char *json)
{
  g_autofree char *problem = NULL;
  g_autoptr(SmCheck) check = parse (json, &problem);

  if (problem != NULL)
    g_error ("%s: %s", json, problem);
  g_assert_nonnull (check);
}

static void
assert_bad (const char *json,
            const char *expected)
{
  g_autofree char *problem = NULL;
  g_autoptr(SmCheck) check = parse (json, &problem);

  g_assert_null (check);
  g_assert_nonnull (problem);
  if (!g_str_has_prefix (problem, expected))
    g_error ("%s: got \"%s\", expected it to start with \"%s\"", json, problem, expected);
}

static void
test_issue_examples (void)
{
  g_autofree char *problem = NULL;
  g_autoptr(SmCheck) http = parse ("{\"type\":\"http\",\"name\":\"api\",\"url\":\"https://example.org/health\","
                                   "\"expect_status\":200,\"keyword\":\"ok\",\"interval\":30}", &problem);
  g_autoptr(SmCheck) tcp = NULL;
  g_autoptr(SmCheck) log = NULL;
  g_autoptr(SmCheck) heartbeat = NULL;
  g_auto(GStrv) patterns = NULL;

  g_assert_null (problem);
  g_assert_nonnull (http);
  g_assert_cmpint (http->type, ==, SM_CHECK_HTTP);
  g_assert_cmpstr (http->name, ==, "api");
  g_assert_cmpuint (http->interval, ==, 30);
  g_assert_cmpstr (sm_check_get_string (http, "url"), ==, "https://example.org/health");
  g_assert_cmpint (sm_check_get_int (http, "expect_status", 0), ==, 200);
  g_assert_cmpstr (sm_check_get_string (http, "keyword"), ==, "ok");
  g_assert_true (sm_check_get_bool (http, "verify_tls", TRUE));

  tcp = parse ("{\"type\":\"tcp\",\"port\":5432}", &problem);
  g_assert_nonnull (tcp);
  g_assert_cmpstr (tcp->name, ==, "TCP 5432");
  g_assert_cmpuint (tcp->interval, ==, SM_CHECK_DEFAULT_INTERVAL);

  assert_ok ("{\"type\":\"tls\",\"port\":443,\"warn_days\":14,\"crit_days\":3}");
  assert_ok ("{\"type\":\"command\",\"command\":\"/usr/lib/nagios/plugins/check_load -w 5 -c 10\"}");

  log = parse ("{\"type\":\"log\",\"path\":\"/var/log/syslog\",\"patterns\":[\"error\",\"segfault\"]}", &problem);
  g_assert_nonnull (log);
  g_assert_cmpstr (log->name, ==, "Log /var/log/syslog");
  patterns = sm_check_dup_strv (log, "patterns");
  g_assert_cmpuint (g_strv_length (patterns), ==, 2);
  g_assert_cmpstr (patterns[1], ==, "segfault");

  heartbeat = parse ("{\"type\":\"heartbeat\",\"interval\":3600,\"grace\":300}", &problem);
  g_assert_nonnull (heartbeat);
  g_assert_cmpint (sm_check_get_int (heartbeat, "grace", 0), ==, 300);

  assert_ok ("{\"type\":\"ping\",\"host\":\"::1\",\"count\":3}");
  assert_ok ("{\"type\":\"dns\",\"query\":\"app.example.org\",\"record\":\"AAAA\","
             "\"resolver\":\"[2001:db8::53]:5353\",\"expect\":[\"2001:db8::1\"]}");
  assert_ok ("{\"type\":\"http\",\"url\":\"http://127.0.0.1:8080/\",\"method\":\"POST\","
             "\"headers\":{\"X-Token\":\"abc\"},\"body\":\"{}\",\"expect_status\":\"200-299\"}");
}

static void
test_bad_input (void)
{
  /* The issue's list: invalid URLs, regexes that do not compile, ports
   * and intervals out of range. */
  assert_bad ("{\"type\":\"http\",\"url\":\"ftp://example.org/\"}", "url: ");
  assert_bad ("{\"type\":\"http\",\"url\":\"not a url\"}", "url: ");
  assert_bad ("{\"type\":\"http\",\"url\":\"https://\"}", "url: ");
  assert_bad ("{\"type\":\"http\",\"url\":\"https://a.example/\",\"regex\":\"(unclosed\"}",
              "regex: is not a valid regular expression: ");
  assert_bad ("{\"type\":\"log\",\"path\":\"/var/log/x\",\"patterns\":[\"ok\",\"[z-a]\"]}",
              "patterns[1]: is not a valid regular expression");
  assert_bad ("{\"type\":\"tcp\",\"port\":0}", "port: must be a number from 1 to 65535");
  assert_bad ("{\"type\":\"tcp\",\"port\":65536}", "port: must be a number from 1 to 65535");
  assert_bad ("{\"type\":\"tcp\",\"port\":\"80\"}", "port: must be a whole number");
  assert_bad ("{\"type\":\"tcp\",\"port\":22,\"interval\":5}", "interval: ");
  assert_bad ("{\"type\":\"tcp\",\"port\":22,\"interval\":86401}", "interval: ");
  assert_bad ("{\"type\":\"tcp\",\"port\":22,\"interval\":30.5}", "interval: ");

  /* Everything else. */
  assert_bad ("{\"type\":\"smtp\"}", "type: ");
  assert_bad ("{\"port\":22}", "type: ");
  assert_bad ("[]", ": must be an object");
  assert_bad ("{\"type\":\"tcp\"}", "port: is required");
  assert_bad ("{\"type\":\"http\"}", "url: is required");
  assert_bad ("{\"type\":\"tcp\",\"port\":22,\"url\":\"https://x.example/\"}",
              "url: is not a setting of a tcp check");
  assert_bad ("{\"type\":\"tcp\",\"port\":22,\"colour\":\"red\"}", "colour: is not a setting");
  assert_bad ("{\"type\":\"tcp\",\"port\":22,\"host\":\"bad host\"}", "host: ");
  assert_bad ("{\"type\":\"tcp\",\"port\":22,\"family\":\"ipx\"}", "family: ");
  assert_bad ("{\"type\":\"http\",\"url\":\"https://a.example/\",\"expect_status\":99}", "expect_status: ");
  assert_bad ("{\"type\":\"http\",\"url\":\"https://a.example/\",\"expect_status\":\"300-200\"}",
              "expect_status: ");
  assert_bad ("{\"type\":\"http\",\"url\":\"https://a.example/\",\"method\":\"FETCH\"}", "method: ");
  assert_bad ("{\"type\":\"http\",\"url\":\"https://a.example/\",\"headers\":{\"Bad Name\":\"x\"}}",
              "headers.Bad Name: ");
  assert_bad ("{\"type\":\"http\",\"url\":\"https://a.example/\",\"headers\":{\"X\":\"a\\nb\"}}",
              "headers.X: must be a single line");
  assert_bad ("{\"type\":\"http\",\"url\":\"https://a.example/\",\"max_size\":10}", "max_size: ");
  assert_bad ("{\"type\":\"http\",\"url\":\"https://a.example/\",\"timeout\":0}", "timeout: ");
  assert_bad ("{\"type\":\"tls\",\"warn_days\":3,\"crit_days\":14}", "crit_days: ");
  assert_bad ("{\"type\":\"ping\",\"count\":21}", "count: ");
  assert_bad ("{\"type\":\"ping\",\"warn_loss\":50,\"crit_loss\":20}", "crit_loss: ");
  assert_bad ("{\"type\":\"dns\",\"query\":\"bad name.example\"}", "query: ");
  assert_bad ("{\"type\":\"dns\",\"query\":\"a.example\",\"record\":\"MX\"}", "record: ");
  assert_bad ("{\"type\":\"dns\",\"query\":\"a.example\",\"resolver\":\"ns.example\"}", "resolver: ");
  assert_bad ("{\"type\":\"dns\",\"query\":\"a.example\",\"resolver\":\"192.0.2.53:0\"}", "resolver: ");
  assert_bad ("{\"type\":\"dns\",\"query\":\"a.example\",\"expect\":[\"10.0.0.300\"]}", "expect[0]: ");
  assert_bad ("{\"type\":\"command\",\"command\":\"  \"}", "command: must not be empty");
  assert_bad ("{\"type\":\"command\",\"command\":\"a\\nb\"}", "command: must be a single line");
  assert_bad ("{\"type\":\"log\",\"path\":\"var/log/x\",\"patterns\":[\"e\"]}", "path: ");
  assert_bad ("{\"type\":\"log\",\"path\":\"/var/log/x\",\"patterns\":[]}", "patterns: must not be empty");
  assert_bad ("{\"type\":\"log\",\"path\":\"/var/log/x\"}", "patterns: is required");
  assert_bad ("{\"type\":\"heartbeat\",\"grace\":-1}", "grace: ");
  assert_bad ("{\"type\":\"heartbeat\",\"timeout\":5}", "timeout: is not a setting");
  assert_bad ("{\"type\":\"tcp\",\"port\":22,\"name\":\"\\u0001\"}", "name: ");
  assert_bad ("{\"type\":\"tcp\",\"port\":22,\"enabled\":\"yes\"}", "enabled: ");
}

static void
test_round_trip (void)
{
  g_autofree char *problem = NULL;
  g_autoptr(SmCheck) check = parse ("{\"type\":\"http\",\"name\":\"api\",\"url\":\"https://a.example/\","
                                    "\"headers\":{\"A\":\"1\"},\"enabled\":false,\"interval\":45}",
                                    &problem);
  g_autoptr(SmCheck) copy = NULL;
  g_autoptr(SmCheck) again = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *copy_text = NULL;

  g_assert_nonnull (check);
  node = sm_check_to_json (check);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==, "{\"type\":\"http\",\"name\":\"api\",\"interval\":45,\"enabled\":false,"
                             "\"headers\":{\"A\":\"1\"},\"url\":\"https://a.example/\"}");
  again = sm_check_from_json (node, &problem);
  g_assert_null (problem);
  g_assert_false (again->enabled);

  /* A copy is deep: changing it leaves the original alone. */
  copy = sm_check_copy (check);
  json_object_set_string_member (copy->settings, "url", "https://b.example/");
  g_assert_cmpstr (sm_check_get_string (check, "url"), ==, "https://a.example/");
  {
    g_autoptr(JsonNode) copy_node = sm_check_to_json (copy);

    copy_text = json_to_string (copy_node, FALSE);
  }
  g_assert_nonnull (strstr (copy_text, "b.example"));
}

static void
test_names_and_types (void)
{
  for (guint i = 0; i < SM_CHECK_N_TYPES; i++)
    {
      SmCheckType type;

      g_assert_true (sm_check_type_from_string (sm_check_type_to_string (i), &type));
      g_assert_cmpint (type, ==, i);
      g_assert_cmpstr (sm_check_type_to_label (i), !=, "");
    }
  g_assert_true (sm_check_type_uses_ssh (SM_CHECK_COMMAND));
  g_assert_true (sm_check_type_uses_ssh (SM_CHECK_LOG));
  g_assert_false (sm_check_type_uses_ssh (SM_CHECK_HTTP));

  {
    g_autofree char *problem = NULL;
    g_autoptr(SmCheck) command = parse ("{\"type\":\"command\",\"command\":\" /usr/lib/nagios/plugins/check_load -w 5\"}",
                                        &problem);
    g_autoptr(SmCheck) http = parse ("{\"type\":\"http\",\"url\":\"https://status.example.org/x\"}", &problem);

    g_assert_cmpstr (command->name, ==, "Command check_load");
    g_assert_cmpstr (http->name, ==, "HTTP status.example.org");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/check/issue-examples", test_issue_examples);
  g_test_add_func ("/check/bad-input", test_bad_input);
  g_test_add_func ("/check/round-trip", test_round_trip);
  g_test_add_func ("/check/names-and-types", test_names_and_types);

  return g_test_run ();
}
