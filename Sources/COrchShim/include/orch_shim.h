#ifndef ORCH_SHIM_H
#define ORCH_SHIM_H

#include <stdint.h>
#include <sys/types.h>

// What Swift cannot call directly: the fork-to-exec child side, variadic syscalls
// (prctl, syscall), the W* status macros, and the epoll/signalfd/timerfd/eventfd
// headers that Glibc's Swift module lacks. Functions return 0 or an errno value and
// hand results back through out-parameters, as swift-subprocess's shims do.

/// Steps of the child side of spawning, reported when one fails.
enum {
    ORCH_STEP_NONE = 0,
    ORCH_STEP_SETSID = 1,
    ORCH_STEP_PDEATHSIG = 2,
    ORCH_STEP_DUP2 = 3,
    ORCH_STEP_CHDIR = 4,
    ORCH_STEP_EXECVE = 5,
    ORCH_STEP_SIGNALS = 6,
    ORCH_STEP_TTY = 7,
};

/// fork(2) + execve(2) with the whole child side in C: a new session (so the child
/// leads its own process group), PR_SET_PDEATHSIG, signal mask and dispositions
/// reset, stdin/stdout/stderr dup2'd from the given fds, chdir, every other fd
/// closed on exec. When `controlling_tty` is 1, fd `stdin_fd` becomes the
/// controlling terminal. When it is 2 the child stays in orch's session in a process
/// group of its own, made the foreground group of the terminal on `stdin_fd` when
/// orch's group holds it (`orch run -- CMD`). If a step fails the child reports (step, errno) through a
/// CLOEXEC pipe and exits 127; the parent reaps it and returns the errno, with the
/// step in `*failed_step`. Returns 0 and the pid in `*pid` on success.
int orch_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
               int stdin_fd, int stdout_fd, int stderr_fd, int controlling_tty,
               pid_t *pid, int *failed_step);

/// tcsetpgrp(3) with SIGTTOU blocked, so a background orch can hand the terminal on
/// `fd` to `group` or take it back. Returns 0 or errno.
int orch_terminal_give(int fd, pid_t group);
/// 1 when `fd` is a terminal whose foreground process group is orch's.
int orch_terminal_owns(int fd);
/// 1 when child `pid` has stopped (Ctrl-Z) since the last call: waitid(2) with
/// WSTOPPED only, so an exit is left for the reaper.
int orch_child_stopped(pid_t pid);
/// Stops orch itself with SIGTSTP, as a job stopped by Ctrl-Z; returns once continued.
void orch_stop_self(void);

/// Blocks the signals orch reads from a signalfd (CHLD INT TERM HUP QUIT USR1 USR2
/// WINCH) in the calling thread and ignores SIGPIPE. Call first thing in main,
/// before any thread exists, so every later thread inherits the mask.
int orch_block_signals(void);

/// Undoes orch_block_signals for commands that do not supervise (orch ctl): Ctrl-C
/// and SIGTERM end them, and a write to a closed pipe ends them with SIGPIPE.
int orch_unblock_signals(void);

/// signalfd(2) for the signals blocked by orch_block_signals, non-blocking, CLOEXEC.
int orch_signalfd_create(int *fd);
/// Reads one signalfd_siginfo; returns 0 with the signal number, EAGAIN when empty.
int orch_signalfd_read(int fd, int *signo, pid_t *sender);

/// epoll_create1(EPOLL_CLOEXEC).
int orch_epoll_create(int *fd);
/// epoll_ctl(2); op is 1=ADD 2=DEL 3=MOD; data is the 64-bit user data.
int orch_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
/// epoll_wait(2) into parallel arrays; EINTR is retried by the caller.
int orch_epoll_wait(int epfd, uint64_t *datas, uint32_t *events, int max, int timeout_ms, int *count);

extern const uint32_t ORCH_EPOLLIN;
extern const uint32_t ORCH_EPOLLOUT;
extern const uint32_t ORCH_EPOLLERR;
extern const uint32_t ORCH_EPOLLHUP;
extern const uint32_t ORCH_EPOLLRDHUP;

