/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-collector.c: the collector script, the orchestration of the parsers
 * over one run's output, and "This computer" (the script run locally).
 *
 * Section protocol (the script below prints it):
 *   MARKER section NAME     starts a section; NAME is [a-z0-9_]
 *   MARKER status TOKEN     optional first line of a section: why it has no
 *                           data (not-running, permission-denied,
 *                           unsupported, failed)
 *   MARKER end              ends the run
 * Core sections (uptime, stat, netdev, diskstats, loadavg, meminfo) are
 * always printed, so when one is absent the output was cut off: an error.
 *
 * Fast and slow polls: every poll reads the /proc files above with a
 * single awk (the only process it starts; without awk, the shell's own
 * read loop, which starts none). The sections that cost a process each
 * (blockdevs, mounts, df, dfi, ps, listen, nvidia, docker, systemd) come
 * only with the "slow" flag; such a run starts with an empty "slow"
 * section, and then df is a core section too. Optional ones (nvidia,
 * docker, systemd) are printed only when their command exists, so their
 * absence means "not available". SmCollectorState keeps the last slow
 * poll's values (disk and GPU metrics, process lists, containers, units,
 * ports and their section statuses) and every poll without them repeats
 * them, so each SmPollResult is complete. Rates always come from
 * consecutive polls' counters.
 *
 * Choices worth knowing:
 * - Processes: GNU ps gives %CPU as the lifetime average of each process
 *   (what ps always reports); busybox ps has no %CPU or %MEM column, so
 *   there top_cpu stays empty and %MEM is computed from RSS and MemTotal.
 * - Listening ports come from ss -Hltnup (-H missing on old ss: the header
 *   is skipped) and otherwise from /proc/net/{tcp,tcp6,udp,udp6}.
 * - Pseudo filesystems are skipped by the type /proc/mounts gives a mount
 *   point (see sm_fs_type_is_pseudo), and filesystems with 0 blocks or 0
 *   inodes are left out.
 * - All rates use the first field of /proc/uptime (centiseconds) as the
 *   clock, so they do not depend on the latency of the round trip. A clock
 *   or counter that went backwards (a reboot) gives no rate that poll.
 * - procs.count is the total of /proc/loadavg's "running/total" field, so
 *   it costs no extra command.
 * - Disk I/O covers whole disks: names under /sys/block, less loop, ram,
 *   zram, dm-*, md*, sr* and fd* (dm and md would count I/O twice).
 * - Section status names: cpu, uptime, network, diskio, load, memory,
 *   disks, inodes, processes, ports, gpu, docker, systemd, specs.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "sm-collector.h"
#include "sm-parsers.h"

/* The sections of a slow poll, and the statuses they set. */
static const char * const slow_status_names[] = {
  "disks", "inodes", "processes", "ports", "gpu", "docker", "systemd",
};

struct _SmCollectorState {
  gboolean    have_prev;
  double      uptime;
  gboolean    have_cpu;
  SmCpuTimes  cpu;
  GHashTable *net;   /* iface -> SmCounters */
  GHashTable *io;    /* disk -> SmCounters */

  /* The last slow poll's values, repeated by the polls in between. */
  GHashTable *blockdevs;      /* names under /sys/block, or NULL */
  gint64      slow_time_us;   /* 0: no slow poll yet */
  GArray     *slow_metrics;   /* SmMetric: disk.* and gpu.* */
  GPtrArray  *slow_sections;  /* SmSectionStatus*, slow_status_names */
  GPtrArray  *top_cpu;        /* SmProcess* */
  GPtrArray  *top_mem;        /* SmProcess* */
  GPtrArray  *containers;     /* SmContainer*, or NULL */
  GPtrArray  *units;          /* SmUnit*, or NULL */
  GPtrArray  *ports;          /* SmListenPort*, or NULL */
};

