/*
 * Interop, TLS (SPEC §8): the C client against our own `authrpc serve` with
 * AUTHRPC_TLS_CERT / AUTHRPC_TLS_KEY (and AUTHRPC_TLS_CLIENT_CA for mTLS), using
 * certificates from tests/make-certs. The binary is AUTHRPC_TLS_BIN if set, else
 * AUTHRPC_BIN; skipped, saying so, when it has no TLS settings (`authrpc serve
 * --help` does not mention tls).
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live_server.h"

static char certs[160];
static const char *tls_bin;
static authrpc_tls_options client_tls;

static const char *cert(const char *name)
{
    static char paths[16][200];
    static int next;
    char *p = paths[next++ % 16];
    snprintf(p, 200, "%s/%s", certs, name);
    return p;
}

static int binary_has_tls(void)
{
    char cmd[300], line[512];
    snprintf(cmd, sizeof cmd, "'%s' serve --help 2>&1", tls_bin);
    FILE *p = popen(cmd, "r");
    if (!p) return 0;
    int found = 0;
    while (fgets(line, sizeof line, p))
        if (strstr(line, "tls") || strstr(line, "TLS")) found = 1;
    pclose(p);
    return found;
}

static authrpc_err open_with(uint16_t port, const char *host, const authrpc_tls_options *tls,
                             authrpc_conn **c)
{
    char addr[64];
    snprintf(addr, sizeof addr, "%s:%u", host, (unsigned)port);
    const char *addrs[1] = { addr };
    authrpc_options o = { 0 };
    o.addresses = addrs;
    o.n_addresses = 1;
    o.tls = tls;
    o.timeout_ms = 3000;
    return authrpc_open(&o, c);
}

static authrpc_err open_tls(uint16_t port, authrpc_conn **c)
{
    return open_with(port, "127.0.0.1", &client_tls, c);
}

/* Starts a TLS server with cert/key (and client_ca) and waits for it with client_tls. */
static int start_tls(live_server *s, const char *crt, const char *key, const char *client_ca,
                     const char *what)
{
    char c1[256], c2[256], c3[256];
    snprintf(c1, sizeof c1, "AUTHRPC_TLS_CERT=%s", crt);
    snprintf(c2, sizeof c2, "AUTHRPC_TLS_KEY=%s", key);
    snprintf(c3, sizeof c3, "AUTHRPC_TLS_CLIENT_CA=%s", client_ca ? client_ca : "");
    const char *extra[4] = { c1, c2, client_ca ? c3 : NULL, NULL };
    s->bin = tls_bin;
    live_start(s, 0, extra);
    if (live_wait(s, open_tls, 30000) != 0) {
        char name[160];
        snprintf(name, sizeof name, "tls: %s server ready", what);
        step(name, 0, AUTHRPC_OK, NULL);
        live_dump_log(s);
        live_signal(s, SIGKILL);
        return -1;
    }
    return 0;
}

/* Opens with `tls` and makes one call; returns the first error (and keeps its message). */
static authrpc_err attempt(uint16_t port, const char *host, const authrpc_tls_options *tls,
                           char *msg, size_t n)
{
    authrpc_conn *c = NULL;
    authrpc_response *r = NULL;
    authrpc_err err = open_with(port, host, tls, &c);
    if (err == AUTHRPC_OK) err = authrpc_health(c, &r);
    snprintf(msg, n, "%s", err == AUTHRPC_OK ? "" : authrpc_last_error());
    if (err != AUTHRPC_OK) printf("     (%s: %s)\n", authrpc_strerror(err), msg);
    authrpc_response_free(r);
    authrpc_close(c);
    return err;
}

