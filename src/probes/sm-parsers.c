/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-parsers.c: the collector's pure parsers, one per section.
 *
 * Each parser copies its section into a NUL-terminated buffer, walks it a
 * line at a time (at most SM_PARSE_MAX_LINES) and splits lines into
 * whitespace-separated tokens that point into that buffer. Numbers are
 * parsed strictly; anything unexpected makes the parser return FALSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>

#include "sm-parsers.h"

#define MAX_TOKENS 32

typedef struct {
  const char *s;
  gsize       n;
} Tok;

/* Line walker over a NUL-terminated, writable copy. */
typedef struct {
  char  *next;
  guint  count;
} Lines;

static void
lines_init (Lines *lines,
            char  *buffer)
{
  lines->next = buffer;
  lines->count = 0;
}

/* The next line (without '\n' or a trailing '\r'), or NULL at the end or
 * past the line limit. */
static char *
lines_next (Lines *lines)
{
  char *line = lines->next;
  char *nl;
  gsize n;

  if (line == NULL || *line == '\0' || lines->count >= SM_PARSE_MAX_LINES)
    return NULL;
  nl = strchr (line, '\n');
  if (nl != NULL)
    {
      *nl = '\0';
      lines->next = nl + 1;
    }
  else
    lines->next = NULL;
  n = strlen (line);
  if (n > 0 && line[n - 1] == '\r')
    line[n - 1] = '\0';
  lines->count++;
  return line;
}

static guint
tokenize (const char *line,
          Tok        *toks,
          guint       max)
{
  guint n = 0;
  const char *p = line;

  while (*p != '\0' && n < max)
    {
      const char *start;

      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
      toks[n].s = start;
      toks[n].n = p - start;
      n++;
    }

  return n;
}

static gboolean
tok_eq (const Tok  *tok,
        const char *str)
{
  return strlen (str) == tok->n && memcmp (tok->s, str, tok->n) == 0;
}

static char *
tok_dup (const Tok *tok)
{
  return g_strndup (tok->s, tok->n);
}

static gboolean
parse_u64 (const char *s,
           gsize       n,
           guint64    *out)
{
  char buf[24];
  char *end = NULL;
  guint64 v;

  if (n == 0 || n >= sizeof buf)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  memcpy (buf, s, n);
  buf[n] = '\0';
  errno = 0;
  v = g_ascii_strtoull (buf, &end, 10);
  if (errno != 0 || end != buf + n)
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
tok_u64 (const Tok *tok,
         guint64   *out)
{
  return parse_u64 (tok->s, tok->n, out);
}

static gboolean
parse_double (const char *s,
              gsize       n,
              double     *out)
{
  char buf[48];
  char *end = NULL;
  double v;

  if (n == 0 || n >= sizeof buf)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (s[i]) && s[i] != '.' && s[i] != '-')
      return FALSE;
  memcpy (buf, s, n);
  buf[n] = '\0';
  v = g_ascii_strtod (buf, &end);
  if (end != buf + n || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
tok_double (const Tok *tok,
            double    *out)
{
  return parse_double (tok->s, tok->n, out);
}

static char *
copy_text (const char *text,
           gsize       len)
{
  if (text == NULL)
    return g_strdup ("");
  return g_strndup (text, MIN (len, (gsize) SM_PARSE_MAX_SECTION));
}

static char *
strip_dup (const char *s)
{
  return g_strstrip (g_strdup (s));
}

/* Splitter */

static void
section_free (SmSection *section)
{
  g_free (section->status);
  g_free (section);
}

static gboolean
is_section_name (const char *s,
                 gsize       n)
{
  if (n == 0 || n > 32)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && s[i] != '_')
      return FALSE;
  return TRUE;
}

static gboolean
has_prefix_n (const char *line,
              gsize       line_len,
              const char *prefix,
              gsize       prefix_len)
{
  return line_len >= prefix_len && memcmp (line, prefix, prefix_len) == 0;
}

GHashTable *
sm_parse_split (const char *marker,
                const char *output,
                gsize       len)
{
  GHashTable *sections = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                g_free, (GDestroyNotify) section_free);
  g_autofree char *sec_prefix = NULL;
  g_autofree char *status_prefix = NULL;
  g_autofree char *end_line = NULL;
  gsize sec_prefix_len, status_prefix_len, end_len;
  SmSection *current = NULL;
  gboolean current_first_line = FALSE;
  gsize pos = 0;

  if (marker == NULL || *marker == '\0' || output == NULL)
    return sections;

  sec_prefix = g_strconcat (marker, " section ", NULL);
  status_prefix = g_strconcat (marker, " status ", NULL);
  end_line = g_strconcat (marker, " end", NULL);
  sec_prefix_len = strlen (sec_prefix);
  status_prefix_len = strlen (status_prefix);
  end_len = strlen (end_line);

  while (pos < len)
    {
      const char *line = output + pos;
      const char *nl = memchr (line, '\n', len - pos);
      gsize line_len = nl != NULL ? (gsize) (nl - line) : len - pos;
      gsize next = pos + line_len + (nl != NULL ? 1 : 0);
      gsize content_len = line_len;

      if (content_len > 0 && line[content_len - 1] == '\r')
        content_len--;

      if (content_len == end_len && memcmp (line, end_line, end_len) == 0)
        break;

      if (has_prefix_n (line, content_len, sec_prefix, sec_prefix_len) &&
          is_section_name (line + sec_prefix_len, content_len - sec_prefix_len))
        {
          char *name = g_strndup (line + sec_prefix_len, content_len - sec_prefix_len);

          current = NULL;
          if (!g_hash_table_contains (sections, name) &&
              g_hash_table_size (sections) < SM_PARSE_MAX_SECTIONS)
            {
              current = g_new0 (SmSection, 1);
              current->text = output + next;
              current->len = 0;
              current_first_line = TRUE;
              g_hash_table_insert (sections, name, current);
            }
          else
            g_free (name);
          pos = next;
          continue;
        }

      if (current != NULL)
        {
          /* A status line is only recognised as a section's first line. */
          if (current_first_line &&
              has_prefix_n (line, content_len, status_prefix, status_prefix_len) &&
              content_len > status_prefix_len &&
              content_len - status_prefix_len <= 32)
            {
              current->status = g_strndup (line + status_prefix_len,
                                           content_len - status_prefix_len);
              current->text = output + next;
            }
          else
            current->len = next - (gsize) (current->text - output);
          current_first_line = FALSE;
        }

      pos = next;
    }

  return sections;
}

gboolean
sm_parse_text_ok (const char *text,
                  gsize       len)
{
  if (len > SM_PARSE_MAX_SECTION)
    return FALSE;
  if (len == 0)
    return TRUE;
  if (memchr (text, '\0', len) != NULL)
    return FALSE;
  return g_utf8_validate_len (text, len, NULL);
}

/* /proc/stat */

