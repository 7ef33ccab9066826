/*
 * The connection: framing (SPEC §3: a 4-byte big-endian length, then one
 * serialized Request / Response), the ids in flight, and staying connected
 * through a deployment (SPEC §10: a list of addresses, reconnect with backoff,
 * per-call deadlines).
 *
 * Ids in flight are kept in ascending order (ids only grow on one authrpc_conn),
 * each LIVE (someone will receive its answer), ABANDONED (its blocking call timed
 * out: the answer is dropped when it comes) or DONE. An answer whose id is not
 * LIVE or ABANDONED is a protocol error and drops the connection, so an answer
 * can never reach the wrong call. Dropping a connection fails everything in
 * flight at once; nothing is resent.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HEADER_BYTES 4u
#define FLUSH_AT (64u * 1024u)            /* queued bytes that trigger a write */
#define READ_CHUNK (64u * 1024u)          /* free space wanted before a recv */
#define DRAIN_LIMIT (16u * 1024u * 1024u) /* answers buffered while blocked writing */
#define MAX_REQUEST_BYTES (64u * 1024u * 1024u)
#define MAX_ABANDONED 1024u               /* late answers awaited before a reset */
#define DEFAULT_CONNECT_TIMEOUT_MS 5000
#define DEFAULT_BACKOFF_INITIAL_MS 50
#define DEFAULT_BACKOFF_MAX_MS 2000

enum { P_LIVE, P_ABANDONED, P_DONE };

typedef struct {
    uint64_t id;
    int state;
} pending;

struct authrpc_conn {
    address *addrs;
    size_t n_addrs;
    size_t next_addr; /* where the next round of connects starts */
    tls_config tls;
    transport t;      /* t.fd < 0: disconnected */
    int timeout_ms;
    int connect_timeout_ms;
    uint32_t deadline_ms;
    char traceparent[AUTHRPC_MAX_TRACEPARENT + 1]; /* "": none (authrpc_set_traceparent) */
    uint32_t max_frame;
    int backoff_initial_ms, backoff_max_ms;
    int backoff_ms;       /* the last wait; 0: connect at once */
    int64_t next_attempt; /* no connect before this (now_ms clock) */
    int answered;         /* an answer came since this connection was made */
    authrpc_err last_connect_err;
    int last_connect_errno;
    char last_connect_msg[512];
    unsigned long connections;
    uint64_t rng;
    uint64_t next_id;
    pending *pend; /* ids in flight: [phead, plen), ascending */
    size_t phead, plen, pcap;
    size_t live, abandoned;
    unsigned char *rbuf; /* received bytes [rpos, rlen) not yet parsed */
    size_t rpos, rlen, rcap;
    unsigned char *wbuf; /* queued bytes [wpos, wlen) not yet written */
    size_t wpos, wlen, wcap;
};

/* ---- small helpers ---------------------------------------------------------------- */

static uint64_t next_random(authrpc_conn *c)
{
    c->rng ^= c->rng << 13; /* xorshift64: jitter and a starting address, nothing secret */
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return c->rng;
}

