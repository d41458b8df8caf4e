/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-parsers.h: the collector's pure parsers, one per section (internal).
 *
 * Every function takes raw section text as (text, len), which need not be
 * NUL-terminated and is never trusted: a parser returns FALSE (or NULL)
 * when the text is malformed, and never reads past len. No I/O.
 */
#pragma once

#include <glib.h>

#include "sm-poll-result.h"

G_BEGIN_DECLS

/* Sanity limits, on top of SM_COLLECTOR_MAX_OUTPUT. */
#define SM_PARSE_MAX_SECTION  (1024 * 1024)   /* bytes of one section */
#define SM_PARSE_MAX_SECTIONS 64
#define SM_PARSE_MAX_LINES    20000           /* lines of one section */
#define SM_PARSE_MAX_ITEMS    4096            /* ifaces, disks, mounts, ports */

/* One section of the output, as found by the splitter. */
typedef struct {
  const char *text;     /* points into the output; not NUL-terminated */
  gsize       len;
  char       *status;   /* "MARKER status TOKEN" first line: TOKEN; or NULL */
} SmSection;

/* Splits output by full-line "MARKER section NAME" lines, stopping at
 * "MARKER end". Returns name -> SmSection*; the first of duplicate names
 * wins; at most SM_PARSE_MAX_SECTIONS. Never NULL. */
GHashTable   *sm_parse_split           (const char   *marker,
                                        const char   *output,
                                        gsize         len);
/* TRUE if the text is valid UTF-8 without NUL and within the size limit. */
gboolean      sm_parse_text_ok         (const char   *text,
                                        gsize         len);

/* /proc/stat: the aggregate "cpu" line, in clock ticks. */
typedef struct {
  guint64 user, nice, system, idle, iowait, irq, softirq, steal;
} SmCpuTimes;

gboolean      sm_parse_stat            (const char   *text,
                                        gsize         len,
                                        SmCpuTimes   *times);
/* Adds cpu.percent/user/system/iowait/steal from two readings; adds
 * nothing (and returns FALSE) when a counter went backwards or none moved. */
gboolean      sm_cpu_rates             (const SmCpuTimes *prev,
                                        const SmCpuTimes *cur,
                                        SmPollResult     *result);

/* /proc/uptime: the first field, in seconds (centisecond resolution). */
gboolean      sm_parse_uptime          (const char   *text,
                                        gsize         len,
                                        double       *seconds);
/* /proc/loadavg: load.1/5/15 and procs.count. */
gboolean      sm_parse_loadavg         (const char   *text,
                                        gsize         len,
                                        SmPollResult *result);
/* /proc/meminfo: mem.* and swap.*; mem_total (bytes) may be NULL. */
gboolean      sm_parse_meminfo         (const char   *text,
                                        gsize         len,
                                        SmPollResult *result,
                                        guint64      *mem_total);

/* /proc/mounts: mount point (unescaped) -> filesystem type. */
GHashTable   *sm_parse_mounts          (const char   *text,
                                        gsize         len);
/* TRUE for tmpfs, proc, sysfs, overlay, squashfs, cgroup*, ... */
gboolean      sm_fs_type_is_pseudo     (const char   *fstype);
/* df -P -k (inodes FALSE) or df -P -i (inodes TRUE). fstypes from
 * sm_parse_mounts, or NULL to judge by the Filesystem column only. */
gboolean      sm_parse_df              (const char   *text,
                                        gsize         len,
                                        GHashTable   *fstypes,
                                        gboolean      inodes,
                                        SmPollResult *result);

/* Two counters per name: rx/tx bytes, or read/written bytes. */
typedef struct {
  guint64 a;
  guint64 b;
} SmCounters;

/* /proc/net/dev: iface -> SmCounters (rx, tx bytes); lo skipped. */
GHashTable   *sm_parse_netdev          (const char   *text,
                                        gsize         len);
/* /proc/diskstats: whole disks only -> SmCounters (read, written bytes).
 * blockdevs (names under /sys/block, may be NULL) tells disks from
 * partitions; without it names are judged by pattern. */
