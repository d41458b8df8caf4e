/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-parsers.c: the collector's pure parsers on fixtures captured from
 * real systems (tests/fixtures/collector) and on hand-made edge cases.
 * Expected values are worked out by hand from the fixture text. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "sm-collector.h"
#include "sm-parsers.h"
#include "sm-test-util.h"

#define MARKER "00112233445566778899aabbccddeeff"

static char *
load_fixture (const char *name,
              gsize      *len)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  path = g_test_build_filename (G_TEST_DIST, "fixtures", "collector", name, NULL);
  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static SmPollResult *
parse_fixture (SmCollectorState *state,
               const char       *name)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  contents = load_fixture (name, &len);
  return sm_collector_parse (state, MARKER, contents, len);
}

static void
assert_metric (SmPollResult *result,
               const char   *name,
               double        expected)
{
  double value = sm_poll_result_get_metric (result, name);

  if (isnan (value))
    g_error ("metric %s is missing", name);
  if (fabs (value - expected) > 1e-6 * MAX (1.0, fabs (expected)))
    g_error ("metric %s is %.9g, expected %.9g", name, value, expected);
}

static void
assert_no_metric (SmPollResult *result,
                  const char   *name)
{
  if (!isnan (sm_poll_result_get_metric (result, name)))
    g_error ("metric %s should be absent", name);
}

static void
assert_section (SmPollResult   *result,
                const char     *name,
                SmSectionState  state)
{
  const SmSectionStatus *status = sm_poll_result_get_section (result, name);

  if (status == NULL)
    g_error ("section %s has no status", name);
  if (status->state != state)
    g_error ("section %s is in state %d (%s), expected %d", name, status->state,
             status->message != NULL ? status->message : "", state);
}

static guint
count_prefix (SmPollResult *result,
              const char   *prefix)
{
  guint n = 0;

  for (guint i = 0; i < result->metrics->len; i++)
    if (g_str_has_prefix (g_array_index (result->metrics, SmMetric, i).name, prefix))
      n++;
  return n;
}

/* Poll result */

static void
test_poll_result (void)
{
  g_autoptr(SmPollResult) result = sm_poll_result_new ();
  const SmSectionStatus *s;

  g_assert_true (isnan (sm_poll_result_get_metric (result, "cpu.percent")));
  sm_poll_result_add_metric (result, "cpu.percent", 12.5);
  sm_poll_result_add_metric (result, "load.1", 0.5);
  sm_poll_result_add_metric (result, "cpu.percent", 13.5);
  g_assert_cmpuint (result->metrics->len, ==, 2);
  g_assert_cmpfloat (sm_poll_result_get_metric (result, "cpu.percent"), ==, 13.5);

  sm_poll_result_set_section (result, "docker", SM_SECTION_MISSING, "not available");
  s = sm_poll_result_get_section (result, "docker");
  g_assert_nonnull (s);
  g_assert_cmpint (s->state, ==, SM_SECTION_MISSING);
  g_assert_cmpstr (s->message, ==, "not available");
  sm_poll_result_set_section (result, "docker", SM_SECTION_OK, "ignored");
  g_assert_cmpint (s->state, ==, SM_SECTION_OK);
  g_assert_null (s->message);
  g_assert_null (sm_poll_result_get_section (result, "gpu"));

  /* Free functions accept NULL. */
  sm_poll_result_free (NULL);
  sm_process_free (NULL);
  sm_container_free (NULL);
  sm_unit_free (NULL);
  sm_listen_port_free (NULL);
  sm_specs_free (NULL);
}

/* Script and command */

static void
test_script_and_command (void)
{
  const char *script = sm_collector_get_script ();
  g_autofree char *marker = sm_collector_new_marker ();
  g_autofree char *other = sm_collector_new_marker ();
  g_autofree char *cmd = NULL;
  g_autofree char *end = NULL;

  g_assert_nonnull (strstr (script, "sm_collect ()"));
  /* No bash-isms that dash or busybox ash would reject. */
  g_assert_null (strstr (script, "[[ "));
  g_assert_null (strstr (script, "function "));
  g_assert_null (strstr (script, "<<<"));

  g_assert_cmpuint (strlen (marker), ==, 32);
  for (const char *p = marker; *p != '\0'; p++)
    g_assert_true (g_ascii_isxdigit (*p));
  g_assert_cmpstr (marker, !=, other);

  cmd = sm_collector_build_command (MARKER, SM_COLLECT_FIRST | SM_COLLECT_SPECS);
  g_assert_cmpstr (cmd, ==, "sm_collect " MARKER " first,specs\n");
  g_free (cmd);
  cmd = sm_collector_build_command (MARKER, SM_COLLECT_FIRST | SM_COLLECT_SPECS | SM_COLLECT_SLOW);
  g_assert_cmpstr (cmd, ==, "sm_collect " MARKER " first,specs,slow\n");
  g_free (cmd);
  cmd = sm_collector_build_command (MARKER, SM_COLLECT_SLOW);
  g_assert_cmpstr (cmd, ==, "sm_collect " MARKER " slow\n");
  g_free (cmd);
  cmd = sm_collector_build_command (MARKER, SM_COLLECT_DEFAULT);
  g_assert_cmpstr (cmd, ==, "sm_collect " MARKER " -\n");
  /* A fast poll reads /proc with one awk, falling back to the shell. */
  g_assert_nonnull (strstr (script, "awk -v m="));
  g_assert_nonnull (strstr (script, "*,slow,*) _sm_slow ;;"));
  end = sm_collector_end_line (MARKER);
  g_assert_cmpstr (end, ==, MARKER " end");
}

static void
test_find_end (void)
{
  const char *data = "x " MARKER " end\n" MARKER " ends\n" MARKER " end\nafter";
  gssize at = sm_collector_find_end (MARKER, data, strlen (data), 0);

  /* Only a whole line counts. */
  g_assert_cmpint (at, ==, (gssize) (strlen ("x " MARKER " end\n" MARKER " ends\n")));
  g_assert_cmpint (sm_collector_find_end (MARKER, data, at + 10, 0), ==, -1);
  g_assert_cmpint (sm_collector_find_end (MARKER, MARKER " end\n", 37, 0), ==, 0);
  g_assert_cmpint (sm_collector_find_end (MARKER, MARKER " end", 36, 0), ==, -1);
}

/* Splitter */

