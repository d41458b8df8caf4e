/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-overview-page.c: the live numbers of one server's newest poll.
 *
 * Every widget is made once and then updated in place: a card per metric
 * group (looked up by id) and a row per table entry (looked up by key) are
 * reused across polls, and only added or removed when the set changes. That
 * keeps keyboard focus, the scroll position and the layout still while the
 * numbers change underneath.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sm-meter.h"
#include "sm-overview-page.h"
#include "sm-overview-page-private.h"

typedef enum {
  CARD_CPU,
  CARD_MEMORY,
  CARD_SWAP,
  CARD_LOAD,
  CARD_DISK,
  CARD_NET,
  CARD_GPU,
} CardKind;

typedef struct
{
  char      *id;
  CardKind   kind;
  gboolean   seen;

  /* Owned by the flow box */
  GtkWidget *child;
  GtkLabel  *title;
  GtkLabel  *value;
  SmMeter   *meter;
  GtkLabel  *detail;
} Card;

/* The rows of one boxed list, by key. */
typedef struct
{
  GtkListBox *list;
  GHashTable *rows;     /* char *key -> AdwActionRow (owned by the list) */
  GHashTable *seen;     /* keys met during a sync */
  guint       position;
  gboolean    ellipsize_title;
} RowSet;

enum {
  GROUP_TOP_CPU,
  GROUP_TOP_MEM,
  GROUP_CONTAINERS,
  GROUP_UNITS,
  GROUP_TCP,
  GROUP_UDP,
  GROUP_SPECS,
  N_GROUPS,
};

static const char * const group_ids[N_GROUPS] = {
  [GROUP_TOP_CPU] = "top-cpu",
  [GROUP_TOP_MEM] = "top-mem",
  [GROUP_CONTAINERS] = "containers",
  [GROUP_UNITS] = "units",
  [GROUP_TCP] = "tcp",
  [GROUP_UDP] = "udp",
  [GROUP_SPECS] = "specs",
};

struct _SmOverviewPage
{
  AdwBin               parent_instance;

  /* Template widgets */
  GtkStack            *stack;
  AdwStatusPage       *status_page;
  GtkSpinner          *spinner;
  GtkScrolledWindow   *scrolled_window;
  GtkFlowBox          *cards_box;
  AdwPreferencesGroup *top_cpu_group;
  AdwPreferencesGroup *top_mem_group;
  AdwPreferencesGroup *containers_group;
  AdwPreferencesGroup *units_group;
  AdwPreferencesGroup *tcp_group;
  AdwPreferencesGroup *udp_group;
  AdwPreferencesGroup *specs_group;
  GtkListBox          *top_cpu_list;
  GtkListBox          *top_mem_list;
  GtkListBox          *containers_list;
  GtkListBox          *units_list;
  GtkListBox          *tcp_list;
  GtkListBox          *udp_list;
  GtkListBox          *specs_list;

  /* Owned references */
  SmServer            *server;
  GHashTable          *cards;    /* char *id -> Card */
  gboolean             cards_changed;
  RowSet               sets[N_GROUPS];
};

