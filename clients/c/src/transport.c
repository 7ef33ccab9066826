/*
 * The byte pipe under the framing: a non-blocking TCP socket, optionally wrapped
 * in TLS 1.3 (SPEC §8) by OpenSSL libssl. Every wait is a poll() bounded by the
 * caller's deadline.
 *
 * OpenSSL ownership: tls_config owns the SSL_CTX (SSL_CTX_free in
 * tls_config_free); a transport owns its SSL, and the socket BIO SSL_set_fd makes
 * (SSL_free in transport_close frees both). Nothing else is allocated from
 * libssl. OpenSSL writes to the socket with write(), which raises SIGPIPE when the
 * peer is gone: every SSL call that may write runs with SIGPIPE blocked in the
 * calling thread, and a SIGPIPE it raised is consumed before unblocking.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* ---- time ------------------------------------------------------------------------ */

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t deadline_after(int timeout_ms)
{
    return timeout_ms > 0 ? now_ms() + timeout_ms : -1;
}

int wait_fd(int fd, short events, int64_t deadline)
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

/* ---- SIGPIPE around OpenSSL's writes ------------------------------------------- */

typedef struct {
    sigset_t old;
    int was_pending;
} sigpipe_guard;

static void sigpipe_block(sigpipe_guard *g)
{
    sigset_t block, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &g->old);
    sigemptyset(&pending);
    g->was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

static void sigpipe_restore(sigpipe_guard *g)
{
    sigset_t pending;
    sigemptyset(&pending);
    if (!g->was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        struct timespec zero = { 0, 0 };
        int saved = errno;
        while (sigtimedwait(&pipe_only, NULL, &zero) < 0 && errno == EINTR) {}
        errno = saved;
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* ---- TLS configuration ------------------------------------------------------------ */

static int is_ip_literal(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* A file OpenSSL is about to read: say plainly (with errno) when it cannot be read. */
static authrpc_err readable(const char *what, const char *path)
{
    if (access(path, R_OK) != 0) return set_error(AUTHRPC_ERR_TLS, errno, "TLS: %s %s", what, path);
    return AUTHRPC_OK;
}

authrpc_err tls_config_init(tls_config *cfg, const authrpc_tls_options *o)
{
    memset(cfg, 0, sizeof *cfg);
    if (!o) return AUTHRPC_OK;
    if (o->key_file && !o->cert_file)
        return set_error(AUTHRPC_ERR_INVALID, 0, "TLS: key_file given without cert_file");
    authrpc_err err;
    if (o->ca_file && (err = readable("CA file", o->ca_file)) != AUTHRPC_OK) return err;
    if (o->cert_file && (err = readable("client certificate", o->cert_file)) != AUTHRPC_OK) return err;
    if (o->key_file && (err = readable("client key", o->key_file)) != AUTHRPC_OK) return err;

    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return set_tls_error(AUTHRPC_ERR_TLS, "TLS: cannot make a context");
    cfg->ctx = ctx; /* owned by cfg from here: failures below free it through cfg */
    cfg->verify = !o->insecure_skip_verify;
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1) {
        err = set_tls_error(AUTHRPC_ERR_TLS, "TLS: cannot require TLS 1.3");
        goto fail;
    }
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* Frames carry their own length: a missing close_notify cannot truncate an answer unseen. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_verify(ctx, cfg->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    if (cfg->verify) {
        int ok = o->ca_file ? SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL)
                            : SSL_CTX_set_default_verify_paths(ctx);
        if (ok != 1) {
            err = set_tls_error(AUTHRPC_ERR_TLS, "TLS: cannot load CA file %s",
                                o->ca_file ? o->ca_file : "(system default)");
            goto fail;
        }
    }
    if (o->cert_file) {
        const char *key = o->key_file ? o->key_file : o->cert_file;
        if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1) {
            err = set_tls_error(AUTHRPC_ERR_TLS, "TLS: cannot load client certificate %s", o->cert_file);
            goto fail;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
            err = set_tls_error(AUTHRPC_ERR_TLS, "TLS: cannot load client key %s", key);
            goto fail;
        }
        if (SSL_CTX_check_private_key(ctx) != 1) {
            err = set_tls_error(AUTHRPC_ERR_TLS, "TLS: client key %s does not match %s", key,
                                o->cert_file);
            goto fail;
        }
    }
    if (o->server_name && !(cfg->server_name = strdup(o->server_name))) {
        err = set_error(AUTHRPC_ERR_NOMEM, 0, "TLS: out of memory");
        goto fail;
    }
    return AUTHRPC_OK;
fail:
    tls_config_free(cfg);
    return err;
}

void tls_config_free(tls_config *cfg)
{
    SSL_CTX_free(cfg->ctx); /* NULL is fine */
    free(cfg->server_name);
    memset(cfg, 0, sizeof *cfg);
}

/* ---- TCP -------------------------------------------------------------------------- */

static authrpc_err tcp_connect(const struct addrinfo *ai, const address *a, int64_t deadline,
                               int *fd_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) return set_error(AUTHRPC_ERR_IO, errno, "socket for %s", a->label);
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        int e = errno;
        close(fd);
        return set_error(AUTHRPC_ERR_IO, e, "fcntl for %s", a->label);
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            int e = errno;
            close(fd);
            return set_error(AUTHRPC_ERR_IO, e, "connect %s", a->label);
        }
        int ev = wait_fd(fd, POLLOUT, deadline);
        if (ev <= 0) {
            int e = errno;
            close(fd);
            return ev == 0 ? set_error(AUTHRPC_ERR_TIMEOUT, 0, "connect %s: timed out", a->label)
                           : set_error(AUTHRPC_ERR_IO, e, "connect %s: poll", a->label);
        }
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) soerr = errno;
        if (soerr != 0) {
            close(fd);
            return set_error(AUTHRPC_ERR_IO, soerr, "connect %s", a->label);
        }
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return AUTHRPC_OK;
}