static void
test_split_forged (void)
{
  const char *out =
    "junk before\n"
    MARKER " section a\n"
    "1\n"
    "ffffffffffffffffffffffffffffffff section b\n"
    " " MARKER " section c\n"
    MARKER " section a extra\n"
    MARKER " section a\n"
    "dup\n"
    MARKER " section UPPER\n"
    "2\n"
    MARKER " section d\n"
    MARKER " status not-running\n"
    MARKER " section e\n"
    "x\n"
    MARKER " status late\n"
    MARKER " end\n"
    MARKER " section f\n";
  g_autoptr(GHashTable) sections = sm_parse_split (MARKER, out, strlen (out));
  const SmSection *a = g_hash_table_lookup (sections, "a");
  const SmSection *d = g_hash_table_lookup (sections, "d");
  const SmSection *e = g_hash_table_lookup (sections, "e");
  g_autofree char *a_text = NULL;

  g_assert_cmpuint (g_hash_table_size (sections), ==, 3);
  g_assert_nonnull (a);
  a_text = g_strndup (a->text, a->len);
  /* Forged, prefixed, extended, upper-case and duplicate section lines are
   * all text of the first "a". */
  g_assert_cmpstr (a_text, ==,
                   "1\n"
                   "ffffffffffffffffffffffffffffffff section b\n"
                   " " MARKER " section c\n"
                   MARKER " section a extra\n");
  g_assert_nonnull (d);
  g_assert_cmpstr (d->status, ==, "not-running");
  g_assert_cmpuint (d->len, ==, 0);
  g_assert_nonnull (e);
  g_assert_null (e->status);
  g_assert_cmpuint (e->len, ==, strlen ("x\n" MARKER " status late\n"));
  g_assert_false (g_hash_table_contains (sections, "f"));
}

static void
test_text_ok (void)
{
  g_assert_true (sm_parse_text_ok ("abc\n", 4));
  g_assert_true (sm_parse_text_ok ("", 0));
  g_assert_false (sm_parse_text_ok ("a\0b", 3));
  g_assert_false (sm_parse_text_ok ("a\xff", 2));
  g_assert_false (sm_parse_text_ok ("abc", SM_PARSE_MAX_SECTION + 1));
}

/* Individual parsers */

static void
test_stat (void)
{
  /* Two /proc/stat readings from debian12-first.txt (stat and stat2):
   * system 73911 -> 73912, idle 830152 -> 830192, the rest unchanged:
   * 41 ticks, 1 busy. */
  const char *a = "cpu  98023 8 73911 830152 4241 0 2062 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n";
  const char *b = "cpu  98023 8 73912 830192 4241 0 2062 0 0 0\n";
  g_autoptr(SmPollResult) result = sm_poll_result_new ();
  g_autoptr(SmPollResult) none = sm_poll_result_new ();
  SmCpuTimes ta, tb;

  g_assert_true (sm_parse_stat (a, strlen (a), &ta));
  g_assert_true (sm_parse_stat (b, strlen (b), &tb));
  g_assert_cmpuint (ta.idle, ==, 830152);
  g_assert_true (sm_cpu_rates (&ta, &tb, result));
  assert_metric (result, "cpu.percent", 100.0 / 41.0);
  assert_metric (result, "cpu.system", 100.0 / 41.0);
  assert_metric (result, "cpu.user", 0);

  /* iowait stepping back while the rest advances (Linux allows it): the
   * field counts as 0 and the rate is still there. 20 idle + 20 user
   * ticks: 50 % busy. */
  {
    const char *c = "cpu  98023 8 73911 830152 4241 0 2062 0 0 0\n";
    const char *d = "cpu  98043 8 73911 830172 4239 0 2062 0 0 0\n";
    g_autoptr(SmPollResult) back = sm_poll_result_new ();
    SmCpuTimes tc, td;

    g_assert_true (sm_parse_stat (c, strlen (c), &tc));
    g_assert_true (sm_parse_stat (d, strlen (d), &td));
    g_assert_true (sm_cpu_rates (&tc, &td, back));
    assert_metric (back, "cpu.percent", 50.0);
    assert_metric (back, "cpu.iowait", 0.0);
  }

  /* Backwards (a reboot) or unchanged: no rate, not garbage. */
  g_assert_false (sm_cpu_rates (&tb, &ta, none));
  g_assert_false (sm_cpu_rates (&ta, &ta, none));
  g_assert_cmpuint (none->metrics->len, ==, 0);

  g_assert_false (sm_parse_stat ("cpu 1 2\n", 8, &ta));
  g_assert_false (sm_parse_stat ("cpu  1 2 x 4 5\n", 15, &ta));
  g_assert_false (sm_parse_stat ("intr 1\n", 7, &ta));
  g_assert_false (sm_parse_stat ("cpu  99999999999999999999999 1 1 1\n", 36, &ta));
}

static void
test_loadavg_uptime_meminfo (void)
{
  g_autoptr(SmPollResult) result = sm_poll_result_new ();
  const char *mem = "MemTotal:       24683620 kB\nMemFree:        23712876 kB\n"
                    "MemAvailable:   24206824 kB\nSwapTotal:             0 kB\n"
                    "SwapFree:              0 kB\n";
  guint64 total = 0;
  double up = 0;

  g_assert_true (sm_parse_loadavg ("0.50 1.03 1.19 1/83 30533\n", 26, result));
  assert_metric (result, "load.1", 0.50);
  assert_metric (result, "load.15", 1.19);
  assert_metric (result, "procs.count", 83);
  g_assert_false (sm_parse_loadavg ("0.50 1.03\n", 10, result));
  g_assert_false (sm_parse_loadavg ("0.50 1.03 1.19 183 1\n", 21, result));

  g_assert_true (sm_parse_uptime ("5049.26 8301.52\n", 16, &up));
  g_assert_cmpfloat (up, ==, 5049.26);
  g_assert_false (sm_parse_uptime ("abc 1\n", 6, &up));

  /* From debian12-first.txt: used = 24683620 - 24206824 = 476796 KiB. */
  g_assert_true (sm_parse_meminfo (mem, strlen (mem), result, &total));
  g_assert_cmpuint (total, ==, G_GUINT64_CONSTANT (24683620) * 1024);
  assert_metric (result, "mem.used", 476796.0 * 1024);
  assert_metric (result, "mem.used_percent", 100.0 * 476796 / 24683620);
  assert_metric (result, "swap.used_percent", 0);
  g_assert_false (sm_parse_meminfo ("MemFree: 1 kB\n", 14, result, NULL));
  g_assert_false (sm_parse_meminfo ("MemTotal: x kB\n", 15, result, NULL));
}

