/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-rule-dialog-private.h: accessors for tests/test-alert-settings.c. */
#pragma once

#include "sm-rule-dialog.h"

G_BEGIN_DECLS

/*
 * The widget that edits a field: "target" (AdwComboRow), "metric",
 * "op" (AdwComboRow), "threshold", "clear", "for", "severity"
 * (AdwComboRow), "retries" (GtkSpinButton), "repeat", "escalate",
 * "escalate-to" (AdwComboRow), "enabled" (GtkSwitch), "hours"
 * (AdwExpanderRow), "start", "end", "scope" (AdwComboRow), "scope-value",
 * "save" (the Add/Save button), or "channel:<name>" (GtkCheckButton).
 */
GtkWidget  *_sm_rule_dialog_get_row         (SmRuleDialog *self,
                                             const char   *field);
/* The message shown below the field's group, NULL when none shows; with
 * field NULL the banner's message after a failed save. */
const char *_sm_rule_dialog_get_error       (SmRuleDialog *self,
                                             const char   *field);
/* Index of target in the "Watch" combo ("cpu.percent"), or the custom
 * entry's index for any other. */
guint       _sm_rule_dialog_get_target_index (const char  *target);

G_END_DECLS