static const char collector_script[] =
  "# Status Monitor collector. POSIX sh: dash, bash, busybox ash.\n"
  "# Defines sm_collect MARKER FLAGS; prints \"MARKER section NAME\" blocks and\n"
  "# \"MARKER end\". Never reads the shell's stdin (the next poll's command).\n"
  "_sm_cat () {\n"
  "  while IFS= read -r _sm_l || [ -n \"$_sm_l\" ]; do\n"
  "    printf '%s\\n' \"$_sm_l\"\n"
  "  done < \"$1\"\n"
  "}\n"
  "_sm_sec () {\n"
  "  printf '%s section %s\\n' \"$_sm_m\" \"$1\"\n"
  "}\n"
  "_sm_status () {\n"
  "  printf '%s status %s\\n' \"$_sm_m\" \"$1\"\n"
  "}\n"
  "_sm_has () {\n"
  "  command -v \"$1\" >/dev/null 2>&1\n"
  "}\n"
  "# _sm_read NAME FILE ...: each FILE as section NAME, all with one awk\n"
  "# (one process for all of them); without awk, the shell's read loop.\n"
  "_sm_read () {\n"
  "  if _sm_has awk; then\n"
  "    awk -v m=\"$_sm_m\" 'BEGIN {\n"
  "      for (i = 1; i + 1 < ARGC; i += 2) {\n"
  "        f = ARGV[i + 1]\n"
  "        print m \" section \" ARGV[i]\n"
  "        while ((getline l < f) > 0) print l\n"
  "        close(f)\n"
  "      }\n"
  "    }' \"$@\"\n"
  "  else\n"
  "    while [ $# -ge 2 ]; do\n"
  "      _sm_sec \"$1\"; _sm_cat \"$2\"\n"
  "      shift 2\n"
  "    done\n"
  "  fi\n"
  "}\n"
  "# The sections that cost a process each, and /proc/mounts for df.\n"
  "_sm_slow () {\n"
  "  _sm_sec blockdevs\n"
  "  for _sm_d in /sys/block/*; do\n"
  "    [ -e \"$_sm_d\" ] && printf '%s\\n' \"${_sm_d##*/}\"\n"
  "  done\n"
  "  _sm_sec df\n"
  "  _sm_o=$(df -P -k 2>/dev/null)\n"
  "  [ -n \"$_sm_o\" ] || _sm_o=$(df -k 2>/dev/null)\n"
  "  printf '%s\\n' \"$_sm_o\"\n"
  "  _sm_sec dfi\n"
  "  _sm_o=$(df -P -i 2>/dev/null)\n"
  "  if [ -n \"$_sm_o\" ]; then printf '%s\\n' \"$_sm_o\"; else _sm_status unsupported; fi\n"
  "  # GNU procps has %CPU (lifetime average) and %MEM; busybox ps has neither.\n"
  "  _sm_sec ps\n"
  "  # GNU ps first; busybox ps rejects those columns. Once GNU ps has\n"
  "  # answered in this shell, an empty listing is retried, not taken for\n"
  "  # busybox (it can fail while processes come and go).\n"
  "  _sm_o=$(ps -eo pid,user,pcpu,pmem,rss,comm 2>/dev/null)\n"
  "  if [ -z \"$_sm_o\" ] && [ \"$_sm_ps\" = gnu ]; then\n"
  "    _sm_o=$(ps -eo pid,user,pcpu,pmem,rss,comm 2>/dev/null)\n"
  "  fi\n"
  "  if [ -n \"$_sm_o\" ]; then\n"
  "    _sm_ps=gnu\n"
  "  elif [ \"$_sm_ps\" != gnu ]; then\n"
  "    _sm_o=$(ps -o pid,user,rss,comm 2>/dev/null)\n"
  "  fi\n"
  "  if [ -n \"$_sm_o\" ]; then printf '%s\\n' \"$_sm_o\"; else _sm_status failed; fi\n"
  "  _sm_o=\n"
  "  if _sm_has ss; then\n"
  "    _sm_o=$(ss -Hltnup 2>/dev/null)\n"
  "    [ -n \"$_sm_o\" ] || _sm_o=$(ss -ltnup 2>/dev/null)\n"
  "  fi\n"
  "  if [ -n \"$_sm_o\" ]; then\n"
  "    _sm_sec listen; printf '%s\\n' \"$_sm_o\"\n"
  "  else\n"
  "    set --\n"
  "    for _sm_d in tcp tcp6 udp udp6; do\n"
  "      [ -r \"/proc/net/$_sm_d\" ] && set -- \"$@\" \"listen_$_sm_d\" \"/proc/net/$_sm_d\"\n"
  "    done\n"
  "    [ $# -eq 0 ] || _sm_read \"$@\"\n"
  "  fi\n"
  "  if _sm_has nvidia-smi; then\n"
  "    _sm_sec nvidia\n"
  "    _sm_o=$(nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits 2>/dev/null)\n"
  "    if [ $? -eq 0 ]; then printf '%s\\n' \"$_sm_o\"; else _sm_status failed; fi\n"
  "  fi\n"
  "  if _sm_has docker; then\n"
  "    _sm_sec docker\n"
  "    if [ -z \"${DOCKER_HOST:-}\" ] && [ ! -S /var/run/docker.sock ]; then\n"
  "      _sm_status not-running\n"
  "    elif [ -z \"${DOCKER_HOST:-}\" ] && [ ! -w /var/run/docker.sock ]; then\n"
  "      _sm_status permission-denied\n"
  "    else\n"
  "      _sm_o=$(docker ps -a --format '{{.Names}}\t{{.Image}}\t{{.State}}\t{{.Status}}' 2>&1)\n"
  "      if [ $? -eq 0 ]; then\n"
  "        printf '%s\\n' \"$_sm_o\"\n"
  "      else\n"
  "        case $_sm_o in\n"
  "          *\"ermission denied\"*) _sm_status permission-denied ;;\n"
  "          *\"annot connect\"*|*\"s the docker daemon running\"*) _sm_status not-running ;;\n"
  "          *) _sm_status failed ;;\n"
  "        esac\n"
  "      fi\n"
  "    fi\n"
  "  fi\n"
  "  if _sm_has systemctl; then\n"
  "    _sm_sec systemd\n"
  "    _sm_o=$(systemctl list-units --type=service --all --plain --no-legend --no-pager 2>/dev/null)\n"
  "    if [ $? -eq 0 ] && [ -n \"$_sm_o\" ]; then\n"
  "      printf '%s\\n' \"$_sm_o\"\n"
  "      # When failed units went down: one more call, only if any failed.\n"
  "      _sm_f=\n"
  "      IFS='\n"
  "'\n"
  "      set -f\n"
  "      for _sm_l in $_sm_o; do\n"
  "        case $_sm_l in\n"
  "          *\" failed \"*)\n"
  "            # Words of the line; a leading \"●\" (\"*\" in C locale) marks it.\n"
  "            IFS=' \t'\n"
  "            set -- $_sm_l\n"
  "            case $1 in \"●\"|\"*\") shift ;; esac\n"
  "            _sm_f=\"$_sm_f $1\"\n"
  "            ;;\n"
  "        esac\n"
  "      done\n"
  "      set +f\n"
  "      IFS=' \t\n"
  "'\n"
  "      if [ -n \"$_sm_f\" ]; then\n"
  "        _sm_sec systemd_since\n"
  "        systemctl show -p Id -p StateChangeTimestamp --no-pager -- $_sm_f 2>/dev/null\n"
  "      fi\n"
  "    else\n"
  "      _sm_status not-running\n"
  "    fi\n"
  "  fi\n"
  "}\n"
  "sm_collect () {\n"
  "  _sm_m=$1\n"
  "  _sm_fl=\",$2,\"\n"
  "  LC_ALL=C\n"
  "  export LC_ALL\n"
  "  # Without \"slow\" only /proc is read: one awk, the only process.\n"
  "  case $_sm_fl in *,slow,*) _sm_sec slow ;; esac\n"
  "  _sm_s=\n"
  "  case $_sm_fl in\n"
  "    *,first,*)\n"
  "      _sm_read uptime /proc/uptime stat /proc/stat netdev /proc/net/dev \\\n"
  "        diskstats /proc/diskstats\n"
  "      sleep 0.2 2>/dev/null || sleep 1\n"
  "      _sm_s=2\n"
  "      ;;\n"
  "  esac\n"
  "  set -- \"uptime$_sm_s\" /proc/uptime \"stat$_sm_s\" /proc/stat \\\n"
  "    \"netdev$_sm_s\" /proc/net/dev \"diskstats$_sm_s\" /proc/diskstats \\\n"
  "    loadavg /proc/loadavg meminfo /proc/meminfo\n"
  "  case $_sm_fl in *,slow,*) set -- \"$@\" mounts /proc/mounts ;; esac\n"
  "  _sm_read \"$@\"\n"
  "  case $_sm_fl in *,slow,*) _sm_slow ;; esac\n"
  "  case $_sm_fl in\n"
  "    *,specs,*)\n"
  "      _sm_sec os_release\n"
  "      if [ -r /etc/os-release ]; then _sm_cat /etc/os-release\n"
  "      elif [ -r /usr/lib/os-release ]; then _sm_cat /usr/lib/os-release; fi\n"
  "      _sm_sec uname; uname -srm 2>/dev/null || uname -m 2>/dev/null\n"
  "      _sm_sec cpuinfo\n"
  "      grep -E '^(processor|model name|Hardware|Model|cpu model|Processor)[[:space:]]*:' /proc/cpuinfo 2>/dev/null\n"
  "      _sm_sec hostname; _sm_cat /proc/sys/kernel/hostname\n"
  "      _sm_sec virt\n"
  "      if _sm_has systemd-detect-virt; then\n"
  "        printf 'detect-virt %s\\n' \"$(systemd-detect-virt 2>/dev/null)\"\n"
  "      fi\n"
  "      [ -e /.dockerenv ] && printf 'dockerenv\\n'\n"
  "      [ -e /run/.containerenv ] && printf 'containerenv\\n'\n"
  "      grep -qs '^flags.* hypervisor' /proc/cpuinfo && printf 'hypervisor\\n'\n"
  "      [ -r /sys/class/dmi/id/product_name ] &&\n"
  "        printf 'dmi %s\\n' \"$(_sm_cat /sys/class/dmi/id/product_name)\"\n"
  "      _sm_sec disks\n"
  "      if _sm_has lsblk; then\n"
  "        printf 'lsblk\\n'\n"
  "        lsblk -dnb -o NAME,SIZE,TYPE,MODEL 2>/dev/null\n"
  "      else\n"
  "        _sm_cat /proc/partitions\n"
  "      fi\n"
  "      ;;\n"
  "  esac\n"
  "  printf '%s end\\n' \"$_sm_m\"\n"
  "} </dev/null\n";

