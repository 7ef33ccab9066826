/* VerifyToken load in C, so that a figure measures the server and not the load generator.
 *
 * The Swift load generator (`authrpc bench verify`) decodes every answer through protobuf-c
 * and runs NIO on its own core; past ~150 k answers/s on this machine it is the
 * bottleneck, and a repeated-token figure then says how fast the client is. This one
 * writes pre-encoded VerifyToken frames (SPEC §3: 4-byte big-endian length, then a
 * `Request` with `id` and `verify_token.token`) and reads answers by their length
 * prefix, looking only at `status` (field 2; absent means OK), with epoll on one thread.
 *
 *   frame-load throughput PORT TOKENS CONNECTIONS DEPTH SECONDS
 *       each connection keeps DEPTH requests in flight, cycling through the tokens
 *       (one per line) from its own offset; prints
 *       {"answered": N, "seconds": S, "throughput_rps": R, "not_ok": K}
 *   frame-load latency PORT TOKENS SECONDS
 *       one connection, one request at a time; prints
 *       {"answered": N, "latency_us": {"p50": A, "p99": B}, "not_ok": K}
 *
 * Request ids are the frame's position in the token list: answers on one connection come
 * back in order for these synchronous requests, and only the count and status matter. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { uint8_t *bytes; size_t length; } Frame;

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static size_t put_varint(uint8_t *out, uint64_t value) {
    size_t n = 0;
    while (value >= 0x80) { out[n++] = (uint8_t)(value | 0x80); value >>= 7; }
    out[n++] = (uint8_t)value;
    return n;
}

/* Request { id = 1; verify_token = 20 { token = 1 } }, framed. */
static Frame encode_frame(uint64_t id, const char *token, size_t token_length) {
    uint8_t inner_head[16], outer_head[32];
    size_t inner = 0, outer = 0;
    inner_head[inner++] = 0x0a; /* field 1, length-delimited */
    inner += put_varint(inner_head + inner, token_length);
    size_t body_length = inner + token_length;
    outer_head[outer++] = 0x08; /* field 1, varint */
    outer += put_varint(outer_head + outer, id);
    outer_head[outer++] = 0xa2; /* field 20, length-delimited: (20 << 3) | 2 = 162 */
    outer_head[outer++] = 0x01;
    outer += put_varint(outer_head + outer, body_length);
    size_t message = outer + body_length;
    Frame frame = { malloc(4 + message), 4 + message };
    if (!frame.bytes) { perror("malloc"); exit(1); }
    uint32_t prefix = htonl((uint32_t)message);
    memcpy(frame.bytes, &prefix, 4);
    memcpy(frame.bytes + 4, outer_head, outer);
    memcpy(frame.bytes + 4 + outer, inner_head, inner);
    memcpy(frame.bytes + 4 + outer + inner, token, token_length);
    return frame;
}

static Frame *read_tokens(const char *path, size_t *count) {
    FILE *file = fopen(path, "r");
    if (!file) { perror(path); exit(2); }
    size_t capacity = 1024, n = 0;
    Frame *frames = malloc(capacity * sizeof *frames);
    char *line = NULL;
    size_t line_capacity = 0;
    ssize_t length;
    while ((length = getline(&line, &line_capacity, file)) > 0) {
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) length--;
        if (length == 0) continue;
        if (n == capacity) frames = realloc(frames, (capacity *= 2) * sizeof *frames);
        frames[n] = encode_frame(n + 1, line, (size_t)length);
        n++;
    }
    free(line);
    fclose(file);
    if (n == 0) { fprintf(stderr, "frame-load: no tokens in %s\n", path); exit(2); }
    *count = n;
    return frames;
}

/* The status of one Response message: field 2's varint, 0 (OK) when absent. */
static uint64_t status_of(const uint8_t *message, size_t length) {
    size_t at = 0;
    while (at < length) {
        uint64_t key = 0;
        for (int shift = 0; at < length; shift += 7) {
            uint8_t b = message[at++];
            key |= (uint64_t)(b & 0x7f) << shift;
            if (!(b & 0x80)) break;
        }
        uint64_t value = 0;
        switch (key & 7) {
        case 0:
            for (int shift = 0; at < length; shift += 7) {
                uint8_t b = message[at++];
                value |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80)) break;
            }
            if ((key >> 3) == 2) return value;
            break;
        case 2:
            for (int shift = 0; at < length; shift += 7) {
                uint8_t b = message[at++];
                value |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80)) break;
            }
            at += value;
            break;
        case 1: at += 8; break;
        case 5: at += 4; break;
        default: return 0xffff; /* not a Response this loader understands */
        }
    }
    return 0;
}

typedef struct {
    int fd;
    size_t next_token;     /* next frame to send */
    int in_flight;
    uint8_t *out; size_t out_length, out_sent, out_capacity;
    uint8_t *in; size_t in_length, in_capacity;
} Connection;

static int connect_to(int port) {
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); exit(1); }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void queue_frame(Connection *c, const Frame *frame) {
    if (c->out_length + frame->length > c->out_capacity) {
        c->out_capacity = (c->out_length + frame->length) * 2;
        c->out = realloc(c->out, c->out_capacity);
    }
    memcpy(c->out + c->out_length, frame->bytes, frame->length);
    c->out_length += frame->length;
    c->in_flight++;
}

