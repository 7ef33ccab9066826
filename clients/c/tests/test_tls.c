/*
 * TLS 1.3 (SPEC §8) against a fake authrpc in a forked child that speaks TLS
 * with OpenSSL's server side: round trip, mTLS, each way verification must fail
 * (wrong CA, expired certificate, wrong server name, client certificate
 * required but missing), reconnect and pipelining over TLS. Certificates come
 * from tests/make-certs (the openssl CLI) in a temporary folder.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
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

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "authrpc.h"
#include "test_util.h"

static char certs[64];

static const char *cert(const char *name)
{
    static char paths[8][128];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 128, "%s/%s", certs, name);
    return p;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/* ---- the fake server (child) ------------------------------------------------------ */

typedef struct {
    const char *cert, *key; /* server certificate and key */
    const char *client_ca;  /* non-NULL: a client certificate from this CA is required */
    int conns;              /* connections to accept, one after the other */
    int answers;            /* per connection, answers before closing; 0: until EOF */
    int plaintext;          /* 1: no TLS at all, answer the ClientHello with junk */
} fake;

static int ssl_read_all(SSL *ssl, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t k = 0;
        if (!SSL_read_ex(ssl, buf + got, n - got, &k)) return -1;
        got += k;
    }
    return 0;
}

/* The caller's identity as SPEC §8 defines it: URI SAN, else DNS SAN, else CN. */
static void identity(SSL *ssl, char *out, size_t n)
{
    snprintf(out, n, "anonymous");
    X509 *peer = SSL_get1_peer_certificate(ssl);
    if (!peer) return;
    GENERAL_NAMES *names = X509_get_ext_d2i(peer, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type == GEN_URI) {
            snprintf(out, n, "%.*s", ASN1_STRING_length(g->d.uniformResourceIdentifier),
                     (const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier));
            break;
        }
    }
    GENERAL_NAMES_free(names);
    X509_free(peer);
}

/* Answers each request with Health, version = the caller's identity. */
static void answer(SSL *ssl, int limit)
{
    char who[128];
    identity(ssl, who, sizeof who);
    for (int k = 0; limit == 0 || k < limit; k++) {
        unsigned char hdr[4];
        if (ssl_read_all(ssl, hdr, 4) < 0) return;
        uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
        unsigned char *buf = malloc(n ? n : 1);
        if (!buf || ssl_read_all(ssl, buf, n) < 0) _exit(3);
        Authrpc__V1__Request *q = authrpc__v1__request__unpack(NULL, n, buf);
        free(buf);
        if (!q) _exit(3);
        Authrpc__V1__HealthResponse h = AUTHRPC__V1__HEALTH_RESPONSE__INIT;
        Authrpc__V1__Response r = AUTHRPC__V1__RESPONSE__INIT;
        r.id = q->id;
        h.version = who;
        r.body_case = AUTHRPC__V1__RESPONSE__BODY_HEALTH;
        r.health = &h;
        size_t len = authrpc__v1__response__get_packed_size(&r);
        unsigned char *out = malloc(4 + len);
        if (!out) _exit(3);
        out[0] = (unsigned char)(len >> 24);
        out[1] = (unsigned char)(len >> 16);
        out[2] = (unsigned char)(len >> 8);
        out[3] = (unsigned char)len;
        authrpc__v1__response__pack(&r, out + 4);
        size_t put = 0;
        int ok = SSL_write_ex(ssl, out, 4 + len, &put);
        free(out);
        authrpc__v1__request__free_unpacked(q, NULL);
        if (!ok) return;
    }
}

static void run_fake(int lfd, const fake *f)
{
    signal(SIGPIPE, SIG_IGN);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || !f->plaintext) {
        if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, f->cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, f->key, SSL_FILETYPE_PEM) != 1)
            _exit(3);
        SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
        if (f->client_ca) {
            if (SSL_CTX_load_verify_locations(ctx, f->client_ca, NULL) != 1) _exit(3);
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        }
    }
    for (int i = 0; i < f->conns; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) break;
        if (i == f->conns - 1) close(lfd);
        if (f->plaintext) {
            unsigned char junk[64];
            (void)!read(fd, junk, sizeof junk);
            memset(junk, 'x', sizeof junk);
            (void)!write(fd, junk, sizeof junk);
            sleep_ms(100);
            close(fd);
            continue;
        }
        SSL *ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) == 1) {
            answer(ssl, f->answers);
            SSL_shutdown(ssl);
        } else {
            /* The client's first read must find the alert, not a reset: linger a little. */
            char drain[256];
            (void)!read(fd, drain, sizeof drain);
            sleep_ms(100);
        }
        SSL_free(ssl);
        close(fd);
    }
    SSL_CTX_free(ctx);
    _exit(0);
}

static pid_t start_fake(const fake *f, uint16_t *port)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(lfd >= 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(lfd, (struct sockaddr *)&addr, sizeof addr) == 0);
    REQUIRE(listen(lfd, 8) == 0);
    socklen_t alen = sizeof addr;
    REQUIRE(getsockname(lfd, (struct sockaddr *)&addr, &alen) == 0);
    *port = ntohs(addr.sin_port);
    fflush(NULL);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        die_with_parent();
        run_fake(lfd, f);
    }
    close(lfd);
    return child;
}

