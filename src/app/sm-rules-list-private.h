/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-rules-list-private.h: accessors for tests/test-alert-settings.c. */
#pragma once

#include "sm-rules-list.h"

G_BEGIN_DECLS

/* The rows shown, in order. */
guint         _sm_rules_list_get_n_rows   (SmRulesList *self);
/* The row of rule_id, or NULL. */
AdwActionRow *_sm_rules_list_get_row      (SmRulesList *self,
                                           const char  *rule_id);
GtkSwitch    *_sm_rules_list_get_switch   (SmRulesList *self,
                                           const char  *rule_id);
/* What confirming "Delete" does. */
gboolean      _sm_rules_list_delete_rule  (SmRulesList *self,
                                           const char  *rule_id);

G_END_DECLS
