/* The floor under any depth-1 latency figure: a 64-byte TCP ping-pong over loopback
 * between two processes, pinned like authrpc's server and load (scripts/bench-verify).
 *   loopback-rtt server PORT      echo until the peer closes
 *   loopback-rtt client PORT N    N round trips; prints "p50 US p99 US" */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double micros(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int read_full(int fd, char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: loopback-rtt server|client PORT [N]\n"); return 2; }
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    char buf[64] = {0};
    if (strcmp(argv[1], "server") == 0) {
        int listener = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1) != 0) { perror("bind"); return 1; }
        int peer = accept(listener, NULL, NULL);
        setsockopt(peer, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        while (read_full(peer, buf, sizeof buf) == 0) {
            if (write(peer, buf, sizeof buf) != (ssize_t)sizeof buf) break;
        }
        close(peer);
        close(listener);
        return 0;
    }
    int n = argc > 3 ? atoi(argv[3]) : 20000;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    for (int tries = 0; connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0; tries++) {
        if (tries > 100) { perror("connect"); return 1; }
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    double *samples = malloc(sizeof(double) * (size_t)n);
    if (!samples) return 1;
    for (int i = 0; i < n; i++) {
        double start = micros();
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || read_full(fd, buf, sizeof buf) != 0) return 1;
        samples[i] = micros() - start;
    }
    qsort(samples, (size_t)n, sizeof(double), by_value);
    printf("p50 %.1f p99 %.1f\n", samples[n / 2], samples[n * 99 / 100]);
    free(samples);
    close(fd);
    return 0;
}
