/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dns-check.c: the DNS check against a tiny DNS server on loopback,
 * the response parser against malformed packets, and the system resolver
 * on "localhost". */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "sm-dns-check.h"
#include "sm-test-util.h"

/* The test server: answers from a table.
 *   app.test     A 10.0.0.2, 10.0.0.1; AAAA fd00::1 (names written out)
 *   ptr.test     CNAME real.test, real.test A 10.0.0.3 (compression pointers)
 *   empty.test   no records
 *   silent.test  never answers
 *   anything else: NXDOMAIN */
typedef struct {
  GSocket *socket;
  GSource *source;
  guint16  port;
  guint    n_queries;
} DnsServer;

static void
put_u16 (GByteArray *array,
         guint16     value)
{
  guint8 bytes[2] = { value >> 8, value & 0xff };

  g_byte_array_append (array, bytes, 2);
}

static void
put_name (GByteArray *array,
          const char *name)
{
  g_auto(GStrv) labels = g_strsplit (name, ".", -1);

  for (guint i = 0; labels[i] != NULL; i++)
    {
      guint8 len = strlen (labels[i]);

      g_byte_array_append (array, &len, 1);
      g_byte_array_append (array, (const guint8 *) labels[i], len);
    }
  g_byte_array_append (array, (const guint8 *) "", 1);
}

/* Type, class IN, TTL 60 and the data, after the owner name. */
static void
put_record_tail (GByteArray   *array,
                 guint16       type,
                 const guint8 *rdata,
                 guint16       rdlength)
{
  put_u16 (array, type);
  put_u16 (array, 1);
  put_u16 (array, 0);
  put_u16 (array, 60);
  put_u16 (array, rdlength);
  g_byte_array_append (array, rdata, rdlength);
}

static void
put_pointer (GByteArray *array,
             guint16     offset)
{
  put_u16 (array, 0xc000 | offset);
}

static GByteArray *
server_answer (const guint8 *query,
               gsize         len)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  gsize pos = 12;
  guint16 qtype;
  guint16 rcode = 0;
  guint16 ancount = 0;
  gsize question_end;

  if (len < 12)
    return NULL;
  while (pos < len && query[pos] != 0)
    {
      guint8 label_len = query[pos];

      if (pos + 1 + label_len > len)
        return NULL;
      if (name->len > 0)
        g_string_append_c (name, '.');
      g_string_append_len (name, (const char *) query + pos + 1, label_len);
      pos += 1 + label_len;
    }
  if (pos + 5 > len)
    return NULL;
  g_string_ascii_down (name);
  qtype = (query[pos + 1] << 8) | query[pos + 2];
  question_end = pos + 5;

  if (g_str_equal (name->str, "silent.test"))
    return NULL;

  g_byte_array_append (reply, query, 2);
  put_u16 (reply, 0);   /* flags, set below */
  put_u16 (reply, 1);
  put_u16 (reply, 0);   /* answers, set below */
  put_u16 (reply, 0);
  put_u16 (reply, 0);
  g_byte_array_append (reply, query + 12, question_end - 12);

  if (g_str_equal (name->str, "app.test") && qtype == SM_DNS_QTYPE_A)
    {
      const guint8 a1[4] = { 10, 0, 0, 2 };
      const guint8 a2[4] = { 10, 0, 0, 1 };

      put_name (reply, "app.test");
      put_record_tail (reply, SM_DNS_QTYPE_A, a1, 4);
      put_name (reply, "app.test");
      put_record_tail (reply, SM_DNS_QTYPE_A, a2, 4);
      ancount = 2;
    }
  else if (g_str_equal (name->str, "app.test") && qtype == SM_DNS_QTYPE_AAAA)
    {
      const guint8 a6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

      put_name (reply, "app.test");
      put_record_tail (reply, SM_DNS_QTYPE_AAAA, a6, 16);
      ancount = 1;
    }
  else if (g_str_equal (name->str, "ptr.test") && qtype == SM_DNS_QTYPE_A)
    {
      /* The question's name is at 12: \3ptr\4test\0, so "test" is at 16. */
      const guint8 a[4] = { 10, 0, 0, 3 };
      guint8 cname[7] = { 4, 'r', 'e', 'a', 'l', 0xc0, 16 };
      gsize cname_at;

      put_pointer (reply, 12);
      cname_at = reply->len + 10;
      put_record_tail (reply, SM_DNS_QTYPE_CNAME, cname, sizeof cname);
      put_pointer (reply, cname_at);
      put_record_tail (reply, SM_DNS_QTYPE_A, a, 4);
      ancount = 2;
    }
  else if (!g_str_equal (name->str, "empty.test") && !g_str_equal (name->str, "app.test") &&
           !g_str_equal (name->str, "ptr.test"))
    rcode = 3;

  reply->data[2] = 0x81;   /* response, recursion desired */
  reply->data[3] = 0x80 | rcode;
  reply->data[6] = ancount >> 8;
  reply->data[7] = ancount & 0xff;
  return g_steal_pointer (&reply);
}

