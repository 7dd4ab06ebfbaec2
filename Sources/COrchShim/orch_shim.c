#define _GNU_SOURCE
#include "orch_shim.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

const uint32_t ORCH_EPOLLIN = EPOLLIN;
const uint32_t ORCH_EPOLLOUT = EPOLLOUT;
const uint32_t ORCH_EPOLLERR = EPOLLERR;
const uint32_t ORCH_EPOLLHUP = EPOLLHUP;
const uint32_t ORCH_EPOLLRDHUP = EPOLLRDHUP;

static const int orch_signals[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

static void orch_signal_set(sigset_t *set) {
    sigemptyset(set);
    for (size_t i = 0; i < sizeof(orch_signals) / sizeof(orch_signals[0]); i++) {
        sigaddset(set, orch_signals[i]);
    }
}

int orch_block_signals(void) {
    sigset_t set;
    orch_signal_set(&set);
    int rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (rc != 0) return rc;
    struct sigaction ignore;
    memset(&ignore, 0, sizeof(ignore));
    ignore.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &ignore, NULL) != 0) return errno;
    return 0;
}

int orch_unblock_signals(void) {
    sigset_t set;
    orch_signal_set(&set);
    int rc = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    if (rc != 0) return rc;
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    if (sigaction(SIGPIPE, &dfl, NULL) != 0) return errno;
    return 0;
}

int orch_signalfd_create(int *fd) {
    sigset_t set;
    orch_signal_set(&set);
    int result = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (result < 0) return errno;
    *fd = result;
    return 0;
}

int orch_signalfd_read(int fd, int *signo, pid_t *sender) {
    struct signalfd_siginfo info;
    for (;;) {
        ssize_t n = read(fd, &info, sizeof(info));
        if (n == (ssize_t)sizeof(info)) {
            *signo = (int)info.ssi_signo;
            *sender = (pid_t)info.ssi_pid;
            return 0;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        return EIO;
    }
}

int orch_epoll_create(int *fd) {
    int result = epoll_create1(EPOLL_CLOEXEC);
    if (result < 0) return errno;
    *fd = result;
    return 0;
}

int orch_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = events;
    event.data.u64 = data;
    int kop = op == 1 ? EPOLL_CTL_ADD : op == 2 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (epoll_ctl(epfd, kop, fd, &event) != 0) return errno;
    return 0;
}

int orch_epoll_wait(int epfd, uint64_t *datas, uint32_t *events, int max, int timeout_ms, int *count) {
    struct epoll_event buffer[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, buffer, max, timeout_ms);
    if (n < 0) return errno;
    for (int i = 0; i < n; i++) {
        datas[i] = buffer[i].data.u64;
        events[i] = buffer[i].events;
    }
    *count = n;
    return 0;
}

int orch_timerfd_create(int *fd) {
    int result = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (result < 0) return errno;
    *fd = result;
    return 0;
}

int orch_timerfd_set_absolute(int fd, int64_t deadline_ns) {
    struct itimerspec spec;
    memset(&spec, 0, sizeof(spec));
    if (deadline_ns > 0) {
        spec.it_value.tv_sec = deadline_ns / 1000000000LL;
        spec.it_value.tv_nsec = deadline_ns % 1000000000LL;
    }
    if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL) != 0) return errno;
    return 0;
}

int orch_timerfd_drain(int fd) {
    uint64_t expirations;
    ssize_t n = read(fd, &expirations, sizeof(expirations));
    if (n < 0) return errno;
    return 0;
}

int orch_eventfd_create(int *fd) {
    int result = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (result < 0) return errno;
    *fd = result;
    return 0;
}

int64_t orch_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t orch_realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int orch_pipe(int fds[2], int nonblocking_read) {
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    if (nonblocking_read) {
        int flags = fcntl(fds[0], F_GETFL);
        if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) != 0) {
            int saved = errno;
            close(fds[0]);
            close(fds[1]);
            return saved;
        }
    }
    return 0;
}

