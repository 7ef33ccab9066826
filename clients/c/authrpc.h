/*
 * authrpc C client: a thin, blocking client for the authrpc wire protocol
 * (SPEC §3 framing, §4 messages) on top of libprotobuf-c.
 *
 * Ownership, in one rule: every `authrpc_response *` this library hands out is
 * owned by the caller and released by exactly one authrpc_response_free(). It is
 * the unpacked protobuf-c message (`Authrpc__V1__Response`), so every field of
 * SPEC §4 is reachable directly: resp->status, resp->error_type,
 * resp->verify_token->claims->sub, ... (the field `register` is `register_`).
 *
 * Errors: every call returns an authrpc_err. AUTHRPC_ERR_STATUS means the server
 * answered with a non-OK status; the response is still handed out so that status,
 * error_type, message, retry_after_ms (and any body, e.g. Health's when not ready)
 * can be read; free it as usual. On any other error the out pointer is set to NULL.
 *
 * A connection is not thread-safe: use one per thread, or lock around it.
 * After AUTHRPC_ERR_IO, _TIMEOUT (of a blocking call), _PROTOCOL,
 * _FRAME_TOO_LARGE or an id-0 FrameTooLarge answer (the server closes) the
 * connection is broken: every later call returns AUTHRPC_ERR_CLOSED; close it and
 * connect again. The same holds for AUTHRPC_ERR_IO on a connection the server
 * closed while it was idle (AUTHRPC_IDLE_TIMEOUT_S): this library never
 * reconnects or retries by itself.
 */
#ifndef AUTHRPC_H
#define AUTHRPC_H

#include <stddef.h>
#include <stdint.h>

#include "authrpc.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AUTHRPC_OK = 0,
    AUTHRPC_ERR_IO = -1,              /* socket error, or the server closed the connection */
    AUTHRPC_ERR_TIMEOUT = -2,         /* connect, read or write took longer than the timeout */
    AUTHRPC_ERR_PROTOCOL = -3,        /* undecodable response, unexpected id or body */
    AUTHRPC_ERR_STATUS = -4,          /* the server answered non-OK; see the response */
    AUTHRPC_ERR_NOMEM = -5,           /* an allocation failed */
    AUTHRPC_ERR_INVALID = -6,         /* bad argument (NULL where a value is needed, ...) */
    AUTHRPC_ERR_RESOLVE = -7,         /* the host name did not resolve */
    AUTHRPC_ERR_FRAME_TOO_LARGE = -8, /* a response frame announced more than the limit */
    AUTHRPC_ERR_BUSY = -9,            /* blocking call while pipelined requests are in flight */
    AUTHRPC_ERR_CLOSED = -10          /* the connection is broken by an earlier error */
} authrpc_err;

/* Short English description of an error code; never NULL, never freed. */
const char *authrpc_strerror(authrpc_err err);

/* Name of a wire status ("OK", "UNAUTHENTICATED", ...); "UNKNOWN" for others. */
const char *authrpc_status_name(Authrpc__V1__Status status);

typedef struct authrpc_conn authrpc_conn;
typedef Authrpc__V1__Response authrpc_response;
typedef Authrpc__V1__Request authrpc_request;

/* Default largest response frame accepted: 4 MiB. */
#define AUTHRPC_DEFAULT_MAX_FRAME_BYTES (4u * 1024u * 1024u)

/*
 * Connects over TCP (IPv4 or IPv6, TCP_NODELAY). timeout_ms bounds the connect
 * and becomes the connection's I/O timeout (see authrpc_set_timeout); 0 = none.
 */
authrpc_err authrpc_connect(const char *host, uint16_t port, int timeout_ms,
                            authrpc_conn **out);

/* Closes the socket and frees the connection; NULL is fine. */
void authrpc_close(authrpc_conn *conn);

/*
 * Timeout of one blocking call (write + read) and of one authrpc_receive or
 * authrpc_flush; 0 = wait for ever.
 */
void authrpc_set_timeout(authrpc_conn *conn, int timeout_ms);

/* deadline_ms put in every request of the blocking calls (SPEC §3); 0 = none. */
void authrpc_set_deadline(authrpc_conn *conn, uint32_t deadline_ms);

/* Largest response frame accepted; larger ones fail before any allocation. */
void authrpc_set_max_frame(authrpc_conn *conn, uint32_t max_frame_bytes);

/* Frees a response handed out by this library; NULL is fine. */
void authrpc_response_free(authrpc_response *resp);

