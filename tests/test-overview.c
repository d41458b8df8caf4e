/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-overview.c: the Overview page, the server page header, host key
 * trust and the sidebar row, fed with hand-made poll results. */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "sm-overview-page-private.h"
#include "sm-server-page-private.h"
#include "sm-server-row.h"
#include "sm-ssh-session.h"
#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-vault.h"
#include "sm-window-private.h"
#include "sm-window.h"

#define FINGERPRINT "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"

typedef struct
{
  char    *dir;
  SmStore *store;
} Fixture;

static void
settle (void)
{
  /* Layout happens on the frame clock: give it a few frames. */
  for (guint i = 0; i < 5; i++)
    {
      gint64 until = g_get_monotonic_time () + 20 * 1000;
      guint wake_id = g_timeout_add (5, sm_test_wake_cb, NULL);

      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, TRUE);
      g_source_remove (wake_id);
    }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SmVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  guint8 key[SM_VAULT_KEY_SIZE];

  for (guint i = 0; i < SM_VAULT_KEY_SIZE; i++)
    key[i] = i * 3 + 5;

  f->dir = sm_test_mkdtemp ();
  vault = sm_vault_new_with_key (key);
  f->store = sm_store_open_data_dir (f->dir, vault, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->store);
  sm_test_rmdir (f->dir);
  g_free (f->dir);
}

/* Poll results */

static SmProcess *
process_new (guint       pid,
             const char *command,
             double      cpu,
             guint64     rss)
{
  SmProcess *p = g_new0 (SmProcess, 1);

  p->pid = pid;
  p->user = g_strdup ("www-data");
  p->command = g_strdup (command);
  p->cpu_percent = cpu;
  p->mem_percent = 1.5;
  p->rss_bytes = rss;
  return p;
}

static SmUnit *
unit_new (const char *name,
          const char *active,
          const char *sub)
{
  SmUnit *u = g_new0 (SmUnit, 1);

  u->unit = g_strdup (name);
  u->active = g_strdup (active);
  u->sub = g_strdup (sub);
  return u;
}

static SmListenPort *
port_new (const char *protocol,
          const char *address,
          guint       port,
          const char *process,
          const char *service)
{
  SmListenPort *p = g_new0 (SmListenPort, 1);

  p->protocol = g_strdup (protocol);
  p->address = g_strdup (address);
  p->port = port;
  p->process = g_strdup (process);
  p->service = service;
  return p;
}

