/*
 * Client behaviour against scripted fake servers: each test forks a child that
 * accepts one connection on 127.0.0.1:<free port> and plays a script (answer,
 * reorder, stall, close, send garbage, announce a huge frame, ...).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "authrpc.h"
#include "test_util.h"

typedef Authrpc__V1__Request Request;
typedef Authrpc__V1__Response Response;

/* ---- fake server side (runs in the child) --------------------------------------- */

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

static int read_all(int fd, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

static int write_all(int fd, const unsigned char *buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        ssize_t r = send(fd, buf + put, n - put, MSG_NOSIGNAL);
        if (r <= 0) return -1;
        put += (size_t)r;
    }
    return 0;
}

/* Next request from the client, or NULL at EOF. Free with ..._free_unpacked. */
static Request *srv_read(int fd)
{
    unsigned char hdr[4];
    if (read_all(fd, hdr, 4) < 0) return NULL;
    uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf || read_all(fd, buf, n) < 0) {
        free(buf);
        return NULL;
    }
    Request *r = authrpc__v1__request__unpack(NULL, n, buf);
    free(buf);
    return r;
}

/* Packs a response into a malloc'd frame. */
static unsigned char *frame_of(const Response *resp, size_t *len)
{
    size_t n = authrpc__v1__response__get_packed_size(resp);
    unsigned char *buf = malloc(4 + n);
    if (!buf) _exit(3);
    buf[0] = (unsigned char)(n >> 24);
    buf[1] = (unsigned char)(n >> 16);
    buf[2] = (unsigned char)(n >> 8);
    buf[3] = (unsigned char)n;
    authrpc__v1__response__pack(resp, buf + 4);
    *len = 4 + n;
    return buf;
}

static void srv_write(int fd, const Response *resp)
{
    size_t len;
    unsigned char *buf = frame_of(resp, &len);
    write_all(fd, buf, len);
    free(buf);
}

static void srv_error(int fd, uint64_t id, Authrpc__V1__Status status, const char *type,
                      uint32_t retry)
{
    Response r = AUTHRPC__V1__RESPONSE__INIT;
    r.id = id;
    r.status = status;
    r.error_type = (char *)type;
    r.message = (char *)"scripted error";
    r.retry_after_ms = retry;
    srv_write(fd, &r);
}

