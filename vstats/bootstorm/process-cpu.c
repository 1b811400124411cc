/*
 * process-cpu.c: /proc readers for boot-storm's CPU accounting.
 */
#include "process-cpu.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The contents of /proc/PID/@file, or NULL. */
static char *
read_proc_file(pid_t pid, const char *file, gsize *len)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/%s", (int) pid, file);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, len, NULL))
        return NULL;
    return text;
}

double
vstats_process_cpu_seconds(pid_t pid)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) fields = NULL;
    const char *rest;

    if (pid <= 0 || !(text = read_proc_file(pid, "stat", NULL)))
        return -1;
    /* The command name may hold spaces and ')': fields start after the
     * last ')'.  Then state is field 3, utime 14, stime 15. */
    rest = strrchr(text, ')');
    if (!rest)
        return -1;
    fields = g_strsplit(rest + 2, " ", 0);
    if (g_strv_length(fields) < 13)
        return -1;
    return (g_ascii_strtod(fields[11], NULL) + g_ascii_strtod(fields[12], NULL)) /
           sysconf(_SC_CLK_TCK);
}

/* Calls @fn on every numeric /proc entry until it returns FALSE. */
static void
for_each_pid(gboolean (*fn)(pid_t pid, gpointer data), gpointer data)
{
    g_autoptr(GDir) dir = g_dir_open("/proc", 0, NULL);
    const char *entry;

    if (!dir)
        return;
    while ((entry = g_dir_read_name(dir))) {
        char *end;
        long pid = strtol(entry, &end, 10);
        if (*end || pid <= 0)
            continue;
        if (!fn((pid_t) pid, data))
            return;
    }
}

typedef struct {
    pid_t found;
    guint n;
} DaemonSearch;

static gboolean
check_daemon(pid_t pid, gpointer data)
{
    DaemonSearch *search = data;
    g_autofree char *comm = read_proc_file(pid, "comm", NULL);

    if (!comm)
        return TRUE;
    g_strchomp(comm);
    if (strcmp(comm, "libvirtd") == 0 || strcmp(comm, "virtqemud") == 0) {
        search->found = pid;
        search->n++;
    }
    return search->n < 2;
}

pid_t
vstats_find_daemon_pid(void)
{
    DaemonSearch search = { 0, 0 };

    for_each_pid(check_daemon, &search);
    return search.n == 1 ? search.found : 0;
}

typedef struct {
    GHashTable *names;
    GArray *pids;
} GuestSearch;

static gboolean
check_guest(pid_t pid, gpointer data)
{
    GuestSearch *search = data;
    gsize len;
    g_autofree char *cmdline = read_proc_file(pid, "cmdline", &len);

    if (!cmdline)
        return TRUE;
    /* Arguments are NUL-separated; QEMU's is "-name guest=NAME,...". */
    for (gsize off = 0; off < len; off += strlen(cmdline + off) + 1) {
        const char *arg = cmdline + off;
        const char *comma;
        if (!g_str_has_prefix(arg, "guest="))
            continue;
        arg += strlen("guest=");
        comma = strchr(arg, ',');
        if (comma) {
            g_autofree char *name = g_strndup(arg, comma - arg);
            if (g_hash_table_contains(search->names, name)) {
                int value = (int) pid;
                g_array_append_val(search->pids, value);
            }
        }
        break;
    }
    return TRUE;
}

GArray *
vstats_find_guest_pids(GHashTable *guest_names)
{
    GuestSearch search = { guest_names, g_array_new(FALSE, FALSE, sizeof(int)) };

    for_each_pid(check_guest, &search);
    return search.pids;
}