gboolean
sm_parse_stat (const char *text,
               gsize       len,
               SmCpuTimes *times)
{
  g_autofree char *copy = copy_text (text, len);
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[MAX_TOKENS];
      guint n = tokenize (line, t, G_N_ELEMENTS (t));
      guint64 v[8] = { 0, };

      if (n == 0 || !tok_eq (&t[0], "cpu"))
        continue;
      /* Old kernels have 4 fields (no iowait, irq, softirq, steal). */
      if (n < 5)
        return FALSE;
      for (guint i = 0; i < 8 && i + 1 < n; i++)
        if (!tok_u64 (&t[i + 1], &v[i]))
          return FALSE;
      times->user = v[0];
      times->nice = v[1];
      times->system = v[2];
      times->idle = v[3];
      times->iowait = v[4];
      times->irq = v[5];
      times->softirq = v[6];
      times->steal = v[7];
      return TRUE;
    }

  return FALSE;
}

/* Guest time is already part of user and nice, so it is not added. */
static guint64
cpu_total (const SmCpuTimes *t)
{
  return t->user + t->nice + t->system + t->idle + t->iowait +
         t->irq + t->softirq + t->steal;
}

static double
counter_delta (guint64 before,
               guint64 after)
{
  return after > before ? (double) (after - before) : 0.0;
}

gboolean
sm_cpu_rates (const SmCpuTimes *prev,
              const SmCpuTimes *cur,
              SmPollResult     *result)
{
  double total, idle, user, system, iowait, steal;

  /* A reboot resets the counters: no rate this time. */
  if (cpu_total (cur) <= cpu_total (prev))
    return FALSE;

  /* Single counters may step back a little (Linux documents it for
   * iowait, and idle does it on some virtual machines): such a field
   * counts as 0 for this interval instead of dropping the whole rate. */
  idle = counter_delta (prev->idle, cur->idle);
  iowait = counter_delta (prev->iowait, cur->iowait);
  user = counter_delta (prev->user, cur->user) + counter_delta (prev->nice, cur->nice);
  system = counter_delta (prev->system, cur->system) +
           counter_delta (prev->irq, cur->irq) +
           counter_delta (prev->softirq, cur->softirq);
  steal = counter_delta (prev->steal, cur->steal);
  total = idle + iowait + user + system + steal;
  if (total <= 0)
    return FALSE;

  sm_poll_result_add_metric (result, "cpu.percent",
                             CLAMP (100.0 * (total - idle - iowait) / total, 0.0, 100.0));
  sm_poll_result_add_metric (result, "cpu.user", 100.0 * user / total);
  sm_poll_result_add_metric (result, "cpu.system", 100.0 * system / total);
  sm_poll_result_add_metric (result, "cpu.iowait", 100.0 * iowait / total);
  sm_poll_result_add_metric (result, "cpu.steal", 100.0 * steal / total);
  return TRUE;
}

/* /proc/uptime and /proc/loadavg */

gboolean
sm_parse_uptime (const char *text,
                 gsize       len,
                 double     *seconds)
{
  g_autofree char *copy = copy_text (text, len);
  Lines lines;
  char *line;
  Tok t[4];

  lines_init (&lines, copy);
  line = lines_next (&lines);
  if (line == NULL || tokenize (line, t, G_N_ELEMENTS (t)) < 1)
    return FALSE;
  if (!tok_double (&t[0], seconds) || *seconds < 0)
    return FALSE;
  return TRUE;
}

gboolean
sm_parse_loadavg (const char   *text,
                  gsize         len,
                  SmPollResult *result)
{
  g_autofree char *copy = copy_text (text, len);
  Lines lines;
  char *line;
  Tok t[8];
  double l1, l5, l15;
  const char *slash;
  guint64 total;

  lines_init (&lines, copy);
  line = lines_next (&lines);
  if (line == NULL || tokenize (line, t, G_N_ELEMENTS (t)) < 4)
    return FALSE;
  if (!tok_double (&t[0], &l1) || !tok_double (&t[1], &l5) ||
      !tok_double (&t[2], &l15) || l1 < 0 || l5 < 0 || l15 < 0)
    return FALSE;
  /* "running/total" scheduling entities. */
  slash = memchr (t[3].s, '/', t[3].n);
  if (slash == NULL ||
      !parse_u64 (slash + 1, t[3].n - (slash + 1 - t[3].s), &total))
    return FALSE;

  sm_poll_result_add_metric (result, "load.1", l1);
  sm_poll_result_add_metric (result, "load.5", l5);
  sm_poll_result_add_metric (result, "load.15", l15);
  sm_poll_result_add_metric (result, "procs.count", (double) total);
  return TRUE;
}

/* /proc/meminfo */

gboolean
sm_parse_meminfo (const char   *text,
                  gsize         len,
                  SmPollResult *result,
                  guint64      *mem_total)
{
  g_autofree char *copy = copy_text (text, len);
  Lines lines;
  char *line;
  guint64 total = 0, avail = 0, mfree = 0, buffers = 0, cached = 0;
  guint64 swap_total = 0, swap_free = 0;
  gboolean have_total = FALSE, have_avail = FALSE, have_free = FALSE;
  gboolean have_swap = FALSE;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[4];
      guint n = tokenize (line, t, G_N_ELEMENTS (t));
      guint64 v;

      if (n < 2 || t[0].n < 2 || t[0].s[t[0].n - 1] != ':')
        continue;
      if (!tok_u64 (&t[1], &v))
        return FALSE;
      /* Values are in KiB ("kB"); refuse what would overflow as bytes. */
      if (v > G_MAXUINT64 / 1024)
        return FALSE;
      v *= 1024;
      if (tok_eq (&t[0], "MemTotal:"))
        total = v, have_total = TRUE;
      else if (tok_eq (&t[0], "MemAvailable:"))
        avail = v, have_avail = TRUE;
      else if (tok_eq (&t[0], "MemFree:"))
        mfree = v, have_free = TRUE;
      else if (tok_eq (&t[0], "Buffers:"))
        buffers = v;
      else if (tok_eq (&t[0], "Cached:"))
        cached = v;
      else if (tok_eq (&t[0], "SwapTotal:"))
        swap_total = v, have_swap = TRUE;
      else if (tok_eq (&t[0], "SwapFree:"))
        swap_free = v;
    }

  if (!have_total || total == 0)
    return FALSE;
  /* Kernels before 3.14 have no MemAvailable. */
  if (!have_avail)
    {
      if (!have_free)
        return FALSE;
      avail = mfree + buffers + cached;
    }
  avail = MIN (avail, total);

  sm_poll_result_add_metric (result, "mem.total", (double) total);
  sm_poll_result_add_metric (result, "mem.available", (double) avail);
  sm_poll_result_add_metric (result, "mem.used", (double) (total - avail));
  sm_poll_result_add_metric (result, "mem.used_percent",
                             100.0 * (double) (total - avail) / (double) total);
  if (have_swap)
    {
      guint64 used = swap_total - MIN (swap_free, swap_total);

      sm_poll_result_add_metric (result, "swap.total", (double) swap_total);
      sm_poll_result_add_metric (result, "swap.used", (double) used);
      sm_poll_result_add_metric (result, "swap.used_percent",
                                 swap_total > 0 ? 100.0 * (double) used / (double) swap_total : 0.0);
    }
  if (mem_total != NULL)
    *mem_total = total;
  return TRUE;
}

