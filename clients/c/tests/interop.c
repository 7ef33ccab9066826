/*
 * Interop: the C client against a real `authrpc serve` backed by moto. Run by
 * clients/run-interop-tests (from the repository root) with AUTHRPC_INTEROP_PORT,
 * COGNITO_ENDPOINT, COGNITO_USER_POOL_ID, AUTHRPC_DEV_USERNAME/PASSWORD set.
 * Prints PASS/FAIL per step and keeps going; exit 1 if any step failed.
 * Tokens and passwords are never printed.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authrpc.h"
#include "live_server.h"

static int failed;

/* Reports a step; `r` (may be NULL) adds the server's status and error_type. */
int step(const char *name, int ok, authrpc_err err, const authrpc_response *r)
{
    printf("%s c: %s", ok ? "PASS" : "FAIL", name);
    if (!ok) {
        printf(" (%s", authrpc_strerror(err));
        if (err != AUTHRPC_OK && err != AUTHRPC_ERR_STATUS) printf(": %s", authrpc_last_error());
        if (r) printf("; %s %s: %s", authrpc_status_name(r->status), r->error_type, r->message);
        printf(")");
        failed++;
    }
    printf("\n");
    fflush(stdout);
    return ok;
}

void skip(const char *name, const char *why)
{
    printf("SKIP c: %s (%s)\n", name, why);
    fflush(stdout);
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "interop: %s is not set\n", name);
        exit(2);
    }
    return v;
}

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (!d) exit(3);
    return strcpy(d, s);
}

/* 1 when `needle` appears in the file at `path` within about 3 s (the server writes its
 * log as it answers; the line may land a moment after the answer). */
static int file_contains(const char *path, const char *needle)
{
    for (int i = 0; i < 30; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            char line[8192];
            int found = 0;
            while (!found && fgets(line, sizeof line, f)) found = strstr(line, needle) != NULL;
            fclose(f);
            if (found) return 1;
        }
        nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
    }
    return 0;
}

/* SPEC §9: the connection's traceparent travels with the request, and its trace id is in
 * the server's access line (a refused token: logged under the default `failures` too). */
static void interop_traceparent(authrpc_conn *c)
{
    char trace_id[33], traceparent[64];
    snprintf(trace_id, sizeof trace_id, "c0ffee%010lx%016lx", (unsigned long)getpid() & 0xffffffffffUL,
             (unsigned long)time(NULL));
    snprintf(traceparent, sizeof traceparent, "00-%s-00f067aa0ba902b7-01", trace_id);
    authrpc_response *r = NULL;
    char too_long[AUTHRPC_MAX_TRACEPARENT + 2];
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    step("set_traceparent refuses one over AUTHRPC_MAX_TRACEPARENT",
         authrpc_set_traceparent(c, too_long) == AUTHRPC_ERR_INVALID, AUTHRPC_OK, NULL);
    authrpc_err err = authrpc_set_traceparent(c, traceparent);
    if (err == AUTHRPC_OK) err = authrpc_verify_token(c, "not-a-token", AUTHRPC_TOKEN_USE_ANY, NULL, 0, &r);
    step("verify_token with a traceparent -> MalformedToken", err == AUTHRPC_ERR_STATUS, err, r);
    authrpc_response_free(r);
    authrpc_set_traceparent(c, NULL);
    const char *log = getenv("AUTHRPC_INTEROP_SERVER_LOG");
    if (!log || !*log) {
        skip("traceparent's trace id in the server's access log", "AUTHRPC_INTEROP_SERVER_LOG not set");
        return;
    }
    step("traceparent's trace id in the server's access log", file_contains(log, trace_id), AUTHRPC_OK, NULL);
}