static SmPollResult *
make_result (double   cpu,
             gboolean with_home)
{
  SmPollResult *r = sm_poll_result_new ();
  static const char * const ok_sections[] = {
    "cpu", "memory", "load", "uptime", "disks", "inodes", "network",
    "processes", "systemd", "ports", "specs",
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok_sections); i++)
    sm_poll_result_set_section (r, ok_sections[i], SM_SECTION_OK, NULL);
  sm_poll_result_set_section (r, "docker", SM_SECTION_MISSING, "not available");
  sm_poll_result_set_section (r, "gpu", SM_SECTION_MISSING, "not available");

  sm_poll_result_add_metric (r, "cpu.percent", cpu);
  sm_poll_result_add_metric (r, "cpu.user", cpu - 4);
  sm_poll_result_add_metric (r, "cpu.system", 3);
  sm_poll_result_add_metric (r, "cpu.iowait", 1);
  sm_poll_result_add_metric (r, "cpu.steal", 0);
  sm_poll_result_add_metric (r, "mem.total", 8e9);
  sm_poll_result_add_metric (r, "mem.available", 4.4e9);
  sm_poll_result_add_metric (r, "mem.used", 3.6e9);
  sm_poll_result_add_metric (r, "mem.used_percent", 45);
  sm_poll_result_add_metric (r, "swap.total", 2e9);
  sm_poll_result_add_metric (r, "swap.used", 1e8);
  sm_poll_result_add_metric (r, "swap.used_percent", 5);
  sm_poll_result_add_metric (r, "load.1", 0.52);
  sm_poll_result_add_metric (r, "load.5", 0.40);
  sm_poll_result_add_metric (r, "load.15", 0.30);
  sm_poll_result_add_metric (r, "procs.count", 211);
  sm_poll_result_add_metric (r, "uptime.seconds", 3 * 86400 + 4 * 3600 + 60);
  sm_poll_result_add_metric (r, "disk./.used_percent", 63);
  sm_poll_result_add_metric (r, "disk./.inodes_used_percent", 12);
  sm_poll_result_add_metric (r, "disk./.total", 200e9);
  sm_poll_result_add_metric (r, "disk./.used", 126e9);
  if (with_home)
    {
      sm_poll_result_add_metric (r, "disk./home.used_percent", 97);
      sm_poll_result_add_metric (r, "disk./home.total", 1e12);
      sm_poll_result_add_metric (r, "disk./home.used", 0.97e12);
    }
  if (!with_home)
    {
      sm_poll_result_add_metric (r, "gpu.0.util_percent", 85);
      sm_poll_result_add_metric (r, "gpu.0.mem_used", 2e9);
      sm_poll_result_add_metric (r, "gpu.0.mem_total", 8e9);
    }
  sm_poll_result_add_metric (r, "net.eth0.rx_bps", 1.2e6);
  sm_poll_result_add_metric (r, "net.eth0.tx_bps", 3e4);

  g_ptr_array_add (r->top_cpu, process_new (812, "postgres: checkpointer", cpu / 2, 120000000));
  g_ptr_array_add (r->top_cpu, process_new (1, "/sbin/init", 0.1, 9000000));
  g_ptr_array_add (r->top_mem, process_new (812, "postgres: checkpointer", cpu / 2, 120000000));

  r->units = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_unit_free);
  g_ptr_array_add (r->units, unit_new ("ssh.service", "active", "running"));
  g_ptr_array_add (r->units, unit_new ("backup.service", "failed", "failed"));
  g_ptr_array_add (r->units, unit_new ("cron.service", "active", "running"));

  r->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_listen_port_free);
  g_ptr_array_add (r->ports, port_new ("tcp", "0.0.0.0", 22, "sshd", "SSH"));
  g_ptr_array_add (r->ports, port_new ("tcp6", "::", 443, NULL, "HTTPS"));
  g_ptr_array_add (r->ports, port_new ("udp", "127.0.0.1", 53, "dnsmasq", "DNS"));

  r->specs = g_new0 (SmSpecs, 1);
  r->specs->cpu_model = g_strdup ("AMD EPYC 7763 64-Core Processor");
  r->specs->cpu_cores = 4;
  r->specs->ram_bytes = 8000000000;
  r->specs->os_name = g_strdup ("Debian GNU/Linux 12 (bookworm)");
  r->specs->kernel = g_strdup ("6.1.0-13-amd64");
  r->specs->arch = g_strdup ("x86_64");
  r->specs->virtualization = g_strdup ("kvm");

  return r;
}

static SmServer *
store_server (Fixture    *f,
              const char *name)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autoptr(GError) error = NULL;

  sm_server_set_name (server, name);
  sm_server_set_host (server, "web.example.com");
  sm_server_set_username (server, "admin");
  sm_store_save_server (f->store, server, SM_SECRET_KEEP, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&server);
}

static GtkWindow *
show_in_window (GtkWidget *child,
                int        width,
                int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  g_object_ref_sink (window);
  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  sm_test_wait_until (gtk_widget_get_mapped (child));
  settle ();

  return window;
}

static void
destroy_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  g_assert_finalize_object (window);
}

static const char *
label_text (GtkLabel *label)
{
  g_assert_nonnull (label);
  return gtk_label_get_label (label);
}

static GtkWidget *
card_of (SmOverviewPage *page,
         const char     *id)
{
  return gtk_widget_get_ancestor (GTK_WIDGET (_sm_overview_page_get_card_value (page, id)),
                                  GTK_TYPE_FLOW_BOX_CHILD);
}

