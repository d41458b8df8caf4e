/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-application.h: the application: options, actions, the store. */
#pragma once

#include <adwaita.h>

#include "sm-alert-manager.h"
#include "sm-scheduler.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_APPLICATION (sm_application_get_type ())
G_DECLARE_FINAL_TYPE (SmApplication, sm_application, SM, APPLICATION, AdwApplication)

/*
 * Single instance (com.example.StatusMonitor): a second launch presents the
 * first one's window. --import, --export, --list and --version run in the
 * launching process without a display (sm_cli_run()).
 *
 * App actions: app.quit (Ctrl+Q), app.preferences (Ctrl+,), app.about.
 */
SmApplication *sm_application_new             (void);
/* The open database, or NULL before the first activation or when it could
 * not be opened. */
SmStore       *sm_application_get_store       (SmApplication *self);
/* The key scripts send as X-API-Key to the heartbeat listener's /report
 * (made and stored encrypted the first time). NULL with an error when
 * there is no vault. Free with sm_secret_free. */
char          *sm_application_dup_report_key (SmApplication  *self,
                                              GError        **error);
/* The alert manager, or NULL before the store is open. */
SmAlertManager *sm_application_get_alert_manager (SmApplication *self);
/* The application's settings (schema com.example.StatusMonitor). */
GSettings     *sm_application_get_settings    (SmApplication *self);
/* Why the vault could not be opened, or NULL (also while it loads). */
const GError  *sm_application_get_vault_error (SmApplication *self);
/* TRUE while the vault is being opened on a worker thread. */
gboolean       sm_application_get_vault_loading (SmApplication *self);
/* The poll scheduler, or NULL until the vault has loaded (and in tests). */
SmScheduler   *sm_application_get_scheduler   (SmApplication *self);

G_END_DECLS
