/*
 * yaml-events.c — the raw libyaml baseline for bench/validate.
 *
 * For every file named on the command line (or, with no arguments, one path
 * per line on standard input) it reads the whole file into memory and pulls
 * every libyaml event with yaml_parser_parse until STREAM_END, deleting each
 * event. No node tree is built and nothing is decoded: this is the floor that
 * any libyaml-based validator pays.
 *
 * The clock (CLOCK_MONOTONIC) runs around the read+parse loop only: reading the
 * list of paths and process start-up are outside it; reading the files is
 * inside it, so the figure compares with a validator that reads its files.
 *
 * Output, one line on standard output:
 *   files=N bytes=N events=N seconds=S
 *
 * Exit status: 0 on success, 1 on a parse error (reported on standard error as
 * PATH:LINE:COL: problem), 2 on a usage or I/O error.
 *
 * Build: gcc -O2 -o yaml-events bench/yaml-events.c $(pkg-config --cflags --libs yaml-0.1)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time (user + system) of this process so far, for CPU-time ratios on a busy machine. */
static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads the whole file into *buf (grown as needed); returns its length or -1. */
static long read_file(const char *path, unsigned char **buf, size_t *cap) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) { close(fd); return -1; }
    size_t want = (size_t)st.st_size + 1;
    if (want > *cap) {
        unsigned char *p = realloc(*buf, want);
        if (!p) { close(fd); errno = ENOMEM; return -1; }
        *buf = p;
        *cap = want;
    }
    size_t len = 0;
    for (;;) {
        if (len == *cap) { /* the file grew since fstat */
            size_t ncap = *cap * 2;
            unsigned char *p = realloc(*buf, ncap);
            if (!p) { close(fd); errno = ENOMEM; return -1; }
            *buf = p;
            *cap = ncap;
        }
        ssize_t n = read(fd, *buf + len, *cap - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            close(fd);
            return -1;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    return (long)len;
}

static char **paths;
static size_t npaths, cappaths;

static void add_path(const char *p) {
    if (npaths == cappaths) {
        cappaths = cappaths ? cappaths * 2 : 1024;
        paths = realloc(paths, cappaths * sizeof *paths);
        if (!paths) { perror("yaml-events"); exit(2); }
    }
    paths[npaths] = strdup(p);
    if (!paths[npaths]) { perror("yaml-events"); exit(2); }
    npaths++;
}

int main(int argc, char **argv) {
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fprintf(stderr, "usage: %s [FILE...]   (no FILE: read paths from stdin, one per line)\n", argv[0]);
        return 2;
    }
    if (argc > 1) {
        for (int i = 1; i < argc; i++) add_path(argv[i]);
    } else {
        char *line = NULL;
        size_t lcap = 0;
        ssize_t n;
        while ((n = getline(&line, &lcap, stdin)) >= 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
            if (n > 0) add_path(line);
        }
        free(line);
    }

    unsigned char *buf = NULL;
    size_t cap = 0;
    unsigned long long total_bytes = 0, total_events = 0;

    double start = now_seconds();
    double cpu_start = cpu_seconds();
    for (size_t i = 0; i < npaths; i++) {
        long len = read_file(paths[i], &buf, &cap);
        if (len < 0) {
            fprintf(stderr, "%s: %s\n", paths[i], strerror(errno));
            return 2;
        }
        total_bytes += (unsigned long long)len;

        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser)) {
            fprintf(stderr, "yaml-events: cannot initialise the parser\n");
            return 2;
        }
        yaml_parser_set_input_string(&parser, buf, (size_t)len);
        for (;;) {
            yaml_event_t event;
            if (!yaml_parser_parse(&parser, &event)) {
                fprintf(stderr, "%s:%lu:%lu: %s%s%s\n", paths[i],
                        (unsigned long)parser.problem_mark.line + 1,
                        (unsigned long)parser.problem_mark.column + 1,
                        parser.problem ? parser.problem : "parse error",
                        parser.context ? " " : "",
                        parser.context ? parser.context : "");
                yaml_parser_delete(&parser);
                return 1;
            }
            total_events++;
            int done = event.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&event);
            if (done) break;
        }
        yaml_parser_delete(&parser);
    }
    double elapsed = now_seconds() - start;
    double cpu = cpu_seconds() - cpu_start;

    printf("files=%zu bytes=%llu events=%llu seconds=%.6f cpu=%.6f\n",
           npaths, total_bytes, total_events, elapsed, cpu);
    free(buf);
    for (size_t i = 0; i < npaths; i++) free(paths[i]);
    free(paths);
    return 0;
}