/* A small fake authrpc: answers each request according to its body. */
static void script_answer(int fd)
{
    Request *q;
    while ((q = srv_read(fd)) != NULL) {
        Response r = AUTHRPC__V1__RESPONSE__INIT;
        Authrpc__V1__HealthResponse health = AUTHRPC__V1__HEALTH_RESPONSE__INIT;
        Authrpc__V1__VerifyTokenResponse verify = AUTHRPC__V1__VERIFY_TOKEN_RESPONSE__INIT;
        Authrpc__V1__CheckGroupsResponse groups = AUTHRPC__V1__CHECK_GROUPS_RESPONSE__INIT;
        Authrpc__V1__Claims claims = AUTHRPC__V1__CLAIMS__INIT;
        Authrpc__V1__RegisterResponse reg = AUTHRPC__V1__REGISTER_RESPONSE__INIT;
        Authrpc__V1__AuthenticateResponse auth = AUTHRPC__V1__AUTHENTICATE_RESPONSE__INIT;
        Authrpc__V1__Tokens tokens = AUTHRPC__V1__TOKENS__INIT;
        char *admins[] = { (char *)"admins" };
        r.id = q->id;
        claims.sub = (char *)"user-1";
        claims.n_groups = 1;
        claims.groups = admins;
        tokens.access_token = (char *)"access";
        tokens.expires_in = 3600;
        switch (q->body_case) {
        case AUTHRPC__V1__REQUEST__BODY_HEALTH:
            health.version = (char *)"test-1";
            r.body_case = AUTHRPC__V1__RESPONSE__BODY_HEALTH;
            r.health = &health;
            break;
        case AUTHRPC__V1__REQUEST__BODY_VERIFY_TOKEN:
            if (strcmp(q->verify_token->token, "good") != 0) {
                r.status = AUTHRPC__V1__STATUS__UNAUTHENTICATED;
                r.error_type = (char *)"TokenExpired";
                break;
            }
            if (q->verify_token->n_required_scopes != 2 || q->deadline_ms != 750 ||
                q->verify_token->token_use != AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ACCESS) {
                r.status = AUTHRPC__V1__STATUS__INVALID_ARGUMENT;
                break;
            }
            claims.token_use = q->verify_token->token_use;
            verify.claims = &claims;
            r.body_case = AUTHRPC__V1__RESPONSE__BODY_VERIFY_TOKEN;
            r.verify_token = &verify;
            break;
        case AUTHRPC__V1__REQUEST__BODY_CHECK_GROUPS: {
            Authrpc__V1__CheckGroupsRequest *g = q->check_groups;
            if (g->n_allowed_groups != 2 || g->n_required_groups != 0 ||
                g->n_prohibited_groups != 1 || strcmp(g->prohibited_groups[0], "suspended") != 0) {
                r.status = AUTHRPC__V1__STATUS__INVALID_ARGUMENT;
                break;
            }
            groups.claims = &claims;
            groups.n_matched_groups = 1;
            groups.matched_groups = admins;
            r.body_case = AUTHRPC__V1__RESPONSE__BODY_CHECK_GROUPS;
            r.check_groups = &groups;
            break;
        }
        case AUTHRPC__V1__REQUEST__BODY_REGISTER: {
            Authrpc__V1__RegisterRequest *g = q->register_;
            if (g->n_attributes != 2 || strcmp(g->attributes[1]->key, "name") != 0 ||
                strcmp(g->attributes[1]->value, "Zo\xc3\xab") != 0 || strcmp(g->email, "a@b.c") != 0) {
                r.status = AUTHRPC__V1__STATUS__INVALID_ARGUMENT;
                break;
            }
            reg.user_sub = (char *)"sub-1";
            r.body_case = AUTHRPC__V1__RESPONSE__BODY_REGISTER;
            r.register_ = &reg;
            break;
        }
        case AUTHRPC__V1__REQUEST__BODY_AUTHENTICATE:
            if (strcmp(q->authenticate->password, "right") != 0) {
                r.status = AUTHRPC__V1__STATUS__UNAUTHENTICATED;
                r.error_type = (char *)"NotAuthorizedException";
                r.message = (char *)"Incorrect username or password.";
                break;
            }
            auth.tokens = &tokens;
            r.body_case = AUTHRPC__V1__RESPONSE__BODY_AUTHENTICATE;
            r.authenticate = &auth;
            break;
        case AUTHRPC__V1__REQUEST__BODY_RESPOND_TO_CHALLENGE:
            if (q->respond_to_challenge->n_responses != 1 ||
                strcmp(q->respond_to_challenge->responses[0]->key, "NEW_PASSWORD") != 0) {
                r.status = AUTHRPC__V1__STATUS__INVALID_ARGUMENT;
                break;
            }
            auth.tokens = &tokens;
            r.body_case = AUTHRPC__V1__RESPONSE__BODY_RESPOND_TO_CHALLENGE;
            r.respond_to_challenge = &auth;
            break;
        case AUTHRPC__V1__REQUEST__BODY_FORGOT_PASSWORD:
            r.status = AUTHRPC__V1__STATUS__RESOURCE_EXHAUSTED;
            r.error_type = (char *)"LimitExceededException";
            r.retry_after_ms = 1500;
            break;
        default:
            r.status = AUTHRPC__V1__STATUS__UNIMPLEMENTED;
            r.error_type = (char *)"NotImplemented";
            break;
        }
        srv_write(fd, &r);
        authrpc__v1__request__free_unpacked(q, NULL);
    }
}

#define PIPE_N 200

/* Reads PIPE_N requests, answers them in reverse; message = the token sent. */
static void script_reverse(int fd)
{
    Request *reqs[PIPE_N];
    for (int i = 0; i < PIPE_N; i++)
        if (!(reqs[i] = srv_read(fd))) _exit(4);
    for (int i = PIPE_N - 1; i >= 0; i--) {
        Response r = AUTHRPC__V1__RESPONSE__INIT;
        r.id = reqs[i]->id;
        r.message = reqs[i]->verify_token->token;
        if (i % 7 == 0) r.status = AUTHRPC__V1__STATUS__UNAUTHENTICATED;
        srv_write(fd, &r);
        authrpc__v1__request__free_unpacked(reqs[i], NULL);
    }
}

