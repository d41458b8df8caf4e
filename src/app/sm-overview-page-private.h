/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-overview-page-private.h: accessors for tests/test-overview.c. */
#pragma once

#include "sm-overview-page.h"
#include "sm-meter.h"

G_BEGIN_DECLS

/* Card ids: "cpu", "memory", "swap", "load", "disk:MOUNT", "net:IFACE",
 * "gpu:INDEX". NULL when there is no such card. */
GtkLabel            *_sm_overview_page_get_card_value  (SmOverviewPage *self,
                                                        const char     *card);
GtkLabel            *_sm_overview_page_get_card_detail (SmOverviewPage *self,
                                                        const char     *card);
SmMeter             *_sm_overview_page_get_card_meter  (SmOverviewPage *self,
                                                        const char     *card);
guint                _sm_overview_page_get_n_cards     (SmOverviewPage *self);
GtkScrolledWindow   *_sm_overview_page_get_scrolled_window (SmOverviewPage *self);
/* "waiting" (AdwStatusPage) or "content". */
const char          *_sm_overview_page_get_visible_view (SmOverviewPage *self);
AdwStatusPage       *_sm_overview_page_get_status_page (SmOverviewPage *self);
/* Groups: "top-cpu", "top-mem", "containers", "units", "tcp", "udp", "specs". */
AdwPreferencesGroup *_sm_overview_page_get_group       (SmOverviewPage *self,
                                                        const char     *group);
/* The row of key in a group's list ("name" for containers, the unit for
 * units, "tcp:ADDRESS:PORT", the position for processes), or NULL. */
AdwActionRow        *_sm_overview_page_get_row         (SmOverviewPage *self,
                                                        const char     *group,
                                                        const char     *key);

G_END_DECLS