G_DEFINE_FINAL_TYPE (SmOverviewPage, sm_overview_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Formatting */

static gboolean
is_empty (const char *str)
{
  return str == NULL || str[0] == '\0';
}

char *
sm_overview_format_percent (double value)
{
  if (isnan (value))
    return g_strdup ("—");
  /* Translators: a percentage, as in "12 %"; the space is a no-break
   * space, so that the sign never wraps away from the number. */
  return g_strdup_printf (_("%.0f\u00a0%%"), value);
}

static char *
format_rate (double bytes_per_second)
{
  g_autofree char *size = NULL;

  if (isnan (bytes_per_second))
    return g_strdup ("—");
  size = g_format_size ((guint64) MAX (0.0, bytes_per_second));
  /* Translators: a rate, as in "1.2 MB/s". */
  return g_strdup_printf (_("%s/s"), size);
}

char *
sm_overview_format_uptime (double seconds)
{
  guint64 s;
  guint days, hours, minutes;

  if (isnan (seconds) || seconds < 0)
    return NULL;

  s = (guint64) seconds;
  days = s / 86400;
  hours = (s % 86400) / 3600;
  minutes = (s % 3600) / 60;

  if (days > 0)
    {
      g_autofree char *d = g_strdup_printf (ngettext ("%u day", "%u days", days), days);
      g_autofree char *h = g_strdup_printf (ngettext ("%u hour", "%u hours", hours), hours);

      /* Translators: how long a server has been running, as in "Up 3 days, 4 hours". */
      return g_strdup_printf (_("Up %s, %s"), d, h);
    }
  if (hours > 0)
    {
      g_autofree char *h = g_strdup_printf (ngettext ("%u hour", "%u hours", hours), hours);
      g_autofree char *m = g_strdup_printf (ngettext ("%u minute", "%u minutes", minutes), minutes);

      return g_strdup_printf (_("Up %s, %s"), h, m);
    }

  /* Translators: how long a server has been running. */
  return g_strdup_printf (ngettext ("Up %u minute", "Up %u minutes", minutes), minutes);
}

char *
sm_overview_capitalize (const char *text)
{
  g_autofree char *first = NULL;
  const char *rest;

  if (is_empty (text) || !g_utf8_validate (text, -1, NULL))
    return g_strdup (text);

  rest = g_utf8_next_char (text);
  first = g_utf8_strup (text, rest - text);

  return g_strconcat (first, rest, NULL);
}

/* What to say for a section that is not OK, or NULL when it is. */
static char *
section_problem (SmPollResult *result,
                 const char   *name)
{
  const SmSectionStatus *status = sm_poll_result_get_section (result, name);

  if (status == NULL || status->state == SM_SECTION_OK)
    return NULL;

  if (status->state == SM_SECTION_ERROR)
    /* Translators: %s says why, as in "Could not read: malformed output". */
    return g_strdup_printf (_("Could not read: %s"),
                            status->message != NULL ? status->message : _("unknown error"));

  if (!is_empty (status->message))
    /* Translators: %s is the reason, as in "docker: the daemon is not running". */
    return g_strdup_printf (_("Not available on this server (%s)"), status->message);

  return g_strdup (_("Not available on this server"));
}

static void
set_label (GtkLabel   *label,
           const char *text)
{
  if (text == NULL)
    text = "";
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

static void
set_class (GtkWidget  *widget,
           const char *css_class,
           gboolean    enabled)
{
  if (enabled)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

/* "disk./var.used_percent" -> "/var" for prefix "disk." and suffix ".used_percent". */
static char *
metric_middle (const char *name,
               const char *prefix,
               const char *suffix)
{
  gsize len = strlen (name);
  gsize prefix_len = strlen (prefix);
  gsize suffix_len = strlen (suffix);

  if (len <= prefix_len + suffix_len ||
      !g_str_has_prefix (name, prefix) ||
      !g_str_has_suffix (name, suffix))
    return NULL;

  return g_strndup (name + prefix_len, len - prefix_len - suffix_len);
}

/* The metric "<prefix><part><suffix>", e.g. "disk." "/var" ".used_percent". */
static double
metric (SmPollResult *result,
        const char   *prefix,
        const char   *part,
        const char   *suffix)
{
  g_autofree char *name = g_strconcat (prefix, part, suffix, NULL);

  return sm_poll_result_get_metric (result, name);
}

/* Cards */

static void
card_free (Card *card)
{
  g_free (card->id);
  g_free (card);
}

static int
cards_sort_func (GtkFlowBoxChild *child1,
                 GtkFlowBoxChild *child2,
                 gpointer         user_data)
{
  Card *a = g_object_get_data (G_OBJECT (child1), "sm-card");
  Card *b = g_object_get_data (G_OBJECT (child2), "sm-card");

  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;

  return g_utf8_collate (a->id, b->id);
}

static Card *
ensure_card (SmOverviewPage *self,
             const char     *id,
             CardKind        kind,
             const char     *title)
{
  Card *card = g_hash_table_lookup (self->cards, id);
  GtkWidget *box;

  if (card != NULL)
    {
      card->seen = TRUE;
      set_label (card->title, title);
      return card;
    }

  card = g_new0 (Card, 1);
  card->id = g_strdup (id);
  card->kind = kind;
  card->seen = TRUE;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_size_request (box, 200, -1);
  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "overview-card");

  card->title = GTK_LABEL (gtk_label_new (title));
  gtk_label_set_xalign (card->title, 0);
  gtk_label_set_wrap (card->title, TRUE);
  gtk_label_set_wrap_mode (card->title, PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (GTK_WIDGET (card->title), "heading");
  gtk_widget_add_css_class (GTK_WIDGET (card->title), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (card->title));

  card->value = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (card->value, 0);
  gtk_label_set_ellipsize (card->value, PANGO_ELLIPSIZE_END);
  /* Never narrower than the ellipsis (GTK 4.8 warns when natural < minimum). */
  gtk_label_set_width_chars (card->value, 3);
  gtk_widget_add_css_class (GTK_WIDGET (card->value), "overview-value");
  gtk_widget_add_css_class (GTK_WIDGET (card->value), "numeric");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (card->value));

  card->meter = SM_METER (sm_meter_new ());
  gtk_widget_set_margin_top (GTK_WIDGET (card->meter), 3);
  gtk_widget_set_margin_bottom (GTK_WIDGET (card->meter), 3);
  gtk_accessible_update_property (GTK_ACCESSIBLE (card->meter),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (card->meter));

  card->detail = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (card->detail, 0);
  gtk_label_set_wrap (card->detail, TRUE);
  gtk_label_set_wrap_mode (card->detail, PANGO_WRAP_WORD_CHAR);
  /* A short natural width, so that several cards fit on a line. */
  gtk_label_set_max_width_chars (card->detail, 24);
  gtk_widget_add_css_class (GTK_WIDGET (card->detail), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (card->detail), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (card->detail), "numeric");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (card->detail));

  card->child = gtk_flow_box_child_new ();
  gtk_widget_set_focusable (card->child, FALSE);
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (card->child), box);
  g_object_set_data (G_OBJECT (card->child), "sm-card", card);
  gtk_flow_box_insert (self->cards_box, card->child, -1);

  g_hash_table_insert (self->cards, card->id, card);
  self->cards_changed = TRUE;

  return card;
}

static void
card_set (Card       *card,
          const char *value,
          double      percent,
          gboolean    show_meter,
          const char *detail)
{
  set_label (card->value, value);
  gtk_widget_set_visible (GTK_WIDGET (card->meter), show_meter);
  sm_meter_set_value (card->meter, show_meter ? percent : NAN);
  set_label (card->detail, detail);
  gtk_widget_set_visible (GTK_WIDGET (card->detail), !is_empty (detail));
}

/* A card whose section could not be read says why instead of numbers. */
static gboolean
card_set_problem (Card         *card,
                  SmPollResult *result,
                  const char   *section)
{
  g_autofree char *problem = section_problem (result, section);

  if (problem == NULL)
    return FALSE;

  card_set (card, "—", NAN, FALSE, problem);
  return TRUE;
}

