/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-cli.h: the command-line actions that run without a display. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses: 0 done, 1 failure (I/O, database), 2 invalid input. */
#define SM_CLI_EXIT_OK       0
#define SM_CLI_EXIT_FAILURE  1
#define SM_CLI_EXIT_INVALID  2

typedef struct {
  char     *data_dir;      /* NULL: the default data dir */
  char     *import_file;
  char     *export_file;
  char     *trust_host;    /* --trust-host NAME */
  char     *backup_file;   /* --backup FILE */
  char     *render_chart;  /* --render-chart NAME */
  char     *metric;        /* --metric METRIC */
  char     *range;         /* --range RANGE: 15m ... 1y */
  char     *output;        /* --output FILE.png|svg */
  int       width;         /* --width, 0: default */
  int       height;        /* --height, 0: default */
  gboolean  dark;          /* --dark: the dark palette */
  gboolean  list;
  gboolean  json;
  gboolean  check_once;
  gboolean  alerts;        /* --alerts: the active alerts */
  gboolean  version;
} SmCliOptions;

/* TRUE when the options ask for a command-line action (no window). */
gboolean  sm_cli_wants_action  (const SmCliOptions *options);
/* Runs it, printing results to stdout and errors to stderr; returns the
 * exit status. */
int       sm_cli_run           (const SmCliOptions *options);
void      sm_cli_options_clear (SmCliOptions       *options);

G_END_DECLS