/* Mounts and df */

/* /proc/mounts escapes space, tab, newline and backslash as \ooo. */
static char *
unescape_octal (const char *s,
                gsize       n)
{
  GString *out = g_string_sized_new (n);

  for (gsize i = 0; i < n; i++)
    {
      if (s[i] == '\\' && i + 3 < n &&
          s[i + 1] >= '0' && s[i + 1] <= '3' &&
          s[i + 2] >= '0' && s[i + 2] <= '7' &&
          s[i + 3] >= '0' && s[i + 3] <= '7')
        {
          char c = (char) (((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));

          if (c != '\0')
            g_string_append_c (out, c);
          i += 3;
        }
      else
        g_string_append_c (out, s[i]);
    }

  return g_string_free (out, FALSE);
}

GHashTable *
sm_parse_mounts (const char *text,
                 gsize       len)
{
  g_autofree char *copy = copy_text (text, len);
  GHashTable *types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL &&
         g_hash_table_size (types) < SM_PARSE_MAX_ITEMS)
    {
      Tok t[6];

      if (tokenize (line, t, G_N_ELEMENTS (t)) < 3)
        continue;
      /* The last mount on a path is the one that is visible. */
      g_hash_table_replace (types, unescape_octal (t[1].s, t[1].n), tok_dup (&t[2]));
    }

  return types;
}

gboolean
sm_fs_type_is_pseudo (const char *fstype)
{
  static const char * const pseudo[] = {
    "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs",
    "debugfs", "devpts", "devtmpfs", "efivarfs", "fusectl", "hugetlbfs",
    "mqueue", "nsfs", "overlay", "proc", "pstore", "ramfs", "rpc_pipefs",
    "securityfs", "selinuxfs", "squashfs", "sysfs", "tmpfs", "tracefs",
    "fuse.lxcfs", "fuse.gvfsd-fuse", "fuse.portal", "fuse.snapfuse",
    "nfsd", "none", "shm", "udev", "aufs", "iso9660",
  };

  if (fstype == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (pseudo); i++)
    if (strcmp (fstype, pseudo[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_capacity (const Tok *tok)
{
  guint64 v;

  if (tok_eq (tok, "-"))
    return TRUE;
  return tok->n >= 2 && tok->s[tok->n - 1] == '%' && parse_u64 (tok->s, tok->n - 1, &v);
}

static gboolean
is_dash_or_u64 (const Tok *tok,
                guint64   *v)
{
  *v = 0;
  return tok_eq (tok, "-") || tok_u64 (tok, v);
}

gboolean
sm_parse_df (const char   *text,
             gsize         len,
             GHashTable   *fstypes,
             gboolean      inodes,
             SmPollResult *result)
{
  g_autofree char *copy = copy_text (text, len);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Lines lines;
  char *line;
  gboolean header = FALSE;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[MAX_TOKENS];
      guint n = tokenize (line, t, G_N_ELEMENTS (t));
      guint64 total, used, avail;
      g_autofree char *fs = NULL;
      g_autofree char *mount = NULL;
      g_autofree char *key = NULL;
      const char *fstype;
      guint i;

      if (n == 0)
        continue;
      if (!header)
        {
          if (!tok_eq (&t[0], "Filesystem"))
            return FALSE;
          header = TRUE;
          continue;
        }
      /* Filesystem [with spaces] N N N P% mount [with spaces]: find the
       * first run of three numbers and a capacity. */
      for (i = 1; i + 4 < n; i++)
        if (is_dash_or_u64 (&t[i], &total) && is_dash_or_u64 (&t[i + 1], &used) &&
            is_dash_or_u64 (&t[i + 2], &avail) && is_capacity (&t[i + 3]))
          break;
      if (i + 4 >= n)
        {
          /* GNU df wraps a long device name onto its own line without -P;
           * with -P this does not happen, so a short line is skipped. */
          continue;
        }

      fs = g_strndup (t[0].s, t[i - 1].s + t[i - 1].n - t[0].s);
      mount = g_strdup (t[i + 4].s);
      g_strchomp (mount);
      if (g_hash_table_size (seen) >= SM_PARSE_MAX_ITEMS)
        break;
      if (!g_hash_table_add (seen, g_strdup (mount)))
        continue;

      fstype = fstypes != NULL ? g_hash_table_lookup (fstypes, mount) : NULL;
      if (sm_fs_type_is_pseudo (fstype) || sm_fs_type_is_pseudo (fs))
        continue;
      if (mount[0] != '/' || total == 0 || used + avail == 0)
        continue;

      if (inodes)
        {
          key = g_strdup_printf ("disk.%s.inodes_used_percent", mount);
          sm_poll_result_add_metric (result, key, 100.0 * (double) used / (double) (used + avail));
        }
      else
        {
          if (total > G_MAXUINT64 / 1024 || used > G_MAXUINT64 / 1024)
            continue;
          key = g_strdup_printf ("disk.%s.used_percent", mount);
          sm_poll_result_add_metric (result, key, 100.0 * (double) used / (double) (used + avail));
          g_free (key);
          key = g_strdup_printf ("disk.%s.total", mount);
          sm_poll_result_add_metric (result, key, (double) total * 1024.0);
          g_free (key);
          key = g_strdup_printf ("disk.%s.used", mount);
          sm_poll_result_add_metric (result, key, (double) used * 1024.0);
        }
    }

  return header;
}

/* Counters: /proc/net/dev and /proc/diskstats */

static GHashTable *
counters_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

GHashTable *
sm_parse_netdev (const char *text,
                 gsize       len)
{
  g_autofree char *copy = copy_text (text, len);
  g_autoptr(GHashTable) table = counters_new ();
  Lines lines;
  char *line;
  gboolean header = FALSE;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[MAX_TOKENS];
      char *colon = strchr (line, ':');
      g_autofree char *iface = NULL;
      SmCounters *c;
      guint n;

      if (strchr (line, '|') != NULL)
        {
          header = TRUE;
          continue;
        }
      if (colon == NULL)
        return NULL;
      *colon = '\0';
      iface = strip_dup (line);
      /* "iface: rx_bytes packets errs drop fifo frame compressed multicast
       *  tx_bytes ..." */
      n = tokenize (colon + 1, t, G_N_ELEMENTS (t));
      if (*iface == '\0' || n < 16)
        return NULL;
      c = g_new0 (SmCounters, 1);
      if (!tok_u64 (&t[0], &c->a) || !tok_u64 (&t[8], &c->b))
        {
          g_free (c);
          return NULL;
        }
      if (strcmp (iface, "lo") == 0 || g_hash_table_size (table) >= SM_PARSE_MAX_ITEMS)
        {
          g_free (c);
          continue;
        }
      g_hash_table_replace (table, g_steal_pointer (&iface), c);
    }

  if (!header)
    return NULL;
  return g_steal_pointer (&table);
}

GHashTable *
sm_parse_name_set (const char *text,
                   gsize       len)
{
  g_autofree char *copy = copy_text (text, len);
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL && g_hash_table_size (set) < SM_PARSE_MAX_ITEMS)
    {
      g_autofree char *name = strip_dup (line);

      if (*name != '\0' && strcmp (name, "*") != 0)
        g_hash_table_add (set, g_steal_pointer (&name));
    }

  return set;
}

static gboolean
has_prefix_then_digit (const char *name,
                       const char *prefix)
{
  gsize n = strlen (prefix);

  return strncmp (name, prefix, n) == 0 && g_ascii_isdigit (name[n]);
}

/* Loop, RAM disks, zram swap, device mapper and md (built on other disks,
 * so counting them twice), optical and floppy drives. */
static gboolean
is_virtual_block (const char *name)
{
  return has_prefix_then_digit (name, "loop") || has_prefix_then_digit (name, "ram") ||
         has_prefix_then_digit (name, "zram") || g_str_has_prefix (name, "dm-") ||
         has_prefix_then_digit (name, "md") || has_prefix_then_digit (name, "sr") ||
         has_prefix_then_digit (name, "fd");
}

/* Without /sys/block: sda1, vdb2, xvda1, nvme0n1p1, mmcblk0p1 are
 * partitions; sda, nvme0n1, mmcblk0 are disks. */
static gboolean
looks_like_partition (const char *name)
{
  gsize n = strlen (name);
  const char *p;

  if (n == 0 || !g_ascii_isdigit (name[n - 1]))
    return FALSE;
  if (g_str_has_prefix (name, "nvme") || g_str_has_prefix (name, "mmcblk"))
    {
      p = strrchr (name, 'p');
      return p != NULL && p > name + 4 && g_ascii_isdigit (p[-1]) && g_ascii_isdigit (p[1]);
    }
  return TRUE;
}

static gboolean
is_whole_disk (const char *name,
               GHashTable *blockdevs)
{
  if (is_virtual_block (name))
    return FALSE;
  if (blockdevs != NULL && g_hash_table_size (blockdevs) > 0)
    return g_hash_table_contains (blockdevs, name);
  return !looks_like_partition (name);
}

GHashTable *
sm_parse_diskstats (const char *text,
                    gsize       len,
                    GHashTable *blockdevs)
{
  g_autofree char *copy = copy_text (text, len);
  g_autoptr(GHashTable) table = counters_new ();
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[MAX_TOKENS];
      guint n = tokenize (line, t, G_N_ELEMENTS (t));
      g_autofree char *name = NULL;
      guint64 rd, wr;
      SmCounters *c;

      if (n == 0)
        continue;
      /* major minor name reads merged sectors_read ms writes merged
       * sectors_written ...: 14 fields, more on newer kernels. */
      if (n < 14 || !tok_u64 (&t[5], &rd) || !tok_u64 (&t[9], &wr))
        return NULL;
      name = tok_dup (&t[2]);
      if (!is_whole_disk (name, blockdevs) || g_hash_table_size (table) >= SM_PARSE_MAX_ITEMS)
        continue;
      if (rd > G_MAXUINT64 / 512 || wr > G_MAXUINT64 / 512)
        return NULL;
      c = g_new0 (SmCounters, 1);
      c->a = rd * 512;
      c->b = wr * 512;
      g_hash_table_replace (table, g_steal_pointer (&name), c);
    }

  return g_steal_pointer (&table);
}

