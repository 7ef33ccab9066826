/*
 * Example: connect, check Health, verify one token.
 *
 *   examples/verify HOST PORT TOKEN [id|access|any] [SCOPE...]
 *
 * HOST may be a comma-separated list (each tried in turn). With AUTHRPC_TLS_CA
 * set the connection is TLS 1.3, verified against that CA file;
 * AUTHRPC_TLS_CLIENT_CERT and AUTHRPC_TLS_CLIENT_KEY add a client certificate,
 * AUTHRPC_TLS_SERVER_NAME the name to check (the same settings as `authrpc call`).
 * Prints the token's subject, username and groups; never the token itself.
 * Exit status: 0 valid, 1 rejected by the server, 2 usage or transport error.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authrpc.h"

static authrpc_token_use parse_use(const char *s)
{
    if (strcmp(s, "id") == 0) return AUTHRPC_TOKEN_USE_ID;
    if (strcmp(s, "access") == 0) return AUTHRPC_TOKEN_USE_ACCESS;
    return AUTHRPC_TOKEN_USE_ANY;
}

/* Prints status, error_type and message of a non-OK answer. */
static void print_status(const char *what, const authrpc_response *r)
{
    fflush(stdout); /* keep stdout and stderr lines in order */
    fprintf(stderr, "%s: %s %s: %s", what, authrpc_status_name(r->status), r->error_type,
            r->message);
    if (r->retry_after_ms) fprintf(stderr, " (retry after %u ms)", r->retry_after_ms);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST PORT TOKEN [id|access|any] [SCOPE...]\n", argv[0]);
        return 2;
    }
    long port = strtol(argv[2], NULL, 10);
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "bad port: %s\n", argv[2]);
        return 2;
    }
    /* "a,b,c" + PORT -> {"a:PORT", "b:PORT", "c:PORT"} */
    enum { MAX_ADDRS = 8 };
    char hosts[512], addrs[MAX_ADDRS][300];
    const char *list[MAX_ADDRS];
    size_t n = 0;
    snprintf(hosts, sizeof hosts, "%s", argv[1]);
    for (char *save = NULL, *h = strtok_r(hosts, ",", &save); h && n < MAX_ADDRS;
         h = strtok_r(NULL, ",", &save)) {
        snprintf(addrs[n], sizeof addrs[n], strchr(h, ':') ? "[%s]:%ld" : "%s:%ld", h, port);
        list[n] = addrs[n];
        n++;
    }
    authrpc_tls_options tls = { getenv("AUTHRPC_TLS_CA"), getenv("AUTHRPC_TLS_CLIENT_CERT"),
                                getenv("AUTHRPC_TLS_CLIENT_KEY"), getenv("AUTHRPC_TLS_SERVER_NAME"), 0 };
    authrpc_options options = { 0 };
    options.addresses = list;
    options.n_addresses = n;
    options.tls = tls.ca_file ? &tls : NULL;
    options.timeout_ms = 2000;

    authrpc_conn *conn = NULL;
    authrpc_err err = authrpc_open(&options, &conn);
    if (err != AUTHRPC_OK) {
        fprintf(stderr, "connect: %s\n", authrpc_last_error());
        return 2;
    }

    authrpc_response *resp = NULL;
    err = authrpc_health(conn, &resp);
    if (err == AUTHRPC_OK) {
        printf("health: OK, version %s, %zu pool(s)\n", resp->health->version,
               resp->health->n_pools);
    } else if (err == AUTHRPC_ERR_STATUS) {
        print_status("health", resp); /* e.g. UNAVAILABLE NotReady; carry on */
    } else {
        fprintf(stderr, "health: %s\n", authrpc_last_error());
        authrpc_close(conn);
        return 2;
    }
    authrpc_response_free(resp);

    authrpc_token_use use = argc > 4 ? parse_use(argv[4]) : AUTHRPC_TOKEN_USE_ANY;
    const char *const *scopes = argc > 5 ? (const char *const *)&argv[5] : NULL;
    size_t n_scopes = argc > 5 ? (size_t)(argc - 5) : 0;
    int rc;
    err = authrpc_verify_token(conn, argv[3], use, scopes, n_scopes, &resp);
    if (err == AUTHRPC_OK) {
        const authrpc_claims *c = resp->verify_token->claims;
        printf("valid: sub=%s username=%s groups=", c ? c->sub : "", c ? c->username : "");
        for (size_t i = 0; c && i < c->n_groups; i++) printf("%s%s", i ? "," : "", c->groups[i]);
        putchar('\n');
        rc = 0;
    } else if (err == AUTHRPC_ERR_STATUS) {
        print_status("verify_token", resp);
        rc = 1;
    } else {
        fprintf(stderr, "verify_token: %s\n", authrpc_last_error());
        rc = 2;
    }
    authrpc_response_free(resp);
    authrpc_close(conn);
    return rc;
}
