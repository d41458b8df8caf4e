/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-collector.c: the collector script run for real on this machine,
 * with its /bin/sh and with a busybox-only userland, and the bounded
 * reading of its output. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "sm-collector.h"
#include "sm-test-util.h"

static double
proc_uptime (void)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents ("/proc/uptime", &text, NULL, NULL));
  return g_ascii_strtod (text, NULL);
}

static guint64
proc_mem_total (void)
{
  g_autofree char *text = NULL;
  const char *p;

  g_assert_true (g_file_get_contents ("/proc/meminfo", &text, NULL, NULL));
  p = strstr (text, "MemTotal:");
  g_assert_nonnull (p);
  return g_ascii_strtoull (p + strlen ("MemTotal:"), NULL, 10) * 1024;
}

static gboolean
has_prefix_metric (SmPollResult *result,
                   const char   *prefix)
{
  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmMetric *m = &g_array_index (result->metrics, SmMetric, i);

      if (g_str_has_prefix (m->name, prefix) && !isnan (m->value))
        return TRUE;
    }
  return FALSE;
}

static void
assert_sane (SmPollResult *result,
             gboolean      with_specs)
{
  double cpu = sm_poll_result_get_metric (result, "cpu.percent");
  double disk = sm_poll_result_get_metric (result, "disk./.used_percent");
  double up = sm_poll_result_get_metric (result, "uptime.seconds");
  const SmSectionStatus *s;

  s = sm_poll_result_get_section (result, "cpu");
  g_assert_nonnull (s);
  g_assert_cmpint (s->state, ==, SM_SECTION_OK);
  g_assert_false (isnan (cpu));
  g_assert_cmpfloat (cpu, >=, 0);
  g_assert_cmpfloat (cpu, <=, 100);
  g_assert_cmpfloat (sm_poll_result_get_metric (result, "mem.total"), ==,
                     (double) proc_mem_total ());
  g_assert_false (isnan (disk));
  g_assert_cmpfloat (disk, >=, 0);
  g_assert_cmpfloat (disk, <=, 100);
  g_assert_false (isnan (up));
  g_assert_cmpfloat (fabs (proc_uptime () - up), <, 5.0);
  g_assert_false (isnan (sm_poll_result_get_metric (result, "load.1")));
  g_assert_cmpfloat (sm_poll_result_get_metric (result, "procs.count"), >, 0);
  g_assert_true (has_prefix_metric (result, "net."));
  s = sm_poll_result_get_section (result, "processes");
  g_assert_nonnull (s);
  if (s->state != SM_SECTION_OK)
    g_error ("processes: %s", s->message);
  g_assert_cmpuint (result->top_mem->len, >, 0);
  g_assert_nonnull (result->ports);
  if (with_specs)
    {
      g_assert_nonnull (result->specs);
      g_assert_nonnull (result->specs->os_name);
      g_assert_cmpstr (result->specs->os_name, !=, "");
      g_assert_cmpuint (result->specs->cpu_cores, >, 0);
      g_assert_cmpuint (result->specs->cpu_cores, ==, (guint) sysconf (_SC_NPROCESSORS_ONLN));
    }
  else
    g_assert_null (result->specs);
}

/* A fast poll repeats the slow one's disks, processes and ports. */
static void
assert_carried (SmPollResult *slow,
                SmPollResult *fast)
{
  g_assert_cmpfloat (sm_poll_result_get_metric (fast, "disk./.used_percent"), ==,
                     sm_poll_result_get_metric (slow, "disk./.used_percent"));
  g_assert_cmpfloat (sm_poll_result_get_metric (fast, "disk./.total"), ==,
                     sm_poll_result_get_metric (slow, "disk./.total"));
  g_assert_cmpuint (fast->top_mem->len, ==, slow->top_mem->len);
  for (guint i = 0; i < slow->top_mem->len; i++)
    g_assert_cmpuint (((SmProcess *) g_ptr_array_index (fast->top_mem, i))->pid, ==,
                      ((SmProcess *) g_ptr_array_index (slow->top_mem, i))->pid);
  g_assert_nonnull (fast->ports);
  g_assert_cmpuint (fast->ports->len, ==, slow->ports->len);
  for (guint i = 0; i < slow->ports->len; i++)
    g_assert_cmpuint (((SmListenPort *) g_ptr_array_index (fast->ports, i))->port, ==,
                      ((SmListenPort *) g_ptr_array_index (slow->ports, i))->port);
  g_assert_cmpint (sm_poll_result_get_section (fast, "disks")->state, ==,
                   sm_poll_result_get_section (slow, "disks")->state);
}

