/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-window.h: the main window: server list and the selected server. */
#pragma once

#include <adwaita.h>

#include "sm-application.h"
#include "sm-alert-manager.h"
#include "sm-check-scheduler.h"
#include "sm-history.h"
#include "sm-server.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_WINDOW (sm_window_get_type ())
G_DECLARE_FINAL_TYPE (SmWindow, sm_window, SM, WINDOW, AdwApplicationWindow)

/*
 * app may be NULL (tests). Window actions: win.add-server (Ctrl+N),
 * win.edit-server (Ctrl+E), win.show-alerts (Ctrl+L), win.delete-server (Delete, on the list and the
 * server page only), win.search (Ctrl+F).
 *
 * A deleted server is hidden at once and deleted from the store when its
 * "Undo" toast goes away, when the window closes, or on
 * sm_window_commit_pending_deletions().
 */
SmWindow  *sm_window_new                      (SmApplication *app,
                                               SmStore       *store);
SmStore   *sm_window_get_store                (SmWindow      *self);
/* The server shown in the content pane, or NULL. */
SmServer  *sm_window_get_selected_server      (SmWindow      *self);
/* Shows server (one of the listed servers) and selects its row. */
void       sm_window_select_server            (SmWindow      *self,
                                               SmServer      *server);
/* Whether the store's vault is still being opened (credentials show
 * "Loading…"); set it to FALSE once sm_store_set_vault() was called. */
void       sm_window_set_vault_loading        (SmWindow      *self,
                                               gboolean       vault_loading);
/* The history that the server pages and the list's sparklines query (a
 * reference is taken), or NULL: then the History page says it is not
 * available, with reason (an error message) when one is given. */
void       sm_window_set_history_reader       (SmWindow        *self,
                                               SmHistoryReader *reader);
void       sm_window_set_history_unavailable_reason (SmWindow  *self,
                                               const char      *reason);
/* The Alerts page, the sidebar badge and each server page's rules follow
 * manager (a reference is taken); NULL hides them. */
void       sm_window_set_alert_manager        (SmWindow       *self,
                                               SmAlertManager *manager);
/* The service checks the server pages show and run ("Run now"); a
 * reference is taken; NULL hides the Checks view. */
void       sm_window_set_check_scheduler      (SmWindow         *self,
                                               SmCheckScheduler *scheduler);
/* Shows the Alerts page. */
void       sm_window_show_alerts              (SmWindow      *self);
void       sm_window_commit_pending_deletions (SmWindow      *self);
/* A toast that stays until dismissed (message is plain text). */
void       sm_window_show_error               (SmWindow      *self,
                                               const char    *message);
/* The listed servers (SmServer), not including those pending deletion. */
GListModel *sm_window_get_servers             (SmWindow      *self);
/* What a poll of server ended with (the scheduler's "poll-finished"): an
 * unknown or changed host key (with the offered fingerprint) shows on the
 * server page; any other outcome clears it. */
void       sm_window_report_poll              (SmWindow      *self,
                                               SmServer      *server,
                                               const GError  *error,
                                               const char    *host_key_sha256);

/*
 * Signals: "server-saved" (SmServer *server) after an add or edit was saved,
 * "server-deleted" (SmServer *server) after a deletion was committed.
 */

G_END_DECLS
