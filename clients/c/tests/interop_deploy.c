/*
 * Interop, deployment: the C client against our own `authrpc serve` processes
 * (AUTHRPC_BIN) that are killed, restarted and stopped under it. Every answer is
 * checked against the call it belongs to: the tokens are distinct and each one's
 * subject is learnt first, so an answer given to the wrong call, or twice, shows.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live_server.h"

enum { T = 32, ROUNDS = 30 };

static char *tokens[T], *subs[T];

static authrpc_err open_plain(uint16_t port, authrpc_conn **c)
{
    return authrpc_connect("127.0.0.1", port, 2000, c);
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

typedef struct {
    int ok, not_ready, transport, wrong, twice;
} tally;

/* One pipelined batch of every token; `between` runs after sending, before receiving. */
static int batch(authrpc_conn *c, tally *t, void (*between)(void *), void *arg)
{
    uint64_t ids[T];
    int seen[T] = { 0 };
    Authrpc__V1__VerifyTokenRequest body[T];
    authrpc_request req[T];
    for (int i = 0; i < T; i++) {
        Authrpc__V1__VerifyTokenRequest b = AUTHRPC__V1__VERIFY_TOKEN_REQUEST__INIT;
        authrpc_request q = AUTHRPC__V1__REQUEST__INIT;
        body[i] = b;
        body[i].token = tokens[i];
        req[i] = q;
        req[i].body_case = AUTHRPC_BODY_VERIFY_TOKEN;
        req[i].verify_token = &body[i];
        if (authrpc_send(c, &req[i], &ids[i]) != AUTHRPC_OK) {
            t->transport++;
            return 0;
        }
    }
    if (authrpc_flush(c) != AUTHRPC_OK) {
        t->transport++;
        return 0;
    }
    if (between) between(arg);
    int all_ok = 1;
    while (authrpc_in_flight(c) > 0) {
        authrpc_response *r = NULL;
        if (authrpc_receive(c, &r) != AUTHRPC_OK) {
            t->transport++;
            return 0;
        }
        int i = 0;
        while (i < T && ids[i] != r->id) i++;
        if (i == T) {
            t->wrong++;
        } else if (seen[i]++) {
            t->twice++;
        } else if (r->status == AUTHRPC_STATUS_OK) {
            if (r->body_case == AUTHRPC_BODY_VERIFY_TOKEN && r->verify_token->claims &&
                strcmp(r->verify_token->claims->sub, subs[i]) == 0)
                t->ok++;
            else
                t->wrong++;
        } else {
            t->not_ready++;
            all_ok = 0;
        }
        authrpc_response_free(r);
    }
    return all_ok;
}

static live_server server;

static void kill_and_restart(void *how)
{
    live_signal(&server, *(int *)how);
    live_start(&server, server.port, NULL);
}

/* A blocking VerifyToken of token i that must come back OK with its own subject,
 * riding out a server that is still loading its keys. */
static authrpc_err verify_own(authrpc_conn *c, int i, authrpc_response **r)
{
    authrpc_err err;
    for (int tries = 0;; tries++) {
        err = authrpc_verify_token(c, tokens[i], AUTHRPC_TOKEN_USE_ANY, NULL, 0, r);
        if (err != AUTHRPC_ERR_STATUS || (*r)->status != AUTHRPC_STATUS_UNAVAILABLE || tries > 50)
            break;
        authrpc_response_free(*r);
        *r = NULL;
        nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
    }
    if (err == AUTHRPC_OK && strcmp((*r)->verify_token->claims->sub, subs[i]) != 0)
        err = AUTHRPC_ERR_PROTOCOL;
    return err;
}

/* Each token's subject, from the live server; all distinct. */
static int learn_subjects(void)
{
    authrpc_conn *c = NULL;
    authrpc_response *r = NULL;
    authrpc_err err = authrpc_connect("127.0.0.1", server.port, 5000, &c);
    int distinct = err == AUTHRPC_OK;
    for (int i = 0; i < T && distinct; i++) {
        err = authrpc_verify_token(c, tokens[i], AUTHRPC_TOKEN_USE_ANY, NULL, 0, &r);
        distinct = err == AUTHRPC_OK && r->verify_token->claims;
        if (distinct) subs[i] = strdup(r->verify_token->claims->sub);
        for (int k = 0; k < i && distinct; k++) distinct = strcmp(subs[k], subs[i]) != 0;
        authrpc_response_free(r);
        r = NULL;
    }
    authrpc_close(c);
    return step("deploy: 32 minted tokens verify, distinct subjects", distinct, err, NULL);
}

