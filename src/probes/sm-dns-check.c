/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-dns-check.c: DNS service check, with a minimal DNS client over UDP
 * for a given resolver. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sm-deadline.h"
#include "sm-dns-check.h"
#include "sm-validate.h"

#define DNS_HEADER_LEN    12
#define DNS_NAME_MAX_WIRE 255
#define DNS_CLASS_IN      1
#define DNS_RCODE_NXDOMAIN 3
#define DNS_DEFAULT_PORT  53
#define DNS_MAX_RESPONSE  4096

static char *
field_error (const char *field,
             char       *problem)
{
  char *message = g_strdup_printf ("%s: %s", field, problem);

  g_free (problem);
  return message;
}

/* Config. */

SmDnsCheckConfig *
sm_dns_check_config_new (void)
{
  SmDnsCheckConfig *config = g_new0 (SmDnsCheckConfig, 1);

  config->record_type = SM_DNS_RECORD_A;
  config->timeout_s = SM_DNS_CHECK_TIMEOUT_DEFAULT;
  return config;
}

SmDnsCheckConfig *
sm_dns_check_config_copy (const SmDnsCheckConfig *config)
{
  SmDnsCheckConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_memdup2 (config, sizeof *config);
  copy->name = g_strdup (config->name);
  copy->resolver = g_strdup (config->resolver);
  copy->expected = g_strdupv (config->expected);
  return copy;
}

void
sm_dns_check_config_free (SmDnsCheckConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->name);
  g_free (config->resolver);
  g_strfreev (config->expected);
  g_free (config);
}

static char *
resolver_format_message (void)
{
  return g_strdup (_("must be an IP address with an optional port (for example "
                     "192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:5353)"));
}

GInetSocketAddress *
sm_dns_parse_resolver (const char  *text,
                       char       **out_error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;
  const char *port_text = NULL;
  guint port = DNS_DEFAULT_PORT;

  g_return_val_if_fail (out_error != NULL, NULL);

  *out_error = NULL;
  if (text == NULL || text[0] == '\0')
    {
      *out_error = g_strdup (_("must not be empty"));
      return NULL;
    }

  address = g_inet_address_new_from_string (text);
  if (address == NULL)
    {
      if (text[0] == '[')
        {
          const char *end = strchr (text, ']');

          if (end == NULL || (end[1] != '\0' && end[1] != ':'))
            {
              *out_error = resolver_format_message ();
              return NULL;
            }
          host = g_strndup (text + 1, end - text - 1);
          if (end[1] == ':')
            port_text = end + 2;
        }
      else
        {
          const char *colon = strrchr (text, ':');

          if (colon == NULL || memchr (text, ':', colon - text) != NULL)
            {
              *out_error = resolver_format_message ();
              return NULL;
            }
          host = g_strndup (text, colon - text);
          port_text = colon + 1;
        }

      address = g_inet_address_new_from_string (host);
      if (address == NULL ||
          (text[0] == '[' && g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6))
        {
          *out_error = resolver_format_message ();
          return NULL;
        }
      if (port_text != NULL)
        {
          char *problem;

          if (port_text[0] == '\0' || port_text[0] == ' ')
            {
              *out_error = resolver_format_message ();
              return NULL;
            }
          problem = sm_validate_port_text (port_text, &port);
          if (problem != NULL)
            {
              g_free (problem);
              *out_error = resolver_format_message ();
              return NULL;
            }
        }
    }

  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, port));
}

