/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-history-page.c: charts, statistics and uptime from a server's history.
 *
 * Three kinds of query run on worker threads, each with a reference on the
 * reader and a copy of its input: the list of metrics the server has history
 * for (which decides the charts), the points of every charted metric over
 * the range, and the statistics and uptime. Each kind has its own
 * GCancellable and serial number; a callback first checks that the page
 * still exists (a weak reference, so a query in flight never keeps a closed
 * page alive) and that its serial is the newest, and drops its result
 * otherwise.
 *
 * Charts are made once per metric group and kept across queries, polls and
 * range changes; they are only added or removed when the set of metrics
 * changes. A poll of the server while the page is shown appends its values
 * to the charts; values that arrive while a query is in flight are kept and
 * added to its result, so nothing falls between the query and the poll.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sm-chart.h"
#include "sm-history-page.h"
#include "sm-history-page-private.h"
#include "sm-overview-page.h"

/* The plot width assumed before any chart has been allocated. */
#define FALLBACK_PLOT_WIDTH 640
/* What the card's padding and the value axis take from the page's width,
 * for a first guess of the plot width. */
#define PLOT_WIDTH_ALLOWANCE 96
/* The widest the content gets (the AdwClamp in the template). */
#define CONTENT_MAX_WIDTH 1100
/* A new query after a resize waits until the size has settled. */
#define RESIZE_DELAY_MS 300
#define CHART_HEIGHT 200
/* Ranges up to a day move along with new polls. */
#define FOLLOW_MAX_SECONDS (24 * 3600)
/* A swap chart is shown when the server had swap space in this time. */
#define SWAP_LOOKBACK_SECONDS (30 * 86400)
/* Below this width, the statistics table puts names on their own line. */
#define STATS_NARROW_WIDTH 640
/* A plot this much wider or narrower than queried for is queried again. */
#define RESIZE_THRESHOLD 0.2

typedef enum {
  CHART_CPU,
  CHART_MEMORY,
  CHART_SWAP,
  CHART_LOAD,
  CHART_DISK,
  CHART_NET,
  CHART_GPU,
  CHART_LATENCY,
  CHART_CHECK,
} ChartKind;

enum {
  STAT_NAME,
  STAT_MIN,
  STAT_MAX,
  STAT_AVG,
  STAT_P95,
  N_STAT_COLUMNS,
};

enum {
  UPTIME_24H,
  UPTIME_7D,
  UPTIME_30D,
  N_UPTIMES,
};

static const SmRange uptime_ranges[N_UPTIMES] = {
  [UPTIME_24H] = SM_RANGE_24H,
  [UPTIME_7D] = SM_RANGE_7D,
  [UPTIME_30D] = SM_RANGE_30D,
};

typedef struct
{
  char        *metric;
  char        *label;        /* in the chart's legend: "Received" */
  char        *stats_label;  /* in the statistics table: "Network eth0, received" */
  GArray      *pending;      /* SmSeriesPoint: polls that came during a query */
} Series;

typedef struct
{
  char        *id;
  ChartKind    kind;
  char        *key;          /* the mount, interface or index; "" otherwise */
  char        *title;
  SmValueUnit  unit;
  GPtrArray   *series;       /* Series */
  char        *signature;    /* id and metrics: a chart is remade when it changes */

  /* Owned by charts_box */
  GtkWidget   *card;
  SmChart     *chart;

  gboolean     has_model;    /* shows a query's result: polls are appended */
  gboolean     no_data;      /* says "No data for this range" */
} Chart;

typedef struct
{
  GtkWidget   *row;
  GtkBox      *box;
  GtkBox      *values;
  GtkLabel    *cells[N_STAT_COLUMNS];
  GtkLabel    *summary;      /* the values in one line, when narrow */
  gboolean     header;
} StatRow;

struct _SmHistoryPage
{
  AdwBin               parent_instance;

  /* Template widgets */
  GtkStack            *stack;
  GtkSpinner          *spinner;
  AdwStatusPage       *status_page;
  AdwStatusPage       *empty_page;
  GtkScrolledWindow   *scrolled_window;
  AdwSqueezer         *range_squeezer;
  GtkBox              *range_box;
  GtkDropDown         *range_dropdown;
  GtkBox              *charts_box;
  GtkLabel            *no_charts_label;
  AdwPreferencesGroup *stats_group;
  GtkListBox          *stats_list;
  AdwPreferencesGroup *uptime_group;
  GtkLabel            *uptime_24h_label;
  GtkLabel            *uptime_7d_label;
  GtkLabel            *uptime_30d_label;

  /* Owned by range_box */
  GtkToggleButton     *range_buttons[SM_N_RANGES];

  /* Owned references */
  SmServer            *server;
  SmHistoryReader     *reader;
  char                *unavailable_reason;
  char                *list_error;
  GHashTable          *metrics;          /* char * set: recorded or seen in a poll */
  GHashTable          *check_names;      /* "<check id>" -> name, or NULL */
  GPtrArray           *charts;           /* Chart, in the order shown */
  GHashTable          *stat_rows;        /* char *metric -> StatRow (owned by its row) */
  GtkSizeGroup        *stat_columns[N_STAT_COLUMNS];
  GCancellable        *list_cancellable;
  GCancellable        *charts_cancellable;
  GCancellable        *stats_cancellable;

  /* State */
  SmRange              range;
  gboolean             listed;           /* the metric list of this server arrived */
  gboolean             has_swap;
  gboolean             stale;            /* query again when shown */
  gboolean             disposed;
  gboolean             syncing_range;    /* the range widgets follow self->range */
  gboolean             stats_narrow;     /* the table puts names on their own line */
  guint                list_serial;
  guint                charts_serial;
  guint                stats_serial;
  gboolean             list_busy;
  gboolean             charts_busy;
  gboolean             stats_busy;
  guint                query_width;      /* the plot width the shown points were queried for */
  guint                resize_id;
  guint                layout_id;        /* the statistics table's new layout */
  guint                n_queries;
};

G_DEFINE_FINAL_TYPE (SmHistoryPage, sm_history_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void query_charts (SmHistoryPage *self);
static void query_stats  (SmHistoryPage *self);

/* Chart descriptions */

static void
series_free (Series *series)
{
  g_free (series->metric);
  g_free (series->label);
  g_free (series->stats_label);
  g_array_unref (series->pending);
  g_free (series);
}

static void
chart_free (Chart *chart)
{
  if (chart == NULL)
    return;

  g_free (chart->id);
  g_free (chart->key);
  g_free (chart->title);
  g_free (chart->signature);
  g_ptr_array_unref (chart->series);
  g_free (chart);
}

/* Takes title. */
static Chart *
chart_new (ChartKind    kind,
           const char  *id,
           const char  *key,
           char        *title,
           SmValueUnit  unit)
{
  Chart *chart = g_new0 (Chart, 1);

  chart->kind = kind;
  chart->id = g_strdup (id);
  chart->key = g_strdup (key != NULL ? key : "");
  chart->title = title;
  chart->unit = unit;
  chart->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);

  return chart;
}

/* Takes stats_label. */
static void
chart_add_series (Chart      *chart,
                  const char *metric,
                  const char *label,
                  char       *stats_label)
{
  Series *series = g_new0 (Series, 1);

  series->metric = g_strdup (metric);
  series->label = g_strdup (label);
  series->stats_label = stats_label;
  series->pending = g_array_new (FALSE, FALSE, sizeof (SmSeriesPoint));
  g_ptr_array_add (chart->series, series);
}

