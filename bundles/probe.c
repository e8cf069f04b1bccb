/*
 * ocicomply probe: a small static program that runs inside every container
 * (and on the host as a hook). It observes and reports; it never judges.
 *
 *   ocicomply-probe run [--report PATH] [--signals PATH] [--actions PATH --do ACTION ...]
 *                       [--hook-log PATH] [--say TEXT] [--exit N] [--wait]
 *   ocicomply-probe hook LABEL LOG [--exit N] [--sleep-ms MS]
 *   ocicomply-probe seccomp-agent SOCKET LOG [--answer N] [--timeout-ms MS]
 *   ocicomply-probe console-receiver SOCKET LOG [--timeout-ms MS]
 *   ocicomply-probe subreaper CMD [ARG...]
 *   ocicomply-probe hold TYPE [--uid-map C:H:S]... [--gid-map C:H:S]...
 *
 * run: installs a recorder for every catchable signal (when --signals is
 * given), then writes a JSON report of what the process sees to PATH
 * atomically (write PATH.tmp, rename), so the report's existence doubles as
 * the marker that the user program ran. Then it exits with N (default 0) or,
 * with --wait, sleeps until a signal ends it. With --hook-log, the first
 * thing it does is count the complete lines of the hook log (the report's
 * hookLogLinesAtStart; null when the log cannot be read, 0 when it does not
 * exist yet): the hooks on those lines ran before the program started, every
 * later line after it. Both events are seen in one file, so no clock is
 * compared across the container boundary. Besides ids, groups, cwd, args,
 * the file it runs from (exe: the /proc/self/exe link, a path in the
 * container; null when unreadable), env, hostname, domainname, namespaces, the kernel's boot id (bootId: the
 * namespace inodes of two processes compare only when it is the same) and
 * cgroups, the report gives the process's settings, each
 * read without changing it: umask and the five capability sets (as numbers)
 * from /proc/self/status, its seccomp mode (the Seccomp line), every rlimit by getrlimit (null: unlimited),
 * no_new_privs by prctl, and /proc/self/oom_score_adj; then its scheduling
 * (sched_getattr), I/O priority (ioprio_get), CPU affinity, personality,
 * uname machine and security labels (/proc/self/attr), see json_sched_facts.
 *
 * Descriptors and terminal, taken first thing at start, before the probe
 * opens anything of its own: "fds", every open descriptor listed from
 * /proc/self/fd (minus the one listing it) with its readlink target; "stdio",
 * for 0, 1 and 2, whether it is open and a terminal (isatty), its file
 * identity (dev, ino) and device number (rdev), and the window size read from
 * it by TIOCGWINSZ (null when it is no terminal); "console", the identity of
 * /dev/console (null when absent). With --say, TEXT and a newline are written
 * to stdout once the report is in place: on a terminal, the marker the
 * console receiver looks for on the controller's side.
 *
 * Actions (--do, in order, after the report is written): each appends a
 * "begin" line and then a result line to the actions log, so an action that
 * kills the probe (a seccomp KILL) shows as begun and never finished.
 *   syscall:NAME[:ARG...]   the raw syscall (no libc wrapper rewriting errno)
 *   open:PATH:r|w|rw        open(2) with that access mode
 *   mknod:PATH:c|b:MAJ:MIN  mknod(2) of a device node, mode 0600
 *   read:PATH               open(2) for reading, then for a directory the number of
 *                           its entries besides . and .. ("dir": true), else the bytes
 *                           read (at most 256, given as "content") as ret
 *   write:PATH:TEXT         open(2) for writing (O_CREAT|O_TRUNC, mode 0644), then
 *                           write(2) of TEXT: ret is the bytes written
 *   stat:PATH               stat(2) (links followed): type, major, minor,
 *                           permission bits, owner, and the file's identity
 *                           (dev, ino: the filesystem and inode it lives on)
 *   lstat:PATH              the same without following a link, plus its target
 *   syscall32:NAME[:ARG...] the same syscall made as a 32-bit x86 one (int 0x80) from
 *                           this 64-bit program, so that a seccomp filter sees it under
 *                           the i386 architecture; "no32": true when this machine does not
 *                           run it (not x86_64, or the kernel lacks IA32 emulation and
 *                           answers int 0x80 with SIGSEGV)
 *   status                  the Seccomp and Seccomp_filters lines of /proc/self/status
 *                           (-1 for a line the kernel does not write), its
 *                           Speculation_Store_Bypass line (ssb) and the kernel's
 *                           mitigation mode for it (ssbMitigation, from
 *                           /sys/devices/system/cpu/vulnerabilities/spec_store_bypass)
 *   cgroup:V1FILE:V2FILE    the content of a file of the container's own cgroup as
 *                           mounted at /sys/fs/cgroup: V2FILE on a v2 mount,
 *                           else V1FILE in the directory of its controller
 * Results: {"ret": n, "errno": e} (errno 0 on success), plus what stat/status read;
 * a syscall also gives its number ("nr") as the kernel knows it.
 *
 * Signals: each received signal number is appended as one line to the
 * signals file. A signal whose default action is to ignore (CHLD, CONT,
 * URG, WINCH) is only recorded; any other ends the probe with exit status
 * 128+N. The probe cannot die of a signal by re-raising it: as PID 1 of a
 * PID namespace the kernel would drop a default-action signal sent to itself.
 *
 * hook: run as an OCI hook. Reads the state document from stdin, appends one
 * JSON line to LOG (label, monotonic time in microseconds, pid, parent pid,
 * namespace inodes of itself and of its parent, cwd, argv, env, the raw
 * stdin, and the file identity of the executable of the pid named in the
 * state), then waits MS milliseconds and exits with N. The line is written
 * before the wait, so a hook aborted for its timeout is still on record.
 * While it waits, the hook rewrites LOG.alive.PID (PID its own) every 50 ms
 * with the milliseconds it has lived so far, by its own clock: the last
 * value bounds when it was aborted, however slowly the runtime returned.
 *
 * seccomp-agent (on the host): listens on the unix socket SOCKET for the
 * runtime's seccomp listener connection, logs the container process state it
 * receives and how many descriptors came with it (SCM_RIGHTS), then answers
 * every notification on the received seccomp descriptor with return value N
 * (default 4242: no real syscall ever returns that), logging each. LOG gets a
 * "listening" line once connections are accepted. It ends when the target
 * is gone, after MS milliseconds (default 120000), or when its parent dies.
 *
 * console-receiver (on the host): listens on the unix socket SOCKET for the
 * runtime's connection from `create --console-socket SOCKET`, logs to LOG a
 * "listening" line, then one "received" line: how many descriptors came
 * (SCM_RIGHTS), the message's data, whether the first descriptor is a
 * pseudoterminal controller (TIOCGPTN answers only on one) and the window
 * size read from it. It answers {"type":"success"} (the command line
 * interface's response message; a runtime that does not read it loses
 * nothing), then keeps reading the controller, so the program never blocks
 * on a full terminal, and logs each chunk read as an "output" line, until
 * the terminal closes, after MS milliseconds (default 120000), or when its
 * parent dies.
 *
 * hold (on the host): makes a new namespace of TYPE (cgroup, ipc, mnt, net,
 * pid, time, user, uts) and holds it open for a container to join: prints
 * "ready PID" on stdout, where /proc/PID/ns/TYPE is the namespace, then
 * waits until it is killed. Types that a process only enters through its
 * children (pid, time) are held by a child; a user namespace is made by a
 * child whose uid and gid maps the holder writes (--uid-map, --gid-map:
 * containerID:hostID:size, as in config.json; without them it has none). A
 * new mount namespace has its mounts made private first, so that nothing a
 * runtime mounts in it reaches the host. Holder and child die with their
 * parent (PR_SET_PDEATHSIG), so not even a harness killed with SIGKILL
 * leaves a namespace held.
 *
 * subreaper (used on the host, around the harness itself): becomes a child
 * subreaper, runs CMD, forwards termination signals to it, reaps every orphan
 * that lands on it (container processes whose runtime has exited), and exits
 * with CMD's status. Without it, a host whose init does not reap would keep
 * every stopped container process as a zombie.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/personality.h>
#include <termios.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

static int signals_fd = -1;
/* Complete lines of the hook log when the program started: -2 not asked, -1 unreadable. */
static long hook_log_lines_at_start = -2;
/* CLOCK_MONOTONIC at entry to main, in microseconds: when the program started. */
static long long started_us;

