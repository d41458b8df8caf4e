/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-dialog-private.h: accessors for the tests. */
#pragma once

#include "sm-check-dialog.h"

G_BEGIN_DECLS

/* The widget that edits member ("name", "interval", "timeout",
 * "enabled", "type", or a settings member such as "url" or "port"): an
 * AdwEntryRow, an AdwComboRow, a GtkSwitch or a GtkTextView. */
GtkWidget *_sm_check_dialog_get_field         (SmCheckDialog *self,
                                               const char    *member);
/* The inline message below the field's group ("" when none shows). */
const char *_sm_check_dialog_get_field_error  (SmCheckDialog *self,
                                               const char    *member);
GtkWidget *_sm_check_dialog_get_save_button   (SmCheckDialog *self);
/* The check as the fields describe it now (a new copy). */
SmCheck   *_sm_check_dialog_dup_check         (SmCheckDialog *self);
/* The heartbeat URL row (hidden without a stored token). */
AdwActionRow *_sm_check_dialog_get_heartbeat_row (SmCheckDialog *self);

G_END_DECLS
