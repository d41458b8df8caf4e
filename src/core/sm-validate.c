/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-validate.c: field validation shared by the dialog, the import and the store. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm-server.h"
#include "sm-validate.h"

#define HOST_MAX_LEN       253
#define HOST_LABEL_MAX_LEN 63
#define KEY_FILE_MAX_LEN   4096
#define FINGERPRINT_PREFIX "SHA256:"
#define FINGERPRINT_B64_LEN 43

static char *
too_long (guint max)
{
  return g_strdup_printf (ngettext ("must be %u character or fewer",
                                    "must be %u characters or fewer",
                                    max),
                          max);
}

static char *
not_utf8 (void)
{
  return g_strdup (_("must be valid UTF-8 text"));
}

/* TRUE if text (valid UTF-8) holds a control character; line breaks and
 * tabs are allowed when allow_newlines is set. */
static gboolean
has_control_chars (const char *text,
                   gboolean    allow_newlines)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (allow_newlines && (c == '\n' || c == '\r' || c == '\t'))
        continue;
      if (g_unichar_iscntrl (c))
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isspace (g_utf8_get_char (p)))
        return FALSE;
    }

  return TRUE;
}

/* Common checks for a single-line text field: valid UTF-8, no control
 * characters, at most max_len characters. NULL when it passes. */
static char *
check_line (const char *text,
            guint       max_len)
{
  if (!g_utf8_validate (text, -1, NULL))
    return not_utf8 ();
  if (has_control_chars (text, FALSE))
    return g_strdup (_("must not contain control characters such as tabs or line breaks"));
  if (g_utf8_strlen (text, -1) > max_len)
    return too_long (max_len);

  return NULL;
}

char *
sm_validate_name (const char *name)
{
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return name == NULL ? g_strdup (_("must not be empty")) : not_utf8 ();
  if (is_blank (name))
    return g_strdup (_("must not be empty"));

  return check_line (name, SM_NAME_MAX_LEN);
}

static char *
host_format_message (void)
{
  return g_strdup (_("must be a host name, an IPv4 address or an IPv6 address "
                     "(for example server.example.org or 192.0.2.10)"));
}

static gboolean
is_ascii_digits (const char *text,
                 gsize       len)
{
  if (len == 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
    }

  return TRUE;
}

char *
sm_validate_host (const char *host)
{
  const char *label;
  const char *last_label = NULL;
  gsize last_label_len = 0;
  gsize len;

  if (host == NULL || host[0] == '\0')
    return g_strdup (_("must not be empty"));
  if (!g_utf8_validate (host, -1, NULL))
    return not_utf8 ();
  if (strchr (host, '@') != NULL)
    return g_strdup (_("must not include a user name; enter the host alone "
                       "(server.example.org) and the user name in its own field"));
  if (strchr (host, '[') != NULL || strchr (host, ']') != NULL)
    return g_strdup (_("must be written without brackets (for example 2001:db8::1)"));

  for (const char *p = host; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        return g_strdup (_("must not contain spaces or control characters"));
    }

  /* Addresses. Anything with a colon can only be an IPv6 address. */
  if (g_hostname_is_ip_address (host))
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

      if (address != NULL)
        return NULL;
    }
  if (strchr (host, ':') != NULL)
    return g_strdup (_("must be a valid IPv6 address (for example 2001:db8::1), "
                       "without a port; the port has its own field"));

  /* Host names (RFC 1123). */
  len = strlen (host);
  if (host[len - 1] == '.')
    len--;
  if (len == 0)
    return host_format_message ();
  if (len > HOST_MAX_LEN)
    return g_strdup_printf (_("must be %u characters or fewer"), HOST_MAX_LEN);

  label = host;
  while (label < host + len)
    {
      const char *end = memchr (label, '.', host + len - label);
      gsize label_len;

      if (end == NULL)
        end = host + len;
      label_len = end - label;

      if (label_len == 0)
        return g_strdup (_("must not contain empty parts (two dots in a row, "
                           "or a dot at the start)"));
      if (label_len > HOST_LABEL_MAX_LEN)
        return g_strdup_printf (_("must have at most %u characters between dots"),
                                HOST_LABEL_MAX_LEN);

      for (gsize i = 0; i < label_len; i++)
        {
          if (!g_ascii_isalnum (label[i]) && label[i] != '-')
            return host_format_message ();
        }

      if (label[0] == '-' || label[label_len - 1] == '-')
        return g_strdup (_("must not have a part that starts or ends with “-”"));

      last_label = label;
      last_label_len = label_len;
      label = end + 1;
    }

  /* "192.0.2.300" or "10.1" are broken addresses rather than names: a top
   * level domain is never all digits. */
  if (last_label != NULL && is_ascii_digits (last_label, last_label_len))
    return host_format_message ();

  return NULL;
}