static long long monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void die(const char *what) {
    fprintf(stderr, "ocicomply-probe: %s: %s\n", what, strerror(errno));
    exit(125);
}

static void usage(void) {
    fprintf(stderr, "usage: ocicomply-probe run [--report PATH] [--signals PATH] [--hook-log PATH] [--say TEXT] [--exit N] [--wait]\n"
                    "       ocicomply-probe hook LABEL LOG [--exit N] [--sleep-ms MS]\n"
                    "       ocicomply-probe seccomp-agent SOCKET LOG [--answer N] [--timeout-ms MS]\n"
                    "       ocicomply-probe console-receiver SOCKET LOG [--timeout-ms MS]\n"
                    "       ocicomply-probe subreaper CMD [ARG...]\n"
                    "       ocicomply-probe hold TYPE [--uid-map C:H:S]... [--gid-map C:H:S]...\n");
    exit(125);
}

/* ---- JSON output on a stdio stream ---- */

static void json_string(FILE *f, const char *s) {
    if (!s) { fputs("null", f); return; }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void json_string_array(FILE *f, char *const *items, int count) {
    fputc('[', f);
    for (int i = 0; (count < 0 ? items[i] != NULL : i < count); i++) {
        if (i) fputc(',', f);
        json_string(f, items[i]);
    }
    fputc(']', f);
}

static const char *const namespace_names[] = {
    "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "user", "uts", NULL,
};

/* {"ipc": inode, ...} of the namespaces of /proc/WHO; null for one the kernel lacks. */
static void json_namespaces(FILE *f, const char *who) {
    char path[96];
    struct stat st;
    fputc('{', f);
    for (int i = 0; namespace_names[i]; i++) {
        snprintf(path, sizeof path, "/proc/%s/ns/%s", who, namespace_names[i]);
        fprintf(f, "%s\"%s\":", i ? "," : "", namespace_names[i]);
        if (stat(path, &st) == 0) fprintf(f, "%llu", (unsigned long long)st.st_ino);
        else fputs("null", f);
    }
    fputc('}', f);
}

/* The lines of a small text file as a JSON array, or null when unreadable. */
static void json_file_lines(FILE *f, const char *path) {
    FILE *in = fopen(path, "r");
    if (!in) { fputs("null", f); return; }
    char line[4096];
    int first = 1;
    fputc('[', f);
    while (fgets(line, sizeof line, in)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n') line[n - 1] = '\0';
        if (!first) fputc(',', f);
        first = 0;
        json_string(f, line);
    }
    fputc(']', f);
    fclose(in);
}

/* The process's own settings, read without changing any of them. */

/* Bit numbers set in a hex capability mask, as a JSON array. */
static void json_cap_bits(FILE *f, const char *hex) {
    unsigned long long mask = strtoull(hex, NULL, 16);
    int first = 1;
    fputc('[', f);
    for (int bit = 0; bit < 64; bit++)
        if (mask & (1ULL << bit)) { fprintf(f, "%s%d", first ? "" : ",", bit); first = 0; }
    fputc(']', f);
}

/*
 * From /proc/self/status: "umask" (null on a kernel that does not write the
 * Umask line; reading it this way leaves the umask as it is) and
 * "capabilities", the five sets as capability numbers (null when unreadable).
 */
static void json_status_facts(FILE *f) {
    static const char *const sets[][2] = {
        { "CapInh:", "inheritable" }, { "CapPrm:", "permitted" }, { "CapEff:", "effective" },
        { "CapBnd:", "bounding" }, { "CapAmb:", "ambient" },
    };
    char values[5][40] = { "", "", "", "", "" };
    char umask_text[16] = "";
    long seccomp_mode = -1;
    char line[256];
    FILE *in = fopen("/proc/self/status", "r");
    while (in && fgets(line, sizeof line, in)) {
        if (!strncmp(line, "Umask:", 6)) sscanf(line + 6, "%15s", umask_text);
        if (!strncmp(line, "Seccomp:", 8)) seccomp_mode = strtol(line + 8, NULL, 10);
        for (int i = 0; i < 5; i++)
            if (!strncmp(line, sets[i][0], strlen(sets[i][0]))) sscanf(line + strlen(sets[i][0]), "%39s", values[i]);
    }
    if (in) fclose(in);
    fputs(",\"umask\":", f);
    if (umask_text[0]) fprintf(f, "%lu", strtoul(umask_text, NULL, 8));
    else fputs("null", f);
    /* 0 none, 1 strict, 2 filter (proc(5)); null: the kernel writes no Seccomp line */
    fputs(",\"seccompMode\":", f);
    if (seccomp_mode >= 0) fprintf(f, "%ld", seccomp_mode);
    else fputs("null", f);
    fputs(",\"capabilities\":{", f);
    for (int i = 0; i < 5; i++) {
        fprintf(f, "%s\"%s\":", i ? "," : "", sets[i][1]);
        if (values[i][0]) json_cap_bits(f, values[i]);
        else fputs("null", f);
    }
    fputc('}', f);
}

static const struct { const char *name; int resource; } rlimit_names[] = {
    { "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_DATA", RLIMIT_DATA },
    { "RLIMIT_STACK", RLIMIT_STACK }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
    { "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
    { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
    { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static void json_rlim(FILE *f, rlim_t v) {
    if (v == RLIM_INFINITY) fputs("null", f);
    else fprintf(f, "%llu", (unsigned long long)v);
}

/* "rlimits": {"RLIMIT_NOFILE": {"soft": n, "hard": n}, ...} by getrlimit(2); null = unlimited, a null entry = getrlimit failed. */
static void json_rlimits(FILE *f) {
    fputs(",\"rlimits\":{", f);
    for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++) {
        struct rlimit r;
        fprintf(f, "%s\"%s\":", i ? "," : "", rlimit_names[i].name);
        if (getrlimit(rlimit_names[i].resource, &r) != 0) { fputs("null", f); continue; }
        fputs("{\"soft\":", f);
        json_rlim(f, r.rlim_cur);
        fputs(",\"hard\":", f);
        json_rlim(f, r.rlim_max);
        fputc('}', f);
    }
    fputc('}', f);
}

/* "noNewPrivs" (prctl, null when it fails) and "oomScoreAdj" (/proc/self/oom_score_adj, null when unreadable). */
static void json_privilege_facts(FILE *f) {
    int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    fputs(",\"noNewPrivs\":", f);
    fputs(nnp < 0 ? "null" : nnp ? "true" : "false", f);
    fputs(",\"oomScoreAdj\":", f);
    FILE *in = fopen("/proc/self/oom_score_adj", "r");
    long adj;
    if (in && fscanf(in, "%ld", &adj) == 1) fprintf(f, "%ld", adj);
    else fputs("null", f);
    if (in) fclose(in);
}

/* ---- scheduling, I/O priority, CPU affinity, personality, security labels ---- */

/* struct sched_attr as sched_getattr(2) fills it (the first 48 bytes: SCHED_ATTR_SIZE_VER0). */
struct probe_sched_attr {
    unsigned int size, sched_policy;
    unsigned long long sched_flags;
    int sched_nice;
    unsigned int sched_priority;
    unsigned long long sched_runtime, sched_deadline, sched_period;
    unsigned int util_min, util_max;
};

/*
 * "scheduler": sched_getattr(2) of this process as the kernel reports it
 * (policy number with SCHED_RESET_ON_FORK folded into flags; null when the
 * call fails); "ioPriority": ioprio_get(IOPRIO_WHO_PROCESS, 0) split into
 * class and level (null when it fails); "cpuAffinity": the CPUs of
 * sched_getaffinity(2) (null when it fails); "personality":
 * personality(0xffffffff), which reads without changing; "machine": uname's
 * machine (LINUX32 shows a 32-bit one); "lsm": /proc/self/attr/current and
 * /proc/self/attr/apparmor/current (null when unreadable: no module answers).
 */
static void json_lsm_attr(FILE *f, const char *path) {
    char text[4096];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0) close(fd);
    if (got < 0) { fputs("null", f); return; }
    /* the kernel ends the label with a newline and/or NUL; neither is part of it */
    while (got > 0 && (text[got - 1] == '\n' || text[got - 1] == '\0')) got--;
    text[got] = '\0';
    json_string(f, text);
}

static void json_sched_facts(FILE *f) {
    struct probe_sched_attr a;
    memset(&a, 0, sizeof a);
    fputs(",\"scheduler\":", f);
    if (syscall(SYS_sched_getattr, 0, &a, (unsigned)sizeof a, 0) == 0)
        fprintf(f, "{\"policy\":%u,\"flags\":%llu,\"nice\":%d,\"priority\":%u,\"runtime\":%llu,\"deadline\":%llu,\"period\":%llu}",
                a.sched_policy, a.sched_flags, a.sched_nice, a.sched_priority, a.sched_runtime, a.sched_deadline, a.sched_period);
    else fputs("null", f);
    long io = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    fputs(",\"ioPriority\":", f);
    if (io >= 0) fprintf(f, "{\"class\":%ld,\"priority\":%ld}", (io >> 13) & 7, io & 0x1fff);
    else fputs("null", f);
    cpu_set_t cpus;
    fputs(",\"cpuAffinity\":", f);
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) {
        fputc('[', f);
        for (int cpu = 0, first = 1; cpu < CPU_SETSIZE; cpu++)
            if (CPU_ISSET(cpu, &cpus)) { fprintf(f, "%s%d", first ? "" : ",", cpu); first = 0; }
        fputc(']', f);
    } else fputs("null", f);
    int persona = personality(0xffffffff);
    fputs(",\"personality\":", f);
    if (persona >= 0) fprintf(f, "%d", persona);
    else fputs("null", f);
    struct utsname u;
    fputs(",\"machine\":", f);
    json_string(f, uname(&u) == 0 ? u.machine : NULL);
    fputs(",\"lsm\":{\"current\":", f);
    json_lsm_attr(f, "/proc/self/attr/current");
    fputs(",\"apparmor\":", f);
    json_lsm_attr(f, "/proc/self/attr/apparmor/current");
    fputc('}', f);
}

/* ---- descriptors and terminal, as found at start ---- */

/* The JSON members "fds", "stdio" and "console", built at start (in memory: no descriptor of the probe's own is open yet). */
static char *start_facts;

/* {"rows": n, "cols": n} of the terminal on fd, or null. */
static void json_winsize(FILE *f, int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0) fprintf(f, "{\"rows\":%u,\"cols\":%u}", ws.ws_row, ws.ws_col);
    else fputs("null", f);
}

static void json_identity(FILE *f, const struct stat *st) {
    const char *type = S_ISCHR(st->st_mode) ? "c" : S_ISBLK(st->st_mode) ? "b" : S_ISDIR(st->st_mode) ? "d"
        : S_ISLNK(st->st_mode) ? "l" : S_ISFIFO(st->st_mode) ? "p" : S_ISSOCK(st->st_mode) ? "s" : "f";
    fprintf(f, "\"type\":\"%s\",\"dev\":%llu,\"ino\":%llu,\"major\":%u,\"minor\":%u", type,
            (unsigned long long)st->st_dev, (unsigned long long)st->st_ino, major(st->st_rdev), minor(st->st_rdev));
}

static void take_start_facts(void) {
    size_t len = 0;
    FILE *f = open_memstream(&start_facts, &len);
    if (!f) die("open_memstream");
    /* the directory stream is the one descriptor the probe opens before listing: left out */
    fputs(",\"fds\":", f);
    DIR *d = opendir("/proc/self/fd");
    if (!d) fputs("null", f);
    else {
        int first = 1;
        fputc('[', f);
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.') continue;
            int fd = atoi(e->d_name);
            if (fd == dirfd(d)) continue;
            char link[PATH_MAX + 1], target[PATH_MAX];
            snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
            ssize_t n = readlink(link, target, sizeof target - 1);
            target[n > 0 ? n : 0] = '\0';
            fprintf(f, "%s{\"fd\":%d,\"target\":", first ? "" : ",", fd);
            json_string(f, n > 0 ? target : NULL);
            fputc('}', f);
            first = 0;
        }
        fputc(']', f);
        closedir(d);
    }
    fputs(",\"stdio\":[", f);
    for (int fd = 0; fd < 3; fd++) {
        struct stat st;
        if (fd) fputc(',', f);
        if (fstat(fd, &st) != 0) { fprintf(f, "{\"fd\":%d,\"open\":false}", fd); continue; }
        fprintf(f, "{\"fd\":%d,\"open\":true,\"tty\":%s,", fd, isatty(fd) ? "true" : "false");
        json_identity(f, &st);
        fputs(",\"winsize\":", f);
        json_winsize(f, fd);
        fputc('}', f);
    }
    fputs("],\"console\":", f);
    struct stat st;
    if (stat("/dev/console", &st) == 0) { fputc('{', f); json_identity(f, &st); fputc('}', f); }
    else fputs("null", f);
    if (fclose(f) != 0) die("fclose");
}