static Series *
chart_get_series (Chart *chart,
                  guint  index)
{
  return g_ptr_array_index (chart->series, index);
}

/* Ends the description: a chart without series is dropped. */
static void
add_chart (GPtrArray *charts,
           Chart     *chart)
{
  g_autoptr(GString) signature = g_string_new (chart->id);

  if (chart->series->len == 0)
    {
      chart_free (chart);
      return;
    }

  for (guint i = 0; i < chart->series->len; i++)
    {
      g_string_append_c (signature, '\n');
      g_string_append (signature, chart_get_series (chart, i)->metric);
    }
  chart->signature = g_string_free (g_steal_pointer (&signature), FALSE);
  g_ptr_array_add (charts, chart);
}

static int
chart_compare (gconstpointer a,
               gconstpointer b)
{
  const Chart *chart_a = *(const Chart * const *) a;
  const Chart *chart_b = *(const Chart * const *) b;
  gsize len_a, len_b;

  if (chart_a->kind != chart_b->kind)
    return chart_a->kind < chart_b->kind ? -1 : 1;

  /* GPU 2 before GPU 10. */
  len_a = strlen (chart_a->key);
  len_b = strlen (chart_b->key);
  if (chart_a->kind == CHART_GPU && len_a != len_b)
    return len_a < len_b ? -1 : 1;

  return strcmp (chart_a->key, chart_b->key);
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

static gboolean
has_metric (SmHistoryPage *self,
            const char    *metric)
{
  return g_hash_table_contains (self->metrics, metric);
}

static void
add_net_chart (SmHistoryPage *self,
               GPtrArray     *charts,
               const char    *iface)
{
  g_autofree char *id = g_strconcat ("net:", iface, NULL);
  g_autofree char *rx = g_strconcat ("net.", iface, ".rx_bps", NULL);
  g_autofree char *tx = g_strconcat ("net.", iface, ".tx_bps", NULL);
  Chart *chart;

  /* Translators: a network interface's chart, as in "Network eth0". */
  chart = chart_new (CHART_NET, id, iface, g_strdup_printf (_("Network %s"), iface),
                     SM_VALUE_UNIT_BYTES_PER_SECOND);
  if (has_metric (self, rx))
    chart_add_series (chart, rx,
                      /* Translators: the legend of bytes received per second. */
                      _("Received"),
                      /* Translators: a row of the statistics table, as in "Network eth0, received". */
                      g_strdup_printf (_("Network %s, received"), iface));
  if (has_metric (self, tx))
    chart_add_series (chart, tx,
                      /* Translators: the legend of bytes sent per second. */
                      _("Sent"),
                      /* Translators: a row of the statistics table, as in "Network eth0, sent". */
                      g_strdup_printf (_("Network %s, sent"), iface));
  add_chart (charts, chart);
}

/* The charts the metrics call for, in the order shown. */
static GPtrArray *
describe_charts (SmHistoryPage *self)
{
  GPtrArray *charts = g_ptr_array_new_with_free_func ((GDestroyNotify) chart_free);
  g_autoptr(GHashTable) ifaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  const char *name;
  Chart *chart;

  if (has_metric (self, "cpu.percent"))
    {
      chart = chart_new (CHART_CPU, "cpu", NULL, g_strdup (_("CPU")), SM_VALUE_UNIT_PERCENT);
      chart_add_series (chart, "cpu.percent", _("Usage"), g_strdup (_("CPU")));
      if (has_metric (self, "cpu.iowait"))
        chart_add_series (chart, "cpu.iowait", _("I/O Wait"), g_strdup (_("CPU, I/O wait")));
      add_chart (charts, chart);
    }

  if (has_metric (self, "mem.used_percent"))
    {
      chart = chart_new (CHART_MEMORY, "memory", NULL, g_strdup (_("Memory")), SM_VALUE_UNIT_PERCENT);
      chart_add_series (chart, "mem.used_percent", _("Used"), g_strdup (_("Memory")));
      add_chart (charts, chart);
    }

  if (self->has_swap && has_metric (self, "swap.used_percent"))
    {
      chart = chart_new (CHART_SWAP, "swap", NULL, g_strdup (_("Swap")), SM_VALUE_UNIT_PERCENT);
      chart_add_series (chart, "swap.used_percent", _("Used"), g_strdup (_("Swap")));
      add_chart (charts, chart);
    }

  if (has_metric (self, "load.1"))
    {
      chart = chart_new (CHART_LOAD, "load", NULL, g_strdup (_("Load Average")), SM_VALUE_UNIT_NONE);
      /* Translators: load averages over 1, 5 and 15 minutes, in a chart's legend. */
      chart_add_series (chart, "load.1", _("1 min"), g_strdup (_("Load, 1 min")));
      if (has_metric (self, "load.5"))
        chart_add_series (chart, "load.5", _("5 min"), g_strdup (_("Load, 5 min")));
      if (has_metric (self, "load.15"))
        chart_add_series (chart, "load.15", _("15 min"), g_strdup (_("Load, 15 min")));
      add_chart (charts, chart);
    }

  g_hash_table_iter_init (&iter, self->metrics);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    {
      g_autofree char *part = NULL;

      if ((part = metric_middle (name, "disk.", ".used_percent")) != NULL)
        {
          g_autofree char *id = g_strconcat ("disk:", part, NULL);
          /* Translators: a file system's chart, as in "Disk /home". */
          char *title = g_strdup_printf (_("Disk %s"), part);

          chart = chart_new (CHART_DISK, id, part, title, SM_VALUE_UNIT_PERCENT);
          chart_add_series (chart, name, _("Used"), g_strdup (title));
          add_chart (charts, chart);
        }
      else if ((part = metric_middle (name, "net.", ".rx_bps")) != NULL ||
               (part = metric_middle (name, "net.", ".tx_bps")) != NULL)
        {
          g_hash_table_add (ifaces, g_steal_pointer (&part));
        }
      else if ((part = metric_middle (name, "gpu.", ".util_percent")) != NULL)
        {
          g_autofree char *id = g_strconcat ("gpu:", part, NULL);
          /* Translators: %s is the GPU's index, as in "GPU 0". */
          char *title = g_strdup_printf (_("GPU %s"), part);

          chart = chart_new (CHART_GPU, id, part, title, SM_VALUE_UNIT_PERCENT);
          chart_add_series (chart, name, _("Utilization"), g_strdup (title));
          add_chart (charts, chart);
        }
    }

  g_hash_table_iter_init (&iter, ifaces);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    add_net_chart (self, charts, name);

  /* Each service check's latency and its probe's own metrics (perfdata,
   * days left, log matches); "up" is the uptime, not a chart. */
  g_hash_table_iter_init (&iter, self->metrics);
  while (self->check_names != NULL && g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    {
      const char *rest;
      const char *check_name;
      g_autofree char *id = NULL;
      g_autofree char *chart_id = NULL;
      g_autofree char *key = NULL;
      char *title;

      if (!g_str_has_prefix (name, "check."))
        continue;
      rest = strchr (name + strlen ("check."), '.');
      if (rest == NULL || g_str_equal (rest + 1, "up"))
        continue;
      id = g_strndup (name + strlen ("check."), (gsize) (rest - name - strlen ("check.")));
      check_name = g_hash_table_lookup (self->check_names, id);
      if (check_name == NULL)
        continue;
      rest++;

      chart_id = g_strconcat ("check:", name, NULL);
      key = g_strdup_printf ("%s\x1f%s", check_name, rest);
      if (g_str_equal (rest, "latency_ms"))
        {
          /* Translators: a service check's chart, as in "api: Latency". */
          title = g_strdup_printf (_("%s: Latency"), check_name);
          chart = chart_new (CHART_CHECK, chart_id, key, title, SM_VALUE_UNIT_MILLISECONDS);
          chart_add_series (chart, name, _("Latency"), g_strdup (title));
        }
      else
        {
          SmValueUnit unit = g_str_has_suffix (rest, "_ms") ? SM_VALUE_UNIT_MILLISECONDS
                             : g_str_has_suffix (rest, "_pct") || g_str_has_suffix (rest, "_percent")
                             ? SM_VALUE_UNIT_PERCENT : SM_VALUE_UNIT_NONE;

          /* Translators: a service check's metric, as in "api: perf.load1". */
          title = g_strdup_printf (_("%s: %s"), check_name, rest);
          chart = chart_new (CHART_CHECK, chart_id, key, title, unit);
          chart_add_series (chart, name, rest, g_strdup (title));
        }
      add_chart (charts, chart);
    }

  if (has_metric (self, "poll.latency_ms"))
    {
      chart = chart_new (CHART_LATENCY, "latency", NULL, g_strdup (_("Poll Latency")),
                         SM_VALUE_UNIT_MILLISECONDS);
      chart_add_series (chart, "poll.latency_ms", _("Latency"), g_strdup (_("Poll latency")));
      add_chart (charts, chart);
    }

  g_ptr_array_sort (charts, chart_compare);

  return charts;
}

static void
chart_make_widget (SmHistoryPage *self,
                   Chart         *chart)
{
  chart->chart = SM_CHART (sm_chart_new ());
  sm_chart_set_title (chart->chart, chart->title);
  gtk_widget_set_hexpand (GTK_WIDGET (chart->chart), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (chart->chart), -1, CHART_HEIGHT);

  chart->card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (chart->card, "card");
  gtk_widget_add_css_class (chart->card, "history-chart");
  gtk_box_append (GTK_BOX (chart->card), GTK_WIDGET (chart->chart));
  gtk_box_append (self->charts_box, chart->card);
}

/* Makes the chart widgets match the metrics: widgets of unchanged charts are
 * kept (with what they show), new ones added, gone ones removed. Returns
 * whether anything changed. */
static gboolean
sync_charts (SmHistoryPage *self)
{
  g_autoptr(GPtrArray) wanted = describe_charts (self);
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->charts);
  GtkWidget *previous = NULL;
  gboolean changed = FALSE;

  self->charts = g_ptr_array_new_with_free_func ((GDestroyNotify) chart_free);

  for (guint i = 0; i < wanted->len; i++)
    {
      Chart *chart = g_ptr_array_index (wanted, i);

      for (guint j = 0; j < old->len; j++)
        {
          Chart *kept = g_ptr_array_index (old, j);

          if (kept != NULL && g_str_equal (kept->signature, chart->signature))
            {
              old->pdata[j] = NULL;
              chart = kept;
              break;
            }
        }

      if (chart == g_ptr_array_index (wanted, i))
        {
          wanted->pdata[i] = NULL;
          chart_make_widget (self, chart);
          changed = TRUE;
        }

      g_ptr_array_add (self->charts, chart);
      gtk_box_reorder_child_after (self->charts_box, chart->card, previous);
      previous = chart->card;
    }

  for (guint j = 0; j < old->len; j++)
    {
      Chart *gone = g_ptr_array_index (old, j);

      if (gone == NULL)
        continue;
      gtk_box_remove (self->charts_box, gone->card);
      changed = TRUE;
    }

  return changed;
}

static void
clear_charts (SmHistoryPage *self)
{
  for (guint i = 0; i < self->charts->len; i++)
    {
      Chart *chart = g_ptr_array_index (self->charts, i);

      gtk_box_remove (self->charts_box, chart->card);
    }
  g_ptr_array_set_size (self->charts, 0);
}

static void
clear_stats (SmHistoryPage *self)
{
  GtkWidget *child;

  /* gtk_list_box_remove_all() is GTK 4.12. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->stats_list))) != NULL)
    gtk_list_box_remove (self->stats_list, child);
  g_hash_table_remove_all (self->stat_rows);
}

/* Formatting */

static char *
format_uptime (double percent)
{
  g_autofree char *number = NULL;

  if (!isfinite (percent))
    return g_strdup ("—");

  /* Near 100 %, the difference matters: 99.95 % is not 100 %. */
  if (percent >= 99 && percent < 100)
    {
      number = g_strdup_printf ("%.2f", floor (percent * 100) / 100);
      /* Translators: a percentage, "42 %". */
      return g_strdup_printf (_("%s %%"), number);
    }

  return sm_format_value (percent, SM_VALUE_UNIT_PERCENT);
}

/* Queries */

/* What a worker needs, copied: workers never touch the page. */
typedef struct
{
  SmHistoryReader *reader;
  gint64           server_id;
  gint64           start;
  gint64           end;
  guint            width;
  guint            interval;
  GStrv            metrics;
} QueryInput;

static void
query_input_free (QueryInput *input)
{
  g_clear_pointer (&input->reader, sm_history_reader_unref);
  g_strfreev (input->metrics);
  g_free (input);
}

static QueryInput *
query_input_new (SmHistoryPage *self)
{
  QueryInput *input = g_new0 (QueryInput, 1);

  input->reader = sm_history_reader_ref (self->reader);
  input->server_id = sm_server_get_id (self->server);
  input->end = g_get_real_time () / G_USEC_PER_SEC;
  input->start = input->end - sm_range_get_seconds (self->range);
  input->interval = sm_server_get_interval (self->server);

  return input;
}

/* The page as a callback finds it: gone, or busy with something newer. */
typedef struct
{
  GWeakRef page;
  guint    serial;
} Caller;

static Caller *
caller_new (SmHistoryPage *self,
            guint          serial)
{
  Caller *caller = g_new0 (Caller, 1);

  g_weak_ref_init (&caller->page, self);
  caller->serial = serial;

  return caller;
}

static void
caller_free (Caller *caller)
{
  g_weak_ref_clear (&caller->page);
  g_free (caller);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Caller, caller_free)

static void
replace_cancellable (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
}

static void
cancel_all (SmHistoryPage *self)
{
  /* A new serial makes any late callback drop its result. */
  self->list_serial++;
  self->charts_serial++;
  self->stats_serial++;
  self->list_busy = self->charts_busy = self->stats_busy = FALSE;
  g_cancellable_cancel (self->list_cancellable);
  g_cancellable_cancel (self->charts_cancellable);
  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->charts_cancellable);
  g_clear_object (&self->stats_cancellable);
  g_clear_handle_id (&self->resize_id, g_source_remove);
}

/* The metric list */

typedef struct
{
  GPtrArray *metrics;   /* char * */
  gboolean   has_swap;
} ListOutput;

static void
list_output_free (ListOutput *output)
{
  g_clear_pointer (&output->metrics, g_ptr_array_unref);
  g_free (output);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ListOutput, list_output_free)

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  QueryInput *input = task_data;
  g_autoptr(ListOutput) output = g_new0 (ListOutput, 1);
  g_autoptr(GError) error = NULL;

  output->metrics = sm_history_reader_list_metrics (input->reader, input->server_id, &error);
  if (output->metrics == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Hosts without swap report 0 % of nothing: a swap chart needs a size. */
  for (guint i = 0; i < output->metrics->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (output->metrics, i), "swap.total"))
        {
          SmStats stats;

          if (sm_history_reader_get_stats (input->reader, input->server_id, "swap.total",
                                           input->end - SWAP_LOOKBACK_SECONDS, input->end,
                                           &stats, NULL))
            output->has_swap = stats.count > 0 && stats.max > 0;
          break;
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&output), (GDestroyNotify) list_output_free);
}