int orch_openpty(int *master, int *slave) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return errno;
    if (grantpt(m) != 0 || unlockpt(m) != 0) {
        int saved = errno;
        close(m);
        return saved;
    }
    char name[128];
    if (ptsname_r(m, name, sizeof(name)) != 0) {
        int saved = errno;
        close(m);
        return saved;
    }
    int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        int saved = errno;
        close(m);
        return saved;
    }
    // Lines end in \n, not \r\n: orch frames them like a pipe's.
    struct termios modes;
    if (tcgetattr(s, &modes) == 0) {
        modes.c_oflag &= ~(tcflag_t)ONLCR;
        tcsetattr(s, TCSANOW, &modes);
    }
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) ioctl(s, TIOCSWINSZ, &size);
    int flags = fcntl(m, F_GETFL);
    fcntl(m, F_SETFL, flags | O_NONBLOCK);
    *master = m;
    *slave = s;
    return 0;
}

int orch_set_child_subreaper(void) {
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return errno;
    return 0;
}

int orch_reap_any(pid_t *pid, int *status) {
    for (;;) {
        pid_t result = waitpid(-1, status, WNOHANG);
        if (result < 0 && errno == EINTR) continue;
        if (result < 0) return errno;
        *pid = result;
        return 0;
    }
}

int orch_kill(pid_t pid, int signo) {
    if (kill(pid, signo) != 0) return errno;
    return 0;
}

int orch_decode_status(int status, int *code, int *signo) {
    if (WIFEXITED(status)) {
        *code = WEXITSTATUS(status);
        *signo = 0;
        return 1;
    }
    if (WIFSIGNALED(status)) {
        *code = 128 + WTERMSIG(status);
        *signo = WTERMSIG(status);
        return 2;
    }
    *code = 0;
    *signo = 0;
    return 0;
}

int orch_set_nonblocking(int fd, int on) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return errno;
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (fcntl(fd, F_SETFL, flags) != 0) return errno;
    return 0;
}

// The guardian. Messages are 8 bytes, so each write(2) is atomic (under PIPE_BUF)
// and every read of a multiple of 8 bytes returns whole messages.
struct orch_guardian_message {
    int32_t op;   // 'A' add a group, 'R' remove it, 'B' goodbye
    int32_t pid;
};

static int orch_guardian_fd = -1;

// The run's marker: every child gets ORCH_SUPERVISOR=<value> in its environment, the
// value being the inherited marker's tokens (an orch started by orch) then this run's
// own random token, colon-separated. After orch's death the guardian kills every
// process of its user whose /proc/PID/environ (the environment it was exec'd with,
// kept across fork: proc(5)) carries this run's token, which finds the daemons that
// left every group and session orch made (fork, setsid, fork).
#define ORCH_TOKEN_LENGTH 32
#define ORCH_TOKENS_KEPT 8
static char orch_guardian_token[ORCH_TOKEN_LENGTH + 1];
static char orch_guardian_marker_value[ORCH_TOKENS_KEPT * (ORCH_TOKEN_LENGTH + 1)];

static int orch_token_valid(const char *text, size_t length) {
    if (length != ORCH_TOKEN_LENGTH) return 0;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
    }
    return 1;
}

