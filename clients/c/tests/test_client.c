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
#ifdef __linux__
#include <sys/prctl.h>
#endif
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

/* Answers one request, then closes: a server restarting between calls. */
static void script_answer_once(int fd)
{
    Request *q = srv_read(fd);
    if (!q) return;
    Authrpc__V1__HealthResponse health = AUTHRPC__V1__HEALTH_RESPONSE__INIT;
    Response r = AUTHRPC__V1__RESPONSE__INIT;
    r.id = q->id;
    health.version = (char *)"once";
    r.body_case = AUTHRPC__V1__RESPONSE__BODY_HEALTH;
    r.health = &health;
    srv_write(fd, &r);
    authrpc__v1__request__free_unpacked(q, NULL);
}

/* The first call times out (its answer comes after 300 ms); the second call,
 * sent meanwhile, must get its own answer, not the late one. The first request
 * must carry deadline_ms from the call's 100 ms timeout. */
static void script_late(int fd)
{
    Request *q1 = srv_read(fd);
    if (!q1) return;
    sleep_ms(300);
    Request *q2 = srv_read(fd);
    if (!q2) _exit(5);
    int ok = q1->deadline_ms > 0 && q1->deadline_ms <= 100;
    srv_error(fd, q1->id, ok ? AUTHRPC__V1__STATUS__OK : AUTHRPC__V1__STATUS__INTERNAL, "first", 0);
    srv_error(fd, q2->id, AUTHRPC__V1__STATUS__OK, "second", 0);
    authrpc__v1__request__free_unpacked(q1, NULL);
    authrpc__v1__request__free_unpacked(q2, NULL);
    script_answer(fd);
}

/* First connection: reads 10 requests, answers the first 5, closes. Later ones: script_answer. */
static void script_half_then_answer(int fd)
{
    static int connection;
    if (connection++ > 0) {
        script_answer(fd);
        return;
    }
    Request *reqs[10];
    for (int i = 0; i < 10; i++)
        if (!(reqs[i] = srv_read(fd))) _exit(4);
    for (int i = 0; i < 10; i++) {
        if (i < 5) srv_error(fd, reqs[i]->id, AUTHRPC__V1__STATUS__OK, "half", 0);
        authrpc__v1__request__free_unpacked(reqs[i], NULL);
    }
}

/* Answers with an id that was never sent. */
static void script_wrong_id(int fd)
{
    Request *q = srv_read(fd);
    if (!q) return;
    srv_error(fd, q->id + 1000, AUTHRPC__V1__STATUS__OK, "", 0);
    authrpc__v1__request__free_unpacked(q, NULL);
    sleep_ms(100);
}

/* A listening socket on 127.0.0.1:<free port>. */
static int listen_local(uint16_t *port)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(lfd >= 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(*port);
    REQUIRE(bind(lfd, (struct sockaddr *)&addr, sizeof addr) == 0);
    REQUIRE(listen(lfd, 8) == 0);
    socklen_t alen = sizeof addr;
    REQUIRE(getsockname(lfd, (struct sockaddr *)&addr, &alen) == 0);
    *port = ntohs(addr.sin_port);
    return lfd;
}

/* A port nobody listens on: bind one, learn its number, close it. */
static uint16_t dead_port(void)
{
    uint16_t port = 0;
    close(listen_local(&port));
    return port;
}

/* Forks a fake server that accepts `conns` connections one after the other and
 * plays `script` on each; the listening socket is closed in the parent. */
static pid_t serve(int lfd, void (*script)(int), int conns)
{
    fflush(NULL);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        die_with_parent();
        signal(SIGPIPE, SIG_IGN);
        for (int i = 0; i < conns; i++) {
            int fd = accept(lfd, NULL, NULL);
            if (fd < 0) break;
            if (i == conns - 1) close(lfd); /* later connects are refused */
            script(fd);
            close(fd);
        }
        _exit(0);
    }
    close(lfd);
    return child;
}