static void stop_fake(pid_t child)
{
    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
}

/* Opens a TLS client to 127.0.0.1:port (or localhost:port). */
static authrpc_err open_tls(uint16_t port, int by_name, const authrpc_tls_options *tls,
                            authrpc_conn **c)
{
    char addr[64];
    snprintf(addr, sizeof addr, "%s:%u", by_name ? "localhost" : "127.0.0.1", (unsigned)port);
    const char *addrs[1] = { addr };
    authrpc_options o = { 0 };
    o.addresses = addrs;
    o.n_addresses = 1;
    o.tls = tls;
    o.timeout_ms = 3000;
    return authrpc_open(&o, c);
}

static int contains(const char *needle)
{
    if (getenv("TEST_VERBOSE")) fprintf(stderr, "  last error: %s\n", authrpc_last_error());
    if (strstr(authrpc_last_error(), needle)) return 1;
    fprintf(stderr, "  last error \"%s\" lacks \"%s\"\n", authrpc_last_error(), needle);
    return 0;
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_round_trip(void)
{
    fake f = { cert("server.pem"), cert("server.key"), NULL, 2, 0, 0 };
    uint16_t port;
    pid_t child = start_fake(&f, &port);
    authrpc_tls_options tls = { cert("ca.pem"), NULL, NULL, NULL, 0 };
    authrpc_conn *c = NULL;
    authrpc_response *r = NULL;
    /* By IP: the certificate's IP SAN is checked. */
    CHECK(open_tls(port, 0, &tls, &c) == AUTHRPC_OK);
    CHECK(authrpc_health(c, &r) == AUTHRPC_OK && r && strcmp(r->health->version, "anonymous") == 0);
    authrpc_response_free(r);
    authrpc_close(c);
    /* By name: SNI and the DNS SAN. */
    c = NULL;
    CHECK(open_tls(port, 1, &tls, &c) == AUTHRPC_OK);
    CHECK(c && authrpc_health(c, &r) == AUTHRPC_OK);
    authrpc_response_free(r);
    authrpc_close(c);
    stop_fake(child);
}

static void test_mtls(void)
{
    fake f = { cert("server.pem"), cert("server.key"), cert("ca.pem"), 2, 0, 0 };
    uint16_t port;
    pid_t child = start_fake(&f, &port);
    authrpc_tls_options tls = { cert("ca.pem"), cert("client.pem"), cert("client.key"), "localhost", 0 };
    authrpc_conn *c = NULL;
    authrpc_response *r = NULL;
    CHECK(open_tls(port, 0, &tls, &c) == AUTHRPC_OK);
    CHECK(c && authrpc_health(c, &r) == AUTHRPC_OK && r &&
          strcmp(r->health->version, "spiffe://authrpc.test/gateway") == 0);
    authrpc_response_free(r);
    authrpc_close(c);

    /* No client certificate: TLS 1.3 finishes the client's handshake first, so the
     * refusal arrives with the first answer, as a TLS error naming the alert. */
    authrpc_tls_options anonymous = { cert("ca.pem"), NULL, NULL, NULL, 0 };
    c = NULL;
    CHECK(open_tls(port, 0, &anonymous, &c) == AUTHRPC_OK);
    authrpc_err err = c ? authrpc_health(c, &r) : AUTHRPC_ERR_INVALID;
    CHECK(err == AUTHRPC_ERR_TLS && r == NULL);
    CHECK(contains("certificate required (the server requires a client certificate"));
    authrpc_close(c);
    stop_fake(child);
}

static void test_refusals(void)
{
    authrpc_conn *c = (authrpc_conn *)certs;
    uint16_t port;

    /* The server's certificate is from a CA we do not trust. */
    fake foreign = { cert("foreign.pem"), cert("foreign.key"), NULL, 1, 0, 0 };
    pid_t child = start_fake(&foreign, &port);
    authrpc_tls_options tls = { cert("ca.pem"), NULL, NULL, NULL, 0 };
    CHECK(open_tls(port, 0, &tls, &c) == AUTHRPC_ERR_TLS && c == NULL);
    CHECK(contains("certificate verify failed: unable to get local issuer certificate"));
    stop_fake(child);

    /* Expired. */
    fake expired = { cert("expired.pem"), cert("server.key"), NULL, 1, 0, 0 };
    child = start_fake(&expired, &port);
    CHECK(open_tls(port, 0, &tls, &c) == AUTHRPC_ERR_TLS && c == NULL);
    CHECK(contains("certificate verify failed: certificate has expired"));
    stop_fake(child);

    /* A name the certificate does not carry. */
    fake good = { cert("server.pem"), cert("server.key"), NULL, 2, 0, 0 };
    child = start_fake(&good, &port);
    authrpc_tls_options wrong_name = { cert("ca.pem"), NULL, NULL, "auth.example.com", 0 };
    CHECK(open_tls(port, 0, &wrong_name, &c) == AUTHRPC_ERR_TLS && c == NULL);
    CHECK(contains("hostname mismatch (expected auth.example.com)"));
    /* ... and the same server is fine when verification is switched off (tests only). */
    authrpc_tls_options insecure = { NULL, NULL, NULL, "auth.example.com", 1 };
    c = NULL;
    CHECK(open_tls(port, 0, &insecure, &c) == AUTHRPC_OK);
    authrpc_close(c);
    stop_fake(child);

    /* A plaintext server. */
    fake plain = { NULL, NULL, NULL, 1, 0, 1 };
    child = start_fake(&plain, &port);
    c = (authrpc_conn *)certs;
    CHECK(open_tls(port, 0, &tls, &c) == AUTHRPC_ERR_TLS && c == NULL);
    CHECK(contains("TLS handshake with 127.0.0.1:") && contains("a plaintext port?"));
    stop_fake(child);
}

static void test_config_errors(void)
{
    authrpc_conn *c = (authrpc_conn *)certs;
    authrpc_tls_options missing = { "/nonexistent/ca.pem", NULL, NULL, NULL, 0 };
    CHECK(open_tls(9, 0, &missing, &c) == AUTHRPC_ERR_TLS && c == NULL);
    CHECK(contains("TLS: CA file /nonexistent/ca.pem: No such file or directory"));
    CHECK(authrpc_last_errno() == ENOENT);

    authrpc_tls_options not_pem = { cert("ca.srl"), NULL, NULL, NULL, 0 };
    CHECK(open_tls(9, 0, &not_pem, &c) == AUTHRPC_ERR_TLS && c == NULL);
    CHECK(contains("cannot load CA file"));

    authrpc_tls_options mismatch = { cert("ca.pem"), cert("client.pem"), cert("server.key"), NULL, 0 };
    CHECK(open_tls(9, 0, &mismatch, &c) == AUTHRPC_ERR_TLS && c == NULL);
    CHECK(contains("cannot load client key") && contains("mismatch"));

    authrpc_tls_options key_only = { cert("ca.pem"), NULL, cert("client.key"), NULL, 0 };
    CHECK(open_tls(9, 0, &key_only, &c) == AUTHRPC_ERR_INVALID && c == NULL);
}

/* The server closes after each answer: every call reconnects with a new handshake. */
static void test_reconnect(void)
{
    fake f = { cert("server.pem"), cert("server.key"), NULL, 3, 1, 0 };
    uint16_t port;
    pid_t child = start_fake(&f, &port);
    authrpc_tls_options tls = { cert("ca.pem"), NULL, NULL, NULL, 0 };
    authrpc_conn *c = NULL;
    authrpc_response *r = NULL;
    CHECK(open_tls(port, 0, &tls, &c) == AUTHRPC_OK);
    for (int i = 0; c && i < 3; i++) {
        CHECK(authrpc_health(c, &r) == AUTHRPC_OK);
        authrpc_response_free(r);
        sleep_ms(30);
    }
    CHECK(authrpc_connection_count(c) == 3);
    authrpc_close(c);
    stop_fake(child);
}

/* Many big requests in flight: partial TLS writes, reading while writing. */
static void test_pipelining(void)
{
    enum { N = 3000 };
    fake f = { cert("server.pem"), cert("server.key"), NULL, 1, 0, 0 };
    uint16_t port;
    pid_t child = start_fake(&f, &port);
    authrpc_tls_options tls = { cert("ca.pem"), NULL, NULL, NULL, 0 };
    authrpc_conn *c = NULL;
    REQUIRE(open_tls(port, 0, &tls, &c) == AUTHRPC_OK);
    static char token[2048];
    memset(token, 't', sizeof token - 1);
    Authrpc__V1__VerifyTokenRequest body = AUTHRPC__V1__VERIFY_TOKEN_REQUEST__INIT;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    body.token = token;
    req.body_case = AUTHRPC_BODY_VERIFY_TOKEN;
    req.verify_token = &body;
    for (int i = 0; i < N; i++) {
        if (authrpc_send(c, &req, NULL) != AUTHRPC_OK) {
            fprintf(stderr, "send %d: %s\n", i, authrpc_last_error());
            test_failures++;
            break;
        }
    }
    int got = 0;
    authrpc_response *r;
    while (authrpc_in_flight(c) > 0 && authrpc_receive(c, &r) == AUTHRPC_OK) {
        got++;
        authrpc_response_free(r);
    }
    CHECK(got == N);
    authrpc_close(c);
    stop_fake(child);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const char *script = getenv("CERTS_SCRIPT");
    snprintf(certs, sizeof certs, "/tmp/authrpc-c-tls-XXXXXX");
    REQUIRE(mkdtemp(certs) != NULL);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' '%s'", script ? script : "tests/make-certs", certs);
    REQUIRE(system(cmd) == 0);

    test_round_trip();
    test_mtls();
    test_refusals();
    test_config_errors();
    test_reconnect();
    test_pipelining();

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", certs);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", certs);
    printf("test_tls: %d failure(s)\n", test_failures);
    return test_failures ? 1 : 0;
}