static void sleep_until(int64_t when)
{
    for (int64_t left = when - now_ms(); left > 0; left = when - now_ms()) {
        struct timespec ts = { (time_t)(left / 1000), (long)(left % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
}

static const char *peer(const authrpc_conn *c)
{
    return c->t.peer ? c->t.peer->label : "authrpc";
}

/* Grows *buf to hold at least `need` bytes. */
static authrpc_err reserve(unsigned char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return AUTHRPC_OK;
    size_t n = *cap ? *cap : 4096;
    while (n < need) n = n > SIZE_MAX / 2 ? need : n * 2;
    unsigned char *p = realloc(*buf, n);
    if (!p) return set_error(AUTHRPC_ERR_NOMEM, ENOMEM, "buffer of %zu bytes", n);
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

/* ---- ids in flight ---------------------------------------------------------------- */

static uint64_t take_id(authrpc_conn *c)
{
    uint64_t id = c->next_id++;
    if (c->next_id == 0) c->next_id = 1; /* 0 is reserved for connection errors */
    return id;
}

static authrpc_err pending_add(authrpc_conn *c, uint64_t id)
{
    if (c->plen == c->pcap) {
        size_t keep = 0; /* compact: drop DONE entries */
        for (size_t i = c->phead; i < c->plen; i++)
            if (c->pend[i].state != P_DONE) c->pend[keep++] = c->pend[i];
        c->phead = 0;
        c->plen = keep;
        if (c->plen == c->pcap) {
            size_t n = c->pcap ? c->pcap * 2 : 64;
            pending *p = realloc(c->pend, n * sizeof *p);
            if (!p) return set_error(AUTHRPC_ERR_NOMEM, ENOMEM, "ids in flight");
            c->pend = p;
            c->pcap = n;
        }
    }
    c->pend[c->plen].id = id;
    c->pend[c->plen].state = P_LIVE;
    c->plen++;
    c->live++;
    return AUTHRPC_OK;
}

/* The entry of an id still awaited (LIVE or ABANDONED), or NULL. */
static pending *pending_find(authrpc_conn *c, uint64_t id)
{
    size_t lo = c->phead, hi = c->plen;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->pend[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    if (lo < c->plen && c->pend[lo].id == id && c->pend[lo].state != P_DONE) return &c->pend[lo];
    return NULL;
}

static void pending_done(authrpc_conn *c, pending *p)
{
    if (p->state == P_LIVE) c->live--;
    else if (p->state == P_ABANDONED) c->abandoned--;
    p->state = P_DONE;
    while (c->phead < c->plen && c->pend[c->phead].state == P_DONE) c->phead++;
    if (c->phead == c->plen) c->phead = c->plen = 0;
}

/* ---- connecting -------------------------------------------------------------------- */

/* Doubles the wait (with jitter, between half and all of it) before the next round. */
static void schedule_retry(authrpc_conn *c)
{
    int b = c->backoff_ms ? c->backoff_ms * 2 : c->backoff_initial_ms;
    if (b > c->backoff_max_ms || b <= 0) b = c->backoff_max_ms;
    c->backoff_ms = b;
    int half = b / 2;
    c->next_attempt = now_ms() + half + (int64_t)(next_random(c) % (uint64_t)(b - half + 1));
}

/* Closes the transport and fails everything in flight. */
static void drop(authrpc_conn *c)
{
    transport_close(&c->t);
    c->rpos = c->rlen = 0;
    c->wpos = c->wlen = 0;
    c->phead = c->plen = 0;
    c->live = c->abandoned = 0;
    if (c->answered) {
        c->backoff_ms = 0; /* it worked: try again at once */
        c->next_attempt = 0;
    } else {
        schedule_retry(c); /* accepted, then closed without an answer: do not spin */
    }
}

/* The connection failed under requests in flight: say so, drop it, return err. */
static authrpc_err lost(authrpc_conn *c, authrpc_err err)
{
    if (c->live > 0) append_error(" (%zu request(s) in flight failed)", c->live);
    drop(c);
    return err;
}

/* One try at every address, starting after the last one used. */
static authrpc_err connect_round(authrpc_conn *c, int64_t deadline, int *transient)
{
    char summary[sizeof c->last_connect_msg] = "";
    authrpc_err err = AUTHRPC_ERR_IO;
    int sys_errno = 0;
    for (size_t k = 0; k < c->n_addrs; k++) {
        size_t i = (c->next_addr + k) % c->n_addrs;
        int64_t attempt = deadline_after(c->connect_timeout_ms);
        if (deadline >= 0 && (attempt < 0 || deadline < attempt)) attempt = deadline;
        err = transport_open(&c->t, &c->addrs[i], &c->tls, attempt);
        if (err == AUTHRPC_OK) {
            c->next_addr = (i + 1) % c->n_addrs;
            c->connections++;
            c->answered = 0;
            return AUTHRPC_OK;
        }
        if (err != AUTHRPC_ERR_IO && err != AUTHRPC_ERR_TIMEOUT && err != AUTHRPC_ERR_RESOLVE)
            *transient = 0;
        sys_errno = authrpc_last_errno();
        size_t used = strlen(summary);
        snprintf(summary + used, sizeof summary - used, "%s%s", used ? "; " : "",
                 authrpc_last_error());
        if (deadline >= 0 && now_ms() >= deadline) break;
    }
    return set_error_text(err, sys_errno, summary);
}

/* With nothing in flight, a readable socket means the server closed it (idle
 * timeout, connection age, restart): notice that before sending on it, and
 * connect again. A TLS error found this way (the server refusing our client
 * certificate after the handshake) is the caller's answer, not a reason to retry. */
static int read_some(authrpc_conn *c, size_t limit);

static authrpc_err probe_idle(authrpc_conn *c)
{
    for (int i = 0; i < 16 && c->t.fd >= 0; i++) {
        struct pollfd p = { c->t.fd, POLLIN, 0 };
        if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) break;
        int r = read_some(c, SIZE_MAX);
        if (r < 0) {
            c->answered = r != AUTHRPC_ERR_TLS; /* closed while idle: reconnect at once */
            drop(c);
            if (r == AUTHRPC_ERR_TLS) return AUTHRPC_ERR_TLS;
        }
        if (r <= 0) break;
    }
    return AUTHRPC_OK;
}

/* Connected on return, or the error of the last round of connects. Waits for the
 * backoff when it ends before the deadline; without a deadline, one round. */
static authrpc_err ensure_connected(authrpc_conn *c, int64_t deadline)
{
    if (c->t.fd >= 0 && c->live == 0 && probe_idle(c) != AUTHRPC_OK) return AUTHRPC_ERR_TLS;
    if (c->t.fd >= 0) return AUTHRPC_OK;
    for (;;) {
        if (now_ms() < c->next_attempt) {
            if (deadline >= 0 && c->next_attempt > deadline) {
                set_error_text(c->last_connect_err, c->last_connect_errno, c->last_connect_msg);
                append_error(" (next attempt in %lld ms)", (long long)(c->next_attempt - now_ms()));
                return c->last_connect_err;
            }
            sleep_until(c->next_attempt);
        }
        int transient = 1;
        authrpc_err err = connect_round(c, deadline, &transient);
        if (err == AUTHRPC_OK) return AUTHRPC_OK;
        c->last_connect_err = err;
        c->last_connect_errno = authrpc_last_errno();
        snprintf(c->last_connect_msg, sizeof c->last_connect_msg, "%s", authrpc_last_error());
        schedule_retry(c);
        if (!transient || deadline < 0 || now_ms() >= deadline) return err;
    }
}

/* ---- reading ----------------------------------------------------------------------- */

/*
 * One read into the read buffer, keeping at most `limit` bytes buffered.
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
        authrpc_err err = reserve(&c->rbuf, &c->rcap, want < limit ? want : limit);
        if (err != AUTHRPC_OK) return err;
    }
    size_t room = c->rcap - c->rlen;
    if (room == 0) return 0;
    long n = transport_recv(&c->t, c->rbuf + c->rlen, room);
    if (n > 0) {
        c->rlen += (size_t)n;
        return 1;
    }
    return (int)n;
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
    if (n > c->max_frame) {
        /* A TLS record (alert or handshake, version 3.x) read as a length: say so. */
        const unsigned char *b = c->rbuf + c->rpos;
        int tls_record = !c->t.ssl && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 0x03;
        return set_error(AUTHRPC_ERR_FRAME_TOO_LARGE, 0, "%s announced a %u-byte frame; the limit is %u%s",
                         peer(c), n, c->max_frame,
                         tls_record ? " (that was TLS: the server wants a TLS client)" : "");
    }
    if (avail - HEADER_BYTES < n) {
        if (c->rpos > 0) { /* make room for the whole frame at the front */
            memmove(c->rbuf, c->rbuf + c->rpos, avail);
            c->rlen = avail;
            c->rpos = 0;
        }
        authrpc_err err = reserve(&c->rbuf, &c->rcap, HEADER_BYTES + (size_t)n);
        return err != AUTHRPC_OK ? err : 0;
    }
    authrpc_response *r =
        authrpc__v1__response__unpack(NULL, n, c->rbuf + c->rpos + HEADER_BYTES);
    if (!r) return set_error(AUTHRPC_ERR_PROTOCOL, 0, "%s sent an undecodable response", peer(c));
    c->rpos += HEADER_BYTES + n;
    if (c->rpos == c->rlen) c->rpos = c->rlen = 0;
    *out = r;
    return 1;
}

/* The next answer someone waits for (or an id-0 connection error), reading until
 * the deadline. Answers to abandoned calls are dropped here. */
static authrpc_err next_response(authrpc_conn *c, int64_t deadline, authrpc_response **out)
{
    for (;;) {
        authrpc_response *r = NULL;
        int got = take_frame(c, &r);
        if (got < 0) return lost(c, (authrpc_err)got);
        if (got == 1) {
            c->answered = 1;
            c->backoff_ms = 0;
            if (r->id == 0) {
                *out = r;
                return AUTHRPC_OK;
            }
            pending *p = pending_find(c, r->id);
            if (!p) {
                unsigned long long id = (unsigned long long)r->id;
                authrpc_response_free(r);
                set_error(AUTHRPC_ERR_PROTOCOL, 0, "%s answered id %llu, which is not in flight",
                          peer(c), id);
                return lost(c, AUTHRPC_ERR_PROTOCOL);
            }
            int was = p->state;
            pending_done(c, p);
            if (was == P_ABANDONED) {
                authrpc_response_free(r);
                continue;
            }
            *out = r;
            return AUTHRPC_OK;
        }
        int n = read_some(c, SIZE_MAX);
        if (n < 0) return lost(c, (authrpc_err)n);
        if (n == 0) {
            int ev = wait_fd(c->t.fd, c->t.want ? c->t.want : POLLIN, deadline);
            if (ev == 0)
                return set_error(AUTHRPC_ERR_TIMEOUT, 0, "no answer from %s before the deadline",
                                 peer(c));
            if (ev < 0) {
                set_error(AUTHRPC_ERR_IO, errno, "poll %s", peer(c));
                return lost(c, AUTHRPC_ERR_IO);
            }
        }
    }
}

/* ---- writing ----------------------------------------------------------------------- */

/* Writes the queued bytes. While the socket is full it keeps reading answers
 * into memory (up to DRAIN_LIMIT), so a server that stops reading until we read
 * cannot deadlock us. A timeout leaves the rest queued. */
static authrpc_err flush_until(authrpc_conn *c, int64_t deadline)
{
    while (c->wpos < c->wlen) {
        long n = transport_send(&c->t, c->wbuf + c->wpos, c->wlen - c->wpos);
        if (n > 0) {
            c->wpos += (size_t)n;
            continue;
        }
        if (n < 0) return lost(c, (authrpc_err)n);
        size_t limit = DRAIN_LIMIT + HEADER_BYTES + c->max_frame;
        short events = (short)(c->t.want | (c->rlen < limit ? POLLIN : 0));
        int ev = wait_fd(c->t.fd, events, deadline);
        if (ev == 0)
            return set_error(AUTHRPC_ERR_TIMEOUT, 0, "could not write to %s before the deadline",
                             peer(c));
        if (ev < 0) {
            set_error(AUTHRPC_ERR_IO, errno, "poll %s", peer(c));
            return lost(c, AUTHRPC_ERR_IO);
        }
        if (ev & (POLLIN | POLLHUP | POLLERR)) {
            int r = read_some(c, limit);
            if (r < 0) return lost(c, (authrpc_err)r);
        }
    }
    c->wpos = c->wlen = 0;
    return AUTHRPC_OK;
}

/* Queues one frame: the 4-byte length, then the packed request with `id`. */
static authrpc_err queue_request(authrpc_conn *c, const authrpc_request *request,
                                 uint64_t id, uint32_t deadline_ms)
{
    authrpc_request copy = *request;
    copy.id = id;
    if (copy.deadline_ms == 0) copy.deadline_ms = deadline_ms;
    if ((copy.traceparent == NULL || copy.traceparent[0] == '\0') && c->traceparent[0] != '\0')
        copy.traceparent = c->traceparent;
    size_t size = authrpc__v1__request__get_packed_size(&copy);
    if (size > MAX_REQUEST_BYTES)
        return set_error(AUTHRPC_ERR_INVALID, 0, "request of %zu bytes is too large", size);
    authrpc_err err = reserve(&c->wbuf, &c->wcap, c->wlen + HEADER_BYTES + size);
    if (err != AUTHRPC_OK) return err;
    put_be32(c->wbuf + c->wlen, (uint32_t)size);
    authrpc__v1__request__pack(&copy, c->wbuf + c->wlen + HEADER_BYTES);
    c->wlen += HEADER_BYTES + size;
    return AUTHRPC_OK;
}

/* Registers and queues a request under a fresh id. */
static authrpc_err enqueue(authrpc_conn *c, const authrpc_request *request, uint32_t deadline_ms,
                           uint64_t *id)
{
    *id = take_id(c);
    authrpc_err err = pending_add(c, *id);
    if (err != AUTHRPC_OK) return err;
    err = queue_request(c, request, *id, deadline_ms);
    if (err != AUTHRPC_OK) pending_done(c, pending_find(c, *id));
    return err;
}

static authrpc_err check_request(const authrpc_request *request)
{
    if (!request || !protobuf_c_message_check(&request->base))
        return set_error(AUTHRPC_ERR_INVALID, 0, "request is NULL or incomplete");
    return AUTHRPC_OK;
}

/* ---- opening and closing ------------------------------------------------------------- */

static authrpc_err add_address(authrpc_conn *c, const char *host, size_t host_len, uint16_t port)
{
    address *a = &c->addrs[c->n_addrs];
    if (host_len == 0 || port == 0) return set_error(AUTHRPC_ERR_INVALID, 0, "empty host or port 0");
    a->host = malloc(host_len + 1);
    if (!a->host) return set_error(AUTHRPC_ERR_NOMEM, ENOMEM, "address");
    memcpy(a->host, host, host_len);
    a->host[host_len] = '\0';
    a->port = port;
    int v6 = memchr(host, ':', host_len) != NULL;
    snprintf(a->label, sizeof a->label, "%s%s%s:%u", v6 ? "[" : "", a->host, v6 ? "]" : "",
             (unsigned)port);
    c->n_addrs++;
    return AUTHRPC_OK;
}

/* "host:port" or "[v6]:port". */
static authrpc_err parse_address(authrpc_conn *c, const char *s)
{
    if (!s) return set_error(AUTHRPC_ERR_INVALID, 0, "address is NULL");
    const char *host = s, *colon;
    size_t host_len;
    if (*s == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':') goto bad;
        host = s + 1;
        host_len = (size_t)(end - host);
        if (host_len == 0) goto bad;
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || colon == s || memchr(s, ':', (size_t)(colon - s))) goto bad;
        host_len = (size_t)(colon - s);
    }
    char *tail = NULL;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &tail, 10);
    if (errno || !colon[1] || *tail || port == 0 || port > 65535) goto bad;
    return add_address(c, host, host_len, (uint16_t)port);
