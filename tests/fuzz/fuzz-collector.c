/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-collector.c: libFuzzer target for the collector's parsers.
 *
 * The input is fed to sm_collector_parse twice on one state (so the rate
 * paths run too) with the marker the fixtures use, then a fast poll's
 * output follows on that state (so whatever slow sections the input had
 * are repeated from the state), and then the input goes to every section
 * parser directly. Build with -Dfuzz=true (clang); seed it with
 * tests/fixtures/collector.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

#include "sm-collector.h"
#include "sm-parsers.h"

#define MARKER "00112233445566778899aabbccddeeff"

/* A poll without the slow sections. */
static const char fast_output[] =
  MARKER " section uptime\n100.00 150.00\n"
  MARKER " section stat\ncpu  10 0 10 100 0 0 0 0 0 0\n"
  MARKER " section netdev\nInter-|\n face |\n  eth0: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n"
  MARKER " section diskstats\n 254 0 vda 1 0 8 0 1 0 8 0 0 0 0\n"
  MARKER " section loadavg\n0.10 0.20 0.30 1/99 5\n"
  MARKER " section meminfo\nMemTotal: 1000 kB\nMemAvailable: 500 kB\n";

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
parse_specs (const char *text,
             gsize       len)
{
  g_autoptr(SmSpecs) specs = g_new0 (SmSpecs, 1);

  specs->disks = g_ptr_array_new_with_free_func (g_free);
  sm_parse_os_release (text, len, specs);
  sm_parse_uname (text, len, specs);
  sm_parse_cpuinfo (text, len, specs);
  sm_parse_hostname (text, len, specs);
  sm_parse_virt (text, len, specs);
  sm_parse_disks (text, len, specs);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  g_autoptr(SmCollectorState) state = sm_collector_state_new ();
  g_autoptr(SmPollResult) first = NULL;
  g_autoptr(SmPollResult) second = NULL;
  g_autoptr(SmPollResult) fast = NULL;
  g_autoptr(SmPollResult) result = sm_poll_result_new ();
  g_autoptr(GHashTable) split = NULL;
  g_autoptr(GHashTable) mounts = NULL;
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(GHashTable) net = NULL;
  g_autoptr(GHashTable) io = NULL;
  g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_listen_port_free);
  g_autoptr(GPtrArray) containers = NULL;
  g_autoptr(GPtrArray) units = NULL;
  SmCpuTimes a, b;
  guint64 total = 0;
  double up;

  if (size > SM_COLLECTOR_MAX_OUTPUT)
    return 0;

  first = sm_collector_parse (state, MARKER, text, size);
  second = sm_collector_parse (state, MARKER, text, size);
  fast = sm_collector_parse (state, MARKER, fast_output, sizeof fast_output - 1);
  sm_collector_state_get_slow_time (state);
  sm_collector_find_end (MARKER, text, size, 0);

  split = sm_parse_split (MARKER, text, size);
  sm_parse_text_ok (text, size);
  if (sm_parse_stat (text, size, &a))
    {
      b = a;
      b.idle++;
      sm_cpu_rates (&a, &b, result);
    }
  sm_parse_uptime (text, size, &up);
  sm_parse_loadavg (text, size, result);
  sm_parse_meminfo (text, size, result, &total);
  mounts = sm_parse_mounts (text, size);
  sm_parse_df (text, size, mounts, FALSE, result);
  sm_parse_df (text, size, NULL, TRUE, result);
  names = sm_parse_name_set (text, size);
  net = sm_parse_netdev (text, size);
  io = sm_parse_diskstats (text, size, names);
  sm_counter_rates (net, net, 1.0, "net", "rx_bps", "tx_bps", result);
  sm_counter_rates (io, io, 1.0, "io", "read_bps", "write_bps", result);
  sm_parse_ps (text, size, total, result);
  sm_parse_ss (text, size, ports);
  sm_parse_proc_net (text, size, "tcp", ports);
  sm_parse_proc_net (text, size, "udp6", ports);
  sm_ports_finish (ports);
  sm_parse_nvidia (text, size, result);
  containers = sm_parse_docker (text, size);
  units = sm_parse_systemd (text, size, text, size);
  parse_specs (text, size);

  return 0;
}