void
sm_counter_rates (GHashTable   *prev,
                  GHashTable   *cur,
                  double        seconds,
                  const char   *prefix,
                  const char   *suffix_a,
                  const char   *suffix_b,
                  SmPollResult *result)
{
  GHashTableIter iter;
  gpointer key, value;

  if (prev == NULL || cur == NULL || !(seconds > 0))
    return;

  g_hash_table_iter_init (&iter, cur);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const SmCounters *now = value;
      const SmCounters *before = g_hash_table_lookup (prev, key);
      g_autofree char *name_a = NULL;
      g_autofree char *name_b = NULL;

      if (before == NULL || now->a < before->a || now->b < before->b)
        continue;
      name_a = g_strdup_printf ("%s.%s.%s", prefix, (const char *) key, suffix_a);
      name_b = g_strdup_printf ("%s.%s.%s", prefix, (const char *) key, suffix_b);
      sm_poll_result_add_metric (result, name_a, (double) (now->a - before->a) / seconds);
      sm_poll_result_add_metric (result, name_b, (double) (now->b - before->b) / seconds);
    }
}

/* ps */

/* busybox prints large sizes as "12m", "3g" (KiB units otherwise). */
static gboolean
parse_size_kib (const Tok *tok,
                guint64   *bytes)
{
  guint64 v, mult = 1024;
  gsize n = tok->n;

  if (n >= 2)
    {
      switch (tok->s[n - 1])
        {
        case 'k': mult = 1024; n--; break;
        case 'm': mult = 1024 * 1024; n--; break;
        case 'g': mult = 1024 * 1024 * 1024; n--; break;
        case 't': mult = G_GUINT64_CONSTANT (1024) * 1024 * 1024 * 1024; n--; break;
        default: break;
        }
    }
  if (!parse_u64 (tok->s, n, &v) || v > G_MAXUINT64 / mult)
    return FALSE;
  *bytes = v * mult;
  return TRUE;
}

static gint
by_cpu (gconstpointer a,
        gconstpointer b)
{
  const SmProcess *pa = *(SmProcess * const *) a;
  const SmProcess *pb = *(SmProcess * const *) b;

  if (pa->cpu_percent != pb->cpu_percent)
    return pa->cpu_percent < pb->cpu_percent ? 1 : -1;
  return pa->pid < pb->pid ? -1 : pa->pid > pb->pid;
}

static gint
by_mem (gconstpointer a,
        gconstpointer b)
{
  const SmProcess *pa = *(SmProcess * const *) a;
  const SmProcess *pb = *(SmProcess * const *) b;

  if (pa->rss_bytes != pb->rss_bytes)
    return pa->rss_bytes < pb->rss_bytes ? 1 : -1;
  return pa->pid < pb->pid ? -1 : pa->pid > pb->pid;
}

SmProcess *
sm_process_copy (const SmProcess *p)
{
  SmProcess *copy = g_memdup2 (p, sizeof *p);

  copy->user = g_strdup (p->user);
  copy->command = g_strdup (p->command);
  return copy;
}