char *
sm_overview_no_break (const char *text)
{
  g_auto(GStrv) words = g_strsplit (text != NULL ? text : "", " ", -1);
  g_autofree char *joined = g_strjoinv ("\u00a0", words);
  g_auto(GStrv) parts = g_strsplit (joined, "/", -1);

  /* A word joiner after a slash, or "I/O" breaks there. */
  return g_strjoinv ("/\u2060", parts);
}

/* Appends parts joined with " · "; a line only breaks between parts.
 * Takes part. */
static void
append_part (GString *str,
             char    *part)
{
  g_autofree char *owned = part;
  g_autofree char *unbroken = sm_overview_no_break (owned);

  if (str->len > 0)
    g_string_append (str, " · ");
  g_string_append (str, unbroken);
}

static void
update_cpu_card (SmOverviewPage *self,
                 SmPollResult   *result)
{
  static const char * const parts[] = { "cpu.user", "cpu.system", "cpu.iowait", "cpu.steal" };
  Card *card = ensure_card (self, "cpu", CARD_CPU, _("CPU"));
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *value = NULL;
  double total;

  if (card_set_problem (card, result, "cpu"))
    return;

  total = sm_poll_result_get_metric (result, "cpu.percent");
  value = sm_overview_format_percent (total);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      double v = sm_poll_result_get_metric (result, parts[i]);
      g_autofree char *text = NULL;

      if (isnan (v))
        continue;
      text = sm_overview_format_percent (v);
      switch (i)
        {
        case 0:
          /* Translators: CPU time shares, as in "User 8 %". */
          append_part (detail, g_strdup_printf (_("User %s"), text));
          break;
        case 1:
          append_part (detail, g_strdup_printf (_("System %s"), text));
          break;
        case 2:
          append_part (detail, g_strdup_printf (_("I/O wait %s"), text));
          break;
        default:
          append_part (detail, g_strdup_printf (_("Steal %s"), text));
          break;
        }
    }

  card_set (card, value, total, !isnan (total), detail->str);
}

static void
update_memory_cards (SmOverviewPage *self,
                     SmPollResult   *result)
{
  Card *card = ensure_card (self, "memory", CARD_MEMORY, _("Memory"));
  double total, used, percent;

  if (!card_set_problem (card, result, "memory"))
    {
      g_autofree char *value = NULL;
      g_autofree char *detail = NULL;

      total = sm_poll_result_get_metric (result, "mem.total");
      used = sm_poll_result_get_metric (result, "mem.used");
      if (isnan (used))
        used = total - sm_poll_result_get_metric (result, "mem.available");
      percent = sm_poll_result_get_metric (result, "mem.used_percent");
      if (isnan (percent) && total > 0)
        percent = used / total * 100.0;

      value = sm_overview_format_percent (percent);
      if (!isnan (used) && !isnan (total))
        {
          g_autofree char *used_text = g_format_size ((guint64) MAX (0.0, used));
          g_autofree char *total_text = g_format_size ((guint64) MAX (0.0, total));

          /* Translators: memory use, as in "3.6 GB of 8.0 GB used". */
          detail = g_strdup_printf (_("%s of %s used"), used_text, total_text);
        }
      card_set (card, value, percent, !isnan (percent), detail);
    }

  card = ensure_card (self, "swap", CARD_SWAP, _("Swap"));
  if (!card_set_problem (card, result, "memory"))
    {
      g_autofree char *value = NULL;
      g_autofree char *detail = NULL;

      total = sm_poll_result_get_metric (result, "swap.total");
      used = sm_poll_result_get_metric (result, "swap.used");
      percent = sm_poll_result_get_metric (result, "swap.used_percent");

      if (isnan (total) || total <= 0)
        {
          /* An empty bar keeps the card as tall as its neighbours. */
          card_set (card, _("None"), 0.0, TRUE, _("No swap space"));
          return;
        }
      if (isnan (percent) && !isnan (used))
        percent = used / total * 100.0;
      value = sm_overview_format_percent (percent);
      if (!isnan (used))
        {
          g_autofree char *used_text = g_format_size ((guint64) MAX (0.0, used));
          g_autofree char *total_text = g_format_size ((guint64) total);

          detail = g_strdup_printf (_("%s of %s used"), used_text, total_text);
        }
      card_set (card, value, percent, !isnan (percent), detail);
    }
}

static void
update_load_card (SmOverviewPage *self,
                  SmPollResult   *result)
{
  Card *card = ensure_card (self, "load", CARD_LOAD, _("Load Average"));
  const SmSpecs *specs = sm_server_get_specs (self->server);
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *value = NULL;
  double load1, load5, load15, procs;
  double percent = NAN;

  if (card_set_problem (card, result, "load"))
    return;

  load1 = sm_poll_result_get_metric (result, "load.1");
  load5 = sm_poll_result_get_metric (result, "load.5");
  load15 = sm_poll_result_get_metric (result, "load.15");
  procs = sm_poll_result_get_metric (result, "procs.count");

  value = isnan (load1) ? g_strdup ("—") : g_strdup_printf ("%.2f", load1);
  if (!isnan (load5) && !isnan (load15))
    {
      /* Translators: load averages over 5 and 15 minutes. */
      append_part (detail, g_strdup_printf (_("5 min %.2f"), load5));
      append_part (detail, g_strdup_printf (_("15 min %.2f"), load15));
    }
  if (!isnan (procs))
    append_part (detail, g_strdup_printf (ngettext ("%u process", "%u processes", (gulong) procs),
                                          (guint) procs));

  /* Relative to the cores, when known: 1.0 per core is a full machine. */
  if (specs != NULL && specs->cpu_cores > 0 && !isnan (load1))
    percent = load1 / specs->cpu_cores * 100.0;

  card_set (card, value, percent, !isnan (percent), detail->str);
}

