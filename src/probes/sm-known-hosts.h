/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-known-hosts.h: reads and appends OpenSSH known_hosts files.
 *
 * Understands plain host patterns (comma-separated, "*" and "?" wildcards,
 * "!" negation), hashed entries ("|1|salt|hash", HMAC-SHA1), the
 * "[host]:port" form for ports other than 22, and the "@revoked" and
 * "@cert-authority" markers: a revoked key is refused wherever it appears,
 * certificate authorities are ignored (certificates are not supported, so
 * they never make a key trusted). Keys are compared by their blob.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SM_KNOWN_HOSTS_NOT_FOUND,   /* no line for this host */
  SM_KNOWN_HOSTS_MATCH,       /* a line for this host holds this key */
  SM_KNOWN_HOSTS_MISMATCH,    /* the host is listed, only with other keys */
  SM_KNOWN_HOSTS_REVOKED,     /* this key is marked @revoked */
} SmKnownHostsResult;

/* "host" for port 22, else "[host]:port" (the name known_hosts uses). */
char               *sm_known_hosts_host_name    (const char    *host,
                                                 guint          port);

/* Looks the host up in the file at path. A file that does not exist is
 * NOT_FOUND without an error; one that cannot be read is an error.
 * out_known_types, if not NULL, receives the key types listed for the host
 * (NULL-terminated, possibly empty), to prefer them in the handshake. */
gboolean            sm_known_hosts_check        (const char    *path,
                                                 const char    *host,
                                                 guint          port,
                                                 const guint8  *blob,
                                                 gsize          blob_len,
                                                 SmKnownHostsResult *out_result,
                                                 char        ***out_known_types,
                                                 GError       **error);

/* Appends "NAME TYPE BASE64" to the file atomically (a new file is created
 * with mode 0600; its directory must exist). The key type is read from
 * the blob. */
gboolean            sm_known_hosts_append       (const char    *path,
                                                 const char    *host,
                                                 guint          port,
                                                 const guint8  *blob,
                                                 gsize          blob_len,
                                                 GError       **error);

/* The key type at the start of an SSH public key blob ("ssh-ed25519"), or
 * NULL if the blob is malformed. */
char               *sm_known_hosts_blob_type    (const guint8  *blob,
                                                 gsize          blob_len);

/* "SHA256:<base64 without padding>" of a key blob, like ssh-keygen -l. */
char               *sm_known_hosts_fingerprint  (const guint8  *blob,
                                                 gsize          blob_len);

G_END_DECLS
