/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-log-tail.c: the remote command, the parser and the matcher for "log
 * patterns over SSH". See the header for the protocol.
 *
 * The command is one line wrapped in a subshell, so that it can be fed to
 * the session's persistent sh (its variables, `set --` and `exit` stay in
 * the subshell). It ends with an empty echo and "SMLOG-END", so the output
 * always ends with a newline whatever the file holds, and a reply cut
 * short is told from a complete one.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-log-tail.h"

#define END_MARK          "\nSMLOG-END"
#define MATCH_LINE_CHARS  500
#define PATTERN_SHOWN     60

char *
sm_log_tail_build_command (const char           *path,
                           const SmLogTailState *state,
                           gsize                 max_bytes)
{
  g_autofree char *quoted = NULL;
  const char *stat_part =
    "s=$(stat -L -c '%i %s' -- \"$f\" 2>&1) || { echo \"SMLOG-ERROR $s\"; exit 0; }; "
    "set -- $s; ";

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  if (max_bytes == 0)
    max_bytes = SM_LOG_TAIL_DEFAULT_MAX_BYTES;
  quoted = g_shell_quote (path);

  if (state == NULL || !state->initialised)
    return g_strconcat ("(f=", quoted, "; ", stat_part,
                        "echo \"SMLOG $1 $2 $2 0\"; echo; echo SMLOG-END)\n",
                        NULL);

  return g_strdup_printf ("(f=%s; %s"
                          "o=%" G_GUINT64_FORMAT "; "
                          "if [ \"$1\" != %" G_GUINT64_FORMAT " ] || [ \"$2\" -lt \"$o\" ]; then o=0; fi; "
                          "echo \"SMLOG $1 $2 $o %" G_GSIZE_FORMAT "\"; "
                          "tail -c +$((o + 1)) -- \"$f\" 2>/dev/null | head -c %" G_GSIZE_FORMAT "; "
                          "echo; echo SMLOG-END)\n",
                          quoted, stat_part, state->offset, state->inode,
                          max_bytes, max_bytes);
}

static char *
cut_chars (const char *text,
           glong       max_chars)
{
  if (g_utf8_strlen (text, -1) <= max_chars)
    return g_strdup (text);
  return g_utf8_substring (text, 0, max_chars);
}

static gboolean
parse_u64 (const char *text,
           guint64    *out_value)
{
  return g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, out_value, NULL);
}

static void
set_error (char       **out_error,
           const char  *message)
{
  if (out_error != NULL)
    *out_error = g_strdup (message);
}

/* A line (len bytes, no newline) as UTF-8, without a trailing CR, cut to
 * SM_LOG_TAIL_MAX_LINE_BYTES. */
static char *
make_line (const char *data,
           gsize       len)
{
  if (len > 0 && data[len - 1] == '\r')
    len--;
  return g_utf8_make_valid (data, MIN (len, SM_LOG_TAIL_MAX_LINE_BYTES));
}

gboolean
sm_log_tail_parse (const char      *output,
                   gsize            len,
                   SmLogTailState  *state,
                   GPtrArray       *out_lines,
                   char           **out_error)
{
  g_autofree char *header = NULL;
  g_auto(GStrv) fields = NULL;
  const char *newline;
  const char *data;
  gsize data_len;
  gsize consumed = 0;
  guint64 inode, size, start, max;

  g_return_val_if_fail (output != NULL || len == 0, FALSE);
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (out_lines != NULL, FALSE);

  if (out_error != NULL)
    *out_error = NULL;

  newline = len > 0 ? memchr (output, '\n', len) : NULL;
  if (newline == NULL)
    {
      set_error (out_error, _("the log command gave no answer"));
      return FALSE;
    }
  header = g_utf8_make_valid (output, MIN ((gsize) (newline - output), 4096));

  if (g_str_has_prefix (header, "SMLOG-ERROR "))
    {
      g_autofree char *cut = cut_chars (header + strlen ("SMLOG-ERROR "), 200);

      if (out_error != NULL)
        *out_error = g_strdup_printf (_("cannot read the log file: %s"), g_strstrip (cut));
      return FALSE;
    }

  fields = g_strsplit (header, " ", -1);
  if (g_strv_length (fields) != 5 || !g_str_equal (fields[0], "SMLOG") ||
      !parse_u64 (fields[1], &inode) || !parse_u64 (fields[2], &size) ||
      !parse_u64 (fields[3], &start) || !parse_u64 (fields[4], &max))
    {
      set_error (out_error, _("unexpected answer from the log command"));
      return FALSE;
    }

  data = newline + 1;
  data_len = len - (data - output);
  /* The trailer "\nSMLOG-END" with or without its newline. */
  if (data_len > 0 && data[data_len - 1] == '\n')
    data_len--;
  if (data_len < strlen (END_MARK) ||
      memcmp (data + data_len - strlen (END_MARK), END_MARK, strlen (END_MARK)) != 0)
    {
      set_error (out_error, _("the log command's answer was cut short"));
      return FALSE;
    }
  data_len -= strlen (END_MARK);

  if (!state->initialised)
    {
      /* First poll: start at the end, old lines are not counted. */
      state->inode = inode;
      state->offset = size;
      state->initialised = TRUE;
      return TRUE;
    }

  for (guint n_lines = 0; consumed < data_len && n_lines < SM_LOG_TAIL_MAX_LINES; n_lines++)
    {
      const char *line = data + consumed;
      const char *end = memchr (line, '\n', data_len - consumed);

      if (end == NULL)
        break;
      g_ptr_array_add (out_lines, make_line (line, end - line));
      consumed = (end - data) + 1;
    }

  /* A chunk filled to max without any newline is one very long line:
   * take it (split), or the state would never move on. */
  if (consumed == 0 && data_len > 0 && max > 0 && data_len >= max)
    {
      g_ptr_array_add (out_lines, make_line (data, data_len));
      consumed = data_len;
    }

  state->inode = inode;
  state->offset = start + consumed;
  state->initialised = TRUE;
  return TRUE;
}