/* Finds a label showing text under widget, or NULL. */
static GtkLabel *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return GTK_LABEL (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Tests */

static void
test_overview_cards (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SmServer) server = sm_server_new ();
  SmOverviewPage *page = SM_OVERVIEW_PAGE (sm_overview_page_new ());
  GtkWindow *window;
  GtkLabel *cpu_value, *root_value;
  AdwActionRow *row;
  GtkAdjustment *vadjustment;
  double scrolled;

  sm_server_set_name (server, "web");
  sm_server_take_last_result (server, make_result (12, TRUE));
  sm_overview_page_set_server (page, server);
  window = show_in_window (GTK_WIDGET (page), 1000, 400);

  g_assert_cmpstr (_sm_overview_page_get_visible_view (page), ==, "content");

  /* Cards: CPU, memory, swap, load, two disks, one interface. */
  g_assert_cmpuint (_sm_overview_page_get_n_cards (page), ==, 7);
  cpu_value = _sm_overview_page_get_card_value (page, "cpu");
  g_assert_cmpstr (label_text (cpu_value), ==, "12\u00a0%");
  g_assert_nonnull (strstr (label_text (_sm_overview_page_get_card_detail (page, "cpu")), "User\u00a08\u00a0%"));
  g_assert_cmpstr (label_text (_sm_overview_page_get_card_value (page, "memory")), ==, "45\u00a0%");
  g_assert_cmpstr (label_text (_sm_overview_page_get_card_detail (page, "memory")), ==, "3.6\u00a0GB of 8.0\u00a0GB used");
  g_assert_cmpstr (label_text (_sm_overview_page_get_card_value (page, "load")), ==, "0.52");
  root_value = _sm_overview_page_get_card_value (page, "disk:/");
  g_assert_cmpstr (label_text (root_value), ==, "63\u00a0%");
  g_assert_nonnull (strstr (label_text (_sm_overview_page_get_card_detail (page, "disk:/")), "Inodes\u00a012\u00a0%"));
  g_assert_cmpstr (label_text (_sm_overview_page_get_card_value (page, "disk:/home")), ==, "97\u00a0%");
  g_assert_nonnull (strstr (label_text (_sm_overview_page_get_card_value (page, "net:eth0")), "1.2\u00a0MB/s"));
  g_assert_null (_sm_overview_page_get_card_value (page, "gpu:0"));

  /* The meter's colour follows the level. */
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (_sm_overview_page_get_card_meter (page, "cpu")), "accent"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (_sm_overview_page_get_card_meter (page, "disk:/home")), "error"));

  /* Wide: cards share a line. */
  g_assert_cmpint (gtk_widget_get_allocated_height (card_of (page, "cpu")), >, 0);
  {
    graphene_point_t cpu_pos, mem_pos;

    g_assert_true (gtk_widget_compute_point (card_of (page, "cpu"), GTK_WIDGET (page),
                                             &GRAPHENE_POINT_INIT (0, 0), &cpu_pos));
    g_assert_true (gtk_widget_compute_point (card_of (page, "memory"), GTK_WIDGET (page),
                                             &GRAPHENE_POINT_INIT (0, 0), &mem_pos));
    g_assert_cmpfloat (cpu_pos.y, ==, mem_pos.y);
    g_assert_cmpfloat (cpu_pos.x, <, mem_pos.x);
  }

  /* Tables. */
  g_assert_nonnull (strstr (adw_preferences_group_get_description (_sm_overview_page_get_group (page, "containers")),
                            "Not available"));
  row = _sm_overview_page_get_row (page, "units", "backup.service");
  g_assert_nonnull (row);
  g_assert_cmpint (gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)), ==, 0);
  g_assert_nonnull (find_label (GTK_WIDGET (row), "failed (failed)"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (find_label (GTK_WIDGET (row), "failed (failed)")), "error"));
  g_assert_null (_sm_overview_page_get_row (page, "units", "ssh.service"));
  g_assert_nonnull (_sm_overview_page_get_row (page, "tcp", "tcp:0.0.0.0:22"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (_sm_overview_page_get_row (page, "tcp", "tcp:0.0.0.0:22"))),
                   ==, "22 · SSH");
  g_assert_nonnull (_sm_overview_page_get_row (page, "tcp", "tcp::::443"));
  g_assert_nonnull (_sm_overview_page_get_row (page, "udp", "udp:127.0.0.1:53"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (_sm_overview_page_get_row (page, "top-cpu", "0"))),
                   ==, "postgres: checkpointer");
  g_assert_nonnull (_sm_overview_page_get_row (page, "specs", "os"));

  /* Scroll down, then a new poll: same widgets, new numbers, same place. */
  vadjustment = gtk_scrolled_window_get_vadjustment (_sm_overview_page_get_scrolled_window (page));
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment), >, gtk_adjustment_get_page_size (vadjustment) + 200);
  gtk_adjustment_set_value (vadjustment, 200);
  settle ();
  scrolled = gtk_adjustment_get_value (vadjustment);
  g_assert_cmpfloat (scrolled, ==, 200);
  row = _sm_overview_page_get_row (page, "units", "backup.service");

  sm_server_take_last_result (server, make_result (55, FALSE));
  settle ();

  g_assert_true (_sm_overview_page_get_card_value (page, "cpu") == cpu_value);
  g_assert_cmpstr (label_text (cpu_value), ==, "55\u00a0%");
  g_assert_true (_sm_overview_page_get_card_value (page, "disk:/") == root_value);
  g_assert_null (_sm_overview_page_get_card_value (page, "disk:/home"));
  /* A GPU card appears with GPU metrics, in the warning colour at 85 %. */
  g_assert_cmpstr (label_text (_sm_overview_page_get_card_value (page, "gpu:0")), ==, "85\u00a0%");
  g_assert_cmpstr (label_text (_sm_overview_page_get_card_detail (page, "gpu:0")), ==,
                   "Memory 2.0\u00a0GB of 8.0\u00a0GB");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (_sm_overview_page_get_card_meter (page, "gpu:0")), "warning"));
  g_assert_cmpuint (_sm_overview_page_get_n_cards (page), ==, 7);
  g_assert_true (_sm_overview_page_get_row (page, "units", "backup.service") == row);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, scrolled);

  destroy_window (window);
}

