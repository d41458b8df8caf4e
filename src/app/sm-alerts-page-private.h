/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alerts-page-private.h: accessors for tests/test-alerts-page.c.
 *
 * Each row of the active list carries object data: "sm-alert-id" (a
 * gint64 *), "sm-state-label", "sm-since-label", "sm-ack-button",
 * "sm-resolve-button" (widgets). Each history row carries "sm-event"
 * (its SmAlertEventRow). */
#pragma once

#include "sm-alert-timeline.h"
#include "sm-alerts-page.h"

G_BEGIN_DECLS

GtkListBox       *_sm_alerts_page_get_active_list       (SmAlertsPage *self);
GtkStack         *_sm_alerts_page_get_active_stack      (SmAlertsPage *self);
GtkListBox       *_sm_alerts_page_get_history_list      (SmAlertsPage *self);
GtkStack         *_sm_alerts_page_get_history_stack     (SmAlertsPage *self);
GtkDropDown      *_sm_alerts_page_get_server_dropdown   (SmAlertsPage *self);
GtkDropDown      *_sm_alerts_page_get_severity_dropdown (SmAlertsPage *self);
GtkDropDown      *_sm_alerts_page_get_range_dropdown    (SmAlertsPage *self);
SmAlertTimeline  *_sm_alerts_page_get_timeline          (SmAlertsPage *self);
GtkLabel         *_sm_alerts_page_get_capped_label      (SmAlertsPage *self);
/* The open "Acknowledge" dialog, or NULL. */
AdwMessageDialog *_sm_alerts_page_get_ack_dialog        (SmAlertsPage *self);
/* Its comment row and expiry row. */
GtkEditable      *_sm_alerts_page_get_ack_comment       (SmAlertsPage *self);
AdwComboRow      *_sm_alerts_page_get_ack_expiry        (SmAlertsPage *self);
/* At most this many history rows are shown (default 500). */
void              _sm_alerts_page_set_history_limit     (SmAlertsPage *self,
                                                         guint         limit);

G_END_DECLS