static void
test_run_local (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) first = NULL;
  g_autoptr(SmPollResult) second = NULL;
  g_autoptr(SmPollResult) third = NULL;
  g_autoptr(GError) error = NULL;
  gint64 slow_time;

  first = sm_collector_run_local (state, SM_COLLECT_FIRST | SM_COLLECT_SPECS | SM_COLLECT_SLOW,
                                  NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  assert_sane (first, TRUE);
  g_assert_cmpfloat (first->latency_ms, >, 0);
  slow_time = sm_collector_state_get_slow_time (state);
  g_assert_cmpint (slow_time, >, 0);

  /* The second poll on the same state is a fast one: rates from the
   * deltas, although it takes a single reading, and the slow sections
   * from the first. */
  sm_test_wait_for_ticks ();
  second = sm_collector_run_local (state, SM_COLLECT_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  assert_sane (second, FALSE);
  assert_carried (first, second);
  g_assert_cmpint (sm_collector_state_get_slow_time (state), ==, slow_time);

  /* A slow poll again takes fresh values. */
  sm_test_wait_for_ticks ();
  third = sm_collector_run_local (state, SM_COLLECT_SLOW, NULL, &error);
  g_assert_no_error (error);
  assert_sane (third, FALSE);
  g_assert_cmpint (sm_collector_state_get_slow_time (state), >, slow_time);
}

static void
test_run_local_cancelled (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  SmPollResult *result;

  g_cancellable_cancel (cancellable);
  result = sm_collector_run_local (state, SM_COLLECT_FIRST, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A directory with every busybox applet but skip (may be NULL). */
static char *
make_busybox_dir (const char *busybox,
                  const char *skip)
{
  g_autofree char *list = NULL;
  g_auto(GStrv) applets = NULL;
  char *dir = sm_test_mkdtemp ();

  g_assert_true (g_spawn_command_line_sync ("busybox --list", &list, NULL, NULL, NULL));
  applets = g_strsplit (list, "\n", -1);
  for (guint i = 0; applets[i] != NULL; i++)
    {
      g_autofree char *link = NULL;

      if (*applets[i] == '\0' || g_strcmp0 (applets[i], skip) == 0)
        continue;
      link = g_build_filename (dir, applets[i], NULL);
      g_assert_cmpint (symlink (busybox, link), ==, 0);
    }
  return dir;
}

/* The script in a userland of busybox applets only. */
static void
test_busybox_userland (void)
{
  g_autofree char *busybox = g_find_program_in_path ("busybox");
  g_autofree char *dir = NULL;
  g_autofree char *path_env = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *command = NULL;
  g_autofree char *input = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) first = NULL;
  g_autoptr(SmPollResult) second = NULL;
  const char *data;
  gsize len;

  if (busybox == NULL)
    {
      g_test_skip ("busybox is not installed");
      return;
    }

  dir = make_busybox_dir (busybox, NULL);
  path_env = g_strconcat ("PATH=", dir, NULL);

  for (guint round = 0; round < 2; round++)
    {
      SmPollResult *result;

      if (round > 0)
        sm_test_wait_for_ticks ();
      marker = sm_collector_new_marker ();
      command = sm_collector_build_command (marker, round == 0
                                                   ? SM_COLLECT_FIRST | SM_COLLECT_SPECS | SM_COLLECT_SLOW
                                                   : SM_COLLECT_DEFAULT);
      input = g_strconcat (sm_collector_get_script (), command, "exit\n", NULL);
      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                  &error, "env", "-i", path_env, busybox, "sh", NULL);
      g_assert_no_error (error);
      g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), input, strlen (input),
                                 NULL, NULL, &error);
      g_assert_no_error (error);
      g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, &error);
      g_assert_no_error (error);
      output = sm_collector_read_output (g_subprocess_get_stdout_pipe (process), marker, NULL, &error);
      g_assert_no_error (error);
      g_subprocess_wait_check (process, NULL, &error);
      g_assert_no_error (error);

      data = g_bytes_get_data (output, &len);
      result = sm_collector_parse (state, marker, data, len);
      if (round == 0)
        first = result;
      else
        second = result;
      g_clear_pointer (&marker, g_free);
      g_clear_pointer (&command, g_free);
      g_clear_pointer (&input, g_free);
      g_clear_pointer (&output, g_bytes_unref);
      g_clear_object (&process);
    }

  assert_sane (first, TRUE);
  /* The second, fast poll read /proc with busybox awk. */
  assert_sane (second, FALSE);
  assert_carried (first, second);
  /* busybox ps has no %CPU: the CPU list is empty, the memory list not. */
  g_assert_cmpuint (first->top_cpu->len, ==, 0);
  g_assert_cmpint (sm_poll_result_get_section (first, "processes")->state, ==, SM_SECTION_OK);

  sm_test_rmdir (dir);
}