/* Writes what is queued; 0 when all is written, 1 when the socket is full, -1 on error. */
static int send_queued(Connection *c) {
    while (c->out_sent < c->out_length) {
        ssize_t n = write(c->fd, c->out + c->out_sent, c->out_length - c->out_sent);
        if (n < 0) return errno == EAGAIN ? 1 : -1;
        c->out_sent += (size_t)n;
    }
    c->out_sent = c->out_length = 0;
    return 0;
}

/* Reads what is there and counts whole answers; -1 when the server closed. */
static int take_answers(Connection *c, uint64_t *answered, uint64_t *not_ok) {
    for (;;) {
        if (c->in_capacity - c->in_length < 65536) {
            c->in_capacity = c->in_capacity * 2 + 65536;
            c->in = realloc(c->in, c->in_capacity);
        }
        ssize_t n = read(c->fd, c->in + c->in_length, c->in_capacity - c->in_length);
        if (n == 0) return -1;
        if (n < 0) { if (errno == EAGAIN) break; return -1; }
        c->in_length += (size_t)n;
        if ((size_t)n < c->in_capacity - c->in_length) break;
    }
    size_t at = 0;
    while (c->in_length - at >= 4) {
        uint32_t prefix;
        memcpy(&prefix, c->in + at, 4);
        size_t length = ntohl(prefix);
        if (c->in_length - at - 4 < length) break;
        if (status_of(c->in + at + 4, length) != 0) (*not_ok)++;
        (*answered)++;
        c->in_flight--;
        at += 4 + length;
    }
    memmove(c->in, c->in + at, c->in_length - at);
    c->in_length -= at;
    return 0;
}

static int throughput(int port, Frame *frames, size_t count, int connections, int depth, double duration) {
    int poller = epoll_create1(0);
    Connection *all = calloc((size_t)connections, sizeof *all);
    for (int i = 0; i < connections; i++) {
        all[i].fd = connect_to(port);
        fcntl(all[i].fd, F_SETFL, fcntl(all[i].fd, F_GETFL) | O_NONBLOCK);
        all[i].next_token = (count / (size_t)connections) * (size_t)i;
        struct epoll_event event = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = &all[i] };
        epoll_ctl(poller, EPOLL_CTL_ADD, all[i].fd, &event);
    }
    uint64_t answered = 0, not_ok = 0;
    for (int i = 0; i < connections; i++) {
        while (all[i].in_flight < depth) queue_frame(&all[i], &frames[all[i].next_token++ % count]);
        if (send_queued(&all[i]) < 0) { perror("write"); return 1; }
    }
    double start = seconds_now(), end = start + duration;
    struct epoll_event events[256];
    for (;;) {
        int ready = epoll_wait(poller, events, 256, 100);
        for (int e = 0; e < ready; e++) {
            Connection *c = events[e].data.ptr;
            if (take_answers(c, &answered, &not_ok) < 0) { fprintf(stderr, "frame-load: the server closed a connection\n"); return 1; }
            if (seconds_now() < end) {
                while (c->in_flight < depth) queue_frame(c, &frames[c->next_token++ % count]);
            }
            if (send_queued(c) < 0) { perror("write"); return 1; }
        }
        if (seconds_now() >= end) break;
    }
    double elapsed = seconds_now() - start;
    printf("{\"answered\": %llu, \"seconds\": %.3f, \"throughput_rps\": %.1f, \"not_ok\": %llu}\n",
           (unsigned long long)answered, elapsed, answered / elapsed, (unsigned long long)not_ok);
    return not_ok ? 1 : 0;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int latency(int port, Frame *frames, size_t count, double duration) {
    Connection c = { .fd = connect_to(port) };
    size_t capacity = 1 << 20, n = 0;
    double *samples = malloc(capacity * sizeof *samples);
    uint64_t answered = 0, not_ok = 0;
    double end = seconds_now() + duration;
    while (seconds_now() < end) {
        queue_frame(&c, &frames[c.next_token++ % count]);
        double sent = seconds_now();
        if (send_queued(&c) != 0) { perror("write"); return 1; }
        while (c.in_flight > 0) {
            if (take_answers(&c, &answered, &not_ok) < 0) { fprintf(stderr, "frame-load: the server closed the connection\n"); return 1; }
        }
        if (n == capacity) samples = realloc(samples, (capacity *= 2) * sizeof *samples);
        samples[n++] = (seconds_now() - sent) * 1e6;
    }
    qsort(samples, n, sizeof *samples, by_value);
    printf("{\"answered\": %llu, \"latency_us\": {\"p50\": %.1f, \"p99\": %.1f}, \"not_ok\": %llu}\n",
           (unsigned long long)answered, samples[n / 2], samples[n * 99 / 100], (unsigned long long)not_ok);
    return not_ok ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc >= 7 && strcmp(argv[1], "throughput") == 0) {
        size_t count;
        Frame *frames = read_tokens(argv[3], &count);
        return throughput(atoi(argv[2]), frames, count, atoi(argv[4]), atoi(argv[5]), atof(argv[6]));
    }
    if (argc >= 5 && strcmp(argv[1], "latency") == 0) {
        size_t count;
        Frame *frames = read_tokens(argv[3], &count);
        return latency(atoi(argv[2]), frames, count, atof(argv[4]));
    }
    fprintf(stderr, "usage: frame-load throughput PORT TOKENS CONNECTIONS DEPTH SECONDS\n"
                    "       frame-load latency PORT TOKENS SECONDS\n");
    return 2;
}
