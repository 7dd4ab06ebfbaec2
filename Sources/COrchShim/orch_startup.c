#define _GNU_SOURCE
#include "orch_startup.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static int watch_started = 0;
static pthread_t watch_thread;
static int watch_signal_fd = -1;
static int watch_stop_fd = -1;

static void *orch_startup_watch_main(void *unused) {
    (void)unused;
    struct pollfd fds[2] = {
        {.fd = watch_signal_fd, .events = POLLIN},
        {.fd = watch_stop_fd, .events = POLLIN},
    };
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return NULL;
        }
        // Stopping wins: a signal not yet read stays pending for the loop.
        if (fds[1].revents != 0) return NULL;
        if (fds[0].revents != 0) {
            struct signalfd_siginfo info;
            if (read(watch_signal_fd, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
                // Nothing has been started yet: ending here leaves nothing behind.
                _exit(128 + (int)info.ssi_signo);
            }
        }
    }
}

int orch_startup_watch_start(void) {
    pthread_mutex_lock(&watch_lock);
    int rc = 0;
    if (watch_started) goto done;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    watch_signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (watch_signal_fd < 0) { rc = errno; goto done; }
    watch_stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (watch_stop_fd < 0) {
        rc = errno;
        close(watch_signal_fd);
        watch_signal_fd = -1;
        goto done;
    }
    rc = pthread_create(&watch_thread, NULL, orch_startup_watch_main, NULL);
    if (rc != 0) {
        close(watch_signal_fd);
        close(watch_stop_fd);
        watch_signal_fd = watch_stop_fd = -1;
        goto done;
    }
    watch_started = 1;
done:
    pthread_mutex_unlock(&watch_lock);
    return rc;
}

int orch_startup_watch_stop(void) {
    pthread_mutex_lock(&watch_lock);
    if (watch_started) {
        uint64_t one = 1;
        ssize_t n;
        do { n = write(watch_stop_fd, &one, sizeof(one)); } while (n < 0 && errno == EINTR);
        pthread_join(watch_thread, NULL);
        close(watch_signal_fd);
        close(watch_stop_fd);
        watch_signal_fd = watch_stop_fd = -1;
        watch_started = 0;
    }
    pthread_mutex_unlock(&watch_lock);
    return 0;
}