static double
result_value (SmPollResult *result,
              const char   *metric)
{
  if (g_str_equal (metric, "poll.latency_ms"))
    return result->latency_ms > 0 ? result->latency_ms : NAN;

  return sm_poll_result_get_metric (result, metric);
}

/* Adds what a poll measured to the known metrics. */
static void
merge_result (SmHistoryPage *self,
              SmPollResult  *result)
{
  double swap_total;

  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmMetric *m = &g_array_index (result->metrics, SmMetric, i);

      if (!g_hash_table_contains (self->metrics, m->name))
        g_hash_table_add (self->metrics, g_strdup (m->name));
    }
  if (isfinite (result_value (result, "poll.latency_ms")) &&
      !g_hash_table_contains (self->metrics, "poll.latency_ms"))
    g_hash_table_add (self->metrics, g_strdup ("poll.latency_ms"));

  swap_total = sm_poll_result_get_metric (result, "swap.total");
  if (!isnan (swap_total))
    self->has_swap = swap_total > 0;
}

static void
update_view (SmHistoryPage *self)
{
  const char *view;
  gboolean has_charts = self->charts->len > 0;

  if (self->reader == NULL)
    {
      g_autofree char *escaped = NULL;

      if (self->unavailable_reason != NULL)
        escaped = g_markup_escape_text (self->unavailable_reason, -1);
      adw_status_page_set_title (self->status_page, _("History Is Not Available"));
      adw_status_page_set_description (self->status_page,
                                       escaped != NULL ? escaped : _("The history database could not be opened."));
      view = "unavailable";
    }
  else if (self->list_error != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (self->list_error, -1);

      adw_status_page_set_title (self->status_page, _("Could Not Read the History"));
      adw_status_page_set_description (self->status_page, escaped);
      view = "unavailable";
    }
  else if (self->server == NULL || !self->listed)
    {
      view = "loading";
    }
  else if (g_hash_table_size (self->metrics) == 0)
    {
      if (sm_server_get_enabled (self->server))
        adw_status_page_set_description (self->empty_page,
                                         _("Charts appear here after the first poll."));
      else
        adw_status_page_set_description (self->empty_page,
                                         _("This server is disabled. Edit it and turn on “Enabled” to record its history."));
      view = "empty";
    }
  else
    {
      view = "content";
    }

  gtk_widget_set_visible (GTK_WIDGET (self->charts_box), has_charts);
  gtk_widget_set_visible (GTK_WIDGET (self->no_charts_label), !has_charts);
  gtk_widget_set_visible (GTK_WIDGET (self->stats_group), has_charts);
  gtk_spinner_set_spinning (self->spinner, g_str_equal (view, "loading"));
  gtk_stack_set_visible_child_name (self->stack, view);
}

