/*
 * authrpc C client (see authrpc.h). Framing per SPEC §3: a 4-byte big-endian
 * length, then one serialized Request / Response. The socket is non-blocking;
 * every wait is a poll() bounded by the call's deadline.
 */
#define _POSIX_C_SOURCE 200809L

#include "authrpc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define HEADER_BYTES 4u
#define FLUSH_AT (64u * 1024u)            /* queued bytes that trigger a write */
#define READ_CHUNK (64u * 1024u)          /* free space wanted before a recv */
#define DRAIN_LIMIT (16u * 1024u * 1024u) /* answers buffered while blocked writing */
#define MAX_REQUEST_BYTES (64u * 1024u * 1024u)

struct authrpc_conn {
    int fd;
    int timeout_ms;
    uint32_t deadline_ms;
    uint32_t max_frame;
    int broken;
    uint64_t next_id;
    size_t in_flight;
    unsigned char *rbuf; /* received bytes [rpos, rlen) not yet parsed */
    size_t rpos, rlen, rcap;
    unsigned char *wbuf; /* queued bytes [wpos, wlen) not yet written */
    size_t wpos, wlen, wcap;
};

/* ---- errors ---------------------------------------------------------------- */

const char *authrpc_strerror(authrpc_err err)
{
    switch (err) {
    case AUTHRPC_OK: return "success";
    case AUTHRPC_ERR_IO: return "I/O error or connection closed by the server";
    case AUTHRPC_ERR_TIMEOUT: return "timed out";
    case AUTHRPC_ERR_PROTOCOL: return "protocol error (bad frame or unexpected response)";
    case AUTHRPC_ERR_STATUS: return "the server answered with a non-OK status";
    case AUTHRPC_ERR_NOMEM: return "out of memory";
    case AUTHRPC_ERR_INVALID: return "invalid argument";
    case AUTHRPC_ERR_RESOLVE: return "host name did not resolve";
    case AUTHRPC_ERR_FRAME_TOO_LARGE: return "response frame larger than the limit";
    case AUTHRPC_ERR_BUSY: return "pipelined requests are in flight on this connection";
    case AUTHRPC_ERR_CLOSED: return "connection broken by an earlier error";
    }
    return "unknown error";
}

const char *authrpc_status_name(Authrpc__V1__Status status)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&authrpc__v1__status__descriptor, (int)status);
    return v ? v->name : "UNKNOWN";
}

/* ---- time ------------------------------------------------------------------ */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Absolute deadline for a timeout; -1 = none. */
static int64_t deadline_after(int timeout_ms)
{
    return timeout_ms > 0 ? now_ms() + timeout_ms : -1;
}

/* poll() on fd; returns revents, 0 on timeout, -1 on error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int wait = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0) return 0;
            wait = left > INT_MAX ? INT_MAX : (int)left;
        }
        struct pollfd p = { fd, events, 0 };
        int n = poll(&p, 1, wait);
        if (n > 0) return p.revents;
        if (n == 0) return 0;
        if (errno != EINTR) return -1;
    }
}

/* ---- connect ----------------------------------------------------------------- */

static authrpc_err connect_one(const struct addrinfo *ai, int64_t deadline, int *fd_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) return AUTHRPC_ERR_IO;
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        close(fd);
        return AUTHRPC_ERR_IO;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            close(fd);
            return AUTHRPC_ERR_IO;
        }
        int ev = wait_fd(fd, POLLOUT, deadline);
        if (ev <= 0) {
            close(fd);
            return ev == 0 ? AUTHRPC_ERR_TIMEOUT : AUTHRPC_ERR_IO;
        }
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr != 0) {
            close(fd);
            return AUTHRPC_ERR_IO;
        }
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return AUTHRPC_OK;
}

