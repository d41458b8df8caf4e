/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-store.h: the SQLite database (one file in the data dir).
 *
 * WAL, foreign_keys=ON, synchronous=NORMAL, auto_vacuum=INCREMENTAL, schema
 * version in PRAGMA user_version with ordered migrations, prepared statements
 * only. A database that is locked, read-only, corrupt or from a newer version
 * is reported and never modified. Used from one thread (the main thread);
 * later issues add a writer thread with its own connection.
 */
#pragma once

#include <gio/gio.h>

#include "sm-server.h"
#include "sm-vault.h"

G_BEGIN_DECLS

#define SM_STORE_FILE_NAME       "status-monitor.db"
/* The schema this build migrates to; 6 added the metric history tables
 * (see sm-history.h), 7 the alert tables (see sm-alert-store.h), 8 the
 * service checks (see sm-check-store.h). */
#define SM_STORE_SCHEMA_VERSION  8

#define SM_STORE_ERROR (sm_store_error_quark ())
GQuark sm_store_error_quark (void);

typedef enum {
  SM_STORE_ERROR_LOCKED,      /* another process holds a lock */
  SM_STORE_ERROR_READ_ONLY,   /* file or directory not writable */
  SM_STORE_ERROR_CORRUPT,     /* not a database, or malformed */
  SM_STORE_ERROR_TOO_NEW,     /* user_version above SM_STORE_SCHEMA_VERSION */
  SM_STORE_ERROR_IO,          /* disk full, I/O error, cannot create */
  SM_STORE_ERROR_NOT_FOUND,
  SM_STORE_ERROR_DUPLICATE,   /* a server with that name exists */
  SM_STORE_ERROR_INVALID,     /* a field fails sm-validate */
  SM_STORE_ERROR_FAILED,
} SmStoreError;

/* What saving a server does with its stored secret. */
typedef enum {
  SM_SECRET_KEEP,    /* leave the stored secret as it is */
  SM_SECRET_SET,     /* encrypt and store the given secret */
  SM_SECRET_CLEAR,   /* remove the stored secret */
} SmSecretAction;

/* Whether the vault's key matches the one that sealed this database's secrets. */
typedef enum {
  SM_VAULT_STATE_NONE,      /* no vault given */
  SM_VAULT_STATE_OK,
  SM_VAULT_STATE_MISMATCH,  /* the key cannot open the database's check value */
} SmVaultState;

#define SM_TYPE_STORE (sm_store_get_type ())
G_DECLARE_FINAL_TYPE (SmStore, sm_store, SM, STORE, GObject)

/* Default data dir: $XDG_DATA_HOME/status-monitor. */
char          *sm_store_default_data_dir  (void);
/* Creates data_dir (0700) if needed and opens DATA_DIR/status-monitor.db. */
SmStore       *sm_store_open_data_dir     (const char      *data_dir,
                                           SmVault         *vault,
                                           GError         **error);
/* Opens (creating if missing) and migrates the database at path. vault may
 * be NULL; then secrets can be neither set nor read. */
SmStore       *sm_store_open              (const char      *path,
                                           SmVault         *vault,
                                           GError         **error);
const char    *sm_store_get_path          (SmStore         *self);
int            sm_store_get_schema_version (SmStore        *self);
SmVault       *sm_store_get_vault         (SmStore         *self);
/* Sets the vault later (the UI loads it on a worker) and checks it. */
void           sm_store_set_vault         (SmStore         *self,
                                           SmVault         *vault);
SmVaultState   sm_store_get_vault_state   (SmStore         *self);

/* All servers, ordered by group (no group first) then name (case-insensitive).
 * Element type SmServer. */
GPtrArray     *sm_store_list_servers      (SmStore         *self,
                                           GError         **error);
SmServer      *sm_store_get_server        (SmStore         *self,
                                           gint64           id,
                                           GError         **error);
/* Case-insensitive; NULL without error when there is none. */
SmServer      *sm_store_find_server_by_name (SmStore       *self,
                                           const char      *name,
                                           GError         **error);
/* Inserts (id 0: sets id) or updates the server. Validates every field
 * (SM_STORE_ERROR_INVALID), reports SM_STORE_ERROR_DUPLICATE for a taken
 * name. Switching to the agent method clears the stored secret. Updates
 * the server's has-secret property. */
gboolean       sm_store_save_server       (SmStore         *self,
                                           SmServer        *server,
                                           SmSecretAction   action,
                                           const char      *secret,
                                           GError         **error);
gboolean       sm_store_delete_server     (SmStore         *self,
                                           gint64           id,
                                           GError         **error);
/* Decrypts the server's password (auth password) or key passphrase (auth
 * key). NULL with no error when none is stored; SM_VAULT_ERROR_UNAVAILABLE
 * when it cannot be decrypted. Free with sm_secret_free. */
char          *sm_store_load_secret       (SmStore         *self,
                                           SmServer        *server,
                                           GError         **error);

/* Adds the built-in "This computer" entry (is-local, host "localhost")
 * named name (or "name 2"... when taken), once per database: a user who
 * deleted it does not get it back. *out_added is the new server or NULL. */
gboolean       sm_store_ensure_local_server (SmStore       *self,
                                           const char      *name,
                                           SmServer       **out_added,
                                           GError         **error);

/* Records a server's latest poll: status nick ("up", "down", ...), reason,
 * metrics (JSON object) and, when collected this poll, the inventory
 * (sm_specs_to_json). *out_specs_changed says whether the inventory
 * differs from the one stored before (its time is kept, see below). */
gboolean       sm_store_save_poll         (SmStore         *self,
                                           gint64           server_id,
                                           gint64           polled_at,
                                           const char      *status,
                                           const char      *reason,
                                           const char      *metrics_json,
                                           const char      *specs_json,
                                           gboolean        *out_specs_changed,
                                           GError         **error);
/* When the server's inventory last changed (unix time of the poll), or 0. */
gboolean       sm_store_get_specs_changed_at (SmStore      *self,
                                           gint64           server_id,
                                           gint64          *out_time,
                                           GError         **error);

/* A secret of the app itself (the heartbeat report key), encrypted with
 * the vault. load: NULL without error when none is stored; free with
 * sm_secret_free. */
gboolean       sm_store_set_app_secret    (SmStore         *self,
                                           const char      *name,
                                           const char      *secret,
                                           GError         **error);
char          *sm_store_load_app_secret   (SmStore         *self,
                                           const char      *name,
                                           GError         **error);

/* Transactions for multi-row changes (the import). Not nestable. */
gboolean       sm_store_begin             (SmStore         *self,
                                           GError         **error);
gboolean       sm_store_commit            (SmStore         *self,
                                           GError         **error);
void           sm_store_rollback          (SmStore         *self);

G_END_DECLS