GHashTable   *sm_parse_diskstats       (const char   *text,
                                        gsize         len,
                                        GHashTable   *blockdevs);
/* Names one per line (the "blockdevs" section) as a set. */
GHashTable   *sm_parse_name_set        (const char   *text,
                                        gsize         len);
/* Adds PREFIX.<name>.SUFFIX_A / SUFFIX_B rates over seconds; a counter
 * that went backwards gives no rate. */
void          sm_counter_rates         (GHashTable   *prev,
                                        GHashTable   *cur,
                                        double        seconds,
                                        const char   *prefix,
                                        const char   *suffix_a,
                                        const char   *suffix_b,
                                        SmPollResult *result);

/* ps -eo pid,user,pcpu,pmem,rss,comm (GNU) or ps -o pid,user,rss,comm
 * (busybox): fills top_cpu and top_mem (5 each). Without a %CPU column
 * cpu_percent is NAN and top_cpu stays empty; without %MEM it is computed
 * from mem_total (bytes) when known. */
gboolean      sm_parse_ps              (const char   *text,
                                        gsize         len,
                                        guint64       mem_total,
                                        SmPollResult *result);

/* ss -Hltnu[p] output: appends SmListenPort* to ports. */
gboolean      sm_parse_ss              (const char   *text,
                                        gsize         len,
                                        GPtrArray    *ports);
/* /proc/net/tcp, tcp6, udp, udp6 (protocol says which): listening TCP and
 * bound unconnected UDP sockets. Addresses are in the host's byte order;
 * this assumes a little-endian host (x86, arm). */
gboolean      sm_parse_proc_net        (const char   *text,
                                        gsize         len,
                                        const char   *protocol,
                                        GPtrArray    *ports);
/* Sorts TCP before UDP, then by port, and drops duplicates. */
void          sm_ports_finish          (GPtrArray    *ports);
/* "SSH" for 22, ...; NULL when unknown. */
const char   *sm_service_label         (guint         port);

/* nvidia-smi csv,noheader,nounits: gpu.N.util_percent/mem_used/mem_total. */
gboolean      sm_parse_nvidia          (const char   *text,
                                        gsize         len,
                                        SmPollResult *result);
/* docker ps -a --format "{{.Names}}\t{{.Image}}\t{{.State}}\t{{.Status}}". */
GPtrArray    *sm_parse_docker          (const char   *text,
                                        gsize         len);
/* systemctl list-units --plain --no-legend, and optionally the output of
 * systemctl show -p Id -p StateChangeTimestamp for failed units. */
GPtrArray    *sm_parse_systemd         (const char   *text,
                                        gsize         len,
                                        const char   *since_text,
                                        gsize         since_len);

/* Deep copies (the collector's state keeps the last slow sections). */
SmProcess    *sm_process_copy          (const SmProcess    *process);
SmContainer  *sm_container_copy        (const SmContainer  *container);
SmUnit       *sm_unit_copy             (const SmUnit       *unit);
SmListenPort *sm_listen_port_copy      (const SmListenPort *port);

/* Inventory; each fills its part of specs. */
gboolean      sm_parse_os_release      (const char   *text,
                                        gsize         len,
                                        SmSpecs      *specs);
gboolean      sm_parse_uname           (const char   *text,
                                        gsize         len,
                                        SmSpecs      *specs);
gboolean      sm_parse_cpuinfo         (const char   *text,
                                        gsize         len,
                                        SmSpecs      *specs);
gboolean      sm_parse_hostname        (const char   *text,
                                        gsize         len,
                                        SmSpecs      *specs);
gboolean      sm_parse_virt            (const char   *text,
                                        gsize         len,
                                        SmSpecs      *specs);
/* lsblk -dnb -o NAME,SIZE,TYPE,MODEL (after a "lsblk" line) or
 * /proc/partitions. */
gboolean      sm_parse_disks           (const char   *text,
                                        gsize         len,
                                        SmSpecs      *specs);

G_END_DECLS