static void
update_disk_card (SmOverviewPage *self,
                  SmPollResult   *result,
                  const char     *mount)
{
  g_autofree char *id = g_strconcat ("disk:", mount, NULL);
  /* Translators: a file system's card, as in "Disk /home". */
  g_autofree char *title = g_strdup_printf (_("Disk %s"), mount);
  Card *card = ensure_card (self, id, CARD_DISK, title);
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *value = NULL;
  double percent = metric (result, "disk.", mount, ".used_percent");
  double inodes = metric (result, "disk.", mount, ".inodes_used_percent");
  double total = metric (result, "disk.", mount, ".total");
  double used = metric (result, "disk.", mount, ".used");

  value = sm_overview_format_percent (percent);
  if (!isnan (total) && !isnan (used))
    {
      g_autofree char *used_text = g_format_size ((guint64) MAX (0.0, used));
      g_autofree char *total_text = g_format_size ((guint64) MAX (0.0, total));

      append_part (detail, g_strdup_printf (_("%s of %s used"), used_text, total_text));
    }
  if (!isnan (inodes))
    {
      g_autofree char *text = sm_overview_format_percent (inodes);

      /* Translators: the share of inodes in use on a file system. */
      append_part (detail, g_strdup_printf (_("Inodes %s"), text));
    }

  card_set (card, value, percent, !isnan (percent), detail->str);
}

static void
update_net_card (SmOverviewPage *self,
                 SmPollResult   *result,
                 const char     *iface)
{
  g_autofree char *id = g_strconcat ("net:", iface, NULL);
  /* Translators: a network interface's card, as in "Network eth0". */
  g_autofree char *title = g_strdup_printf (_("Network %s"), iface);
  Card *card = ensure_card (self, id, CARD_NET, title);
  g_autofree char *rx = format_rate (metric (result, "net.", iface, ".rx_bps"));
  g_autofree char *tx = format_rate (metric (result, "net.", iface, ".tx_bps"));
  g_autofree char *value = NULL;

  g_autofree char *detail = NULL;

  /* Received as the big number, sent below it. */
  /* Translators: bytes received per second on a network interface. */
  value = g_strdup_printf (_("↓ %s"), rx);
  /* Translators: bytes sent per second on a network interface. */
  detail = g_strdup_printf (_("Sent ↑ %s"), tx);
  card_set (card, value, NAN, FALSE, detail);
  gtk_widget_set_tooltip_text (GTK_WIDGET (card->value), _("Received"));
}

static void
update_gpu_card (SmOverviewPage *self,
                 SmPollResult   *result,
                 const char     *index)
{
  g_autofree char *id = g_strconcat ("gpu:", index, NULL);
  /* Translators: %s is the GPU's index, as in "GPU 0". */
  g_autofree char *title = g_strdup_printf (_("GPU %s"), index);
  Card *card = ensure_card (self, id, CARD_GPU, title);
  double util = metric (result, "gpu.", index, ".util_percent");
  double used = metric (result, "gpu.", index, ".mem_used");
  double total = metric (result, "gpu.", index, ".mem_total");
  g_autofree char *value = sm_overview_format_percent (util);
  g_autofree char *detail = NULL;

  if (!isnan (used) && !isnan (total))
    {
      g_autofree char *used_text = g_format_size ((guint64) MAX (0.0, used));
      g_autofree char *total_text = g_format_size ((guint64) MAX (0.0, total));

      /* Translators: GPU memory, as in "Memory 2.1 GB of 8.0 GB". */
      detail = g_strdup_printf (_("Memory %s of %s"), used_text, total_text);
    }

  card_set (card, value, util, !isnan (util), detail);
}

static void
update_cards (SmOverviewPage *self,
              SmPollResult   *result)
{
  GHashTableIter iter;
  Card *card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &card))
    card->seen = FALSE;

  update_cpu_card (self, result);
  update_memory_cards (self, result);
  update_load_card (self, result);

  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmMetric *m = &g_array_index (result->metrics, SmMetric, i);
      g_autofree char *part = NULL;

      if ((part = metric_middle (m->name, "disk.", ".used_percent")) != NULL)
        update_disk_card (self, result, part);
      else if ((part = metric_middle (m->name, "net.", ".rx_bps")) != NULL)
        update_net_card (self, result, part);
      else if ((part = metric_middle (m->name, "gpu.", ".util_percent")) != NULL)
        update_gpu_card (self, result, part);
    }

  /* Disks unmounted, interfaces gone: their cards go. */
  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &card))
    {
      if (card->seen)
        continue;
      gtk_flow_box_remove (self->cards_box, card->child);
      g_hash_table_iter_remove (&iter);
    }

  /* Only a new card can be out of order. */
  if (self->cards_changed)
    gtk_flow_box_invalidate_sort (self->cards_box);
  self->cards_changed = FALSE;
}

/* Rows */

static void
row_set_begin (RowSet *set)
{
  g_hash_table_remove_all (set->seen);
  set->position = 0;
}

/* Puts the row of key at the next position, creating it if needed, and
 * updates its texts. value_class is a style class for the value, or NULL. */
