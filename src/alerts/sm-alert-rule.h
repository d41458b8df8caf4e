/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-rule.h: an alert rule and its weekly schedules, as plain data.
 *
 * A rule's target is a metric name ("cpu.percent", "disk./.used_percent"),
 * a metric pattern with one '*' standing for one whole name component
 * ("disk.*.used_percent" matches every disk; the component may itself hold
 * dots, as a mount point can), or a state ("state.unreachable",
 * "state.host_key_changed", "state.unit_failed",
 * "state.container_not_running"). A state target's condition is simply
 * "the state is on"; its comparison and thresholds are ignored.
 *
 * Validators follow sm-validate.h: NULL when valid, else a message that
 * names the field and the problem ("threshold: must be a number"); the
 * import prefixes it with the file and JSON path ("rules[2].").
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "sm-notification.h"

G_BEGIN_DECLS

typedef enum {
  SM_ALERT_OP_GT,
  SM_ALERT_OP_GE,
  SM_ALERT_OP_LT,
  SM_ALERT_OP_LE,
  SM_ALERT_OP_EQ,
  SM_ALERT_OP_NE,
} SmAlertOp;

/* ">", ">=", "<", "<=", "==", "!=". */
const char *sm_alert_op_to_string   (SmAlertOp    op);
gboolean    sm_alert_op_from_string (const char  *text,
                                     SmAlertOp   *out_op);
gboolean    sm_alert_op_compare     (SmAlertOp    op,
                                     double       value,
                                     double       threshold);

/* "30s", "5m", "2h", "1d" or a plain number of seconds ("90"), into
 * seconds. NULL when valid, else a message ("must be a duration such as
 * 30s, 5m, 2h or 1d"). */
char       *sm_alert_parse_duration (const char  *text,
                                     gint64      *out_seconds);

/* The other way: "5m" for 300, "90s" for 90, "1d" for 86400. */
char       *sm_alert_format_duration (gint64       seconds);

/* One weekly window in local time. days: bit 0 is Monday ... bit 6 is
 * Sunday (the day the window starts). start and end are minutes after
 * local midnight (0-1439); end <= start crosses midnight into the next
 * day; end == start is a whole day. */
typedef struct {
  guint8  days;
  guint16 start;
  guint16 end;
} SmWeeklyWindow;

#define SM_WEEKDAYS_MON_FRI 0x1f
#define SM_WEEKDAYS_ALL     0x7f

/* TRUE when local (a GDateTime in the schedule's time zone) is inside. */
gboolean    sm_weekly_window_contains  (const SmWeeklyWindow *window,
                                        GDateTime            *local);
char       *sm_weekly_window_validate  (const SmWeeklyWindow *window);
/* "HH:MM" into minutes after midnight; NULL when valid, else a message. */
char       *sm_parse_time_of_day       (const char           *text,
                                        guint16              *out_minutes);

typedef enum {
  SM_ALERT_SCOPE_ALL,
  SM_ALERT_SCOPE_SERVER,   /* scope_value is a server id */
  SM_ALERT_SCOPE_GROUP,    /* scope_value is a group name */
  SM_ALERT_SCOPE_TAG,      /* scope_value is a tag */
} SmAlertScope;

typedef struct {
  char          *id;
  char          *target;
  SmAlertOp      op;
  double         threshold;
  double         clear_threshold;    /* NAN: the threshold (no hysteresis) */
  gint64         for_seconds;        /* condition held this long: firing */
  SmSeverity     severity;
  guint          retries;            /* consecutive failing evaluations, >= 1 */
  gint64         repeat_seconds;     /* 0: never repeat */
  gint64         escalate_seconds;   /* 0: never escalate */
  char          *escalation_channel; /* needed when escalate_seconds > 0 */
  SmAlertScope   scope;
  char          *scope_value;
  GArray        *business_hours;     /* SmWeeklyWindow; NULL or empty: always */
  char         **channels;           /* NULL: the default channels */
  gboolean       enabled;
} SmAlertRule;

