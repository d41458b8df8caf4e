/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-log-tail.c: the log tail command run by the real /bin/sh (and by
 * busybox sh with busybox's stat, tail and head) on files in a temporary
 * directory, polled as the SSH session will poll them: appends, partial
 * lines, truncation, rotation, odd paths; then the matcher.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sm-log-tail.h"
#include "sm-test-util.h"

#define BUSYBOX "/bin/busybox"

typedef struct {
  char     *dir;
  char     *bb_path;   /* PATH with busybox applets first, or NULL */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  gboolean busybox = GPOINTER_TO_INT (user_data);

  fixture->dir = sm_test_mkdtemp ();
  if (busybox)
    {
      g_autofree char *bin = g_build_filename (fixture->dir, "bb-bin", NULL);
      const char *applets[] = { "sh", "stat", "tail", "head" };

      g_assert_cmpint (g_mkdir (bin, 0700), ==, 0);
      for (guint i = 0; i < G_N_ELEMENTS (applets); i++)
        {
          g_autofree char *link = g_build_filename (bin, applets[i], NULL);

          g_assert_cmpint (symlink (BUSYBOX, link), ==, 0);
        }
      fixture->bb_path = g_strconcat (bin, ":", g_getenv ("PATH"), NULL);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  sm_test_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->bb_path);
}

static gboolean
skip_without_busybox (gconstpointer user_data)
{
  if (GPOINTER_TO_INT (user_data) && !g_file_test (BUSYBOX, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no " BUSYBOX);
      return TRUE;
    }
  return FALSE;
}

/* Runs command as the session would, returns its standard output. */
static GBytes *
run_command (Fixture    *fixture,
             const char *command)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* Relative paths are relative to the fixture's directory. */
  g_subprocess_launcher_set_cwd (launcher, fixture->dir);
  if (fixture->bb_path != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "PATH", fixture->bb_path, TRUE);
      process = g_subprocess_launcher_spawn (launcher, &error, BUSYBOX, "sh", NULL);
    }
  else
    process = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", NULL);
  g_assert_no_error (error);

  /* Fed to a shell's standard input, as to the session's persistent sh;
   * the trailing echo shows that the shell lives on after the command. */
  {
    g_autofree char *input = g_strconcat (command, "echo SHELL-ALIVE\n", NULL);
    g_autoptr(GBytes) in = g_bytes_new (input, strlen (input));
    gsize len;
    const char *data;

    g_subprocess_communicate (process, in, NULL, &out, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_exited (process));
    data = g_bytes_get_data (out, &len);
    g_assert_cmpuint (len, >=, strlen ("SHELL-ALIVE\n"));
    g_assert_cmpmem (data + len - strlen ("SHELL-ALIVE\n"), strlen ("SHELL-ALIVE\n"),
                     "SHELL-ALIVE\n", strlen ("SHELL-ALIVE\n"));
    return g_bytes_new_from_bytes (out, 0, len - strlen ("SHELL-ALIVE\n"));
  }
}

/* One poll; asserts it parses and returns the new lines. */
static GPtrArray *
poll_file (Fixture        *fixture,
           const char     *path,
           SmLogTailState *state,
           gsize           max_bytes)
{
  g_autofree char *command = sm_log_tail_build_command (path, state, max_bytes);
  g_autoptr(GBytes) out = run_command (fixture, command);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (out, &len);

  if (!sm_log_tail_parse (data, len, state, lines, &error))
    g_error ("parse failed: %s (output %.*s)", error, (int) len, data);
  g_assert_null (error);
  return g_steal_pointer (&lines);
}

