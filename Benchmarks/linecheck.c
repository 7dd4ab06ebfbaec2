/* linecheck TARGET NWRITERS N: reads a supervisor's combined output on stdin.
 * Every line must be `<prefix> | <text>`, where the word just before " | " is the
 * process name (orch: "w1   | ", honcho: "12:00:00 w1.1 | "). Lines of processes
 * named orch/system are copied to stderr (they carry the pids). Every other line
 * must be an exact payload line of writer.c whose writer id matches the name.
 * When TARGET valid payload lines have been seen it prints "DONE <CLOCK_MONOTONIC ns>"
 * on stdout at once; at EOF it prints
 * "RESULT valid=.. torn=.. missing=.. dups=.. other=.." (missing: lines of writers
 * 1..NWRITERS whose number 0..N-1 never arrived; torn: lines that are not exact). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE 80
#define MAXW 10

static long target, nwriters, nper;
static long next_seq[MAXW], valid, torn, gaps, dups, other;
static int done;
static char alphabet[26 * 5];

static void bad(const char *l, size_t n) {
    torn++;
    if (torn <= 5) fprintf(stderr, "TORN: %.*s\n", (int)(n > 200 ? 200 : n), l);
}

static void line(const char *l, size_t n) {
    const char *sep = NULL, *bar = l, *end = l + n;
    while ((bar = memchr(bar, '|', (size_t)(end - bar)))) {
        if (bar > l && bar + 1 < end && bar[-1] == ' ' && bar[1] == ' ') { sep = bar - 1; break; }
        bar++;
    }
    if (!sep) { bad(l, n); return; }
    const char *e = sep;
    while (e > l && e[-1] == ' ') e--;
    const char *b = e;
    while (b > l && b[-1] != ' ') b--;
    size_t nl = (size_t)(e - b);
    if ((nl == 4 && !memcmp(b, "orch", 4)) || (nl == 6 && !memcmp(b, "system", 6))) {
        other++;
        fwrite(l, 1, n, stderr);
        fputc('\n', stderr);
        return;
    }
    const char *t = sep + 3;
    size_t tn = n - (size_t)(t - l);
    if (nl < 2 || b[0] != 'w' || b[1] < '1' || b[1] > '9' || (nl > 2 && b[2] != '.')) { bad(l, n); return; }
    int id = b[1] - '0';
    if (tn != LINE - 1 || t[0] != 'w' || t[1] != b[1] || t[2] != ':' || t[11] != ':') { bad(l, n); return; }
    long seq = 0;
    for (int j = 3; j < 11; j++) {
        if (t[j] < '0' || t[j] > '9') { bad(l, n); return; }
        seq = seq * 10 + (t[j] - '0');
    }
    /* filler byte j is 'a' + (seq*7 + j) % 26: one memcmp against the alphabet, repeated */
    if (memcmp(t + 12, alphabet + (seq * 7 + 12) % 26, LINE - 13)) { bad(l, n); return; }
    if (id > nwriters) { bad(l, n); return; }
    if (seq < next_seq[id]) { dups++; return; }
    if (seq > next_seq[id]) gaps += seq - next_seq[id];
    next_seq[id] = seq + 1;
    valid++;
    if (!done && valid >= target) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        printf("DONE %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
        fflush(stdout);
        done = 1;
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: linecheck TARGET NWRITERS N\n"); return 2; }
    target = atol(argv[1]);
    nwriters = atol(argv[2]);
    nper = atol(argv[3]);
    for (int i = 0; i < (int)sizeof alphabet; i++) alphabet[i] = (char)('a' + i % 26);
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len == cap) { cap *= 2; buf = realloc(buf, cap); }
        ssize_t r = read(0, buf + len, cap - len);
        if (r <= 0) break;
        len += (size_t)r;
        size_t start = 0;
        char *nlp;
        while ((nlp = memchr(buf + start, '\n', len - start))) {
            size_t end = (size_t)(nlp - buf);
            line(buf + start, end - start);
            start = end + 1;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    if (len) bad(buf, len);
    long missing = gaps;
    for (int i = 1; i <= nwriters; i++) missing += nper - next_seq[i];
    printf("RESULT valid=%ld torn=%ld missing=%ld dup=%ld other=%ld\n", valid, torn, missing, dups, other);
    return 0;
}