char *
sm_dns_check_config_validate (const SmDnsCheckConfig *config)
{
  g_autoptr(GInetAddress) name_address = NULL;
  char *problem;

  g_return_val_if_fail (config != NULL, NULL);

  problem = sm_validate_host (config->name);
  if (problem != NULL)
    return field_error ("name", problem);
  name_address = g_inet_address_new_from_string (config->name);
  if (name_address != NULL)
    return field_error ("name", g_strdup (_("must be a host name, not an address")));

  if (config->record_type != SM_DNS_RECORD_A && config->record_type != SM_DNS_RECORD_AAAA &&
      config->record_type != SM_DNS_RECORD_ANY)
    return field_error ("record_type", g_strdup (_("must be A, AAAA or both")));

  if (config->resolver != NULL && config->resolver[0] != '\0')
    {
      g_autoptr(GInetSocketAddress) resolver = sm_dns_parse_resolver (config->resolver, &problem);

      if (resolver == NULL)
        return field_error ("resolver", problem);
    }

  for (guint i = 0; config->expected != NULL && config->expected[i] != NULL; i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (config->expected[i]);

      if (address == NULL)
        return field_error ("expected",
                            g_strdup_printf (_("“%s” is not an IPv4 or IPv6 address"),
                                             config->expected[i]));
      if (config->record_type == SM_DNS_RECORD_A &&
          g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV4)
        return field_error ("expected",
                            g_strdup_printf (_("“%s” is not an IPv4 address, which "
                                               "an A record needs"),
                                             config->expected[i]));
      if (config->record_type == SM_DNS_RECORD_AAAA &&
          g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
        return field_error ("expected",
                            g_strdup_printf (_("“%s” is not an IPv6 address, which "
                                               "an AAAA record needs"),
                                             config->expected[i]));
    }

  if (config->timeout_s < SM_DNS_CHECK_TIMEOUT_MIN || config->timeout_s > SM_DNS_CHECK_TIMEOUT_MAX)
    return field_error ("timeout", g_strdup_printf (_("must be from %d to %d seconds"),
                                                    SM_DNS_CHECK_TIMEOUT_MIN,
                                                    SM_DNS_CHECK_TIMEOUT_MAX));
  return NULL;
}

/* Wire format. */

static void
put_u16 (GByteArray *array,
         guint16     value)
{
  guint8 bytes[2] = { value >> 8, value & 0xff };

  g_byte_array_append (array, bytes, 2);
}

static guint16
get_u16 (const guint8 *data)
{
  return ((guint16) data[0] << 8) | data[1];
}

GBytes *
sm_dns_build_query (const char *name,
                    guint16     id,
                    guint16     qtype)
{
  g_autoptr(GByteArray) packet = g_byte_array_sized_new (DNS_HEADER_LEN + 64);
  g_auto(GStrv) labels = NULL;
  gsize wire_len = 1;
  gsize name_len;

  g_return_val_if_fail (name != NULL, NULL);

  put_u16 (packet, id);
  put_u16 (packet, 0x0100);   /* standard query, recursion desired */
  put_u16 (packet, 1);        /* one question */
  put_u16 (packet, 0);
  put_u16 (packet, 0);
  put_u16 (packet, 0);

  name_len = strlen (name);
  if (name_len > 0 && name[name_len - 1] == '.')
    name_len--;
  if (name_len > 0)
    {
      g_autofree char *bare = g_strndup (name, name_len);

      labels = g_strsplit (bare, ".", -1);
    }
  for (guint i = 0; labels != NULL && labels[i] != NULL; i++)
    {
      gsize label_len = strlen (labels[i]);
      guint8 length_byte = (guint8) label_len;

      if (label_len == 0 || label_len > 63)
        return NULL;
      for (gsize j = 0; j < label_len; j++)
        if ((guchar) labels[i][j] < 0x21 || (guchar) labels[i][j] > 0x7e)
          return NULL;
      wire_len += label_len + 1;
      if (wire_len > DNS_NAME_MAX_WIRE)
        return NULL;
      g_byte_array_append (packet, &length_byte, 1);
      g_byte_array_append (packet, (const guint8 *) labels[i], label_len);
    }
  g_byte_array_append (packet, (const guint8 *) "", 1);
  put_u16 (packet, qtype);
  put_u16 (packet, DNS_CLASS_IN);

  return g_byte_array_free_to_bytes (g_steal_pointer (&packet));
}

/* Reads the (possibly compressed) name at offset into out, lower-cased and
 * dotted, and the offset just past it (in the record, not where a pointer
 * led) into out_next. Pointers must point strictly before the name that
 * contains them, so a chain of them always ends. */
static gboolean
dns_read_name (const guint8 *data,
               gsize         len,
               gsize         offset,
               GString      *out,
               gsize        *out_next)
{
  gsize pos = offset;
  gsize limit = offset;
  gsize wire_len = 1;
  gboolean jumped = FALSE;

  g_string_truncate (out, 0);
  for (;;)
    {
      guint8 label_len;

      if (pos >= len)
        return FALSE;
      label_len = data[pos];

      if ((label_len & 0xc0) == 0xc0)
        {
          gsize target;

          if (pos + 1 >= len)
            return FALSE;
          target = ((gsize) (label_len & 0x3f) << 8) | data[pos + 1];
          if (target >= limit)
            return FALSE;
          if (!jumped)
            *out_next = pos + 2;
          jumped = TRUE;
          limit = target;
          pos = target;
          continue;
        }
      if ((label_len & 0xc0) != 0)
        return FALSE;   /* reserved label types */
      if (label_len == 0)
        {
          if (!jumped)
            *out_next = pos + 1;
          return TRUE;
        }
      if (pos + 1 + label_len > len)
        return FALSE;
      wire_len += label_len + 1;
      if (wire_len > DNS_NAME_MAX_WIRE)
        return FALSE;
      if (out->len > 0)
        g_string_append_c (out, '.');
      for (guint i = 0; i < label_len; i++)
        g_string_append_c (out, g_ascii_tolower (data[pos + 1 + i]));
      pos += 1 + label_len;
    }
}

static gboolean
dns_fail (char       **out_error,
          char        *message)
{
  if (out_error != NULL)
    *out_error = message;
  else
    g_free (message);
  return FALSE;
}

gboolean
sm_dns_parse_response (const guint8  *data,
                       gsize          len,
                       guint16        id,
                       guint16        qtype,
                       GPtrArray     *out_addresses,
                       char         **out_error)
{
  g_autoptr(GString) qname = g_string_new (NULL);
  g_autoptr(GString) owner = g_string_new (NULL);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  guint16 flags, qdcount, ancount, rcode;
  gsize pos;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out_addresses != NULL, FALSE);
  g_return_val_if_fail (qtype == SM_DNS_QTYPE_A || qtype == SM_DNS_QTYPE_AAAA, FALSE);

  if (out_error != NULL)
    *out_error = NULL;

  if (len < DNS_HEADER_LEN)
    return dns_fail (out_error, g_strdup (_("truncated response")));
  if (get_u16 (data) != id)
    return dns_fail (out_error, g_strdup (_("the response does not match the query")));
  flags = get_u16 (data + 2);
  if ((flags & 0x8000) == 0 || ((flags >> 11) & 0xf) != 0)
    return dns_fail (out_error, g_strdup (_("not a response to a query")));
  if ((flags & 0x0200) != 0)
    return dns_fail (out_error, g_strdup (_("the server truncated the response")));
  rcode = flags & 0xf;
  switch (rcode)
    {
    case 0:
      break;
    case DNS_RCODE_NXDOMAIN:
      return dns_fail (out_error, g_strdup (_("no such name")));
    case 2:
      return dns_fail (out_error, g_strdup (_("server failure")));
    case 5:
      return dns_fail (out_error, g_strdup (_("the server refused the query")));
    default:
      return dns_fail (out_error, g_strdup_printf (_("server error (code %u)"), rcode));
    }

  qdcount = get_u16 (data + 4);
  ancount = get_u16 (data + 6);
  if (qdcount != 1)
    return dns_fail (out_error, g_strdup (_("the response does not match the query")));

  pos = DNS_HEADER_LEN;
  if (!dns_read_name (data, len, pos, qname, &pos))
    return dns_fail (out_error, g_strdup (_("malformed name in the response")));
  if (pos + 4 > len)
    return dns_fail (out_error, g_strdup (_("truncated response")));
  if (get_u16 (data + pos) != qtype || get_u16 (data + pos + 2) != DNS_CLASS_IN)
    return dns_fail (out_error, g_strdup (_("the response does not match the query")));
  pos += 4;

  /* The name whose records answer the question: the question's, then
   * where CNAMEs lead. */
  for (guint i = 0; i < ancount; i++)
    {
      guint16 type, klass, rdlength;

      if (pos >= len)
        return dns_fail (out_error, g_strdup (_("truncated response")));
      if (!dns_read_name (data, len, pos, owner, &pos))
        return dns_fail (out_error, g_strdup (_("malformed name in the response")));
      if (pos + 10 > len)
        return dns_fail (out_error, g_strdup (_("truncated response")));
      type = get_u16 (data + pos);
      klass = get_u16 (data + pos + 2);
      rdlength = get_u16 (data + pos + 8);
      pos += 10;
      if (rdlength > len - pos)
        return dns_fail (out_error, g_strdup (_("record data beyond the end of the response")));

      if (klass == DNS_CLASS_IN && g_string_equal (owner, qname))
        {
          if (type == SM_DNS_QTYPE_CNAME)
            {
              g_autoptr(GString) target = g_string_new (NULL);
              gsize end;

              if (!dns_read_name (data, pos + rdlength, pos, target, &end) ||
                  end != pos + rdlength)
                return dns_fail (out_error, g_strdup (_("malformed name in the response")));
              g_string_assign (qname, target->str);
            }
          else if (type == qtype)
            {
              gsize expected_len = qtype == SM_DNS_QTYPE_A ? 4 : 16;
              g_autoptr(GInetAddress) address = NULL;

              if (rdlength != expected_len)
                return dns_fail (out_error, g_strdup (_("malformed address record")));
              address = g_inet_address_new_from_bytes (data + pos,
                                                       qtype == SM_DNS_QTYPE_A ? G_SOCKET_FAMILY_IPV4
                                                                               : G_SOCKET_FAMILY_IPV6);
              g_ptr_array_add (found, g_inet_address_to_string (address));
            }
        }
      pos += rdlength;
    }

  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add (out_addresses, g_strdup (found->pdata[i]));
  return TRUE;
}