static void
write_file (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
append_file (const char *path,
             const char *text)
{
  FILE *file = fopen (path, "ab");

  g_assert_nonnull (file);
  g_assert_cmpint (fputs (text, file), >=, 0);
  g_assert_cmpint (fclose (file), ==, 0);
}

static void
assert_lines (GPtrArray  *lines,
              const char *first,
              ...)
{
  va_list args;
  guint i = 0;
  const char *expected = first;

  va_start (args, first);
  while (expected != NULL)
    {
      g_assert_cmpuint (i, <, lines->len);
      g_assert_cmpstr (g_ptr_array_index (lines, i), ==, expected);
      i++;
      expected = va_arg (args, const char *);
    }
  va_end (args);
  g_assert_cmpuint (lines->len, ==, i);
}

static void
run_lifecycle (Fixture    *fixture,
               const char *name)
{
  /* name is what the command is given (relative to the shell's cwd, the
   * fixture's directory, unless absolute); path is the same file here. */
  g_autofree char *path = g_path_is_absolute (name) ? g_strdup (name)
                                                    : g_build_filename (fixture->dir, name, NULL);
  g_autofree char *rotated = g_strconcat (path, ".1", NULL);
  SmLogTailState state = { 0 };
  GPtrArray *lines;

  write_file (path, "old 1\nold 2\nold 3\n");

  /* First poll: starts at the end. */
  lines = poll_file (fixture, name, &state, 0);
  g_assert_cmpuint (lines->len, ==, 0);
  g_assert_true (state.initialised);
  g_assert_cmpuint (state.offset, ==, strlen ("old 1\nold 2\nold 3\n"));
  g_ptr_array_unref (lines);

  /* Nothing new. */
  lines = poll_file (fixture, name, &state, 0);
  g_assert_cmpuint (lines->len, ==, 0);
  g_ptr_array_unref (lines);

  /* Appends. */
  append_file (path, "new 1\nERROR disk full\r\n");
  lines = poll_file (fixture, name, &state, 0);
  assert_lines (lines, "new 1", "ERROR disk full", NULL);
  g_ptr_array_unref (lines);

  /* A partial line waits for its end. */
  append_file (path, "done\nhalf a li");
  lines = poll_file (fixture, name, &state, 0);
  assert_lines (lines, "done", NULL);
  g_ptr_array_unref (lines);
  append_file (path, "ne\n");
  lines = poll_file (fixture, name, &state, 0);
  assert_lines (lines, "half a line", NULL);
  g_ptr_array_unref (lines);

  /* Truncated (copytruncate) and rewritten shorter. */
  write_file (path, "after truncate\n");
  lines = poll_file (fixture, name, &state, 0);
  assert_lines (lines, "after truncate", NULL);
  g_ptr_array_unref (lines);

  /* Rotated: renamed, and a new file at the path (the old one still
   * exists, so the inode differs). Longer than the old offset on purpose. */
  g_assert_cmpint (g_rename (path, rotated), ==, 0);
  write_file (path, "fresh 1 after rotation, longer than before\nfresh 2\n");
  lines = poll_file (fixture, name, &state, 0);
  assert_lines (lines, "fresh 1 after rotation, longer than before", "fresh 2", NULL);
  g_ptr_array_unref (lines);

  append_file (path, "fresh 3\n");
  lines = poll_file (fixture, name, &state, 0);
  assert_lines (lines, "fresh 3", NULL);
  g_ptr_array_unref (lines);
}

static void
test_lifecycle (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *path = NULL;

  if (skip_without_busybox (user_data))
    return;
  path = g_build_filename (fixture->dir, "app.log", NULL);
  run_lifecycle (fixture, path);
}

static void
test_special_path (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *names[] = {
    "with space.log",
    "it's \"quoted\".log",
    "$HOME and $(touch pwned) `touch pwned2`.log",
    "semi;colon & amp | pipe > gt.log",
    "-leading-dash.log",
    "new\nline.log",
    "back\\slash.log",
  };

  if (skip_without_busybox (user_data))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, names[i], NULL);

      run_lifecycle (fixture, path);
    }
  /* Relative, with a leading dash (the shell's cwd is the directory). */
  run_lifecycle (fixture, "-dash first.log");
  {
    g_autofree char *path = g_build_filename (fixture->dir, "-dash first.log", NULL);

    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  }

  /* Nothing in a name ran. */
  {
    g_autofree char *pwned = g_build_filename (fixture->dir, "pwned", NULL);

    g_assert_false (g_file_test ("pwned", G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test ("pwned2", G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (pwned, G_FILE_TEST_EXISTS));
  }
}

static void
test_caps (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autofree char *path = NULL;
  SmLogTailState state = { 0 };
  GPtrArray *lines;

  if (skip_without_busybox (user_data))
    return;
  path = g_build_filename (fixture->dir, "caps.log", NULL);
  write_file (path, "");
  lines = poll_file (fixture, path, &state, 16);
  g_ptr_array_unref (lines);
  g_assert_cmpuint (state.offset, ==, 0);

  /* 16 bytes a poll: three 5-byte lines, then the next three. */
  append_file (path, "1111\n2222\n3333\n4444\n5555\n6666\n7\n");
  lines = poll_file (fixture, path, &state, 16);
  assert_lines (lines, "1111", "2222", "3333", NULL);
  g_ptr_array_unref (lines);
  lines = poll_file (fixture, path, &state, 16);
  assert_lines (lines, "4444", "5555", "6666", NULL);
  g_ptr_array_unref (lines);
  lines = poll_file (fixture, path, &state, 16);
  assert_lines (lines, "7", NULL);
  g_ptr_array_unref (lines);

  /* A line longer than a whole chunk is split, not stuck. */
  append_file (path, "abcdefghijklmnopqrstuvwxyz\n");
  lines = poll_file (fixture, path, &state, 16);
  assert_lines (lines, "abcdefghijklmnop", NULL);
  g_ptr_array_unref (lines);
  lines = poll_file (fixture, path, &state, 16);
  assert_lines (lines, "qrstuvwxyz", NULL);
  g_ptr_array_unref (lines);
}

static void
test_binary (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *path = NULL;
  SmLogTailState state = { 0 };
  GPtrArray *lines;

  if (skip_without_busybox (user_data))
    return;
  path = g_build_filename (fixture->dir, "bin.log", NULL);
  write_file (path, "");
  g_ptr_array_unref (poll_file (fixture, path, &state, 0));
  {
    const char data[] = "bad \xff\xfe utf8\nnul \0 inside\n";
    FILE *file = fopen (path, "ab");

    g_assert_nonnull (file);
    g_assert_cmpuint (fwrite (data, 1, sizeof data - 1, file), ==, sizeof data - 1);
    g_assert_cmpint (fclose (file), ==, 0);
  }
  lines = poll_file (fixture, path, &state, 0);
  g_assert_cmpuint (lines->len, ==, 2);
  for (guint i = 0; i < lines->len; i++)
    g_assert_true (g_utf8_validate (g_ptr_array_index (lines, i), -1, NULL));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, 0), "bad "));
  g_ptr_array_unref (lines);
}