bad:
    return set_error(AUTHRPC_ERR_INVALID, 0, "address \"%s\": want host:port or [v6]:port", s);
}

static authrpc_conn *conn_new(size_t n_addrs)
{
    authrpc_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->addrs = calloc(n_addrs, sizeof *c->addrs);
    if (!c->addrs) {
        free(c);
        return NULL;
    }
    c->t.fd = -1;
    c->next_id = 1;
    c->max_frame = AUTHRPC_DEFAULT_MAX_FRAME_BYTES;
    c->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    c->backoff_initial_ms = DEFAULT_BACKOFF_INITIAL_MS;
    c->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
             (uint64_t)(uintptr_t)c;
    if (c->rng == 0) c->rng = 0x9E3779B97F4A7C15ull;
    return c;
}

authrpc_err authrpc_open(const authrpc_options *o, authrpc_conn **out)
{
    if (!out) return set_error(AUTHRPC_ERR_INVALID, 0, "authrpc_open: out is NULL");
    *out = NULL;
    if (!o || !o->addresses || o->n_addresses == 0)
        return set_error(AUTHRPC_ERR_INVALID, 0, "authrpc_open: no addresses");
    if (o->timeout_ms < 0 || o->connect_timeout_ms < 0 || o->backoff_initial_ms < 0 ||
        o->backoff_max_ms < 0)
        return set_error(AUTHRPC_ERR_INVALID, 0, "authrpc_open: negative timeout or backoff");
    authrpc_conn *c = conn_new(o->n_addresses);
    if (!c) return set_error(AUTHRPC_ERR_NOMEM, ENOMEM, "authrpc_open");
    authrpc_err err = AUTHRPC_OK;
    for (size_t i = 0; i < o->n_addresses && err == AUTHRPC_OK; i++)
        err = parse_address(c, o->addresses[i]);
    if (err == AUTHRPC_OK) err = tls_config_init(&c->tls, o->tls);
    if (err != AUTHRPC_OK) {
        authrpc_close(c);
        return err;
    }
    c->timeout_ms = o->timeout_ms;
    c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms
                            : o->timeout_ms       ? o->timeout_ms
                                                  : DEFAULT_CONNECT_TIMEOUT_MS;
    c->deadline_ms = o->deadline_ms;
    if (o->max_frame_bytes) c->max_frame = o->max_frame_bytes;
    if (o->backoff_initial_ms) c->backoff_initial_ms = o->backoff_initial_ms;
    if (o->backoff_max_ms) c->backoff_max_ms = o->backoff_max_ms;
    if (c->backoff_max_ms < c->backoff_initial_ms) c->backoff_max_ms = c->backoff_initial_ms;
    c->next_addr = (size_t)(next_random(c) % c->n_addrs);
    err = ensure_connected(c, -1);
    if (err != AUTHRPC_OK) {
        authrpc_close(c);
        return err;
    }
    *out = c;
    return AUTHRPC_OK;
}