static void
test_df_spaces (void)
{
  const char *mounts = "/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0\ntmpfs /run tmpfs rw 0 0\n";
  const char *df = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
                   "/dev/sdb1          2000000   500000   1500000      25% /mnt/my disk\n"
                   "my fs name         1000       250       750       25% /srv/a b  c\n"
                   "tmpfs               800000     1000    799000       1% /run\n";
  g_autoptr(GHashTable) types = sm_parse_mounts (mounts, strlen (mounts));
  g_autoptr(SmPollResult) result = sm_poll_result_new ();

  g_assert_cmpstr (g_hash_table_lookup (types, "/mnt/my disk"), ==, "ext4");
  g_assert_true (sm_parse_df (df, strlen (df), types, FALSE, result));
  assert_metric (result, "disk./mnt/my disk.used_percent", 25.0);
  assert_metric (result, "disk./mnt/my disk.total", 2000000.0 * 1024);
  assert_metric (result, "disk./srv/a b  c.used", 250.0 * 1024);
  assert_no_metric (result, "disk./run.used_percent");
  g_assert_false (sm_parse_df ("garbage\n", 8, NULL, FALSE, result));
}

static void
test_netdev_diskstats (void)
{
  const char *blockdevs = "loop0\nvda\nzram0\n";
  const char *ds = " 254 0 vda 100 0 2000 0 50 0 4000 0 0 0 0 0 0 0 0 0 0\n"
                   " 254 1 vda1 100 0 2000 0 50 0 4000 0 0 0 0 0 0 0 0 0 0\n"
                   "   7 0 loop0 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
                   " 252 0 zram0 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
  g_autoptr(GHashTable) set = sm_parse_name_set (blockdevs, strlen (blockdevs));
  g_autoptr(GHashTable) io = sm_parse_diskstats (ds, strlen (ds), set);
  SmCounters *c;

  g_assert_cmpuint (g_hash_table_size (io), ==, 1);
  c = g_hash_table_lookup (io, "vda");
  g_assert_nonnull (c);
  g_assert_cmpuint (c->a, ==, 2000 * 512);
  g_assert_cmpuint (c->b, ==, 4000 * 512);
  g_assert_null (sm_parse_diskstats ("8 0 sda 1 2\n", 12, NULL));
  g_assert_null (sm_parse_netdev ("eth0 1 2 3\n", 11));
}

static void
test_ports_and_labels (void)
{
  const char *ipv6 = "  sl  local_address remote_address st\n"
                     "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 0\n"
                     "   1: 000080FE00000000FF0A0302FE040201:01BB 00000000000000000000000000000000:0000 0A 0\n";
  g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_listen_port_free);
  SmListenPort *p;

  g_assert_cmpstr (sm_service_label (22), ==, "SSH");
  g_assert_cmpstr (sm_service_label (443), ==, "HTTPS");
  g_assert_cmpstr (sm_service_label (5432), ==, "PostgreSQL");
  g_assert_cmpstr (sm_service_label (51820), ==, "WireGuard");
  g_assert_null (sm_service_label (4));

  g_assert_true (sm_parse_proc_net (ipv6, strlen (ipv6), "tcp6", ports));
  g_assert_cmpuint (ports->len, ==, 2);
  p = g_ptr_array_index (ports, 0);
  g_assert_cmpstr (p->address, ==, "::1");
  g_assert_cmpuint (p->port, ==, 22);
  g_assert_cmpstr (p->service, ==, "SSH");
  p = g_ptr_array_index (ports, 1);
  g_assert_cmpstr (p->address, ==, "fe80::203:aff:102:4fe");
  g_assert_cmpuint (p->port, ==, 443);
  g_assert_false (sm_parse_proc_net ("0: zz:0016 0:0 0A\n", 18, "tcp", ports));
}

/* Whole outputs */

/* What a fast poll repeats from the last slow one: the same disk and
 * GPU metrics, lists and section statuses. */
static void
assert_slow_carried (SmPollResult *slow,
                     SmPollResult *fast)
{
  static const char * const names[] = {
    "disks", "inodes", "processes", "ports", "gpu", "docker", "systemd",
  };
  guint slow_metrics = 0;

  for (guint i = 0; i < slow->metrics->len; i++)
    {
      const SmMetric *m = &g_array_index (slow->metrics, SmMetric, i);

      if (!g_str_has_prefix (m->name, "disk.") && !g_str_has_prefix (m->name, "gpu."))
        continue;
      slow_metrics++;
      assert_metric (fast, m->name, m->value);
    }
  g_assert_cmpuint (slow_metrics, ==, count_prefix (fast, "disk.") + count_prefix (fast, "gpu."));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const SmSectionStatus *a = sm_poll_result_get_section (slow, names[i]);
      const SmSectionStatus *b = sm_poll_result_get_section (fast, names[i]);

      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_assert_cmpint (a->state, ==, b->state);
      g_assert_cmpstr (a->message, ==, b->message);
    }

  g_assert_cmpuint (slow->top_cpu->len, ==, fast->top_cpu->len);
  g_assert_cmpuint (slow->top_mem->len, ==, fast->top_mem->len);
  for (guint i = 0; i < slow->top_mem->len; i++)
    {
      SmProcess *a = g_ptr_array_index (slow->top_mem, i);
      SmProcess *b = g_ptr_array_index (fast->top_mem, i);

      g_assert_true (a != b);
      g_assert_cmpuint (a->pid, ==, b->pid);
      g_assert_cmpstr (a->command, ==, b->command);
      g_assert_cmpuint (a->rss_bytes, ==, b->rss_bytes);
    }
  for (guint i = 0; i < slow->top_cpu->len; i++)
    g_assert_cmpuint (((SmProcess *) g_ptr_array_index (slow->top_cpu, i))->pid, ==,
                      ((SmProcess *) g_ptr_array_index (fast->top_cpu, i))->pid);

  g_assert_true ((slow->ports == NULL) == (fast->ports == NULL));
  for (guint i = 0; slow->ports != NULL && i < slow->ports->len; i++)
    {
      SmListenPort *a = g_ptr_array_index (slow->ports, i);
      SmListenPort *b = g_ptr_array_index (fast->ports, i);

      g_assert_cmpuint (fast->ports->len, ==, slow->ports->len);
      g_assert_cmpstr (a->protocol, ==, b->protocol);
      g_assert_cmpstr (a->address, ==, b->address);
      g_assert_cmpuint (a->port, ==, b->port);
      g_assert_cmpstr (a->process, ==, b->process);
      g_assert_true (a->service == b->service);
    }

  g_assert_true ((slow->containers == NULL) == (fast->containers == NULL));
  for (guint i = 0; slow->containers != NULL && i < slow->containers->len; i++)
    {
      SmContainer *a = g_ptr_array_index (slow->containers, i);
      SmContainer *b = g_ptr_array_index (fast->containers, i);

      g_assert_cmpuint (fast->containers->len, ==, slow->containers->len);
      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpstr (a->image, ==, b->image);
      g_assert_cmpstr (a->state, ==, b->state);
      g_assert_cmpstr (a->health, ==, b->health);
      g_assert_cmpstr (a->status_text, ==, b->status_text);
    }

  g_assert_true ((slow->units == NULL) == (fast->units == NULL));
  for (guint i = 0; slow->units != NULL && i < slow->units->len; i++)
    {
      SmUnit *a = g_ptr_array_index (slow->units, i);
      SmUnit *b = g_ptr_array_index (fast->units, i);

      g_assert_cmpuint (fast->units->len, ==, slow->units->len);
      g_assert_cmpstr (a->unit, ==, b->unit);
      g_assert_cmpstr (a->active, ==, b->active);
      g_assert_cmpstr (a->sub, ==, b->sub);
      g_assert_cmpstr (a->since, ==, b->since);
    }
}

