/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-settings.h: the app's GSettings, also for headless use. */
#pragma once

#include <gio/gio.h>

#include "sm-history.h"

G_BEGIN_DECLS

/* The app's settings, or NULL when the schema is not installed (a
 * command-line run from a build tree): callers use the defaults then. */
GSettings *sm_settings_new_if_installed (void);
/* The history retention the settings ask for (defaults when settings is
 * NULL). */
void       sm_settings_get_retention    (GSettings   *settings,
                                         SmRetention *out_retention);

G_END_DECLS
