/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-preferences-window-private.h: accessors for the tests. */
#pragma once

#include "sm-alert-store.h"
#include "sm-preferences-window.h"
#include "sm-rules-list.h"

G_BEGIN_DECLS

AdwPreferencesPage *_sm_preferences_window_get_alerts_page   (SmPreferencesWindow *self);
SmRulesList        *_sm_preferences_window_get_rules_list    (SmPreferencesWindow *self);
/* Opens the quiet hours / maintenance window editor as "Add" does and
 * returns it; its "save" response stores the window. */
AdwMessageDialog   *_sm_preferences_window_add_window        (SmPreferencesWindow *self,
                                                              SmWindowKind         kind);
/* "start", "end" or "comment" of an editor. */
GtkEditable        *_sm_preferences_window_get_window_field  (AdwMessageDialog    *dialog,
                                                              const char          *field);
/* day 0 is Monday. */
GtkToggleButton    *_sm_preferences_window_get_window_day    (AdwMessageDialog    *dialog,
                                                              guint                day);
guint               _sm_preferences_window_get_n_channel_rows (SmPreferencesWindow *self);
guint               _sm_preferences_window_get_n_window_rows  (SmPreferencesWindow *self);

G_END_DECLS
