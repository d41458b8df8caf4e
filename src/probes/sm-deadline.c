/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-deadline.c: a probe run's deadline and the caller's cancellation. */

#include "config.h"

#include "sm-deadline.h"

static void
caller_cancelled_cb (GCancellable *caller,
                     gpointer      user_data)
{
  /* user_data is a reference to the run's cancellable, so a late
   * cancellation from another thread never touches a freed run. */
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
deadline_cb (gpointer user_data)
{
  SmDeadline *deadline = user_data;

  deadline->timed_out = TRUE;
  g_cancellable_cancel (deadline->cancellable);
  g_clear_pointer (&deadline->source, g_source_unref);
  return G_SOURCE_REMOVE;
}

void
sm_deadline_start (SmDeadline   *deadline,
                   guint         timeout_s,
                   GCancellable *caller)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  g_return_if_fail (deadline != NULL);
  g_return_if_fail (deadline->cancellable == NULL);

  deadline->cancellable = g_cancellable_new ();
  deadline->timed_out = FALSE;
  if (caller != NULL)
    {
      deadline->caller = g_object_ref (caller);
      deadline->caller_handler = g_cancellable_connect (caller, G_CALLBACK (caller_cancelled_cb),
                                                        g_object_ref (deadline->cancellable),
                                                        g_object_unref);
    }
  deadline->source = g_timeout_source_new ((guint) MIN ((guint64) timeout_s * 1000, G_MAXUINT));
  g_source_set_callback (deadline->source, deadline_cb, deadline, NULL);
  g_source_attach (deadline->source, context);
}

gboolean
sm_deadline_caller_cancelled (const SmDeadline *deadline)
{
  g_return_val_if_fail (deadline != NULL, FALSE);

  return deadline->caller != NULL && g_cancellable_is_cancelled (deadline->caller);
}

void
sm_deadline_stop (SmDeadline *deadline)
{
  g_return_if_fail (deadline != NULL);

  if (deadline->source != NULL)
    {
      g_source_destroy (deadline->source);
      g_clear_pointer (&deadline->source, g_source_unref);
    }
  if (deadline->caller_handler != 0)
    {
      g_cancellable_disconnect (deadline->caller, deadline->caller_handler);
      deadline->caller_handler = 0;
    }
  g_clear_object (&deadline->caller);
}

void
sm_deadline_clear (SmDeadline *deadline)
{
  g_return_if_fail (deadline != NULL);

  sm_deadline_stop (deadline);
  g_clear_object (&deadline->cancellable);
}
