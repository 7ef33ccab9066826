/*
 * Interop helpers: the step reporter of tests/interop.c, and our own
 * `authrpc serve` processes (AUTHRPC_BIN) for the tests that restart, stop or
 * reconfigure a server, backed by the file:// JWKS and tokens of
 * `authrpc bench mint` so that they need no Cognito.
 */
#ifndef AUTHRPC_LIVE_SERVER_H
#define AUTHRPC_LIVE_SERVER_H

#include <stdint.h>
#include <sys/types.h>

#include "authrpc.h"

/* Prints PASS/FAIL for one step (with the error and the server's answer); returns ok. */
int step(const char *name, int ok, authrpc_err err, const authrpc_response *r);

/* Prints "SKIP c: name (why)". */
void skip(const char *name, const char *why);

typedef struct {
    const char *bin;  /* the authrpc binary; NULL: AUTHRPC_BIN */
    pid_t pid;        /* 0: not running */
    uint16_t port;
    char log[256];    /* its stdout + stderr */
} live_server;

/* A folder with minted tokens, jwks.json and server.env, made once per run
 * (NULL without AUTHRPC_BIN or AUTHRPC_TLS_BIN). */
const char *live_mint(void);

/* Starts `s->bin serve` (AUTHRPC_BIN by default) on 127.0.0.1:port (0: a free one) with server.env
 * of live_mint() and `extra` ("NAME=value", NULL-terminated; may be NULL).
 * Does not wait: see live_wait. Returns 0, or -1 without a binary. */
int live_start(live_server *s, uint16_t port, const char *const *extra);

/* Waits until a client made by `open_client` answers Health OK; 0 or -1. */
int live_wait(live_server *s, authrpc_err (*open_client)(uint16_t port, authrpc_conn **c),
              int timeout_ms);

/* Sends sig and, unless it is SIGSTOP/SIGCONT, waits for the exit. */
void live_signal(live_server *s, int sig);

/* Prints the last lines of the server's log (after a failure). */
void live_dump_log(const live_server *s);

/* Line `index` (0-based) of a minted file ("valid.txt", ...), malloc'd; NULL if absent. */
char *live_token(const char *file, int index);

/* Removes live_mint()'s folder (servers' logs included). */
void live_cleanup(void);

/* A free loopback port (bound, then closed). */
uint16_t free_port(void);

/* The tests of interop_deploy.c and interop_tls.c. */
void interop_deploy(void);
void interop_tls(void);

#endif
