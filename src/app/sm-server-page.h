/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-page.h: the read-only details of the selected server. */
#pragma once

#include <adwaita.h>

#include "sm-history.h"
#include "sm-server.h"
#include "sm-alert-manager.h"
#include "sm-check-scheduler.h"
#include "sm-store.h"

G_BEGIN_DECLS

/* What the newest poll said about a server's host key. */
typedef enum {
  SM_HOST_KEY_ISSUE_NONE,
  SM_HOST_KEY_ISSUE_UNKNOWN,   /* not trusted yet: offer "Trust This Key" */
  SM_HOST_KEY_ISSUE_CHANGED,   /* differs from the trusted one: maybe an attack */
} SmHostKeyIssue;

#define SM_TYPE_SERVER_PAGE (sm_server_page_get_type ())
G_DECLARE_FINAL_TYPE (SmServerPage, sm_server_page, SM, SERVER_PAGE, AdwBin)

/*
 * Properties:
 *   store          SmStore (construct-only, may be set once from a template)
 *   server         SmServer, or NULL
 *   vault-loading  gboolean: the store's vault is still being opened, so
 *                  stored credentials show as "Loading…" instead of "Locked"
 *
 * The page follows the server's property changes. It asks the store whether
 * the server's secret can be decrypted and frees the secret at once; it
 * never shows it.
 */
GtkWidget  *sm_server_page_new               (SmStore      *store);
SmStore    *sm_server_page_get_store         (SmServerPage *self);
void        sm_server_page_set_store         (SmServerPage *self,
                                              SmStore      *store);
SmServer   *sm_server_page_get_server        (SmServerPage *self);
void        sm_server_page_set_server        (SmServerPage *self,
                                              SmServer     *server);
gboolean    sm_server_page_get_vault_loading (SmServerPage *self);
void        sm_server_page_set_vault_loading (SmServerPage *self,
                                              gboolean      vault_loading);
/* Checks the stored credentials again (after the store's vault changed). */
void        sm_server_page_refresh_credentials (SmServerPage *self);

/* The "Alerts" view: the server's open alerts and its rules, which it
 * edits through the store and the manager (NULL: the view is hidden). */
void        sm_server_page_set_alert_manager (SmServerPage   *self,
                                              SmAlertManager *manager);
/* The Checks view: the server's checks with their status, latency and
 * uptime, add/edit/delete, "Run now" (NULL: hidden). */
void        sm_server_page_set_check_scheduler (SmServerPage     *self,
                                                SmCheckScheduler *scheduler);
/* The history the "History" page queries (a reference is taken), or NULL;
 * then that page says it is not available, and why when a reason is given.
 * The Checks view reads its latency lines and uptime from it too. */
void        sm_server_page_set_history_reader (SmServerPage    *self,
                                               SmHistoryReader *reader);
void        sm_server_page_set_history_unavailable_reason (SmServerPage *self,
                                               const char      *reason);

/* The "Overview" / "History" / "Details" / "Checks" / "Alerts" stack, for a view switcher in the window's
 * header bar, and the bar at the bottom that takes over when narrow. */
AdwViewStack       *sm_server_page_get_view_stack   (SmServerPage   *self);
AdwViewSwitcherBar *sm_server_page_get_switcher_bar (SmServerPage   *self);

/* Records what the newest poll of server said about its host key (kept
 * per server id); the page shows a warning with "Trust This Key" for an
 * unknown key, which pins fingerprint on the server, saves it and polls
 * again, or an error for a changed one. */
void            sm_server_page_report_host_key    (SmServerPage   *self,
                                                   SmServer       *server,
                                                   SmHostKeyIssue  issue,
                                                   const char     *fingerprint);
SmHostKeyIssue  sm_server_page_get_host_key_issue (SmServerPage   *self,
                                                   SmServer       *server);

G_END_DECLS
