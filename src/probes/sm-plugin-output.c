/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-plugin-output.c: monitoring plugin exit status, text and perfdata
 * into an SmCheckResult. Pure functions; see the header for the rules.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-plugin-output.h"

#define REASON_MAX_CHARS  200
#define LINE_MAX_CHARS    500
#define LABEL_MAX_BYTES   64
#define PATTERN_SHOWN     60

static const char * const known_uoms[] = {
  "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c",
};

char *
sm_plugin_perfdata_label_to_metric (const char *label)
{
  GString *name;
  gboolean in_run = FALSE;

  g_return_val_if_fail (label != NULL, NULL);

  name = g_string_new ("perf.");
  for (gsize i = 0; label[i] != '\0' && i < LABEL_MAX_BYTES; i++)
    {
      char c = label[i];

      if (g_ascii_isalnum (c) || c == '_' || c == '-' || c == '.')
        {
          g_string_append_c (name, c);
          in_run = FALSE;
        }
      else if (!in_run)
        {
          g_string_append_c (name, '_');
          in_run = TRUE;
        }
    }
  if (name->len == strlen ("perf."))
    g_string_append_c (name, '_');
  return g_string_free (name, FALSE);
}

/* A copy of text cut to at most max_chars characters (text is UTF-8). */
static char *
utf8_cut (const char *text,
          glong       max_chars)
{
  if (g_utf8_strlen (text, -1) <= max_chars)
    return g_strdup (text);
  return g_utf8_substring (text, 0, max_chars);
}

static char *
clean_line (const char *text,
            glong       max_chars)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));

  return utf8_cut (copy, max_chars);
}

/* A number as the plugin guidelines allow it: [-+]digits[.digits] or
 * [-+].digits. Sets *end past it. */
static gboolean
parse_number (const char  *text,
              double      *out_value,
              const char **end)
{
  const char *p = text;
  gboolean digits = FALSE;
  g_autofree char *copy = NULL;

  if (*p == '-' || *p == '+')
    p++;
  while (g_ascii_isdigit (*p))
    {
      p++;
      digits = TRUE;
    }
  if (*p == '.')
    {
      p++;
      while (g_ascii_isdigit (*p))
        {
          p++;
          digits = TRUE;
        }
    }
  if (!digits)
    return FALSE;
  copy = g_strndup (text, p - text);
  *out_value = g_ascii_strtod (copy, NULL);
  *end = p;
  return TRUE;
}

static gboolean
is_known_uom (const char *uom)
{
  if (*uom == '\0')
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (known_uoms); i++)
    if (g_str_equal (uom, known_uoms[i]))
      return TRUE;
  return FALSE;
}

/* A threshold range ("10", "10:", "~:10", "@5:9") or min/max value:
 * only the characters a range may hold. */
static gboolean
is_range_text (const char *text)
{
  if (*text == '\0' || strlen (text) > 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && strchr ("-+.:~@", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* One "value[UOM];warn;crit;min;max" for the label; FALSE when malformed
 * or unknown ("U"). */
static gboolean
add_perf_item (SmCheckResult *result,
               GHashTable    *seen,
               const char    *label,
               const char    *data)
{
  static const char * const field_names[] = { "warn", "crit", "min", "max" };
  g_auto(GStrv) fields = g_strsplit (data, ";", 6);
  g_autofree char *metric = NULL;
  const char *end = NULL;
  double value = 0;

  if (fields[0] == NULL || g_str_equal (fields[0], "U"))
    return FALSE;
  if (!parse_number (fields[0], &value, &end) || !is_known_uom (end))
    return FALSE;

  metric = sm_plugin_perfdata_label_to_metric (label);
  if (g_hash_table_contains (seen, metric))
    return FALSE;

  sm_check_result_add_metric (result, metric, value, *end != '\0' ? end : NULL);
  for (guint i = 0; i < G_N_ELEMENTS (field_names) && fields[i + 1] != NULL; i++)
    {
      g_autofree char *key = NULL;

      if (!is_range_text (fields[i + 1]))
        continue;
      key = g_strconcat (metric, ".", field_names[i], NULL);
      sm_check_result_add_detail (result, key, fields[i + 1]);
    }
  g_hash_table_add (seen, g_steal_pointer (&metric));
  return TRUE;
}

/* Reads every perfdata item of text (space separated). */
static void
parse_perfdata (SmCheckResult *result,
                GHashTable    *seen,
                guint         *n_items,
                const char    *text)
{
  const char *p = text;

  while (*p != '\0' && *n_items < SM_PLUGIN_OUTPUT_MAX_PERF)
    {
      g_autoptr(GString) label = g_string_new (NULL);
      g_autofree char *data = NULL;
      const char *start;
      gboolean ok = TRUE;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;

      if (*p == '\'')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  ok = FALSE;
                  break;
                }
              if (*p == '\'' && p[1] == '\'')
                {
                  g_string_append_c (label, '\'');
                  p += 2;
                  continue;
                }
              if (*p == '\'')
                {
                  p++;
                  break;
                }
              g_string_append_c (label, *p++);
            }
        }
      else
        {
          while (*p != '\0' && *p != '=' && !g_ascii_isspace (*p))
            g_string_append_c (label, *p++);
        }

      if (!ok)
        break;
      if (*p != '=' || label->len == 0)
        {
          /* Malformed: skip to the next item. */
          while (*p != '\0' && !g_ascii_isspace (*p))
            p++;
          continue;
        }
      p++;
      start = p;
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;
      data = g_strndup (start, p - start);
      if (add_perf_item (result, seen, label->str, data))
        (*n_items)++;
    }
}