static void
list_done_cb (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Caller) caller = user_data;
  g_autoptr(SmHistoryPage) self = g_weak_ref_get (&caller->page);
  g_autoptr(ListOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  SmPollResult *last;

  output = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL || self->disposed || caller->serial != self->list_serial)
    return;

  self->list_busy = FALSE;
  if (output == NULL)
    {
      self->list_error = g_strdup (error->message);
      update_view (self);
      return;
    }

  self->listed = TRUE;
  g_hash_table_remove_all (self->metrics);
  for (guint i = 0; i < output->metrics->len; i++)
    g_hash_table_add (self->metrics, g_strdup (g_ptr_array_index (output->metrics, i)));
  self->has_swap = output->has_swap;

  /* A poll the writer has not committed yet counts too. */
  last = (SmPollResult *) sm_server_get_last_result (self->server);
  if (last != NULL)
    merge_result (self, last);

  sync_charts (self);
  update_view (self);
  query_charts (self);
  query_stats (self);
}

/* Starts over: the metric list, then the charts and the statistics. Only
 * while shown; otherwise that waits until the page is shown. */
static void
refresh (SmHistoryPage *self)
{
  g_autoptr(GTask) task = NULL;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      update_view (self);
      return;
    }

  self->stale = FALSE;
  if (self->reader == NULL || self->server == NULL)
    {
      update_view (self);
      return;
    }

  replace_cancellable (&self->list_cancellable);
  g_clear_pointer (&self->list_error, g_free);
  self->list_busy = TRUE;

  task = g_task_new (NULL, self->list_cancellable, list_done_cb,
                     caller_new (self, ++self->list_serial));
  g_task_set_source_tag (task, refresh);
  g_task_set_task_data (task, query_input_new (self), (GDestroyNotify) query_input_free);
  g_task_run_in_thread (task, list_thread);

  update_view (self);
}

/* Forgets everything shown: another server or another reader. */
static void
reset (SmHistoryPage *self)
{
  cancel_all (self);
  clear_charts (self);
  g_hash_table_remove_all (self->metrics);
  g_clear_pointer (&self->list_error, g_free);
  self->listed = FALSE;
  self->has_swap = FALSE;
  self->query_width = 0;

  clear_stats (self);
  gtk_label_set_label (self->uptime_24h_label, "—");
  gtk_label_set_label (self->uptime_7d_label, "—");
  gtk_label_set_label (self->uptime_30d_label, "—");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);

  refresh (self);
}

/* The charts' points */

typedef struct
{
  GPtrArray *series;    /* SmSeries, NULL where the query failed */
  GPtrArray *errors;    /* char *, NULL where it worked */
} ChartsOutput;

static void
series_free_nullable (SmSeries *series)
{
  if (series != NULL)
    sm_series_free (series);
}

static void
charts_output_free (ChartsOutput *output)
{
  g_ptr_array_unref (output->series);
  g_ptr_array_unref (output->errors);
  g_free (output);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChartsOutput, charts_output_free)

static void
charts_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  QueryInput *input = task_data;
  g_autoptr(ChartsOutput) output = g_new0 (ChartsOutput, 1);

  output->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free_nullable);
  output->errors = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; input->metrics[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      SmSeries *series;

      if (g_task_return_error_if_cancelled (task))
        return;

      series = sm_history_reader_query (input->reader, input->server_id, input->metrics[i],
                                        input->start, input->end, input->width,
                                        input->interval, &error);
      g_ptr_array_add (output->series, series);
      g_ptr_array_add (output->errors, series == NULL ? g_strdup (error->message) : NULL);
    }

  g_task_return_pointer (task, g_steal_pointer (&output), (GDestroyNotify) charts_output_free);
}

static void
chart_show_message (Chart      *chart,
                    const char *message)
{
  sm_chart_set_placeholder (chart->chart, message);
  chart->has_model = FALSE;
  chart->no_data = FALSE;
}