/* The first line of a small file without its newline, in buf; NULL when unreadable. */
static const char *read_first_line(const char *path, char *buf, size_t size) {
    FILE *in = fopen(path, "r");
    if (!in) return NULL;
    const char *got = fgets(buf, (int)size, in);
    fclose(in);
    if (!got) return NULL;
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

static void write_report(FILE *f, int argc, char **argv) {
    char buf[PATH_MAX];
    gid_t groups[256];
    int ngroups = getgroups(256, groups);

    fprintf(f, "{\"startedUs\":%lld,\"pid\":%d,\"ppid\":%d", started_us, (int)getpid(), (int)getppid());
    if (hook_log_lines_at_start == -1) fputs(",\"hookLogLinesAtStart\":null", f);
    else if (hook_log_lines_at_start >= 0) fprintf(f, ",\"hookLogLinesAtStart\":%ld", hook_log_lines_at_start);
    fprintf(f, ",\"uid\":%u,\"gid\":%u,\"euid\":%u,\"egid\":%u",
            getuid(), getgid(), geteuid(), getegid());
    fputs(",\"groups\":[", f);
    for (int i = 0; i < ngroups; i++) fprintf(f, "%s%u", i ? "," : "", groups[i]);
    fputs("],\"cwd\":", f);
    json_string(f, getcwd(buf, sizeof buf));
    {
        /* which file ran: a name searched for through PATH (process.args[0]) is judged by where it was found */
        ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
        if (n >= 0) buf[n] = '\0';
        fputs(",\"exe\":", f);
        json_string(f, n >= 0 ? buf : NULL);
    }
    fputs(",\"hostname\":", f);
    json_string(f, gethostname(buf, sizeof buf) == 0 ? buf : NULL);
    fputs(",\"domainname\":", f);
    json_string(f, getdomainname(buf, sizeof buf) == 0 ? buf : NULL);
    /* which kernel the process runs on: namespace inodes compare only within one */
    fputs(",\"bootId\":", f);
    json_string(f, read_first_line("/proc/sys/kernel/random/boot_id", buf, sizeof buf));
    fputs(",\"args\":", f);
    json_string_array(f, argv, argc);
    fputs(",\"env\":", f);
    json_string_array(f, environ, -1);
    fputs(",\"namespaces\":", f);
    json_namespaces(f, "self");
    fputs(",\"cgroup\":", f);
    json_file_lines(f, "/proc/self/cgroup");
    fputs(",\"uidMap\":", f);
    json_file_lines(f, "/proc/self/uid_map");
    fputs(",\"gidMap\":", f);
    json_file_lines(f, "/proc/self/gid_map");
    json_status_facts(f);
    json_rlimits(f);
    json_privilege_facts(f);
    json_sched_facts(f);
    if (start_facts) fputs(start_facts, f);
    fputs("}\n", f);
}

static void report_to(const char *path, int argc, char **argv) {
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        die(path);
    }
    FILE *f = fopen(tmp, "w");
    if (!f) die(tmp);
    write_report(f, argc, argv);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0) die(tmp);
    if (rename(tmp, path) != 0) die(path);
}

