/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-checks.c: libFuzzer target for what service checks read from the
 * outside: DNS answers, monitoring-plugin output with perfdata, and the
 * log tail command's output.
 *
 * The first byte picks the exit status of the plugin; the rest is fed to
 * every parser. Build with -Dfuzz=true (clang); seed it with
 * tests/fixtures/checks.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

#include "sm-dns-check.h"
#include "sm-log-tail.h"
#include "sm-plugin-output.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SmCheckResult) plugin = NULL;
  g_autofree char *text = NULL;
  g_autofree char *error = NULL;
  SmLogTailState state = { 7, 10, TRUE };
  SmLogTailState fresh = { 0, 0, FALSE };
  int exit_status;

  if (size == 0)
    return 0;
  exit_status = (int) data[0] % 8;
  text = g_strndup ((const char *) data + 1, size - 1);

  /* DNS: as an answer to an A and to an AAAA query with the id it holds. */
  if (size >= 2)
    {
      guint16 id = (guint16) ((data[0] << 8) | data[1]);

      sm_dns_parse_response (data, size, id, SM_DNS_QTYPE_A, addresses, &error);
      g_clear_pointer (&error, g_free);
      g_ptr_array_set_size (addresses, 0);
      sm_dns_parse_response (data, size, id, SM_DNS_QTYPE_AAAA, addresses, &error);
      g_clear_pointer (&error, g_free);
    }

  plugin = sm_plugin_output_parse (exit_status, text, size - 1, NULL, NULL);

  sm_log_tail_parse (text, size - 1, &state, lines, &error);
  g_clear_pointer (&error, g_free);
  sm_log_tail_parse (text, size - 1, &fresh, lines, &error);

  return 0;
}
