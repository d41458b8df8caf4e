/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-settings.c: the app's GSettings, also for headless use. */
#include "config.h"

#include "sm-settings.h"

GSettings *
sm_settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

void
sm_settings_get_retention (GSettings   *settings,
                           SmRetention *out_retention)
{
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));
  g_return_if_fail (out_retention != NULL);

  sm_retention_init_default (out_retention);
  if (settings == NULL)
    return;
  out_retention->raw = (gint64) g_settings_get_uint (settings, "retention-raw-hours") * 3600;
  out_retention->minute = (gint64) g_settings_get_uint (settings, "retention-minute-days") * 86400;
  out_retention->hour = (gint64) g_settings_get_uint (settings, "retention-hour-days") * 86400;
}