static void
test_missing_file (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *error = NULL;
  SmLogTailState state = { 7, 42, TRUE };
  gsize len;
  const char *data;

  if (skip_without_busybox (user_data))
    return;
  path = g_build_filename (fixture->dir, "missing.log", NULL);
  command = sm_log_tail_build_command (path, &state, 0);
  out = run_command (fixture, command);
  data = g_bytes_get_data (out, &len);
  g_assert_false (sm_log_tail_parse (data, len, &state, lines, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error, "cannot read the log file: "));
  g_assert_cmpuint (state.inode, ==, 7);
  g_assert_cmpuint (state.offset, ==, 42);
  g_assert_cmpuint (lines->len, ==, 0);
}

static void
test_bad_output (void)
{
  const char *outputs[] = {
    "",
    "no header",
    "garbage\n",
    "SMLOG 1 2 3\n\nSMLOG-END\n",
    "SMLOG x 2 3 4\n\nSMLOG-END\n",
    "SMLOG 1 2 3 4 5\n\nSMLOG-END\n",
    "SMLOG 1 2 3 4\nline 1\nline 2\n",
    "SMLOG 1 2 3 4\nline 1\nline 2\nSMLOG-EN",
    "SMLOG -1 2 3 4\n\nSMLOG-END\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *error = NULL;
      SmLogTailState state = { 3, 4, TRUE };

      g_assert_false (sm_log_tail_parse (outputs[i], strlen (outputs[i]), &state, lines, &error));
      g_assert_nonnull (error);
      g_assert_cmpuint (state.inode, ==, 3);
      g_assert_cmpuint (state.offset, ==, 4);
      g_assert_cmpuint (lines->len, ==, 0);
    }

  /* The trailer without its final newline is fine. */
  {
    const char *output = "SMLOG 3 20 4 100\nline\n\nSMLOG-END";
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    SmLogTailState state = { 3, 4, TRUE };

    g_assert_true (sm_log_tail_parse (output, strlen (output), &state, lines, NULL));
    assert_lines (lines, "line", NULL);
    g_assert_cmpuint (state.offset, ==, 9);
  }
}

