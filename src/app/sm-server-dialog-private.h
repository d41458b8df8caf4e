/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-dialog-private.h: accessors for tests/test-server-dialog.c. */
#pragma once

#include "sm-server-dialog.h"

G_BEGIN_DECLS

/*
 * The widget that edits a field: "name", "host", "port", "username",
 * "auth-method" (AdwComboRow), "password", "key-file" (AdwActionRow),
 * "passphrase", "group", "tags", "parent" (AdwComboRow: "None", then every
 * other server as the store lists them), "interval" (GtkSpinButton), "enabled"
 * (GtkSwitch), "notes" (GtkTextView), "save" (the Add/Save button), "test"
 * ("Test Connection"), "test-cancel" (its Cancel), "trust" (trust the
 * host key the test was offered) or "timeout-connect", "timeout-handshake",
 * "timeout-auth", "timeout-command" (GtkSpinButton).
 */
GtkWidget  *_sm_server_dialog_get_row          (SmServerDialog *self,
                                                const char     *field);
/* The error label below the group of field (hidden when there is no error
 * to show), or with field NULL the label of the banner for save errors. */
GtkLabel   *_sm_server_dialog_get_error_label  (SmServerDialog *self,
                                                const char     *field);
/* The connection test's outcome as shown ("Connected. Debian…"). */
const char *_sm_server_dialog_get_test_result  (SmServerDialog *self);
/* TRUE while a connection test runs. */
gboolean    _sm_server_dialog_is_testing       (SmServerDialog *self);
/* The dialog's working copy of the server (its pin after "Trust"). */
SmServer   *_sm_server_dialog_get_working_copy (SmServerDialog *self);
/* What choosing a file in the file chooser does. */
void        _sm_server_dialog_set_key_file     (SmServerDialog *self,
                                                const char     *path);

G_END_DECLS