/* Evaluating the answer. */

static int
compare_address_cb (gconstpointer a,
                    gconstpointer b)
{
  GInetAddress *address_a = *(GInetAddress * const *) a;
  GInetAddress *address_b = *(GInetAddress * const *) b;
  gsize len_a = g_inet_address_get_native_size (address_a);
  gsize len_b = g_inet_address_get_native_size (address_b);

  if (len_a != len_b)
    return len_a < len_b ? -1 : 1;
  return memcmp (g_inet_address_to_bytes (address_a),
                 g_inet_address_to_bytes (address_b), len_a);
}

/* Sorted (IPv4 first, then by value), without duplicates, in canonical
 * text; unparsable strings are dropped. */
static GPtrArray *
normalize_addresses (char * const *texts,
                     guint         n_texts)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n_texts; i++)
    {
      GInetAddress *address = g_inet_address_new_from_string (texts[i]);

      if (address != NULL)
        g_ptr_array_add (addresses, address);
    }
  g_ptr_array_sort (addresses, compare_address_cb);
  for (guint i = 0; i < addresses->len; i++)
    {
      if (i > 0 && g_inet_address_equal (addresses->pdata[i - 1], addresses->pdata[i]))
        continue;
      g_ptr_array_add (out, g_inet_address_to_string (addresses->pdata[i]));
    }
  return out;
}