/* The section protocol's core sections: the script always prints them
 * (the second readings only on a first poll, and only looked for then;
 * df only on a slow poll, which starts with an empty "slow" section). */
static const char * const core_sections[] = {
  "uptime", "stat", "netdev", "diskstats", "loadavg", "meminfo",
  "uptime2", "stat2", "netdev2", "diskstats2",
};

const char *
sm_collector_get_script (void)
{
  return collector_script;
}

static gboolean
marker_is_valid (const char *marker)
{
  gsize n = 0;

  for (const char *p = marker; *p != '\0'; p++, n++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return n == 32;
}

char *
sm_collector_new_marker (void)
{
  guint8 bytes[16];
  GString *marker = g_string_sized_new (33);

  if (getentropy (bytes, sizeof bytes) != 0)
    {
      for (guint i = 0; i < sizeof bytes; i++)
        bytes[i] = (guint8) g_random_int_range (0, 256);
    }
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (marker, "%02x", bytes[i]);
  return g_string_free (marker, FALSE);
}

char *
sm_collector_build_command (const char     *marker,
                            SmCollectFlags  flags)
{
  g_autoptr(GString) words = g_string_new (NULL);

  g_return_val_if_fail (marker != NULL && marker_is_valid (marker), NULL);

  if (flags & SM_COLLECT_FIRST)
    g_string_append (words, "first");
  if (flags & SM_COLLECT_SPECS)
    g_string_append (words, words->len > 0 ? ",specs" : "specs");
  if (flags & SM_COLLECT_SLOW)
    g_string_append (words, words->len > 0 ? ",slow" : "slow");
  if (words->len == 0)
    g_string_append (words, "-");
  return g_strdup_printf ("sm_collect %s %s\n", marker, words->str);
}

char *
sm_collector_end_line (const char *marker)
{
  g_return_val_if_fail (marker != NULL, NULL);

  return g_strdup_printf ("%s end", marker);
}

gssize
sm_collector_find_end (const char *marker,
                       const char *data,
                       gsize       len,
                       gsize       from)
{
  g_autofree char *needle = NULL;
  gsize needle_len;
  gsize pos;

  g_return_val_if_fail (marker != NULL && *marker != '\0', -1);
  g_return_val_if_fail (data != NULL || len == 0, -1);

  needle = sm_collector_end_line (marker);
  needle_len = strlen (needle);
  pos = MIN (from, len);
  while (pos < len)
    {
      const char *hit = memmem (data + pos, len - pos, needle, needle_len);
      gsize at, after;

      if (hit == NULL)
        return -1;
      at = hit - data;
      after = at + needle_len;
      if ((at == 0 || data[at - 1] == '\n') &&
          ((after < len && data[after] == '\n') ||
           (after + 1 < len && data[after] == '\r' && data[after + 1] == '\n')))
        return (gssize) at;
      pos = at + 1;
    }

  return -1;
}

GBytes *
sm_collector_read_output (GInputStream  *stream,
                          const char    *marker,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  gsize chunk = 64 * 1024;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (marker != NULL && *marker != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (;;)
    {
      gsize old_len = buffer->len;
      gsize from;
      gssize n, end;

      g_byte_array_set_size (buffer, old_len + chunk);
      n = g_input_stream_read (stream, buffer->data + old_len, chunk, cancellable, error);
      if (n < 0)
        return NULL;
      g_byte_array_set_size (buffer, old_len + n);
      if (n == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                       _("The collector's output ended early"));
          return NULL;
        }

      /* Search only where a new end line can be. */
      from = old_len > strlen (marker) + 8 ? old_len - strlen (marker) - 8 : 0;
      end = sm_collector_find_end (marker, (const char *) buffer->data, buffer->len, from);
      if (end >= 0)
        {
          if ((gsize) end > SM_COLLECTOR_MAX_OUTPUT)
            break;
          g_byte_array_set_size (buffer, end);
          return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
        }
      if (buffer->len > SM_COLLECTOR_MAX_OUTPUT)
        break;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
               _("The collector's output is larger than %u MiB"),
               (guint) (SM_COLLECTOR_MAX_OUTPUT / (1024 * 1024)));
  return NULL;
}

static void
metric_clear (SmMetric *metric)
{
  g_free (metric->name);
}

static void
section_status_free (SmSectionStatus *status)
{
  g_free (status->name);
  g_free (status->message);
  g_free (status);
}

SmCollectorState *
sm_collector_state_new (void)
{
  SmCollectorState *state = g_new0 (SmCollectorState, 1);

  state->slow_metrics = g_array_new (FALSE, TRUE, sizeof (SmMetric));
  g_array_set_clear_func (state->slow_metrics, (GDestroyNotify) metric_clear);
  state->slow_sections = g_ptr_array_new_with_free_func ((GDestroyNotify) section_status_free);
  state->top_cpu = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_process_free);
  state->top_mem = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_process_free);
  return state;
}