char *
sm_validate_port (gint64 port)
{
  if (port < 1 || port > 65535)
    return g_strdup (_("must be a number from 1 to 65535"));

  return NULL;
}

char *
sm_validate_port_text (const char *text,
                       guint      *out_port)
{
  const char *start;
  const char *end;
  guint value = 0;

  if (text == NULL)
    return g_strdup (_("must be a number from 1 to 65535"));

  start = text;
  while (g_ascii_isspace (*start))
    start++;
  end = start + strlen (start);
  while (end > start && g_ascii_isspace (end[-1]))
    end--;

  if (start == end)
    return g_strdup (_("must be a number from 1 to 65535"));

  for (const char *p = start; p < end; p++)
    {
      if (!g_ascii_isdigit (*p))
        return g_strdup (_("must be a number from 1 to 65535"));
      value = value * 10 + (*p - '0');
      if (value > 65535)
        return g_strdup (_("must be a number from 1 to 65535"));
    }

  if (value < 1)
    return g_strdup (_("must be a number from 1 to 65535"));

  if (out_port != NULL)
    *out_port = value;
  return NULL;
}

char *
sm_validate_username (const char *username)
{
  /* Empty means the local user name. */
  if (username == NULL || username[0] == '\0')
    return NULL;
  if (!g_utf8_validate (username, -1, NULL))
    return not_utf8 ();

  for (const char *p = username; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        return g_strdup (_("must not contain spaces or control characters"));
    }

  if (strchr (username, '@') != NULL || strchr (username, ':') != NULL)
    return g_strdup (_("must not contain “@” or “:”; enter the host and port "
                       "in their own fields"));
  /* It would read as an option to ssh and similar tools. */
  if (username[0] == '-')
    return g_strdup (_("must not start with “-”"));
  if (g_utf8_strlen (username, -1) > SM_USERNAME_MAX_LEN)
    return too_long (SM_USERNAME_MAX_LEN);

  return NULL;
}

char *
sm_validate_interval (gint64 seconds)
{
  /* The message spells the limits out. */
  G_STATIC_ASSERT (SM_SERVER_MIN_INTERVAL == 5 && SM_SERVER_MAX_INTERVAL == 3600);

  if (seconds < SM_SERVER_MIN_INTERVAL || seconds > SM_SERVER_MAX_INTERVAL)
    return g_strdup (_("must be from 5 seconds to 1 hour (5-3600)"));

  return NULL;
}

char *
sm_validate_key_file (const char *path)
{
  if (path == NULL || path[0] == '\0')
    return g_strdup (_("must not be empty"));
  if (!g_utf8_validate (path, -1, NULL))
    return not_utf8 ();
  if (has_control_chars (path, FALSE))
    return g_strdup (_("must not contain control characters such as tabs or line breaks"));
  if (strlen (path) > KEY_FILE_MAX_LEN)
    return too_long (KEY_FILE_MAX_LEN);
  if (!g_path_is_absolute (path) && !g_str_has_prefix (path, "~/"))
    return g_strdup (_("must be an absolute path or start with “~/” "
                       "(for example ~/.ssh/id_ed25519)"));
  if (g_str_has_suffix (path, "/"))
    return g_strdup (_("must be the path of a file, not a folder"));

  return NULL;
}