static gboolean
server_readable_cb (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  DnsServer *server = user_data;
  guint8 buffer[1024];

  for (;;)
    {
      g_autoptr(GSocketAddress) from = NULL;
      g_autoptr(GByteArray) reply = NULL;
      gssize len;

      len = g_socket_receive_from (socket, &from, (char *) buffer, sizeof buffer, NULL, NULL);
      if (len < 0)
        break;
      server->n_queries++;
      reply = server_answer (buffer, len);
      if (reply != NULL)
        g_socket_send_to (socket, from, (const char *) reply->data, reply->len, NULL, NULL);
    }
  return G_SOURCE_CONTINUE;
}

/* NULL when address_text cannot be bound here. */
static DnsServer *
dns_server_start (const char *address_text)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address_text);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, 0);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  DnsServer *server;

  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, &error);
  if (socket == NULL || !g_socket_bind (socket, address, FALSE, &error))
    {
      g_test_message ("cannot bind %s: %s", address_text, error->message);
      return NULL;
    }
  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);

  server = g_new0 (DnsServer, 1);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  server->socket = g_steal_pointer (&socket);
  server->source = g_socket_create_source (server->socket, G_IO_IN, NULL);
  g_source_set_callback (server->source, (GSourceFunc) server_readable_cb, server, NULL);
  g_source_attach (server->source, NULL);
  return server;
}

static void
dns_server_stop (DnsServer *server)
{
  g_source_destroy (server->source);
  g_source_unref (server->source);
  g_socket_close (server->socket, NULL);
  g_object_unref (server->socket);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DnsServer, dns_server_stop)

typedef struct {
  SmCheckResult *result;
  GError        *error;
  gboolean       done;
} Outcome;

static void
outcome_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->result = sm_dns_check_run_finish (res, &outcome->error);
  outcome->done = TRUE;
}