static void plain_tls(void)
{
    authrpc_tls_options trust = { cert("ca.pem"), NULL, NULL, NULL, 0 };
    client_tls = trust;
    live_server s = { .bin = tls_bin };
    if (start_tls(&s, cert("server.pem"), cert("server.key"), NULL, "server.pem") != 0) return;
    char msg[512];

    authrpc_conn *c = NULL;
    authrpc_response *r = NULL;
    authrpc_err err = open_with(s.port, "127.0.0.1", &trust, &c);
    char *token = live_token("valid.txt", 0);
    if (err == AUTHRPC_OK) err = authrpc_verify_token(c, token, AUTHRPC_TOKEN_USE_ANY, NULL, 0, &r);
    step("tls: round trip by IP (VerifyToken)", err == AUTHRPC_OK, err, r);
    authrpc_response_free(r);
    r = NULL;

    err = attempt(s.port, "localhost", &trust, msg, sizeof msg);
    step("tls: round trip by name (SNI localhost)", err == AUTHRPC_OK, err, NULL);

    authrpc_tls_options other = { cert("other-ca.pem"), NULL, NULL, NULL, 0 };
    err = attempt(s.port, "127.0.0.1", &other, msg, sizeof msg);
    step("tls: wrong CA refused", err == AUTHRPC_ERR_TLS && strstr(msg, "certificate verify failed"),
         err, NULL);

    authrpc_tls_options wrong_name = { cert("ca.pem"), NULL, NULL, "auth.example.com", 0 };
    err = attempt(s.port, "127.0.0.1", &wrong_name, msg, sizeof msg);
    step("tls: wrong server name refused", err == AUTHRPC_ERR_TLS && strstr(msg, "hostname mismatch"),
         err, NULL);

    /* A plaintext client on the TLS port is turned away; TLS clients carry on. */
    authrpc_conn *plain = NULL;
    err = authrpc_connect("127.0.0.1", s.port, 3000, &plain);
    if (err == AUTHRPC_OK) err = authrpc_health(plain, &r);
    printf("     (plaintext client: %s)\n", err == AUTHRPC_OK ? "answered!" : authrpc_last_error());
    step("tls: plaintext client on the TLS port gets no answer", err != AUTHRPC_OK && err != AUTHRPC_ERR_STATUS,
         err, r);
    if (err == AUTHRPC_ERR_FRAME_TOO_LARGE)
        step("tls: ... and is told the server wants TLS", strstr(authrpc_last_error(), "wants a TLS client") != NULL,
             err, NULL);
    authrpc_response_free(r);
    r = NULL;
    authrpc_close(plain);
    err = c ? authrpc_verify_token(c, token, AUTHRPC_TOKEN_USE_ANY, NULL, 0, &r) : AUTHRPC_ERR_INVALID;
    step("tls: the TLS connection still works after the plaintext one", err == AUTHRPC_OK, err, r);
    authrpc_response_free(r);
    r = NULL;

    /* Restarted under the client: the next call reconnects, with a new handshake. */
    unsigned long before = authrpc_connection_count(c);
    char c1[256], c2[256];
    snprintf(c1, sizeof c1, "AUTHRPC_TLS_CERT=%s", cert("server.pem"));
    snprintf(c2, sizeof c2, "AUTHRPC_TLS_KEY=%s", cert("server.key"));
    live_signal(&s, SIGKILL);
    live_start(&s, s.port, (const char *const[]){ c1, c2, NULL });
    authrpc_set_timeout(c, 10000);
    for (int tries = 0; tries < 50; tries++) {
        err = c ? authrpc_verify_token(c, token, AUTHRPC_TOKEN_USE_ANY, NULL, 0, &r) : AUTHRPC_ERR_INVALID;
        if (err != AUTHRPC_ERR_STATUS || r->status != AUTHRPC_STATUS_UNAVAILABLE) break;
        authrpc_response_free(r);
        r = NULL;
    }
    step("tls: server restarted: the next call reconnects over TLS",
         err == AUTHRPC_OK && authrpc_connection_count(c) > before, err, r);
    authrpc_response_free(r);
    authrpc_close(c);
    free(token);
    live_signal(&s, SIGTERM);

    /* Expired server certificate. */
    authrpc_tls_options insecure = { NULL, NULL, NULL, NULL, 1 };
    client_tls = insecure; /* only to know when the server is up */
    if (start_tls(&s, cert("expired.pem"), cert("server.key"), NULL, "expired.pem") == 0) {
        err = attempt(s.port, "127.0.0.1", &trust, msg, sizeof msg);
        step("tls: expired server certificate refused",
             err == AUTHRPC_ERR_TLS && strstr(msg, "certificate has expired"), err, NULL);
        live_signal(&s, SIGTERM);
    }
}

static void mutual_tls(void)
{
    authrpc_tls_options with_cert = { cert("ca.pem"), cert("client.pem"), cert("client.key"), NULL, 0 };
    client_tls = with_cert;
    live_server s = { .bin = tls_bin };
    if (start_tls(&s, cert("server.pem"), cert("server.key"), cert("ca.pem"), "mTLS") != 0) return;
    char msg[512];
    authrpc_err err = attempt(s.port, "127.0.0.1", &with_cert, msg, sizeof msg);
    step("tls: mTLS round trip with a client certificate", err == AUTHRPC_OK, err, NULL);

    authrpc_tls_options without = { cert("ca.pem"), NULL, NULL, NULL, 0 };
    err = attempt(s.port, "127.0.0.1", &without, msg, sizeof msg);
    step("tls: mTLS without a client certificate refused",
         err == AUTHRPC_ERR_TLS || err == AUTHRPC_ERR_IO, err, NULL);

    authrpc_tls_options foreign = { cert("ca.pem"), cert("foreign.pem"), cert("foreign.key"), NULL, 0 };
    err = attempt(s.port, "127.0.0.1", &foreign, msg, sizeof msg);
    step("tls: mTLS with a certificate from another CA refused",
         err == AUTHRPC_ERR_TLS || err == AUTHRPC_ERR_IO, err, NULL);
    live_signal(&s, SIGTERM);
}

void interop_tls(void)
{
    const char *dir = live_mint();
    tls_bin = getenv("AUTHRPC_TLS_BIN") && *getenv("AUTHRPC_TLS_BIN") ? getenv("AUTHRPC_TLS_BIN")
                                                                       : getenv("AUTHRPC_BIN");
    if (!dir || !tls_bin) {
        skip("tls: TLS against a live server", "neither AUTHRPC_TLS_BIN nor AUTHRPC_BIN is set");
        return;
    }
    if (!binary_has_tls()) {
        char why[400];
        snprintf(why, sizeof why,
                 "%s has no TLS settings (`serve --help` does not mention tls); "
                 "set AUTHRPC_TLS_BIN to a TLS-capable build", tls_bin);
        skip("tls: TLS against a live server", why);
        return;
    }
    snprintf(certs, sizeof certs, "%s/certs", dir);
    const char *script = getenv("CERTS_SCRIPT");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' '%s'", script ? script : "clients/c/tests/make-certs", certs);
    if (!step("tls: test certificates (tests/make-certs)", system(cmd) == 0, AUTHRPC_OK, NULL)) return;
    plain_tls();
    mutual_tls();
}