/* No section of a result is an error. */
static void
assert_no_error (SmPollResult *result)
{
  for (guint i = 0; i < result->sections->len; i++)
    {
      const SmSectionStatus *s = g_ptr_array_index (result->sections, i);

      if (s->state == SM_SECTION_ERROR)
        g_error ("section %s is an error: %s", s->name, s->message);
    }
}

static void
test_debian12 (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) first = NULL;
  g_autoptr(SmPollResult) second = NULL;
  SmSpecs *specs;
  SmListenPort *port;
  gint64 slow_time;

  g_assert_cmpint (sm_collector_state_get_slow_time (state), ==, 0);
  first = parse_fixture (state, "debian12-first.txt");
  slow_time = sm_collector_state_get_slow_time (state);
  g_assert_cmpint (slow_time, >, 0);

  /* stat -> stat2: user +9, idle +34: 43 ticks, 9 busy; uptime
   * 6589.23 -> 6589.44. */
  assert_no_error (first);
  assert_section (first, "cpu", SM_SECTION_OK);
  assert_metric (first, "cpu.percent", 100.0 * 9 / 43);
  assert_metric (first, "cpu.user", 100.0 * 9 / 43);
  assert_metric (first, "cpu.system", 0);
  assert_metric (first, "uptime.seconds", 6589.44);
  assert_metric (first, "load.5", 1.31);
  assert_metric (first, "procs.count", 118);
  assert_metric (first, "mem.total", 24683620.0 * 1024);
  /* MemAvailable 24111924: 571696 KiB used. */
  assert_metric (first, "mem.used_percent", 100.0 * 571696 / 24683620);
  /* "/dev/vda 264212084 22175260 78161928 23% /": used / (used + avail). */
  assert_metric (first, "disk./.used_percent", 100.0 * 22175260 / (22175260 + 78161928));
  assert_metric (first, "disk./.total", 264212084.0 * 1024);
  assert_metric (first, "disk./.inodes_used_percent", 100.0 * 541247 / (541247 + 16235969));
  /* tmpfs and devtmpfs are skipped. */
  assert_no_metric (first, "disk./dev.used_percent");
  assert_no_metric (first, "disk./dev/shm.used_percent");
  /* eth0 did not move in 0.2 s; lo is skipped. */
  assert_metric (first, "net.eth0.rx_bps", 0);
  assert_no_metric (first, "net.lo.rx_bps");
  g_assert_cmpuint (count_prefix (first, "io.vda."), ==, 2);
  g_assert_cmpuint (count_prefix (first, "io.loop"), ==, 0);
  /* GNU ps: a %CPU column, so both lists. */
  assert_section (first, "processes", SM_SECTION_OK);
  g_assert_cmpuint (first->top_cpu->len, ==, 5);
  g_assert_cmpuint (first->top_mem->len, ==, 5);
  /* "8399 root 32.4 0.8 202916 status-monitor" has the largest RSS; ps
   * itself ("8770 root 50.0 0.0 4492 ps") the largest %CPU. */
  g_assert_cmpstr (((SmProcess *) g_ptr_array_index (first->top_mem, 0))->command, ==, "status-monitor");
  g_assert_cmpuint (((SmProcess *) g_ptr_array_index (first->top_mem, 0))->rss_bytes, ==, 202916 * 1024);
  g_assert_cmpuint (((SmProcess *) g_ptr_array_index (first->top_cpu, 0))->pid, ==, 8770);
  g_assert_cmpuint (((SmProcess *) g_ptr_array_index (first->top_cpu, 1))->pid, ==, 8399);
  /* ss: 0.0.0.0:2024, and a test sshd on 127.0.0.1:2222. */
  assert_section (first, "ports", SM_SECTION_OK);
  g_assert_cmpuint (first->ports->len, ==, 2);
  port = g_ptr_array_index (first->ports, 0);
  g_assert_cmpstr (port->protocol, ==, "tcp");
  g_assert_cmpstr (port->address, ==, "0.0.0.0");
  g_assert_cmpuint (port->port, ==, 2024);
  g_assert_null (port->process);
  port = g_ptr_array_index (first->ports, 1);
  g_assert_cmpstr (port->address, ==, "127.0.0.1");
  g_assert_cmpuint (port->port, ==, 2222);
  g_assert_cmpstr (port->process, ==, "sshd");
  /* docker is installed but its daemon is not running; systemd is not
   * PID 1 in this container; there is no nvidia-smi. */
  assert_section (first, "docker", SM_SECTION_MISSING);
  g_assert_cmpstr (sm_poll_result_get_section (first, "docker")->message, ==,
                   "docker: the daemon is not running");
  g_assert_null (first->containers);
  assert_section (first, "systemd", SM_SECTION_MISSING);
  assert_section (first, "gpu", SM_SECTION_MISSING);
  g_assert_cmpstr (sm_poll_result_get_section (first, "gpu")->message, ==, "not available");

  assert_section (first, "specs", SM_SECTION_OK);
  specs = first->specs;
  g_assert_nonnull (specs);
  g_assert_cmpstr (specs->os_name, ==, "Debian GNU/Linux 12 (bookworm)");
  g_assert_cmpstr (specs->arch, ==, "x86_64");
  g_assert_cmpstr (specs->kernel, ==, "Linux 6.18.44-fc-v769");
  g_assert_cmpstr (specs->cpu_model, ==, "AMD EPYC");
  g_assert_cmpuint (specs->cpu_cores, ==, 2);
  g_assert_cmpuint (specs->ram_bytes, ==, G_GUINT64_CONSTANT (24683620) * 1024);
  g_assert_cmpstr (specs->virtualization, ==, "docker");
  g_assert_cmpuint (specs->disks->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (specs->disks, 0), "vda "));

  /* The next poll, 5 s later in the same shell, is a fast one: /proc
   * only. Its rates come against the state: stat2 -> stat, user +94,
   * system +35, idle +821, softirq +2: 952 ticks, 131 busy. */
  second = parse_fixture (state, "debian12-second.txt");
  assert_no_error (second);
  g_assert_null (second->specs);
  assert_metric (second, "cpu.percent", 100.0 * 131 / 952);
  assert_metric (second, "uptime.seconds", 6594.23);
  assert_metric (second, "load.1", 1.09);
  assert_metric (second, "mem.used_percent", 100.0 * (24683620 - 24235732) / 24683620);
  g_assert_false (isnan (sm_poll_result_get_metric (second, "net.eth0.rx_bps")));
  g_assert_cmpuint (count_prefix (second, "io.vda."), ==, 2);
  g_assert_cmpuint (count_prefix (second, "io.loop"), ==, 0);
  /* ...and the disks, processes and ports of the slow one. */
  assert_metric (second, "disk./.used_percent", 100.0 * 22175260 / (22175260 + 78161928));
  assert_metric (second, "disk./.inodes_used_percent", 100.0 * 541247 / (541247 + 16235969));
  assert_slow_carried (first, second);
  g_assert_cmpint (sm_collector_state_get_slow_time (state), ==, slow_time);
}