static SmCheckResult *
run_check (const SmDnsCheckConfig *config)
{
  Outcome outcome = { 0 };

  sm_dns_check_run_async (config, NULL, outcome_cb, &outcome);
  sm_test_wait_until (outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_nonnull (outcome.result);
  return outcome.result;
}

static SmDnsCheckConfig *
server_config (DnsServer       *server,
               const char      *name,
               SmDnsRecordType  type)
{
  SmDnsCheckConfig *config = sm_dns_check_config_new ();

  config->name = g_strdup (name);
  config->record_type = type;
  config->resolver = g_strdup_printf ("127.0.0.1:%u", server->port);
  config->timeout_s = 5;
  return config;
}

static void
assert_up_with (SmCheckResult *result,
                const char    *addresses)
{
  g_test_message ("%s %s", sm_check_status_to_string (result->status),
                  result->reason != NULL ? result->reason : "");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  g_assert_null (result->reason);
  g_assert_cmpstr (sm_check_result_get_detail (result, "addresses"), ==, addresses);
  g_assert_false (isnan (sm_check_result_get_metric (result, "latency_ms")));
  g_assert_cmpfloat (sm_check_result_get_metric (result, "latency_ms"), >=, 0);
}

/* Validation. */

static void
assert_invalid (SmDnsCheckConfig *config,
                const char       *prefix)
{
  g_autofree char *problem = sm_dns_check_config_validate (config);

  g_assert_nonnull (problem);
  g_test_message ("%s", problem);
  g_assert_true (g_str_has_prefix (problem, prefix));
}

static void
test_validate (void)
{
  g_autoptr(SmDnsCheckConfig) config = sm_dns_check_config_new ();
  g_autofree char *problem = NULL;
  const char *expected_ok[] = { "10.0.0.1", "10.0.0.2", NULL };
  const char *expected_bad[] = { "10.0.0.1", "nope", NULL };
  const char *expected_v6[] = { "fd00::1", NULL };

  config->name = g_strdup ("app.example.org.");
  problem = sm_dns_check_config_validate (config);
  g_assert_null (problem);

  g_free (config->name);
  config->name = g_strdup ("");
  assert_invalid (config, "name: ");
  g_free (config->name);
  config->name = g_strdup ("10.0.0.1");
  assert_invalid (config, "name: ");
  g_free (config->name);
  config->name = g_strdup ("bad..name");
  assert_invalid (config, "name: ");
  g_free (config->name);
  config->name = g_strdup ("app.test");

  config->record_type = 9;
  assert_invalid (config, "record_type: ");
  config->record_type = SM_DNS_RECORD_A;

  config->resolver = g_strdup ("10.0.0.");
  assert_invalid (config, "resolver: ");
  g_free (config->resolver);
  config->resolver = g_strdup ("10.0.0.53:0");
  assert_invalid (config, "resolver: ");
  g_free (config->resolver);
  config->resolver = g_strdup ("dns.example.org");
  assert_invalid (config, "resolver: ");
  g_free (config->resolver);
  config->resolver = g_strdup ("[::1]:5353");
  g_clear_pointer (&problem, g_free);
  problem = sm_dns_check_config_validate (config);
  g_assert_null (problem);

  config->expected = g_strdupv ((char **) expected_bad);
  assert_invalid (config, "expected: ");
  g_strfreev (config->expected);
  config->expected = g_strdupv ((char **) expected_v6);
  assert_invalid (config, "expected: ");
  config->record_type = SM_DNS_RECORD_ANY;
  problem = sm_dns_check_config_validate (config);
  g_assert_null (problem);
  config->record_type = SM_DNS_RECORD_A;
  g_strfreev (config->expected);
  config->expected = g_strdupv ((char **) expected_ok);

  config->timeout_s = 0;
  assert_invalid (config, "timeout: ");
  config->timeout_s = 301;
  assert_invalid (config, "timeout: ");
}

static void
test_parse_resolver (void)
{
  const struct {
    const char *text;
    const char *address;
    guint16     port;
  } good[] = {
    { "192.0.2.53", "192.0.2.53", 53 },
    { "192.0.2.53:5353", "192.0.2.53", 5353 },
    { "2001:db8::53", "2001:db8::53", 53 },
    { "[2001:db8::53]", "2001:db8::53", 53 },
    { "[2001:db8::53]:5353", "2001:db8::53", 5353 },
  };
  const char *bad[] = {
    "", "192.0.2.53:", "192.0.2.53:x", "192.0.2.53:70000", "[192.0.2.53]:53",
    "[2001:db8::53", "[2001:db8::53]x", "2001:db8::53:5353:", "host:53", " 192.0.2.53",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *problem = NULL;
      g_autoptr(GInetSocketAddress) address = sm_dns_parse_resolver (good[i].text, &problem);
      g_autofree char *text = NULL;

      g_assert_null (problem);
      g_assert_nonnull (address);
      text = g_inet_address_to_string (g_inet_socket_address_get_address (address));
      g_assert_cmpstr (text, ==, good[i].address);
      g_assert_cmpuint (g_inet_socket_address_get_port (address), ==, good[i].port);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *problem = NULL;
      g_autoptr(GInetSocketAddress) address = sm_dns_parse_resolver (bad[i], &problem);

      g_test_message ("“%s”: %s", bad[i], problem);
      g_assert_null (address);
      g_assert_nonnull (problem);
    }
}

static void
test_build_query (void)
{
  g_autoptr(GBytes) query = sm_dns_build_query ("App.test.", 0x1234, SM_DNS_QTYPE_AAAA);
  const guint8 expected[] = {
    0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
    3, 'A', 'p', 'p', 4, 't', 'e', 's', 't', 0,
    0, 28, 0, 1,
  };
  g_autofree char *long_label = g_strnfill (64, 'a');
  g_autoptr(GBytes) too_long = sm_dns_build_query (long_label, 1, SM_DNS_QTYPE_A);
  g_autoptr(GBytes) empty_label = sm_dns_build_query ("a..b", 1, SM_DNS_QTYPE_A);
  gsize len;
  const guint8 *data = g_bytes_get_data (query, &len);

  g_assert_cmpmem (data, len, expected, sizeof expected);
  g_assert_null (too_long);
  g_assert_null (empty_label);
}

/* Against the test server. */

static void
test_server_a (void)
{
  g_autoptr(DnsServer) server = dns_server_start ("127.0.0.1");
  g_autoptr(SmDnsCheckConfig) config = server_config (server, "app.test", SM_DNS_RECORD_A);
  g_autoptr(SmCheckResult) result = run_check (config);

  assert_up_with (result, "10.0.0.1,10.0.0.2");
  g_assert_cmpuint (server->n_queries, ==, 1);
}

static void
test_server_aaaa (void)
{
  g_autoptr(DnsServer) server = dns_server_start ("127.0.0.1");
  g_autoptr(SmDnsCheckConfig) config = server_config (server, "APP.test", SM_DNS_RECORD_AAAA);
  g_autoptr(SmCheckResult) result = run_check (config);

  assert_up_with (result, "fd00::1");
}

static void
test_server_any (void)
{
  g_autoptr(DnsServer) server = dns_server_start ("127.0.0.1");
  g_autoptr(SmDnsCheckConfig) config = server_config (server, "app.test", SM_DNS_RECORD_ANY);
  g_autoptr(SmCheckResult) result = run_check (config);

  assert_up_with (result, "10.0.0.1,10.0.0.2,fd00::1");
  g_assert_cmpuint (server->n_queries, ==, 2);
}

static void
test_server_ipv6 (void)
{
  g_autoptr(DnsServer) server = dns_server_start ("::1");
  g_autoptr(SmDnsCheckConfig) config = NULL;
  g_autoptr(SmCheckResult) result = NULL;

  if (server == NULL)
    {
      g_test_skip ("no IPv6 loopback here");
      return;
    }
  config = server_config (server, "app.test", SM_DNS_RECORD_A);
  g_free (config->resolver);
  config->resolver = g_strdup_printf ("[::1]:%u", server->port);
  result = run_check (config);
  assert_up_with (result, "10.0.0.1,10.0.0.2");
}

static void
test_server_expected (void)
{
  g_autoptr(DnsServer) server = dns_server_start ("127.0.0.1");
  g_autoptr(SmDnsCheckConfig) config = server_config (server, "app.test", SM_DNS_RECORD_ANY);
  g_autoptr(SmCheckResult) match = NULL;
  g_autoptr(SmCheckResult) subset = NULL;
  g_autoptr(SmCheckResult) mismatch = NULL;
  /* A set: order, duplicates and IPv6 spelling do not matter. */
  const char *same[] = { "fd00:0::0001", "10.0.0.2", "10.0.0.1", "10.0.0.2", NULL };
  const char *fewer[] = { "10.0.0.1", "10.0.0.2", NULL };
  const char *other[] = { "10.0.0.1", NULL };

  config->expected = g_strdupv ((char **) same);
  match = run_check (config);
  assert_up_with (match, "10.0.0.1,10.0.0.2,fd00::1");

  g_strfreev (config->expected);
  config->expected = g_strdupv ((char **) fewer);
  subset = run_check (config);
  g_assert_cmpint (subset->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (subset->reason, ==, "expected 10.0.0.1,10.0.0.2, got 10.0.0.1,10.0.0.2,fd00::1");

  g_free (config->name);
  config->name = g_strdup ("ptr.test");
  config->record_type = SM_DNS_RECORD_A;
  g_strfreev (config->expected);
  config->expected = g_strdupv ((char **) other);
  mismatch = run_check (config);
  g_assert_cmpint (mismatch->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (mismatch->reason, ==, "expected 10.0.0.1, got 10.0.0.3");
  g_assert_cmpstr (sm_check_result_get_detail (mismatch, "addresses"), ==, "10.0.0.3");
}

static void
test_server_compression (void)
{
  g_autoptr(DnsServer) server = dns_server_start ("127.0.0.1");
  g_autoptr(SmDnsCheckConfig) config = server_config (server, "ptr.test", SM_DNS_RECORD_A);
  g_autoptr(SmCheckResult) result = run_check (config);

  assert_up_with (result, "10.0.0.3");
}

static void
test_server_nxdomain (void)
{
  g_autoptr(DnsServer) server = dns_server_start ("127.0.0.1");
  g_autoptr(SmDnsCheckConfig) config = server_config (server, "nope.test", SM_DNS_RECORD_ANY);
  g_autoptr(SmCheckResult) result = run_check (config);
  g_autoptr(SmDnsCheckConfig) empty_config = server_config (server, "empty.test", SM_DNS_RECORD_A);
  g_autoptr(SmCheckResult) empty = run_check (empty_config);

  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (result->reason, ==, "no such name");

  g_assert_cmpint (empty->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (empty->reason, ==, "no address in the answer");
}

static void
test_server_timeout (void)
{
  g_autoptr(DnsServer) server = dns_server_start ("127.0.0.1");
  g_autoptr(SmDnsCheckConfig) config = server_config (server, "silent.test", SM_DNS_RECORD_A);
  g_autoptr(SmCheckResult) result = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  config->timeout_s = 1;
  result = run_check (config);
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (result->reason, ==, "timed out after 1 s");
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC - 50000);
  g_assert_cmpint (elapsed, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (server->n_queries, ==, 1);
}

static void
test_server_cancel (void)
{
  g_autoptr(DnsServer) server = dns_server_start ("127.0.0.1");
  g_autoptr(SmDnsCheckConfig) config = server_config (server, "silent.test", SM_DNS_RECORD_A);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };
  gint64 start = g_get_monotonic_time ();

  config->timeout_s = 30;
  sm_dns_check_run_async (config, cancellable, outcome_cb, &outcome);
  sm_test_wait_until (server->n_queries == 1);
  g_cancellable_cancel (cancellable);
  sm_test_wait_until (outcome.done);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.result);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&outcome.error);
}

static void
test_invalid_run (void)
{
  g_autoptr(SmDnsCheckConfig) config = sm_dns_check_config_new ();
  g_autoptr(SmCheckResult) result = NULL;

  config->name = g_strdup ("app.test");
  config->resolver = g_strdup ("nonsense");
  result = run_check (config);
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UNKNOWN);
  g_assert_true (g_str_has_prefix (result->reason, "resolver: "));
}