static char *
join_addresses (GPtrArray *addresses)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append (text, addresses->pdata[i]);
    }
  return g_string_free (text, FALSE);
}

static SmCheckResult *
dns_evaluate (const SmDnsCheckConfig *config,
              GPtrArray              *answer,
              double                  latency_ms)
{
  g_autoptr(GPtrArray) got = normalize_addresses ((char * const *) answer->pdata, answer->len);
  g_autofree char *got_text = join_addresses (got);
  SmCheckResult *result;
  guint n_expected = config->expected != NULL ? g_strv_length (config->expected) : 0;

  if (got->len == 0)
    result = sm_check_result_new (SM_CHECK_STATUS_DOWN, _("no address in the answer"));
  else if (n_expected > 0)
    {
      g_autoptr(GPtrArray) expected = normalize_addresses (config->expected, n_expected);
      gboolean same = expected->len == got->len;

      for (guint i = 0; same && i < got->len; i++)
        same = g_str_equal (expected->pdata[i], got->pdata[i]);
      if (same)
        result = sm_check_result_new (SM_CHECK_STATUS_UP, NULL);
      else
        {
          g_autofree char *expected_text = join_addresses (expected);

          result = sm_check_result_new (SM_CHECK_STATUS_DOWN, NULL);
          sm_check_result_set_reason (result, _("expected %s, got %s"),
                                      expected_text, got_text);
        }
    }
  else
    result = sm_check_result_new (SM_CHECK_STATUS_UP, NULL);

  result->timing.dns_ms = latency_ms;
  result->timing.total_ms = latency_ms;
  sm_check_result_add_metric (result, "latency_ms", latency_ms, "ms");
  sm_check_result_add_detail (result, "addresses", got_text);
  return result;
}