static void
test_busybox (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) result = parse_fixture (state, "busybox-1.35-first.txt");
  g_autoptr(SmPollResult) second = NULL;
  SmListenPort *port;
  SmProcess *top;

  assert_section (result, "cpu", SM_SECTION_OK);
  g_assert_false (isnan (sm_poll_result_get_metric (result, "cpu.percent")));
  assert_section (result, "disks", SM_SECTION_OK);
  g_assert_false (isnan (sm_poll_result_get_metric (result, "disk./.used_percent")));
  assert_section (result, "inodes", SM_SECTION_OK);
  /* busybox ps: no %CPU, so no CPU list; "12m" RSS is 12 MiB, more than
   * the next one, "4592" KiB. */
  assert_section (result, "processes", SM_SECTION_OK);
  g_assert_cmpuint (result->top_cpu->len, ==, 0);
  g_assert_cmpuint (result->top_mem->len, ==, 5);
  top = g_ptr_array_index (result->top_mem, 0);
  g_assert_cmpuint (top->pid, ==, 1);
  g_assert_cmpuint (top->rss_bytes, ==, 12 * 1024 * 1024);
  g_assert_true (isnan (top->cpu_percent));
  g_assert_false (isnan (top->mem_percent));
  top = g_ptr_array_index (result->top_mem, 1);
  g_assert_cmpuint (top->pid, ==, 4519);
  g_assert_cmpuint (top->rss_bytes, ==, 4592 * 1024);
  /* No ss: /proc/net/tcp "00000000:07E8" state 0A is 0.0.0.0:2024,
   * "0100007F:08AE" 127.0.0.1:2222 (no process names from /proc). */
  assert_section (result, "ports", SM_SECTION_OK);
  g_assert_cmpuint (result->ports->len, ==, 2);
  port = g_ptr_array_index (result->ports, 0);
  g_assert_cmpstr (port->address, ==, "0.0.0.0");
  g_assert_cmpuint (port->port, ==, 2024);
  port = g_ptr_array_index (result->ports, 1);
  g_assert_cmpstr (port->address, ==, "127.0.0.1");
  g_assert_cmpuint (port->port, ==, 2222);
  /* No systemctl, docker or lsblk in a busybox userland. */
  assert_section (result, "docker", SM_SECTION_MISSING);
  assert_section (result, "systemd", SM_SECTION_MISSING);
  g_assert_nonnull (result->specs);
  g_assert_cmpstr (result->specs->os_name, ==, "Debian GNU/Linux 12 (bookworm)");
  g_assert_cmpuint (result->specs->disks->len, ==, 1);

  /* The fast poll after it: /proc read by busybox awk, the rest repeated. */
  second = parse_fixture (state, "busybox-1.35-second.txt");
  assert_no_error (second);
  assert_section (second, "cpu", SM_SECTION_OK);
  g_assert_false (isnan (sm_poll_result_get_metric (second, "cpu.percent")));
  g_assert_false (isnan (sm_poll_result_get_metric (second, "net.eth0.rx_bps")));
  g_assert_false (isnan (sm_poll_result_get_metric (second, "mem.used_percent")));
  g_assert_null (second->specs);
  assert_slow_carried (result, second);
}