/* Runs the script with /bin/sh and extra environment, parses the output. */
static SmPollResult *
run_script_with_env (SmCollectorState  *state,
                     SmCollectFlags     flags,
                     const char       **extra_env)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = sm_collector_new_marker ();
  g_autofree char *command = sm_collector_build_command (marker, flags);
  g_autofree char *input = g_strconcat (sm_collector_get_script (), command, "exit\n", NULL);
  const char *data;
  gsize len;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  for (guint i = 0; extra_env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, extra_env[i], extra_env[i + 1], TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", NULL);
  g_assert_no_error (error);
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), input, strlen (input),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, &error);
  g_assert_no_error (error);
  output = sm_collector_read_output (g_subprocess_get_stdout_pipe (process), marker, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (output, &len);
  return sm_collector_parse (state, marker, data, len);
}

static void
write_tool (const char *dir,
            const char *name,
            const char *body)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = g_strconcat ("#!/bin/sh\n", body, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

/* docker, nvidia-smi and systemctl are not on this machine (or not
 * working): stand-ins on PATH check the script's use of them. The
 * stand-ins read stdin, as real commands may: they must not eat the
 * shell's next command. */
static void
test_optional_commands (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *path = g_strconcat (dir, ":", g_getenv ("PATH"), NULL);
  const char *env[] = { "PATH", path, "DOCKER_HOST", "tcp://127.0.0.1:9", NULL };
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) result = NULL;
  g_autoptr(SmPollResult) denied = NULL;
  const SmSectionStatus *s;
  SmContainer *c;
  SmUnit *u;

  write_tool (dir, "docker",
              "cat >/dev/null\n"
              "[ \"$1 $2\" = \"ps -a\" ] || exit 2\n"
              "printf 'web\\tnginx:1\\trunning\\tUp 2 hours (healthy)\\n'\n"
              "printf 'old\\tbusybox\\texited\\tExited (137) 3 days ago\\n'\n");
  write_tool (dir, "nvidia-smi",
              "cat >/dev/null\n"
              "echo '0, 55, 2048, 8192'\n");
  write_tool (dir, "systemctl",
              "cat >/dev/null\n"
              "case $1 in\n"
              "list-units) echo '  cron.service loaded active running Cron'\n"
              "            echo '* bad.service loaded failed failed Bad' ;;\n"
              "show) shift 6; for u; do echo \"Id=$u\"; echo 'StateChangeTimestamp=Sun 2026-11-22 05:00:00 UTC'; echo; done ;;\n"
              "*) exit 1 ;;\n"
              "esac\n");

  result = run_script_with_env (state, SM_COLLECT_SLOW, env);
  s = sm_poll_result_get_section (result, "docker");
  g_assert_cmpint (s->state, ==, SM_SECTION_OK);
  g_assert_cmpuint (result->containers->len, ==, 2);
  c = g_ptr_array_index (result->containers, 0);
  g_assert_cmpstr (c->health, ==, "healthy");
  c = g_ptr_array_index (result->containers, 1);
  g_assert_cmpstr (c->state, ==, "exited");
  g_assert_cmpfloat (sm_poll_result_get_metric (result, "gpu.0.util_percent"), ==, 55);
  g_assert_cmpfloat (sm_poll_result_get_metric (result, "gpu.0.mem_total"), ==, 8192.0 * 1024 * 1024);
  g_assert_cmpuint (result->units->len, ==, 2);
  u = g_ptr_array_index (result->units, 1);
  g_assert_cmpstr (u->unit, ==, "bad.service");
  g_assert_cmpstr (u->active, ==, "failed");
  g_assert_cmpstr (u->since, ==, "Sun 2026-11-22 05:00:00 UTC");
  /* The sections after the stand-ins are all there. */
  g_assert_nonnull (result->ports);
  g_assert_false (isnan (sm_poll_result_get_metric (result, "mem.total")));

  write_tool (dir, "docker",
              "echo 'Got permission denied while trying to connect to the Docker daemon socket' >&2\n"
              "exit 1\n");
  denied = run_script_with_env (state, SM_COLLECT_SLOW, env);
  s = sm_poll_result_get_section (denied, "docker");
  g_assert_cmpint (s->state, ==, SM_SECTION_MISSING);
  g_assert_cmpstr (s->message, ==, "docker: permission denied (add the user to the docker group)");
  g_assert_null (denied->containers);

  sm_test_rmdir (dir);
}