/// Draws this run's token (getrandom(2)) and builds the marker's value: the last
/// ORCH_TOKENS_KEPT-1 valid tokens of an inherited ORCH_SUPERVISOR, then our own, so
/// an orch started by orch still marks its children for the outer one's guardian.
static int orch_guardian_make_marker(void) {
    unsigned char random_bytes[ORCH_TOKEN_LENGTH / 2];
    size_t got = 0;
    while (got < sizeof(random_bytes)) {
        ssize_t n = getrandom(random_bytes + got, sizeof(random_bytes) - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof(random_bytes); i++) {
        orch_guardian_token[2 * i] = hex[random_bytes[i] >> 4];
        orch_guardian_token[2 * i + 1] = hex[random_bytes[i] & 15];
    }
    orch_guardian_token[ORCH_TOKEN_LENGTH] = '\0';
    // Inherited tokens, oldest first; anything that is not a token is dropped.
    const char *inherited = getenv("ORCH_SUPERVISOR");
    const char *tokens[ORCH_TOKENS_KEPT];
    size_t count = 0;
    for (const char *p = inherited; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ':');
        size_t length = end ? (size_t)(end - p) : strlen(p);
        if (orch_token_valid(p, length) && strncmp(p, orch_guardian_token, length) != 0) {
            if (count == ORCH_TOKENS_KEPT - 1) {
                memmove(tokens, tokens + 1, (count - 1) * sizeof(tokens[0]));
                count--;
            }
            tokens[count++] = p;
        }
        if (end == NULL) break;
        p = end + 1;
    }
    char *out = orch_guardian_marker_value;
    for (size_t i = 0; i < count; i++) {
        memcpy(out, tokens[i], ORCH_TOKEN_LENGTH);
        out += ORCH_TOKEN_LENGTH;
        *out++ = ':';
    }
    memcpy(out, orch_guardian_token, ORCH_TOKEN_LENGTH + 1);
    return 0;
}

const char *orch_guardian_marker(void) {
    return orch_guardian_fd >= 0 && orch_guardian_token[0] != '\0' ? orch_guardian_marker_value : NULL;
}

static void orch_guardian_send(int32_t op, pid_t pid) {
    if (orch_guardian_fd < 0) return;
    struct orch_guardian_message message = {op, (int32_t)pid};
    ssize_t n;
    do {
        n = write(orch_guardian_fd, &message, sizeof(message));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        // The guardian is gone (EPIPE; SIGPIPE is ignored): stop telling it.
        close(orch_guardian_fd);
        orch_guardian_fd = -1;
    }
}

void orch_guardian_forget(pid_t pgid) { orch_guardian_send('R', pgid); }

void orch_guardian_dismiss(void) {
    orch_guardian_send('B', 0);
    if (orch_guardian_fd >= 0) close(orch_guardian_fd);
    orch_guardian_fd = -1;
}

static int orch_guardian_knows(const pid_t *groups, size_t count, pid_t id) {
    for (size_t i = 0; i < count; i++) {
        if (groups[i] == id) return 1;
    }
    return 0;
}

/// True when the environment `fd` reads (/proc/PID/environ) has an ORCH_SUPERVISOR
/// whose value holds `token`. Read in chunks; only the first bytes of each entry are
/// kept, so a huge environment costs time in proportion to its size and no memory.
static int orch_environ_marked(int fd, const char *token) {
    static const char key[] = "ORCH_SUPERVISOR=";
    char chunk[16384];
    char entry[sizeof(key) + ORCH_TOKENS_KEPT * (ORCH_TOKEN_LENGTH + 1) + 1];
    size_t length = 0;
    int overflowed = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        for (ssize_t i = 0; i < n; i++) {
            if (chunk[i] != '\0') {
                if (length < sizeof(entry) - 1) entry[length++] = chunk[i];
                else overflowed = 1;
                continue;
            }
            entry[length] = '\0';
            if (!overflowed && strncmp(entry, key, sizeof(key) - 1) == 0) {
                for (const char *p = entry + sizeof(key) - 1; *p != '\0';) {
                    const char *end = strchr(p, ':');
                    size_t part = end ? (size_t)(end - p) : strlen(p);
                    if (part == ORCH_TOKEN_LENGTH && memcmp(p, token, ORCH_TOKEN_LENGTH) == 0) return 1;
                    if (end == NULL) break;
                    p = end + 1;
                }
            }
            length = 0;
            overflowed = 0;
        }
    }
}