/* The system resolver: localhost comes from /etc/hosts. */

static void
test_system_localhost (void)
{
  g_autoptr(SmDnsCheckConfig) config = sm_dns_check_config_new ();
  g_autoptr(SmCheckResult) result = NULL;
  const char *expected[] = { "127.0.0.1", NULL };

  config->name = g_strdup ("localhost");
  config->record_type = SM_DNS_RECORD_A;
  config->expected = g_strdupv ((char **) expected);
  result = run_check (config);
  assert_up_with (result, "127.0.0.1");
}

static void
test_system_fake (void)
{
  GResolver *previous = sm_test_fake_resolver_install ();
  g_autoptr(SmDnsCheckConfig) config = sm_dns_check_config_new ();
  g_autoptr(SmCheckResult) any = NULL;
  g_autoptr(SmCheckResult) aaaa = NULL;
  g_autoptr(SmCheckResult) missing = NULL;
  g_autoptr(SmCheckResult) hang = NULL;
  gint64 start;

  config->name = g_strdup ("local.test");
  config->record_type = SM_DNS_RECORD_ANY;
  any = run_check (config);
  config->record_type = SM_DNS_RECORD_AAAA;
  aaaa = run_check (config);

  g_free (config->name);
  config->name = g_strdup ("missing.test");
  missing = run_check (config);

  g_free (config->name);
  config->name = g_strdup ("hang.test");
  config->timeout_s = 1;
  start = g_get_monotonic_time ();
  hang = run_check (config);
  sm_test_fake_resolver_uninstall (previous);

  assert_up_with (any, "127.0.0.1,::1");
  assert_up_with (aaaa, "::1");
  g_assert_cmpint (missing->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (missing->reason, ==, "no such name");
  g_assert_cmpint (hang->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (hang->reason, ==, "timed out after 1 s");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
}

static void
test_system_cancel (void)
{
  GResolver *previous = sm_test_fake_resolver_install ();
  g_autoptr(SmDnsCheckConfig) config = sm_dns_check_config_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };

  config->name = g_strdup ("hang.test");
  config->timeout_s = 30;
  sm_dns_check_run_async (config, cancellable, outcome_cb, &outcome);
  g_cancellable_cancel (cancellable);
  sm_test_wait_until (outcome.done);
  sm_test_fake_resolver_uninstall (previous);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.result);
  g_clear_error (&outcome.error);
}