/* Constructed from documented formats, not captured (see the README). */
static void
test_rhel9 (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) r = parse_fixture (state, "rhel9-constructed-first.txt");
  static const guint cpu_order[] = { 3101, 2011, 2012, 1201, 1210 };
  static const guint mem_order[] = { 3101, 1201, 2011, 2012, 1210 };
  static const struct {
    const char *protocol;
    const char *address;
    guint       port;
  } expected_ports[] = {
    { "tcp", "0.0.0.0", 22 }, { "tcp6", "::", 22 }, { "tcp", "*", 80 },
    { "tcp", "0.0.0.0", 80 }, { "tcp", "127.0.0.1", 5432 },
    { "udp", "127.0.0.1", 323 }, { "udp6", "::1", 323 },
  };
  SmUnit *u;

  /* stat -> stat2: user +8, system +6, idle +72, iowait +2, softirq +1,
   * steal +1: 90 ticks, 16 busy. */
  assert_metric (r, "cpu.percent", 100.0 * 16 / 90);
  assert_metric (r, "cpu.user", 100.0 * 8 / 90);
  assert_metric (r, "cpu.system", 100.0 * 7 / 90);
  assert_metric (r, "cpu.steal", 100.0 * 1 / 90);
  /* 0.20 s; enp1s0 +200000 rx, +40000 tx. */
  assert_metric (r, "net.enp1s0.rx_bps", 1000000.0);
  assert_metric (r, "net.enp1s0.tx_bps", 200000.0);
  /* vda +800 sectors written; dm-*, sr0 and the partitions are skipped. */
  assert_metric (r, "io.vda.write_bps", 800.0 * 512 / 0.2);
  assert_metric (r, "io.vda.read_bps", 0);
  g_assert_cmpuint (count_prefix (r, "io."), ==, 2);
  assert_metric (r, "mem.used_percent", 100.0 * (7864148 - 5123320) / 7864148);
  assert_metric (r, "swap.used_percent", 100.0 * (4108284 - 4020112) / 4108284);
  assert_metric (r, "disk./.used_percent", 100.0 * 9123312 / (9123312 + 27509264));
  assert_metric (r, "disk./boot.used_percent", 100.0 * 312440 / (312440 + 725896));
  assert_metric (r, "disk./boot/efi.used_percent", 100.0 * 7140 / (7140 + 606020));
  assert_no_metric (r, "disk./run.used_percent");
  assert_no_metric (r, "disk./dev.used_percent");
  assert_metric (r, "disk./.inodes_used_percent", 100.0 * 201233 / (201233 + 18126319));
  assert_no_metric (r, "disk./boot/efi.inodes_used_percent");
  assert_metric (r, "procs.count", 231);

  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpuint (((SmProcess *) g_ptr_array_index (r->top_cpu, i))->pid, ==, cpu_order[i]);
      g_assert_cmpuint (((SmProcess *) g_ptr_array_index (r->top_mem, i))->pid, ==, mem_order[i]);
    }

  g_assert_cmpuint (r->ports->len, ==, G_N_ELEMENTS (expected_ports));
  for (guint i = 0; i < r->ports->len; i++)
    {
      SmListenPort *p = g_ptr_array_index (r->ports, i);

      g_assert_cmpstr (p->protocol, ==, expected_ports[i].protocol);
      g_assert_cmpstr (p->address, ==, expected_ports[i].address);
      g_assert_cmpuint (p->port, ==, expected_ports[i].port);
    }
  g_assert_cmpstr (((SmListenPort *) g_ptr_array_index (r->ports, 3))->process, ==, "httpd");
  g_assert_cmpstr (((SmListenPort *) g_ptr_array_index (r->ports, 3))->service, ==, "HTTP");
  g_assert_null (((SmListenPort *) g_ptr_array_index (r->ports, 5))->service);

  /* "*" marks the failed unit in the C locale; systemctl show printed
   * the timestamp before the Id. */
  g_assert_cmpuint (r->units->len, ==, 8);
  u = g_ptr_array_index (r->units, 3);
  g_assert_cmpstr (u->unit, ==, "kdump.service");
  g_assert_cmpstr (u->active, ==, "failed");
  g_assert_cmpstr (u->since, ==, "Mon 2026-11-16 09:12:44 UTC");
  u = g_ptr_array_index (r->units, 4);
  g_assert_cmpstr (u->active, ==, "inactive");
  g_assert_cmpstr (u->sub, ==, "dead");
  assert_section (r, "docker", SM_SECTION_MISSING);
  assert_section (r, "gpu", SM_SECTION_MISSING);

  g_assert_cmpstr (r->specs->os_name, ==, "Red Hat Enterprise Linux 9.4 (Plow)");
  g_assert_cmpstr (r->specs->kernel, ==, "Linux 5.14.0-427.13.1.el9_4.x86_64");
  g_assert_cmpstr (r->specs->cpu_model, ==, "Intel Xeon Processor (Icelake)");
  g_assert_cmpuint (r->specs->cpu_cores, ==, 4);
  g_assert_cmpstr (r->specs->virtualization, ==, "kvm");
  g_assert_cmpstr (r->specs->hostname, ==, "rhel9-web01");
  g_assert_cmpuint (r->specs->disks->len, ==, 1);
  /* g_format_size () puts a no-break space before the unit. */
  g_assert_cmpstr (g_ptr_array_index (r->specs->disks, 0), ==, "vda 42.9\u00a0GB");
}