int main(void)
{
    long port = strtol(env("AUTHRPC_INTEROP_PORT"), NULL, 10);
    const char *demo = env("AUTHRPC_DEV_USERNAME");
    const char *demo_password = env("AUTHRPC_DEV_PASSWORD");
    authrpc_conn *c = NULL;
    authrpc_response *r = NULL;
    authrpc_err err = authrpc_connect("127.0.0.1", (uint16_t)port, 15000, &c);
    if (!step("connect", err == AUTHRPC_OK, err, NULL)) return 1;

    /* Health: wait until ready (SPEC §6: not ready until the JWKS is loaded). */
    for (int i = 0; i < 150; i++) {
        err = authrpc_health(c, &r);
        if (err != AUTHRPC_ERR_STATUS) break;
        authrpc_response_free(r);
        r = NULL;
        nanosleep(&(struct timespec){ 0, 200000000L }, NULL);
    }
    step("health OK with one pool with keys",
         err == AUTHRPC_OK && r->health->n_pools == 1 && r->health->pools[0]->keys >= 1, err, r);
    authrpc_response_free(r);

    /* register -> admin confirm -> authenticate -> verify */
    char username[64], command[1024];
    snprintf(username, sizeof username, "interop-c-%ld-%ld", (long)getpid(), (long)time(NULL));
    err = authrpc_register(c, username, "Interop-Passw0rd", "interop-c@example.com", NULL, 0, &r);
    step("register", err == AUTHRPC_OK && r->register_->user_sub[0] && !r->register_->user_confirmed, err, r);
    char *user_sub = dup_str(err == AUTHRPC_OK ? r->register_->user_sub : "");
    authrpc_response_free(r);

    snprintf(command, sizeof command,
             "python3 scripts/dev_cognito.py admin --endpoint '%s' --pool-id '%s' confirm-user '%s' >/dev/null",
             env("COGNITO_ENDPOINT"), env("COGNITO_USER_POOL_ID"), username);
    step("admin confirm-user", system(command) == 0, AUTHRPC_OK, NULL);

    err = authrpc_authenticate(c, username, "Interop-Passw0rd", &r);
    int have_tokens = err == AUTHRPC_OK && r->authenticate->tokens;
    step("authenticate new user", have_tokens, err, r);
    char *access = dup_str(have_tokens ? r->authenticate->tokens->access_token : "");
    authrpc_response_free(r);

    err = authrpc_verify_token(c, access, AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ACCESS, NULL, 0, &r);
    step("verify_token access: username and sub",
         err == AUTHRPC_OK && r->verify_token->claims && strcmp(r->verify_token->claims->username, username) == 0 &&
             strcmp(r->verify_token->claims->sub, user_sub) == 0,
         err, r);
    authrpc_response_free(r);

    err = authrpc_verify_token(c, access, AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ID, NULL, 0, &r);
    step("verify_token wrong use -> UNAUTHENTICATED WrongTokenUse",
         err == AUTHRPC_ERR_STATUS && r->status == AUTHRPC__V1__STATUS__UNAUTHENTICATED &&
             strcmp(r->error_type, "WrongTokenUse") == 0,
         err, r);
    authrpc_response_free(r);

    err = authrpc_verify_token(c, "not-a-token", AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ANY, NULL, 0, &r);
    step("verify_token garbage -> MalformedToken",
         err == AUTHRPC_ERR_STATUS && strcmp(r->error_type, "MalformedToken") == 0, err, r);
    authrpc_response_free(r);

    /* The demo user is in admins. */
    err = authrpc_authenticate(c, demo, demo_password, &r);
    have_tokens = err == AUTHRPC_OK && r->authenticate->tokens;
    step("authenticate demo", have_tokens, err, r);
    char *demo_id = dup_str(have_tokens ? r->authenticate->tokens->id_token : "");
    authrpc_response_free(r);

    const char *admins[] = { "admins" };
    authrpc_group_rules need_admin = { NULL, 0, admins, 1, NULL, 0 };
    err = authrpc_check_groups(c, demo_id, AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ID, &need_admin, &r);
    step("check_groups required admins",
         err == AUTHRPC_OK && r->check_groups->n_matched_groups == 1 &&
             strcmp(r->check_groups->matched_groups[0], "admins") == 0,
         err, r);
    authrpc_response_free(r);

    authrpc_group_rules no_admin = { NULL, 0, NULL, 0, admins, 1 };
    err = authrpc_check_groups(c, demo_id, AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ANY, &no_admin, &r);
    step("check_groups prohibited admins -> PERMISSION_DENIED GroupCheckFailed",
         err == AUTHRPC_ERR_STATUS && r->status == AUTHRPC__V1__STATUS__PERMISSION_DENIED &&
             strcmp(r->error_type, "GroupCheckFailed") == 0,
         err, r);
    authrpc_response_free(r);

    err = authrpc_check_groups(c, access, AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ANY, &need_admin, &r);
    step("check_groups new user not in admins -> PERMISSION_DENIED",
         err == AUTHRPC_ERR_STATUS && r->status == AUTHRPC__V1__STATUS__PERMISSION_DENIED, err, r);
    authrpc_response_free(r);

    /* Pipelined: 5000 verify_token in flight on one connection. */
    enum { N = 5000 };
    Authrpc__V1__VerifyTokenRequest body = AUTHRPC__V1__VERIFY_TOKEN_REQUEST__INIT;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    body.token = demo_id;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_VERIFY_TOKEN;
    req.verify_token = &body;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ok = 0, sent = 0;
    err = AUTHRPC_OK;
    while (err == AUTHRPC_OK && (sent < N || authrpc_in_flight(c) > 0)) {
        if (sent < N && authrpc_in_flight(c) < 512) {
            err = authrpc_send(c, &req, NULL);
            sent++;
            continue;
        }
        err = authrpc_receive(c, &r);
        if (err == AUTHRPC_OK) {
            ok += r->status == AUTHRPC__V1__STATUS__OK && r->body_case == AUTHRPC__V1__RESPONSE__BODY_VERIFY_TOKEN;
            authrpc_response_free(r);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    step("5000 pipelined verify_token all OK", err == AUTHRPC_OK && ok == N, err, NULL);
    printf("     (%d OK in %.2fs)\n", ok, secs);

    /* Two addresses, the first one down; errno kept when every address is down. */
    char live[32], dead[32];
    snprintf(live, sizeof live, "127.0.0.1:%ld", port);
    snprintf(dead, sizeof dead, "127.0.0.1:%u", (unsigned)free_port());
    const char *addrs[2] = { dead, live };
    authrpc_options o = { 0 };
    o.addresses = addrs;
    o.n_addresses = 2;
    o.timeout_ms = 5000;
    authrpc_conn *two = NULL;
    err = authrpc_open(&o, &two);
    if (err == AUTHRPC_OK) err = authrpc_verify_token(two, demo_id, AUTHRPC_TOKEN_USE_ID, NULL, 0, &r);
    step("two addresses, one down: verify_token OK", err == AUTHRPC_OK, err, r);
    authrpc_response_free(r);
    r = NULL;
    authrpc_close(two);
    o.addresses = (const char *[]){ dead };
    o.n_addresses = 1;
    err = authrpc_open(&o, &two);
    step("connection refused keeps errno in the message",
         err == AUTHRPC_ERR_IO && strstr(authrpc_last_error(), "Connection refused"), err, NULL);

    interop_traceparent(c);

    free(user_sub);
    free(access);
    free(demo_id);
    authrpc_close(c);

    interop_deploy();
    interop_tls();
    live_cleanup();
    printf("interop c: %d step(s) failed\n", failed);
    return failed ? 1 : 0;
}