/* Runs one poll of the script under "strace -f", which logs every
 * process the shell creates; returns how many it created, and the parsed
 * result. argv is the shell (and what runs it); path, when not NULL, is
 * the whole environment's PATH. */
static guint
count_processes (const char       *strace,
                 const char *const argv[],
                 const char       *path,
                 SmCollectorState *state,
                 SmCollectFlags    flags,
                 SmPollResult    **result)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *log_path = g_build_filename (dir, "strace.log", NULL);
  g_autofree char *log = NULL;
  g_autofree char *marker = sm_collector_new_marker ();
  g_autofree char *command = sm_collector_build_command (marker, flags);
  g_autofree char *input = g_strconcat (sm_collector_get_script (), command, "exit\n", NULL);
  const char *data;
  gsize len;
  guint n = 0;

  g_ptr_array_add (args, (char *) strace);
  g_ptr_array_add (args, (char *) "-f");
  g_ptr_array_add (args, (char *) "-qq");
  g_ptr_array_add (args, (char *) "-e");
  g_ptr_array_add (args, (char *) "trace=clone,clone3,fork,vfork");
  g_ptr_array_add (args, (char *) "-o");
  g_ptr_array_add (args, log_path);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  if (path != NULL)
    {
      const char *env[] = { NULL, NULL };
      g_autofree char *path_env = g_strconcat ("PATH=", path, NULL);

      env[0] = path_env;
      g_subprocess_launcher_set_environ (launcher, (char **) env);
    }
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), input, strlen (input),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, &error);
  g_assert_no_error (error);
  output = sm_collector_read_output (g_subprocess_get_stdout_pipe (process), marker, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (output, &len);
  *result = sm_collector_parse (state, marker, data, len);

  g_file_get_contents (log_path, &log, NULL, &error);
  g_assert_no_error (error);
  /* "PID clone(...", "PID vfork( <unfinished ...>": one line each. */
  regex = g_regex_new ("^[0-9]+ +(clone3?|v?fork)\\(", G_REGEX_MULTILINE, 0, &error);
  g_assert_no_error (error);
  g_regex_match (regex, log, 0, &match);
  while (g_match_info_matches (match))
    {
      n++;
      g_match_info_next (match, NULL);
    }
  sm_test_rmdir (dir);
  return n;
}

/* strace can follow children here: a slow poll creates several. */
static gboolean
strace_works (const char *strace)
{
  const char * const sh[] = { "/bin/sh", NULL };
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) result = NULL;

  if (strace == NULL)
    return FALSE;
  return count_processes (strace, sh, NULL, state, SM_COLLECT_SLOW, &result) >= 3;
}

/* A poll without SM_COLLECT_SLOW starts at most one process (awk), with
 * /bin/sh, bash, busybox sh and busybox awk; none without awk. */