static void
test_services_fixture (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) r = parse_fixture (state, "edge-services.txt");
  g_autoptr(SmPollResult) after = NULL;
  static const struct {
    const char *protocol;
    const char *address;
    guint       port;
    const char *service;
  } expected_ports[] = {
    { "tcp", "0.0.0.0", 22, "SSH" }, { "tcp6", "::", 22, "SSH" },
    { "tcp", "127.0.0.53", 53, "DNS" }, { "tcp", "0.0.0.0", 443, "HTTPS" },
    { "tcp", "127.0.0.1", 5432, "PostgreSQL" }, { "tcp", "*", 8080, "HTTP (alt)" },
    { "udp", "127.0.0.53", 53, "DNS" }, { "udp", "*", 51820, "WireGuard" },
  };
  static const guint cpu_order[] = { 900, 901, 812, 1301, 1200 };
  static const guint mem_order[] = { 1200, 812, 901, 900, 1301 };
  SmContainer *c;
  SmUnit *u;

  /* CPU deltas: user 100, system 50, idle 250, iowait 50, softirq 10,
   * steal 40: 500 ticks, 200 busy. */
  assert_metric (r, "cpu.percent", 40.0);
  assert_metric (r, "cpu.user", 20.0);
  assert_metric (r, "cpu.system", 12.0);
  assert_metric (r, "cpu.iowait", 10.0);
  assert_metric (r, "cpu.steal", 8.0);
  /* 2.00 s between readings; eth0 +200000 rx, +100000 tx. */
  assert_metric (r, "net.eth0.rx_bps", 100000.0);
  assert_metric (r, "net.eth0.tx_bps", 50000.0);
  assert_no_metric (r, "net.lo.rx_bps");
  /* sda +4000 sectors read, +1000 written; partitions and loop skipped. */
  assert_metric (r, "io.sda.read_bps", 4000.0 * 512 / 2);
  assert_metric (r, "io.sda.write_bps", 1000.0 * 512 / 2);
  assert_metric (r, "io.nvme0n1.write_bps", 400.0 * 512 / 2);
  assert_no_metric (r, "io.sda1.read_bps");
  assert_no_metric (r, "io.nvme0n1p1.read_bps");
  assert_no_metric (r, "io.loop0.read_bps");
  assert_metric (r, "load.1", 2.5);
  assert_metric (r, "procs.count", 412);
  /* No MemAvailable: free + buffers + cached = 4000000 of 8000000 KiB. */
  assert_metric (r, "mem.used_percent", 50.0);
  assert_metric (r, "swap.used_percent", 25.0);
  assert_metric (r, "disk./.used_percent", 100.0 * 6000000 / 9000000);
  assert_metric (r, "disk./mnt/my disk.used_percent", 25.0);
  assert_metric (r, "disk./boot/efi.used_percent", 100.0 * 5000 / 523248);
  assert_no_metric (r, "disk./run.used_percent");
  assert_no_metric (r, "disk./var/lib/docker/overlay2/abc/merged.used_percent");
  assert_metric (r, "disk./.inodes_used_percent", 20.0);
  assert_metric (r, "disk./mnt/my disk.inodes_used_percent", 50.0);
  /* vfat reports 0 inodes: omitted. */
  assert_no_metric (r, "disk./boot/efi.inodes_used_percent");

  /* A process named like a section line stays a process. */
  g_assert_cmpuint (r->top_cpu->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpuint (((SmProcess *) g_ptr_array_index (r->top_cpu, i))->pid, ==, cpu_order[i]);
      g_assert_cmpuint (((SmProcess *) g_ptr_array_index (r->top_mem, i))->pid, ==, mem_order[i]);
    }
  g_assert_cmpstr (((SmProcess *) g_ptr_array_index (r->top_cpu, 0))->command, ==, "Web Content");
  g_assert_cmpfloat (((SmProcess *) g_ptr_array_index (r->top_mem, 0))->mem_percent, ==, 10.5);

  g_assert_cmpuint (r->ports->len, ==, G_N_ELEMENTS (expected_ports));
  for (guint i = 0; i < r->ports->len; i++)
    {
      SmListenPort *p = g_ptr_array_index (r->ports, i);

      g_assert_cmpstr (p->protocol, ==, expected_ports[i].protocol);
      g_assert_cmpstr (p->address, ==, expected_ports[i].address);
      g_assert_cmpuint (p->port, ==, expected_ports[i].port);
      g_assert_cmpstr (p->service, ==, expected_ports[i].service);
    }
  g_assert_cmpstr (((SmListenPort *) g_ptr_array_index (r->ports, 0))->process, ==, "sshd");

  /* GPU 1's utilisation is "[N/A]"; the nvidia section after the end line
   * is ignored. */
  assert_metric (r, "gpu.0.util_percent", 37);
  assert_metric (r, "gpu.0.mem_total", 16384.0 * 1024 * 1024);
  assert_metric (r, "gpu.1.mem_used", 512.0 * 1024 * 1024);
  assert_no_metric (r, "gpu.1.util_percent");
  assert_no_metric (r, "gpu.9.util_percent");

  assert_section (r, "docker", SM_SECTION_OK);
  g_assert_cmpuint (r->containers->len, ==, 5);
  c = g_ptr_array_index (r->containers, 0);
  g_assert_cmpstr (c->name, ==, "web");
  g_assert_cmpstr (c->health, ==, "healthy");
  c = g_ptr_array_index (r->containers, 1);
  g_assert_cmpstr (c->health, ==, "unhealthy");
  g_assert_cmpstr (c->image, ==, "postgres:16");
  c = g_ptr_array_index (r->containers, 2);
  g_assert_cmpstr (c->state, ==, "exited");
  g_assert_null (c->health);
  g_assert_cmpstr (c->status_text, ==, "Exited (1) 5 minutes ago");
  c = g_ptr_array_index (r->containers, 3);
  g_assert_cmpstr (c->state, ==, "running");
  g_assert_cmpstr (c->health, ==, "starting");

  assert_section (r, "systemd", SM_SECTION_OK);
  g_assert_cmpuint (r->units->len, ==, 3);
  u = g_ptr_array_index (r->units, 1);
  g_assert_cmpstr (u->unit, ==, "nginx.service");
  g_assert_cmpstr (u->active, ==, "failed");
  g_assert_cmpstr (u->sub, ==, "failed");
  g_assert_cmpstr (u->since, ==, "Sun 2026-11-22 04:10:11 UTC");
  u = g_ptr_array_index (r->units, 0);
  g_assert_cmpstr (u->active, ==, "active");
  g_assert_null (u->since);

  /* Then the host reboots: the clock and counters went backwards. */
  after = parse_fixture (state, "edge-reboot.txt");
  assert_section (after, "cpu", SM_SECTION_OK);
  assert_no_metric (after, "cpu.percent");
  assert_no_metric (after, "net.eth0.rx_bps");
  assert_no_metric (after, "io.sda.read_bps");
  assert_metric (after, "uptime.seconds", 30);
}

static void
test_reboot_fixture_alone (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) r = parse_fixture (state, "edge-reboot.txt");
  SmListenPort *p;
  SmProcess *top;
  const SmSectionStatus *docker;

  /* busybox-style ps: "1g" RSS, a command with a space. */
  top = g_ptr_array_index (r->top_mem, 0);
  g_assert_cmpuint (top->pid, ==, 301);
  g_assert_cmpuint (top->rss_bytes, ==, G_GUINT64_CONSTANT (1024) * 1024 * 1024);
  g_assert_cmpstr (top->command, ==, "my server");
  g_assert_cmpfloat (top->mem_percent, ==, 100.0 * 1024 * 1024 / 8000000);

  /* /proc/net: tcp 22, 5432 (the ESTABLISHED line is not a listener),
   * tcp6 :: 22, ::1 631, fe80:: 443, udp 127.0.0.53:53. */
  g_assert_cmpuint (r->ports->len, ==, 6);
  p = g_ptr_array_index (r->ports, 0);
  g_assert_cmpstr (p->protocol, ==, "tcp");
  g_assert_cmpuint (p->port, ==, 22);
  p = g_ptr_array_index (r->ports, 1);
  g_assert_cmpstr (p->protocol, ==, "tcp6");
  g_assert_cmpstr (p->address, ==, "::");
  p = g_ptr_array_index (r->ports, 2);
  g_assert_cmpstr (p->address, ==, "fe80::203:aff:102:4fe");
  g_assert_cmpuint (p->port, ==, 443);
  p = g_ptr_array_index (r->ports, 3);
  g_assert_cmpstr (p->address, ==, "::1");
  g_assert_cmpuint (p->port, ==, 631);
  p = g_ptr_array_index (r->ports, 4);
  g_assert_cmpstr (p->address, ==, "127.0.0.1");
  g_assert_cmpuint (p->port, ==, 5432);
  p = g_ptr_array_index (r->ports, 5);
  g_assert_cmpstr (p->protocol, ==, "udp");
  g_assert_cmpstr (p->address, ==, "127.0.0.53");
  g_assert_cmpstr (p->service, ==, "DNS");

  docker = sm_poll_result_get_section (r, "docker");
  g_assert_cmpint (docker->state, ==, SM_SECTION_MISSING);
  g_assert_cmpstr (docker->message, ==, "docker: permission denied (add the user to the docker group)");
  assert_section (r, "systemd", SM_SECTION_MISSING);
  assert_section (r, "inodes", SM_SECTION_MISSING);
  /* Not a first poll and no state: no rates, but the sections are fine. */
  assert_section (r, "network", SM_SECTION_OK);
  assert_no_metric (r, "net.eth0.rx_bps");
  g_assert_null (r->specs);
}