/* ---- signal recording ---- */

static int ignored_by_default(int sig) {
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static void on_signal(int sig) {
    /* async-signal-safe: format the number by hand, one write(2) per line */
    char line[8];
    int n = 0;
    char digits[4];
    int d = 0, v = sig;
    do { digits[d++] = (char)('0' + v % 10); v /= 10; } while (v && d < 4);
    while (d) line[n++] = digits[--d];
    line[n++] = '\n';
    if (signals_fd >= 0) {
        ssize_t ignored = write(signals_fd, line, (size_t)n);
        (void)ignored;
        fsync(signals_fd);
    }
    if (!ignored_by_default(sig)) _exit(128 + sig);
}

static void record_signals(const char *path) {
    signals_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (signals_fd < 0) die(path);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        /* glibc reserves the first real-time signals; sigaction refuses them */
        if (sigaction(sig, &sa, NULL) != 0 && errno != EINVAL) die("sigaction");
    }
}

/* ---- actions ---- */

struct syscall_name { const char *name; long nr; };
static const struct syscall_name syscalls[] = {
    { "getpid", SYS_getpid }, { "getppid", SYS_getppid }, { "gettid", SYS_gettid },
    { "getuid", SYS_getuid }, { "getgid", SYS_getgid }, { "geteuid", SYS_geteuid },
    { "umask", SYS_umask }, { "personality", SYS_personality }, { "getpriority", SYS_getpriority },
    { "mkdir", SYS_mkdir }, { "rmdir", SYS_rmdir }, { "chdir", SYS_chdir }, { "sync", SYS_sync },
    { "dup", SYS_dup }, { "close", SYS_close }, { "uname", SYS_uname }, { "sethostname", SYS_sethostname },
    { NULL, 0 },
};

static FILE *actions_log;

static void action_line(int i, const char *action, const char *rest) {
    fprintf(actions_log, "{\"i\":%d,\"do\":", i);
    json_string(actions_log, action);
    fprintf(actions_log, ",%s}\n", rest);
    fflush(actions_log);
    fsync(fileno(actions_log));
}

/* An argument: a number (decimal, 0x hex), or else the string itself (a path). */
static long action_arg(const char *s) {
    char *end;
    long v = strtol(s, &end, 0);
    return *s && !*end ? v : (long)s;
}

/* ---- 32-bit x86 syscalls from the 64-bit probe (syscall32 action) ---- */

/* i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl): the 64-bit ones differ. */
static const struct syscall_name syscalls32[] = {
    { "getppid", 64 }, { "getpriority", 96 }, { "personality", 136 }, { NULL, 0 },
};