/* Answers each request at once with a 1 KiB body, never waiting for the client:
 * with big requests too, both directions fill up unless the client reads while
 * it writes. */
static void script_bulk_echo(int fd)
{
    static char version[1024];
    memset(version, 'v', sizeof version - 1);
    Request *q;
    while ((q = srv_read(fd)) != NULL) {
        Authrpc__V1__HealthResponse health = AUTHRPC__V1__HEALTH_RESPONSE__INIT;
        Response r = AUTHRPC__V1__RESPONSE__INIT;
        r.id = q->id;
        health.version = version;
        r.body_case = AUTHRPC__V1__RESPONSE__BODY_HEALTH;
        r.health = &health;
        srv_write(fd, &r);
        authrpc__v1__request__free_unpacked(q, NULL);
    }
}

static void script_huge_frame(int fd)
{
    Request *q = srv_read(fd);
    unsigned char hdr[4] = { 0x7f, 0xff, 0xff, 0xf0 };
    write_all(fd, hdr, 4);
    if (q) authrpc__v1__request__free_unpacked(q, NULL);
    sleep_ms(200);
}

static void script_stall(int fd)
{
    Request *q = srv_read(fd);
    if (q) authrpc__v1__request__free_unpacked(q, NULL);
    sleep_ms(1000);
}

/* Answers after 300 ms: a receive with a 100 ms timeout must be retryable. */
static void script_slow(int fd)
{
    Request *q = srv_read(fd);
    if (!q) return;
    sleep_ms(300);
    srv_error(fd, q->id, AUTHRPC__V1__STATUS__OK, "", 0);
    authrpc__v1__request__free_unpacked(q, NULL);
    sleep_ms(100);
}

static void script_close(int fd)
{
    Request *q = srv_read(fd);
    if (q) authrpc__v1__request__free_unpacked(q, NULL);
}

/* Health answer written one byte at a time. */
static void script_trickle(int fd)
{
    Request *q = srv_read(fd);
    if (!q) return;
    Authrpc__V1__HealthResponse health = AUTHRPC__V1__HEALTH_RESPONSE__INIT;
    Response r = AUTHRPC__V1__RESPONSE__INIT;
    r.id = q->id;
    health.version = (char *)"trickled";
    r.body_case = AUTHRPC__V1__RESPONSE__BODY_HEALTH;
    r.health = &health;
    size_t len;
    unsigned char *buf = frame_of(&r, &len);
    for (size_t i = 0; i < len; i++) {
        write_all(fd, buf + i, 1);
        sleep_ms(2);
    }
    free(buf);
    authrpc__v1__request__free_unpacked(q, NULL);
    sleep_ms(50);
}

static void script_garbage(int fd)
{
    Request *q = srv_read(fd);
    unsigned char bad[] = { 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff };
    write_all(fd, bad, sizeof bad);
    if (q) authrpc__v1__request__free_unpacked(q, NULL);
    sleep_ms(100);
}

static void script_id0(int fd)
{
    Request *q = srv_read(fd);
    srv_error(fd, 0, AUTHRPC__V1__STATUS__INVALID_ARGUMENT, "MalformedRequest", 0);
    if (q) authrpc__v1__request__free_unpacked(q, NULL);
    sleep_ms(100);
}

/* Answers Health with a VerifyToken body. */
static void script_wrong_body(int fd)
{
    Request *q = srv_read(fd);
    if (!q) return;
    Authrpc__V1__VerifyTokenResponse v = AUTHRPC__V1__VERIFY_TOKEN_RESPONSE__INIT;
    Response r = AUTHRPC__V1__RESPONSE__INIT;
    r.id = q->id;
    r.body_case = AUTHRPC__V1__RESPONSE__BODY_VERIFY_TOKEN;
    r.verify_token = &v;
    srv_write(fd, &r);
    authrpc__v1__request__free_unpacked(q, NULL);
    sleep_ms(100);
}

