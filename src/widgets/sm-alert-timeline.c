/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-timeline.c: one server's alert episodes over a time range. */
#include "config.h"

#include <glib/gi18n.h>

#include "sm-alert-timeline.h"

/* Lanes beyond this share the last one. */
#define MAX_LANES   6
#define LANE_HEIGHT 10
#define LANE_GAP    4
#define PADDING     6

struct _SmAlertTimeline
{
  GtkWidget  parent_instance;

  GArray    *episodes;  /* SmTimelineEpisode */
  guint      n_lanes;
  gint64     start;
  gint64     end;
};

G_DEFINE_FINAL_TYPE (SmAlertTimeline, sm_alert_timeline, GTK_TYPE_WIDGET)

static void
episode_clear (gpointer data)
{
  SmTimelineEpisode *episode = data;

  g_clear_pointer (&episode->title, g_free);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const SmAlertEventRow *row_a = *(const SmAlertEventRow * const *) a;
  const SmAlertEventRow *row_b = *(const SmAlertEventRow * const *) b;

  if (row_a->time != row_b->time)
    return row_a->time < row_b->time ? -1 : 1;

  return (row_a->id > row_b->id) - (row_a->id < row_b->id);
}

static int
compare_episodes (gconstpointer a,
                  gconstpointer b)
{
  const SmTimelineEpisode *episode_a = a;
  const SmTimelineEpisode *episode_b = b;

  return (episode_a->start > episode_b->start) - (episode_a->start < episode_b->start);
}

static gboolean
is_open_state (SmAlertState state)
{
  return state == SM_ALERT_STATE_PENDING ||
         state == SM_ALERT_STATE_FIRING ||
         state == SM_ALERT_STATE_ACKNOWLEDGED;
}

/* An alert's episode being built. */
typedef struct {
  SmTimelineKind  kind;
  gint64          start;
} OpenEpisode;

static void
add_episode (GArray                *episodes,
             GHashTable            *lanes,
             const SmAlertEventRow *row,
             SmTimelineKind         kind,
             gint64                 start,
             gint64                 end,
             gint64                 range_start,
             gint64                 range_end)
{
  SmTimelineEpisode episode = { 0, };
  const char *title = row->title != NULL ? row->title : "";
  gpointer lane;

  start = MAX (start, range_start);
  end = MIN (end, range_end);
  if (end < start)
    return;

  if (!g_hash_table_lookup_extended (lanes, title, NULL, &lane))
    {
      lane = GUINT_TO_POINTER (MIN (g_hash_table_size (lanes), MAX_LANES - 1));
      g_hash_table_insert (lanes, g_strdup (title), lane);
    }

  episode.kind = kind;
  episode.severity = row->severity;
  episode.start = start;
  episode.end = end;
  episode.lane = GPOINTER_TO_UINT (lane);
  episode.title = g_strdup (title);
  g_array_append_val (episodes, episode);
}