static AdwActionRow *
row_set_add (RowSet     *set,
             const char *key,
             const char *title,
             const char *subtitle,
             const char *value,
             const char *value_class)
{
  static const char * const value_classes[] = { "error", "warning", "success", "dim-label" };
  AdwActionRow *row = g_hash_table_lookup (set->rows, key);
  GtkLabel *value_label;

  if (row == NULL)
    {
      row = ADW_ACTION_ROW (adw_action_row_new ());
      /* Wrapped, not ellipsized: GTK 4.8 warns about an ellipsized
       * text narrower than the ellipsis ("::"). Commands are the
       * exception: they can be very long. */
      adw_action_row_set_title_lines (row, set->ellipsize_title ? 1 : 0);
      adw_action_row_set_subtitle_lines (row, 0);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

      value_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (value_label, 1);
      gtk_label_set_ellipsize (value_label, PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (value_label, 16);
      gtk_label_set_width_chars (value_label, 3);
      gtk_widget_set_valign (GTK_WIDGET (value_label), GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (GTK_WIDGET (value_label), "numeric");
      adw_action_row_add_suffix (row, GTK_WIDGET (value_label));
      g_object_set_data (G_OBJECT (row), "sm-value", value_label);

      gtk_list_box_insert (set->list, GTK_WIDGET (row), set->position);
      g_hash_table_insert (set->rows, g_strdup (key), row);
    }
  else if (gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) != (int) set->position)
    {
      g_object_ref (row);
      gtk_list_box_remove (set->list, GTK_WIDGET (row));
      gtk_list_box_insert (set->list, GTK_WIDGET (row), set->position);
      g_object_unref (row);
    }

  if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) != 0)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (g_strcmp0 (adw_action_row_get_subtitle (row), subtitle ?: "") != 0)
    adw_action_row_set_subtitle (row, subtitle ?: "");

  value_label = g_object_get_data (G_OBJECT (row), "sm-value");
  set_label (value_label, value);
  gtk_widget_set_visible (GTK_WIDGET (value_label), !is_empty (value));
  gtk_widget_set_tooltip_text (GTK_WIDGET (value_label), value);
  for (guint i = 0; i < G_N_ELEMENTS (value_classes); i++)
    set_class (GTK_WIDGET (value_label), value_classes[i],
               g_strcmp0 (value_class, value_classes[i]) == 0);

  g_hash_table_add (set->seen, g_strdup (key));
  set->position++;

  return row;
}

static void
row_set_end (RowSet *set)
{
  GHashTableIter iter;
  const char *key;
  GtkWidget *row;

  g_hash_table_iter_init (&iter, set->rows);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &row))
    {
      if (g_hash_table_contains (set->seen, key))
        continue;
      gtk_list_box_remove (set->list, row);
      g_hash_table_iter_remove (&iter);
    }
}

static void
row_set_clear (RowSet *set)
{
  row_set_begin (set);
  row_set_end (set);
}

/* Shows why a table has no data (in the group's description) or the
 * table itself. Returns TRUE when there is data to show. */
static gboolean
update_group_state (SmOverviewPage *self,
                    guint           group,
                    SmPollResult   *result,
                    const char     *section,
                    gboolean        have_data)
{
  AdwPreferencesGroup *widget = _sm_overview_page_get_group (self, group_ids[group]);
  g_autofree char *problem = section_problem (result, section);

  if (problem == NULL && !have_data)
    problem = g_strdup (_("Not available on this server"));

  if (g_strcmp0 (adw_preferences_group_get_description (widget), problem ?: "") != 0)
    adw_preferences_group_set_description (widget, problem);
  gtk_widget_set_visible (GTK_WIDGET (self->sets[group].list), problem == NULL);

  if (problem != NULL)
    row_set_clear (&self->sets[group]);

  return problem == NULL;
}

static void
update_processes (SmOverviewPage *self,
                  SmPollResult   *result,
                  guint           group)
{
  gboolean by_cpu = group == GROUP_TOP_CPU;
  GPtrArray *processes = by_cpu ? result->top_cpu : result->top_mem;
  RowSet *set = &self->sets[group];

  if (!update_group_state (self, group, result, "processes", processes != NULL))
    return;

  row_set_begin (set);
  for (guint i = 0; i < processes->len; i++)
    {
      SmProcess *p = g_ptr_array_index (processes, i);
      g_autofree char *key = g_strdup_printf ("%u", i);
      g_autofree char *subtitle = NULL;
      g_autofree char *value = NULL;

      /* Translators: a process's id and user, as in "PID 1234 · www-data". */
      subtitle = g_strdup_printf (_("PID %u · %s"), p->pid, p->user ?: "?");
      if (by_cpu)
        value = sm_overview_format_percent (p->cpu_percent);
      else if (p->rss_bytes > 0)
        value = g_format_size (p->rss_bytes);
      else
        value = sm_overview_format_percent (p->mem_percent);

      row_set_add (set, key, p->command ?: "?", subtitle, value, NULL);
    }
  row_set_end (set);
}

static void
update_containers (SmOverviewPage *self,
                   SmPollResult   *result)
{
  RowSet *set = &self->sets[GROUP_CONTAINERS];

  if (!update_group_state (self, GROUP_CONTAINERS, result, "docker", result->containers != NULL))
    return;

  row_set_begin (set);
  for (guint i = 0; i < result->containers->len; i++)
    {
      SmContainer *c = g_ptr_array_index (result->containers, i);
      g_autofree char *value = NULL;
      const char *css = NULL;

      if (!is_empty (c->health))
        value = g_strdup_printf ("%s · %s", c->state ?: "", c->health);
      else
        value = g_strdup (c->state);

      if (g_strcmp0 (c->health, "unhealthy") == 0 || g_strcmp0 (c->state, "dead") == 0)
        css = "error";
      else if (g_strcmp0 (c->state, "running") != 0)
        css = "dim-label";

      row_set_add (set, c->name ?: "", c->name ?: "", c->image, value, css);
    }
  row_set_end (set);
}

