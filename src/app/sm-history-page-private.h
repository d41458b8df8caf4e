/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-history-page-private.h: accessors for tests/test-history-page.c. */
#pragma once

#include "sm-chart.h"
#include "sm-history-page.h"

G_BEGIN_DECLS

/* "unavailable", "loading", "empty" or "content". */
const char      *_sm_history_page_get_visible_view (SmHistoryPage *self);
AdwStatusPage   *_sm_history_page_get_status_page  (SmHistoryPage *self);
/* Chart ids, in the order shown: "cpu", "memory", "swap", "load",
 * "disk:MOUNT", "net:IFACE", "gpu:INDEX", "latency". Free with g_strfreev. */
char           **_sm_history_page_dup_chart_ids    (SmHistoryPage *self);
SmChart         *_sm_history_page_get_chart        (SmHistoryPage *self,
                                                    const char    *id);
GtkToggleButton *_sm_history_page_get_range_button (SmHistoryPage *self,
                                                    SmRange        range);
/* Queries started so far (charts and statistics each count one). */
guint            _sm_history_page_get_n_queries    (SmHistoryPage *self);
/* TRUE while a query is in flight. */
gboolean         _sm_history_page_get_busy         (SmHistoryPage *self);
/* The statistics table's cell of metric: column 0 is the name, 1 min,
 * 2 max, 3 average, 4 the 95th percentile. NULL when there is no row. */
GtkLabel        *_sm_history_page_get_stat_label   (SmHistoryPage *self,
                                                    const char    *metric,
                                                    guint          column);
/* The uptime over SM_RANGE_24H, SM_RANGE_7D or SM_RANGE_30D. */
GtkLabel        *_sm_history_page_get_uptime_label (SmHistoryPage *self,
                                                    SmRange        range);

G_END_DECLS