gboolean
sm_parse_ps (const char   *text,
             gsize         len,
             guint64       mem_total,
             SmPollResult *result)
{
  g_autofree char *copy = copy_text (text, len);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_process_free);
  Lines lines;
  char *line;
  int col_pid = -1, col_user = -1, col_cpu = -1, col_mem = -1, col_rss = -1, col_cmd = -1;
  guint ncols = 0;

  lines_init (&lines, copy);
  line = lines_next (&lines);
  if (line == NULL)
    return FALSE;
  {
    Tok t[8];

    ncols = tokenize (line, t, G_N_ELEMENTS (t));
    for (guint i = 0; i < ncols; i++)
      {
        if (tok_eq (&t[i], "PID"))
          col_pid = i;
        else if (tok_eq (&t[i], "USER"))
          col_user = i;
        else if (tok_eq (&t[i], "%CPU"))
          col_cpu = i;
        else if (tok_eq (&t[i], "%MEM"))
          col_mem = i;
        else if (tok_eq (&t[i], "RSS"))
          col_rss = i;
        else if (tok_eq (&t[i], "COMMAND") || tok_eq (&t[i], "CMD"))
          col_cmd = i;
      }
    /* The command is last: it may hold spaces. */
    if (col_pid < 0 || col_rss < 0 || col_cmd != (int) ncols - 1)
      return FALSE;
  }

  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[8];
      guint n = tokenize (line, t, G_N_ELEMENTS (t));
      g_autoptr(SmProcess) p = NULL;
      guint64 pid;
      const char *cmd;

      if (n == 0)
        continue;
      /* A command that is empty after the columns is still a process. */
      if (n < ncols - 1)
        return FALSE;
      p = g_new0 (SmProcess, 1);
      p->cpu_percent = NAN;
      p->mem_percent = NAN;
      if (!tok_u64 (&t[col_pid], &pid) || pid > G_MAXUINT ||
          !parse_size_kib (&t[col_rss], &p->rss_bytes))
        return FALSE;
      p->pid = (guint) pid;
      if (col_cpu >= 0 && !tok_double (&t[col_cpu], &p->cpu_percent))
        return FALSE;
      if (col_mem >= 0 && !tok_double (&t[col_mem], &p->mem_percent))
        return FALSE;
      if (col_mem < 0 && mem_total > 0)
        p->mem_percent = 100.0 * (double) p->rss_bytes / (double) mem_total;
      if (col_user >= 0)
        p->user = tok_dup (&t[col_user]);
      cmd = n >= ncols ? t[ncols - 1].s : "";
      p->command = g_strchomp (g_strdup (cmd));
      g_ptr_array_add (all, g_steal_pointer (&p));
    }

  /* ps lists at least itself: a header alone is a failed listing. */
  if (all->len == 0)
    return FALSE;
  g_ptr_array_set_size (result->top_cpu, 0);
  g_ptr_array_set_size (result->top_mem, 0);
  if (col_cpu >= 0)
    {
      g_ptr_array_sort (all, by_cpu);
      for (guint i = 0; i < all->len && i < 5; i++)
        g_ptr_array_add (result->top_cpu, sm_process_copy (g_ptr_array_index (all, i)));
    }
  g_ptr_array_sort (all, by_mem);
  for (guint i = 0; i < all->len && i < 5; i++)
    g_ptr_array_add (result->top_mem, sm_process_copy (g_ptr_array_index (all, i)));
  return TRUE;
}

/* Listening ports */

const char *
sm_service_label (guint port)
{
  static const struct {
    guint       port;
    const char *label;
  } services[] = {
    { 21, "FTP" }, { 22, "SSH" }, { 23, "Telnet" }, { 25, "SMTP" },
    { 53, "DNS" }, { 67, "DHCP" }, { 80, "HTTP" }, { 110, "POP3" },
    { 111, "RPC" }, { 123, "NTP" }, { 137, "NetBIOS" }, { 139, "SMB" },
    { 143, "IMAP" }, { 161, "SNMP" }, { 389, "LDAP" }, { 443, "HTTPS" },
    { 445, "SMB" }, { 465, "SMTPS" }, { 514, "Syslog" }, { 587, "Submission" },
    { 631, "IPP" }, { 636, "LDAPS" }, { 993, "IMAPS" }, { 995, "POP3S" },
    { 1883, "MQTT" }, { 2049, "NFS" }, { 2375, "Docker" }, { 2376, "Docker (TLS)" },
    { 3000, "Grafana" }, { 3306, "MySQL" }, { 3389, "RDP" }, { 5353, "mDNS" },
    { 5432, "PostgreSQL" }, { 5672, "AMQP" }, { 5900, "VNC" }, { 6379, "Redis" },
    { 6443, "Kubernetes API" }, { 8080, "HTTP (alt)" }, { 8443, "HTTPS (alt)" },
    { 9090, "Prometheus" }, { 9100, "Node exporter" }, { 9200, "Elasticsearch" },
    { 11211, "memcached" }, { 27017, "MongoDB" }, { 51820, "WireGuard" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    if (services[i].port == port)
      return services[i].label;
  return NULL;
}

static SmListenPort *
port_new (const char *protocol,
          const char *address,
          guint       port,
          const char *process)
{
  SmListenPort *p = g_new0 (SmListenPort, 1);

  p->protocol = g_strdup (protocol);
  p->address = g_strdup (address);
  p->port = port;
  p->process = g_strdup (process);
  p->service = sm_service_label (port);
  return p;
}

SmListenPort *
sm_listen_port_copy (const SmListenPort *port)
{
  SmListenPort *copy = port_new (port->protocol, port->address, port->port, port->process);

  copy->service = port->service;
  return copy;
}

/* users:(("sshd",pid=1,fd=3),...) -> sshd */
static char *
ss_process_name (const char *s)
{
  const char *start = strstr (s, "((\"");
  const char *end;

  if (start == NULL)
    return NULL;
  start += 3;
  end = strchr (start, '"');
  if (end == NULL || end == start)
    return NULL;
  return g_strndup (start, end - start);
}

gboolean
sm_parse_ss (const char *text,
             gsize       len,
             GPtrArray  *ports)
{
  g_autofree char *copy = copy_text (text, len);
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[8];
      guint n = tokenize (line, t, G_N_ELEMENTS (t));
      g_autofree char *local = NULL;
      g_autofree char *address = NULL;
      g_autofree char *process = NULL;
      char *colon, *pct;
      const char *proto;
      guint64 port;
      gboolean v6;

      if (n == 0 || tok_eq (&t[0], "Netid"))
        continue;
      if (n < 6)
        return FALSE;
      if (tok_eq (&t[0], "tcp"))
        proto = "tcp";
      else if (tok_eq (&t[0], "udp"))
        proto = "udp";
      else
        continue;
      local = tok_dup (&t[4]);
      colon = strrchr (local, ':');
      if (colon == NULL || !parse_u64 (colon + 1, strlen (colon + 1), &port) ||
          port == 0 || port > 65535)
        {
          if (colon != NULL && strcmp (colon + 1, "*") == 0)
            continue;
          return FALSE;
        }
      *colon = '\0';
      /* "[::]", "[fe80::1%eth0]", "127.0.0.53%lo", "*". */
      v6 = local[0] == '[';
      if (v6)
        {
          gsize l = strlen (local);

          if (l < 2 || local[l - 1] != ']')
            return FALSE;
          address = g_strndup (local + 1, l - 2);
        }
      else
        address = g_strdup (local);
      pct = strchr (address, '%');
      if (pct != NULL)
        *pct = '\0';
      if (*address == '\0')
        return FALSE;
      if (n >= 7)
        process = ss_process_name (t[6].s);
      if (ports->len >= SM_PARSE_MAX_ITEMS)
        break;
      g_ptr_array_add (ports, port_new (v6 ? (proto[0] == 't' ? "tcp6" : "udp6") : proto,
                                        address, (guint) port, process));
    }

  return TRUE;
}

static gboolean
hex_u32 (const char *s,
         guint32    *out)
{
  guint32 v = 0;

  for (guint i = 0; i < 8; i++)
    {
      int d = g_ascii_xdigit_value (s[i]);

      if (d < 0)
        return FALSE;
      v = (v << 4) | (guint32) d;
    }
  *out = v;
  return TRUE;
}

/* "0100007F:0016" (IPv4) or 32 hex digits and a port (IPv6): each 32-bit
 * word as the kernel printed it from memory, so little-endian here. */
static gboolean
decode_proc_address (const Tok *tok,
                     char      *address,
                     gsize      address_size,
                     guint     *port)
{
  const char *colon = memchr (tok->s, ':', tok->n);
  gsize hex_len, port_len;
  guint32 port_v;

  if (colon == NULL)
    return FALSE;
  hex_len = colon - tok->s;
  port_len = tok->n - hex_len - 1;
  if (port_len != 4)
    return FALSE;
  {
    char buf[9] = "0000";

    memcpy (buf + 4, colon + 1, 4);
    buf[8] = '\0';
    if (!hex_u32 (buf, &port_v))
      return FALSE;
  }
  *port = port_v;

  if (hex_len == 8)
    {
      guint8 bytes[4];
      guint32 w;

      if (!hex_u32 (tok->s, &w))
        return FALSE;
      bytes[0] = w & 0xff;
      bytes[1] = (w >> 8) & 0xff;
      bytes[2] = (w >> 16) & 0xff;
      bytes[3] = (w >> 24) & 0xff;
      return inet_ntop (AF_INET, bytes, address, address_size) != NULL;
    }
  if (hex_len == 32)
    {
      guint8 bytes[16];

      for (guint i = 0; i < 4; i++)
        {
          guint32 w;

          if (!hex_u32 (tok->s + 8 * i, &w))
            return FALSE;
          bytes[4 * i] = w & 0xff;
          bytes[4 * i + 1] = (w >> 8) & 0xff;
          bytes[4 * i + 2] = (w >> 16) & 0xff;
          bytes[4 * i + 3] = (w >> 24) & 0xff;
        }
      return inet_ntop (AF_INET6, bytes, address, address_size) != NULL;
    }
  return FALSE;
}

gboolean
sm_parse_proc_net (const char *text,
                   gsize       len,
                   const char *protocol,
                   GPtrArray  *ports)
{
  g_autofree char *copy = copy_text (text, len);
  gboolean tcp;
  Lines lines;
  char *line;

  g_assert (protocol != NULL);
  tcp = g_str_has_prefix (protocol, "tcp");
  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[8];
      guint n = tokenize (line, t, G_N_ELEMENTS (t));
      char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
      guint port, remote_port;

      if (n == 0 || tok_eq (&t[0], "sl"))
        continue;
      /* sl local_address rem_address st ... */
      if (n < 4 || t[0].s[t[0].n - 1] != ':')
        return FALSE;
      if (!decode_proc_address (&t[1], local, sizeof local, &port) ||
          !decode_proc_address (&t[2], remote, sizeof remote, &remote_port))
        return FALSE;
      /* TCP_LISTEN is 0A; an unconnected UDP socket is TCP_CLOSE, 07. */
      if (tcp ? !tok_eq (&t[3], "0A") : !(tok_eq (&t[3], "07") && remote_port == 0))
        continue;
      if (port == 0)
        continue;
      if (ports->len >= SM_PARSE_MAX_ITEMS)
        break;
      g_ptr_array_add (ports, port_new (protocol, local, port, NULL));
    }

  return TRUE;
}