/* Forks a fake server playing `script`; returns a client connected to it. */
static authrpc_conn *start(void (*script)(int), pid_t *child, int timeout_ms)
{
    uint16_t port = 0;
    int lfd = listen_local(&port);
    *child = serve(lfd, script, 1);
    authrpc_conn *c = NULL;
    REQUIRE(authrpc_connect("127.0.0.1", port, timeout_ms, &c) == AUTHRPC_OK);
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
    CHECK(strstr(authrpc_last_error(), "frame") != NULL);
    /* The connection was dropped; the next call connects again, and nobody listens now. */
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_IO && r == NULL);
    CHECK(strstr(authrpc_last_error(), "Connection refused") != NULL);
    CHECK(authrpc_last_errno() == ECONNREFUSED);
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
    CHECK(strstr(authrpc_last_error(), "deadline") != NULL);
    /* The connection stays up; the stalled server times out the next call too. */
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_TIMEOUT && r == NULL);
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
    CHECK(strstr(authrpc_last_error(), "closed the connection (1 request(s) in flight failed)") != NULL);
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

static void test_per_call_deadline(void)
{
    pid_t child;
    authrpc_conn *c = start(script_late, &child, 5000);
    Authrpc__V1__HealthRequest body = AUTHRPC__V1__HEALTH_REQUEST__INIT;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC_BODY_HEALTH;
    req.health = &body;
    authrpc_response *r = NULL;
    CHECK(authrpc_call_timeout(c, &req, 100, &r) == AUTHRPC_ERR_TIMEOUT && r == NULL);
    CHECK(authrpc_in_flight(c) == 0);
    CHECK(authrpc_call(c, &req, &r) == AUTHRPC_OK);
    CHECK(r && strcmp(r->error_type, "second") == 0); /* not the late "first" */
    authrpc_response_free(r);
    CHECK(authrpc_health(c, &r) == AUTHRPC_OK && r && strcmp(r->health->version, "test-1") == 0);
    authrpc_response_free(r);
    CHECK(authrpc_connection_count(c) == 1);
    stop(c, child);
}

static void test_reconnect_after_drop(void)
{
    /* Dropped while idle (answered, then the server closed): the next call reconnects. */
    uint16_t port = 0;
    pid_t child = serve(listen_local(&port), script_answer_once, 3);
    authrpc_conn *c = NULL;
    REQUIRE(authrpc_connect("127.0.0.1", port, 2000, &c) == AUTHRPC_OK);
    authrpc_response *r = NULL;
    for (int i = 0; i < 3; i++) {
        CHECK(authrpc_health(c, &r) == AUTHRPC_OK && r && strcmp(r->health->version, "once") == 0);
        authrpc_response_free(r);
        sleep_ms(20); /* let the close arrive */
    }
    CHECK(authrpc_connection_count(c) == 3);
    stop(c, child);

    /* Dropped under a call: that call fails with a transport error, the next one reconnects. */
    port = 0;
    child = serve(listen_local(&port), script_half_then_answer, 2);
    REQUIRE(authrpc_connect("127.0.0.1", port, 2000, &c) == AUTHRPC_OK);
    Authrpc__V1__HealthRequest body = AUTHRPC__V1__HEALTH_REQUEST__INIT;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC_BODY_HEALTH;
    req.health = &body;
    uint64_t ids[10];
    for (int i = 0; i < 10; i++) CHECK(authrpc_send(c, &req, &ids[i]) == AUTHRPC_OK);
    for (int i = 0; i < 5; i++) {
        CHECK(authrpc_receive(c, &r) == AUTHRPC_OK && r && r->id == ids[i]);
        authrpc_response_free(r);
    }
    CHECK(authrpc_receive(c, &r) == AUTHRPC_ERR_IO && r == NULL);
    CHECK(strstr(authrpc_last_error(), "(5 request(s) in flight failed)") != NULL);
    CHECK(authrpc_in_flight(c) == 0);
    /* Next send reconnects; new ids, each answered once, by its own answer. */
    uint64_t more[3];
    for (int i = 0; i < 3; i++) CHECK(authrpc_send(c, &req, &more[i]) == AUTHRPC_OK && more[i] > ids[9]);
    for (int i = 0; i < 3; i++) {
        CHECK(authrpc_receive(c, &r) == AUTHRPC_OK && r && r->id == more[i]);
        authrpc_response_free(r);
    }
    CHECK(authrpc_connection_count(c) == 2);
    stop(c, child);
}