void
sm_collector_state_free (SmCollectorState *state)
{
  if (state == NULL)
    return;
  g_clear_pointer (&state->net, g_hash_table_unref);
  g_clear_pointer (&state->io, g_hash_table_unref);
  g_clear_pointer (&state->blockdevs, g_hash_table_unref);
  g_clear_pointer (&state->slow_metrics, g_array_unref);
  g_clear_pointer (&state->slow_sections, g_ptr_array_unref);
  g_clear_pointer (&state->top_cpu, g_ptr_array_unref);
  g_clear_pointer (&state->top_mem, g_ptr_array_unref);
  g_clear_pointer (&state->containers, g_ptr_array_unref);
  g_clear_pointer (&state->units, g_ptr_array_unref);
  g_clear_pointer (&state->ports, g_ptr_array_unref);
  g_free (state);
}

gint64
sm_collector_state_get_slow_time (SmCollectorState *state)
{
  g_return_val_if_fail (state != NULL, 0);

  return state->slow_time_us;
}

/* Parsing */

typedef struct {
  GHashTable   *sections;
  SmPollResult *result;
  gboolean      slow;   /* the output has the slow sections */
} Parse;

static gboolean
is_core (Parse      *parse,
         const char *name)
{
  if (parse->slow && strcmp (name, "df") == 0)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (core_sections); i++)
    if (strcmp (core_sections[i], name) == 0)
      return TRUE;
  return FALSE;
}

