/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-known-hosts.c: OpenSSH known_hosts files (see sm-known-hosts.h). */

#include "config.h"

#include "sm-known-hosts.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>

/* Appends from threads of this process are serialized; the rename keeps
 * readers from ever seeing half a file. */
static GMutex append_lock;

char *
sm_known_hosts_host_name (const char *host,
                          guint       port)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (host != NULL, NULL);

  lower = g_ascii_strdown (host, -1);
  if (port == 0 || port == 22)
    return g_steal_pointer (&lower);
  return g_strdup_printf ("[%s]:%u", lower, port);
}

char *
sm_known_hosts_blob_type (const guint8 *blob,
                          gsize         blob_len)
{
  guint32 len;

  if (blob == NULL || blob_len < 4)
    return NULL;
  len = ((guint32) blob[0] << 24) | ((guint32) blob[1] << 16) |
        ((guint32) blob[2] << 8) | (guint32) blob[3];
  if (len == 0 || len > 64 || len > blob_len - 4)
    return NULL;
  for (guint32 i = 0; i < len; i++)
    {
      if (!g_ascii_isgraph (blob[4 + i]))
        return NULL;
    }
  return g_strndup ((const char *) blob + 4, len);
}

char *
sm_known_hosts_fingerprint (const guint8 *blob,
                            gsize         blob_len)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *b64 = NULL;
  gsize len;

  g_return_val_if_fail (blob != NULL, NULL);

  g_checksum_update (checksum, blob, blob_len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  b64 = g_base64_encode (digest, digest_len);
  len = strlen (b64);
  while (len > 0 && b64[len - 1] == '=')
    b64[--len] = '\0';
  return g_strconcat ("SHA256:", b64, NULL);
}

/* Splits off the next whitespace-separated field of *line. */
static char *
next_field (char **line)
{
  char *p = *line;
  char *start;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '\0')
    {
      *line = p;
      return NULL;
    }
  start = p;
  while (*p != '\0' && *p != ' ' && *p != '\t')
    p++;
  if (*p != '\0')
    *p++ = '\0';
  *line = p;
  return start;
}

/* "|1|base64(salt)|base64(HMAC-SHA1(salt, name))". */
static gboolean
hashed_matches (const char *entry,
                const char *name)
{
  g_auto(GStrv) parts = g_strsplit (entry, "|", -1);
  g_autofree guint8 *salt = NULL;
  g_autofree guint8 *expected = NULL;
  g_autoptr(GHmac) hmac = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  gsize salt_len = 0;
  gsize expected_len = 0;

  /* parts: "", "1", salt, hash. */
  if (g_strv_length (parts) != 4 || strcmp (parts[1], "1") != 0)
    return FALSE;
  salt = g_base64_decode (parts[2], &salt_len);
  expected = g_base64_decode (parts[3], &expected_len);
  if (salt_len == 0 || expected_len != sizeof digest)
    return FALSE;

  hmac = g_hmac_new (G_CHECKSUM_SHA1, salt, salt_len);
  g_hmac_update (hmac, (const guchar *) name, strlen (name));
  g_hmac_get_digest (hmac, digest, &digest_len);
  return memcmp (digest, expected, sizeof digest) == 0;
}

/* OpenSSH's match_hostname(): a positive pattern must match and no negated
 * one may. Patterns are compared case-insensitively. */
static gboolean
patterns_match (const char *patterns,
                const char *name)
{
  g_auto(GStrv) list = NULL;
  gboolean matched = FALSE;

  if (patterns[0] == '|')
    return hashed_matches (patterns, name);

  list = g_strsplit (patterns, ",", -1);
  for (guint i = 0; list[i] != NULL; i++)
    {
      const char *pattern = list[i];
      gboolean negated = FALSE;
      g_autofree char *lower = NULL;

      if (pattern[0] == '!')
        {
          negated = TRUE;
          pattern++;
        }
      if (pattern[0] == '\0')
        continue;
      lower = g_ascii_strdown (pattern, -1);
      if (g_pattern_match_simple (lower, name))
        {
          if (negated)
            return FALSE;
          matched = TRUE;
        }
    }
  return matched;
}

