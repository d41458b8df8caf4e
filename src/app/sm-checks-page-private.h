/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-checks-page-private.h: accessors for the tests. */
#pragma once

#include "sm-check-dialog.h"
#include "sm-checks-page.h"

G_BEGIN_DECLS

guint         _sm_checks_page_get_n_rows        (SmChecksPage *self);
/* The row of check_id, or NULL. */
AdwActionRow *_sm_checks_page_get_row           (SmChecksPage *self,
                                                 gint64        check_id);
/* The parts of a row. */
GtkLabel     *_sm_checks_page_row_get_latency   (AdwActionRow *row);
GtkLabel     *_sm_checks_page_row_get_uptime    (AdwActionRow *row);
GtkImage     *_sm_checks_page_row_get_icon      (AdwActionRow *row);
GtkWidget    *_sm_checks_page_row_get_sparkline (AdwActionRow *row);
GtkWidget    *_sm_checks_page_row_get_run_button (AdwActionRow *row);
/* The "No Checks" status page (shown when the server has none). */
GtkWidget    *_sm_checks_page_get_empty_page    (SmChecksPage *self);
/* Opens the dialog "Add Check" (check_id 0) or "Edit Check" would. */
SmCheckDialog *_sm_checks_page_open_dialog      (SmChecksPage *self,
                                                 gint64        check_id);
/* History queries in flight. */
guint         _sm_checks_page_get_n_pending     (SmChecksPage *self);

G_END_DECLS