static int
protocol_rank (const char *protocol)
{
  if (strcmp (protocol, "tcp") == 0)
    return 0;
  if (strcmp (protocol, "tcp6") == 0)
    return 1;
  if (strcmp (protocol, "udp") == 0)
    return 2;
  return 3;
}

static gint
port_compare (gconstpointer a,
              gconstpointer b)
{
  const SmListenPort *pa = *(SmListenPort * const *) a;
  const SmListenPort *pb = *(SmListenPort * const *) b;
  int ta = protocol_rank (pa->protocol) / 2;
  int tb = protocol_rank (pb->protocol) / 2;

  if (ta != tb)
    return ta - tb;
  if (pa->port != pb->port)
    return pa->port < pb->port ? -1 : 1;
  if (protocol_rank (pa->protocol) != protocol_rank (pb->protocol))
    return protocol_rank (pa->protocol) - protocol_rank (pb->protocol);
  return strcmp (pa->address, pb->address);
}

void
sm_ports_finish (GPtrArray *ports)
{
  guint i = 1;

  g_ptr_array_sort (ports, port_compare);
  while (i < ports->len)
    {
      const SmListenPort *prev = g_ptr_array_index (ports, i - 1);
      const SmListenPort *cur = g_ptr_array_index (ports, i);

      if (port_compare (&prev, &cur) == 0)
        {
          SmListenPort *keep = g_ptr_array_index (ports, i - 1);

          /* Keep a process name if either has one. */
          if (keep->process == NULL && cur->process != NULL)
            keep->process = g_strdup (cur->process);
          g_ptr_array_remove_index (ports, i);
        }
      else
        i++;
    }
}

/* nvidia-smi */

gboolean
sm_parse_nvidia (const char   *text,
                 gsize         len,
                 SmPollResult *result)
{
  g_autofree char *copy = copy_text (text, len);
  Lines lines;
  char *line;
  guint gpus = 0;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      g_auto(GStrv) f = NULL;
      guint64 index;
      double util, used, total;
      char *s;

      g_strstrip (line);
      if (*line == '\0')
        continue;
      f = g_strsplit (line, ",", 5);
      if (g_strv_length (f) != 4)
        return FALSE;
      for (guint i = 0; i < 4; i++)
        g_strstrip (f[i]);
      if (!parse_u64 (f[0], strlen (f[0]), &index) || index > 64)
        return FALSE;
      /* "[N/A]" or "[Not Supported]" leave out that value only. */
      if (parse_double (f[1], strlen (f[1]), &util) && util >= 0)
        {
          s = g_strdup_printf ("gpu.%u.util_percent", (guint) index);
          sm_poll_result_add_metric (result, s, util);
          g_free (s);
        }
      if (parse_double (f[2], strlen (f[2]), &used) && used >= 0)
        {
          s = g_strdup_printf ("gpu.%u.mem_used", (guint) index);
          sm_poll_result_add_metric (result, s, used * 1024.0 * 1024.0);
          g_free (s);
        }
      if (parse_double (f[3], strlen (f[3]), &total) && total >= 0)
        {
          s = g_strdup_printf ("gpu.%u.mem_total", (guint) index);
          sm_poll_result_add_metric (result, s, total * 1024.0 * 1024.0);
          g_free (s);
        }
      gpus++;
    }

  return gpus > 0;
}