static void
test_fast_poll_processes (void)
{
  g_autofree char *strace = g_find_program_in_path ("strace");
  g_autofree char *bash = g_find_program_in_path ("bash");
  g_autofree char *busybox = g_find_program_in_path ("busybox");
  g_autofree char *empty = NULL;
  const char * const sh[] = { "/bin/sh", NULL };
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) slow = NULL;
  g_autoptr(SmPollResult) fast = NULL;
  g_autoptr(SmPollResult) no_awk = NULL;
  guint n;

  if (!strace_works (strace))
    {
      g_test_skip ("strace is missing or cannot follow processes here");
      return;
    }

  n = count_processes (strace, sh, NULL, state, SM_COLLECT_FIRST | SM_COLLECT_SLOW, &slow);
  g_test_message ("/bin/sh: a first slow poll created %u processes", n);
  assert_sane (slow, FALSE);
  sm_test_wait_for_ticks ();
  n = count_processes (strace, sh, NULL, state, SM_COLLECT_DEFAULT, &fast);
  g_test_message ("/bin/sh: a fast poll created %u processes", n);
  g_assert_cmpuint (n, <=, 1);
  assert_sane (fast, FALSE);
  assert_carried (slow, fast);

  if (bash != NULL)
    {
      const char * const argv[] = { bash, "--norc", "--noprofile", NULL };
      g_autoptr(SmPollResult) result = NULL;

      sm_test_wait_for_ticks ();
      n = count_processes (strace, argv, NULL, state, SM_COLLECT_DEFAULT, &result);
      g_test_message ("bash: a fast poll created %u processes", n);
      g_assert_cmpuint (n, <=, 1);
      assert_sane (result, FALSE);
    }

  if (busybox != NULL)
    {
      const char * const argv[] = { busybox, "sh", NULL };
      g_autofree char *dir = make_busybox_dir (busybox, NULL);
      g_autofree char *awkless = make_busybox_dir (busybox, "awk");
      g_autoptr(SmPollResult) result = NULL;
      g_autoptr(SmPollResult) result2 = NULL;

      sm_test_wait_for_ticks ();
      n = count_processes (strace, argv, dir, state, SM_COLLECT_DEFAULT, &result);
      g_test_message ("busybox sh and awk: a fast poll created %u processes", n);
      g_assert_cmpuint (n, <=, 1);
      assert_sane (result, FALSE);
      /* Without awk, the shell's read loop: nothing to start. */
      sm_test_wait_for_ticks ();
      n = count_processes (strace, argv, awkless, state, SM_COLLECT_DEFAULT, &result2);
      g_assert_cmpuint (n, ==, 0);
      assert_sane (result2, FALSE);
      sm_test_rmdir (dir);
      sm_test_rmdir (awkless);
    }

  /* /bin/sh with nothing on PATH: no awk either. */
  empty = sm_test_mkdtemp ();
  sm_test_wait_for_ticks ();
  n = count_processes (strace, sh, empty, state, SM_COLLECT_DEFAULT, &no_awk);
  g_assert_cmpuint (n, ==, 0);
  assert_sane (no_awk, FALSE);
  sm_test_rmdir (empty);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Polls as the engine does: one persistent shell, the script written
 * once, then one command line per poll. The first poll is a slow one,
 * then 100 fast ones; the round trip of each is timed. */
static void
test_persistent_shell (void)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) slow = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  const char *script = sm_collector_get_script ();
  GOutputStream *in;
  GInputStream *out;
  double p50, p99;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                              &error, "/bin/sh", NULL);
  g_assert_no_error (error);
  in = g_subprocess_get_stdin_pipe (process);
  out = g_subprocess_get_stdout_pipe (process);
  g_output_stream_write_all (in, script, strlen (script), NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i <= 100; i++)
    {
      SmCollectFlags flags = i == 0 ? SM_COLLECT_FIRST | SM_COLLECT_SLOW : SM_COLLECT_DEFAULT;
      g_autofree char *marker = sm_collector_new_marker ();
      g_autofree char *command = sm_collector_build_command (marker, flags);
      g_autoptr(GBytes) output = NULL;
      g_autoptr(SmPollResult) result = NULL;
      gint64 start = g_get_monotonic_time ();
      const char *data;
      gsize len;

      g_output_stream_write_all (in, command, strlen (command), NULL, NULL, &error);
      g_assert_no_error (error);
      output = sm_collector_read_output (out, marker, NULL, &error);
      g_assert_no_error (error);
      data = g_bytes_get_data (output, &len);
      result = sm_collector_parse (state, marker, data, len);
      if (i > 0)
        {
          double ms = (g_get_monotonic_time () - start) / 1000.0;

          g_array_append_val (times, ms);
          assert_carried (slow, result);
          g_assert_cmpint (sm_poll_result_get_section (result, "cpu")->state, ==, SM_SECTION_OK);
          g_assert_cmpint (sm_poll_result_get_section (result, "memory")->state, ==, SM_SECTION_OK);
        }
      else
        slow = g_steal_pointer (&result);
    }
  g_output_stream_close (in, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  g_array_sort (times, compare_double);
  p50 = g_array_index (times, double, times->len / 2);
  p99 = g_array_index (times, double, times->len * 99 / 100);
  g_test_message ("fast poll in a persistent /bin/sh, 100 polls: p50 %.2f ms, p99 %.2f ms, "
                  "min %.2f ms, max %.2f ms", p50, p99,
                  g_array_index (times, double, 0), g_array_index (times, double, times->len - 1));
  /* About 3 ms here, against about 50 ms when every poll ran df, ps and
   * ss: a generous bound that still catches that. */
  g_assert_cmpfloat (p50, <, 25.0);
}