authrpc_err authrpc_connect(const char *host, uint16_t port, int timeout_ms, authrpc_conn **out)
{
    if (!out) return set_error(AUTHRPC_ERR_INVALID, 0, "authrpc_connect: out is NULL");
    *out = NULL;
    if (!host || port == 0) return set_error(AUTHRPC_ERR_INVALID, 0, "authrpc_connect: no host or port 0");
    authrpc_conn *c = conn_new(1);
    if (!c) return set_error(AUTHRPC_ERR_NOMEM, ENOMEM, "authrpc_connect");
    authrpc_err err = add_address(c, host, strlen(host), port);
    if (err == AUTHRPC_OK) {
        c->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
        if (timeout_ms > 0) c->connect_timeout_ms = timeout_ms;
        err = ensure_connected(c, -1);
    }
    if (err != AUTHRPC_OK) {
        authrpc_close(c);
        return err;
    }
    *out = c;
    return AUTHRPC_OK;
}

void authrpc_close(authrpc_conn *conn)
{
    if (!conn) return;
    transport_close(&conn->t);
    tls_config_free(&conn->tls);
    for (size_t i = 0; i < conn->n_addrs; i++) free(conn->addrs[i].host);
    free(conn->addrs);
    free(conn->pend);
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

authrpc_err authrpc_set_traceparent(authrpc_conn *conn, const char *traceparent)
{
    if (!conn) return set_error(AUTHRPC_ERR_INVALID, 0, "no connection");
    size_t len = traceparent ? strlen(traceparent) : 0;
    if (len > AUTHRPC_MAX_TRACEPARENT)
        return set_error(AUTHRPC_ERR_INVALID, 0, "traceparent of %zu bytes is over %d", len, AUTHRPC_MAX_TRACEPARENT);
    memcpy(conn->traceparent, traceparent ? traceparent : "", len);
    conn->traceparent[len] = '\0';
    return AUTHRPC_OK;
}

void authrpc_set_max_frame(authrpc_conn *conn, uint32_t max_frame_bytes)
{
    if (conn) conn->max_frame = max_frame_bytes;
}

size_t authrpc_in_flight(const authrpc_conn *conn)
{
    return conn ? conn->live : 0;
}

unsigned long authrpc_connection_count(const authrpc_conn *conn)
{
    return conn ? conn->connections : 0;
}

const char *authrpc_current_address(const authrpc_conn *conn)
{
    return conn && conn->t.fd >= 0 ? conn->t.peer->label : NULL;
}

void authrpc_response_free(authrpc_response *resp)
{
    if (resp) authrpc__v1__response__free_unpacked(resp, NULL);
}

/* ---- pipelining -------------------------------------------------------------------- */

authrpc_err authrpc_send(authrpc_conn *conn, const authrpc_request *request, uint64_t *id)
{
    if (!conn) return set_error(AUTHRPC_ERR_INVALID, 0, "authrpc_send: conn is NULL");
    authrpc_err err = check_request(request);
    if (err != AUTHRPC_OK) return err;
    int64_t deadline = deadline_after(conn->timeout_ms);
    if (conn->live == 0 && (err = ensure_connected(conn, deadline)) != AUTHRPC_OK) return err;
    uint64_t assigned;
    if ((err = enqueue(conn, request, 0, &assigned)) != AUTHRPC_OK) return err;
    if (id) *id = assigned;
    if (conn->wlen - conn->wpos >= FLUSH_AT) return flush_until(conn, deadline);
    return AUTHRPC_OK;
}

authrpc_err authrpc_flush(authrpc_conn *conn)
{
    if (!conn) return set_error(AUTHRPC_ERR_INVALID, 0, "authrpc_flush: conn is NULL");
    if (conn->t.fd < 0) return AUTHRPC_OK; /* nothing queued on a dropped connection */
    return flush_until(conn, deadline_after(conn->timeout_ms));
}

authrpc_err authrpc_receive(authrpc_conn *conn, authrpc_response **resp)
{
    if (!resp) return set_error(AUTHRPC_ERR_INVALID, 0, "authrpc_receive: resp is NULL");
    *resp = NULL;
    if (!conn) return set_error(AUTHRPC_ERR_INVALID, 0, "authrpc_receive: conn is NULL");
    if (conn->t.fd < 0)
        return set_error(AUTHRPC_ERR_IO, 0, "not connected, so nothing is in flight");
    int64_t deadline = deadline_after(conn->timeout_ms);
    authrpc_err err = flush_until(conn, deadline);
    if (err != AUTHRPC_OK) return err;
    return next_response(conn, deadline, resp);
}

/* ---- blocking calls ------------------------------------------------------------------ */

/* The caller stopped waiting: its answer, if it comes, is dropped. Too many of
 * those means the server is stuck: start afresh. */
static void abandon(authrpc_conn *c, uint64_t id)
{
    pending *p = pending_find(c, id);
    if (!p || p->state != P_LIVE) return;
    p->state = P_ABANDONED;
    c->live--;
    c->abandoned++;
    if (c->abandoned > MAX_ABANDONED) drop(c);
}

authrpc_err conn_call(authrpc_conn *c, const authrpc_request *request, int timeout_ms,
                      int expected, authrpc_response **out)
{
    if (!out) return set_error(AUTHRPC_ERR_INVALID, 0, "response pointer is NULL");
    *out = NULL;
    if (!c) return set_error(AUTHRPC_ERR_INVALID, 0, "conn is NULL");
    authrpc_err err = check_request(request);
    if (err != AUTHRPC_OK) return err;
    if (c->live > 0)
        return set_error(AUTHRPC_ERR_BUSY, 0, "%zu pipelined request(s) in flight", c->live);

    int64_t deadline = deadline_after(timeout_ms < 0 ? c->timeout_ms : timeout_ms);
    if ((err = ensure_connected(c, deadline)) != AUTHRPC_OK) return err;
    uint32_t deadline_ms = c->deadline_ms;
    if (deadline_ms == 0 && deadline >= 0) {
        int64_t left = deadline - now_ms();
        deadline_ms = left > 0 ? (uint32_t)(left > UINT32_MAX ? UINT32_MAX : left) : 1;
    }
    uint64_t id;
    if ((err = enqueue(c, request, deadline_ms, &id)) != AUTHRPC_OK) return err;
    authrpc_response *r = NULL;
    err = flush_until(c, deadline);
    if (err == AUTHRPC_OK) err = next_response(c, deadline, &r);
    if (err == AUTHRPC_ERR_TIMEOUT) abandon(c, id);
    if (err != AUTHRPC_OK) return err;

    if (r->id == 0) {
        /* A connection-level error answered instead (MalformedRequest, FrameTooLarge):
         * no answer with our id will follow. */
        pending *p = pending_find(c, id);
        if (p) pending_done(c, p);
    } else if (r->id != id) {
        authrpc_response_free(r);
        set_error(AUTHRPC_ERR_PROTOCOL, 0, "answer for another id");
        return lost(c, AUTHRPC_ERR_PROTOCOL);
    }
    if (r->status != AUTHRPC_STATUS_OK) {
        *out = r;
        return AUTHRPC_ERR_STATUS;
    }
    if (expected != AUTHRPC_BODY_NOT_SET && (int)r->body_case != expected) {
        int got = (int)r->body_case;
        authrpc_response_free(r);
        return set_error(AUTHRPC_ERR_PROTOCOL, 0, "%s answered with body %d where %d was expected",
                         peer(c), got, expected);
    }
    *out = r;
    return AUTHRPC_OK;
}
