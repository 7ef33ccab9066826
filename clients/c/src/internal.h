/*
 * What the library's files share and the public header does not show: the
 * connection's state, the transport (TCP, or TCP + TLS) and error recording.
 */
#ifndef AUTHRPC_INTERNAL_H
#define AUTHRPC_INTERNAL_H

#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "authrpc.h"

/* ---- errors (error.c) ----------------------------------------------------------
 * Every failure is recorded where it happens, in this thread's last error, and
 * the code is returned through. */

/* Records "fmt..." and sys_errno (0: none) as this thread's last error; returns err. */
authrpc_err set_error(authrpc_err err, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records text as it is (no strerror appended) with sys_errno; returns err. */
authrpc_err set_error_text(authrpc_err err, int sys_errno, const char *text);

/* Appends "; more" to the last error's message (for a round over several addresses). */
void append_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records "fmt...: <OpenSSL's reason>" and empties OpenSSL's error queue. */
authrpc_err set_tls_error(authrpc_err err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- time ------------------------------------------------------------------------ */

int64_t now_ms(void);

/* Absolute deadline for a timeout; -1 = none. */
int64_t deadline_after(int timeout_ms);

/* poll() on fd until deadline; returns revents, 0 on timeout, -1 on error (errno set). */
int wait_fd(int fd, short events, int64_t deadline);

/* ---- transport (transport.c) ----------------------------------------------------- */

typedef struct {
    char *host;    /* as given: a name, an IPv4 or an IPv6 literal (no brackets) */
    uint16_t port;
    char label[80]; /* "host:port" or "[v6]:port", for messages */
} address;

/* TLS settings shared by every connection of one authrpc_conn; owns ctx. */
typedef struct {
    SSL_CTX *ctx;      /* NULL: plaintext */
    char *server_name; /* NULL: each address's host */
    int verify;
} tls_config;

authrpc_err tls_config_init(tls_config *cfg, const authrpc_tls_options *opts);
void tls_config_free(tls_config *cfg);

typedef struct {
    int fd;       /* -1 when closed */
    SSL *ssl;     /* NULL in plaintext; owned, freed by transport_close */
    short want;   /* poll events a would-block recv/send waits for */
    int fatal;    /* a TLS error happened: no close_notify may be sent */
    const address *peer;
} transport;

/* TCP connect (every resolved address in turn), then the TLS handshake when cfg
 * has a context, all before deadline. On success t is open. */
authrpc_err transport_open(transport *t, const address *a, const tls_config *cfg,
                           int64_t deadline);

/* Bytes read (> 0), 0 if none are ready yet (t->want says what to wait for), or
 * an error (the peer closing counts as AUTHRPC_ERR_IO), recorded. */
long transport_recv(transport *t, unsigned char *buf, size_t n);

/* Bytes written (> 0), 0 if the socket is full (t->want set), or an error. */
long transport_send(transport *t, const unsigned char *buf, size_t n);

/* Closes the socket (TLS: one best-effort close_notify) and frees the SSL. */
void transport_close(transport *t);

/* ---- the connection (authrpc.c), used by the typed calls (calls.c) ------------- */

/* Sends one request and waits for its answer. timeout_ms < 0: the connection's.
 * expected: the body an OK answer must carry (AUTHRPC_BODY_NOT_SET: any). */
authrpc_err conn_call(authrpc_conn *c, const authrpc_request *request, int timeout_ms,
                      int expected, authrpc_response **out);

#endif