/* The parser. */

/* A valid response to id 0xbeef, A app.test: one record, 10.0.0.1. */
static const guint8 good_response[] = {
  0xbe, 0xef, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
  3, 'a', 'p', 'p', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
  0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1,
};

static gboolean
parse (const guint8  *data,
       gsize          len,
       guint16        qtype,
       GPtrArray     *addresses,
       char         **out_error)
{
  return sm_dns_parse_response (data, len, 0xbeef, qtype, addresses, out_error);
}

static void
assert_parse_fails (const guint8 *data,
                    gsize         len,
                    const char   *message)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *error = NULL;

  g_assert_false (parse (data, len, SM_DNS_QTYPE_A, addresses, &error));
  g_test_message ("%s", error);
  g_assert_cmpstr (error, ==, message);
  g_assert_cmpuint (addresses->len, ==, 0);
}

static void
test_parse_good (void)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *error = NULL;

  g_assert_true (parse (good_response, sizeof good_response, SM_DNS_QTYPE_A,
                        addresses, &error));
  g_assert_null (error);
  g_assert_cmpuint (addresses->len, ==, 1);
  g_assert_cmpstr (addresses->pdata[0], ==, "10.0.0.1");
}

static void
test_parse_malformed (void)
{
  guint8 packet[sizeof good_response + 16];

  /* Truncated header. */
  assert_parse_fails (good_response, 5, "truncated response");
  assert_parse_fails (good_response, 0, "truncated response");

  /* Wrong id. */
  memcpy (packet, good_response, sizeof good_response);
  packet[1] = 0xee;
  assert_parse_fails (packet, sizeof good_response, "the response does not match the query");

  /* A query, not a response. */
  memcpy (packet, good_response, sizeof good_response);
  packet[2] = 0x01;
  assert_parse_fails (packet, sizeof good_response, "not a response to a query");

  /* Truncated by the server (TC). */
  memcpy (packet, good_response, sizeof good_response);
  packet[2] |= 0x02;
  assert_parse_fails (packet, sizeof good_response, "the server truncated the response");

  /* NXDOMAIN and SERVFAIL. */
  memcpy (packet, good_response, sizeof good_response);
  packet[3] = 0x83;
  assert_parse_fails (packet, sizeof good_response, "no such name");
  packet[3] = 0x82;
  assert_parse_fails (packet, sizeof good_response, "server failure");

  /* The question for another type. */
  memcpy (packet, good_response, sizeof good_response);
  packet[23] = 28;
  assert_parse_fails (packet, sizeof good_response, "the response does not match the query");

  /* A pointer to itself (the answer's owner at 26). */
  memcpy (packet, good_response, sizeof good_response);
  packet[27] = 26;
  assert_parse_fails (packet, sizeof good_response, "malformed name in the response");

  /* Two pointers that point at each other: 26 -> 28 is forward. */
  memcpy (packet, good_response, sizeof good_response);
  packet[27] = 28;
  packet[28] = 0xc0;
  packet[29] = 26;
  assert_parse_fails (packet, sizeof good_response, "malformed name in the response");

  /* A pointer in the question to itself. */
  memcpy (packet, good_response, sizeof good_response);
  packet[12] = 0xc0;
  packet[13] = 12;
  assert_parse_fails (packet, sizeof good_response, "malformed name in the response");

  /* A pointer beyond the end. */
  memcpy (packet, good_response, sizeof good_response);
  packet[26] = 0xff;
  packet[27] = 0xff;
  assert_parse_fails (packet, sizeof good_response, "malformed name in the response");

  /* A reserved label type (0x40). */
  memcpy (packet, good_response, sizeof good_response);
  packet[12] = 0x43;
  assert_parse_fails (packet, sizeof good_response, "malformed name in the response");

  /* A label longer than the packet. */
  memcpy (packet, good_response, sizeof good_response);
  packet[16] = 60;
  assert_parse_fails (packet, sizeof good_response, "malformed name in the response");

  /* rdlength beyond the end. */
  memcpy (packet, good_response, sizeof good_response);
  packet[37] = 5;
  assert_parse_fails (packet, sizeof good_response,
                      "record data beyond the end of the response");
  memcpy (packet, good_response, sizeof good_response);
  packet[36] = 0xff;
  assert_parse_fails (packet, sizeof good_response,
                      "record data beyond the end of the response");

  /* An A record of the wrong size. */
  memcpy (packet, good_response, sizeof good_response);
  packet[37] = 3;
  assert_parse_fails (packet, sizeof good_response - 1, "malformed address record");

  /* More answers announced than present. */
  memcpy (packet, good_response, sizeof good_response);
  packet[7] = 2;
  assert_parse_fails (packet, sizeof good_response, "truncated response");

  /* Record header cut short. */
  assert_parse_fails (good_response, 33, "truncated response");
}