authrpc_err authrpc_connect(const char *host, uint16_t port, int timeout_ms,
                            authrpc_conn **out)
{
    if (!out) return AUTHRPC_ERR_INVALID;
    *out = NULL;
    if (!host || port == 0) return AUTHRPC_ERR_INVALID;

    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, service, &hints, &list) != 0 || !list) return AUTHRPC_ERR_RESOLVE;

    int64_t deadline = deadline_after(timeout_ms);
    int fd = -1;
    authrpc_err err = AUTHRPC_ERR_IO;
    for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        err = connect_one(ai, deadline, &fd);
        if (err == AUTHRPC_OK || err == AUTHRPC_ERR_TIMEOUT) break;
    }
    freeaddrinfo(list);
    if (err != AUTHRPC_OK) return err;

    authrpc_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return AUTHRPC_ERR_NOMEM;
    }
    c->fd = fd;
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
    c->max_frame = AUTHRPC_DEFAULT_MAX_FRAME_BYTES;
    c->next_id = 1;
    *out = c;
    return AUTHRPC_OK;
}

void authrpc_close(authrpc_conn *conn)
{
    if (!conn) return;
    if (conn->fd >= 0) close(conn->fd);
    free(conn->rbuf);
    free(conn->wbuf);
    free(conn);
}

void authrpc_set_timeout(authrpc_conn *conn, int timeout_ms)
{
    if (conn) conn->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
}

void authrpc_set_deadline(authrpc_conn *conn, uint32_t deadline_ms)
{
    if (conn) conn->deadline_ms = deadline_ms;
}

void authrpc_set_max_frame(authrpc_conn *conn, uint32_t max_frame_bytes)
{
    if (conn) conn->max_frame = max_frame_bytes;
}

size_t authrpc_in_flight(const authrpc_conn *conn)
{
    return conn ? conn->in_flight : 0;
}

void authrpc_response_free(authrpc_response *resp)
{
    if (resp) authrpc__v1__response__free_unpacked(resp, NULL);
}

/* ---- buffers ----------------------------------------------------------------- */

/* Grows *buf to hold at least `need` bytes. */
static authrpc_err reserve(unsigned char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return AUTHRPC_OK;
    size_t n = *cap ? *cap : 4096;
    while (n < need) n = n > SIZE_MAX / 2 ? need : n * 2;
    unsigned char *p = realloc(*buf, n);
    if (!p) return AUTHRPC_ERR_NOMEM;
    *buf = p;
    *cap = n;
    return AUTHRPC_OK;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/*
 * One recv() into the read buffer, keeping at most `limit` bytes buffered.
 * Returns 1 if bytes arrived, 0 if none were ready (or no room), or an error.
 */
static int read_some(authrpc_conn *c, size_t limit)
{
    if (c->rpos > 0 && c->rcap - c->rlen < READ_CHUNK) {
        memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
        c->rlen -= c->rpos;
        c->rpos = 0;
    }
    if (c->rcap - c->rlen < READ_CHUNK && c->rlen < limit) {
        size_t want = c->rlen + READ_CHUNK;
        if (reserve(&c->rbuf, &c->rcap, want < limit ? want : limit) != AUTHRPC_OK)
            return AUTHRPC_ERR_NOMEM;
    }
    size_t room = c->rcap - c->rlen;
    if (room == 0) return 0;
    for (;;) {
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, room, 0);
        if (n > 0) {
            c->rlen += (size_t)n;
            return 1;
        }
        if (n == 0) return AUTHRPC_ERR_IO; /* the server closed the connection */
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return AUTHRPC_ERR_IO;
    }
}

/*
 * Takes one complete frame off the read buffer. Returns 1 with *out set, 0 if
 * more bytes are needed, or an error. The length is judged before any buffer
 * grows for it (SPEC §3).
 */
static int take_frame(authrpc_conn *c, authrpc_response **out)
{
    size_t avail = c->rlen - c->rpos;
    if (avail < HEADER_BYTES) return 0;
    uint32_t n = get_be32(c->rbuf + c->rpos);
    if (n > c->max_frame) return AUTHRPC_ERR_FRAME_TOO_LARGE;
    if (avail - HEADER_BYTES < n) {
        /* Make room for the whole frame at the front of the buffer. */
        if (c->rpos > 0) {
            memmove(c->rbuf, c->rbuf + c->rpos, avail);
            c->rlen = avail;
            c->rpos = 0;
        }
        if (reserve(&c->rbuf, &c->rcap, HEADER_BYTES + (size_t)n) != AUTHRPC_OK)
            return AUTHRPC_ERR_NOMEM;
        return 0;
    }
    authrpc_response *r =
        authrpc__v1__response__unpack(NULL, n, c->rbuf + c->rpos + HEADER_BYTES);
    if (!r) return AUTHRPC_ERR_PROTOCOL;
    c->rpos += HEADER_BYTES + n;
    if (c->rpos == c->rlen) c->rpos = c->rlen = 0;
    *out = r;
    return 1;
}