/// timerfd_create(CLOCK_MONOTONIC, NONBLOCK|CLOEXEC).
int orch_timerfd_create(int *fd);
/// Arms the timer at an absolute CLOCK_MONOTONIC time in ns; 0 disarms.
int orch_timerfd_set_absolute(int fd, int64_t deadline_ns);
/// Reads and discards the expiration count; EAGAIN when not expired.
int orch_timerfd_drain(int fd);

/// eventfd(0, NONBLOCK|CLOEXEC).
int orch_eventfd_create(int *fd);

/// CLOCK_MONOTONIC in nanoseconds.
int64_t orch_monotonic_ns(void);
/// CLOCK_REALTIME in nanoseconds.
int64_t orch_realtime_ns(void);

/// pipe2(O_CLOEXEC); the read end is made non-blocking when `nonblocking_read`.
int orch_pipe(int fds[2], int nonblocking_read);

/// openpty-like: a pseudo-terminal pair, both CLOEXEC, master non-blocking.
int orch_openpty(int *master, int *slave);

/// prctl(PR_SET_CHILD_SUBREAPER, 1).
int orch_set_child_subreaper(void);

/// waitpid(-1, WNOHANG) once: 0 with *pid > 0 for a reaped child, *pid == 0 when
/// none is ready, ECHILD when there are no children.
int orch_reap_any(pid_t *pid, int *status);

/// kill(2); returns errno or 0.
int orch_kill(pid_t pid, int signo);

/// Decodes a wait status: exited (1) with code, or signalled (2) with signal.
int orch_decode_status(int status, int *code, int *signo);

/// fcntl O_NONBLOCK on/off.
int orch_set_nonblocking(int fd, int on);



/// inotify_init1(IN_NONBLOCK|IN_CLOEXEC).
int orch_inotify_init(int *fd);
/// inotify_add_watch(2) for the changes orch restarts on (close-write, create,
/// delete, moves, and the directory itself going away); the watch descriptor in *wd.
int orch_inotify_add(int fd, const char *path, int *wd);
/// Reads pending events into `buffer`; returns bytes read in *count (0 = none).
int orch_inotify_read(int fd, void *buffer, size_t size, size_t *count);
/// Decodes the event at `offset` of a buffer from orch_inotify_read: its watch
/// descriptor, mask, name (may be empty) and the offset of the next event.
int orch_inotify_event(const void *buffer, size_t size, size_t offset, int *wd, uint32_t *mask,
                       const char **name, size_t *next);

extern const uint32_t ORCH_IN_ISDIR;
extern const uint32_t ORCH_IN_CREATE;
extern const uint32_t ORCH_IN_MOVED_TO;
extern const uint32_t ORCH_IN_DELETE;
extern const uint32_t ORCH_IN_MOVED_FROM;
extern const uint32_t ORCH_IN_IGNORED;
extern const uint32_t ORCH_IN_Q_OVERFLOW;

/// accept4(2) with SOCK_NONBLOCK|SOCK_CLOEXEC; returns the fd or -1 with errno set.
int orch_accept(int fd);

/// Starts the guardian: a small process, forked twice (so it is not orch's child and
/// not in its terminal's process group), to which every child of orch_spawn announces
/// its process group over a CLOEXEC pipe before it execs. When orch's end of the pipe closes without
/// orch_guardian_dismiss (SIGKILL, a crash), it SIGKILLs every group it knows and
/// every process still in one of their sessions (orphans that left the group but
/// not the session), and every process of its user whose environment carries the
/// run's ORCH_SUPERVISOR token (daemons that left the session too), then exits. Call once, before spawning; returns 0 and the
/// guardian's pid in *pid.
int orch_guardian_start(pid_t *pid);
/// The value of ORCH_SUPERVISOR for every child (inherited tokens, then this run's
/// random one); NULL when no guardian runs.
const char *orch_guardian_marker(void);
/// Tells the guardian that a group is gone, so its number can be reused safely.
void orch_guardian_forget(pid_t pgid);
/// The orderly goodbye: orch has stopped everything itself; the guardian exits.
void orch_guardian_dismiss(void);
#endif