char *
sm_log_tail_validate_patterns (const char * const *patterns)
{
  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    {
      g_autoptr(GRegex) regex = NULL;
      g_autoptr(GError) error = NULL;

      if (*patterns[i] == '\0')
        return g_strdup_printf (_("patterns[%u]: empty pattern"), i);
      regex = g_regex_new (patterns[i], 0, 0, &error);
      if (regex == NULL)
        return g_strdup_printf ("patterns[%u]: %s", i, error->message);
    }
  return NULL;
}

SmCheckResult *
sm_log_tail_match (GPtrArray          *lines,
                   const char * const *patterns,
                   guint               keep_last)
{
  g_autoptr(GPtrArray) regexes = NULL;
  g_autoptr(GQueue) kept = NULL;
  g_autofree gboolean *used = NULL;
  g_autofree char *invalid = NULL;
  SmCheckResult *result;
  guint n_patterns;
  guint matches = 0;

  g_return_val_if_fail (lines != NULL, NULL);

  invalid = sm_log_tail_validate_patterns (patterns);
  if (invalid != NULL)
    {
      result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, invalid);
      return result;
    }

  n_patterns = patterns != NULL ? g_strv_length ((char **) patterns) : 0;
  regexes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_regex_unref);
  for (guint i = 0; i < n_patterns; i++)
    g_ptr_array_add (regexes, g_regex_new (patterns[i], G_REGEX_OPTIMIZE, 0, NULL));
  used = g_new0 (gboolean, MAX (n_patterns, 1));
  kept = g_queue_new ();

  for (guint l = 0; l < lines->len; l++)
    {
      const char *line = g_ptr_array_index (lines, l);
      gboolean hit = FALSE;

      if (line == NULL || !g_utf8_validate (line, -1, NULL))
        continue;
      for (guint i = 0; i < n_patterns; i++)
        if (g_regex_match (g_ptr_array_index (regexes, i), line, 0, NULL))
          {
            used[i] = TRUE;
            hit = TRUE;
          }
      if (!hit)
        continue;
      matches++;
      if (keep_last == 0)
        continue;
      g_queue_push_tail (kept, cut_chars (line, MATCH_LINE_CHARS));
      if (g_queue_get_length (kept) > keep_last)
        g_free (g_queue_pop_head (kept));
    }

  if (matches == 0)
    result = sm_check_result_new (SM_CHECK_STATUS_UP, NULL);
  else
    {
      g_autoptr(GString) which = g_string_new (NULL);

      for (guint i = 0; i < n_patterns; i++)
        {
          g_autofree char *shown = NULL;

          if (!used[i])
            continue;
          shown = cut_chars (patterns[i], PATTERN_SHOWN);
          if (which->len > 0)
            g_string_append (which, ", ");
          g_string_append_printf (which, "'%s'", shown);
        }
      result = sm_check_result_new (SM_CHECK_STATUS_DOWN, NULL);
      /* Translators: "3 matches of 'error', 'panic'": the count, then the
       * patterns that matched, quoted. */
      sm_check_result_set_reason (result,
                                  ngettext ("%u match of %s", "%u matches of %s", matches),
                                  matches, which->str);
    }

  sm_check_result_add_metric (result, "matches", matches, NULL);
  while (!g_queue_is_empty (kept))
    g_ptr_array_add (result->lines, g_queue_pop_head (kept));
  return result;
}
