/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-poll-result.c: what one poll of one server found, as plain data. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sm-poll-result.h"

static void
section_status_free (SmSectionStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->name);
  g_free (status->message);
  g_free (status);
}

static void
metric_clear (SmMetric *metric)
{
  g_clear_pointer (&metric->name, g_free);
}

SmPollResult *
sm_poll_result_new (void)
{
  SmPollResult *result = g_new0 (SmPollResult, 1);

  result->time_us = g_get_real_time ();
  result->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) section_status_free);
  result->metrics = g_array_new (FALSE, TRUE, sizeof (SmMetric));
  g_array_set_clear_func (result->metrics, (GDestroyNotify) metric_clear);
  result->top_cpu = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_process_free);
  result->top_mem = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_process_free);

  return result;
}

void
sm_poll_result_free (SmPollResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->sections, g_ptr_array_unref);
  g_clear_pointer (&result->metrics, g_array_unref);
  g_clear_pointer (&result->top_cpu, g_ptr_array_unref);
  g_clear_pointer (&result->top_mem, g_ptr_array_unref);
  g_clear_pointer (&result->containers, g_ptr_array_unref);
  g_clear_pointer (&result->units, g_ptr_array_unref);
  g_clear_pointer (&result->ports, g_ptr_array_unref);
  g_clear_pointer (&result->specs, sm_specs_free);
  g_free (result);
}

/* Adding a metric that exists replaces its value, so a name is unique. */
void
sm_poll_result_add_metric (SmPollResult *result,
                           const char   *name,
                           double        value)
{
  SmMetric metric;

  g_return_if_fail (result != NULL);
  g_return_if_fail (name != NULL);

  for (guint i = 0; i < result->metrics->len; i++)
    {
      SmMetric *m = &g_array_index (result->metrics, SmMetric, i);

      if (strcmp (m->name, name) == 0)
        {
          m->value = value;
          return;
        }
    }

  metric.name = g_strdup (name);
  metric.value = value;
  g_array_append_val (result->metrics, metric);
}

double
sm_poll_result_get_metric (SmPollResult *result,
                           const char   *name)
{
  g_return_val_if_fail (result != NULL, NAN);
  g_return_val_if_fail (name != NULL, NAN);

  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmMetric *m = &g_array_index (result->metrics, SmMetric, i);

      if (strcmp (m->name, name) == 0)
        return m->value;
    }

  return NAN;
}

/* Setting a section that exists replaces its state and message. */
void
sm_poll_result_set_section (SmPollResult   *result,
                            const char     *name,
                            SmSectionState  state,
                            const char     *message)
{
  SmSectionStatus *status = NULL;

  g_return_if_fail (result != NULL);
  g_return_if_fail (name != NULL);

  for (guint i = 0; i < result->sections->len; i++)
    {
      SmSectionStatus *s = g_ptr_array_index (result->sections, i);

      if (strcmp (s->name, name) == 0)
        {
          status = s;
          break;
        }
    }

  if (status == NULL)
    {
      status = g_new0 (SmSectionStatus, 1);
      status->name = g_strdup (name);
      g_ptr_array_add (result->sections, status);
    }

  status->state = state;
  g_free (status->message);
  status->message = state == SM_SECTION_OK ? NULL : g_strdup (message);
}

const SmSectionStatus *
sm_poll_result_get_section (SmPollResult *result,
                            const char   *name)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < result->sections->len; i++)
    {
      const SmSectionStatus *s = g_ptr_array_index (result->sections, i);

      if (strcmp (s->name, name) == 0)
        return s;
    }

  return NULL;
}

void
sm_process_free (SmProcess *process)
{
  if (process == NULL)
    return;
  g_free (process->user);
  g_free (process->command);
  g_free (process);
}

void
sm_container_free (SmContainer *container)
{
  if (container == NULL)
    return;
  g_free (container->name);
  g_free (container->image);
  g_free (container->state);
  g_free (container->health);
  g_free (container->status_text);
  g_free (container);
}

void
sm_unit_free (SmUnit *unit)
{
  if (unit == NULL)
    return;
  g_free (unit->unit);
  g_free (unit->active);
  g_free (unit->sub);
  g_free (unit->since);
  g_free (unit);
}

void
sm_listen_port_free (SmListenPort *port)
{
  if (port == NULL)
    return;
  g_free (port->protocol);
  g_free (port->address);
  g_free (port->process);
  /* The service label is static. */
  g_free (port);
}

void
sm_specs_free (SmSpecs *specs)
{
  if (specs == NULL)
    return;
  g_free (specs->cpu_model);
  g_free (specs->os_name);
  g_free (specs->kernel);
  g_free (specs->arch);
  g_free (specs->virtualization);
  g_free (specs->hostname);
  g_clear_pointer (&specs->disks, g_ptr_array_unref);
  g_free (specs);
}

static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

char *
sm_specs_to_json (const SmSpecs *specs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (specs != NULL, NULL);

  /* Members in a fixed order, so equal specs give equal text. */
  json_builder_begin_object (builder);
  add_string_member (builder, "cpu_model", specs->cpu_model);
  json_builder_set_member_name (builder, "cpu_cores");
  json_builder_add_int_value (builder, specs->cpu_cores);
  json_builder_set_member_name (builder, "ram_bytes");
  json_builder_add_int_value (builder, (gint64) specs->ram_bytes);
  add_string_member (builder, "os_name", specs->os_name);
  add_string_member (builder, "kernel", specs->kernel);
  add_string_member (builder, "arch", specs->arch);
  add_string_member (builder, "virtualization", specs->virtualization);
  add_string_member (builder, "hostname", specs->hostname);
  json_builder_set_member_name (builder, "disks");
  json_builder_begin_array (builder);
  for (guint i = 0; specs->disks != NULL && i < specs->disks->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (specs->disks, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return builder_to_string (builder);
}

char *
sm_poll_result_metrics_to_json (const SmPollResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (result != NULL, NULL);

  json_builder_begin_object (builder);
  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmMetric *metric = &g_array_index (result->metrics, SmMetric, i);

      /* JSON has no NaN or infinity. */
      if (!isfinite (metric->value))
        continue;
      json_builder_set_member_name (builder, metric->name);
      json_builder_add_double_value (builder, metric->value);
    }
  json_builder_end_object (builder);

  return builder_to_string (builder);
}

SmSpecs *
sm_specs_copy (const SmSpecs *specs)
{
  SmSpecs *copy;

  g_return_val_if_fail (specs != NULL, NULL);

  copy = g_new0 (SmSpecs, 1);
  copy->cpu_model = g_strdup (specs->cpu_model);
  copy->cpu_cores = specs->cpu_cores;
  copy->ram_bytes = specs->ram_bytes;
  copy->os_name = g_strdup (specs->os_name);
  copy->kernel = g_strdup (specs->kernel);
  copy->arch = g_strdup (specs->arch);
  copy->virtualization = g_strdup (specs->virtualization);
  copy->hostname = g_strdup (specs->hostname);
  if (specs->disks != NULL)
    {
      copy->disks = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < specs->disks->len; i++)
        g_ptr_array_add (copy->disks, g_strdup (g_ptr_array_index (specs->disks, i)));
    }

  return copy;
}
