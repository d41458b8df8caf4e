/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-plugin-output.c: monitoring plugin exit status, text and perfdata. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "sm-plugin-output.h"

static SmCheckResult *
parse (int         exit_status,
       const char *output)
{
  return sm_plugin_output_parse (exit_status, output, strlen (output), NULL, NULL);
}

static void
test_exit_status (void)
{
  struct {
    int            exit_status;
    const char    *output;
    SmCheckStatus  status;
    const char    *reason;
  } cases[] = {
    { 0, "OK - load average: 0.10\n", SM_CHECK_STATUS_UP, "OK - load average: 0.10" },
    { 1, "WARNING - 85% used\n", SM_CHECK_STATUS_DEGRADED, "WARNING - 85% used" },
    { 2, "  CRITICAL - down  |x=1\n", SM_CHECK_STATUS_DOWN, "CRITICAL - down" },
    { 3, "UNKNOWN - bad argument\n", SM_CHECK_STATUS_UNKNOWN, "UNKNOWN - bad argument" },
    { 1, "", SM_CHECK_STATUS_DEGRADED, "plugin returned WARNING" },
    { 2, "|a=1", SM_CHECK_STATUS_DOWN, "plugin returned CRITICAL" },
    { 3, "", SM_CHECK_STATUS_UNKNOWN, "plugin returned UNKNOWN" },
    { 127, "sh: 1: check_foo: not found\n", SM_CHECK_STATUS_UNKNOWN,
      "plugin exited with status 127: command not found" },
    { 126, "", SM_CHECK_STATUS_UNKNOWN, "plugin exited with status 126: command not executable" },
    { 137, "", SM_CHECK_STATUS_UNKNOWN, "plugin exited with status 137: killed by signal 9" },
    { 4, "", SM_CHECK_STATUS_UNKNOWN, "plugin exited with status 4" },
    { -15, "", SM_CHECK_STATUS_UNKNOWN, "plugin was killed by signal 15" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SmCheckResult) result = parse (cases[i].exit_status, cases[i].output);

      g_assert_nonnull (result);
      g_assert_cmpint (result->status, ==, cases[i].status);
      g_assert_cmpstr (result->reason, ==, cases[i].reason);
    }
}

static void
test_not_found_keeps_output (void)
{
  g_autoptr(SmCheckResult) result = parse (127, "sh: 1: check_foo: not found\n");

  g_assert_cmpuint (result->lines->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (result->lines, 0), ==, "sh: 1: check_foo: not found");
}

static void
test_ok_without_text (void)
{
  g_autoptr(SmCheckResult) result = parse (0, "");

  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  g_assert_true (result->reason == NULL || *result->reason == '\0');
  g_assert_cmpuint (result->metrics->len, ==, 0);
}

static void
assert_metric (const SmCheckResult *result,
               const char          *name,
               double               value,
               const char          *unit)
{
  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmCheckMetric *metric = &g_array_index (result->metrics, SmCheckMetric, i);

      if (g_str_equal (metric->name, name))
        {
          g_assert_cmpfloat_with_epsilon (metric->value, value, 1e-9);
          g_assert_cmpstr (metric->unit, ==, unit);
          return;
        }
    }
  g_error ("metric %s not found", name);
}

static void
test_perfdata (void)
{
  const char *output =
    "DISK OK - free space: / 3326 MB (56%); | "
    "/=2643MB;5948;5958;0;5968 'time to go'=0.5s;1;2 "
    "'it''s'=-3.25 load1=0.10;~:5;@10:20;; "
    "rate=12c pct=99.5% tiny=15us mid=7ms big=2TB kb=3KB gb=4GB bytes=5B "
    "unknown=U\n";
  g_autoptr(SmCheckResult) result = parse (0, output);

  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  g_assert_cmpstr (result->reason, ==, "DISK OK - free space: / 3326 MB (56%);");
  assert_metric (result, "perf._", 2643, "MB");
  assert_metric (result, "perf.time_to_go", 0.5, "s");
  assert_metric (result, "perf.it_s", -3.25, NULL);
  assert_metric (result, "perf.load1", 0.10, NULL);
  assert_metric (result, "perf.rate", 12, "c");
  assert_metric (result, "perf.pct", 99.5, "%");
  assert_metric (result, "perf.tiny", 15, "us");
  assert_metric (result, "perf.mid", 7, "ms");
  assert_metric (result, "perf.big", 2, "TB");
  assert_metric (result, "perf.kb", 3, "KB");
  assert_metric (result, "perf.gb", 4, "GB");
  assert_metric (result, "perf.bytes", 5, "B");
  g_assert_true (isnan (sm_check_result_get_metric (result, "perf.unknown")));
  g_assert_cmpuint (result->metrics->len, ==, 12);

  g_assert_cmpstr (sm_check_result_get_detail (result, "perf._.warn"), ==, "5948");
  g_assert_cmpstr (sm_check_result_get_detail (result, "perf._.crit"), ==, "5958");
  g_assert_cmpstr (sm_check_result_get_detail (result, "perf._.min"), ==, "0");
  g_assert_cmpstr (sm_check_result_get_detail (result, "perf._.max"), ==, "5968");
  g_assert_cmpstr (sm_check_result_get_detail (result, "perf.time_to_go.warn"), ==, "1");
  g_assert_cmpstr (sm_check_result_get_detail (result, "perf.load1.warn"), ==, "~:5");
  g_assert_cmpstr (sm_check_result_get_detail (result, "perf.load1.crit"), ==, "@10:20");
  g_assert_null (sm_check_result_get_detail (result, "perf.load1.min"));
}

