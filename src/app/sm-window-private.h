/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-window-private.h: accessors for tests/test-window.c. */
#pragma once

#include "sm-alerts-page.h"
#include "sm-server-page.h"
#include "sm-window.h"

G_BEGIN_DECLS

AdwLeaflet  *_sm_window_get_leaflet          (SmWindow *self);
GtkWidget   *_sm_window_get_sidebar          (SmWindow *self);
GtkListBox  *_sm_window_get_list_box         (SmWindow *self);
GtkStack    *_sm_window_get_sidebar_stack    (SmWindow *self);
GtkStack    *_sm_window_get_content_stack    (SmWindow *self);
GtkEditable *_sm_window_get_search_entry     (SmWindow *self);
GtkWidget   *_sm_window_get_empty_add_button (SmWindow *self);
/* The "Undo" toast of the latest deletion still pending, or NULL. */
AdwToast    *_sm_window_get_undo_toast       (SmWindow *self);
SmServerPage *_sm_window_get_server_page     (SmWindow *self);
SmAlertsPage *_sm_window_get_alerts_page     (SmWindow *self);
GtkListBoxRow *_sm_window_get_alerts_row     (SmWindow *self);
GtkLabel    *_sm_window_get_alerts_badge     (SmWindow *self);

G_END_DECLS
