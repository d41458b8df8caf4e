/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-poll-result.h: what one poll of one server found, as plain data.
 *
 * Built on a worker thread by the parsers, handed to the main thread; no
 * GObjects, no references to anything else. Metric names are dotted paths:
 *   cpu.percent cpu.user cpu.system cpu.iowait cpu.steal        (percent)
 *   load.1 load.5 load.15   uptime.seconds   procs.count
 *   mem.total mem.available mem.used (bytes)  mem.used_percent
 *   swap.total swap.used (bytes)              swap.used_percent
 *   disk.<mount>.used_percent disk.<mount>.inodes_used_percent
 *   disk.<mount>.total disk.<mount>.used (bytes)      e.g. disk./.used_percent
 *   net.<iface>.rx_bps net.<iface>.tx_bps (bytes per second)
 *   io.<device>.read_bps io.<device>.write_bps (bytes per second)
 *   gpu.<index>.util_percent gpu.<index>.mem_used gpu.<index>.mem_total
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SM_SECTION_OK,
  SM_SECTION_MISSING,   /* not available on this host: not an error */
  SM_SECTION_ERROR,     /* present but malformed: a parse error, this section only */
} SmSectionState;

typedef struct {
  char           *name;      /* "cpu", "memory", "docker", ... */
  SmSectionState  state;
  char           *message;   /* why MISSING or ERROR; NULL when OK */
} SmSectionStatus;

typedef struct {
  char   *name;
  double  value;
} SmMetric;

typedef struct {
  guint   pid;
  char   *user;
  char   *command;
  double  cpu_percent;
  double  mem_percent;
  guint64 rss_bytes;
} SmProcess;

typedef struct {
  char   *name;
  char   *image;
  char   *state;        /* running, exited, ... */
  char   *health;       /* healthy, unhealthy, starting, or NULL */
  char   *status_text;  /* docker's "Up 3 hours" */
} SmContainer;

typedef struct {
  char   *unit;
  char   *active;       /* active, failed, inactive ... */
  char   *sub;          /* running, exited, dead ... */
  char   *since;        /* as reported, may be NULL */
} SmUnit;

typedef struct {
  char   *protocol;     /* "tcp", "tcp6", "udp", "udp6" */
  char   *address;      /* local address, "0.0.0.0", "::", "127.0.0.1" */
  guint   port;
  char   *process;      /* may be NULL (needs privileges) */
  const char *service;  /* static label: "SSH", "HTTP", ... or NULL */
} SmListenPort;

typedef struct {
  char   *cpu_model;
  guint   cpu_cores;
  guint64 ram_bytes;
  char   *os_name;       /* PRETTY_NAME */
  char   *kernel;
  char   *arch;
  char   *virtualization;  /* "kvm", "docker", "none", or NULL if unknown */
  char   *hostname;
  GPtrArray *disks;      /* char*: "sda 512 GB" style lines */
} SmSpecs;

typedef struct {
  gint64      time_us;         /* g_get_real_time () when the poll ended */
  double      latency_ms;      /* round trip of the collection */
  GPtrArray  *sections;        /* SmSectionStatus* */
  GArray     *metrics;         /* SmMetric */
  GPtrArray  *top_cpu;         /* SmProcess*, at most 5 */
  GPtrArray  *top_mem;         /* SmProcess*, at most 5 */
  GPtrArray  *containers;      /* SmContainer*, NULL when not available */
  GPtrArray  *units;           /* SmUnit*, NULL when not available */
  GPtrArray  *ports;           /* SmListenPort*, NULL when not available */
  SmSpecs    *specs;           /* NULL when not collected this poll */
} SmPollResult;

SmPollResult   *sm_poll_result_new           (void);
void            sm_poll_result_free          (SmPollResult *result);
void            sm_poll_result_add_metric    (SmPollResult *result,
                                              const char   *name,
                                              double        value);
/* The value, or NAN when the metric is absent. */
double          sm_poll_result_get_metric    (SmPollResult *result,
                                              const char   *name);
void            sm_poll_result_set_section   (SmPollResult   *result,
                                              const char     *name,
                                              SmSectionState  state,
                                              const char     *message);
const SmSectionStatus *sm_poll_result_get_section (SmPollResult *result,
                                                   const char   *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmPollResult, sm_poll_result_free)

void            sm_process_free              (SmProcess    *process);
void            sm_container_free            (SmContainer  *container);
void            sm_unit_free                 (SmUnit       *unit);
void            sm_listen_port_free          (SmListenPort *port);
void            sm_specs_free                (SmSpecs      *specs);
SmSpecs        *sm_specs_copy                (const SmSpecs *specs);

/* JSON text for storage: the specs with their members in a fixed order
 * (equal specs give equal text), and the metrics as one object. */
char           *sm_specs_to_json             (const SmSpecs      *specs);
char           *sm_poll_result_metrics_to_json (const SmPollResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmProcess, sm_process_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmContainer, sm_container_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmUnit, sm_unit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmListenPort, sm_listen_port_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmSpecs, sm_specs_free)

G_END_DECLS