/// SIGKILLs the process `pid` (the one /proc/PID named when `pidfd` was opened, so a
/// pid reused meanwhile is never hit: pidfd_open(2)); plain kill(2) without a pidfd.
static int orch_guardian_kill(pid_t pid, int pidfd) {
    if (pidfd >= 0) return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    return kill(pid, SIGKILL);
}

/// One pass over /proc: SIGKILL every live process whose session or group is known,
/// or, of our own user, whose environment carries this run's token. `seen` holds the
/// pids already killed (a killed process stays in /proc until it is reaped); returns
/// how many new ones were signalled.
static int orch_guardian_sweep(const pid_t *groups, size_t count, pid_t *seen, size_t *seen_count, size_t seen_capacity) {
    DIR *proc = opendir("/proc");
    if (proc == NULL) return 0;
    int killed = 0;
    pid_t self = getpid();
    uid_t user = getuid();
    struct dirent *entry;
    while ((entry = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(entry->d_name, &end, 10);
        if (*end != '\0' || pid <= 1 || pid == self) continue;
        if (orch_guardian_knows(seen, *seen_count, (pid_t)pid)) continue;
        // Pinned first: everything read below is then about this very process.
        int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
        if (pidfd < 0 && errno == ESRCH) continue;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        char text[1024];
        ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
        if (fd >= 0) close(fd);
        int target = 0;
        if (n > 0) {
            text[n] = '\0';
            // The command may hold spaces and parentheses: fields start after the last ')'.
            char *close_paren = strrchr(text, ')');
            char state;
            int parent, group, session;
            if (close_paren != NULL &&
                sscanf(close_paren + 1, " %c %d %d %d", &state, &parent, &group, &session) == 4 &&
                state != 'Z' && state != 'X') {
                if (orch_guardian_knows(groups, count, session) || orch_guardian_knows(groups, count, group)) {
                    target = 1;
                } else {
                    // Another user's process is never touched, whatever its environment.
                    struct stat owner;
                    snprintf(path, sizeof(path), "/proc/%ld", pid);
                    if (stat(path, &owner) == 0 && owner.st_uid == user) {
                        snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
                        int env = open(path, O_RDONLY | O_CLOEXEC);
                        if (env >= 0) {
                            target = orch_environ_marked(env, orch_guardian_token);
                            close(env);
                        }
                    }
                }
            }
        }
        if (target && orch_guardian_kill((pid_t)pid, pidfd) == 0) {
            killed++;
            if (*seen_count < seen_capacity) seen[(*seen_count)++] = (pid_t)pid;
        }
        if (pidfd >= 0) close(pidfd);
    }
    closedir(proc);
    return killed;
}

static void orch_guardian_run(int fd, pid_t orch) {
    prctl(PR_SET_NAME, "orch-guardian", 0, 0, 0);
    pid_t *groups = NULL;
    size_t count = 0, capacity = 0, prune_at = 256;
    struct orch_guardian_message messages[512];
    for (;;) {
        ssize_t n = read(fd, messages, sizeof(messages));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (size_t i = 0; i < (size_t)n / sizeof(messages[0]); i++) {
            pid_t pid = (pid_t)messages[i].pid;
            switch (messages[i].op) {
            case 'B':
                _exit(0);
            case 'A':
                if (count == capacity) {
                    size_t grown = capacity ? capacity * 2 : 256;
                    pid_t *bigger = realloc(groups, grown * sizeof(pid_t));
                    if (bigger == NULL) continue;  // the sweep by session still finds most
                    groups = bigger;
                    capacity = grown;
                }
                groups[count++] = pid;
                if (count >= prune_at) {
                    // A missed 'R' must not grow the list forever: drop groups that are gone.
                    size_t kept = 0;
                    for (size_t j = 0; j < count; j++) {
                        if (kill(-groups[j], 0) == 0 || errno != ESRCH) groups[kept++] = groups[j];
                    }
                    count = kept;
                    prune_at = count * 2 + 256;
                }
                break;
            case 'R':
                for (size_t j = 0; j < count; j++) {
                    if (groups[j] == pid) {
                        groups[j] = groups[--count];
                        break;
                    }
                }
                break;
            }
        }
    }
    // orch is gone without a goodbye: nothing it started may outlive it.
    int killed = 0, groups_killed = 0;
    for (size_t i = 0; i < count; i++) {
        if (kill(-groups[i], SIGKILL) == 0) groups_killed++;
    }
    // Again until a pass finds nobody: a process may have been forking during the last.
    static pid_t seen[4096];
    size_t seen_count = 0;
    for (int round = 0; round < 20; round++) {
        int found = orch_guardian_sweep(groups, count, seen, &seen_count, sizeof(seen) / sizeof(seen[0]));
        if (found == 0) break;
        killed += found;
    }
    if (killed > 0 || groups_killed > 0) {
        char line[200];
        int length = snprintf(line, sizeof(line),
                              "orch-guardian (pid %d): orch (pid %d) ended without stopping its processes: "
                              "killed %d process groups and %d processes\n",
                              (int)getpid(), (int)orch, groups_killed, killed);
        if (length > 0) {
            if ((size_t)length >= sizeof(line)) length = (int)sizeof(line) - 1;
            ssize_t ignored = write(2, line, (size_t)length);
            (void)ignored;
        }
    }
    _exit(0);
}

int orch_guardian_start(pid_t *guardian) {
    if (orch_guardian_fd >= 0) return EALREADY;
    int marker = orch_guardian_make_marker();
    if (marker != 0) return marker;
    int fds[2], report[2];
    if (pipe2(fds, O_CLOEXEC) != 0) { orch_guardian_token[0] = '\0'; return errno; }
    if (pipe2(report, O_CLOEXEC) != 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        return saved;
    }
    pid_t orch = getpid();
    pid_t middle = fork();
    if (middle < 0) {
        int saved = errno;
        close(fds[0]); close(fds[1]); close(report[0]); close(report[1]);
        return saved;
    }
    if (middle == 0) {
        // The middle process forks the guardian and exits at once, so the guardian
        // is reparented away from orch: orch's reaping and orphan sweeps never see it.
        pid_t child = fork();
        if (child != 0) {
            ssize_t ignored = write(report[1], &child, sizeof(child));
            (void)ignored;
            _exit(0);
        }
        // Its own session: Ctrl-C and a terminal hang-up are orch's to handle.
        setsid();
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = SIG_IGN;
        const int ignored_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
                                       SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH};
        for (size_t i = 0; i < sizeof(ignored_signals) / sizeof(ignored_signals[0]); i++) {
            sigaction(ignored_signals[i], &action, NULL);
        }
        sigset_t empty;
        sigemptyset(&empty);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        // Keep only the pipe (as fd 3) and stderr; stdin/stdout become /dev/null so the
        // guardian never holds open a pipe that someone waits on for EOF.
        if (fds[0] != 3 && dup2(fds[0], 3) < 0) _exit(1);
        syscall(SYS_close_range, 4U, ~0U, 0U);
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            dup2(null_fd, 0);
            dup2(null_fd, 1);
            if (null_fd > 3) close(null_fd);
        }
        orch_guardian_run(3, orch);
    }
    close(fds[0]);
    close(report[1]);
    pid_t child = 0;
    ssize_t n;
    do {
        n = read(report[0], &child, sizeof(child));
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    int status;
    while (waitpid(middle, &status, 0) < 0 && errno == EINTR) {}
    if (n != (ssize_t)sizeof(child) || child <= 0) {
        close(fds[1]);
        return ECHILD;
    }
    orch_guardian_fd = fds[1];
    *guardian = child;
    return 0;
}