static void
charts_done_cb (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Caller) caller = user_data;
  g_autoptr(SmHistoryPage) self = g_weak_ref_get (&caller->page);
  g_autoptr(ChartsOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  QueryInput *input = g_task_get_task_data (G_TASK (result));
  gboolean follow;
  guint k = 0;

  output = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL || self->disposed || caller->serial != self->charts_serial)
    return;

  self->charts_busy = FALSE;
  if (output == NULL)
    {
      for (guint i = 0; i < self->charts->len; i++)
        chart_show_message (g_ptr_array_index (self->charts, i), error->message);
      return;
    }

  follow = input->end - input->start <= FOLLOW_MAX_SECONDS;

  /* The charts are the ones queried: a change of charts queries again. */
  for (guint i = 0; i < self->charts->len; i++)
    {
      Chart *chart = g_ptr_array_index (self->charts, i);
      g_autoptr(SmChartModel) model = NULL;
      const char *message = NULL;
      gboolean empty = TRUE;

      g_assert (k + chart->series->len <= output->series->len);

      for (guint j = 0; j < chart->series->len && message == NULL; j++)
        message = g_ptr_array_index (output->errors, k + j);
      if (message != NULL)
        {
          chart_show_message (chart, message);
          k += chart->series->len;
          continue;
        }

      model = sm_chart_model_new (chart->unit);
      sm_chart_model_set_title (model, chart->title);
      sm_chart_model_set_range (model, input->start, input->end, follow);

      for (guint j = 0; j < chart->series->len; j++, k++)
        {
          Series *series = chart_get_series (chart, j);
          SmSeries *points = g_steal_pointer (&output->series->pdata[k]);
          guint index = sm_chart_model_add_series (model, series->label, points);

          /* Polls since the query started; older ones are in the result. */
          for (guint p = 0; p < series->pending->len; p++)
            {
              const SmSeriesPoint *point = &g_array_index (series->pending, SmSeriesPoint, p);

              sm_chart_model_append (model, index, point->t, point->avg);
            }
          g_array_set_size (series->pending, 0);

          if (sm_chart_model_get_series (model, index)->points->len > 0)
            empty = FALSE;
        }

      sm_chart_set_model (chart->chart, model);
      sm_chart_set_placeholder (chart->chart, empty ? _("No data for this range") : NULL);
      chart->has_model = TRUE;
      chart->no_data = empty;
    }
}

static guint
get_plot_width (SmHistoryPage *self)
{
  for (guint i = 0; i < self->charts->len; i++)
    {
      Chart *chart = g_ptr_array_index (self->charts, i);
      int width = sm_chart_get_plot_width (chart->chart);

      if (width > 0)
        return width;
    }

  return 0;
}

/* The plot width for a query: the charts' own once they have one, else a
 * guess from the page's width. */
static guint
guess_plot_width (SmHistoryPage *self)
{
  guint width = get_plot_width (self);
  int page_width;

  if (width > 0)
    return width;

  page_width = gtk_widget_get_width (GTK_WIDGET (self));
  if (page_width <= 0)
    return FALLBACK_PLOT_WIDTH;

  return MAX (100, MIN (page_width, CONTENT_MAX_WIDTH) - PLOT_WIDTH_ALLOWANCE);
}

static void
query_charts (SmHistoryPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GTask) task = NULL;
  QueryInput *input;

  g_clear_handle_id (&self->resize_id, g_source_remove);
  if (self->charts->len == 0 || self->reader == NULL || self->server == NULL)
    return;

  replace_cancellable (&self->charts_cancellable);

  for (guint i = 0; i < self->charts->len; i++)
    {
      Chart *chart = g_ptr_array_index (self->charts, i);

      chart_show_message (chart, _("Loading…"));
      for (guint j = 0; j < chart->series->len; j++)
        {
          Series *series = chart_get_series (chart, j);

          g_array_set_size (series->pending, 0);
          g_strv_builder_add (builder, series->metric);
        }
    }

  input = query_input_new (self);
  input->width = guess_plot_width (self);
  input->metrics = g_strv_builder_end (builder);
  self->query_width = input->width;
  self->charts_busy = TRUE;
  self->n_queries++;

  task = g_task_new (NULL, self->charts_cancellable, charts_done_cb,
                     caller_new (self, ++self->charts_serial));
  g_task_set_source_tag (task, query_charts);
  g_task_set_task_data (task, input, (GDestroyNotify) query_input_free);
  g_task_run_in_thread (task, charts_thread);
}

/* Statistics and uptime */

typedef struct
{
  GArray    *stats;             /* SmStats, by metric */
  GPtrArray *errors;            /* char *, NULL where it worked */
  double     uptime[N_UPTIMES];
} StatsOutput;

static void
stats_output_free (StatsOutput *output)
{
  g_array_unref (output->stats);
  g_ptr_array_unref (output->errors);
  g_free (output);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StatsOutput, stats_output_free)

static void
stats_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryInput *input = task_data;
  g_autoptr(StatsOutput) output = g_new0 (StatsOutput, 1);

  output->stats = g_array_new (FALSE, TRUE, sizeof (SmStats));
  output->errors = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; input->metrics[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      SmStats stats = { NAN, NAN, NAN, NAN, 0, TRUE };

      if (g_task_return_error_if_cancelled (task))
        return;

      if (!sm_history_reader_get_stats (input->reader, input->server_id, input->metrics[i],
                                        input->start, input->end, &stats, &error))
        {
          stats = (SmStats) { NAN, NAN, NAN, NAN, 0, TRUE };
          g_ptr_array_add (output->errors, g_strdup (error->message));
        }
      else
        {
          g_ptr_array_add (output->errors, NULL);
        }
      g_array_append_val (output->stats, stats);
    }

  for (guint i = 0; i < N_UPTIMES; i++)
    {
      gint64 start = input->end - sm_range_get_seconds (uptime_ranges[i]);

      output->uptime[i] = NAN;
      if (g_task_return_error_if_cancelled (task))
        return;
      if (!sm_history_reader_get_uptime (input->reader, input->server_id, start, input->end,
                                         &output->uptime[i], NULL))
        output->uptime[i] = NAN;
    }

  g_task_return_pointer (task, g_steal_pointer (&output), (GDestroyNotify) stats_output_free);
}

static GtkLabel *
stat_cell_new (SmHistoryPage *self,
               StatRow       *row,
               guint          column)
{
  GtkWidget *label = gtk_label_new (NULL);

  if (column == STAT_NAME)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      /* Never narrower than the ellipsis (GTK 4.8 warns when natural < minimum). */
      gtk_label_set_width_chars (GTK_LABEL (label), 3);
      gtk_widget_set_hexpand (label, TRUE);
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
      gtk_size_group_add_widget (self->stat_columns[column], label);
    }

  row->cells[column] = GTK_LABEL (label);

  return GTK_LABEL (label);
}

/* Wide, a row is one line: name, min, max, average, 95th percentile. Narrow,
 * a row is the name above a line that names the four values, and the
 * header goes. */
static void
stat_row_apply_layout (SmHistoryPage *self,
                       StatRow       *row)
{
  gboolean narrow = self->stats_narrow;

  if (row->header)
    {
      gtk_widget_set_visible (row->row, !narrow);
      gtk_widget_set_visible (GTK_WIDGET (row->summary), FALSE);
      return;
    }

  gtk_orientable_set_orientation (GTK_ORIENTABLE (row->box),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  gtk_box_set_spacing (row->box, narrow ? 3 : 18);
  gtk_widget_set_visible (GTK_WIDGET (row->values), !narrow);
  gtk_widget_set_visible (GTK_WIDGET (row->summary), narrow);
}

static void
apply_stats_layout (SmHistoryPage *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->stats_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      StatRow *row = g_object_get_data (G_OBJECT (child), "sm-stat-row");

      if (row != NULL)
        stat_row_apply_layout (self, row);
    }
}