/* --- blocking calls: one request, wait for its answer ----------------------- */

typedef struct {
    const char *key;
    const char *value;
} authrpc_kv;

typedef struct {
    const char *const *allowed;    /* at least one of these groups */
    size_t n_allowed;
    const char *const *required;   /* all of these groups */
    size_t n_required;
    const char *const *prohibited; /* none of these groups */
    size_t n_prohibited;
} authrpc_group_rules;

/* On AUTHRPC_OK, resp->health is set. Not ready: AUTHRPC_ERR_STATUS with the body. */
authrpc_err authrpc_health(authrpc_conn *conn, authrpc_response **resp);

/* attributes: n_attributes Cognito user attributes (may be NULL when 0). */
authrpc_err authrpc_register(authrpc_conn *conn, const char *username,
                             const char *password, const char *email,
                             const authrpc_kv *attributes, size_t n_attributes,
                             authrpc_response **resp);

authrpc_err authrpc_confirm_registration(authrpc_conn *conn, const char *username,
                                         const char *code, authrpc_response **resp);

authrpc_err authrpc_resend_confirmation_code(authrpc_conn *conn, const char *username,
                                             authrpc_response **resp);

/* On AUTHRPC_OK, resp->authenticate has tokens or challenge. */
authrpc_err authrpc_authenticate(authrpc_conn *conn, const char *username,
                                 const char *password, authrpc_response **resp);

/* On AUTHRPC_OK, resp->respond_to_challenge has tokens or a further challenge. */
authrpc_err authrpc_respond_to_challenge(authrpc_conn *conn, const char *username,
                                         const char *challenge_name, const char *session,
                                         const authrpc_kv *responses, size_t n_responses,
                                         authrpc_response **resp);

/* username may be NULL; the server needs it only for SECRET_HASH. */
authrpc_err authrpc_refresh_tokens(authrpc_conn *conn, const char *refresh_token,
                                   const char *username, authrpc_response **resp);

authrpc_err authrpc_sign_out(authrpc_conn *conn, const char *access_token,
                             authrpc_response **resp);

authrpc_err authrpc_forgot_password(authrpc_conn *conn, const char *username,
                                    authrpc_response **resp);

authrpc_err authrpc_confirm_forgot_password(authrpc_conn *conn, const char *username,
                                            const char *code, const char *new_password,
                                            authrpc_response **resp);

/* On AUTHRPC_OK, resp->verify_token->claims is set. */
authrpc_err authrpc_verify_token(authrpc_conn *conn, const char *token,
                                 Authrpc__V1__TokenUse use,
                                 const char *const *scopes, size_t n_scopes,
                                 authrpc_response **resp);

/* On AUTHRPC_OK, resp->check_groups has claims and matched_groups. */
authrpc_err authrpc_check_groups(authrpc_conn *conn, const char *token,
                                 Authrpc__V1__TokenUse use,
                                 const authrpc_group_rules *rules,
                                 authrpc_response **resp);

/*
 * Sends any request and waits for its answer. request->id is ignored (the
 * connection assigns one). Returns AUTHRPC_OK / AUTHRPC_ERR_STATUS like the typed
 * calls, without checking which body came back.
 */
authrpc_err authrpc_call(authrpc_conn *conn, const authrpc_request *request,
                         authrpc_response **resp);

/* --- pipelining: many requests in flight on one connection --------------------
 *
 * authrpc_send queues a request (the connection assigns request ids, never 0,
 * and writes *id); queued bytes go out when 64 KiB accumulate, on authrpc_flush,
 * or on authrpc_receive. authrpc_receive returns the next response in arrival
 * order, which need not be send order: match by resp->id. It returns AUTHRPC_OK
 * for any decoded response, whatever its status; id 0 is a connection-level
 * error (MalformedRequest, FrameTooLarge). A receive that times out leaves the
 * connection usable: call it again. Keep the number in flight bounded (the
 * server reads at most 1024 ahead by default); while blocked writing, the
 * connection keeps reading answers into memory so neither side can deadlock.
 */
authrpc_err authrpc_send(authrpc_conn *conn, const authrpc_request *request, uint64_t *id);
authrpc_err authrpc_flush(authrpc_conn *conn);
authrpc_err authrpc_receive(authrpc_conn *conn, authrpc_response **resp);

/* Requests sent (or queued) whose answers have not been received yet. */
size_t authrpc_in_flight(const authrpc_conn *conn);

#ifdef __cplusplus
}
#endif

#endif /* AUTHRPC_H */
