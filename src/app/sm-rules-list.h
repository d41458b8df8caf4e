/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-rules-list.h: a boxed list of alert rules with "Add Rule". */
#pragma once

#include <adwaita.h>

#include "sm-alert-manager.h"
#include "sm-alert-rule.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_RULES_LIST (sm_rules_list_get_type ())
G_DECLARE_FINAL_TYPE (SmRulesList, sm_rules_list, SM, RULES_LIST, AdwPreferencesGroup)

/*
 * The rules of one server (server_id > 0) or the global ones (0: every
 * rule not scoped to a server), one row each with an enabled switch, Edit
 * and Delete; "Add Rule" opens SmRuleDialog for the same scope. Changes go
 * to the store, then sm_alert_manager_reload(); the list follows the
 * manager's ::changed. Without a store it is empty.
 */
GtkWidget  *sm_rules_list_new        (void);
void        sm_rules_list_set_source (SmRulesList    *self,
                                      SmStore        *store,
                                      SmAlertManager *manager);
void        sm_rules_list_set_server_id (SmRulesList *self,
                                         gint64       server_id);
gint64      sm_rules_list_get_server_id (SmRulesList *self);
/* Reads the rules from the store again. */
void        sm_rules_list_refresh    (SmRulesList    *self);

/* A readable summary: "CPU above 90 % for 5 min — critical". */
char       *sm_alert_rule_dup_summary (const SmAlertRule *rule);

G_END_DECLS
