/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-timeline.h: one server's alert episodes over a time range, as
 * bars on a strip (one lane per alert title), monitoring gaps hatched. */
#pragma once

#include <gtk/gtk.h>

#include "sm-alert-store.h"

G_BEGIN_DECLS

#define SM_TYPE_ALERT_TIMELINE (sm_alert_timeline_get_type ())
G_DECLARE_FINAL_TYPE (SmAlertTimeline, sm_alert_timeline, SM, ALERT_TIMELINE, GtkWidget)

/* What the strip draws, worked out from the event rows. */
typedef enum {
  SM_TIMELINE_PENDING,
  SM_TIMELINE_FIRING,   /* firing or acknowledged */
  SM_TIMELINE_GAP,
} SmTimelineKind;

typedef struct {
  SmTimelineKind  kind;
  SmSeverity      severity;
  gint64          start;
  gint64          end;
  guint           lane;
  char           *title;     /* NULL for a gap */
} SmTimelineEpisode;

GtkWidget *sm_alert_timeline_new           (void);
/* events: SmAlertEventRow in any order (newest first as the store gives
 * them is fine), borrowed for the call; start < end in unix seconds.
 * Transitions are paired by alert_id; an alert already open at start
 * begins there, one still open at end runs to end. */
void       sm_alert_timeline_set_events    (SmAlertTimeline *self,
                                            GPtrArray       *events,
                                            gint64           start,
                                            gint64           end);
/* The episodes as drawn (an array of SmTimelineEpisode, owned by the
 * widget), oldest first. */
GArray    *sm_alert_timeline_get_episodes  (SmAlertTimeline *self);
/* Pure: the episodes of events clipped to [start, end]. */
GArray    *sm_alert_timeline_build_episodes (GPtrArray      *events,
                                             gint64          start,
                                             gint64          end,
                                             guint          *out_n_lanes);

G_END_DECLS
