/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-overview-page.h: the live numbers of one server's newest poll. */
#pragma once

#include <adwaita.h>

#include "sm-server.h"

G_BEGIN_DECLS

#define SM_TYPE_OVERVIEW_PAGE (sm_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (SmOverviewPage, sm_overview_page, SM, OVERVIEW_PAGE, AdwBin)

/*
 * Properties:
 *   server  SmServer, or NULL
 *
 * Shows sm_server_get_last_result(): cards (CPU, memory, swap, load, each
 * disk, each network interface, each GPU) and tables (top processes,
 * containers, systemd units, listening ports, specs). A new result
 * (notify::last-poll) updates the widgets in place; rows and cards are only
 * added or removed when the set of disks, processes, units... changes, so
 * nothing flickers and the scroll position stays.
 */
GtkWidget  *sm_overview_page_new        (void);
SmServer   *sm_overview_page_get_server (SmOverviewPage *self);
void        sm_overview_page_set_server (SmOverviewPage *self,
                                         SmServer       *server);

/* "12 %" ("—" for NAN). */
char          *sm_overview_format_percent (double         value);
/* "Up 3 days, 4 hours", or NULL for NAN. */
char          *sm_overview_format_uptime  (double         seconds);
/* text with no-break spaces, so that a label only wraps around it. */
char          *sm_overview_no_break       (const char    *text);
/* text with its first letter in upper case: "Connection refused". */
char          *sm_overview_capitalize     (const char    *text);

G_END_DECLS