// The child side. Runs between fork and exec: async-signal-safe calls only.
static void orch_child_fail(int report_fd, int step) {
    int payload[2] = {step, errno};
    ssize_t ignored = write(report_fd, payload, sizeof(payload));
    (void)ignored;
    _exit(127);
}

static int orch_dup_onto(int from, int to) {
    if (from == to) {
        // Keep the fd but clear CLOEXEC so it survives exec.
        int flags = fcntl(from, F_GETFD);
        if (flags < 0) return -1;
        return fcntl(from, F_SETFD, flags & ~FD_CLOEXEC);
    }
    while (dup2(from, to) < 0) {
        if (errno != EINTR) return -1;
    }
    return 0;
}

int orch_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
               int stdin_fd, int stdout_fd, int stderr_fd, int controlling_tty,
               pid_t *pid, int *failed_step) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return errno;
    pid_t parent = getpid();
    // vfork: the child borrows orch's memory until execve, so starting a child costs
    // the same whatever orch's size. Everything below runs before exec or _exit only,
    // touches no heap and returns from no function.
    pid_t child = vfork();
    if (child < 0) {
        int saved = errno;
        close(report[0]);
        close(report[1]);
        return saved;
    }
    if (child == 0) {
        close(report[0]);
        if (controlling_tty == 2) {
            // A foreground command (orch run -- CMD): orch's session, its own process
            // group, and that group made the terminal's foreground group (when orch's
            // is), so Ctrl-C reaches the command and not orch. SIGTTOU is blocked for
            // tcsetpgrp(3) from what is now a background group; the mask is reset below.
            if (setpgid(0, 0) != 0) orch_child_fail(report[1], ORCH_STEP_SETSID);
            if (isatty(stdin_fd) && tcgetpgrp(stdin_fd) == getpgid(parent)) {
                sigset_t ttou;
                sigemptyset(&ttou);
                sigaddset(&ttou, SIGTTOU);
                sigprocmask(SIG_BLOCK, &ttou, NULL);
                if (tcsetpgrp(stdin_fd, getpid()) != 0) orch_child_fail(report[1], ORCH_STEP_TTY);
            }
        } else if (setsid() < 0) orch_child_fail(report[1], ORCH_STEP_SETSID);
        // The guardian hears of the group from the child itself, before any of the
        // command's code runs: orch may be killed before it is scheduled again. A raw
        // write (no shared state touched: the vfork child shares orch's memory), while
        // SIGPIPE is still ignored.
        if (orch_guardian_fd >= 0) {
            struct orch_guardian_message added = {'A', (int32_t)getpid()};
            ssize_t ignored = write(orch_guardian_fd, &added, sizeof(added));
            (void)ignored;
        }
        // The parent may already be gone: then PDEATHSIG never fires, so check.
        if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0) orch_child_fail(report[1], ORCH_STEP_PDEATHSIG);
        if (getppid() != parent) _exit(129);
        // Dispositions first, then the mask: a signal unblocked while still ignored
        // or handled by orch's disposition would be lost or misrouted.
        struct sigaction dfl;
        memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        for (int s = 1; s < NSIG; s++) {
            if (s == SIGKILL || s == SIGSTOP) continue;
            sigaction(s, &dfl, NULL);
        }
        sigset_t empty;
        sigemptyset(&empty);
        if (sigprocmask(SIG_SETMASK, &empty, NULL) != 0) orch_child_fail(report[1], ORCH_STEP_SIGNALS);
        // Move the fds out of the way of 0..2 before dup2 so none is overwritten.
        int fds[3] = {stdin_fd, stdout_fd, stderr_fd};
        for (int i = 0; i < 3; i++) {
            if (fds[i] >= 0 && fds[i] <= 2 && fds[i] != i) {
                int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
                if (moved < 0) orch_child_fail(report[1], ORCH_STEP_DUP2);
                fds[i] = moved;
            }
        }
        for (int i = 0; i < 3; i++) {
            if (fds[i] < 0) continue;
            if (orch_dup_onto(fds[i], i) != 0) orch_child_fail(report[1], ORCH_STEP_DUP2);
        }
        if (controlling_tty == 1) {
            if (ioctl(0, TIOCSCTTY, 0) != 0) orch_child_fail(report[1], ORCH_STEP_TTY);
        }
        if (cwd != NULL && chdir(cwd) != 0) orch_child_fail(report[1], ORCH_STEP_CHDIR);
        // Every fd above 2 closes at exec, including the report pipe (already CLOEXEC).
        syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
        execve(path, argv, envp);
        orch_child_fail(report[1], ORCH_STEP_EXECVE);
    }
    close(report[1]);
    int payload[2] = {0, 0};
    ssize_t n;
    do {
        n = read(report[0], payload, sizeof(payload));
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof(payload)) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        *failed_step = payload[0];
        *pid = child;
        orch_guardian_send('R', child);
        return payload[1] != 0 ? payload[1] : EIO;
    }
    *failed_step = ORCH_STEP_NONE;
    *pid = child;
    return 0;
}