/* Forks a fake server playing `script`; returns a client connected to it. */
static authrpc_conn *start(void (*script)(int), pid_t *child, int timeout_ms)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(lfd >= 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(lfd, (struct sockaddr *)&addr, sizeof addr) == 0);
    REQUIRE(listen(lfd, 1) == 0);
    socklen_t alen = sizeof addr;
    REQUIRE(getsockname(lfd, (struct sockaddr *)&addr, &alen) == 0);
    fflush(NULL);
    *child = fork();
    REQUIRE(*child >= 0);
    if (*child == 0) {
        signal(SIGPIPE, SIG_IGN);
        int fd = accept(lfd, NULL, NULL);
        close(lfd);
        if (fd >= 0) {
            script(fd);
            close(fd);
        }
        _exit(0);
    }
    close(lfd);
    authrpc_conn *c = NULL;
    REQUIRE(authrpc_connect("127.0.0.1", ntohs(addr.sin_port), timeout_ms, &c) == AUTHRPC_OK);
    return c;
}

static void stop(authrpc_conn *c, pid_t child)
{
    authrpc_close(c);
    int st;
    kill(child, SIGTERM);
    waitpid(child, &st, 0);
}

/* ---- tests -------------------------------------------------------------------- */

static void test_typed_calls(void)
{
    pid_t child;
    authrpc_conn *c = start(script_answer, &child, 2000);
    authrpc_response *r = NULL;

    CHECK(authrpc_health(c, &r) == AUTHRPC_OK);
    CHECK(r && r->health && strcmp(r->health->version, "test-1") == 0);
    authrpc_response_free(r);

    const char *scopes[] = { "openid", "profile" };
    authrpc_set_deadline(c, 750);
    CHECK(authrpc_verify_token(c, "good", AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ACCESS, scopes, 2, &r) == AUTHRPC_OK);
    CHECK(r && r->verify_token->claims && strcmp(r->verify_token->claims->sub, "user-1") == 0);
    CHECK(r && r->verify_token->claims->n_groups == 1);
    authrpc_response_free(r);
    authrpc_set_deadline(c, 0);

    CHECK(authrpc_verify_token(c, "bad", AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ANY, NULL, 0, &r) == AUTHRPC_ERR_STATUS);
    CHECK(r && r->status == AUTHRPC__V1__STATUS__UNAUTHENTICATED && strcmp(r->error_type, "TokenExpired") == 0);
    CHECK(r && strcmp(authrpc_status_name(r->status), "UNAUTHENTICATED") == 0);
    authrpc_response_free(r);

    const char *allowed[] = { "admins", "staff" }, *prohibited[] = { "suspended" };
    authrpc_group_rules rules = { allowed, 2, NULL, 0, prohibited, 1 };
    CHECK(authrpc_check_groups(c, "good", AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ID, &rules, &r) == AUTHRPC_OK);
    CHECK(r && r->check_groups->n_matched_groups == 1 && strcmp(r->check_groups->matched_groups[0], "admins") == 0);
    authrpc_response_free(r);

    authrpc_kv attrs[] = { { "custom:team", "payments" }, { "name", "Zo\xc3\xab" } };
    CHECK(authrpc_register(c, "alice", "Passw0rd!", "a@b.c", attrs, 2, &r) == AUTHRPC_OK);
    CHECK(r && strcmp(r->register_->user_sub, "sub-1") == 0);
    authrpc_response_free(r);

    CHECK(authrpc_authenticate(c, "alice", "right", &r) == AUTHRPC_OK);
    CHECK(r && r->authenticate->tokens && r->authenticate->tokens->expires_in == 3600);
    authrpc_response_free(r);
    CHECK(authrpc_authenticate(c, "alice", "wrong", &r) == AUTHRPC_ERR_STATUS);
    CHECK(r && strcmp(r->error_type, "NotAuthorizedException") == 0 && strcmp(r->message, "Incorrect username or password.") == 0);
    authrpc_response_free(r);

    authrpc_kv answers[] = { { "NEW_PASSWORD", "N3w-Passw0rd" } };
    CHECK(authrpc_respond_to_challenge(c, "alice", "NEW_PASSWORD_REQUIRED", "sess", answers, 1, &r) == AUTHRPC_OK);
    CHECK(r && r->respond_to_challenge->tokens != NULL);
    authrpc_response_free(r);

    CHECK(authrpc_forgot_password(c, "alice", &r) == AUTHRPC_ERR_STATUS);
    CHECK(r && r->status == AUTHRPC__V1__STATUS__RESOURCE_EXHAUSTED && r->retry_after_ms == 1500);
    authrpc_response_free(r);

    /* The rest reach the server and come back UNIMPLEMENTED from this script. */
    CHECK(authrpc_confirm_registration(c, "alice", "123456", &r) == AUTHRPC_ERR_STATUS);
    authrpc_response_free(r);
    CHECK(authrpc_resend_confirmation_code(c, "alice", &r) == AUTHRPC_ERR_STATUS);
    authrpc_response_free(r);
    CHECK(authrpc_refresh_tokens(c, "refresh", NULL, &r) == AUTHRPC_ERR_STATUS);
    authrpc_response_free(r);
    CHECK(authrpc_sign_out(c, "access", &r) == AUTHRPC_ERR_STATUS);
    authrpc_response_free(r);
    CHECK(authrpc_confirm_forgot_password(c, "alice", "1", "N3w-Passw0rd", &r) == AUTHRPC_ERR_STATUS);
    CHECK(r && r->status == AUTHRPC__V1__STATUS__UNIMPLEMENTED);
    authrpc_response_free(r);

    /* Bad arguments fail before anything is sent. */
    CHECK(authrpc_verify_token(c, NULL, 0, NULL, 0, &r) == AUTHRPC_ERR_INVALID && r == NULL);
    CHECK(authrpc_register(c, "a", "b", "c", NULL, 1, &r) == AUTHRPC_ERR_INVALID && r == NULL);
    CHECK(authrpc_health(c, &r) == AUTHRPC_OK);
    authrpc_response_free(r);
    stop(c, child);
}