gboolean
sm_known_hosts_check (const char          *path,
                      const char          *host,
                      guint                port,
                      const guint8        *blob,
                      gsize                blob_len,
                      SmKnownHostsResult  *out_result,
                      char              ***out_known_types,
                      GError             **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  gboolean listed = FALSE;
  gboolean matched = FALSE;
  gboolean revoked = FALSE;
  GError *local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (blob != NULL, FALSE);
  g_return_val_if_fail (out_result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_result = SM_KNOWN_HOSTS_NOT_FOUND;
  if (out_known_types != NULL)
    *out_known_types = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_clear_error (&local_error);
          if (out_known_types != NULL)
            *out_known_types = g_new0 (char *, 1);
          return TRUE;
        }
      g_propagate_error (error, local_error);
      return FALSE;
    }

  name = sm_known_hosts_host_name (host, port);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *rest = lines[i];
      char *field;
      const char *marker = NULL;
      const char *patterns;
      const char *type;
      const char *key_b64;
      g_autofree guint8 *key = NULL;
      gsize key_len = 0;
      gboolean same_key;

      g_strchomp (rest);
      field = next_field (&rest);
      if (field == NULL || field[0] == '#')
        continue;
      if (field[0] == '@')
        {
          marker = field;
          field = next_field (&rest);
          if (field == NULL)
            continue;
        }
      patterns = field;
      type = next_field (&rest);
      key_b64 = next_field (&rest);
      if (type == NULL || key_b64 == NULL)
        continue;

      key = g_base64_decode (key_b64, &key_len);
      same_key = key_len == blob_len && memcmp (key, blob, blob_len) == 0;

      if (marker != NULL)
        {
          /* A revoked key is refused for every host: being stricter than
           * OpenSSH here costs nothing. Certificate authorities are not
           * supported, so they trust nothing. */
          if (g_str_equal (marker, "@revoked") && same_key)
            revoked = TRUE;
          continue;
        }

      if (!patterns_match (patterns, name))
        continue;

      listed = TRUE;
      if (same_key)
        matched = TRUE;
      if (!g_ptr_array_find_with_equal_func (types, type, g_str_equal, NULL))
        g_ptr_array_add (types, g_strdup (type));
    }

  if (revoked)
    *out_result = SM_KNOWN_HOSTS_REVOKED;
  else if (matched)
    *out_result = SM_KNOWN_HOSTS_MATCH;
  else if (listed)
    *out_result = SM_KNOWN_HOSTS_MISMATCH;

  if (out_known_types != NULL)
    {
      g_ptr_array_add (types, NULL);
      *out_known_types = (char **) g_ptr_array_steal (types, NULL);
    }
  return TRUE;
}

gboolean
sm_known_hosts_append (const char    *path,
                       const char    *host,
                       guint          port,
                       const guint8  *blob,
                       gsize          blob_len,
                       GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  g_autofree char *type = NULL;
  g_autofree char *b64 = NULL;
  g_autoptr(GString) out = NULL;
  gsize len = 0;
  GError *local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (blob != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  type = sm_known_hosts_blob_type (blob, blob_len);
  if (type == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "malformed host key");
      return FALSE;
    }

  locker = g_mutex_locker_new (&append_lock);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      g_clear_error (&local_error);
    }

  out = g_string_new_len (contents, contents != NULL ? (gssize) len : 0);
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');

  name = sm_known_hosts_host_name (host, port);
  b64 = g_base64_encode (blob, blob_len);
  g_string_append_printf (out, "%s %s %s\n", name, type, b64);

  /* Written to a temporary file in the same directory, synced and renamed
   * over the old one; the mode applies to the new file. */
  return g_file_set_contents_full (path, out->str, (gssize) out->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}