/* ---- sending ----------------------------------------------------------------- */

static authrpc_err fail(authrpc_conn *c, authrpc_err err)
{
    if (err == AUTHRPC_ERR_IO || err == AUTHRPC_ERR_PROTOCOL ||
        err == AUTHRPC_ERR_FRAME_TOO_LARGE)
        c->broken = 1;
    return err;
}

/* Writes the queued bytes. While the socket is full it keeps reading answers
 * into memory (up to DRAIN_LIMIT), so a server that stops reading until we read
 * cannot deadlock us. A timeout leaves the rest queued. */
static authrpc_err flush_until(authrpc_conn *c, int64_t deadline)
{
    while (c->wpos < c->wlen) {
        ssize_t n = send(c->fd, c->wbuf + c->wpos, c->wlen - c->wpos, MSG_NOSIGNAL);
        if (n > 0) {
            c->wpos += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return fail(c, AUTHRPC_ERR_IO);
        size_t limit = DRAIN_LIMIT + HEADER_BYTES + c->max_frame;
        short events = POLLOUT | (c->rlen < limit ? POLLIN : 0);
        int ev = wait_fd(c->fd, events, deadline);
        if (ev == 0) return AUTHRPC_ERR_TIMEOUT;
        if (ev < 0) return fail(c, AUTHRPC_ERR_IO);
        if (ev & (POLLIN | POLLHUP | POLLERR)) {
            int r = read_some(c, limit);
            if (r < 0) return fail(c, (authrpc_err)r);
        }
    }
    c->wpos = c->wlen = 0;
    return AUTHRPC_OK;
}

/* Queues one frame: the 4-byte length, then the packed request with `id`. */
static authrpc_err queue_request(authrpc_conn *c, const authrpc_request *request,
                                 uint64_t id, uint32_t deadline_ms)
{
    if (!protobuf_c_message_check(&request->base)) return AUTHRPC_ERR_INVALID;
    authrpc_request copy = *request;
    copy.id = id;
    if (copy.deadline_ms == 0) copy.deadline_ms = deadline_ms;
    size_t size = authrpc__v1__request__get_packed_size(&copy);
    if (size > MAX_REQUEST_BYTES) return AUTHRPC_ERR_INVALID;
    if (reserve(&c->wbuf, &c->wcap, c->wlen + HEADER_BYTES + size) != AUTHRPC_OK)
        return AUTHRPC_ERR_NOMEM;
    put_be32(c->wbuf + c->wlen, (uint32_t)size);
    authrpc__v1__request__pack(&copy, c->wbuf + c->wlen + HEADER_BYTES);
    c->wlen += HEADER_BYTES + size;
    return AUTHRPC_OK;
}

static uint64_t take_id(authrpc_conn *c)
{
    uint64_t id = c->next_id++;
    if (c->next_id == 0) c->next_id = 1; /* 0 is reserved for connection errors */
    return id;
}

/* Reads until one response is decoded or the deadline passes. */
static authrpc_err receive_until(authrpc_conn *c, int64_t deadline, authrpc_response **out)
{
    for (;;) {
        int r = take_frame(c, out);
        if (r == 1) break;
        if (r < 0) return fail(c, (authrpc_err)r);
        int got = read_some(c, SIZE_MAX);
        if (got < 0) return fail(c, (authrpc_err)got);
        if (got == 0) {
            int ev = wait_fd(c->fd, POLLIN, deadline);
            if (ev == 0) return AUTHRPC_ERR_TIMEOUT;
            if (ev < 0) return fail(c, AUTHRPC_ERR_IO);
        }
    }
    if ((*out)->id != 0 && c->in_flight > 0) c->in_flight--;
    return AUTHRPC_OK;
}

/* ---- pipelining -------------------------------------------------------------- */

authrpc_err authrpc_send(authrpc_conn *conn, const authrpc_request *request, uint64_t *id)
{
    if (!conn || !request) return AUTHRPC_ERR_INVALID;
    if (conn->broken) return AUTHRPC_ERR_CLOSED;
    uint64_t assigned = take_id(conn);
    authrpc_err err = queue_request(conn, request, assigned, 0);
    if (err != AUTHRPC_OK) return err;
    conn->in_flight++;
    if (id) *id = assigned;
    if (conn->wlen - conn->wpos >= FLUSH_AT)
        return flush_until(conn, deadline_after(conn->timeout_ms));
    return AUTHRPC_OK;
}

authrpc_err authrpc_flush(authrpc_conn *conn)
{
    if (!conn) return AUTHRPC_ERR_INVALID;
    if (conn->broken) return AUTHRPC_ERR_CLOSED;
    return flush_until(conn, deadline_after(conn->timeout_ms));
}

authrpc_err authrpc_receive(authrpc_conn *conn, authrpc_response **resp)
{
    if (!resp) return AUTHRPC_ERR_INVALID;
    *resp = NULL;
    if (!conn) return AUTHRPC_ERR_INVALID;
    if (conn->broken) return AUTHRPC_ERR_CLOSED;
    int64_t deadline = deadline_after(conn->timeout_ms);
    authrpc_err err = flush_until(conn, deadline);
    if (err != AUTHRPC_OK) return err;
    return receive_until(conn, deadline, resp);
}

/* ---- blocking calls ---------------------------------------------------------- */

/*
 * Sends one request and waits for its answer. expected: the body an OK answer
 * must carry (NOT_SET: any). A timeout breaks the connection, since the late
 * answer would otherwise be taken for the next call's.
 */
static authrpc_err call(authrpc_conn *c, const authrpc_request *request,
                        Authrpc__V1__Response__BodyCase expected, authrpc_response **out)
{
    if (!out) return AUTHRPC_ERR_INVALID;
    *out = NULL;
    if (!c || !request) return AUTHRPC_ERR_INVALID;
    if (c->broken) return AUTHRPC_ERR_CLOSED;
    if (c->in_flight > 0 || c->wlen > c->wpos) return AUTHRPC_ERR_BUSY;

    int64_t deadline = deadline_after(c->timeout_ms);
    uint64_t id = take_id(c);
    authrpc_err err = queue_request(c, request, id, c->deadline_ms);
    if (err != AUTHRPC_OK) return err;
    c->in_flight++;
    authrpc_response *r = NULL;
    err = flush_until(c, deadline);
    if (err == AUTHRPC_OK) err = receive_until(c, deadline, &r);
    if (err != AUTHRPC_OK) {
        c->broken = 1;
        return err;
    }
    if (r->id != id && r->id != 0) {
        authrpc_response_free(r);
        return fail(c, AUTHRPC_ERR_PROTOCOL);
    }
    if (r->id == 0) {
        c->in_flight = 0; /* a connection-level error answered instead */
        if (strcmp(r->error_type, "FrameTooLarge") == 0) c->broken = 1; /* the server closes */
    }
    if (r->status != AUTHRPC__V1__STATUS__OK) {
        *out = r;
        return AUTHRPC_ERR_STATUS;
    }
    if (expected != AUTHRPC__V1__RESPONSE__BODY__NOT_SET && r->body_case != expected) {
        authrpc_response_free(r);
        return AUTHRPC_ERR_PROTOCOL;
    }
    *out = r;
    return AUTHRPC_OK;
}

authrpc_err authrpc_call(authrpc_conn *conn, const authrpc_request *request,
                         authrpc_response **resp)
{
    return call(conn, request, AUTHRPC__V1__RESPONSE__BODY__NOT_SET, resp);
}

/* protobuf-c wants char *; the library never writes through these. */
static char *str(const char *s)
{
    return (char *)(s ? s : "");
}

/*
 * Map fields are repeated key/value entry messages. Both of our maps have
 * string keys and values, so one macro builds either kind on the heap; the
 * caller frees *ENTRIES and *PTRS (two plain free()s).
 */
#define BUILD_MAP(TYPE, INIT, KV, N, ENTRIES, PTRS)                        \
    do {                                                                   \
        (ENTRIES) = NULL;                                                  \
        (PTRS) = NULL;                                                     \
        if ((N) > 0) {                                                     \
            if (!(KV)) return AUTHRPC_ERR_INVALID;                         \
            (ENTRIES) = calloc((N), sizeof(TYPE));                         \
            (PTRS) = calloc((N), sizeof(TYPE *));                          \
            if (!(ENTRIES) || !(PTRS)) {                                   \
                free(ENTRIES);                                             \
                free(PTRS);                                                \
                return AUTHRPC_ERR_NOMEM;                                  \
            }                                                              \
            for (size_t i_ = 0; i_ < (N); i_++) {                          \
                TYPE init_ = INIT;                                         \
                init_.key = str((KV)[i_].key);                             \
                init_.value = str((KV)[i_].value);                         \
                (ENTRIES)[i_] = init_;                                     \
                (PTRS)[i_] = &(ENTRIES)[i_];                               \
            }                                                              \
        }                                                                  \
    } while (0)

authrpc_err authrpc_health(authrpc_conn *conn, authrpc_response **resp)
{
    Authrpc__V1__HealthRequest body = AUTHRPC__V1__HEALTH_REQUEST__INIT;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_HEALTH;
    req.health = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_HEALTH, resp);
}