static void
set_error (Parse      *parse,
           const char *status_name)
{
  sm_poll_result_set_section (parse->result, status_name, SM_SECTION_ERROR,
                              _("malformed output"));
}

/* The usable section NAME, or NULL after recording on status_name why
 * there is none. A core section that is absent was cut off. */
static const SmSection *
take (Parse      *parse,
      const char *name,
      const char *status_name)
{
  const SmSection *section = g_hash_table_lookup (parse->sections, name);

  if (section == NULL)
    {
      if (is_core (parse, name))
        sm_poll_result_set_section (parse->result, status_name, SM_SECTION_ERROR,
                                    _("missing from the output (cut off?)"));
      else
        sm_poll_result_set_section (parse->result, status_name, SM_SECTION_MISSING,
                                    _("not available"));
      return NULL;
    }

  if (section->status != NULL)
    {
      const char *s = section->status;

      if (strcmp (name, "docker") == 0 && strcmp (s, "permission-denied") == 0)
        sm_poll_result_set_section (parse->result, status_name, SM_SECTION_MISSING,
                                    _("docker: permission denied (add the user to the docker group)"));
      else if (strcmp (name, "docker") == 0 && strcmp (s, "not-running") == 0)
        sm_poll_result_set_section (parse->result, status_name, SM_SECTION_MISSING,
                                    _("docker: the daemon is not running"));
      else if (strcmp (name, "systemd") == 0 && strcmp (s, "not-running") == 0)
        sm_poll_result_set_section (parse->result, status_name, SM_SECTION_MISSING,
                                    _("systemd is not running on this host"));
      else if (strcmp (name, "dfi") == 0 && strcmp (s, "unsupported") == 0)
        sm_poll_result_set_section (parse->result, status_name, SM_SECTION_MISSING,
                                    _("df cannot report inodes on this host"));
      else if (strcmp (s, "failed") == 0)
        sm_poll_result_set_section (parse->result, status_name, SM_SECTION_ERROR,
                                    _("the command failed"));
      else
        sm_poll_result_set_section (parse->result, status_name, SM_SECTION_MISSING,
                                    _("not available"));
      return NULL;
    }

  if (!sm_parse_text_ok (section->text, section->len))
    {
      set_error (parse, status_name);
      return NULL;
    }

  return section;
}

static void
set_ok (Parse      *parse,
        const char *status_name)
{
  sm_poll_result_set_section (parse->result, status_name, SM_SECTION_OK, NULL);
}

typedef struct {
  gboolean    have_uptime;
  double      uptime;
  gboolean    have_cpu;
  SmCpuTimes  cpu;
  GHashTable *net;
  GHashTable *io;
} Reading;

static void
reading_clear (Reading *r)
{
  g_clear_pointer (&r->net, g_hash_table_unref);
  g_clear_pointer (&r->io, g_hash_table_unref);
}

/* One set of counters: sections uptimeS, statS, netdevS, diskstatsS. */
static void
read_counters (Parse      *parse,
               const char *suffix,
               GHashTable *blockdevs,
               Reading    *r)
{
  g_autofree char *n_uptime = g_strconcat ("uptime", suffix, NULL);
  g_autofree char *n_stat = g_strconcat ("stat", suffix, NULL);
  g_autofree char *n_netdev = g_strconcat ("netdev", suffix, NULL);
  g_autofree char *n_disk = g_strconcat ("diskstats", suffix, NULL);
  const SmSection *s;

  if ((s = take (parse, n_uptime, "uptime")) != NULL)
    {
      r->have_uptime = sm_parse_uptime (s->text, s->len, &r->uptime);
      if (!r->have_uptime)
        set_error (parse, "uptime");
    }
  if ((s = take (parse, n_stat, "cpu")) != NULL)
    {
      r->have_cpu = sm_parse_stat (s->text, s->len, &r->cpu);
      if (!r->have_cpu)
        set_error (parse, "cpu");
    }
  if ((s = take (parse, n_netdev, "network")) != NULL)
    {
      r->net = sm_parse_netdev (s->text, s->len);
      if (r->net == NULL)
        set_error (parse, "network");
    }
  if ((s = take (parse, n_disk, "diskio")) != NULL)
    {
      r->io = sm_parse_diskstats (s->text, s->len, blockdevs);
      if (r->io == NULL)
        set_error (parse, "diskio");
    }
}