static char *
timed_out_reason (guint timeout_s)
{
  return g_strdup_printf (_("timed out after %u s"), timeout_s);
}

/* Through a given server, on a worker thread. */

/* NULL when cancelled. */
static SmCheckResult *
dns_query_server (const SmDnsCheckConfig *config,
                  GCancellable           *cancellable)
{
  g_autoptr(GInetSocketAddress) server = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *problem = NULL;
  guint16 qtypes[2];
  guint16 ids[2];
  gboolean answered[2] = { FALSE, FALSE };
  guint n_queries = 0;
  guint n_pending;
  gint64 start_us;
  gint64 deadline_us;

  server = sm_dns_parse_resolver (config->resolver, &problem);
  if (server == NULL)
    return sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, problem);

  if (config->record_type != SM_DNS_RECORD_AAAA)
    qtypes[n_queries++] = SM_DNS_QTYPE_A;
  if (config->record_type != SM_DNS_RECORD_A)
    qtypes[n_queries++] = SM_DNS_QTYPE_AAAA;
  ids[0] = g_random_int_range (0, 0x10000);
  do
    ids[1] = g_random_int_range (0, 0x10000);
  while (ids[1] == ids[0]);

  socket = g_socket_new (g_socket_address_get_family (G_SOCKET_ADDRESS (server)),
                         G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  if (socket == NULL)
    return sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, error->message);
  g_socket_set_blocking (socket, FALSE);

  start_us = g_get_monotonic_time ();
  deadline_us = start_us + (gint64) config->timeout_s * G_USEC_PER_SEC;

  /* Connected, so that only the server's datagrams arrive and an ICMP
   * port unreachable shows as "connection refused". */
  if (!g_socket_connect (socket, G_SOCKET_ADDRESS (server), cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return NULL;
      return sm_check_result_new (SM_CHECK_STATUS_DOWN, error->message);
    }

  for (guint i = 0; i < n_queries; i++)
    {
      g_autoptr(GBytes) query = sm_dns_build_query (config->name, ids[i], qtypes[i]);
      gsize query_len;
      const guint8 *query_data;

      if (query == NULL)
        return sm_check_result_new (SM_CHECK_STATUS_UNKNOWN,
                                    _("the name cannot be sent in a DNS query"));
      query_data = g_bytes_get_data (query, &query_len);
      if (g_socket_send (socket, (const char *) query_data, query_len, cancellable, &error) < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return NULL;
          return sm_check_result_new (SM_CHECK_STATUS_DOWN, error->message);
        }
    }

  n_pending = n_queries;
  while (n_pending > 0)
    {
      guint8 buffer[DNS_MAX_RESPONSE];
      gint64 now = g_get_monotonic_time ();
      g_autofree char *parse_error = NULL;
      gssize len;
      guint16 response_id;
      guint which;

      if (now >= deadline_us)
        {
          g_autofree char *reason = timed_out_reason (config->timeout_s);

          return sm_check_result_new (SM_CHECK_STATUS_DOWN, reason);
        }
      if (!g_socket_condition_timed_wait (socket, G_IO_IN, deadline_us - now,
                                          cancellable, &error))
        {
          g_autofree char *reason = NULL;

          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return NULL;
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            reason = timed_out_reason (config->timeout_s);
          else
            reason = g_strdup (error->message);
          return sm_check_result_new (SM_CHECK_STATUS_DOWN, reason);
        }

      len = g_socket_receive (socket, (char *) buffer, sizeof buffer, cancellable, &error);
      if (len < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_clear_error (&error);
              continue;
            }
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return NULL;
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
            return sm_check_result_new (SM_CHECK_STATUS_DOWN, _("connection refused"));
          return sm_check_result_new (SM_CHECK_STATUS_DOWN, error->message);
        }
      if (len < 2)
        continue;

      /* Datagrams that answer no pending query are stray: drop them. */
      response_id = get_u16 (buffer);
      for (which = 0; which < n_queries; which++)
        if (!answered[which] && ids[which] == response_id)
          break;
      if (which == n_queries)
        continue;

      if (!sm_dns_parse_response (buffer, len, ids[which], qtypes[which],
                                  addresses, &parse_error))
        return sm_check_result_new (SM_CHECK_STATUS_DOWN, parse_error);
      answered[which] = TRUE;
      n_pending--;
    }

  return dns_evaluate (config, addresses,
                       (g_get_monotonic_time () - start_us) / 1000.0);
}