static void test_pipeline_out_of_order(void)
{
    pid_t child;
    authrpc_conn *c = start(script_reverse, &child, 5000);
    uint64_t ids[PIPE_N];
    char tokens[PIPE_N][16];
    for (int i = 0; i < PIPE_N; i++) {
        Authrpc__V1__VerifyTokenRequest body = AUTHRPC__V1__VERIFY_TOKEN_REQUEST__INIT;
        authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
        snprintf(tokens[i], sizeof tokens[i], "t%d", i);
        body.token = tokens[i];
        req.body_case = AUTHRPC__V1__REQUEST__BODY_VERIFY_TOKEN;
        req.verify_token = &body;
        CHECK(authrpc_send(c, &req, &ids[i]) == AUTHRPC_OK);
    }
    CHECK(authrpc_in_flight(c) == PIPE_N);
    authrpc_response *r = NULL;
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_BUSY && r == NULL);
    int seen = 0;
    for (int k = 0; k < PIPE_N; k++) {
        CHECK(authrpc_receive(c, &r) == AUTHRPC_OK);
        if (!r) break;
        int i = PIPE_N - 1 - k; /* reverse order */
        CHECK(r->id == ids[i] && strcmp(r->message, tokens[i]) == 0);
        CHECK((r->status == AUTHRPC__V1__STATUS__UNAUTHENTICATED) == (i % 7 == 0));
        seen++;
        authrpc_response_free(r);
    }
    CHECK(seen == PIPE_N && authrpc_in_flight(c) == 0);
    stop(c, child);
}

static void test_pipeline_no_deadlock(void)
{
    enum { N = 6000 };
    pid_t child;
    authrpc_conn *c = start(script_bulk_echo, &child, 20000);
    static char token[2048];
    memset(token, 't', sizeof token - 1);
    for (int i = 0; i < N; i++) {
        Authrpc__V1__VerifyTokenRequest body = AUTHRPC__V1__VERIFY_TOKEN_REQUEST__INIT;
        authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
        body.token = token;
        req.body_case = AUTHRPC__V1__REQUEST__BODY_VERIFY_TOKEN;
        req.verify_token = &body;
        authrpc_err err = authrpc_send(c, &req, NULL);
        if (err != AUTHRPC_OK) {
            fprintf(stderr, "send %d: %s\n", i, authrpc_strerror(err));
            test_failures++;
            break;
        }
    }
    int got = 0;
    authrpc_response *r;
    while (authrpc_in_flight(c) > 0 && authrpc_receive(c, &r) == AUTHRPC_OK) {
        got += r->body_case == AUTHRPC__V1__RESPONSE__BODY_HEALTH;
        authrpc_response_free(r);
    }
    CHECK(got == N);
    stop(c, child);
}