/* A rule with the defaults: op ">", clear = threshold, retries 1, warning,
 * scope all, enabled. */
SmAlertRule *sm_alert_rule_new       (const char        *id,
                                      const char        *target,
                                      SmAlertOp          op,
                                      double             threshold);
SmAlertRule *sm_alert_rule_copy      (const SmAlertRule *rule);
void         sm_alert_rule_free      (SmAlertRule       *rule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmAlertRule, sm_alert_rule_free)

void         sm_alert_rule_add_business_hours (SmAlertRule          *rule,
                                               const SmWeeklyWindow *window);

/* The clear threshold in effect (the threshold when none is set). */
double       sm_alert_rule_get_clear_threshold (const SmAlertRule *rule);
gboolean     sm_alert_rule_is_state            (const SmAlertRule *rule);
gboolean     sm_alert_target_is_state          (const char        *target);
/* TRUE when the metric name matches the rule's target (exact or pattern). */
gboolean     sm_alert_target_matches           (const char        *target,
                                                const char        *metric);

/* NULL when the rule is valid, else "field: problem". */
char        *sm_alert_rule_validate  (const SmAlertRule *rule);

/* The rules every new server gets (editable), scoped to server_id, with
 * ids "<server_id>/<name>": unreachable (retries 2), cpu and memory above
 * 90 % for 5 minutes, any disk above 90 %, inodes above 90 %, host key
 * changed. An array of SmAlertRule, owning them. */
GPtrArray   *sm_alert_rules_new_defaults (const char *server_id);

/* What people read (translated): a metric or state ("CPU", "Disk /var",
 * "Any disk", "Unreachable"; unknown metrics as they are), *out_percent
 * TRUE when its values are percentages; and a rule's condition on a
 * concrete target (NULL: the rule's own) such as "CPU above 90 %". */
char        *sm_alert_describe_metric    (const char        *metric,
                                          gboolean          *out_percent);
char        *sm_alert_describe_condition (const SmAlertRule *rule,
                                          const char        *target);

/* JSON, as in the import/export format and the database:
 *   {"id": "r-…", "metric": "cpu.percent", "op": ">", "threshold": 90,
 *    "clear": 85, "for": "5m", "severity": "critical", "retries": 1,
 *    "repeat": "1h", "escalate_after": "30m", "escalate_to": "tg",
 *    "server": "<scope value>" | "group": "…" | "tag": "…",
 *    "business_hours": [{"days": ["mon", …], "start": "09:00", "end": "17:00"}],
 *    "channels": ["desk", "tg"], "enabled": true}
 * Members at their default are left out ("clear" when none, "for",
 * "repeat", "escalate_*" when 0, "retries" when 1, "channels" when NULL,
 * "enabled" when TRUE). "metric" may also be "state.unreachable" etc.; a
 * state rule needs neither "op" nor "threshold". The server scope's value
 * is written as it is (the store keeps a server id, the export a name).
 * from_json: a missing "id" gets sm_alert_rule_new_id(); NULL with
 * *out_error "field: problem" (untranslated field names, translated
 * problems) when anything is wrong, including sm_alert_rule_validate. */
JsonNode    *sm_alert_rule_to_json       (const SmAlertRule *rule);
SmAlertRule *sm_alert_rule_from_json     (JsonNode          *node,
                                          char             **out_error);
/* A new unique rule id ("r-" and a random UUID). */
char        *sm_alert_rule_new_id        (void);

/* {"days": ["mon", "tue", …] or "all" or "mon-fri", "start": "HH:MM",
 *  "end": "HH:MM"}; from_json is FALSE with *out_error "field: problem". */
JsonNode    *sm_weekly_window_to_json    (const SmWeeklyWindow *window);
gboolean     sm_weekly_window_from_json  (JsonNode             *node,
                                          SmWeeklyWindow       *out_window,
                                          char                **out_error);

G_END_DECLS