static void
test_overview_narrow (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SmServer) server = sm_server_new ();
  SmOverviewPage *page = SM_OVERVIEW_PAGE (sm_overview_page_new ());
  graphene_point_t cpu_pos, mem_pos;
  GtkWindow *window;

  sm_server_take_last_result (server, make_result (12, TRUE));
  sm_overview_page_set_server (page, server);
  window = show_in_window (GTK_WIDGET (page), 360, 600);

  /* One card per line, nothing wider than the window. */
  g_assert_true (gtk_widget_compute_point (card_of (page, "cpu"), GTK_WIDGET (page),
                                           &GRAPHENE_POINT_INIT (0, 0), &cpu_pos));
  g_assert_true (gtk_widget_compute_point (card_of (page, "memory"), GTK_WIDGET (page),
                                           &GRAPHENE_POINT_INIT (0, 0), &mem_pos));
  g_assert_cmpfloat (cpu_pos.x, ==, mem_pos.x);
  g_assert_cmpfloat (cpu_pos.y, <, mem_pos.y);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);

  destroy_window (window);
}

static void
test_overview_waiting (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SmServer) server = sm_server_new ();
  SmOverviewPage *page = SM_OVERVIEW_PAGE (sm_overview_page_new ());
  AdwStatusPage *status_page = _sm_overview_page_get_status_page (page);
  GtkWindow *window;

  sm_overview_page_set_server (page, server);
  window = show_in_window (GTK_WIDGET (page), 600, 400);

  g_assert_cmpstr (_sm_overview_page_get_visible_view (page), ==, "waiting");
  g_assert_cmpstr (adw_status_page_get_title (status_page), ==, "Waiting for the First Poll…");

  sm_server_set_status_reason (server, "connection refused");
  sm_server_set_status (server, SM_SERVER_STATUS_DOWN);
  g_assert_cmpstr (adw_status_page_get_description (status_page), ==, "Connection refused");
  g_assert_cmpstr (adw_status_page_get_title (status_page), ==, "No Data");

  /* A reason quoting what a server sent is text, not markup. */
  sm_server_set_status_reason (server, "auth: <b>denied</b> & gone");
  g_assert_cmpstr (adw_status_page_get_description (status_page), ==,
                   "Auth: &lt;b&gt;denied&lt;/b&gt; &amp; gone");

  sm_server_take_last_result (server, make_result (12, TRUE));
  g_assert_cmpstr (_sm_overview_page_get_visible_view (page), ==, "content");

  destroy_window (window);
}

