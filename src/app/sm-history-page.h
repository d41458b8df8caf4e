/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-history-page.h: charts, statistics and uptime from a server's history. */
#pragma once

#include <adwaita.h>

#include "sm-history.h"
#include "sm-series.h"
#include "sm-server.h"

G_BEGIN_DECLS

#define SM_TYPE_HISTORY_PAGE (sm_history_page_get_type ())
G_DECLARE_FINAL_TYPE (SmHistoryPage, sm_history_page, SM, HISTORY_PAGE, AdwBin)

/*
 * Properties:
 *   server  SmServer, or NULL
 *
 * A range selector (15 min … 1 y, 1 h by default), a chart per metric group
 * the server has history for (CPU, memory, swap, load, each disk, each
 * network interface, each GPU, poll latency), the min, max, average and 95th
 * percentile of each charted metric over the range, and the uptime over the
 * last 24 hours, 7 and 30 days.
 *
 * Every query runs on a worker thread with its own reference on the reader;
 * changing the server or the range, or disposing the page, cancels what is in
 * flight, and a late result is dropped. While the page is shown, a new poll
 * of the server (notify::last-poll) is appended to the charts without a
 * query; while it is hidden the page only notes that it is out of date and
 * queries again when it is shown.
 */
GtkWidget       *sm_history_page_new        (void);
SmServer        *sm_history_page_get_server (SmHistoryPage   *self);
void             sm_history_page_set_server (SmHistoryPage   *self,
                                             SmServer        *server);
/* Takes a reference; NULL shows "History is not available" with the reason
 * given to sm_history_page_set_unavailable_reason(). */
/* The server's service checks by id ("7" -> "api"), for the charts of
 * their latency and metrics (a reference is taken; NULL: none). */
void             sm_history_page_set_check_names (SmHistoryPage *self,
                                                  GHashTable    *names);
SmHistoryReader *sm_history_page_get_reader (SmHistoryPage   *self);
void             sm_history_page_set_reader (SmHistoryPage   *self,
                                             SmHistoryReader *reader);
/* Why there is no reader (an error message), or NULL for a generic text. */
void             sm_history_page_set_unavailable_reason (SmHistoryPage *self,
                                             const char      *reason);
SmRange          sm_history_page_get_range  (SmHistoryPage   *self);
void             sm_history_page_set_range  (SmHistoryPage   *self,
                                             SmRange          range);

G_END_DECLS