static int
unit_compare (gconstpointer a,
              gconstpointer b)
{
  const SmUnit *ua = *(const SmUnit **) a;
  const SmUnit *ub = *(const SmUnit **) b;
  gboolean failed_a = g_strcmp0 (ua->active, "failed") == 0;
  gboolean failed_b = g_strcmp0 (ub->active, "failed") == 0;

  if (failed_a != failed_b)
    return failed_a ? -1 : 1;

  return g_strcmp0 (ua->unit, ub->unit);
}

static void
update_units (SmOverviewPage *self,
              SmPollResult   *result)
{
  RowSet *set = &self->sets[GROUP_UNITS];
  g_autoptr(GPtrArray) shown = NULL;
  guint n_active = 0;

  if (!update_group_state (self, GROUP_UNITS, result, "systemd", result->units != NULL))
    return;

  /* Units that are not active need a look; the rest is a count. */
  shown = g_ptr_array_new ();
  for (guint i = 0; i < result->units->len; i++)
    {
      SmUnit *u = g_ptr_array_index (result->units, i);

      if (g_strcmp0 (u->active, "active") == 0)
        n_active++;
      else
        g_ptr_array_add (shown, u);
    }
  g_ptr_array_sort (shown, unit_compare);

  row_set_begin (set);
  for (guint i = 0; i < shown->len; i++)
    {
      SmUnit *u = g_ptr_array_index (shown, i);
      gboolean failed = g_strcmp0 (u->active, "failed") == 0;
      g_autofree char *value = NULL;
      g_autofree char *subtitle = NULL;

      value = is_empty (u->sub) ? g_strdup (u->active)
                                : g_strdup_printf ("%s (%s)", u->active ?: "", u->sub);
      if (!is_empty (u->since))
        /* Translators: %s is a time, as in "Since Mon 2026-11-02 10:00:01 UTC". */
        subtitle = g_strdup_printf (_("Since %s"), u->since);

      row_set_add (set, u->unit ?: "", u->unit ?: "", subtitle, value,
                   failed ? "error" : "dim-label");
    }

  if (shown->len == 0)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("The only unit is active",
                                                          "All %u units are active",
                                                          n_active),
                                                n_active);

      row_set_add (set, "\n rest", title, NULL, NULL, NULL);
    }
  else if (n_active > 0)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("%u other unit is active",
                                                          "%u other units are active",
                                                          n_active),
                                                n_active);

      row_set_add (set, "\n rest", title, NULL, NULL, NULL);
    }
  row_set_end (set);
}

static int
port_compare (gconstpointer a,
              gconstpointer b)
{
  const SmListenPort *pa = *(const SmListenPort **) a;
  const SmListenPort *pb = *(const SmListenPort **) b;

  if (pa->port != pb->port)
    return pa->port < pb->port ? -1 : 1;

  return g_strcmp0 (pa->address, pb->address);
}

static void
update_ports (SmOverviewPage *self,
              SmPollResult   *result)
{
  g_autoptr(GPtrArray) sorted = NULL;

  if (!update_group_state (self, GROUP_TCP, result, "ports", result->ports != NULL) ||
      !update_group_state (self, GROUP_UDP, result, "ports", result->ports != NULL))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->udp_group), FALSE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->udp_group), TRUE);

  sorted = g_ptr_array_new ();
  for (guint i = 0; i < result->ports->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (result->ports, i));
  g_ptr_array_sort (sorted, port_compare);

  row_set_begin (&self->sets[GROUP_TCP]);
  row_set_begin (&self->sets[GROUP_UDP]);
  for (guint i = 0; i < sorted->len; i++)
    {
      SmListenPort *p = g_ptr_array_index (sorted, i);
      gboolean udp = g_str_has_prefix (p->protocol ?: "", "udp");
      RowSet *set = &self->sets[udp ? GROUP_UDP : GROUP_TCP];
      g_autofree char *key = g_strdup_printf ("%s:%s:%u", udp ? "udp" : "tcp",
                                              p->address ?: "", p->port);
      g_autofree char *title = NULL;

      if (g_hash_table_contains (set->seen, key))
        continue;

      if (p->service != NULL)
        /* Translators: a port and its service, as in "22 · SSH". */
        title = g_strdup_printf (_("%u · %s"), p->port, p->service);
      else
        title = g_strdup_printf ("%u", p->port);

      row_set_add (set, key, title, p->address, p->process, NULL);
    }
  row_set_end (&self->sets[GROUP_TCP]);
  row_set_end (&self->sets[GROUP_UDP]);

}

static void
update_specs (SmOverviewPage *self,
              SmPollResult   *result)
{
  const SmSpecs *specs = sm_server_get_specs (self->server);
  RowSet *set = &self->sets[GROUP_SPECS];
  g_autofree char *cores = NULL;
  g_autofree char *ram = NULL;
  g_autofree char *disks = NULL;
  const char *virt;

  if (specs == NULL)
    {
      update_group_state (self, GROUP_SPECS, result, "specs", FALSE);
      return;
    }

  /* Kept from an earlier poll: the section state of this one does not matter. */
  adw_preferences_group_set_description (self->specs_group, NULL);
  gtk_widget_set_visible (GTK_WIDGET (set->list), TRUE);

  if (specs->cpu_cores > 0)
    cores = g_strdup_printf ("%u", specs->cpu_cores);
  if (specs->ram_bytes > 0)
    ram = g_format_size (specs->ram_bytes);
  if (specs->disks != NULL && specs->disks->len > 0)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;

      for (guint i = 0; i < specs->disks->len; i++)
        g_strv_builder_add (builder, g_ptr_array_index (specs->disks, i));
      strv = g_strv_builder_end (builder);
      disks = g_strjoinv ("\n", strv);
    }
  virt = specs->virtualization;
  if (g_strcmp0 (virt, "none") == 0)
    virt = _("None (physical machine)");

  row_set_begin (set);