authrpc_err authrpc_register(authrpc_conn *conn, const char *username,
                             const char *password, const char *email,
                             const authrpc_kv *attributes, size_t n_attributes,
                             authrpc_response **resp)
{
    if (resp) *resp = NULL;
    Authrpc__V1__RegisterRequest__AttributesEntry *entries, **ptrs;
    BUILD_MAP(Authrpc__V1__RegisterRequest__AttributesEntry,
              AUTHRPC__V1__REGISTER_REQUEST__ATTRIBUTES_ENTRY__INIT, attributes, n_attributes,
              entries, ptrs);
    Authrpc__V1__RegisterRequest body = AUTHRPC__V1__REGISTER_REQUEST__INIT;
    body.username = str(username);
    body.password = str(password);
    body.email = str(email);
    body.n_attributes = n_attributes;
    body.attributes = ptrs;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_REGISTER;
    req.register_ = &body;
    authrpc_err err = call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_REGISTER, resp);
    free(entries);
    free(ptrs);
    return err;
}

authrpc_err authrpc_confirm_registration(authrpc_conn *conn, const char *username,
                                         const char *code, authrpc_response **resp)
{
    Authrpc__V1__ConfirmRegistrationRequest body =
        AUTHRPC__V1__CONFIRM_REGISTRATION_REQUEST__INIT;
    body.username = str(username);
    body.code = str(code);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_CONFIRM_REGISTRATION;
    req.confirm_registration = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_CONFIRM_REGISTRATION, resp);
}