/* A fast poll before any slow one: the slow sections are not collected
 * yet, which is not an error. */
static void
test_fast_before_slow (void)
{
  static const char * const names[] = {
    "disks", "inodes", "processes", "ports", "gpu", "docker", "systemd",
  };
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) r = parse_fixture (state, "debian12-second.txt");

  assert_no_error (r);
  assert_section (r, "cpu", SM_SECTION_OK);
  assert_section (r, "memory", SM_SECTION_OK);
  assert_metric (r, "uptime.seconds", 6594.23);
  /* Nothing to rate against yet. */
  assert_no_metric (r, "cpu.percent");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      assert_section (r, names[i], SM_SECTION_MISSING);
      g_assert_cmpstr (sm_poll_result_get_section (r, names[i])->message, ==, "not collected yet");
    }
  g_assert_cmpuint (count_prefix (r, "disk."), ==, 0);
  g_assert_cmpuint (r->top_mem->len, ==, 0);
  g_assert_null (r->ports);
  g_assert_null (r->containers);
  g_assert_cmpint (sm_collector_state_get_slow_time (state), ==, 0);
}

/* Containers, units, GPU metrics and ports repeat until the next slow
 * poll, which replaces them all, statuses included. */
static void
test_slow_replaced (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) services = parse_fixture (state, "edge-services.txt");
  g_autoptr(SmPollResult) fast = parse_fixture (state, "debian12-second.txt");
  g_autoptr(SmPollResult) reboot = NULL;
  g_autoptr(SmPollResult) fast2 = NULL;
  const SmSectionStatus *docker;

  assert_slow_carried (services, fast);
  assert_section (fast, "docker", SM_SECTION_OK);
  g_assert_cmpuint (fast->containers->len, ==, 5);
  g_assert_cmpuint (fast->units->len, ==, 3);
  g_assert_cmpstr (((SmUnit *) g_ptr_array_index (fast->units, 1))->since, ==,
                   "Sun 2026-11-22 04:10:11 UTC");
  assert_metric (fast, "gpu.0.util_percent", 37);
  assert_metric (fast, "disk./mnt/my disk.inodes_used_percent", 50.0);
  g_assert_cmpuint (fast->ports->len, ==, 8);
  /* The /proc values are the fast poll's own. */
  assert_metric (fast, "mem.total", 24683620.0 * 1024);

  reboot = parse_fixture (state, "edge-reboot.txt");
  fast2 = parse_fixture (state, "debian12-second.txt");
  assert_slow_carried (reboot, fast2);
  g_assert_null (fast2->containers);
  docker = sm_poll_result_get_section (fast2, "docker");
  g_assert_cmpint (docker->state, ==, SM_SECTION_MISSING);
  g_assert_cmpstr (docker->message, ==, "docker: permission denied (add the user to the docker group)");
  assert_section (fast2, "inodes", SM_SECTION_MISSING);
  assert_section (fast2, "gpu", SM_SECTION_MISSING);
  g_assert_null (fast2->units);
  assert_no_metric (fast2, "gpu.0.util_percent");
  assert_no_metric (fast2, "disk./mnt/my disk.inodes_used_percent");
  g_assert_cmpuint (fast2->ports->len, ==, 6);
}

static void
test_truncated (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) r = parse_fixture (state, "edge-truncated.txt");

  /* Cut inside stat2's cpu line: the readings before it still count. */
  assert_section (r, "cpu", SM_SECTION_ERROR);
  assert_section (r, "uptime", SM_SECTION_OK);
  assert_section (r, "network", SM_SECTION_ERROR);
  assert_section (r, "memory", SM_SECTION_ERROR);
  assert_section (r, "disks", SM_SECTION_ERROR);
  assert_section (r, "gpu", SM_SECTION_MISSING);
  assert_no_metric (r, "cpu.percent");
  assert_no_metric (r, "mem.total");
  g_assert_null (r->specs);
}

static void
test_garbage (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) r = parse_fixture (state, "edge-garbage.txt");

  /* Binary inside meminfo: that section only. */
  assert_section (r, "memory", SM_SECTION_ERROR);
  assert_no_metric (r, "mem.total");
  assert_section (r, "cpu", SM_SECTION_OK);
  assert_section (r, "disks", SM_SECTION_OK);
  assert_section (r, "load", SM_SECTION_OK);
  g_assert_false (isnan (sm_poll_result_get_metric (r, "disk./.used_percent")));
}

static void
test_empty_and_odd (void)
{
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) r = sm_collector_parse (state, MARKER, "", 0);
  const SmSectionStatus *cpu;

  cpu = sm_poll_result_get_section (r, "cpu");
  g_assert_nonnull (cpu);
  g_assert_cmpint (cpu->state, ==, SM_SECTION_ERROR);
  assert_section (r, "docker", SM_SECTION_MISSING);
  g_assert_cmpuint (r->metrics->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parsers/poll-result", test_poll_result);
  g_test_add_func ("/parsers/script-and-command", test_script_and_command);
  g_test_add_func ("/parsers/find-end", test_find_end);
  g_test_add_func ("/parsers/split-forged", test_split_forged);
  g_test_add_func ("/parsers/text-ok", test_text_ok);
  g_test_add_func ("/parsers/stat", test_stat);
  g_test_add_func ("/parsers/loadavg-uptime-meminfo", test_loadavg_uptime_meminfo);
  g_test_add_func ("/parsers/df-spaces", test_df_spaces);
  g_test_add_func ("/parsers/netdev-diskstats", test_netdev_diskstats);
  g_test_add_func ("/parsers/ports-and-labels", test_ports_and_labels);
  g_test_add_func ("/parsers/debian12", test_debian12);
  g_test_add_func ("/parsers/busybox", test_busybox);
  g_test_add_func ("/parsers/rhel9-constructed", test_rhel9);
  g_test_add_func ("/parsers/services-fixture", test_services_fixture);
  g_test_add_func ("/parsers/reboot-fixture", test_reboot_fixture_alone);
  g_test_add_func ("/parsers/fast-before-slow", test_fast_before_slow);
  g_test_add_func ("/parsers/slow-replaced", test_slow_replaced);
  g_test_add_func ("/parsers/truncated", test_truncated);
  g_test_add_func ("/parsers/garbage", test_garbage);
  g_test_add_func ("/parsers/empty", test_empty_and_odd);

  return g_test_run ();
}