static void
dns_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  SmCheckResult *result = dns_query_server (task_data, cancellable);

  if (result == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "%s", _("The check was cancelled"));
      return;
    }
  result->time_us = g_get_real_time ();
  g_task_return_pointer (task, result, (GDestroyNotify) sm_check_result_free);
}

/* Through the system resolver, on the caller's main context. */

typedef struct {
  SmDnsCheckConfig *config;
  SmDeadline        deadline;         /* the caller's cancel or the deadline */
  gint64            start_us;
} DnsRun;

static void
dns_run_free (gpointer data)
{
  DnsRun *run = data;

  sm_deadline_clear (&run->deadline);
  sm_dns_check_config_free (run->config);
  g_free (run);
}

static void
dns_return (GTask         *task,
            SmCheckResult *result)
{
  g_task_return_pointer (task, result, (GDestroyNotify) sm_check_result_free);
  g_object_unref (task);
}

static void
dns_resolved_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  GTask *task = user_data;
  DnsRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  SmCheckResult *result;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (source), res, &error);
  if (addresses == NULL)
    {
      if (sm_deadline_caller_cancelled (&run->deadline))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   "%s", _("The check was cancelled"));
          g_object_unref (task);
          return;
        }
      if (run->deadline.timed_out)
        {
          g_autofree char *reason = timed_out_reason (run->config->timeout_s);

          result = sm_check_result_new (SM_CHECK_STATUS_DOWN, reason);
        }
      else if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
        result = sm_check_result_new (SM_CHECK_STATUS_DOWN, _("no such name"));
      else
        result = sm_check_result_new (SM_CHECK_STATUS_DOWN, error->message);
      result->time_us = g_get_real_time ();
      dns_return (task, result);
      return;
    }

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      GSocketFamily family = g_inet_address_get_family (l->data);

      if ((run->config->record_type == SM_DNS_RECORD_A && family != G_SOCKET_FAMILY_IPV4) ||
          (run->config->record_type == SM_DNS_RECORD_AAAA && family != G_SOCKET_FAMILY_IPV6))
        continue;
      g_ptr_array_add (texts, g_inet_address_to_string (l->data));
    }
  g_resolver_free_addresses (addresses);

  result = dns_evaluate (run->config, texts, (g_get_monotonic_time () - run->start_us) / 1000.0);
  result->time_us = g_get_real_time ();
  dns_return (task, result);
}

void
sm_dns_check_run_async (const SmDnsCheckConfig *config,
                        GCancellable           *cancellable,
                        GAsyncReadyCallback     callback,
                        gpointer                user_data)
{
  g_autoptr(GResolver) resolver = NULL;
  g_autofree char *problem = NULL;
  GResolverNameLookupFlags flags;
  GTask *task;
  DnsRun *run;

  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_dns_check_run_async);
  g_task_set_name (task, "sm_dns_check_run_async");

  problem = sm_dns_check_config_validate (config);
  if (problem != NULL)
    {
      SmCheckResult *result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, problem);

      result->time_us = g_get_real_time ();
      dns_return (task, result);
      return;
    }

  if (config->resolver != NULL && config->resolver[0] != '\0')
    {
      g_task_set_task_data (task, sm_dns_check_config_copy (config),
                            (GDestroyNotify) sm_dns_check_config_free);
      g_task_run_in_thread (task, dns_thread);
      g_object_unref (task);
      return;
    }

  run = g_new0 (DnsRun, 1);
  run->config = sm_dns_check_config_copy (config);
  run->start_us = g_get_monotonic_time ();
  g_task_set_task_data (task, run, dns_run_free);

  sm_deadline_start (&run->deadline, config->timeout_s, cancellable);

  switch (config->record_type)
    {
    case SM_DNS_RECORD_A:
      flags = G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY;
      break;
    case SM_DNS_RECORD_AAAA:
      flags = G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY;
      break;
    case SM_DNS_RECORD_ANY:
    default:
      flags = G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT;
      break;
    }

  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_with_flags_async (resolver, config->name, flags,
                                              run->deadline.cancellable,
                                              dns_resolved_cb, task);
}

SmCheckResult *
sm_dns_check_run_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sm_dns_check_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
