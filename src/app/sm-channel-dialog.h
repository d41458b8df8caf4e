/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-channel-dialog.h: the "Add Channel" / "Edit Channel" dialog. */
#pragma once

#include <adwaita.h>

#include "sm-alert-manager.h"
#include "sm-channel.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_CHANNEL_DIALOG (sm_channel_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SmChannelDialog, sm_channel_dialog, SM, CHANNEL_DIALOG, AdwWindow)

/*
 * channel NULL: "Add Channel"; otherwise "Edit Channel" on a copy. The
 * stored secret is never shown: its field stays empty ("Unchanged") and
 * keeps the stored one unless something is typed. manager (nullable)
 * sends "Send Test Message" and is reloaded after a save; without one the
 * test is hidden.
 *
 * Signal "saved" (const char *name): emitted after sm_store_save_channel()
 * succeeded; then the dialog closes.
 */
SmChannelDialog *sm_channel_dialog_new (GtkWindow       *parent,
                                        SmStore         *store,
                                        SmAlertManager  *manager,
                                        const SmChannel *channel);

G_END_DECLS