char *
sm_validate_key_file_exists (const char *path)
{
  g_autofree char *expanded = NULL;
  GStatBuf st;
  char *message;

  if ((message = sm_validate_key_file (path)) != NULL)
    return message;

  if (g_str_has_prefix (path, "~/"))
    expanded = g_build_filename (g_get_home_dir (), path + 2, NULL);
  else
    expanded = g_strdup (path);

  if (g_stat (expanded, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        return g_strdup_printf (_("must be an existing file; “%s” does not exist"),
                                expanded);
      return g_strdup_printf (_("must be a readable file; “%s” cannot be read: %s"),
                              expanded, g_strerror (saved_errno));
    }

  if (S_ISDIR (st.st_mode))
    return g_strdup_printf (_("must be a file; “%s” is a folder"), expanded);
  if (!S_ISREG (st.st_mode))
    return g_strdup_printf (_("must be a regular file; “%s” is not one"), expanded);

  if (g_access (expanded, R_OK) != 0)
    {
      int saved_errno = errno;

      return g_strdup_printf (_("must be a readable file; “%s” cannot be read: %s"),
                              expanded, g_strerror (saved_errno));
    }

  return NULL;
}

char *
sm_validate_group (const char *group)
{
  /* Empty means no group. */
  if (group == NULL || group[0] == '\0')
    return NULL;

  return check_line (group, SM_GROUP_MAX_LEN);
}

char *
sm_validate_tag (const char *tag)
{
  if (tag == NULL || !g_utf8_validate (tag, -1, NULL))
    return tag == NULL ? g_strdup (_("must not be empty")) : not_utf8 ();
  if (is_blank (tag))
    return g_strdup (_("must not be empty"));
  if (strchr (tag, ',') != NULL)
    return g_strdup (_("must not contain commas"));

  return check_line (tag, SM_TAG_MAX_LEN);
}

char *
sm_validate_notes (const char *notes)
{
  if (notes == NULL || notes[0] == '\0')
    return NULL;
  if (!g_utf8_validate (notes, -1, NULL))
    return not_utf8 ();
  if (has_control_chars (notes, TRUE))
    return g_strdup (_("must not contain control characters other than tabs and line breaks"));
  if (g_utf8_strlen (notes, -1) > SM_NOTES_MAX_LEN)
    return too_long (SM_NOTES_MAX_LEN);

  return NULL;
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

char *
sm_validate_host_key_sha256 (const char *fingerprint)
{
  g_autofree char *padded = NULL;
  g_autofree guchar *decoded = NULL;
  const char *b64;
  gsize decoded_len = 0;

  /* Empty means no pinned key. */
  if (fingerprint == NULL || fingerprint[0] == '\0')
    return NULL;

  if (!g_str_has_prefix (fingerprint, FINGERPRINT_PREFIX))
    goto bad;

  b64 = fingerprint + strlen (FINGERPRINT_PREFIX);
  if (strlen (b64) != FINGERPRINT_B64_LEN)
    goto bad;
  for (gsize i = 0; i < FINGERPRINT_B64_LEN; i++)
    {
      if (!is_base64_char (b64[i]))
        goto bad;
    }

  /* 43 characters carry 258 bits: 32 bytes and two bits that must be zero. */
  padded = g_strconcat (b64, "=", NULL);
  decoded = g_base64_decode (padded, &decoded_len);
  if (decoded_len != 32)
    goto bad;

  {
    g_autofree char *reencoded = g_base64_encode (decoded, decoded_len);

    if (strcmp (reencoded, padded) != 0)
      goto bad;
  }

  return NULL;

bad:
  return g_strdup (_("must be “SHA256:” followed by 43 characters, as printed "
                     "by ssh-keygen -lf (for example SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU)"));
}

GStrv
sm_tags_parse (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return g_strv_builder_end (builder);

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *tag = g_strstrip (parts[i]);
      char *key;

      if (tag[0] == '\0')
        continue;

      /* "Prod" and "prod" are the same tag; the first spelling wins. */
      key = g_utf8_validate (tag, -1, NULL) ? g_utf8_casefold (tag, -1) : g_strdup (tag);
      if (g_hash_table_contains (seen, key))
        {
          g_free (key);
          continue;
        }

      g_hash_table_add (seen, key);
      g_strv_builder_add (builder, tag);
    }

  return g_strv_builder_end (builder);
}

char *
sm_tags_join (const char * const *tags)
{
  if (tags == NULL)
    return g_strdup ("");

  return g_strjoinv (", ", (char **)tags);
}

char *
sm_validate_timeout (gint64 seconds)
{
  if (seconds < 0 || seconds > SM_TIMEOUT_MAX)
    return g_strdup_printf (_("must be from 1 to %d seconds, or 0 for the default"),
                            SM_TIMEOUT_MAX);
  return NULL;
}