authrpc_err authrpc_resend_confirmation_code(authrpc_conn *conn, const char *username,
                                             authrpc_response **resp)
{
    Authrpc__V1__ResendConfirmationCodeRequest body =
        AUTHRPC__V1__RESEND_CONFIRMATION_CODE_REQUEST__INIT;
    body.username = str(username);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_RESEND_CONFIRMATION_CODE;
    req.resend_confirmation_code = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_RESEND_CONFIRMATION_CODE, resp);
}

authrpc_err authrpc_authenticate(authrpc_conn *conn, const char *username,
                                 const char *password, authrpc_response **resp)
{
    Authrpc__V1__AuthenticateRequest body = AUTHRPC__V1__AUTHENTICATE_REQUEST__INIT;
    body.username = str(username);
    body.password = str(password);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_AUTHENTICATE;
    req.authenticate = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_AUTHENTICATE, resp);
}

authrpc_err authrpc_respond_to_challenge(authrpc_conn *conn, const char *username,
                                         const char *challenge_name, const char *session,
                                         const authrpc_kv *responses, size_t n_responses,
                                         authrpc_response **resp)
{
    if (resp) *resp = NULL;
    Authrpc__V1__RespondToChallengeRequest__ResponsesEntry *entries, **ptrs;
    BUILD_MAP(Authrpc__V1__RespondToChallengeRequest__ResponsesEntry,
              AUTHRPC__V1__RESPOND_TO_CHALLENGE_REQUEST__RESPONSES_ENTRY__INIT, responses,
              n_responses, entries, ptrs);
    Authrpc__V1__RespondToChallengeRequest body = AUTHRPC__V1__RESPOND_TO_CHALLENGE_REQUEST__INIT;
    body.username = str(username);
    body.challenge_name = str(challenge_name);
    body.session = str(session);
    body.n_responses = n_responses;
    body.responses = ptrs;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_RESPOND_TO_CHALLENGE;
    req.respond_to_challenge = &body;
    authrpc_err err = call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_RESPOND_TO_CHALLENGE, resp);
    free(entries);
    free(ptrs);
    return err;
}