static gboolean
apply_stats_layout_cb (gpointer user_data)
{
  SmHistoryPage *self = user_data;

  self->layout_id = 0;
  apply_stats_layout (self);

  return G_SOURCE_REMOVE;
}

/* One line of the table (owned by the list); the header when metric is NULL. */
static StatRow *
stat_row_new (SmHistoryPage *self,
              const char    *metric)
{
  StatRow *row = g_new0 (StatRow, 1);

  row->header = metric == NULL;
  row->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18));
  gtk_widget_set_margin_top (GTK_WIDGET (row->box), row->header ? 9 : 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (row->box), row->header ? 9 : 12);
  gtk_widget_set_margin_start (GTK_WIDGET (row->box), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (row->box), 12);
  gtk_box_append (row->box, GTK_WIDGET (stat_cell_new (self, row, STAT_NAME)));

  row->values = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18));
  for (guint c = STAT_MIN; c < N_STAT_COLUMNS; c++)
    gtk_box_append (row->values, GTK_WIDGET (stat_cell_new (self, row, c)));
  gtk_box_append (row->box, GTK_WIDGET (row->values));

  row->summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (row->summary, 0);
  gtk_label_set_wrap (row->summary, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (row->summary), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (row->summary), "numeric");
  gtk_box_append (row->box, GTK_WIDGET (row->summary));

  row->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->row), GTK_WIDGET (row->box));
  g_object_set_data_full (G_OBJECT (row->row), "sm-stat-row", row, g_free);
  gtk_list_box_append (self->stats_list, row->row);

  if (row->header)
    {
      static const char *headings[N_STAT_COLUMNS] = {
        N_("Metric"), N_("Min"), N_("Max"), N_("Average"), N_("95th Percentile"),
      };

      gtk_widget_set_focusable (row->row, FALSE);
      for (guint c = 0; c < N_STAT_COLUMNS; c++)
        {
          gtk_label_set_label (row->cells[c], _(headings[c]));
          gtk_widget_add_css_class (GTK_WIDGET (row->cells[c]), "caption-heading");
          gtk_widget_add_css_class (GTK_WIDGET (row->cells[c]), "dim-label");
        }
    }

  stat_row_apply_layout (self, row);

  return row;
}

/* "Min 10 % · Max 49 % · Average 29.5 % · 95th percentile 47 %", wrapping
 * only between the parts. */
static char *
format_summary (StatRow *row)
{
  char *parts[N_STAT_COLUMNS - STAT_MIN + 1] = { NULL, };
  g_autofree char *joined = NULL;

  /* Translators: the values of a statistics row when the window is narrow,
   * shown as "Min 10 % · Max 49 % · Average 29.5 % · 95th percentile 47 %". */
  parts[0] = g_strdup_printf (_("Min %s"), gtk_label_get_label (row->cells[STAT_MIN]));
  parts[1] = g_strdup_printf (_("Max %s"), gtk_label_get_label (row->cells[STAT_MAX]));
  parts[2] = g_strdup_printf (_("Average %s"), gtk_label_get_label (row->cells[STAT_AVG]));
  parts[3] = g_strdup_printf (_("95th percentile %s"), gtk_label_get_label (row->cells[STAT_P95]));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *unbroken = sm_overview_no_break (parts[i]);

      g_free (parts[i]);
      parts[i] = unbroken;
    }
  joined = g_strjoinv (" · ", parts);
  for (guint i = 0; parts[i] != NULL; i++)
    g_free (parts[i]);

  return g_steal_pointer (&joined);
}

static void
stats_done_cb (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Caller) caller = user_data;
  g_autoptr(SmHistoryPage) self = g_weak_ref_get (&caller->page);
  g_autoptr(StatsOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  GtkLabel *uptime_labels[N_UPTIMES];
  guint k = 0;

  output = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL || self->disposed || caller->serial != self->stats_serial)
    return;

  self->stats_busy = FALSE;

  clear_stats (self);

  if (output == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_preferences_group_set_description (self->stats_group, escaped);
      return;
    }

  stat_row_new (self, NULL);

  for (guint i = 0; i < self->charts->len; i++)
    {
      Chart *chart = g_ptr_array_index (self->charts, i);

      for (guint j = 0; j < chart->series->len; j++, k++)
        {
          Series *series = chart_get_series (chart, j);
          const SmStats *stats = &g_array_index (output->stats, SmStats, k);
          const char *message = g_ptr_array_index (output->errors, k);
          StatRow *row = stat_row_new (self, series->metric);
          g_autofree char *min = NULL;
          g_autofree char *max = NULL;
          g_autofree char *avg = NULL;
          g_autofree char *p95 = NULL;
          g_autofree char *summary = NULL;

          g_assert (k < output->stats->len);

          if (stats->count > 0)
            {
              min = sm_format_value (stats->min, chart->unit);
              max = sm_format_value (stats->max, chart->unit);
              avg = sm_format_value (stats->avg, chart->unit);
              p95 = sm_format_value (stats->p95, chart->unit);
            }

          gtk_label_set_label (row->cells[STAT_NAME], series->stats_label);
          gtk_widget_set_tooltip_text (GTK_WIDGET (row->cells[STAT_NAME]),
                                       message != NULL ? message : series->stats_label);
          gtk_label_set_label (row->cells[STAT_MIN], min != NULL ? min : "—");
          gtk_label_set_label (row->cells[STAT_MAX], max != NULL ? max : "—");
          gtk_label_set_label (row->cells[STAT_AVG], avg != NULL ? avg : "—");

          if (p95 != NULL && !stats->p95_exact)
            {
              /* Translators: an estimated value, as in "≈ 42 %". */
              g_autofree char *estimated = g_strdup_printf (_("≈ %s"), p95);

              gtk_label_set_label (row->cells[STAT_P95], estimated);
              gtk_widget_set_tooltip_text (GTK_WIDGET (row->cells[STAT_P95]),
                                           _("Estimated from 1-minute/1-hour averages"));
            }
          else
            {
              gtk_label_set_label (row->cells[STAT_P95], p95 != NULL ? p95 : "—");
            }

          summary = format_summary (row);
          gtk_label_set_label (row->summary, summary);
          gtk_widget_set_tooltip_text (GTK_WIDGET (row->summary),
                                       gtk_widget_get_tooltip_text (GTK_WIDGET (row->cells[STAT_P95])));

          g_hash_table_insert (self->stat_rows, g_strdup (series->metric), row);
        }
    }

  {
    g_autofree char *description = NULL;

    /* Translators: %s is a time range label ("15 min", "24 h", "7 d",
     * "1 y"), as in "Over the last 24 h"; phrase it so that any of them
     * fits, e.g. "Range: %s up to now". */
    description = g_strdup_printf (_("Over the last %s"), sm_range_to_label (self->range));
    adw_preferences_group_set_description (self->stats_group, description);
  }

  uptime_labels[UPTIME_24H] = self->uptime_24h_label;
  uptime_labels[UPTIME_7D] = self->uptime_7d_label;
  uptime_labels[UPTIME_30D] = self->uptime_30d_label;
  for (guint i = 0; i < N_UPTIMES; i++)
    {
      g_autofree char *text = format_uptime (output->uptime[i]);

      gtk_label_set_label (uptime_labels[i], text);
    }
}