static sigjmp_buf no32_jump;

static void on_no32(int sig) {
    (void)sig;
    siglongjmp(no32_jump, 1);
}

/* Makes the call through int 0x80 (up to three integer arguments). A kernel
 * without IA32 emulation raises SIGSEGV for int 0x80: caught here and told
 * apart, so that it never reads as a seccomp kill (SIGSYS, not catchable). */
static void syscall32_action(char **fields, int n, long *ret, int *err, char *out, size_t outsize) {
    long found = -1;
    for (int k = 0; syscalls32[k].name; k++) if (!strcmp(syscalls32[k].name, fields[0])) found = syscalls32[k].nr;
    if (found < 0) { *ret = -1; *err = ENOSYS; snprintf(out, outsize, ",\"unknown\":true"); return; }
#if defined(__x86_64__)
    /* volatile: nothing siglongjmp skips may live only in a register */
    volatile long nr = found;
    volatile long a[3] = { 0 };
    for (int k = 1; k < n && k < 4; k++) a[k - 1] = action_arg(fields[k]);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_no32;
    sigaction(SIGSEGV, &sa, &old);
    if (sigsetjmp(no32_jump, 1)) {
        sigaction(SIGSEGV, &old, NULL);
        *ret = -1; *err = ENOSYS;
        snprintf(out, outsize, ",\"no32\":true");
        return;
    }
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]) : "memory");
    sigaction(SIGSEGV, &old, NULL);
    if (r < 0 && r > -4096) { *ret = -1; *err = (int)-r; } else { *ret = r; *err = 0; }
#else
    (void)n; (void)found;
    *ret = -1; *err = ENOSYS;
    snprintf(out, outsize, ",\"no32\":true");
#endif
}

/* The read action: whether anything can be read at path, and what. A masked
 * path may fail to open or read as empty; both are told apart by ret/errno. */
static void read_action(const char *path, long *ret, int *err, char *out, size_t outsize) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) { *ret = -1; *err = errno; return; }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = fdopendir(fd);
        if (!d) { *ret = -1; *err = errno; close(fd); return; }
        long entries = 0;
        struct dirent *e;
        errno = 0;
        while ((e = readdir(d))) entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        *err = errno;
        *ret = *err ? -1 : entries;
        closedir(d);
        snprintf(out, outsize, ",\"dir\":true");
        return;
    }
    char content[257];
    ssize_t got;
    do got = read(fd, content, sizeof content - 1); while (got < 0 && errno == EINTR);
    *err = got < 0 ? errno : 0;
    *ret = got < 0 ? -1 : got;
    close(fd);
    content[got > 0 ? got : 0] = '\0';
    int used = snprintf(out, outsize, ",\"dir\":false,\"content\":");
    FILE *f = fmemopen(out + used, outsize - (size_t)used, "w");
    if (f) { json_string(f, got >= 0 ? content : NULL); fclose(f); }
}

