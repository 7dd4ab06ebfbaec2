/* writer ID N: writes N lines of exactly 80 bytes (79 + '\n') to stdout.
 * Line i of writer ID: "w<ID>:<i, 8 digits>:" followed by 67 filler bytes that
 * depend on i, so a checker can verify every byte. Output goes out in write()s
 * of 4000 bytes: atomic on a pipe (< PIPE_BUF) but NOT aligned on lines, so a
 * reader that prefixes per read instead of per line would tear lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE 80
#define CHUNK 4000

static void write_all(const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(1, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            _exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: writer ID N\n"); return 2; }
    int id = atoi(argv[1]);
    long n = atol(argv[2]);
    static char out[CHUNK + LINE];
    size_t len = 0;
    for (long i = 0; i < n; i++) {
        char *l = out + len;
        l[0] = 'w';
        l[1] = (char)('0' + id % 10);
        l[2] = ':';
        long v = i;
        for (int j = 10; j >= 3; j--) { l[j] = (char)('0' + v % 10); v /= 10; }
        l[11] = ':';
        for (int j = 12; j < LINE - 1; j++) l[j] = (char)('a' + (i * 7 + j) % 26);
        l[LINE - 1] = '\n';
        len += LINE;
        if (len >= CHUNK) {
            write_all(out, CHUNK);
            memmove(out, out + CHUNK, len - CHUNK);
            len -= CHUNK;
        }
    }
    if (len) write_all(out, len);
    return 0;
}