static void test_huge_frame_rejected(void)
{
    pid_t child;
    authrpc_conn *c = start(script_huge_frame, &child, 2000);
    authrpc_response *r = NULL;
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_FRAME_TOO_LARGE && r == NULL);
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_CLOSED);
    stop(c, child);

    c = start(script_answer, &child, 2000);
    authrpc_set_max_frame(c, 8);
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_FRAME_TOO_LARGE && r == NULL);
    stop(c, child);
}

static void test_timeouts(void)
{
    pid_t child;
    authrpc_conn *c = start(script_stall, &child, 100);
    authrpc_response *r = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_TIMEOUT && r == NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 90 && ms < 900);
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_CLOSED); /* a blocking call's timeout breaks it */
    stop(c, child);

    /* A pipelined receive that times out can be retried. */
    c = start(script_slow, &child, 100);
    Authrpc__V1__HealthRequest body = AUTHRPC__V1__HEALTH_REQUEST__INIT;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_HEALTH;
    req.health = &body;
    uint64_t id = 0;
    CHECK(authrpc_send(c, &req, &id) == AUTHRPC_OK && id != 0);
    CHECK(authrpc_receive(c, &r) == AUTHRPC_ERR_TIMEOUT && r == NULL);
    authrpc_set_timeout(c, 3000);
    CHECK(authrpc_receive(c, &r) == AUTHRPC_OK && r && r->id == id);
    authrpc_response_free(r);
    stop(c, child);
}

static void test_broken_servers(void)
{
    pid_t child;
    authrpc_response *r = NULL;
    authrpc_conn *c = start(script_close, &child, 2000);
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_IO && r == NULL);
    stop(c, child);

    c = start(script_trickle, &child, 5000);
    CHECK(authrpc_health(c, &r) == AUTHRPC_OK);
    CHECK(r && strcmp(r->health->version, "trickled") == 0);
    authrpc_response_free(r);
    stop(c, child);

    c = start(script_garbage, &child, 2000);
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_PROTOCOL && r == NULL);
    stop(c, child);

    c = start(script_id0, &child, 2000);
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_STATUS);
    CHECK(r && r->id == 0 && strcmp(r->error_type, "MalformedRequest") == 0);
    authrpc_response_free(r);
    stop(c, child);

    c = start(script_wrong_body, &child, 2000);
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_PROTOCOL && r == NULL);
    stop(c, child);
}

static void test_connect_errors(void)
{
    /* A port nobody listens on: bind one, learn its number, close it. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    REQUIRE(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    REQUIRE(getsockname(fd, (struct sockaddr *)&addr, &alen) == 0);
    close(fd);
    authrpc_conn *c = (authrpc_conn *)&fd;
    CHECK(authrpc_connect("127.0.0.1", ntohs(addr.sin_port), 500, &c) == AUTHRPC_ERR_IO && c == NULL);
    CHECK(authrpc_connect(NULL, 1, 500, &c) == AUTHRPC_ERR_INVALID);
    CHECK(strcmp(authrpc_strerror(AUTHRPC_ERR_TIMEOUT), "timed out") == 0);
    CHECK(strcmp(authrpc_status_name((Authrpc__V1__Status)99), "UNKNOWN") == 0);
    authrpc_close(NULL);
    authrpc_response_free(NULL);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    test_typed_calls();
    test_pipeline_out_of_order();
    test_pipeline_no_deadlock();
    test_huge_frame_rejected();
    test_timeouts();
    test_broken_servers();
    test_connect_errors();
    printf("test_client: %d failure(s)\n", test_failures);
    return test_failures ? 1 : 0;
}