static void
test_forged_end (void)
{
  const char *marker = "0123456789abcdef0123456789abcdef";
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) result = NULL;
  const char *data;
  gsize len;

  /* A process whose name is the end line cannot end the run: ps puts its
   * PID in front, so the line does not match as a whole. */
  g_string_append_printf (text, "%s section slow\n", marker);
  g_string_append_printf (text, "%s section loadavg\n0.10 0.20 0.30 1/99 5\n", marker);
  g_string_append_printf (text, "%s section ps\n  PID USER %%CPU %%MEM RSS COMMAND\n", marker);
  g_string_append_printf (text, "    7 eve 1.0 0.1 100 %s end\n", marker);
  g_string_append_printf (text, "%s section meminfo\nMemTotal: 1000 kB\nMemFree: 500 kB\n", marker);
  g_string_append_printf (text, "%s end\n", marker);
  stream = g_memory_input_stream_new_from_data (g_strdup (text->str), text->len, g_free);
  output = sm_collector_read_output (stream, marker, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (output, &len);
  result = sm_collector_parse (state, marker, data, len);
  g_assert_cmpfloat (sm_poll_result_get_metric (result, "load.15"), ==, 0.30);
  g_assert_cmpfloat (sm_poll_result_get_metric (result, "mem.used_percent"), ==, 50.0);
  g_assert_cmpuint (result->top_mem->len, ==, 1);
  g_assert_cmpstr (((SmProcess *) g_ptr_array_index (result->top_mem, 0))->command, ==,
                   "0123456789abcdef0123456789abcdef end");
}

static void
test_over_cap (void)
{
  const char *marker = "0123456789abcdef0123456789abcdef";
  gsize size = SM_COLLECTOR_MAX_OUTPUT + 1024 * 1024;
  char *big = g_malloc (size);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GInputStream) early = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = g_strdup_printf ("%s end\n", marker);

  /* Lines of 'x' and a real end line after the cap: refused. */
  memset (big, 'x', size);
  for (gsize i = 79; i < size; i += 80)
    big[i] = '\n';
  memcpy (big + size - strlen (tail), tail, strlen (tail));
  big[size - strlen (tail) - 1] = '\n';
  stream = g_memory_input_stream_new_from_data (big, size, g_free);
  output = sm_collector_read_output (stream, marker, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);

  /* A stream that ends before the end line. */
  early = g_memory_input_stream_new_from_data ("abc\n", 4, NULL);
  output = sm_collector_read_output (early, marker, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/collector/run-local", test_run_local);
  g_test_add_func ("/collector/run-local-cancelled", test_run_local_cancelled);
  g_test_add_func ("/collector/busybox-userland", test_busybox_userland);
  g_test_add_func ("/collector/optional-commands", test_optional_commands);
  g_test_add_func ("/collector/fast-poll-processes", test_fast_poll_processes);
  g_test_add_func ("/collector/persistent-shell", test_persistent_shell);
  g_test_add_func ("/collector/forged-end", test_forged_end);
  g_test_add_func ("/collector/over-cap", test_over_cap);

  return g_test_run ();
}
