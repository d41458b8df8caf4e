/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-dialog.h: the "Add Check" / "Edit Check" dialog. */
#pragma once

#include <adwaita.h>

#include "sm-check-scheduler.h"
#include "sm-check.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_CHECK_DIALOG (sm_check_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SmCheckDialog, sm_check_dialog, SM, CHECK_DIALOG, AdwWindow)

/*
 * check NULL: "Add Check" for the server server_id (the type can be
 * chosen); otherwise "Edit Check" on a copy of check (its type is fixed).
 * scheduler (nullable) rereads the server's checks after a save.
 *
 * Signal "saved" (gint64 check_id): emitted after sm_store_save_check()
 * succeeded; then the dialog closes.
 */
SmCheckDialog *sm_check_dialog_new (GtkWindow        *parent,
                                    SmStore          *store,
                                    SmCheckScheduler *scheduler,
                                    gint64            server_id,
                                    const SmCheck    *check);

G_END_DECLS