static void
query_stats (SmHistoryPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GTask) task = NULL;
  QueryInput *input;

  if (self->reader == NULL || self->server == NULL)
    return;

  replace_cancellable (&self->stats_cancellable);

  for (guint i = 0; i < self->charts->len; i++)
    {
      Chart *chart = g_ptr_array_index (self->charts, i);

      for (guint j = 0; j < chart->series->len; j++)
        g_strv_builder_add (builder, chart_get_series (chart, j)->metric);
    }

  input = query_input_new (self);
  input->metrics = g_strv_builder_end (builder);
  self->stats_busy = TRUE;
  self->n_queries++;

  task = g_task_new (NULL, self->stats_cancellable, stats_done_cb,
                     caller_new (self, ++self->stats_serial));
  g_task_set_source_tag (task, query_stats);
  g_task_set_task_data (task, input, (GDestroyNotify) query_input_free);
  g_task_run_in_thread (task, stats_thread);
}

/* Queries the range again (the range changed, or the width). */
static void
requery (SmHistoryPage *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }

  /* A list in flight queries the charts when it arrives. */
  if (!self->listed)
    return;

  query_charts (self);
  query_stats (self);
}

/* Live polls */

static void
append_poll (SmHistoryPage *self,
             SmPollResult  *result)
{
  gint64 t = result->time_us / G_USEC_PER_SEC;

  for (guint i = 0; i < self->charts->len; i++)
    {
      Chart *chart = g_ptr_array_index (self->charts, i);
      gboolean appended = FALSE;

      for (guint j = 0; j < chart->series->len; j++)
        {
          Series *series = chart_get_series (chart, j);
          double value = result_value (result, series->metric);

          if (!isfinite (value))
            continue;

          if (chart->has_model)
            {
              sm_chart_append (chart->chart, j, t, value);
              appended = TRUE;
            }
          else if (self->charts_busy)
            {
              SmSeriesPoint point = { t, value, value, value, 1 };

              g_array_append_val (series->pending, point);
            }
        }

      if (appended && chart->no_data)
        {
          sm_chart_set_placeholder (chart->chart, NULL);
          chart->no_data = FALSE;
        }
    }
}

static void
poll_finished (SmHistoryPage *self)
{
  SmPollResult *result = (SmPollResult *) sm_server_get_last_result (self->server);

  /* A failed poll has no numbers to draw. */
  if (result == NULL)
    return;

  /* Hidden: catch up in one query when shown again. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }

  /* The list in flight takes this poll's metrics into account. */
  if (!self->listed)
    return;

  merge_result (self, result);
  if (sync_charts (self))
    {
      /* A new disk or interface: its chart needs points from the start. */
      update_view (self);
      query_charts (self);
      query_stats (self);
      return;
    }

  if (g_str_equal (gtk_stack_get_visible_child_name (self->stack), "empty"))
    update_view (self);

  append_poll (self, result);
}

static void
server_notify_cb (SmHistoryPage *self,
                  GParamSpec    *pspec,
                  SmServer      *server)
{
  if (g_str_equal (pspec->name, "last-poll"))
    poll_finished (self);
  else if (g_str_equal (pspec->name, "enabled") && self->listed)
    update_view (self);
}

/* Width changes */

static gboolean
resize_timeout_cb (gpointer user_data)
{
  SmHistoryPage *self = user_data;
  guint width = get_plot_width (self);

  self->resize_id = 0;
  /* The statistics do not depend on the width. */
  if (width > 0 && self->query_width > 0 && self->listed &&
      gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      fabs ((double) width - self->query_width) > self->query_width * RESIZE_THRESHOLD)
    query_charts (self);

  return G_SOURCE_REMOVE;
}

/* The viewport's width (the horizontal adjustment's page size) changed:
 * the statistics table follows at once; once the width settles, the charts
 * are queried again if the plot became much wider or narrower than their
 * points were decimated for. */
static void
viewport_width_cb (SmHistoryPage *self,
                   GParamSpec    *pspec,
                   GtkAdjustment *adjustment)
{
  gboolean narrow;

  if (self->disposed)
    return;

  /* This runs while the page is being allocated: the table changes its
   * layout afterwards, not in the middle of it. */
  narrow = gtk_adjustment_get_page_size (adjustment) < STATS_NARROW_WIDTH;
  if (narrow != self->stats_narrow)
    {
      self->stats_narrow = narrow;
      if (self->layout_id == 0)
        self->layout_id = g_idle_add (apply_stats_layout_cb, self);
    }

  if (self->query_width == 0 || !self->listed)
    return;

  g_clear_handle_id (&self->resize_id, g_source_remove);
  self->resize_id = g_timeout_add (RESIZE_DELAY_MS, resize_timeout_cb, self);
}

/* The range selector */

static void
sync_range_widgets (SmHistoryPage *self)
{
  self->syncing_range = TRUE;
  gtk_toggle_button_set_active (self->range_buttons[self->range], TRUE);
  gtk_drop_down_set_selected (self->range_dropdown, self->range);
  self->syncing_range = FALSE;
}

static void
range_toggled_cb (SmHistoryPage   *self,
                  GtkToggleButton *button)
{
  if (self->disposed || self->syncing_range || !gtk_toggle_button_get_active (button))
    return;

  sm_history_page_set_range (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "sm-range")));
}

static void
range_dropdown_selected_cb (SmHistoryPage *self,
                            GParamSpec    *pspec,
                            GtkDropDown   *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->disposed || self->syncing_range || selected >= SM_N_RANGES)
    return;

  sm_history_page_set_range (self, selected);
}

/* GObject */

static void
sm_history_page_map (GtkWidget *widget)
{
  SmHistoryPage *self = SM_HISTORY_PAGE (widget);

  GTK_WIDGET_CLASS (sm_history_page_parent_class)->map (widget);

  if (self->stale)
    refresh (self);
}

static void
sm_history_page_unmap (GtkWidget *widget)
{
  SmHistoryPage *self = SM_HISTORY_PAGE (widget);

  g_clear_handle_id (&self->resize_id, g_source_remove);
  gtk_spinner_set_spinning (self->spinner, FALSE);

  GTK_WIDGET_CLASS (sm_history_page_parent_class)->unmap (widget);
}