static void
parse_rates (Parse            *parse,
             SmCollectorState *state)
{
  g_autoptr(GHashTable) blockdevs = NULL;
  const SmSection *s;
  Reading now = { 0, };
  Reading before = { 0, };
  gboolean first = g_hash_table_contains (parse->sections, "uptime2");
  double seconds = 0;

  /* The block devices are listed on slow polls; in between, the last
   * list is used. */
  if ((s = g_hash_table_lookup (parse->sections, "blockdevs")) != NULL &&
      s->status == NULL && sm_parse_text_ok (s->text, s->len))
    {
      blockdevs = sm_parse_name_set (s->text, s->len);
      g_clear_pointer (&state->blockdevs, g_hash_table_unref);
      state->blockdevs = g_hash_table_ref (blockdevs);
    }
  else if (state->blockdevs != NULL)
    blockdevs = g_hash_table_ref (state->blockdevs);

  if (first)
    {
      read_counters (parse, "", blockdevs, &before);
      read_counters (parse, "2", blockdevs, &now);
    }
  else
    {
      read_counters (parse, "", blockdevs, &now);
      before.have_uptime = state->have_prev;
      before.uptime = state->uptime;
      before.have_cpu = state->have_cpu;
      before.cpu = state->cpu;
      before.net = state->net != NULL ? g_hash_table_ref (state->net) : NULL;
      before.io = state->io != NULL ? g_hash_table_ref (state->io) : NULL;
    }

  /* Sections that parsed are OK unless set otherwise above. */
  if (now.have_uptime && sm_poll_result_get_section (parse->result, "uptime") == NULL)
    set_ok (parse, "uptime");
  if (now.have_cpu && sm_poll_result_get_section (parse->result, "cpu") == NULL)
    set_ok (parse, "cpu");
  if (now.net != NULL && sm_poll_result_get_section (parse->result, "network") == NULL)
    set_ok (parse, "network");
  if (now.io != NULL && sm_poll_result_get_section (parse->result, "diskio") == NULL)
    set_ok (parse, "diskio");

  if (now.have_uptime)
    sm_poll_result_add_metric (parse->result, "uptime.seconds", now.uptime);

  /* A clock that went backwards is a reboot: no rates this time. */
  if (now.have_uptime && before.have_uptime && now.uptime > before.uptime)
    {
      seconds = now.uptime - before.uptime;
      if (now.have_cpu && before.have_cpu)
        sm_cpu_rates (&before.cpu, &now.cpu, parse->result);
      sm_counter_rates (before.net, now.net, seconds, "net", "rx_bps", "tx_bps", parse->result);
      sm_counter_rates (before.io, now.io, seconds, "io", "read_bps", "write_bps", parse->result);
    }

  /* Keep this run's last readings; a part that failed is forgotten so it
   * cannot give a rate against stale counters later. */
  state->have_prev = now.have_uptime;
  state->uptime = now.uptime;
  state->have_cpu = now.have_cpu;
  state->cpu = now.cpu;
  g_clear_pointer (&state->net, g_hash_table_unref);
  g_clear_pointer (&state->io, g_hash_table_unref);
  state->net = g_steal_pointer (&now.net);
  state->io = g_steal_pointer (&now.io);

  reading_clear (&now);
  reading_clear (&before);
}

static void
parse_ports (Parse *parse)
{
  static const char * const proc_files[] = { "tcp", "tcp6", "udp", "udp6" };
  g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_listen_port_free);
  const SmSection *s = g_hash_table_lookup (parse->sections, "listen");
  gboolean any = FALSE;

  if (s != NULL)
    {
      if ((s = take (parse, "listen", "ports")) == NULL)
        return;
      if (!sm_parse_ss (s->text, s->len, ports))
        {
          set_error (parse, "ports");
          return;
        }
      any = TRUE;
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (proc_files); i++)
        {
          g_autofree char *name = g_strconcat ("listen_", proc_files[i], NULL);

          s = g_hash_table_lookup (parse->sections, name);
          if (s == NULL)
            continue;
          any = TRUE;
          if (s->status != NULL || !sm_parse_text_ok (s->text, s->len) ||
              !sm_parse_proc_net (s->text, s->len, proc_files[i], ports))
            {
              set_error (parse, "ports");
              return;
            }
        }
    }

  if (!any)
    {
      sm_poll_result_set_section (parse->result, "ports", SM_SECTION_MISSING, _("not available"));
      return;
    }
  sm_ports_finish (ports);
  parse->result->ports = g_steal_pointer (&ports);
  set_ok (parse, "ports");
}

