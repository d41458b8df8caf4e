/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-rule-dialog.h: the "Add Rule" / "Edit Rule" dialog. */
#pragma once

#include <adwaita.h>

#include "sm-alert-manager.h"
#include "sm-alert-rule.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_RULE_DIALOG (sm_rule_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SmRuleDialog, sm_rule_dialog, SM, RULE_DIALOG, AdwWindow)

/*
 * rule NULL: "Add Rule"; otherwise "Edit Rule" on a copy of rule.
 * server_id > 0: the rule belongs to that server (its scope is fixed and
 * not shown); 0: the dialog offers all servers, a group or a tag.
 * manager (nullable) is reloaded after a save.
 *
 * Signal "saved" (const char *rule_id): emitted after sm_store_save_rule()
 * succeeded; then the dialog closes.
 */
SmRuleDialog *sm_rule_dialog_new (GtkWindow         *parent,
                                  SmStore           *store,
                                  SmAlertManager    *manager,
                                  const SmAlertRule *rule,
                                  gint64             server_id);

G_END_DECLS