static void
test_long_output (void)
{
  const char *output =
    "OK - 3 services | first=1\n"
    "service a running\n"
    "service b running\n"
    "service c running | second=2s;3\n"
    "third=3%\n"
    "'fourth one'=4B\n";
  g_autoptr(SmCheckResult) result = parse (0, output);

  g_assert_cmpstr (result->reason, ==, "OK - 3 services");
  g_assert_cmpuint (result->lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (result->lines, 0), ==, "service a running");
  g_assert_cmpstr (g_ptr_array_index (result->lines, 2), ==, "service c running");
  assert_metric (result, "perf.first", 1, NULL);
  assert_metric (result, "perf.second", 2, "s");
  assert_metric (result, "perf.third", 3, "%");
  assert_metric (result, "perf.fourth_one", 4, "B");
  g_assert_cmpstr (sm_check_result_get_detail (result, "perf.second.warn"), ==, "3");
}

static void
test_lines_capped (void)
{
  g_autoptr(GString) output = g_string_new ("OK\n");
  g_autoptr(SmCheckResult) result = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append_printf (output, "line %u\n", i);
  /* A very long line is cut. */
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (output, 'x');
  result = sm_plugin_output_parse (0, output->str, output->len, NULL, NULL);
  g_assert_cmpuint (result->lines->len, ==, SM_PLUGIN_OUTPUT_MAX_LINES);
  g_assert_cmpstr (g_ptr_array_index (result->lines, 49), ==, "line 49");
}

static void
test_reason_capped_and_repaired (void)
{
  g_autoptr(GString) output = g_string_new ("OK \xff\xfe ");
  g_autoptr(SmCheckResult) result = NULL;

  for (guint i = 0; i < 500; i++)
    g_string_append (output, "\xc3\xa4");
  result = sm_plugin_output_parse (0, output->str, output->len, NULL, NULL);
  g_assert_true (g_utf8_validate (result->reason, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (result->reason, -1), ==, 200);
  g_assert_true (g_str_has_prefix (result->reason, "OK \xef\xbf\xbd"));
}

static void
test_embedded_nul (void)
{
  const char output[] = "OK\0 hidden | a=1\nmore\n";
  g_autoptr(SmCheckResult) result = NULL;

  result = sm_plugin_output_parse (0, output, sizeof output - 1, NULL, NULL);
  g_assert_nonnull (result);
  g_assert_true (g_utf8_validate (result->reason, -1, NULL));
  g_assert_true (g_str_has_prefix (result->reason, "OK"));
  assert_metric (result, "perf.a", 1, NULL);
}

static void
test_malformed_perfdata (void)
{
  const char *bad[] = {
    "OK | =1 x=abc y=1zz z= w=1;2;3;4;5;6;7 v=1,5 good=7 'unterminated",
    "OK | ====== ;;;; '''' ''=1 'a'b=2 c=0x10 d=inf e=nan f=-.5 g=.",
    "OK | \xff=1 h=1e5 i=+3",
    "OK | '",
    "OK | a='1'",
    "OK |",
    "| ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(SmCheckResult) result = parse (0, bad[i]);

      g_assert_nonnull (result);
      g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
    }

  {
    g_autoptr(SmCheckResult) result = parse (0, bad[0]);

    assert_metric (result, "perf.good", 7, NULL);
    assert_metric (result, "perf.w", 1, NULL);
    g_assert_true (isnan (sm_check_result_get_metric (result, "perf.x")));
    g_assert_true (isnan (sm_check_result_get_metric (result, "perf.v")));
  }
  {
    g_autoptr(SmCheckResult) result = parse (0, bad[1]);

    assert_metric (result, "perf.f", -0.5, NULL);
    g_assert_true (isnan (sm_check_result_get_metric (result, "perf.c")));
    g_assert_true (isnan (sm_check_result_get_metric (result, "perf.d")));
  }
  {
    g_autoptr(SmCheckResult) result = parse (0, bad[2]);

    assert_metric (result, "perf.i", 3, NULL);
    g_assert_true (isnan (sm_check_result_get_metric (result, "perf.h")));
  }
}

static void
test_duplicate_label (void)
{
  g_autoptr(SmCheckResult) result = parse (0, "OK | a=1 a=2 'a'=3");

  g_assert_cmpuint (result->metrics->len, ==, 1);
  assert_metric (result, "perf.a", 1, NULL);
}

static void
test_regex (void)
{
  const char *output = "OK - version 2.4.1\nbuild ok\n";
  g_autofree char *error = NULL;

  {
    g_autoptr(SmCheckResult) result = sm_plugin_output_parse (0, output, strlen (output),
                                                              "version 2\\.\\d", NULL);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  }
  {
    g_autoptr(SmCheckResult) result = sm_plugin_output_parse (0, output, strlen (output),
                                                              "^build ok$", NULL);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  }
  {
    g_autoptr(SmCheckResult) result = sm_plugin_output_parse (1, output, strlen (output),
                                                              "version 3", NULL);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
    g_assert_cmpstr (result->reason, ==, "output does not match 'version 3'");
  }
  {
    g_autoptr(SmCheckResult) result = sm_plugin_output_parse (3, output, strlen (output),
                                                              "version 3", NULL);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
    g_assert_cmpstr (result->reason, ==, "OK - version 2.4.1");
  }

  g_assert_null (sm_plugin_output_parse (0, output, strlen (output), "(unclosed", &error));
  g_assert_nonnull (error);
  g_assert_cmpstr (error, !=, "");
}

static void
test_label_to_metric (void)
{
  struct {
    const char *label;
    const char *metric;
  } cases[] = {
    { "load1", "perf.load1" },
    { "/", "perf._" },
    { "/var/log", "perf._var_log" },
    { "time to first byte", "perf.time_to_first_byte" },
    { "a  //  b", "perf.a_b" },
    { "rta.ms-x_y", "perf.rta.ms-x_y" },
    { "temp \xc2\xb0" "C", "perf.temp_C" },
    { "", "perf._" },
  };
  g_autofree char *long_label = g_strnfill (300, 'a');
  g_autofree char *long_metric = sm_plugin_perfdata_label_to_metric (long_label);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *metric = sm_plugin_perfdata_label_to_metric (cases[i].label);

      g_assert_cmpstr (metric, ==, cases[i].metric);
    }
  g_assert_cmpuint (strlen (long_metric), ==, strlen ("perf.") + 64);
}

