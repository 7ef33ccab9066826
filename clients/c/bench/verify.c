/*
 * VerifyToken throughput of the C client on one connection, closed loop:
 * `depth` calls in flight (pipelined), each answer replaced by the next request.
 * The same arguments and output as clients/node/bench/verify.js, for
 * scripts/bench-clients.
 *
 *   build/bench-verify --address HOST:PORT --tokens FILE [--depth 32] [--duration 10]
 *                      [--warmup 1] [--deadline-ms 5000] [--tls-ca FILE] [--tls-server-name NAME]
 *
 * Prints one JSON line: {"client":"c","connections":1,"depth":..,"requests":..,"errors":..,
 * "throughput_rps":..,"p50_ms":..,"p99_ms":..,"cpu_us_per_request":..} (this process's CPU
 * time over the counted window, divided by the calls answered). Tokens are used round robin.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "authrpc.h"

#define SLOTS 8192u /* send times by id % SLOTS; depth must stay below */

static const char *arg(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0) return argv[i + 1];
    return fallback;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *address = arg(argc, argv, "address", "127.0.0.1:7400");
    const char *tokens_file = arg(argc, argv, "tokens", NULL);
    long depth = strtol(arg(argc, argv, "depth", "32"), NULL, 10);
    double duration = strtod(arg(argc, argv, "duration", "10"), NULL);
    double warmup = strtod(arg(argc, argv, "warmup", "1"), NULL);
    long deadline_ms = strtol(arg(argc, argv, "deadline-ms", "5000"), NULL, 10);
    if (!tokens_file || depth < 1 || depth >= (long)SLOTS) {
        fprintf(stderr, "usage: %s --address HOST:PORT --tokens FILE [--depth 1..%u] ...\n", argv[0], SLOTS - 1);
        return 2;
    }

    /* Tokens, one per line. */
    FILE *f = fopen(tokens_file, "r");
    if (!f) {
        perror(tokens_file);
        return 2;
    }
    char **tokens = NULL, *line = NULL;
    size_t n_tokens = 0, cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0) continue;
        char **grown = realloc(tokens, (n_tokens + 1) * sizeof *tokens);
        if (!grown || !(grown[n_tokens] = strdup(line))) return 3;
        tokens = grown;
        n_tokens++;
    }
    free(line);
    fclose(f);
    if (n_tokens == 0) {
        fprintf(stderr, "%s: no tokens\n", tokens_file);
        return 2;
    }

    authrpc_tls_options tls = { arg(argc, argv, "tls-ca", NULL), arg(argc, argv, "tls-cert", NULL),
                                arg(argc, argv, "tls-key", NULL), arg(argc, argv, "tls-server-name", NULL), 0 };
    const char *addrs[1] = { address };
    authrpc_options o = { 0 };
    o.addresses = addrs;
    o.n_addresses = 1;
    o.tls = tls.ca_file ? &tls : NULL;
    o.timeout_ms = (int)deadline_ms;
    authrpc_conn *conn = NULL;
    if (authrpc_open(&o, &conn) != AUTHRPC_OK) {
        fprintf(stderr, "bench-verify: %s\n", authrpc_last_error());
        return 1;
    }

    static double sent_at[SLOTS];
    size_t n_samples = 0, samples_cap = 1u << 16;
    double *samples = malloc(samples_cap * sizeof *samples);
    if (!samples) return 3;
    long requests = 0, errors = 0;
    size_t next = 0;
    double start = now_s(), counted_from = start + warmup, end = counted_from + duration;
    double cpu0 = 0;
    int counting = 0;
    Authrpc__V1__VerifyTokenRequest body = AUTHRPC__V1__VERIFY_TOKEN_REQUEST__INIT;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC_BODY_VERIFY_TOKEN;
    req.verify_token = &body;
    req.deadline_ms = (uint32_t)deadline_ms;
    for (;;) {
        double t = now_s();
        if (!counting && t >= counted_from) {
            counting = 1;
            cpu0 = cpu_s();
            requests = errors = 0;
        }
        if (t >= end) break;
        while (authrpc_in_flight(conn) < (size_t)depth) {
            uint64_t id;
            body.token = tokens[next++ % n_tokens];
            if (authrpc_send(conn, &req, &id) != AUTHRPC_OK) {
                errors++;
                break;
            }
            sent_at[id % SLOTS] = now_s();
        }
        authrpc_response *r = NULL;
        if (authrpc_receive(conn, &r) != AUTHRPC_OK) {
            errors++;
            continue;
        }
        if (counting) {
            if (r->status == AUTHRPC_STATUS_OK) {
                requests++;
                if ((requests & 63) == 0 && n_samples < samples_cap)
                    samples[n_samples++] = (now_s() - sent_at[r->id % SLOTS]) * 1000.0;
            } else {
                errors++;
            }
        }
        authrpc_response_free(r);
    }
    double elapsed = now_s() - counted_from, cpu = cpu_s() - cpu0;
    qsort(samples, n_samples, sizeof *samples, by_value);
    double p50 = n_samples ? samples[(size_t)(0.5 * (double)n_samples)] : 0;
    double p99 = n_samples ? samples[(size_t)(0.99 * (double)n_samples)] : 0;
    printf("{\"client\":\"c\",\"connections\":1,\"depth\":%ld,\"requests\":%ld,\"errors\":%ld,"
           "\"throughput_rps\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"cpu_us_per_request\":%.2f}\n",
           depth, requests, errors, (double)requests / elapsed, p50, p99,
           requests ? cpu * 1e6 / (double)requests : 0.0);
    free(samples);
    for (size_t i = 0; i < n_tokens; i++) free(tokens[i]);
    free(tokens);
    authrpc_close(conn);
    return 0;
}
