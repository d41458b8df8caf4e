/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-deadline.h: a probe run's own cancellable, cancelled when the run's
 * deadline passes or when the caller's cancellable is cancelled.
 *
 * Embedded in a run: sm_deadline_start when the run starts (the timer
 * runs in the thread-default main context), pass deadline->cancellable to
 * the run's I/O, sm_deadline_stop when the run returns (before the
 * result is judged: timed_out says whether the deadline was the cause),
 * sm_deadline_clear when the run is freed. The caller's cancellable may
 * be cancelled from any thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  GCancellable *cancellable;  /* the run's: pass it to its I/O */
  gboolean      timed_out;    /* the deadline passed */

  /* Private */
  GCancellable *caller;
  gulong        caller_handler;
  GSource      *source;
} SmDeadline;

void sm_deadline_start (SmDeadline   *deadline,
                        guint         timeout_s,
                        GCancellable *caller);
/* TRUE when the caller's cancellable was cancelled (not the deadline),
 * until sm_deadline_stop. */
gboolean sm_deadline_caller_cancelled (const SmDeadline *deadline);
/* Removes the timer and forgets the caller's cancellable; the run's
 * cancellable and timed_out stay. */
void sm_deadline_stop  (SmDeadline   *deadline);
/* Stops and releases everything. */
void sm_deadline_clear (SmDeadline   *deadline);

G_END_DECLS