/* Random answers: never a crash, the state only moves forward from a
 * well-formed header. */
static void
test_random_output (void)
{
  static const char alphabet[] = "SMLOG-END 0123456789\n\r\xff";
  GRand *rand = g_rand_new_with_seed (777);

  for (guint round = 0; round < 3000; round++)
    {
      guint len = g_rand_int_range (rand, 0, 120);
      g_autofree char *text = g_malloc (len + 1);
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *error = NULL;
      SmLogTailState state = { 5, 10, g_rand_boolean (rand) };
      gboolean ok;

      for (guint i = 0; i < len; i++)
        text[i] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      text[len] = '\0';
      if (g_rand_boolean (rand))
        {
          g_autofree char *framed = g_strdup_printf ("SMLOG 5 100 10 50\n%s\nSMLOG-END\n", text);

          ok = sm_log_tail_parse (framed, strlen (framed), &state, lines, &error);
        }
      else
        ok = sm_log_tail_parse (text, len, &state, lines, &error);
      g_assert_true (ok == (error == NULL));
      for (guint i = 0; i < lines->len; i++)
        g_assert_true (g_utf8_validate (g_ptr_array_index (lines, i), -1, NULL));
    }
  g_rand_free (rand);
}

static GPtrArray *
make_lines (const char *first,
            ...)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  va_list args;

  va_start (args, first);
  for (const char *line = first; line != NULL; line = va_arg (args, const char *))
    g_ptr_array_add (lines, g_strdup (line));
  va_end (args);
  return lines;
}

static void
test_match (void)
{
  g_autoptr(GPtrArray) lines = make_lines ("ok", "error: one", "fine", "ERROR two",
                                           "panic: three", "error four", NULL);
  const char *one[] = { "error", NULL };
  const char *two[] = { "(?i)error", "^panic", "never", NULL };

  {
    g_autoptr(SmCheckResult) result = sm_log_tail_match (lines, one, 2);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
    g_assert_cmpstr (result->reason, ==, "2 matches of 'error'");
    g_assert_cmpfloat (sm_check_result_get_metric (result, "matches"), ==, 2);
    g_assert_cmpuint (result->lines->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (result->lines, 0), ==, "error: one");
    g_assert_cmpstr (g_ptr_array_index (result->lines, 1), ==, "error four");
  }
  {
    g_autoptr(SmCheckResult) result = sm_log_tail_match (lines, two, 2);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
    g_assert_cmpstr (result->reason, ==, "4 matches of '(?i)error', '^panic'");
    g_assert_cmpfloat (sm_check_result_get_metric (result, "matches"), ==, 4);
    g_assert_cmpuint (result->lines->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (result->lines, 0), ==, "panic: three");
    g_assert_cmpstr (g_ptr_array_index (result->lines, 1), ==, "error four");
  }
  {
    g_autoptr(GPtrArray) single = make_lines ("a fatal error", NULL);
    g_autoptr(SmCheckResult) result = sm_log_tail_match (single, one, 0);

    g_assert_cmpstr (result->reason, ==, "1 match of 'error'");
    g_assert_cmpuint (result->lines->len, ==, 0);
  }
  {
    const char *none[] = { "zzz", NULL };
    g_autoptr(SmCheckResult) result = sm_log_tail_match (lines, none, 5);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
    g_assert_null (result->reason);
    g_assert_cmpfloat (sm_check_result_get_metric (result, "matches"), ==, 0);
    g_assert_cmpuint (result->lines->len, ==, 0);
  }
  {
    g_autoptr(GPtrArray) empty = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(SmCheckResult) result = sm_log_tail_match (empty, NULL, 5);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  }
}