static void
parse_specs (Parse   *parse,
             guint64  mem_total)
{
  static const struct {
    const char *name;
    gboolean  (*parse) (const char *, gsize, SmSpecs *);
  } parts[] = {
    { "os_release", sm_parse_os_release },
    { "uname", sm_parse_uname },
    { "cpuinfo", sm_parse_cpuinfo },
    { "hostname", sm_parse_hostname },
    { "virt", sm_parse_virt },
    { "disks", sm_parse_disks },
  };
  SmSpecs *specs;
  gboolean any = FALSE, ok = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    any = any || g_hash_table_contains (parse->sections, parts[i].name);
  /* Not asked for this poll. */
  if (!any)
    return;

  specs = g_new0 (SmSpecs, 1);
  specs->disks = g_ptr_array_new_with_free_func (g_free);
  specs->ram_bytes = mem_total;
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      const SmSection *s = g_hash_table_lookup (parse->sections, parts[i].name);

      /* An empty part (no os-release, no lsblk output) is simply unknown. */
      if (s == NULL || s->len == 0)
        continue;
      if (s->status != NULL || !sm_parse_text_ok (s->text, s->len) ||
          !parts[i].parse (s->text, s->len, specs))
        ok = FALSE;
    }
  parse->result->specs = specs;
  if (ok)
    set_ok (parse, "specs");
  else
    set_error (parse, "specs");
}

/* The sections that cost a process each: df, ps, ports, GPU, docker,
 * systemd. */
static void
parse_slow (Parse   *parse,
            guint64  mem_total)
{
  g_autoptr(GHashTable) fstypes = NULL;
  SmPollResult *result = parse->result;
  const SmSection *s;

  s = g_hash_table_lookup (parse->sections, "mounts");
  if (s != NULL && s->status == NULL && sm_parse_text_ok (s->text, s->len))
    fstypes = sm_parse_mounts (s->text, s->len);
  if ((s = take (parse, "df", "disks")) != NULL)
    {
      if (sm_parse_df (s->text, s->len, fstypes, FALSE, result))
        set_ok (parse, "disks");
      else
        set_error (parse, "disks");
    }
  if ((s = take (parse, "dfi", "inodes")) != NULL)
    {
      if (sm_parse_df (s->text, s->len, fstypes, TRUE, result))
        set_ok (parse, "inodes");
      else
        set_error (parse, "inodes");
    }

  if ((s = take (parse, "ps", "processes")) != NULL)
    {
      if (sm_parse_ps (s->text, s->len, mem_total, result))
        set_ok (parse, "processes");
      else
        {
          g_ptr_array_set_size (result->top_cpu, 0);
          g_ptr_array_set_size (result->top_mem, 0);
          set_error (parse, "processes");
        }
    }

  parse_ports (parse);

  if ((s = take (parse, "nvidia", "gpu")) != NULL)
    {
      if (sm_parse_nvidia (s->text, s->len, result))
        set_ok (parse, "gpu");
      else
        set_error (parse, "gpu");
    }

  if ((s = take (parse, "docker", "docker")) != NULL)
    {
      result->containers = sm_parse_docker (s->text, s->len);
      if (result->containers != NULL)
        set_ok (parse, "docker");
      else
        set_error (parse, "docker");
    }

  if ((s = take (parse, "systemd", "systemd")) != NULL)
    {
      const SmSection *since = g_hash_table_lookup (parse->sections, "systemd_since");

      if (since != NULL && (since->status != NULL || !sm_parse_text_ok (since->text, since->len)))
        since = NULL;
      result->units = sm_parse_systemd (s->text, s->len,
                                        since != NULL ? since->text : NULL,
                                        since != NULL ? since->len : 0);
      if (result->units != NULL)
        set_ok (parse, "systemd");
      else
        set_error (parse, "systemd");
    }
}

/* sm_process_copy () and the like. */
typedef gpointer (*CopyFunc) (gconstpointer item);

static GPtrArray *
copy_array (GPtrArray      *array,
            CopyFunc        copy,
            GDestroyNotify  free_func)
{
  GPtrArray *result;

  if (array == NULL)
    return NULL;
  result = g_ptr_array_new_full (array->len, free_func);
  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (result, copy (g_ptr_array_index (array, i)));
  return result;
}

static void
append_copies (GPtrArray *to,
               GPtrArray *from,
               CopyFunc   copy)
{
  g_ptr_array_set_size (to, 0);
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add (to, copy (g_ptr_array_index (from, i)));
}

/* Keeps what parse_slow () found: the metrics it added (from index
 * first_metric on), the lists and the section statuses. */
static void
save_slow (SmCollectorState *state,
           SmPollResult     *result,
           guint             first_metric)
{
  state->slow_time_us = g_get_real_time ();

  g_array_set_size (state->slow_metrics, 0);
  for (guint i = first_metric; i < result->metrics->len; i++)
    {
      const SmMetric *m = &g_array_index (result->metrics, SmMetric, i);
      SmMetric copy = { g_strdup (m->name), m->value };

      g_array_append_val (state->slow_metrics, copy);
    }

  g_ptr_array_set_size (state->slow_sections, 0);
  for (guint i = 0; i < G_N_ELEMENTS (slow_status_names); i++)
    {
      const SmSectionStatus *status = sm_poll_result_get_section (result, slow_status_names[i]);
      SmSectionStatus *copy;

      if (status == NULL)
        continue;
      copy = g_new0 (SmSectionStatus, 1);
      copy->name = g_strdup (status->name);
      copy->state = status->state;
      copy->message = g_strdup (status->message);
      g_ptr_array_add (state->slow_sections, copy);
    }

  append_copies (state->top_cpu, result->top_cpu, (CopyFunc) sm_process_copy);
  append_copies (state->top_mem, result->top_mem, (CopyFunc) sm_process_copy);
  g_clear_pointer (&state->containers, g_ptr_array_unref);
  g_clear_pointer (&state->units, g_ptr_array_unref);
  g_clear_pointer (&state->ports, g_ptr_array_unref);
  state->containers = copy_array (result->containers, (CopyFunc) sm_container_copy,
                                  (GDestroyNotify) sm_container_free);
  state->units = copy_array (result->units, (CopyFunc) sm_unit_copy,
                             (GDestroyNotify) sm_unit_free);
  state->ports = copy_array (result->ports, (CopyFunc) sm_listen_port_copy,
                             (GDestroyNotify) sm_listen_port_free);
}