/* ---- TLS handshake -------------------------------------------------------------- */

static authrpc_err handshake_failed(transport *t, const tls_config *cfg, int ssl_err,
                                    int sys_errno, const char *name)
{
    const char *label = t->peer->label;
    t->fatal = 1;
    long vr = SSL_get_verify_result(t->ssl);
    if (cfg->verify && vr != X509_V_OK) {
        ERR_clear_error();
        if (vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
            return set_error(AUTHRPC_ERR_TLS, 0,
                             "TLS handshake with %s: certificate verify failed: %s (expected %s)",
                             label, X509_verify_cert_error_string(vr), name);
        return set_error(AUTHRPC_ERR_TLS, 0, "TLS handshake with %s: certificate verify failed: %s",
                         label, X509_verify_cert_error_string(vr));
    }
    if (ssl_err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        if (sys_errno == 0)
            return set_error(AUTHRPC_ERR_TLS, 0,
                             "TLS handshake with %s: the server closed the connection", label);
        return set_error(AUTHRPC_ERR_IO, sys_errno, "TLS handshake with %s", label);
    }
    return set_tls_error(AUTHRPC_ERR_TLS, "TLS handshake with %s", label);
}

static authrpc_err tls_handshake(transport *t, const tls_config *cfg, int64_t deadline)
{
    const char *label = t->peer->label;
    ERR_clear_error();
    t->ssl = SSL_new(cfg->ctx); /* owned by t: transport_close frees it */
    if (!t->ssl) return set_tls_error(AUTHRPC_ERR_TLS, "TLS %s: cannot make a session", label);
    if (SSL_set_fd(t->ssl, t->fd) != 1)
        return set_tls_error(AUTHRPC_ERR_TLS, "TLS %s: cannot attach the socket", label);
    const char *name = cfg->server_name ? cfg->server_name : t->peer->host;
    if (is_ip_literal(name)) {
        /* No SNI for an address (RFC 6066 §3); the certificate must name the IP. */
        if (cfg->verify && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), name) != 1)
            return set_tls_error(AUTHRPC_ERR_TLS, "TLS %s: bad server address %s", label, name);
    } else {
        if (SSL_set_tlsext_host_name(t->ssl, name) != 1 ||
            (cfg->verify && SSL_set1_host(t->ssl, name) != 1))
            return set_tls_error(AUTHRPC_ERR_TLS, "TLS %s: bad server name %s", label, name);
    }
    for (;;) {
        sigpipe_guard g;
        ERR_clear_error();
        sigpipe_block(&g);
        errno = 0;
        int rc = SSL_connect(t->ssl);
        int e = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, rc);
        int sys_errno = errno;
        sigpipe_restore(&g);
        if (rc == 1) return AUTHRPC_OK;
        short ev;
        if (e == SSL_ERROR_WANT_READ) ev = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE) ev = POLLOUT;
        else return handshake_failed(t, cfg, e, sys_errno, name);
        int r = wait_fd(t->fd, ev, deadline);
        if (r == 0) return set_error(AUTHRPC_ERR_TIMEOUT, 0, "TLS handshake with %s: timed out", label);
        if (r < 0) return set_error(AUTHRPC_ERR_IO, errno, "TLS handshake with %s: poll", label);
    }
}

/* ---- transport -------------------------------------------------------------------- */