static void
test_overview_section_error (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SmServer) server = sm_server_new ();
  SmOverviewPage *page = SM_OVERVIEW_PAGE (sm_overview_page_new ());
  SmPollResult *result = make_result (12, TRUE);
  GtkWindow *window;

  sm_poll_result_set_section (result, "cpu", SM_SECTION_ERROR, "malformed output");
  sm_poll_result_set_section (result, "systemd", SM_SECTION_ERROR, "the command failed");
  sm_server_take_last_result (server, result);
  sm_overview_page_set_server (page, server);
  window = show_in_window (GTK_WIDGET (page), 800, 600);

  g_assert_cmpstr (label_text (_sm_overview_page_get_card_detail (page, "cpu")), ==,
                   "Could not read: malformed output");
  g_assert_cmpstr (adw_preferences_group_get_description (_sm_overview_page_get_group (page, "units")), ==,
                   "Could not read: the command failed");
  g_assert_null (_sm_overview_page_get_row (page, "units", "backup.service"));

  destroy_window (window);
}

static SmWindow *
create_window (Fixture *f)
{
  SmWindow *window = sm_window_new (NULL, f->store);

  g_object_ref (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  sm_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (window)));

  return window;
}

static void
destroy_sm_window (SmWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static SmServer *
only_listed_server (SmWindow *window)
{
  GListModel *servers = sm_window_get_servers (window);
  g_autoptr(SmServer) server = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (servers), ==, 1);
  server = g_list_model_get_item (servers, 0);

  return server;
}

static void
test_server_page_header (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SmServer) stored = store_server (f, "Web");
  SmWindow *window = create_window (f);
  SmServer *server = only_listed_server (window);
  SmServerPage *page = _sm_window_get_server_page (window);
  SmServerRow *row;
  GtkLabel *subtitle;

  g_assert_true (sm_window_get_selected_server (window) == server);
  g_assert_cmpstr (label_text (_sm_server_page_get_last_poll_label (page)), ==, "No data yet");
  sm_test_wait_until (_sm_server_page_get_tick_id (page) != 0);

  sm_server_take_last_result (server, make_result (12, TRUE));
  sm_server_set_status_reason (server, "disk / 97% full");
  sm_server_set_status (server, SM_SERVER_STATUS_DEGRADED);

  g_assert_cmpstr (label_text (_sm_server_page_get_status_label (page)), ==, "Degraded — disk / 97% full");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (_sm_server_page_get_status_label (page)), "warning"));
  g_assert_cmpstr (label_text (_sm_server_page_get_info_label (page)), ==,
                   "Debian GNU/Linux 12 (bookworm) · Up\u00a03\u00a0days,\u00a04\u00a0hours");
  g_assert_cmpstr (label_text (_sm_server_page_get_last_poll_label (page)), ==, "Last poll just now");
  g_assert_cmpstr (label_text (_sm_overview_page_get_card_value (_sm_server_page_get_overview_page (page), "cpu")),
                   ==, "12\u00a0%");

  /* The sidebar row says why, in the status's colour. */
  row = SM_SERVER_ROW (gtk_list_box_get_row_at_index (_sm_window_get_list_box (window), 0));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (row)), "disk / 97% full"));
  subtitle = find_label (GTK_WIDGET (row), "disk / 97% full");
  g_assert_nonnull (subtitle);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (subtitle), "warning"));

  sm_server_set_status_reason (server, "connection refused");
  sm_server_set_status (server, SM_SERVER_STATUS_DOWN);
  g_assert_cmpstr (label_text (_sm_server_page_get_status_label (page)), ==, "Down — connection refused");
  subtitle = find_label (GTK_WIDGET (row), "connection refused");
  g_assert_nonnull (subtitle);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (subtitle), "error"));

  sm_server_set_status_reason (server, NULL);
  sm_server_set_status (server, SM_SERVER_STATUS_UP);
  g_assert_null (find_label (GTK_WIDGET (row), "connection refused"));
  g_assert_cmpstr (label_text (_sm_server_page_get_status_label (page)), ==, "Up");

  /* "Last poll … ago" only ticks while the page is shown. */
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  g_assert_cmpuint (_sm_server_page_get_tick_id (page), ==, 0);

  destroy_sm_window (window);
}

