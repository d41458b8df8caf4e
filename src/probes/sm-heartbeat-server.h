/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-heartbeat-server.h: an opt-in HTTP listener for pushed heartbeats
 * (cron jobs, backups: "ping me when you ran") and pushed reports.
 *
 *   GET|POST /heartbeat/<token>[?status=up|down&msg=…]
 *       -> "heartbeat" (check_id, status or NULL, message or NULL)
 *   POST /report/<token>  with "X-API-Key: <key>"
 *       -> "report" (check_id, status, message or "")
 *
 * status and message may also come in a POST body: JSON
 * ({"status": "down", "message": "disk full"}), a form
 * (status=down&message=disk+full), or plain text (the message). "msg" is
 * accepted for "message"; status is up, down, degraded or unknown.
 * Messages are cut to 1000 characters and repaired to UTF-8.
 *
 * Answers: 200 "OK"; 400 bad status or body; 404 unknown token or path;
 * 401 missing or wrong API key (checked before the token, so a caller
 * without the key learns nothing about tokens; no key set means every
 * report is refused); 405 for methods other than GET and POST (and GET on
 * /report); 413 for bodies over 16 KiB; 429 with Retry-After once a
 * client address has had 10 failures (401/404) within a minute (a token
 * bucket of 10, refilled by one every 6 s): then every request from that
 * address is refused until the bucket refills.
 *
 * Tokens are looked up by a keyed BLAKE2b hash of the token (key random
 * per server) and the API key compared with sodium_memcmp on hashes, so
 * the time taken does not tell how much of a guess was right.
 *
 * Signals are emitted in the thread-default main context of the thread
 * that called sm_heartbeat_server_listen() (the main context in the app).
 * The server listens on 127.0.0.1 unless told otherwise; it only listens
 * once listen() is called (opt-in).
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"

G_BEGIN_DECLS

#define SM_HEARTBEAT_MAX_BODY      (16 * 1024)
#define SM_HEARTBEAT_MAX_MESSAGE   1000
#define SM_HEARTBEAT_FAIL_BURST    10
#define SM_HEARTBEAT_FAIL_PERIOD_S 60

#define SM_TYPE_HEARTBEAT_SERVER (sm_heartbeat_server_get_type ())
G_DECLARE_FINAL_TYPE (SmHeartbeatServer, sm_heartbeat_server, SM, HEARTBEAT_SERVER, GObject)

SmHeartbeatServer *sm_heartbeat_server_new          (void);
/* Listens on address (an IP address; NULL: 127.0.0.1) and port (0: any
 * free port, see get_port). Listening again replaces the old listener. */
gboolean           sm_heartbeat_server_listen       (SmHeartbeatServer  *self,
                                                     const char         *address,
                                                     guint               port,
                                                     GError            **error);
/* The port listened on, 0 when not listening. */
guint              sm_heartbeat_server_get_port     (SmHeartbeatServer  *self);
void               sm_heartbeat_server_add_check    (SmHeartbeatServer  *self,
                                                     const char         *token,
                                                     gint64              check_id);
void               sm_heartbeat_server_remove_check (SmHeartbeatServer  *self,
                                                     const char         *token);
/* The key for /report (NULL or "": reports are refused). Kept in guarded
 * memory. */
void               sm_heartbeat_server_set_api_key  (SmHeartbeatServer  *self,
                                                     const char         *key);

/* A new token: 32 random bytes, base64url without padding (43 chars). */
char              *sm_heartbeat_new_token           (void);

/* Whether a heartbeat check is late at now_s: DOWN when now_s is past
 * last_ping_s + interval_s + grace_s (or, never pinged (0), past
 * created_s + interval_s + grace_s), with a reason in out_reason
 * ("no heartbeat for 2 h 5 min", "no heartbeat since the check was
 * created 1 d 2 h ago"); UP (out_reason NULL) otherwise. */
SmCheckStatus      sm_heartbeat_evaluate            (gint64              last_ping_s,
                                                     gint64              now_s,
                                                     guint               interval_s,
                                                     guint               grace_s,
                                                     gint64              created_s,
                                                     char              **out_reason);
/* "45 s", "5 min", "2 h 5 min", "3 d 4 h". */
char              *sm_heartbeat_format_age          (gint64              seconds);

G_END_DECLS