static void restarts(void)
{
    authrpc_response *r = NULL;
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", (unsigned)server.port);
    const char *addrs[1] = { addr };
    authrpc_options o = { 0 };
    o.addresses = addrs;
    o.n_addresses = 1;
    o.timeout_ms = 8000;
    authrpc_conn *c = NULL;
    authrpc_err err = authrpc_open(&o, &c);
    if (!step("deploy: open own server", err == AUTHRPC_OK, err, NULL)) return;

    tally t = { 0 };
    int kill9 = SIGKILL, term = SIGTERM, last_ok = 1;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int round = 0; round < ROUNDS; round++) {
        /* Round 10: the server is frozen, gets the batch, and is killed with all of
         * it in flight; round 20: it is stopped gracefully (SIGTERM) with the batch
         * in flight. Restarted at once, on the same port, each time. */
        if (round == 10) live_signal(&server, SIGSTOP);
        void (*between)(void *) = round == 10 || round == 20 ? kill_and_restart : NULL;
        int ok = batch(c, &t, between, round == 10 ? (void *)&kill9 : (void *)&term);
        if (round >= ROUNDS - 5) last_ok &= ok;
    }
    printf("     (%d answers OK, %d not ready, %d batches cut by a drop, %lu connections, %.1fs)\n",
           t.ok, t.not_ready, t.transport, authrpc_connection_count(c), elapsed_ms(&t0) / 1000.0);
    step("deploy: server killed and restarted under pipelined calls: none answered twice or wrongly",
         t.wrong == 0 && t.twice == 0 && t.transport >= 1, AUTHRPC_OK, NULL);
    step("deploy: calls succeed again after each restart, on a new connection",
         last_ok && authrpc_connection_count(c) >= 3, AUTHRPC_OK, NULL);

    /* Killed between calls: the next blocking call waits for the new server within its deadline. */
    live_signal(&server, SIGKILL);
    live_start(&server, server.port, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err = verify_own(c, 3, &r);
    step("deploy: blocking call right after a kill reconnects with backoff and succeeds",
         err == AUTHRPC_OK, err, r);
    printf("     (%ld ms)\n", elapsed_ms(&t0));
    authrpc_response_free(r);
    r = NULL;

    /* A stopped server: the call times out on its deadline, the connection survives,
     * and the late answer does not reach the next call. */
    unsigned long before = authrpc_connection_count(c);
    live_signal(&server, SIGSTOP);
    authrpc_set_timeout(c, 300);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err = authrpc_verify_token(c, tokens[1], AUTHRPC_TOKEN_USE_ANY, NULL, 0, &r);
    long ms = elapsed_ms(&t0);
    live_signal(&server, SIGCONT);
    step("deploy: stopped server: call fails on its 300 ms deadline",
         err == AUTHRPC_ERR_TIMEOUT && ms >= 250 && ms < 2000, err, r);
    authrpc_response_free(r);
    r = NULL;
    authrpc_set_timeout(c, 5000);
    err = verify_own(c, 2, &r);
    step("deploy: next call gets its own answer on the same connection",
         err == AUTHRPC_OK && authrpc_connection_count(c) == before, err, r);
    authrpc_response_free(r);
    authrpc_close(c);
}

/* Two addresses, one of them down: every call succeeds. */
static void one_of_two_down(void)
{
    char live[32], dead[32];
    snprintf(live, sizeof live, "127.0.0.1:%u", (unsigned)server.port);
    snprintf(dead, sizeof dead, "127.0.0.1:%u", (unsigned)free_port());
    int ok = 1;
    authrpc_err err = AUTHRPC_OK;
    for (int n = 0; n < 6 && ok; n++) { /* both orders, random starting address */
        const char *addrs[2] = { n % 2 ? live : dead, n % 2 ? dead : live };
        authrpc_options o = { 0 };
        o.addresses = addrs;
        o.n_addresses = 2;
        o.timeout_ms = 3000;
        authrpc_conn *c = NULL;
        err = authrpc_open(&o, &c);
        for (int i = 0; err == AUTHRPC_OK && i < 5; i++) {
            authrpc_response *r = NULL;
            err = verify_own(c, i, &r);
            authrpc_response_free(r);
        }
        ok = err == AUTHRPC_OK;
        authrpc_close(c);
    }
    step("deploy: two addresses, one down: calls succeed", ok, err, NULL);
}

void interop_deploy(void)
{
    if (live_start(&server, 0, NULL) != 0) {
        skip("deploy: restart, deadline and address tests", "AUTHRPC_BIN is not set");
        return;
    }
    for (int i = 0; i < T; i++) {
        tokens[i] = live_token("valid.txt", i);
        if (!tokens[i]) {
            step("deploy: minted tokens", 0, AUTHRPC_OK, NULL);
            return;
        }
    }
    if (!step("deploy: own server (file:// JWKS) ready", live_wait(&server, open_plain, 30000) == 0,
              AUTHRPC_OK, NULL)) {
        live_dump_log(&server);
        live_signal(&server, SIGKILL);
        return;
    }
    if (learn_subjects()) {
        one_of_two_down();
        restarts();
    }
    live_signal(&server, SIGTERM);
    for (int i = 0; i < T; i++) {
        free(tokens[i]);
        free(subs[i]);
    }
}