static void
test_host_key_trust (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SmServer) stored = store_server (f, "Web");
  g_autoptr(SmServer) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) unknown = g_error_new_literal (SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN, "unknown");
  g_autoptr(GError) changed = g_error_new_literal (SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_CHANGED, "changed");
  g_autoptr(GError) refused = g_error_new_literal (SM_SSH_ERROR, SM_SSH_ERROR_REFUSED, "refused");
  SmWindow *window = create_window (f);
  SmServer *server = only_listed_server (window);
  SmServerPage *page = _sm_window_get_server_page (window);
  GtkWidget *box = _sm_server_page_get_host_key_box (page);
  GtkWidget *button = _sm_server_page_get_host_key_button (page);

  g_assert_false (gtk_widget_get_visible (box));

  /* Unknown: a warning with the fingerprint and "Trust This Key". */
  sm_window_report_poll (window, server, unknown, FINGERPRINT);
  g_assert_true (gtk_widget_get_visible (box));
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_nonnull (strstr (label_text (_sm_server_page_get_host_key_body (page)), FINGERPRINT));
  g_assert_nonnull (strstr (label_text (_sm_server_page_get_host_key_body (page)), "ssh-keygen -lf"));

  /* Another failure clears it. */
  sm_window_report_poll (window, server, refused, NULL);
  g_assert_false (gtk_widget_get_visible (box));

  /* Changed: an error, no one-click accept, the known_hosts path. */
  sm_window_report_poll (window, server, changed, FINGERPRINT);
  g_assert_true (gtk_widget_get_visible (box));
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_nonnull (strstr (label_text (_sm_server_page_get_host_key_body (page)), "known_hosts"));
  g_assert_nonnull (strstr (label_text (_sm_server_page_get_host_key_body (page)), f->dir));
  g_assert_cmpint (sm_server_page_get_host_key_issue (page, server), ==, SM_HOST_KEY_ISSUE_CHANGED);

  /* Trusting pins the key on the server and in the store. */
  sm_window_report_poll (window, server, unknown, FINGERPRINT);
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_false (gtk_widget_get_visible (box));
  g_assert_cmpstr (sm_server_get_host_key_sha256 (server), ==, FINGERPRINT);
  reloaded = sm_store_get_server (f->store, sm_server_get_id (server), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sm_server_get_host_key_sha256 (reloaded), ==, FINGERPRINT);

  destroy_sm_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/overview/cards", test_overview_cards);
  ADD ("/overview/narrow", test_overview_narrow);
  ADD ("/overview/waiting", test_overview_waiting);
  ADD ("/overview/section-error", test_overview_section_error);
  ADD ("/overview/server-page-header", test_server_page_header);
  ADD ("/overview/host-key-trust", test_host_key_trust);

#undef ADD

  return g_test_run ();
}
