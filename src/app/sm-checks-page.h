/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-checks-page.h: the "Checks" view of a server page. */
#pragma once

#include <adwaita.h>

#include "sm-check-scheduler.h"
#include "sm-history.h"
#include "sm-server.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_CHECKS_PAGE (sm_checks_page_get_type ())
G_DECLARE_FINAL_TYPE (SmChecksPage, sm_checks_page, SM, CHECKS_PAGE, AdwBin)

/*
 * The service checks of one server: a row per check with its status, the
 * reason, the latency and its last hour, the uptime over 24 hours, 7 and
 * 30 days (from the history, when a reader is set), and Run Now, Edit and
 * Delete; "Add Check". Rows follow the scheduler's ::check-finished for
 * this server.
 */
GtkWidget  *sm_checks_page_new               (void);
void        sm_checks_page_set_store         (SmChecksPage     *self,
                                              SmStore          *store);
void        sm_checks_page_set_scheduler     (SmChecksPage     *self,
                                              SmCheckScheduler *scheduler);
SmCheckScheduler *sm_checks_page_get_scheduler (SmChecksPage   *self);
void        sm_checks_page_set_server        (SmChecksPage     *self,
                                              SmServer         *server);
/* A reference is taken; NULL: no latency lines or uptime. */
void        sm_checks_page_set_history_reader (SmChecksPage    *self,
                                              SmHistoryReader  *reader);
/* Rereads the server's checks and their latest results from the store. */
void        sm_checks_page_reload            (SmChecksPage     *self);

G_END_DECLS