#define SPEC_ROW(key, title, value) \
  if (!is_empty (value)) \
    row_set_add (set, key, title, value, NULL, NULL)
  SPEC_ROW ("os", _("Operating System"), specs->os_name);
  SPEC_ROW ("hostname", _("Host Name"), specs->hostname);
  SPEC_ROW ("cpu", _("Processor"), specs->cpu_model);
  SPEC_ROW ("cores", _("Cores"), cores);
  SPEC_ROW ("ram", _("Memory"), ram);
  SPEC_ROW ("kernel", _("Kernel"), specs->kernel);
  SPEC_ROW ("arch", _("Architecture"), specs->arch);
  SPEC_ROW ("virt", _("Virtualization"), virt);
  SPEC_ROW ("disks", _("Disks"), disks);
#undef SPEC_ROW
  row_set_end (set);

  /* The subtitle carries the value here: not dimmed. */
  for (guint i = 0; i < 16; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (set->list, i);

      if (row == NULL)
        break;
      gtk_widget_add_css_class (GTK_WIDGET (row), "spec-row");
    }
}

static void
update_waiting (SmOverviewPage *self)
{
  SmServerStatus status = sm_server_get_status (self->server);
  const char *reason = sm_server_get_status_reason (self->server);
  gboolean waiting = TRUE;

  if (!sm_server_get_enabled (self->server) || status == SM_SERVER_STATUS_DISABLED)
    {
      adw_status_page_set_icon_name (self->status_page, "media-playback-pause-symbolic");
      adw_status_page_set_title (self->status_page, _("Not Polled"));
      adw_status_page_set_description (self->status_page,
                                       _("This server is disabled. Edit it and turn on “Enabled” to see its numbers."));
      waiting = FALSE;
    }
  else if (status == SM_SERVER_STATUS_DOWN || !is_empty (reason))
    {
      g_autofree char *capitalized = sm_overview_capitalize (reason);
      /* The description is markup; a reason can quote what a server sent. */
      g_autofree char *description = g_markup_escape_text (capitalized, -1);

      /* Polls fail for a reason the header explains: no point in waiting. */
      adw_status_page_set_icon_name (self->status_page,
                                     status == SM_SERVER_STATUS_DOWN
                                     ? "network-offline-symbolic"
                                     : "dialog-warning-symbolic");
      adw_status_page_set_title (self->status_page, _("No Data"));
      adw_status_page_set_description (self->status_page, description);
      waiting = FALSE;
    }
  else
    {
      adw_status_page_set_icon_name (self->status_page, NULL);
      adw_status_page_set_title (self->status_page, _("Waiting for the First Poll…"));
      adw_status_page_set_description (self->status_page, NULL);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), waiting);
  gtk_spinner_set_spinning (self->spinner, waiting);
}

static void
update_all (SmOverviewPage *self)
{
  SmPollResult *result;

  if (self->server == NULL)
    return;

  result = (SmPollResult *) sm_server_get_last_result (self->server);
  if (result == NULL)
    {
      update_waiting (self);
      gtk_stack_set_visible_child_name (self->stack, "waiting");
      return;
    }

  gtk_spinner_set_spinning (self->spinner, FALSE);
  update_cards (self, result);
  update_processes (self, result, GROUP_TOP_CPU);
  update_processes (self, result, GROUP_TOP_MEM);
  update_containers (self, result);
  update_units (self, result);
  update_ports (self, result);
  update_specs (self, result);

  gtk_stack_set_visible_child_name (self->stack, "content");
}

static void
clear_all (SmOverviewPage *self)
{
  GHashTableIter iter;
  Card *card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &card))
    {
      gtk_flow_box_remove (self->cards_box, card->child);
      g_hash_table_iter_remove (&iter);
    }

  for (guint i = 0; i < N_GROUPS; i++)
    row_set_clear (&self->sets[i]);

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);
}

static void
server_notify_cb (SmOverviewPage *self,
                  GParamSpec     *pspec,
                  SmServer       *server)
{
  if (g_str_equal (pspec->name, "last-poll"))
    update_all (self);
  else if (sm_server_get_last_result (server) == NULL)
    update_waiting (self);
}