static void do_action(int i, const char *spec) {
    char copy[1024], out[2048];
    snprintf(copy, sizeof copy, "%s", spec);
    char *fields[8] = { 0 };
    int n = 0;
    for (char *tok = strtok(copy, ":"); tok && n < 8; tok = strtok(NULL, ":")) fields[n++] = tok;
    action_line(i, spec, "\"phase\":\"begin\"");
    long ret = -1;
    int err = 0;
    out[0] = '\0';
    if (n >= 2 && !strcmp(fields[0], "syscall")) {
        long nr = -1;
        for (int k = 0; syscalls[k].name; k++) if (!strcmp(syscalls[k].name, fields[1])) nr = syscalls[k].nr;
        if (nr < 0) { ret = -1; err = ENOSYS; snprintf(out, sizeof out, ",\"unknown\":true"); }
        else {
            long a[6] = { 0 };
            static char uts[512];
            for (int k = 2; k < n && k < 8; k++) a[k - 2] = action_arg(fields[k]);
            if (nr == SYS_uname) a[0] = (long)uts;
            if (nr == SYS_sethostname && n >= 3) a[1] = (long)strlen(fields[2]);
            errno = 0;
            ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
            err = ret == -1 ? errno : 0;
            /* the number the kernel (and its audit records) know the call by */
            snprintf(out, sizeof out, ",\"nr\":%ld", nr);
        }
    } else if (n >= 2 && !strcmp(fields[0], "syscall32")) {
        syscall32_action(fields + 1, n - 1, &ret, &err, out, sizeof out);
    } else if (n == 3 && !strcmp(fields[0], "open")) {
        int flags = !strcmp(fields[2], "rw") ? O_RDWR : !strcmp(fields[2], "w") ? O_WRONLY : O_RDONLY;
        ret = syscall(SYS_openat, AT_FDCWD, fields[1], flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
        err = ret == -1 ? errno : 0;
        if (ret >= 0) close((int)ret);
    } else if (n == 2 && !strcmp(fields[0], "read")) {
        read_action(fields[1], &ret, &err, out, sizeof out);
    } else if (n == 3 && !strcmp(fields[0], "write")) {
        int fd = (int)syscall(SYS_openat, AT_FDCWD, fields[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
        ret = fd < 0 ? -1 : write(fd, fields[2], strlen(fields[2]));
        err = ret < 0 ? errno : 0;
        if (ret < 0) ret = -1;
        if (fd >= 0) close(fd);
    } else if (n == 5 && !strcmp(fields[0], "mknod")) {
        mode_t type = !strcmp(fields[2], "b") ? S_IFBLK : S_IFCHR;
        ret = syscall(SYS_mknodat, AT_FDCWD, fields[1], type | 0600, makedev(atoi(fields[3]), atoi(fields[4])));
        err = ret == -1 ? errno : 0;
    } else if (n == 2 && (!strcmp(fields[0], "stat") || !strcmp(fields[0], "lstat"))) {
        struct stat st;
        ret = !strcmp(fields[0], "lstat") ? lstat(fields[1], &st) : stat(fields[1], &st);
        err = ret == -1 ? errno : 0;
        if (ret == 0) {
            const char *type = S_ISCHR(st.st_mode) ? "c" : S_ISBLK(st.st_mode) ? "b" : S_ISDIR(st.st_mode) ? "d"
                : S_ISLNK(st.st_mode) ? "l" : S_ISFIFO(st.st_mode) ? "p" : S_ISSOCK(st.st_mode) ? "s" : "f";
            char target[PATH_MAX] = "";
            if (S_ISLNK(st.st_mode)) {
                ssize_t len = readlink(fields[1], target, sizeof target - 1);
                target[len > 0 ? len : 0] = '\0';
            }
            int used = snprintf(out, sizeof out, ",\"type\":\"%s\",\"major\":%u,\"minor\":%u,\"mode\":%u,\"uid\":%u,\"gid\":%u,\"dev\":%llu,\"ino\":%llu,\"target\":",
                                type, major(st.st_rdev), minor(st.st_rdev), (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid,
                                (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
            FILE *f = fmemopen(out + used, sizeof out - (size_t)used, "w");
            if (f) { json_string(f, S_ISLNK(st.st_mode) ? target : NULL); fclose(f); }
        }
    } else if (n == 3 && !strcmp(fields[0], "cgroup")) {
        char path[PATH_MAX], content[1024];
        struct stat st;
        int v2 = stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0;
        const char *file = v2 ? fields[2] : fields[1];
        if (v2) snprintf(path, sizeof path, "/sys/fs/cgroup/%s", file);
        else {
            const char *dot = strchr(file, '.');
            int len = dot ? (int)(dot - file) : (int)strlen(file);
            snprintf(path, sizeof path, "/sys/fs/cgroup/%.*s/%s", len, file, file);
        }
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t got = fd < 0 ? -1 : read(fd, content, sizeof content - 1);
        err = got < 0 ? errno : 0;
        if (fd >= 0) close(fd);
        ret = got < 0 ? -1 : 0;
        content[got > 0 ? got : 0] = '\0';
        int used = snprintf(out, sizeof out, ",\"file\":\"%s\",\"content\":", file);
        FILE *f = fmemopen(out + used, sizeof out - (size_t)used, "w");
        if (f) { json_string(f, ret == 0 ? content : NULL); fclose(f); }
    } else if (n == 1 && !strcmp(fields[0], "status")) {
        FILE *in = fopen("/proc/self/status", "r");
        char line[256];
        long mode = -1, filters = -1;
        char ssb[128] = "", ssb_mitigation[256] = "";
        while (in && fgets(line, sizeof line, in)) {
            if (!strncmp(line, "Seccomp:", 8)) mode = strtol(line + 8, NULL, 10);
            else if (!strncmp(line, "Seccomp_filters:", 16)) filters = strtol(line + 16, NULL, 10);
            else if (!strncmp(line, "Speculation_Store_Bypass:", 25)) snprintf(ssb, sizeof ssb, "%s", line + 25 + strspn(line + 25, " \t"));
        }
        if (in) fclose(in);
        /* the kernel's mitigation mode decides whether a filter changes the line above */
        FILE *mit = fopen("/sys/devices/system/cpu/vulnerabilities/spec_store_bypass", "r");
        if (mit && !fgets(ssb_mitigation, sizeof ssb_mitigation, mit)) ssb_mitigation[0] = '\0';
        if (mit) fclose(mit);
        ssb[strcspn(ssb, "\n")] = '\0';
        ssb_mitigation[strcspn(ssb_mitigation, "\n")] = '\0';
        ret = 0;
        int used = snprintf(out, sizeof out, ",\"seccomp\":%ld,\"filters\":%ld,\"ssb\":", mode, filters);
        FILE *f = fmemopen(out + used, sizeof out - (size_t)used, "w");
        if (f) {
            json_string(f, ssb[0] ? ssb : NULL);
            fputs(",\"ssbMitigation\":", f);
            json_string(f, mit ? ssb_mitigation : NULL);
            fclose(f);
        }
    } else {
        ret = -1;
        err = EINVAL;
        snprintf(out, sizeof out, ",\"unknown\":true");
    }
    char result[2300];
    snprintf(result, sizeof result, "\"phase\":\"end\",\"ret\":%ld,\"errno\":%d%s", ret, err, out);
    action_line(i, spec, result);
}

/* Newlines in the file at path: 0 when it does not exist, -1 when it cannot be read. */
static long count_lines(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    char buf[8192];
    long lines = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { lines = -1; break; }
        if (r == 0) break;
        for (ssize_t i = 0; i < r; i++) lines += buf[i] == '\n';
    }
    close(fd);
    return lines;
}

static int cmd_run(int argc, char **argv) {
    take_start_facts();
    const char *report = NULL, *signals = NULL, *actions = NULL, *hook_log = NULL, *say = NULL;
    const char *todo[64];
    int ntodo = 0;
    int exit_code = 0, wait_forever = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--report") && i + 1 < argc) report = argv[++i];
        else if (!strcmp(argv[i], "--signals") && i + 1 < argc) signals = argv[++i];
        else if (!strcmp(argv[i], "--actions") && i + 1 < argc) actions = argv[++i];
        else if (!strcmp(argv[i], "--do") && i + 1 < argc && ntodo < 64) todo[ntodo++] = argv[++i];
        else if (!strcmp(argv[i], "--exit") && i + 1 < argc) exit_code = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--hook-log") && i + 1 < argc) hook_log = argv[++i];
        else if (!strcmp(argv[i], "--say") && i + 1 < argc) say = argv[++i];
        else if (!strcmp(argv[i], "--wait")) wait_forever = 1;
        else usage();
    }
    if (hook_log) hook_log_lines_at_start = count_lines(hook_log);
    if (signals) record_signals(signals);
    if (report) report_to(report, argc, argv);
    if (say) {
        /* one write(2): the receiver sees the marker whole or not at all */
        size_t n = strlen(say);
        char *line = malloc(n + 1);
        if (!line) die("malloc");
        memcpy(line, say, n);
        line[n] = '\n';
        ssize_t ignored = write(STDOUT_FILENO, line, n + 1);
        (void)ignored;
        free(line);
    }
    if (ntodo > 0) {
        if (!actions) usage();
        actions_log = fopen(actions, "a");
        if (!actions_log) die(actions);
        for (int i = 0; i < ntodo; i++) do_action(i, todo[i]);
        fclose(actions_log);
    }
    if (wait_forever)
        for (;;) pause();
    return exit_code;
}

/* The value of the first "pid" member of a JSON text, or -1 (enough for a state document). */
static long state_pid(const char *json) {
    const char *p = strstr(json, "\"pid\"");
    if (!p) return -1;
    p += 5;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':') p++;
    if (*p < '0' || *p > '9') return -1;
    return strtol(p, NULL, 10);
}

/* Sleeps ms milliseconds, rewriting LOG.alive.PID every 50 ms with the time lived so far. */
static void sleep_alive(const char *log, long ms) {
    char path[PATH_MAX];
    int fd = -1;
    if (snprintf(path, sizeof path, "%s.alive.%d", log, (int)getpid()) < (int)sizeof path)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    long long end = started_us + ms * 1000LL;
    for (;;) {
        long long now = monotonic_us();
        if (fd >= 0) {
            char line[32];
            /* fixed width, one pwrite at offset 0: a reader never sees a half-written value */
            int n = snprintf(line, sizeof line, "%020lld\n", (now - started_us) / 1000);
            if (pwrite(fd, line, (size_t)n, 0) != n) { close(fd); fd = -1; }
        }
        if (now >= end) break;
        long long step = end - now < 50000 ? end - now : 50000;
        struct timespec ts = { 0, (long)step * 1000L };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    }
    if (fd >= 0) close(fd);
}

static int cmd_hook(int argc, char **argv) {
    if (argc < 4) usage();
    const char *label = argv[2], *log = argv[3];
    int exit_code = 0;
    long sleep_ms = 0;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "--exit") && i + 1 < argc) exit_code = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--sleep-ms") && i + 1 < argc) sleep_ms = atol(argv[++i]);
        else usage();
    }
    static char input[65536];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(STDIN_FILENO, input + n, sizeof input - 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
        if (n == sizeof input - 1) break;
    }
    input[n] = '\0';

    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f) die("open_memstream");
    char buf[PATH_MAX];
    fprintf(f, "{\"label\":");
    json_string(f, label);
    fprintf(f, ",\"us\":%lld,\"pid\":%d,\"ppid\":%d,\"namespaces\":", started_us, (int)getpid(), (int)getppid());
    json_namespaces(f, "self");
    snprintf(buf, sizeof buf, "%d", (int)getppid());
    fputs(",\"parentNamespaces\":", f);
    json_namespaces(f, buf);
    fputs(",\"cwd\":", f);
    json_string(f, getcwd(buf, sizeof buf));
    fputs(",\"argv\":", f);
    json_string_array(f, argv, argc);
    fputs(",\"env\":", f);
    json_string_array(f, environ, -1);
    fputs(",\"stdin\":", f);
    json_string(f, input);
    /* what the state's pid executes, as seen from here: tells whether the program had started */
    long target = state_pid(input);
    struct stat st;
    snprintf(buf, sizeof buf, "/proc/%ld/exe", target);
    fputs(",\"targetExe\":", f);
    if (target > 0 && stat(buf, &st) == 0) fprintf(f, "\"%llu:%llu\"", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
    else fputs("null", f);
    fputs("}\n", f);
    if (fclose(f) != 0) die("fclose");

    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) die(log);
    /* one write(2) of the whole line: concurrent hooks never interleave */
    if (write(fd, line, len) != (ssize_t)len) die(log);
    close(fd);
    free(line);
    if (sleep_ms > 0) sleep_alive(log, sleep_ms);
    return exit_code;
}

