/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-dialog.h: the "Add Server" / "Edit Server" dialog. */
#pragma once

#include <adwaita.h>

#include "sm-server.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_SERVER_DIALOG (sm_server_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SmServerDialog, sm_server_dialog, SM, SERVER_DIALOG, AdwWindow)

/*
 * server NULL: "Add Server"; otherwise "Edit Server" on a copy of server.
 * defaults (nullable GSettings of schema com.example.StatusMonitor) gives new
 * servers their port (default-port), interval (default-interval) and user
 * name (default-username; empty means g_get_user_name()).
 *
 * Signal "saved" (SmServer *server): emitted after sm_store_save_server()
 * succeeded, with a new object that carries the row id; then the dialog
 * closes.
 */
SmServerDialog *sm_server_dialog_new (GtkWindow *parent,
                                      SmStore   *store,
                                      SmServer  *server,
                                      GSettings *defaults);

G_END_DECLS