/* docker */

static char *
docker_health (const char *status)
{
  if (strstr (status, "(unhealthy)") != NULL)
    return g_strdup ("unhealthy");
  if (strstr (status, "(healthy)") != NULL)
    return g_strdup ("healthy");
  if (strstr (status, "(health: starting)") != NULL)
    return g_strdup ("starting");
  return NULL;
}

/* For docker versions without {{.State}}. */
static const char *
docker_state_from_status (const char *status)
{
  if (g_str_has_prefix (status, "Up"))
    return strstr (status, "(Paused)") != NULL ? "paused" : "running";
  if (g_str_has_prefix (status, "Exited"))
    return "exited";
  if (g_str_has_prefix (status, "Created"))
    return "created";
  if (g_str_has_prefix (status, "Restarting"))
    return "restarting";
  if (g_str_has_prefix (status, "Removal"))
    return "removing";
  if (g_str_has_prefix (status, "Dead"))
    return "dead";
  return "unknown";
}

GPtrArray *
sm_parse_docker (const char *text,
                 gsize       len)
{
  g_autofree char *copy = copy_text (text, len);
  g_autoptr(GPtrArray) containers = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_container_free);
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      g_auto(GStrv) f = NULL;
      SmContainer *c;

      if (*line == '\0')
        continue;
      /* Lines without tabs are the CLI's warnings, not containers. */
      if (strchr (line, '\t') == NULL)
        continue;
      f = g_strsplit (line, "\t", 5);
      if (g_strv_length (f) != 4 || *f[0] == '\0')
        return NULL;
      if (containers->len >= SM_PARSE_MAX_ITEMS)
        break;
      c = g_new0 (SmContainer, 1);
      c->name = g_strdup (f[0]);
      c->image = g_strdup (f[1]);
      c->status_text = g_strdup (f[3]);
      if (*f[2] == '\0' || strcmp (f[2], "<no value>") == 0)
        c->state = g_strdup (docker_state_from_status (f[3]));
      else
        c->state = g_ascii_strdown (f[2], -1);
      c->health = docker_health (f[3]);
      g_ptr_array_add (containers, c);
    }

  return g_steal_pointer (&containers);
}

SmContainer *
sm_container_copy (const SmContainer *container)
{
  SmContainer *copy = g_new0 (SmContainer, 1);

  copy->name = g_strdup (container->name);
  copy->image = g_strdup (container->image);
  copy->state = g_strdup (container->state);
  copy->health = g_strdup (container->health);
  copy->status_text = g_strdup (container->status_text);
  return copy;
}

/* systemd */

/* systemctl show prints one block per unit, separated by blank lines, with
 * the properties in its own order. */
static GHashTable *
parse_since (const char *text,
             gsize       len)
{
  g_autofree char *copy = copy_text (text, len);
  GHashTable *since = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *id = NULL;
  g_autofree char *stamp = NULL;
  gboolean done = FALSE;
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while (!done && g_hash_table_size (since) < SM_PARSE_MAX_ITEMS)
    {
      line = lines_next (&lines);
      done = line == NULL;
      if (done || *line == '\0')
        {
          if (id != NULL && stamp != NULL && *stamp != '\0')
            g_hash_table_replace (since, g_steal_pointer (&id), g_steal_pointer (&stamp));
          g_clear_pointer (&id, g_free);
          g_clear_pointer (&stamp, g_free);
        }
      else if (g_str_has_prefix (line, "Id="))
        {
          g_free (id);
          id = g_strdup (line + 3);
        }
      else if (g_str_has_prefix (line, "StateChangeTimestamp="))
        {
          g_free (stamp);
          stamp = g_strdup (line + strlen ("StateChangeTimestamp="));
        }
    }

  return since;
}

GPtrArray *
sm_parse_systemd (const char *text,
                  gsize       len,
                  const char *since_text,
                  gsize       since_len)
{
  g_autofree char *copy = copy_text (text, len);
  g_autoptr(GPtrArray) units = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_unit_free);
  g_autoptr(GHashTable) since = NULL;
  Lines lines;
  char *line;

  if (since_text != NULL)
    since = parse_since (since_text, since_len);

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[6];
      guint n = tokenize (line, t, G_N_ELEMENTS (t));
      guint first = 0;
      SmUnit *u;

      if (n == 0)
        continue;
      /* Failed units may carry a "●" (or "*") in front. */
      if (tok_eq (&t[0], "\xe2\x97\x8f") || tok_eq (&t[0], "*"))
        first = 1;
      /* unit load active sub description */
      if (n < first + 4)
        return NULL;
      if (memchr (t[first].s, '.', t[first].n) == NULL)
        return NULL;
      if (units->len >= SM_PARSE_MAX_ITEMS)
        break;
      u = g_new0 (SmUnit, 1);
      u->unit = tok_dup (&t[first]);
      u->active = tok_dup (&t[first + 2]);
      u->sub = tok_dup (&t[first + 3]);
      if (since != NULL)
        u->since = g_strdup (g_hash_table_lookup (since, u->unit));
      g_ptr_array_add (units, u);
    }

  return g_steal_pointer (&units);
}

SmUnit *
sm_unit_copy (const SmUnit *unit)
{
  SmUnit *copy = g_new0 (SmUnit, 1);

  copy->unit = g_strdup (unit->unit);
  copy->active = g_strdup (unit->active);
  copy->sub = g_strdup (unit->sub);
  copy->since = g_strdup (unit->since);
  return copy;
}

/* Specs */

gboolean
sm_parse_os_release (const char *text,
                     gsize       len,
                     SmSpecs    *specs)
{
  g_autofree char *copy = copy_text (text, len);
  g_autofree char *pretty = NULL;
  g_autofree char *name = NULL;
  g_autofree char *version = NULL;
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      char *eq = strchr (line, '=');
      char **target = NULL;
      g_autofree char *value = NULL;

      if (eq == NULL)
        continue;
      *eq = '\0';
      if (strcmp (line, "PRETTY_NAME") == 0)
        target = &pretty;
      else if (strcmp (line, "NAME") == 0)
        target = &name;
      else if (strcmp (line, "VERSION") == 0)
        target = &version;
      else
        continue;
      /* Shell-quoted values; an unterminated quote is a malformed file. */
      value = g_shell_unquote (eq + 1, NULL);
      if (value == NULL || !g_utf8_validate (value, -1, NULL))
        return FALSE;
      g_free (*target);
      *target = g_strstrip (g_steal_pointer (&value));
    }

  g_clear_pointer (&specs->os_name, g_free);
  if (pretty != NULL && *pretty != '\0')
    specs->os_name = g_steal_pointer (&pretty);
  else if (name != NULL && *name != '\0')
    specs->os_name = version != NULL && *version != '\0'
                     ? g_strdup_printf ("%s %s", name, version)
                     : g_steal_pointer (&name);
  return specs->os_name != NULL;
}