static void
sm_overview_page_dispose (GObject *object)
{
  SmOverviewPage *self = SM_OVERVIEW_PAGE (object);

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, server_notify_cb, self);

  /* The stack is a template child and the bin's child: let the bin drop it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_OVERVIEW_PAGE);

  g_clear_pointer (&self->cards, g_hash_table_unref);
  for (guint i = 0; i < N_GROUPS; i++)
    {
      g_clear_pointer (&self->sets[i].rows, g_hash_table_unref);
      g_clear_pointer (&self->sets[i].seen, g_hash_table_unref);
    }
  g_clear_object (&self->server);

  G_OBJECT_CLASS (sm_overview_page_parent_class)->dispose (object);
}

static void
sm_overview_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SmOverviewPage *self = SM_OVERVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_overview_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SmOverviewPage *self = SM_OVERVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      sm_overview_page_set_server (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_overview_page_class_init (SmOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_overview_page_dispose;
  object_class->get_property = sm_overview_page_get_property;
  object_class->set_property = sm_overview_page_set_property;

  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL,
                         SM_TYPE_SERVER,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, cards_box);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, top_cpu_group);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, top_mem_group);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, containers_group);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, units_group);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, tcp_group);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, udp_group);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, specs_group);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, top_cpu_list);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, top_mem_list);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, containers_list);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, units_list);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, tcp_list);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, udp_list);
  gtk_widget_class_bind_template_child (widget_class, SmOverviewPage, specs_list);
}

static GtkWidget *
make_placeholder (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);

  return label;
}

static void
sm_overview_page_init (SmOverviewPage *self)
{
  GtkListBox *lists[N_GROUPS];

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cards = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) card_free);
  gtk_flow_box_set_sort_func (self->cards_box, cards_sort_func, NULL, NULL);

  lists[GROUP_TOP_CPU] = self->top_cpu_list;
  lists[GROUP_TOP_MEM] = self->top_mem_list;
  lists[GROUP_CONTAINERS] = self->containers_list;
  lists[GROUP_UNITS] = self->units_list;
  lists[GROUP_TCP] = self->tcp_list;
  lists[GROUP_UDP] = self->udp_list;
  lists[GROUP_SPECS] = self->specs_list;

  for (guint i = 0; i < N_GROUPS; i++)
    {
      self->sets[i].list = lists[i];
      self->sets[i].rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->sets[i].seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->sets[i].ellipsize_title = i == GROUP_TOP_CPU || i == GROUP_TOP_MEM;
    }

  gtk_list_box_set_placeholder (self->top_cpu_list, make_placeholder (_("No processes")));
  gtk_list_box_set_placeholder (self->top_mem_list, make_placeholder (_("No processes")));
  gtk_list_box_set_placeholder (self->containers_list, make_placeholder (_("No containers")));
  gtk_list_box_set_placeholder (self->units_list, make_placeholder (_("No units")));
  gtk_list_box_set_placeholder (self->tcp_list, make_placeholder (_("No listening TCP ports")));
  gtk_list_box_set_placeholder (self->udp_list, make_placeholder (_("No listening UDP ports")));
  gtk_list_box_set_placeholder (self->specs_list, make_placeholder (_("Not collected yet")));
}

GtkWidget *
sm_overview_page_new (void)
{
  return g_object_new (SM_TYPE_OVERVIEW_PAGE, NULL);
}

SmServer *
sm_overview_page_get_server (SmOverviewPage *self)
{
  g_return_val_if_fail (SM_IS_OVERVIEW_PAGE (self), NULL);

  return self->server;
}

void
sm_overview_page_set_server (SmOverviewPage *self,
                             SmServer       *server)
{
  g_return_if_fail (SM_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (server == NULL || SM_IS_SERVER (server));

  if (self->server == server)
    return;

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, server_notify_cb, self);

  g_set_object (&self->server, server);
  /* Another server's disks and processes are not this one's. */
  clear_all (self);

  if (self->server != NULL)
    {
      g_signal_connect_object (self->server, "notify",
                               G_CALLBACK (server_notify_cb), self,
                               G_CONNECT_SWAPPED);
      update_all (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

/* Test accessors */

static Card *
lookup_card (SmOverviewPage *self,
             const char     *id)
{
  return g_hash_table_lookup (self->cards, id);
}

GtkLabel *
_sm_overview_page_get_card_value (SmOverviewPage *self,
                                  const char     *id)
{
  Card *card = lookup_card (self, id);

  return card != NULL ? card->value : NULL;
}

GtkLabel *
_sm_overview_page_get_card_detail (SmOverviewPage *self,
                                   const char     *id)
{
  Card *card = lookup_card (self, id);

  return card != NULL ? card->detail : NULL;
}

SmMeter *
_sm_overview_page_get_card_meter (SmOverviewPage *self,
                                  const char     *id)
{
  Card *card = lookup_card (self, id);

  return card != NULL ? card->meter : NULL;
}

guint
_sm_overview_page_get_n_cards (SmOverviewPage *self)
{
  return g_hash_table_size (self->cards);
}

GtkScrolledWindow *
_sm_overview_page_get_scrolled_window (SmOverviewPage *self)
{
  return self->scrolled_window;
}

const char *
_sm_overview_page_get_visible_view (SmOverviewPage *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

AdwStatusPage *
_sm_overview_page_get_status_page (SmOverviewPage *self)
{
  return self->status_page;
}

AdwPreferencesGroup *
_sm_overview_page_get_group (SmOverviewPage *self,
                             const char     *group)
{
  AdwPreferencesGroup *groups[N_GROUPS] = {
    [GROUP_TOP_CPU] = self->top_cpu_group,
    [GROUP_TOP_MEM] = self->top_mem_group,
    [GROUP_CONTAINERS] = self->containers_group,
    [GROUP_UNITS] = self->units_group,
    [GROUP_TCP] = self->tcp_group,
    [GROUP_UDP] = self->udp_group,
    [GROUP_SPECS] = self->specs_group,
  };

  for (guint i = 0; i < N_GROUPS; i++)
    {
      if (g_str_equal (group, group_ids[i]))
        return groups[i];
    }

  g_return_val_if_reached (NULL);
}

AdwActionRow *
_sm_overview_page_get_row (SmOverviewPage *self,
                           const char     *group,
                           const char     *key)
{
  for (guint i = 0; i < N_GROUPS; i++)
    {
      if (g_str_equal (group, group_ids[i]))
        return g_hash_table_lookup (self->sets[i].rows, key);
    }

  g_return_val_if_reached (NULL);
}