static const char *
exit_status_text (int exit_status)
{
  switch (exit_status)
    {
    case 126:
      return _("command not executable");
    case 127:
      return _("command not found");
    default:
      return NULL;
    }
}

static char *
unusual_status_reason (int exit_status)
{
  const char *text = exit_status_text (exit_status);

  if (exit_status < 0)
    return g_strdup_printf (_("plugin was killed by signal %d"), -exit_status);
  if (text != NULL)
    return g_strdup_printf (_("plugin exited with status %d: %s"), exit_status, text);
  if (exit_status > 128 && exit_status < 128 + 65)
    return g_strdup_printf (_("plugin exited with status %d: killed by signal %d"),
                            exit_status, exit_status - 128);
  return g_strdup_printf (_("plugin exited with status %d"), exit_status);
}

SmCheckResult *
sm_plugin_output_parse (int          exit_status,
                        const char  *output,
                        gsize        len,
                        const char  *regex_or_null,
                        char       **out_error_for_bad_regex)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(SmCheckResult) result = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *reason = NULL;
  gboolean in_perfdata = FALSE;
  gboolean unusual = FALSE;
  guint n_items = 0;
  SmCheckStatus status;

  g_return_val_if_fail (output != NULL || len == 0, NULL);

  if (out_error_for_bad_regex != NULL)
    *out_error_for_bad_regex = NULL;

  if (regex_or_null != NULL && *regex_or_null != '\0')
    {
      g_autoptr(GError) error = NULL;

      regex = g_regex_new (regex_or_null, G_REGEX_MULTILINE, 0, &error);
      if (regex == NULL)
        {
          if (out_error_for_bad_regex != NULL)
            *out_error_for_bad_regex = g_strdup (error->message);
          return NULL;
        }
    }

  switch (exit_status)
    {
    case 0:
      status = SM_CHECK_STATUS_UP;
      break;
    case 1:
      status = SM_CHECK_STATUS_DEGRADED;
      break;
    case 2:
      status = SM_CHECK_STATUS_DOWN;
      break;
    case 3:
      status = SM_CHECK_STATUS_UNKNOWN;
      break;
    default:
      status = SM_CHECK_STATUS_UNKNOWN;
      unusual = TRUE;
      break;
    }

  result = sm_check_result_new (status, NULL);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  text = g_utf8_make_valid (output != NULL ? output : "",
                            MIN (len, (gsize) SM_PLUGIN_OUTPUT_MAX_BYTES));
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      char *bar;

      if (in_perfdata)
        {
          parse_perfdata (result, seen, &n_items, line);
          continue;
        }

      bar = strchr (line, '|');
      if (bar != NULL)
        *bar = '\0';

      if (i == 0)
        reason = clean_line (line, REASON_MAX_CHARS);
      else
        {
          g_autofree char *clean = clean_line (line, LINE_MAX_CHARS);

          if (*clean != '\0' && result->lines->len < SM_PLUGIN_OUTPUT_MAX_LINES)
            g_ptr_array_add (result->lines, g_steal_pointer (&clean));
        }

      if (bar != NULL)
        {
          parse_perfdata (result, seen, &n_items, bar + 1);
          /* In the long output, every line after a '|' is perfdata. */
          if (i > 0)
            in_perfdata = TRUE;
        }
    }

  if (unusual)
    {
      /* The text may be the shell's "sh: 1: foo: not found": keep it. */
      if (reason != NULL && *reason != '\0')
        {
          g_ptr_array_insert (result->lines, 0, g_steal_pointer (&reason));
          if (result->lines->len > SM_PLUGIN_OUTPUT_MAX_LINES)
            g_ptr_array_set_size (result->lines, SM_PLUGIN_OUTPUT_MAX_LINES);
        }
      g_free (reason);
      reason = unusual_status_reason (exit_status);
    }
  else if (reason == NULL || *reason == '\0')
    {
      g_clear_pointer (&reason, g_free);
      if (status == SM_CHECK_STATUS_DEGRADED)
        reason = g_strdup (_("plugin returned WARNING"));
      else if (status == SM_CHECK_STATUS_DOWN)
        reason = g_strdup (_("plugin returned CRITICAL"));
      else if (status == SM_CHECK_STATUS_UNKNOWN)
        reason = g_strdup (_("plugin returned UNKNOWN"));
    }

  if (regex != NULL && !g_regex_match (regex, text, 0, NULL))
    {
      /* A plugin's own DOWN or UNKNOWN explains more than the pattern. */
      if (status == SM_CHECK_STATUS_UP || status == SM_CHECK_STATUS_DEGRADED)
        {
          g_autofree char *shown = utf8_cut (regex_or_null, PATTERN_SHOWN);

          g_free (reason);
          reason = g_strdup_printf (_("output does not match '%s'"), shown);
        }
      status = SM_CHECK_STATUS_DOWN;
    }

  result->status = status;
  result->reason = g_steal_pointer (&reason);
  return g_steal_pointer (&result);
}
