/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-channel-dialog-private.h: accessors for tests/test-alert-settings.c. */
#pragma once

#include "sm-channel-dialog.h"

G_BEGIN_DECLS

/*
 * The widget that edits a field: "name", "type" (AdwComboRow), "enabled",
 * "default" (GtkSwitch), "bot_token", "chat_id", "api_base",
 * "attach_chart" (GtkSwitch), "url", "format" (AdwComboRow), "host",
 * "port", "security" (AdwComboRow), "username", "password", "from", "to",
 * "save", "test" (the Send button).
 */
GtkWidget  *_sm_channel_dialog_get_row         (SmChannelDialog *self,
                                                const char      *field);
/* The message below the field's group, NULL when none shows; with field
 * NULL the banner's message after a failed save. */
const char *_sm_channel_dialog_get_error       (SmChannelDialog *self,
                                                const char      *field);
/* The test's outcome as shown, and whether one runs. */
const char *_sm_channel_dialog_get_test_result (SmChannelDialog *self);
gboolean    _sm_channel_dialog_is_testing      (SmChannelDialog *self);
/* What choosing a file in the CA file chooser does. */
void        _sm_channel_dialog_set_ca_file     (SmChannelDialog *self,
                                                const char      *path);

G_END_DECLS