static void
test_match_long_line (void)
{
  g_autoptr(GString) line = g_string_new ("error ");
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SmCheckResult) result = NULL;
  const char *patterns[] = { "error", NULL };

  for (guint i = 0; i < 1000; i++)
    g_string_append (line, "\xc3\xa4");
  g_ptr_array_add (lines, g_strdup (line->str));
  result = sm_log_tail_match (lines, patterns, 10);
  g_assert_cmpuint (result->lines->len, ==, 1);
  g_assert_cmpint (g_utf8_strlen (g_ptr_array_index (result->lines, 0), -1), ==, 500);
}

static void
test_validate (void)
{
  const char *good[] = { "error", "(?i)fail(ed|ure)", NULL };
  const char *bad[] = { "error", "(unclosed", NULL };
  const char *empty[] = { "", NULL };
  g_autofree char *message = NULL;
  g_autofree char *empty_message = NULL;

  g_assert_null (sm_log_tail_validate_patterns (good));
  g_assert_null (sm_log_tail_validate_patterns (NULL));
  message = sm_log_tail_validate_patterns (bad);
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "patterns[1]: "));
  g_assert_cmpuint (strlen (message), >, strlen ("patterns[1]: "));
  empty_message = sm_log_tail_validate_patterns (empty);
  g_assert_cmpstr (empty_message, ==, "patterns[0]: empty pattern");

  {
    g_autoptr(GPtrArray) lines = make_lines ("error", NULL);
    g_autoptr(SmCheckResult) result = sm_log_tail_match (lines, bad, 5);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UNKNOWN);
    g_assert_cmpstr (result->reason, ==, message);
  }
}

static void
test_command_shape (void)
{
  SmLogTailState state = { 12, 34, TRUE };
  g_autofree char *first = sm_log_tail_build_command ("/var/log/syslog", NULL, 0);
  g_autofree char *next = sm_log_tail_build_command ("/var/log/syslog", &state, 4096);

  /* One line, in a subshell, POSIX tools only. */
  g_assert_true (g_str_has_prefix (first, "("));
  g_assert_true (g_str_has_suffix (first, ")\n"));
  g_assert_true (strchr (first, '\n') == first + strlen (first) - 1);
  g_assert_nonnull (strstr (next, "stat -L -c '%i %s'"));
  g_assert_nonnull (strstr (next, "head -c 4096"));
  g_assert_nonnull (strstr (next, "o=34;"));
  g_assert_nonnull (strstr (next, "!= 12 ]"));
  g_assert_null (strstr (next, "bash"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/log-tail/command-shape", test_command_shape);
  g_test_add_func ("/log-tail/bad-output", test_bad_output);
  g_test_add_func ("/log-tail/random-output", test_random_output);
  g_test_add_func ("/log-tail/match", test_match);
  g_test_add_func ("/log-tail/match-long-line", test_match_long_line);
  g_test_add_func ("/log-tail/validate", test_validate);

  g_test_add ("/log-tail/sh/lifecycle", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_lifecycle, fixture_tear_down);
  g_test_add ("/log-tail/sh/special-path", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_special_path, fixture_tear_down);
  g_test_add ("/log-tail/sh/caps", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_caps, fixture_tear_down);
  g_test_add ("/log-tail/sh/binary", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_binary, fixture_tear_down);
  g_test_add ("/log-tail/sh/missing-file", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_missing_file, fixture_tear_down);

  g_test_add ("/log-tail/busybox/lifecycle", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_lifecycle, fixture_tear_down);
  g_test_add ("/log-tail/busybox/special-path", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_special_path, fixture_tear_down);
  g_test_add ("/log-tail/busybox/caps", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_caps, fixture_tear_down);
  g_test_add ("/log-tail/busybox/binary", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_binary, fixture_tear_down);
  g_test_add ("/log-tail/busybox/missing-file", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_missing_file, fixture_tear_down);

  return g_test_run ();
}