int orch_terminal_give(int fd, pid_t group) {
    sigset_t ttou, old;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &ttou, &old);
    int rc = tcsetpgrp(fd, group) == 0 ? 0 : errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int orch_terminal_owns(int fd) {
    return isatty(fd) && tcgetpgrp(fd) == getpgrp();
}

int orch_child_stopped(pid_t pid) {
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOHANG) != 0) return 0;
    return info.si_pid == pid && info.si_code == CLD_STOPPED;
}

void orch_stop_self(void) {
    // orch may have inherited SIGTSTP ignored or blocked (its command did not:
    // orch_spawn resets every disposition and the mask). Unblocked, the signal stops
    // orch before kill(2) returns. In an orphaned process group the kernel discards
    // SIGTSTP: then this returns at once.
    struct sigaction dfl, old;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGTSTP, &dfl, &old);
    sigset_t tstp, mask;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &tstp, &mask);
    kill(getpid(), SIGTSTP);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    sigaction(SIGTSTP, &old, NULL);
}

int orch_accept(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

const uint32_t ORCH_IN_ISDIR = IN_ISDIR;
const uint32_t ORCH_IN_CREATE = IN_CREATE;
const uint32_t ORCH_IN_MOVED_TO = IN_MOVED_TO;
const uint32_t ORCH_IN_DELETE = IN_DELETE;
const uint32_t ORCH_IN_MOVED_FROM = IN_MOVED_FROM;
const uint32_t ORCH_IN_IGNORED = IN_IGNORED;
const uint32_t ORCH_IN_Q_OVERFLOW = IN_Q_OVERFLOW;

int orch_inotify_init(int *fd) {
    int result = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (result < 0) return errno;
    *fd = result;
    return 0;
}

int orch_inotify_add(int fd, const char *path, int *wd) {
    uint32_t mask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF
                    | IN_EXCL_UNLINK;
    int result = inotify_add_watch(fd, path, mask);
    if (result < 0) return errno;
    *wd = result;
    return 0;
}

int orch_inotify_read(int fd, void *buffer, size_t size, size_t *count) {
    for (;;) {
        ssize_t n = read(fd, buffer, size);
        if (n >= 0) { *count = (size_t)n; return 0; }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) { *count = 0; return 0; }
        return errno;
    }
}

int orch_inotify_event(const void *buffer, size_t size, size_t offset, int *wd, uint32_t *mask,
                       const char **name, size_t *next) {
    if (offset + sizeof(struct inotify_event) > size) return EINVAL;
    const struct inotify_event *event = (const struct inotify_event *)((const char *)buffer + offset);
    *wd = event->wd;
    *mask = event->mask;
    *name = event->len > 0 ? event->name : "";
    *next = offset + sizeof(struct inotify_event) + event->len;
    return 0;
}