GArray *
sm_alert_timeline_build_episodes (GPtrArray *events,
                                  gint64     range_start,
                                  gint64     range_end,
                                  guint     *out_n_lanes)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GHashTable) open = NULL;      /* alert id -> OpenEpisode */
  g_autoptr(GHashTable) last_rows = NULL; /* alert id -> its latest row */
  g_autoptr(GHashTable) lanes = NULL;     /* title -> lane */
  GArray *episodes;
  GHashTableIter iter;
  gpointer key, value;

  episodes = g_array_new (FALSE, TRUE, sizeof (SmTimelineEpisode));
  g_array_set_clear_func (episodes, episode_clear);

  open = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  last_rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  lanes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; events != NULL && i < events->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (events, i));
  g_ptr_array_sort (sorted, compare_rows);

  for (guint i = 0; i < sorted->len; i++)
    {
      const SmAlertEventRow *row = g_ptr_array_index (sorted, i);
      OpenEpisode *current;
      gint64 alert_id = row->alert_id;

      if (row->kind == SM_ALERT_EVENT_GAP)
        {
          SmTimelineEpisode episode = { 0, };
          gint64 end = MAX (row->end_time, row->time);

          episode.kind = SM_TIMELINE_GAP;
          episode.start = MAX (row->time, range_start);
          episode.end = MIN (end, range_end);
          if (episode.end >= episode.start)
            g_array_append_val (episodes, episode);
          continue;
        }

      if (row->kind != SM_ALERT_EVENT_TRANSITION || alert_id == 0)
        continue;

      g_hash_table_insert (last_rows, g_memdup2 (&alert_id, sizeof alert_id), (gpointer) row);
      current = g_hash_table_lookup (open, &alert_id);

      /* Already open before the first event seen: it began at the start. */
      if (current == NULL && is_open_state (row->from))
        {
          current = g_new0 (OpenEpisode, 1);
          current->kind = row->from == SM_ALERT_STATE_PENDING ? SM_TIMELINE_PENDING : SM_TIMELINE_FIRING;
          current->start = range_start;
          g_hash_table_insert (open, g_memdup2 (&alert_id, sizeof alert_id), current);
        }

      if (is_open_state (row->to))
        {
          SmTimelineKind kind = row->to == SM_ALERT_STATE_PENDING ? SM_TIMELINE_PENDING : SM_TIMELINE_FIRING;

          if (current != NULL && current->kind == kind)
            continue;

          if (current != NULL)
            {
              add_episode (episodes, lanes, row, current->kind, current->start, row->time,
                           range_start, range_end);
              current->kind = kind;
              current->start = row->time;
            }
          else
            {
              current = g_new0 (OpenEpisode, 1);
              current->kind = kind;
              current->start = row->time;
              g_hash_table_insert (open, g_memdup2 (&alert_id, sizeof alert_id), current);
            }
        }
      else if (current != NULL)
        {
          add_episode (episodes, lanes, row, current->kind, current->start, row->time,
                       range_start, range_end);
          g_hash_table_remove (open, &alert_id);
        }
    }

  /* Still open: runs to the end of the range. */
  g_hash_table_iter_init (&iter, open);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      OpenEpisode *current = value;
      const SmAlertEventRow *row = g_hash_table_lookup (last_rows, key);

      add_episode (episodes, lanes, row, current->kind, current->start, range_end,
                   range_start, range_end);
    }

  g_array_sort (episodes, compare_episodes);

  if (out_n_lanes != NULL)
    *out_n_lanes = MIN (g_hash_table_size (lanes), MAX_LANES);

  return episodes;
}

static double
x_for_time (SmAlertTimeline *self,
            gint64           t,
            double           width)
{
  double span = MAX (1, self->end - self->start);

  return PADDING + (width - 2 * PADDING) * (double) (t - self->start) / span;
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              const char *fallback,
              GdkRGBA    *out_color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  if (!gtk_style_context_lookup_color (context, name, out_color))
    gdk_rgba_parse (out_color, fallback);
}

static void
sm_alert_timeline_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  SmAlertTimeline *self = SM_ALERT_TIMELINE (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  GdkRGBA fg, warning, critical;
  cairo_t *cr;

  if (width <= 2 * PADDING || height <= 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  lookup_color (widget, "warning_bg_color", "#e5a50a", &warning);
  lookup_color (widget, "error_bg_color", "#e01b24", &critical);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  /* The strip. */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.06);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);

  for (guint i = 0; self->episodes != NULL && i < self->episodes->len; i++)
    {
      const SmTimelineEpisode *episode = &g_array_index (self->episodes, SmTimelineEpisode, i);
      double x0 = x_for_time (self, episode->start, width);
      double x1 = MAX (x_for_time (self, episode->end, width), x0 + 3);

      if (episode->kind == SM_TIMELINE_GAP)
        {
          /* Grey, hatched, across every lane. */
          cairo_save (cr);
          cairo_rectangle (cr, x0, 0, x1 - x0, height);
          cairo_clip (cr);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
          cairo_paint (cr);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.35);
          cairo_set_line_width (cr, 1);
          for (double x = x0 - height; x < x1; x += 6)
            {
              cairo_move_to (cr, x, height);
              cairo_line_to (cr, x + height, 0);
            }
          cairo_stroke (cr);
          cairo_restore (cr);
        }
      else
        {
          const GdkRGBA *color = episode->severity == SM_SEVERITY_CRITICAL ? &critical : &warning;
          double alpha = episode->kind == SM_TIMELINE_PENDING ? 0.4 : 1.0;
          double y = PADDING + episode->lane * (LANE_HEIGHT + LANE_GAP);

          cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
          cairo_rectangle (cr, x0, y, x1 - x0, LANE_HEIGHT);
          cairo_fill (cr);
        }
    }

  cairo_destroy (cr);
}