/* Every prefix, and every byte set to a few odd values: never a crash or
 * an out-of-bounds read, whatever the verdict. */
static void
test_parse_mutations (void)
{
  const guint8 odd[] = { 0x00, 0x01, 0x3f, 0x40, 0x7f, 0xc0, 0xff };

  for (gsize len = 0; len <= sizeof good_response; len++)
    {
      g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *error = NULL;
      guint8 *copy = g_memdup2 (good_response, len);
      gboolean ok = parse (copy, len, SM_DNS_QTYPE_A, addresses, &error);

      g_assert_true (ok == (len == sizeof good_response));
      g_assert_true (ok == (error == NULL));
      g_free (copy);
    }

  for (gsize i = 0; i < sizeof good_response; i++)
    for (guint j = 0; j < G_N_ELEMENTS (odd); j++)
      {
        g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
        g_autofree char *error = NULL;
        guint8 *copy = g_memdup2 (good_response, sizeof good_response);
        gboolean ok;

        copy[i] = odd[j];
        ok = parse (copy, sizeof good_response, SM_DNS_QTYPE_A, addresses, &error);
        g_assert_true (ok == (error == NULL));
        g_assert_true (ok || addresses->len == 0);
        g_free (copy);
      }

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *error = NULL;
      gsize len = g_test_rand_int_range (0, 96);
      guint8 *data = g_malloc (MAX (len, 1));

      for (gsize i = 0; i < len; i++)
        data[i] = i < sizeof good_response && g_test_rand_bit ()
                    ? good_response[i] : (guint8) g_test_rand_int_range (0, 256);
      (void) parse (data, len, SM_DNS_QTYPE_AAAA, addresses, &error);
      g_free (data);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dns/validate", test_validate);
  g_test_add_func ("/dns/parse-resolver", test_parse_resolver);
  g_test_add_func ("/dns/build-query", test_build_query);
  g_test_add_func ("/dns/server/a", test_server_a);
  g_test_add_func ("/dns/server/aaaa", test_server_aaaa);
  g_test_add_func ("/dns/server/any", test_server_any);
  g_test_add_func ("/dns/server/ipv6", test_server_ipv6);
  g_test_add_func ("/dns/server/expected", test_server_expected);
  g_test_add_func ("/dns/server/compression", test_server_compression);
  g_test_add_func ("/dns/server/nxdomain", test_server_nxdomain);
  g_test_add_func ("/dns/server/timeout", test_server_timeout);
  g_test_add_func ("/dns/server/cancel", test_server_cancel);
  g_test_add_func ("/dns/invalid-run", test_invalid_run);
  g_test_add_func ("/dns/system/localhost", test_system_localhost);
  g_test_add_func ("/dns/system/fake", test_system_fake);
  g_test_add_func ("/dns/system/cancel", test_system_cancel);
  g_test_add_func ("/dns/parse/good", test_parse_good);
  g_test_add_func ("/dns/parse/malformed", test_parse_malformed);
  g_test_add_func ("/dns/parse/mutations", test_parse_mutations);

  return g_test_run ();
}