authrpc_err transport_open(transport *t, const address *a, const tls_config *cfg,
                           int64_t deadline)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    t->peer = a;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)a->port);
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(a->host, service, &hints, &list);
    if (rc != 0 || !list) {
        if (rc == EAI_SYSTEM) return set_error(AUTHRPC_ERR_RESOLVE, errno, "resolve %s", a->label);
        return set_error(AUTHRPC_ERR_RESOLVE, 0, "resolve %s: %s", a->label,
                         rc ? gai_strerror(rc) : "no address");
    }
    authrpc_err err = AUTHRPC_ERR_IO;
    for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        err = tcp_connect(ai, a, deadline, &t->fd);
        if (err == AUTHRPC_OK || err == AUTHRPC_ERR_TIMEOUT) break;
    }
    freeaddrinfo(list);
    if (err != AUTHRPC_OK) return err;
    if (cfg->ctx && (err = tls_handshake(t, cfg, deadline)) != AUTHRPC_OK) {
        transport_close(t);
        return err;
    }
    return AUTHRPC_OK;
}

/* Turns a failed SSL_read_ex / SSL_write_ex into 0 (wait for t->want) or an error. */
static long tls_io_result(transport *t, int ssl_err, int sys_errno, const char *op)
{
    const char *label = t->peer->label;
    switch (ssl_err) {
    case SSL_ERROR_WANT_READ:
        t->want = POLLIN;
        return 0;
    case SSL_ERROR_WANT_WRITE:
        t->want = POLLOUT;
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        ERR_clear_error();
        return set_error(AUTHRPC_ERR_IO, 0, "%s closed the connection", label);
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            t->fatal = 1;
            if (sys_errno == 0) return set_error(AUTHRPC_ERR_IO, 0, "%s closed the connection", label);
            return set_error(AUTHRPC_ERR_IO, sys_errno, "%s %s", op, label);
        }
        /* fall through */
    default:
        t->fatal = 1;
        return set_tls_error(AUTHRPC_ERR_TLS, "TLS %s %s", op, label);
    }
}

long transport_recv(transport *t, unsigned char *buf, size_t n)
{
    if (!t->ssl) {
        for (;;) {
            ssize_t r = recv(t->fd, buf, n, 0);
            if (r > 0) return (long)r;
            if (r == 0) return set_error(AUTHRPC_ERR_IO, 0, "%s closed the connection", t->peer->label);
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                t->want = POLLIN;
                return 0;
            }
            return set_error(AUTHRPC_ERR_IO, errno, "recv from %s", t->peer->label);
        }
    }
    size_t got = 0;
    sigpipe_guard g;
    ERR_clear_error();
    sigpipe_block(&g); /* reading may answer a KeyUpdate or send an alert */
    errno = 0;
    int ok = SSL_read_ex(t->ssl, buf, n, &got);
    int e = ok ? SSL_ERROR_NONE : SSL_get_error(t->ssl, 0);
    int sys_errno = errno;
    sigpipe_restore(&g);
    if (ok) return (long)got;
    return tls_io_result(t, e, sys_errno, "recv from");
}

long transport_send(transport *t, const unsigned char *buf, size_t n)
{
    if (!t->ssl) {
        for (;;) {
            ssize_t r = send(t->fd, buf, n, MSG_NOSIGNAL);
            if (r > 0) return (long)r;
            if (r < 0 && errno == EINTR) continue;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                t->want = POLLOUT;
                return 0;
            }
            return set_error(AUTHRPC_ERR_IO, r < 0 ? errno : 0, "send to %s", t->peer->label);
        }
    }
    size_t put = 0;
    sigpipe_guard g;
    ERR_clear_error();
    sigpipe_block(&g);
    errno = 0;
    int ok = SSL_write_ex(t->ssl, buf, n, &put);
    int e = ok ? SSL_ERROR_NONE : SSL_get_error(t->ssl, 0);
    int sys_errno = errno;
    sigpipe_restore(&g);
    if (ok) return (long)put;
    return tls_io_result(t, e, sys_errno, "send to");
}

void transport_close(transport *t)
{
    if (t->ssl) {
        if (!t->fatal && SSL_is_init_finished(t->ssl)) {
            sigpipe_guard g;
            sigpipe_block(&g);
            (void)SSL_shutdown(t->ssl); /* one non-blocking try at close_notify */
            sigpipe_restore(&g);
        }
        SSL_free(t->ssl);
        t->ssl = NULL;
        ERR_clear_error();
    }
    if (t->fd >= 0) close(t->fd);
    t->fd = -1;
    t->want = 0;
    t->fatal = 0;
}