gboolean
sm_parse_uname (const char *text,
                gsize       len,
                SmSpecs    *specs)
{
  g_autofree char *copy = copy_text (text, len);
  Lines lines;
  char *line;
  Tok t[8];
  guint n;

  lines_init (&lines, copy);
  line = lines_next (&lines);
  if (line == NULL)
    return FALSE;
  n = tokenize (line, t, G_N_ELEMENTS (t));
  if (n == 0 || n > 3)
    return FALSE;
  g_clear_pointer (&specs->arch, g_free);
  g_clear_pointer (&specs->kernel, g_free);
  specs->arch = tok_dup (&t[n - 1]);
  if (n > 1)
    specs->kernel = g_strndup (t[0].s, t[n - 2].s + t[n - 2].n - t[0].s);
  return TRUE;
}

gboolean
sm_parse_cpuinfo (const char *text,
                  gsize       len,
                  SmSpecs    *specs)
{
  g_autofree char *copy = copy_text (text, len);
  g_autofree char *model = NULL;
  g_autofree char *fallback = NULL;
  guint count = 0;
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      char *colon = strchr (line, ':');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        continue;
      *colon = '\0';
      key = strip_dup (line);
      value = strip_dup (colon + 1);
      if (strcmp (key, "processor") == 0)
        count++;
      else if (*value == '\0')
        continue;
      else if (model == NULL && (strcmp (key, "model name") == 0 || strcmp (key, "cpu model") == 0))
        model = g_steal_pointer (&value);
      else if (fallback == NULL && (strcmp (key, "Hardware") == 0 || strcmp (key, "Model") == 0 ||
                                    strcmp (key, "Processor") == 0))
        fallback = g_steal_pointer (&value);
    }

  if (count == 0 && model == NULL && fallback == NULL)
    return FALSE;
  specs->cpu_cores = count;
  g_clear_pointer (&specs->cpu_model, g_free);
  specs->cpu_model = model != NULL ? g_steal_pointer (&model) : g_steal_pointer (&fallback);
  return TRUE;
}

gboolean
sm_parse_hostname (const char *text,
                   gsize       len,
                   SmSpecs    *specs)
{
  g_autofree char *copy = copy_text (text, len);
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  line = lines_next (&lines);
  if (line == NULL)
    return FALSE;
  g_strstrip (line);
  if (*line == '\0' || strlen (line) > 255)
    return FALSE;
  g_clear_pointer (&specs->hostname, g_free);
  specs->hostname = g_strdup (line);
  return TRUE;
}

static const char *
virt_from_dmi (const char *product)
{
  static const struct {
    const char *needle;
    const char *name;
  } products[] = {
    { "KVM", "kvm" }, { "QEMU", "qemu" }, { "Standard PC", "kvm" },
    { "VirtualBox", "oracle" }, { "VMware", "vmware" },
    { "Virtual Machine", "microsoft" }, { "HVM domU", "xen" },
    { "Google Compute Engine", "google" }, { "Amazon EC2", "amazon" },
    { "Droplet", "kvm" }, { "OpenStack", "kvm" }, { "Parallels", "parallels" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (products); i++)
    if (strstr (product, products[i].needle) != NULL)
      return products[i].name;
  return "vm";
}

gboolean
sm_parse_virt (const char *text,
               gsize       len,
               SmSpecs    *specs)
{
  g_autofree char *copy = copy_text (text, len);
  g_autofree char *detected = NULL;
  g_autofree char *dmi = NULL;
  gboolean dockerenv = FALSE, containerenv = FALSE, hypervisor = FALSE;
  Lines lines;
  char *line;

  lines_init (&lines, copy);
  while ((line = lines_next (&lines)) != NULL)
    {
      if (g_str_has_prefix (line, "detect-virt "))
        {
          g_free (detected);
          detected = strip_dup (line + strlen ("detect-virt "));
        }
      else if (strcmp (line, "dockerenv") == 0)
        dockerenv = TRUE;
      else if (strcmp (line, "containerenv") == 0)
        containerenv = TRUE;
      else if (strcmp (line, "hypervisor") == 0)
        hypervisor = TRUE;
      else if (g_str_has_prefix (line, "dmi "))
        {
          g_free (dmi);
          dmi = strip_dup (line + 4);
        }
    }

  g_clear_pointer (&specs->virtualization, g_free);
  if (detected != NULL && *detected != '\0' && strlen (detected) < 64)
    specs->virtualization = g_steal_pointer (&detected);
  else if (dockerenv)
    specs->virtualization = g_strdup ("docker");
  else if (containerenv)
    specs->virtualization = g_strdup ("podman");
  else if (hypervisor)
    specs->virtualization = g_strdup (virt_from_dmi (dmi != NULL ? dmi : ""));
  else if (dmi != NULL)
    specs->virtualization = g_strdup ("none");
  return TRUE;
}

static void
add_disk (SmSpecs    *specs,
          const char *name,
          guint64     bytes,
          const char *model)
{
  g_autofree char *size = g_format_size (bytes);

  if (specs->disks->len >= SM_PARSE_MAX_ITEMS)
    return;
  if (model != NULL && *model != '\0')
    g_ptr_array_add (specs->disks, g_strdup_printf ("%s %s %s", name, size, model));
  else
    g_ptr_array_add (specs->disks, g_strdup_printf ("%s %s", name, size));
}

gboolean
sm_parse_disks (const char *text,
                gsize       len,
                SmSpecs    *specs)
{
  g_autofree char *copy = copy_text (text, len);
  gboolean lsblk = FALSE;
  Lines lines;
  char *line;

  if (specs->disks == NULL)
    specs->disks = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_set_size (specs->disks, 0);

  lines_init (&lines, copy);
  line = lines_next (&lines);
  if (line != NULL && strcmp (line, "lsblk") == 0)
    lsblk = TRUE;
  else
    {
      /* /proc/partitions: start again from its header. */
      g_free (copy);
      copy = copy_text (text, len);
      lines_init (&lines, copy);
    }

  while ((line = lines_next (&lines)) != NULL)
    {
      Tok t[MAX_TOKENS];
      guint n = tokenize (line, t, G_N_ELEMENTS (t));
      g_autofree char *name = NULL;
      guint64 size;

      if (n == 0 || tok_eq (&t[0], "major"))
        continue;
      if (lsblk)
        {
          g_autofree char *model = NULL;

          /* NAME SIZE TYPE [MODEL with spaces] */
          if (n < 3 || !tok_u64 (&t[1], &size))
            return FALSE;
          if (!tok_eq (&t[2], "disk"))
            continue;
          name = tok_dup (&t[0]);
          if (is_virtual_block (name))
            continue;
          if (n > 3)
            model = g_strchomp (g_strdup (t[3].s));
          add_disk (specs, name, size, model);
        }
      else
        {
          /* major minor #blocks name */
          if (n != 4 || !tok_u64 (&t[2], &size) || size > G_MAXUINT64 / 1024)
            return FALSE;
          name = tok_dup (&t[3]);
          if (!is_whole_disk (name, NULL))
            continue;
          add_disk (specs, name, size * 1024, NULL);
        }
    }

  return TRUE;
}
