/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alerts-page.h: the open alerts and the alert history. */
#pragma once

#include <adwaita.h>

#include "sm-alert-manager.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_ALERTS_PAGE (sm_alerts_page_get_type ())
G_DECLARE_FINAL_TYPE (SmAlertsPage, sm_alerts_page, SM, ALERTS_PAGE, AdwBin)

/*
 * Two views in an AdwViewStack (for the window's view switcher):
 *  - "active": every pending, firing or acknowledged alert of the manager
 *    with its severity, server, since when, last value and state, and
 *    "Acknowledge" (comment and expiry) and "Resolve" buttons;
 *  - "history": the stored alert events, newest first, filtered by
 *    server, severity and time range; with one server chosen, a timeline
 *    of its alert episodes over the range above the list.
 *
 * Both follow the manager's ::changed; the history is read again only
 * while the page is mapped (otherwise when it is mapped next). Relative
 * times ("5 min ago") are brought up to date once a minute while mapped.
 */
GtkWidget    *sm_alerts_page_new              (void);
/* The store the history is read from (a reference is taken). */
void          sm_alerts_page_set_store        (SmAlertsPage   *self,
                                               SmStore        *store);
/* A reference is taken; NULL empties the page. */
void          sm_alerts_page_set_manager      (SmAlertsPage   *self,
                                               SmAlertManager *manager);
/* The servers (SmServer) the server filter offers, followed as they
 * change (a reference is taken). */
void          sm_alerts_page_set_servers      (SmAlertsPage   *self,
                                               GListModel     *servers);
/* Reads the active alerts and the history again. */
void          sm_alerts_page_refresh          (SmAlertsPage   *self);
AdwViewStack *sm_alerts_page_get_view_stack   (SmAlertsPage   *self);
GtkWidget    *sm_alerts_page_get_switcher_bar (SmAlertsPage   *self);

G_END_DECLS