/* Is buf (len bytes) one whole JSON object? Runtimes may keep the connection
 * open after sending the state, so the end of the object, not EOF, ends it. */
static int whole_json_object(const char *buf, size_t len) {
    int depth = 0, in_string = 0, escaped = 0, started = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (in_string) {
            if (escaped) escaped = 0;
            else if (ch == '\\') escaped = 1;
            else if (ch == '"') in_string = 0;
        } else if (ch == '"') in_string = 1;
        else if (ch == '{' || ch == '[') { depth++; started = 1; }
        else if (ch == '}' || ch == ']') { if (--depth == 0 && started) return 1; }
    }
    return 0;
}

static void agent_log(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void agent_log(FILE *log, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log, fmt, ap);
    va_end(ap);
    fputc('\n', log);
    fflush(log);
}

/*
 * For the host helpers: dies with the harness or at its deadline, opens LOG,
 * listens on the unix socket PATH, logs "listening", and returns the first
 * connection.
 */
static int accept_one(const char *path, const char *log_path, long timeout_ms, FILE **log) {
    /* never outlive the harness, nor a run that forgot us */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    alarm((unsigned)((timeout_ms + 999) / 1000));
    *log = fopen(log_path, "a");
    if (!*log) die(log_path);
    int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (srv < 0) die("socket");
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) { errno = ENAMETOOLONG; die(path); }
    strcpy(addr.sun_path, path);
    if (bind(srv, (struct sockaddr *)&addr, sizeof addr) != 0) die("bind");
    if (listen(srv, 4) != 0) die("listen");
    agent_log(*log, "{\"event\":\"listening\"}");
    int conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) die("accept");
    close(srv);
    return conn;
}

/* Appends the descriptors of msg's SCM_RIGHTS messages to fds (up to max). */
static void take_fds(struct msghdr *msg, int *fds, int *nfds, int max) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int k = 0; k < n && *nfds < max; k++) memcpy(&fds[(*nfds)++], CMSG_DATA(c) + k * sizeof(int), sizeof(int));
    }
}

static int cmd_seccomp_agent(int argc, char **argv) {
    if (argc < 4) usage();
    const char *path = argv[2];
    long answer = 4242, timeout_ms = 120000;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "--answer") && i + 1 < argc) answer = atol(argv[++i]);
        else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) timeout_ms = atol(argv[++i]);
        else usage();
    }
    FILE *log;
    int conn = accept_one(path, argv[3], timeout_ms, &log);

    static char state[65536];
    size_t len = 0;
    int fds[8], nfds = 0;
    for (;;) {
        char control[CMSG_SPACE(sizeof fds)];
        struct iovec iov = { state + len, sizeof state - 1 - len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
        ssize_t r = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        take_fds(&msg, fds, &nfds, 8);
        len += (size_t)r;
        if (len >= sizeof state - 1 || whole_json_object(state, len)) break;
    }
    state[len] = '\0';
    close(conn);
    fprintf(log, "{\"event\":\"state\",\"fds\":%d,\"state\":", nfds);
    json_string(log, state);
    agent_log(log, "}");
    if (nfds == 0) return 1;

    struct seccomp_notif_sizes sizes;
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) die("SECCOMP_GET_NOTIF_SIZES");
    struct seccomp_notif *req = calloc(1, sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
    struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp : sizeof *resp);
    if (!req || !resp) die("calloc");
    for (;;) {
        memset(req, 0, sizes.seccomp_notif);
        if (ioctl(fds[0], SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
            if (errno == EINTR) continue;
            break; /* the target is gone */
        }
        agent_log(log, "{\"event\":\"notification\",\"nr\":%d,\"pid\":%u}", req->data.nr, req->pid);
        memset(resp, 0, sizes.seccomp_notif_resp);
        resp->id = req->id;
        resp->val = answer;
        if (ioctl(fds[0], SECCOMP_IOCTL_NOTIF_SEND, resp) != 0 && errno != ENOENT) die("SECCOMP_IOCTL_NOTIF_SEND");
    }
    return 0;
}

/*
 * The caller's end of `create --console-socket`: receives the terminal's
 * controller, says what it is, and drains it (see the comment at the top).
 */