/* A poll without the slow sections repeats the last slow poll's values,
 * so that every result is complete; before any slow poll they are "not
 * collected yet", which is not an error. */
static void
restore_slow (SmCollectorState *state,
              SmPollResult     *result)
{
  if (state->slow_time_us == 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (slow_status_names); i++)
        sm_poll_result_set_section (result, slow_status_names[i], SM_SECTION_MISSING,
                                    _("not collected yet"));
      return;
    }

  for (guint i = 0; i < state->slow_metrics->len; i++)
    {
      const SmMetric *m = &g_array_index (state->slow_metrics, SmMetric, i);

      sm_poll_result_add_metric (result, m->name, m->value);
    }
  for (guint i = 0; i < state->slow_sections->len; i++)
    {
      const SmSectionStatus *status = g_ptr_array_index (state->slow_sections, i);

      sm_poll_result_set_section (result, status->name, status->state, status->message);
    }
  append_copies (result->top_cpu, state->top_cpu, (CopyFunc) sm_process_copy);
  append_copies (result->top_mem, state->top_mem, (CopyFunc) sm_process_copy);
  result->containers = copy_array (state->containers, (CopyFunc) sm_container_copy,
                                   (GDestroyNotify) sm_container_free);
  result->units = copy_array (state->units, (CopyFunc) sm_unit_copy,
                              (GDestroyNotify) sm_unit_free);
  result->ports = copy_array (state->ports, (CopyFunc) sm_listen_port_copy,
                              (GDestroyNotify) sm_listen_port_free);
}

SmPollResult *
sm_collector_parse (SmCollectorState *state,
                    const char       *marker,
                    const char       *output,
                    gsize             len)
{
  g_autoptr(GHashTable) sections = NULL;
  SmPollResult *result;
  const SmSection *s;
  guint64 mem_total = 0;
  Parse parse;

  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (marker != NULL && *marker != '\0', NULL);
  g_return_val_if_fail (output != NULL || len == 0, NULL);

  result = sm_poll_result_new ();
  sections = sm_parse_split (marker, output != NULL ? output : "", len);
  parse.sections = sections;
  parse.result = result;
  parse.slow = g_hash_table_contains (sections, "slow");

  parse_rates (&parse, state);

  if ((s = take (&parse, "loadavg", "load")) != NULL)
    {
      if (sm_parse_loadavg (s->text, s->len, result))
        set_ok (&parse, "load");
      else
        set_error (&parse, "load");
    }

  if ((s = take (&parse, "meminfo", "memory")) != NULL)
    {
      if (sm_parse_meminfo (s->text, s->len, result, &mem_total))
        set_ok (&parse, "memory");
      else
        set_error (&parse, "memory");
    }

  if (parse.slow)
    {
      guint first_metric = result->metrics->len;

      parse_slow (&parse, mem_total);
      save_slow (state, result, first_metric);
    }
  else
    restore_slow (state, result);

  parse_specs (&parse, mem_total);

  result->time_us = g_get_real_time ();
  return result;
}

/* This computer */

SmPollResult *
sm_collector_run_local (SmCollectorState  *state,
                        SmCollectFlags     flags,
                        GCancellable      *cancellable,
                        GError           **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *command = NULL;
  g_autofree char *input = NULL;
  SmPollResult *result;
  gint64 start;
  gsize len = 0;
  const char *data;

  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  marker = sm_collector_new_marker ();
  command = sm_collector_build_command (marker, flags);
  input = g_strconcat (collector_script, command, "exit\n", NULL);

  start = g_get_monotonic_time ();
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                              G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              error, "/bin/sh", NULL);
  if (process == NULL)
    return NULL;

  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (process),
                                  input, strlen (input), NULL, cancellable, error) ||
      !g_output_stream_close (g_subprocess_get_stdin_pipe (process), cancellable, error))
    {
      g_subprocess_force_exit (process);
      return NULL;
    }

  output = sm_collector_read_output (g_subprocess_get_stdout_pipe (process),
                                     marker, cancellable, error);
  if (output == NULL)
    {
      g_subprocess_force_exit (process);
      return NULL;
    }
  /* The shell exits after the end line; do not wait for it otherwise. */
  g_subprocess_force_exit (process);

  data = g_bytes_get_data (output, &len);
  result = sm_collector_parse (state, marker, data != NULL ? data : "", len);
  result->latency_ms = (double) (g_get_monotonic_time () - start) / 1000.0;
  return result;
}
