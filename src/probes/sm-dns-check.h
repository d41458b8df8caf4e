/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-dns-check.h: DNS service check.
 *
 * Resolves a name to its A and/or AAAA addresses, either through the
 * system resolver (GResolver) or by asking a given server directly over
 * UDP with a minimal DNS client, and compares the answer with the expected
 * addresses as a set.
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"

G_BEGIN_DECLS

typedef enum {
  SM_DNS_RECORD_A,
  SM_DNS_RECORD_AAAA,
  SM_DNS_RECORD_ANY,    /* A and AAAA */
} SmDnsRecordType;

#define SM_DNS_QTYPE_A     1
#define SM_DNS_QTYPE_CNAME 5
#define SM_DNS_QTYPE_AAAA  28

#define SM_DNS_CHECK_TIMEOUT_MIN      1
#define SM_DNS_CHECK_TIMEOUT_MAX      300
#define SM_DNS_CHECK_TIMEOUT_DEFAULT  5

typedef struct {
  char            *name;         /* host name to resolve; a final dot is allowed */
  SmDnsRecordType  record_type;
  char            *resolver;     /* NULL or "": the system resolver; else "ip",
                                  * "ip:port" or "[ipv6]:port" */
  GStrv            expected;     /* addresses; NULL or empty: any answer is fine */
  guint            timeout_s;    /* 1-300 */
} SmDnsCheckConfig;

/* Defaults: no name, record type A, system resolver, nothing expected, 5 s. */
SmDnsCheckConfig *sm_dns_check_config_new      (void);
SmDnsCheckConfig *sm_dns_check_config_copy     (const SmDnsCheckConfig *config);
void              sm_dns_check_config_free     (SmDnsCheckConfig       *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmDnsCheckConfig, sm_dns_check_config_free)

/* NULL when valid, else a translated "field: problem"; fields are name,
 * record_type, resolver, expected and timeout. */
char             *sm_dns_check_config_validate (const SmDnsCheckConfig *config);

/* Parses a resolver address ("192.0.2.53", "192.0.2.53:5353", "2001:db8::53",
 * "[2001:db8::53]:5353"; port 53 when absent). NULL and a translated
 * problem in out_error when it is not one. */
GInetSocketAddress *sm_dns_parse_resolver      (const char             *text,
                                                char                  **out_error);

/* UP with metric "latency_ms" and detail "addresses=…" (sorted, comma
 * separated); DOWN with reason "no such name", "timed out after N s",
 * "expected 10.0.0.1, got 10.0.0.2" or what went wrong. Fails only when
 * cancelled. */
void              sm_dns_check_run_async       (const SmDnsCheckConfig *config,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
SmCheckResult    *sm_dns_check_run_finish      (GAsyncResult           *result,
                                                GError                **error);

/* A DNS query (recursion desired) for name (a host name, ASCII) and qtype
 * with the given id; NULL if the name cannot be encoded. */
GBytes           *sm_dns_build_query           (const char             *name,
                                                guint16                 id,
                                                guint16                 qtype);

/* Parses a response to the query with id and qtype (SM_DNS_QTYPE_A or
 * SM_DNS_QTYPE_AAAA). On success appends the addresses (char *, as
 * g_inet_address_to_string gives them) of the records of qtype that answer
 * the question, following CNAMEs, to out_addresses, and returns TRUE (also
 * when there are none). On failure returns FALSE and sets out_error to a
 * translated message: "no such name" for NXDOMAIN, else what is wrong with
 * the packet or the server's error. Never reads outside data[0..len). */
gboolean          sm_dns_parse_response        (const guint8           *data,
                                                gsize                   len,
                                                guint16                 id,
                                                guint16                 qtype,
                                                GPtrArray              *out_addresses,
                                                char                  **out_error);

G_END_DECLS
