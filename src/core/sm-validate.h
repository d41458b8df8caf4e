/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-validate.h: field validation shared by the dialog, the import and the store.
 *
 * Each validator returns NULL when the value is valid, or a newly allocated,
 * translated message that says what is wrong and how to fix it, phrased to
 * follow the field's name: "must be a number from 1 to 65535". The dialog
 * shows it as "Port must be a number from 1 to 65535"; the import prints
 * "FILE: servers[3].port: must be a number from 1 to 65535".
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SM_NAME_MAX_LEN      64
#define SM_USERNAME_MAX_LEN  64
#define SM_GROUP_MAX_LEN     64
#define SM_TAG_MAX_LEN       32
#define SM_TAGS_MAX          32
#define SM_NOTES_MAX_LEN     4096

char     *sm_validate_name            (const char  *name);
/* Host name (RFC 1123), IPv4 or IPv6 address; brackets are not accepted. */
char     *sm_validate_host            (const char  *host);
char     *sm_validate_port            (gint64       port);
/* Parses decimal text (surrounding spaces allowed) into out_port. */
char     *sm_validate_port_text       (const char  *text,
                                       guint       *out_port);
char     *sm_validate_username        (const char  *username);
char     *sm_validate_interval        (gint64       seconds);
/* An SSH deadline in seconds: 1-600, or 0 for the default. */
char     *sm_validate_timeout         (gint64       seconds);
/* An absolute path or one starting with "~/"; existence is not checked. */
char     *sm_validate_key_file        (const char  *path);
/* Also checks that the file exists and is readable (the dialog uses this). */
char     *sm_validate_key_file_exists (const char  *path);
char     *sm_validate_group           (const char  *group);
char     *sm_validate_tag             (const char  *tag);
char     *sm_validate_notes           (const char  *notes);
/* "SHA256:" followed by 43 unpadded base64 characters (OpenSSH style). */
char     *sm_validate_host_key_sha256 (const char  *fingerprint);

/* Splits "a, b,,c " into {"a","b","c"}: trimmed, empty items dropped,
 * duplicates removed, order kept. */
GStrv     sm_tags_parse               (const char  *text);
/* Joins tags as "a, b, c". */
char     *sm_tags_join                (const char * const *tags);

G_END_DECLS
