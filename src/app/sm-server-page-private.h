/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-page-private.h: accessors for the tests. */
#pragma once

#include "sm-checks-page.h"
#include "sm-history-page.h"
#include "sm-overview-page.h"
#include "sm-rules-list.h"
#include "sm-server-page.h"

G_BEGIN_DECLS

SmOverviewPage *_sm_server_page_get_overview_page   (SmServerPage *self);
SmHistoryPage  *_sm_server_page_get_history_page    (SmServerPage *self);
GtkLabel       *_sm_server_page_get_status_label    (SmServerPage *self);
GtkLabel       *_sm_server_page_get_info_label      (SmServerPage *self);
GtkLabel       *_sm_server_page_get_last_poll_label (SmServerPage *self);
GtkWidget      *_sm_server_page_get_host_key_box    (SmServerPage *self);
GtkLabel       *_sm_server_page_get_host_key_body   (SmServerPage *self);
GtkWidget      *_sm_server_page_get_host_key_button (SmServerPage *self);
/* The source refreshing "Last poll … ago", 0 while unmapped. */
guint           _sm_server_page_get_tick_id         (SmServerPage *self);
/* The "Alerts" view's list of the server's rules. */
SmRulesList    *_sm_server_page_get_rules_list      (SmServerPage *self);
/* The "Checks" view. */
SmChecksPage   *_sm_server_page_get_checks_page     (SmServerPage *self);

G_END_DECLS