static void
sm_history_page_dispose (GObject *object)
{
  SmHistoryPage *self = SM_HISTORY_PAGE (object);

  self->disposed = TRUE;
  cancel_all (self);
  g_clear_handle_id (&self->layout_id, g_source_remove);

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, server_notify_cb, self);

  /* The stack is a template child and the bin's child: let the bin drop it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_HISTORY_PAGE);

  g_clear_pointer (&self->charts, g_ptr_array_unref);
  g_clear_pointer (&self->stat_rows, g_hash_table_unref);
  g_clear_pointer (&self->metrics, g_hash_table_unref);
  g_clear_pointer (&self->check_names, g_hash_table_unref);
  for (guint i = 0; i < N_STAT_COLUMNS; i++)
    g_clear_object (&self->stat_columns[i]);
  g_clear_object (&self->server);
  g_clear_pointer (&self->reader, sm_history_reader_unref);
  g_clear_pointer (&self->unavailable_reason, g_free);
  g_clear_pointer (&self->list_error, g_free);

  G_OBJECT_CLASS (sm_history_page_parent_class)->dispose (object);
}

static void
sm_history_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SmHistoryPage *self = SM_HISTORY_PAGE (object);

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
sm_history_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SmHistoryPage *self = SM_HISTORY_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      sm_history_page_set_server (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_history_page_class_init (SmHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_history_page_dispose;
  object_class->get_property = sm_history_page_get_property;
  object_class->set_property = sm_history_page_set_property;

  widget_class->map = sm_history_page_map;
  widget_class->unmap = sm_history_page_unmap;

  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL,
                         SM_TYPE_SERVER,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SM_TYPE_CHART);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, range_squeezer);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, range_box);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, range_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, charts_box);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, no_charts_label);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, stats_group);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, stats_list);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, uptime_group);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, uptime_24h_label);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, uptime_7d_label);
  gtk_widget_class_bind_template_child (widget_class, SmHistoryPage, uptime_30d_label);
  gtk_widget_class_bind_template_callback (widget_class, range_dropdown_selected_cb);
}

static void
sm_history_page_init (SmHistoryPage *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GtkToggleButton *first = NULL;

  self->range = SM_RANGE_1H;
  self->metrics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->charts = g_ptr_array_new_with_free_func ((GDestroyNotify) chart_free);
  self->stat_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < N_STAT_COLUMNS; i++)
    self->stat_columns[i] = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->syncing_range = TRUE;
  for (guint r = 0; r < SM_N_RANGES; r++)
    {
      GtkWidget *button = gtk_toggle_button_new_with_label (sm_range_to_label (r));

      g_object_set_data (G_OBJECT (button), "sm-range", GUINT_TO_POINTER (r));
      if (first != NULL)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), first);
      else
        first = GTK_TOGGLE_BUTTON (button);
      g_signal_connect_object (button, "toggled",
                               G_CALLBACK (range_toggled_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_box_append (self->range_box, button);
      self->range_buttons[r] = GTK_TOGGLE_BUTTON (button);
      gtk_string_list_append (labels, sm_range_to_label (r));
    }
  gtk_drop_down_set_model (self->range_dropdown, G_LIST_MODEL (labels));
  self->syncing_range = FALSE;
  sync_range_widgets (self);

  g_signal_connect_object (gtk_scrolled_window_get_hadjustment (self->scrolled_window),
                           "notify::page-size",
                           G_CALLBACK (viewport_width_cb), self,
                           G_CONNECT_SWAPPED);

  update_view (self);
}

GtkWidget *
sm_history_page_new (void)
{
  return g_object_new (SM_TYPE_HISTORY_PAGE, NULL);
}

SmServer *
sm_history_page_get_server (SmHistoryPage *self)
{
  g_return_val_if_fail (SM_IS_HISTORY_PAGE (self), NULL);

  return self->server;
}

void
sm_history_page_set_server (SmHistoryPage *self,
                            SmServer      *server)
{
  g_return_if_fail (SM_IS_HISTORY_PAGE (self));
  g_return_if_fail (server == NULL || SM_IS_SERVER (server));

  if (self->server == server)
    return;

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, server_notify_cb, self);

  g_set_object (&self->server, server);

  if (self->server != NULL)
    g_signal_connect_object (self->server, "notify",
                             G_CALLBACK (server_notify_cb), self,
                             G_CONNECT_SWAPPED);

  reset (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

void
sm_history_page_set_check_names (SmHistoryPage *self,
                                 GHashTable    *names)
{
  g_return_if_fail (SM_IS_HISTORY_PAGE (self));

  if (names != NULL)
    g_hash_table_ref (names);
  g_clear_pointer (&self->check_names, g_hash_table_unref);
  self->check_names = names;
  if (self->listed && sync_charts (self))
    {
      update_view (self);
      query_charts (self);
      query_stats (self);
    }
}

SmHistoryReader *
sm_history_page_get_reader (SmHistoryPage *self)
{
  g_return_val_if_fail (SM_IS_HISTORY_PAGE (self), NULL);

  return self->reader;
}

void
sm_history_page_set_reader (SmHistoryPage   *self,
                            SmHistoryReader *reader)
{
  g_return_if_fail (SM_IS_HISTORY_PAGE (self));

  if (self->reader == reader)
    return;

  g_clear_pointer (&self->reader, sm_history_reader_unref);
  if (reader != NULL)
    self->reader = sm_history_reader_ref (reader);

  reset (self);
}

void
sm_history_page_set_unavailable_reason (SmHistoryPage *self,
                                        const char    *reason)
{
  g_return_if_fail (SM_IS_HISTORY_PAGE (self));

  if (g_strcmp0 (self->unavailable_reason, reason) == 0)
    return;

  g_free (self->unavailable_reason);
  self->unavailable_reason = g_strdup (reason);
  update_view (self);
}

SmRange
sm_history_page_get_range (SmHistoryPage *self)
{
  g_return_val_if_fail (SM_IS_HISTORY_PAGE (self), SM_RANGE_1H);

  return self->range;
}

void
sm_history_page_set_range (SmHistoryPage *self,
                           SmRange        range)
{
  g_return_if_fail (SM_IS_HISTORY_PAGE (self));
  g_return_if_fail (range < SM_N_RANGES);

  if (self->range == range)
    return;

  self->range = range;
  sync_range_widgets (self);
  requery (self);
}

/* Test accessors */

const char *
_sm_history_page_get_visible_view (SmHistoryPage *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

AdwStatusPage *
_sm_history_page_get_status_page (SmHistoryPage *self)
{
  const char *view = gtk_stack_get_visible_child_name (self->stack);

  return g_strcmp0 (view, "empty") == 0 ? self->empty_page : self->status_page;
}

char **
_sm_history_page_dup_chart_ids (SmHistoryPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->charts->len; i++)
    g_strv_builder_add (builder, ((Chart *) g_ptr_array_index (self->charts, i))->id);

  return g_strv_builder_end (builder);
}

SmChart *
_sm_history_page_get_chart (SmHistoryPage *self,
                            const char    *id)
{
  for (guint i = 0; i < self->charts->len; i++)
    {
      Chart *chart = g_ptr_array_index (self->charts, i);

      if (g_str_equal (chart->id, id))
        return chart->chart;
    }

  return NULL;
}

GtkToggleButton *
_sm_history_page_get_range_button (SmHistoryPage *self,
                                   SmRange        range)
{
  g_return_val_if_fail (range < SM_N_RANGES, NULL);

  return self->range_buttons[range];
}

guint
_sm_history_page_get_n_queries (SmHistoryPage *self)
{
  return self->n_queries;
}

gboolean
_sm_history_page_get_busy (SmHistoryPage *self)
{
  return self->list_busy || self->charts_busy || self->stats_busy;
}

GtkLabel *
_sm_history_page_get_stat_label (SmHistoryPage *self,
                                 const char    *metric,
                                 guint          column)
{
  StatRow *row = g_hash_table_lookup (self->stat_rows, metric);

  g_return_val_if_fail (column < N_STAT_COLUMNS, NULL);

  return row != NULL ? row->cells[column] : NULL;
}

GtkLabel *
_sm_history_page_get_uptime_label (SmHistoryPage *self,
                                   SmRange        range)
{
  switch (range)
    {
    case SM_RANGE_24H:
      return self->uptime_24h_label;
    case SM_RANGE_7D:
      return self->uptime_7d_label;
    case SM_RANGE_30D:
      return self->uptime_30d_label;
    case SM_RANGE_15M:
    case SM_RANGE_1H:
    case SM_RANGE_6H:
    case SM_RANGE_1Y:
    case SM_N_RANGES:
    default:
      g_return_val_if_reached (NULL);
    }
}