static void
test_big_output (void)
{
  gsize size = SM_PLUGIN_OUTPUT_MAX_BYTES + 4096;
  g_autofree char *output = g_malloc (size);
  g_autoptr(SmCheckResult) result = NULL;

  for (gsize i = 0; i < size; i++)
    output[i] = (i % 64 == 63) ? '\n' : (i % 7 == 0 ? '|' : 'a' + i % 26);
  result = sm_plugin_output_parse (0, output, size, NULL, NULL);
  g_assert_nonnull (result);
  g_assert_cmpuint (result->metrics->len, <=, SM_PLUGIN_OUTPUT_MAX_PERF);
  g_assert_cmpuint (result->lines->len, <=, SM_PLUGIN_OUTPUT_MAX_LINES);
}

/* Random text from the characters perfdata is made of: never a crash,
 * always a result with valid UTF-8 and bounded arrays. */
static void
test_random (void)
{
  static const char alphabet[] = "ab=;'|. -+U%0123456789sBKMTc\n\xff\xc3";
  GRand *rand = g_rand_new_with_seed (4242);

  for (guint round = 0; round < 3000; round++)
    {
      guint len = g_rand_int_range (rand, 0, 200);
      g_autofree char *text = g_malloc (len + 1);
      g_autoptr(SmCheckResult) result = NULL;

      for (guint i = 0; i < len; i++)
        text[i] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      text[len] = '\0';
      result = sm_plugin_output_parse (g_rand_int_range (rand, -2, 5), text, len, NULL, NULL);
      g_assert_nonnull (result);
      g_assert_true (result->reason == NULL || g_utf8_validate (result->reason, -1, NULL));
      for (guint i = 0; i < result->lines->len; i++)
        g_assert_true (g_utf8_validate (g_ptr_array_index (result->lines, i), -1, NULL));
      for (guint i = 0; i < result->metrics->len; i++)
        g_assert_true (g_str_has_prefix (g_array_index (result->metrics, SmCheckMetric, i).name,
                                         "perf."));
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin-output/exit-status", test_exit_status);
  g_test_add_func ("/plugin-output/not-found-keeps-output", test_not_found_keeps_output);
  g_test_add_func ("/plugin-output/ok-without-text", test_ok_without_text);
  g_test_add_func ("/plugin-output/perfdata", test_perfdata);
  g_test_add_func ("/plugin-output/long-output", test_long_output);
  g_test_add_func ("/plugin-output/lines-capped", test_lines_capped);
  g_test_add_func ("/plugin-output/reason-capped-and-repaired", test_reason_capped_and_repaired);
  g_test_add_func ("/plugin-output/embedded-nul", test_embedded_nul);
  g_test_add_func ("/plugin-output/malformed-perfdata", test_malformed_perfdata);
  g_test_add_func ("/plugin-output/duplicate-label", test_duplicate_label);
  g_test_add_func ("/plugin-output/regex", test_regex);
  g_test_add_func ("/plugin-output/label-to-metric", test_label_to_metric);
  g_test_add_func ("/plugin-output/big-output", test_big_output);
  g_test_add_func ("/plugin-output/random", test_random);

  return g_test_run ();
}