static void
sm_alert_timeline_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  SmAlertTimeline *self = SM_ALERT_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 100;
      *natural = 600;
    }
  else
    {
      guint lanes = MAX (self->n_lanes, 1);

      *minimum = *natural = 2 * PADDING + lanes * LANE_HEIGHT + (lanes - 1) * LANE_GAP;
    }
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t);

  /* Translators: a time in the alert timeline's tooltip (strftime). */
  return g_date_time_format (dt, _("%b %-d, %H:%M"));
}

static gboolean
sm_alert_timeline_query_tooltip (GtkWidget  *widget,
                                 int         x,
                                 int         y,
                                 gboolean    keyboard_mode,
                                 GtkTooltip *tooltip)
{
  SmAlertTimeline *self = SM_ALERT_TIMELINE (widget);
  double width = gtk_widget_get_width (widget);

  for (guint i = 0; self->episodes != NULL && i < self->episodes->len; i++)
    {
      const SmTimelineEpisode *episode = &g_array_index (self->episodes, SmTimelineEpisode, i);
      double x0 = x_for_time (self, episode->start, width);
      double x1 = MAX (x_for_time (self, episode->end, width), x0 + 3);
      double y0 = PADDING + episode->lane * (LANE_HEIGHT + LANE_GAP);
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;
      g_autofree char *text = NULL;

      if (x < x0 - 1 || x > x1 + 1)
        continue;
      if (episode->kind != SM_TIMELINE_GAP && (y < y0 - 2 || y > y0 + LANE_HEIGHT + 2))
        continue;

      from = format_time (episode->start);
      to = format_time (episode->end);
      if (episode->kind == SM_TIMELINE_GAP)
        /* Translators: a monitoring gap; %s are times. */
        text = g_strdup_printf (_("Monitoring gap, %s – %s"), from, to);
      else if (episode->kind == SM_TIMELINE_PENDING)
        /* Translators: an alert title, then two times. */
        text = g_strdup_printf (_("%s: pending, %s – %s"), episode->title, from, to);
      else
        /* Translators: an alert title, then two times. */
        text = g_strdup_printf (_("%s: firing, %s – %s"), episode->title, from, to);

      gtk_tooltip_set_text (tooltip, text);
      return TRUE;
    }

  return FALSE;
}

static void
sm_alert_timeline_finalize (GObject *object)
{
  SmAlertTimeline *self = SM_ALERT_TIMELINE (object);

  g_clear_pointer (&self->episodes, g_array_unref);

  G_OBJECT_CLASS (sm_alert_timeline_parent_class)->finalize (object);
}

static void
sm_alert_timeline_class_init (SmAlertTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sm_alert_timeline_finalize;

  widget_class->snapshot = sm_alert_timeline_snapshot;
  widget_class->measure = sm_alert_timeline_measure;
  widget_class->query_tooltip = sm_alert_timeline_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "alerttimeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sm_alert_timeline_init (SmAlertTimeline *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
sm_alert_timeline_new (void)
{
  return g_object_new (SM_TYPE_ALERT_TIMELINE, NULL);
}

void
sm_alert_timeline_set_events (SmAlertTimeline *self,
                              GPtrArray       *events,
                              gint64           start,
                              gint64           end)
{
  guint n_lanes = 0;

  g_return_if_fail (SM_IS_ALERT_TIMELINE (self));
  g_return_if_fail (start < end);

  g_clear_pointer (&self->episodes, g_array_unref);
  self->episodes = sm_alert_timeline_build_episodes (events, start, end, &n_lanes);
  self->start = start;
  self->end = end;

  if (n_lanes != self->n_lanes)
    {
      self->n_lanes = n_lanes;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GArray *
sm_alert_timeline_get_episodes (SmAlertTimeline *self)
{
  g_return_val_if_fail (SM_IS_ALERT_TIMELINE (self), NULL);

  return self->episodes;
}