/* The server is down when the call starts and back 300 ms later: the call
 * reconnects with backoff inside its deadline and succeeds. */
static void test_reconnect_waits_within_deadline(void)
{
    uint16_t port = 0;
    pid_t child = serve(listen_local(&port), script_answer_once, 1);
    authrpc_conn *c = NULL;
    REQUIRE(authrpc_connect("127.0.0.1", port, 3000, &c) == AUTHRPC_OK);
    authrpc_response *r = NULL;
    CHECK(authrpc_health(c, &r) == AUTHRPC_OK);
    authrpc_response_free(r);
    int st;
    waitpid(child, &st, 0); /* the old server is gone */

    fflush(NULL);
    pid_t later = fork();
    REQUIRE(later >= 0);
    if (later == 0) {
        die_with_parent();
        sleep_ms(300);
        uint16_t same = port;
        int lfd = listen_local(&same);
        int fd = accept(lfd, NULL, NULL);
        close(lfd);
        if (fd >= 0) script_answer(fd);
        _exit(0);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(authrpc_health(c, &r) == AUTHRPC_OK && r && strcmp(r->health->version, "test-1") == 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 250 && ms < 2500);
    authrpc_response_free(r);
    CHECK(authrpc_connection_count(c) == 2);
    stop(c, later);
}

static void test_addresses(void)
{
    char dead[32], live[32];
    authrpc_response *r = NULL;
    for (int order = 0; order < 2; order++) {
        uint16_t port = 0;
        pid_t child = serve(listen_local(&port), script_answer, 1);
        snprintf(dead, sizeof dead, "127.0.0.1:%u", (unsigned)dead_port());
        snprintf(live, sizeof live, "127.0.0.1:%u", (unsigned)port);
        const char *addrs[2] = { order ? live : dead, order ? dead : live };
        authrpc_options o = { 0 };
        o.addresses = addrs;
        o.n_addresses = 2;
        o.timeout_ms = 2000;
        authrpc_conn *c = NULL;
        CHECK(authrpc_open(&o, &c) == AUTHRPC_OK);
        for (int i = 0; c && i < 10; i++) {
            CHECK(authrpc_health(c, &r) == AUTHRPC_OK);
            authrpc_response_free(r);
        }
        CHECK(c && strcmp(authrpc_current_address(c), live) == 0);
        stop(c, child);
    }

    /* A replica that goes away after one answer: the calls move to the other. */
    uint16_t pa = 0, pb = 0;
    pid_t a = serve(listen_local(&pa), script_answer_once, 1);
    pid_t b = serve(listen_local(&pb), script_answer, 1);
    char la[32], lb[32];
    snprintf(la, sizeof la, "127.0.0.1:%u", (unsigned)pa);
    snprintf(lb, sizeof lb, "127.0.0.1:%u", (unsigned)pb);
    const char *both[2] = { la, lb };
    authrpc_options o = { 0 };
    o.addresses = both;
    o.n_addresses = 2;
    o.timeout_ms = 2000;
    authrpc_conn *c = NULL;
    CHECK(authrpc_open(&o, &c) == AUTHRPC_OK);
    for (int i = 0; c && i < 5; i++) {
        CHECK(authrpc_health(c, &r) == AUTHRPC_OK);
        authrpc_response_free(r);
        sleep_ms(20);
    }
    CHECK(c && strcmp(authrpc_current_address(c), lb) == 0);
    authrpc_close(c);
    kill(a, SIGTERM);
    waitpid(a, NULL, 0);
    kill(b, SIGTERM);
    waitpid(b, NULL, 0);

    /* All down: the error names every address and keeps errno. */
    char d1[32], d2[32];
    snprintf(d1, sizeof d1, "127.0.0.1:%u", (unsigned)dead_port());
    snprintf(d2, sizeof d2, "[::1]:%u", (unsigned)dead_port());
    const char *downs[2] = { d1, d2 };
    o.addresses = downs;
    c = (authrpc_conn *)&o;
    CHECK(authrpc_open(&o, &c) == AUTHRPC_ERR_IO && c == NULL);
    CHECK(strstr(authrpc_last_error(), d1) && strstr(authrpc_last_error(), d2));
    CHECK(strstr(authrpc_last_error(), "Connection refused") || strstr(authrpc_last_error(), "Cannot assign"));

    /* Bad addresses are refused before anything is tried. */
    const char *bad[] = { "no-port", "[::1]7400", "h:0", "h:70000", "::1:7400", ":7400" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.addresses = &bad[i];
        o.n_addresses = 1;
        CHECK(authrpc_open(&o, &c) == AUTHRPC_ERR_INVALID && c == NULL);
        CHECK(strstr(authrpc_last_error(), bad[i]) != NULL);
    }
    o.n_addresses = 0;
    CHECK(authrpc_open(&o, &c) == AUTHRPC_ERR_INVALID);
}

static void test_unknown_id_is_refused(void)
{
    pid_t child;
    authrpc_conn *c = start(script_wrong_id, &child, 2000);
    authrpc_response *r = NULL;
    CHECK(authrpc_health(c, &r) == AUTHRPC_ERR_PROTOCOL && r == NULL);
    CHECK(strstr(authrpc_last_error(), "not in flight") != NULL);
    stop(c, child);
}

/* The names without protobuf-c's prefixes are the same values as the old ones. */
static void test_short_names(void)
{
    CHECK(AUTHRPC_STATUS_UNAUTHENTICATED == AUTHRPC__V1__STATUS__UNAUTHENTICATED);
    CHECK(AUTHRPC_STATUS_INTERNAL == AUTHRPC__V1__STATUS__INTERNAL);
    CHECK(AUTHRPC_TOKEN_USE_ACCESS == AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ACCESS);
    CHECK(AUTHRPC_BODY_CHECK_GROUPS == AUTHRPC__V1__RESPONSE__BODY_CHECK_GROUPS);
    authrpc_status st = AUTHRPC_STATUS_PERMISSION_DENIED;
    CHECK(strcmp(authrpc_status_name(st), "PERMISSION_DENIED") == 0);
    CHECK(strcmp(authrpc_strerror(AUTHRPC_ERR_TLS), "TLS handshake or certificate verification failed") == 0);
}

static void test_connect_errors(void)
{
    uint16_t port = dead_port();
    int fd = 0;
    authrpc_conn *c = (authrpc_conn *)&fd;
    CHECK(authrpc_connect("127.0.0.1", port, 500, &c) == AUTHRPC_ERR_IO && c == NULL);
    /* errno survives into the message (it used to be "I/O error or connection closed"). */
    char want[64];
    snprintf(want, sizeof want, "connect 127.0.0.1:%u: Connection refused", (unsigned)port);
    CHECK(strcmp(authrpc_last_error(), want) == 0);
    CHECK(authrpc_last_errno() == ECONNREFUSED);
    CHECK(authrpc_connect("no-such-host.invalid", 7400, 500, &c) == AUTHRPC_ERR_RESOLVE);
    CHECK(strstr(authrpc_last_error(), "resolve no-such-host.invalid:7400") != NULL);
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
    test_per_call_deadline();
    test_reconnect_after_drop();
    test_reconnect_waits_within_deadline();
    test_addresses();
    test_unknown_id_is_refused();
    test_short_names();
    printf("test_client: %d failure(s)\n", test_failures);
    return test_failures ? 1 : 0;
}