static int cmd_console_receiver(int argc, char **argv) {
    if (argc < 4) usage();
    const char *path = argv[2];
    long timeout_ms = 120000;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) timeout_ms = atol(argv[++i]);
        else usage();
    }
    signal(SIGPIPE, SIG_IGN);
    FILE *log;
    int conn = accept_one(path, argv[3], timeout_ms, &log);

    static char data[65536];
    int fds[8], nfds = 0;
    char control[CMSG_SPACE(sizeof fds)];
    struct iovec iov = { data, sizeof data - 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
    ssize_t r;
    do r = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC); while (r < 0 && errno == EINTR);
    data[r > 0 ? r : 0] = '\0';
    if (r >= 0) take_fds(&msg, fds, &nfds, 8);
    unsigned int ptn;
    int controller = nfds > 0 && ioctl(fds[0], TIOCGPTN, &ptn) == 0;
    fprintf(log, "{\"event\":\"received\",\"fds\":%d,\"data\":", nfds);
    json_string(log, data);
    fprintf(log, ",\"controller\":%s,\"winsize\":", controller ? "true" : "false");
    if (nfds > 0) json_winsize(log, fds[0]);
    else fputs("null", log);
    agent_log(log, "}");
    static const char response[] = "{\"type\":\"success\"}";
    ssize_t ignored = send(conn, response, sizeof response - 1, MSG_NOSIGNAL);
    (void)ignored;
    close(conn);
    if (nfds == 0) return 1;
    for (int k = 1; k < nfds; k++) close(fds[k]);
    static char out[4096];
    for (;;) {
        ssize_t n = read(fds[0], out, sizeof out - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* EIO: every copy of the terminal's other end is closed */
        out[n] = '\0';
        fputs("{\"event\":\"output\",\"data\":", log);
        json_string(log, out);
        agent_log(log, "}");
    }
    agent_log(log, "{\"event\":\"closed\"}");
    return 0;
}

/* ---- hold: a namespace for a container to join ---- */

static const struct { const char *name; int flag; int via_child; } hold_types[] = {
    { "cgroup", CLONE_NEWCGROUP, 0 }, { "ipc", CLONE_NEWIPC, 0 }, { "mnt", CLONE_NEWNS, 0 },
    { "net", CLONE_NEWNET, 0 }, { "uts", CLONE_NEWUTS, 0 },
    /* a process enters new pid and time namespaces only through its children */
    { "pid", CLONE_NEWPID, 1 }, { "time", 0x80 /* CLONE_NEWTIME */, 1 },
    /* maps of a user namespace are written from its parent namespace */
    { "user", CLONE_NEWUSER, 1 },
    { NULL, 0, 0 },
};

/* Writes "C H S" lines from "C:H:S" arguments into /proc/PID/FILE; -1 on a bad argument or a failed write. */
static int write_id_map(pid_t pid, const char *file, const char *const *maps, int n) {
    if (n == 0) return 0;
    char text[1024] = "", path[64];
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        unsigned long c, h, s;
        if (sscanf(maps[i], "%lu:%lu:%lu", &c, &h, &s) != 3) return -1;
        int w = snprintf(text + used, sizeof text - used, "%lu %lu %lu\n", c, h, s);
        if (w < 0 || (size_t)w >= sizeof text - used) return -1;
        used += (size_t)w;
    }
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t w = write(fd, text, used);
    close(fd);
    return w == (ssize_t)used ? 0 : -1;
}

static int cmd_hold(int argc, char **argv) {
    if (argc < 3) usage();
    const char *uid_maps[8], *gid_maps[8];
    int nuid = 0, ngid = 0, flag = -1, via_child = 0;
    for (int i = 0; hold_types[i].name; i++)
        if (!strcmp(hold_types[i].name, argv[2])) { flag = hold_types[i].flag; via_child = hold_types[i].via_child; }
    if (flag < 0) usage();
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--uid-map") && i + 1 < argc && nuid < 8) uid_maps[nuid++] = argv[++i];
        else if (!strcmp(argv[i], "--gid-map") && i + 1 < argc && ngid < 8) gid_maps[ngid++] = argv[++i];
        else usage();
    }
    pid_t parent = getpid();
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() == 1) return 125; /* the harness is already gone */
    int user = flag == CLONE_NEWUSER;
    if (!via_child) {
        if (unshare(flag) != 0) die("unshare");
        /* nothing mounted in this namespace may propagate to the host's */
        if (flag == CLONE_NEWNS && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("mount --make-rprivate /");
        printf("ready %d\n", (int)parent);
        fflush(stdout);
        for (;;) pause();
    }
    if (!user && unshare(flag) != 0) die("unshare");
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0) die("pipe");
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        /* in a new pid namespace the parent is outside it, and getppid() is 0 */
        pid_t pp = getppid();
        if (pp != parent && pp != 0) _exit(125);
        close(go[0]);
        if (user && unshare(CLONE_NEWUSER) != 0) die("unshare");
        /* tells the holder the namespace exists; closing the pipe says so too */
        if (write(go[1], "u", 1) != 1) _exit(125);
        for (;;) pause();
    }
    close(go[1]);
    char byte;
    if (read(go[0], &byte, 1) != 1) { fprintf(stderr, "ocicomply-probe: hold: the child did not make the namespace\n"); return 125; }
    if (user) {
        /* setgroups must be denied before an unprivileged gid map; as root it is allowed, and left as it is */
        if (write_id_map(child, "uid_map", uid_maps, nuid) != 0) die("uid_map");
        if (write_id_map(child, "gid_map", gid_maps, ngid) != 0) die("gid_map");
    }
    printf("ready %d\n", (int)child);
    fflush(stdout);
    for (;;) {
        int st;
        if (waitpid(child, &st, 0) == child) return 125; /* the namespace is gone with it */
        if (errno != EINTR) return 125;
    }
}

static volatile pid_t main_child = -1;

static void forward_signal(int sig) {
    if (main_child > 0) kill(main_child, sig);
}

static int cmd_subreaper(int argc, char **argv) {
    if (argc < 3) usage();
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) die("prctl(PR_SET_CHILD_SUBREAPER)");
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        execvp(argv[2], argv + 2);
        die(argv[2]);
    }
    main_child = child;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaction(forwarded[i], &sa, NULL);
    int status = 0;
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p == child) { status = st; break; }
        if (p < 0 && errno == ECHILD) break;
    }
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 125;
}

int main(int argc, char **argv) {
    started_us = monotonic_us();
    if (argc < 2) usage();
    if (!strcmp(argv[1], "hook")) return cmd_hook(argc, argv);
    if (!strcmp(argv[1], "run")) return cmd_run(argc, argv);
    if (!strcmp(argv[1], "subreaper")) return cmd_subreaper(argc, argv);
    if (!strcmp(argv[1], "seccomp-agent")) return cmd_seccomp_agent(argc, argv);
    if (!strcmp(argv[1], "console-receiver")) return cmd_console_receiver(argc, argv);
    if (!strcmp(argv[1], "hold")) return cmd_hold(argc, argv);
    usage();
    return 125;
}