authrpc_err authrpc_refresh_tokens(authrpc_conn *conn, const char *refresh_token,
                                   const char *username, authrpc_response **resp)
{
    Authrpc__V1__RefreshTokensRequest body = AUTHRPC__V1__REFRESH_TOKENS_REQUEST__INIT;
    body.refresh_token = str(refresh_token);
    body.username = str(username);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_REFRESH_TOKENS;
    req.refresh_tokens = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_REFRESH_TOKENS, resp);
}

authrpc_err authrpc_sign_out(authrpc_conn *conn, const char *access_token,
                             authrpc_response **resp)
{
    Authrpc__V1__SignOutRequest body = AUTHRPC__V1__SIGN_OUT_REQUEST__INIT;
    body.access_token = str(access_token);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_SIGN_OUT;
    req.sign_out = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_SIGN_OUT, resp);
}

authrpc_err authrpc_forgot_password(authrpc_conn *conn, const char *username,
                                    authrpc_response **resp)
{
    Authrpc__V1__ForgotPasswordRequest body = AUTHRPC__V1__FORGOT_PASSWORD_REQUEST__INIT;
    body.username = str(username);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_FORGOT_PASSWORD;
    req.forgot_password = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_FORGOT_PASSWORD, resp);
}

authrpc_err authrpc_confirm_forgot_password(authrpc_conn *conn, const char *username,
                                            const char *code, const char *new_password,
                                            authrpc_response **resp)
{
    Authrpc__V1__ConfirmForgotPasswordRequest body =
        AUTHRPC__V1__CONFIRM_FORGOT_PASSWORD_REQUEST__INIT;
    body.username = str(username);
    body.code = str(code);
    body.new_password = str(new_password);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_CONFIRM_FORGOT_PASSWORD;
    req.confirm_forgot_password = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_CONFIRM_FORGOT_PASSWORD, resp);
}

authrpc_err authrpc_verify_token(authrpc_conn *conn, const char *token,
                                 Authrpc__V1__TokenUse use,
                                 const char *const *scopes, size_t n_scopes,
                                 authrpc_response **resp)
{
    if (resp) *resp = NULL;
    if (!token || (n_scopes > 0 && !scopes)) return AUTHRPC_ERR_INVALID;
    Authrpc__V1__VerifyTokenRequest body = AUTHRPC__V1__VERIFY_TOKEN_REQUEST__INIT;
    body.token = (char *)token;
    body.token_use = use;
    body.n_required_scopes = n_scopes;
    body.required_scopes = (char **)scopes;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_VERIFY_TOKEN;
    req.verify_token = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_VERIFY_TOKEN, resp);
}

authrpc_err authrpc_check_groups(authrpc_conn *conn, const char *token,
                                 Authrpc__V1__TokenUse use,
                                 const authrpc_group_rules *rules,
                                 authrpc_response **resp)
{
    if (resp) *resp = NULL;
    if (!token || !rules || (rules->n_allowed > 0 && !rules->allowed) ||
        (rules->n_required > 0 && !rules->required) ||
        (rules->n_prohibited > 0 && !rules->prohibited))
        return AUTHRPC_ERR_INVALID;
    Authrpc__V1__CheckGroupsRequest body = AUTHRPC__V1__CHECK_GROUPS_REQUEST__INIT;
    body.token = (char *)token;
    body.token_use = use;
    body.n_allowed_groups = rules->n_allowed;
    body.allowed_groups = (char **)rules->allowed;
    body.n_required_groups = rules->n_required;
    body.required_groups = (char **)rules->required;
    body.n_prohibited_groups = rules->n_prohibited;
    body.prohibited_groups = (char **)rules->prohibited;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_CHECK_GROUPS;
    req.check_groups = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_CHECK_GROUPS, resp);
}
