/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-preferences-window.h: defaults for new servers, credentials, storage. */
#pragma once

#include <adwaita.h>

#include "sm-alert-manager.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_PREFERENCES_WINDOW (sm_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (SmPreferencesWindow, sm_preferences_window, SM, PREFERENCES_WINDOW, AdwPreferencesWindow)

/*
 * settings: GSettings of schema com.example.StatusMonitor (the defaults are
 * bound to it). vault_error: why the vault could not be opened, or NULL; when
 * it is NULL and the store has no vault yet, the vault is still loading.
 */
SmPreferencesWindow *sm_preferences_window_new (GtkWindow    *parent,
                                                SmStore      *store,
                                                GSettings    *settings,
                                                const GError *vault_error);
/* The alerts pages (channels, quiet hours, maintenance, global rules) need
 * the manager; without one (tests may pass none) they are hidden. */
void                 sm_preferences_window_set_alert_manager (SmPreferencesWindow *self,
                                                              SmAlertManager      *manager);

G_END_DECLS
