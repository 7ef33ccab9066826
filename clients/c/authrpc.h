/*
 * authrpc C client: a blocking, pipelining client for the authrpc wire protocol
 * (SPEC §3 framing, §4 messages) on libprotobuf-c, with TLS 1.3 / mTLS on
 * OpenSSL libssl (SPEC §8) and the deployment behaviour of SPEC §10: a list of
 * addresses, reconnect with backoff, per-call deadlines.
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
 * can be read; free it as usual. On any other error the out pointer is set to
 * NULL, and authrpc_last_error() says what happened in this thread, with the
 * system's words kept ("connect 10.0.0.7:7400: Connection refused");
 * authrpc_last_errno() is the errno behind it.
 *
 * Connections survive a deployment. A connection holds a list of addresses; when
 * the one in use drops (server restart, idle timeout, connection age), every
 * request in flight on it fails with a transport error (AUTHRPC_ERR_IO, _TLS or
 * _PROTOCOL) and is never answered later; the next call connects again, trying
 * the addresses in turn, waiting between failed rounds with exponential backoff
 * and jitter, within that call's deadline. Request ids are never reused on one
 * authrpc_conn, and an answer whose id is not in flight is a protocol error, so no
 * call is answered twice or with another call's answer. A blocking call that
 * times out leaves the connection usable: its late answer is dropped.
 *
 * A connection is not thread-safe: use one per thread, or lock around it.
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
    AUTHRPC_ERR_IO = -1,              /* could not connect, socket error, or connection closed */
    AUTHRPC_ERR_TIMEOUT = -2,         /* the call's deadline passed */
    AUTHRPC_ERR_PROTOCOL = -3,        /* undecodable response, unknown id or unexpected body */
    AUTHRPC_ERR_STATUS = -4,          /* the server answered non-OK; see the response */
    AUTHRPC_ERR_NOMEM = -5,           /* an allocation failed */
    AUTHRPC_ERR_INVALID = -6,         /* bad argument (NULL where a value is needed, ...) */
    AUTHRPC_ERR_RESOLVE = -7,         /* the host name did not resolve */
    AUTHRPC_ERR_FRAME_TOO_LARGE = -8, /* a response frame announced more than the limit */
    AUTHRPC_ERR_BUSY = -9,            /* blocking call while pipelined requests are in flight */
    AUTHRPC_ERR_CLOSED = -10,         /* kept for source compatibility; no longer returned */
    AUTHRPC_ERR_TLS = -11             /* TLS setup, handshake or certificate verification failed */
} authrpc_err;

/* Short English description of an error code; never NULL, never freed. */
const char *authrpc_strerror(authrpc_err err);

/*
 * What the last failing authrpc call of this thread failed on, with the host,
 * the operation and strerror(errno) or OpenSSL's reason. Like errno, it is only
 * meaningful right after a call returned an error (other than
 * AUTHRPC_ERR_STATUS, whose detail is in the response); successful calls leave
 * it alone. Never NULL; valid until this thread's next failing call.
 */
const char *authrpc_last_error(void);

/* The errno behind authrpc_last_error(); 0 when no system call failed. */
int authrpc_last_errno(void);

/* ---- names without protobuf-c's prefixes ---------------------------------------
 * The same types and values as the generated Authrpc__V1__* ones, which stay
 * valid: resp->status == AUTHRPC_STATUS_UNAUTHENTICATED. */

typedef Authrpc__V1__Status authrpc_status;
#define AUTHRPC_STATUS_OK AUTHRPC__V1__STATUS__OK
#define AUTHRPC_STATUS_INVALID_ARGUMENT AUTHRPC__V1__STATUS__INVALID_ARGUMENT
#define AUTHRPC_STATUS_UNAUTHENTICATED AUTHRPC__V1__STATUS__UNAUTHENTICATED
#define AUTHRPC_STATUS_PERMISSION_DENIED AUTHRPC__V1__STATUS__PERMISSION_DENIED
#define AUTHRPC_STATUS_NOT_FOUND AUTHRPC__V1__STATUS__NOT_FOUND
#define AUTHRPC_STATUS_ALREADY_EXISTS AUTHRPC__V1__STATUS__ALREADY_EXISTS
#define AUTHRPC_STATUS_FAILED_PRECONDITION AUTHRPC__V1__STATUS__FAILED_PRECONDITION
#define AUTHRPC_STATUS_RESOURCE_EXHAUSTED AUTHRPC__V1__STATUS__RESOURCE_EXHAUSTED
#define AUTHRPC_STATUS_UNAVAILABLE AUTHRPC__V1__STATUS__UNAVAILABLE
#define AUTHRPC_STATUS_DEADLINE_EXCEEDED AUTHRPC__V1__STATUS__DEADLINE_EXCEEDED
#define AUTHRPC_STATUS_UNIMPLEMENTED AUTHRPC__V1__STATUS__UNIMPLEMENTED
#define AUTHRPC_STATUS_INTERNAL AUTHRPC__V1__STATUS__INTERNAL

typedef Authrpc__V1__TokenUse authrpc_token_use;
#define AUTHRPC_TOKEN_USE_ANY AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ANY
#define AUTHRPC_TOKEN_USE_ID AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ID
#define AUTHRPC_TOKEN_USE_ACCESS AUTHRPC__V1__TOKEN_USE__TOKEN_USE_ACCESS

/* Body cases: requests and responses share field numbers (SPEC §4), so one set of
 * names serves req.body_case and resp->body_case (plain numbers, so that comparing
 * either enum with them draws no warning). */
#define AUTHRPC_BODY_NOT_SET 0
#define AUTHRPC_BODY_HEALTH 10
#define AUTHRPC_BODY_REGISTER 11
#define AUTHRPC_BODY_CONFIRM_REGISTRATION 12
#define AUTHRPC_BODY_RESEND_CONFIRMATION_CODE 13
#define AUTHRPC_BODY_AUTHENTICATE 14
#define AUTHRPC_BODY_RESPOND_TO_CHALLENGE 15
#define AUTHRPC_BODY_REFRESH_TOKENS 16
#define AUTHRPC_BODY_SIGN_OUT 17
#define AUTHRPC_BODY_FORGOT_PASSWORD 18
#define AUTHRPC_BODY_CONFIRM_FORGOT_PASSWORD 19
#define AUTHRPC_BODY_VERIFY_TOKEN 20
#define AUTHRPC_BODY_CHECK_GROUPS 21

typedef Authrpc__V1__Claims authrpc_claims;
typedef Authrpc__V1__Tokens authrpc_tokens;
typedef Authrpc__V1__Challenge authrpc_challenge;

/* Name of a wire status ("OK", "UNAUTHENTICATED", ...); "UNKNOWN" for others. */
const char *authrpc_status_name(authrpc_status status);

typedef struct authrpc_conn authrpc_conn;
typedef Authrpc__V1__Response authrpc_response;
typedef Authrpc__V1__Request authrpc_request;

/* Default largest response frame accepted: 4 MiB. */
#define AUTHRPC_DEFAULT_MAX_FRAME_BYTES (4u * 1024u * 1024u)

/* ---- opening a connection -------------------------------------------------------- */

/*
 * TLS 1.3 (SPEC §8). The server's certificate is verified against ca_file and
 * its name (DNS or IP SAN) against server_name, or else the host of the address
 * being connected to.
 */
typedef struct {
    const char *ca_file;     /* PEM CAs trusted for the server; NULL: the system's store */
    const char *cert_file;   /* PEM client certificate (chain) for mTLS; NULL: none */
    const char *key_file;    /* PEM key of cert_file; NULL: read from cert_file */
    const char *server_name; /* name to verify and send as SNI; NULL: each address's host */
    int insecure_skip_verify; /* 1: accept any certificate. For tests only. */
} authrpc_tls_options;

/*
 * Everything authrpc_open needs. Zero every field you do not set
 * (`authrpc_options o = {0};`): zero means the default.
 */
typedef struct {
    const char *const *addresses; /* "host:port" or "[v6]:port"; tried in turn */
    size_t n_addresses;
    const authrpc_tls_options *tls; /* NULL: plaintext (the server allows it on loopback) */
    int timeout_ms;         /* deadline of each call (see authrpc_set_timeout); 0: none */
    int connect_timeout_ms; /* one TCP connect + TLS handshake; 0: timeout_ms, else 5000 */
    uint32_t deadline_ms;   /* see authrpc_set_deadline; 0: the time left of each call */
    uint32_t max_frame_bytes; /* 0: AUTHRPC_DEFAULT_MAX_FRAME_BYTES */
    int backoff_initial_ms; /* first wait after a failed round of connects; 0: 50 */
    int backoff_max_ms;     /* waits double up to this; 0: 2000 */
} authrpc_options;

/*
 * Checks the options, copies what it needs (the options may be freed after),
 * sets up TLS and connects to the first address that answers, starting at a
 * random one so that clients spread over replicas. Fails (AUTHRPC_ERR_IO,
 * _RESOLVE, _TIMEOUT, _TLS, _INVALID) if no address could be connected to; see
 * authrpc_last_error().
 */
authrpc_err authrpc_open(const authrpc_options *options, authrpc_conn **out);

/*
 * authrpc_open with one plaintext address (a name, or an IPv4 or IPv6 literal
 * without brackets). timeout_ms bounds each connect and becomes the connection's
 * call deadline (see authrpc_set_timeout); 0 = no call deadline, and connects
 * give up after 5 s.
 */
authrpc_err authrpc_connect(const char *host, uint16_t port, int timeout_ms,
                            authrpc_conn **out);

/* Closes the socket (TLS: sends close_notify) and frees the connection; NULL is fine. */
void authrpc_close(authrpc_conn *conn);

/*
 * Deadline of each following blocking call, reconnecting included, and of one
 * authrpc_receive or authrpc_flush; 0 = wait for ever. Cheap: set it before a
 * call to give that call its own deadline. Blocking calls also tell the server
 * (deadline_ms, SPEC §3) what is left of it, unless authrpc_set_deadline says
 * otherwise.
 */
void authrpc_set_timeout(authrpc_conn *conn, int timeout_ms);

/* deadline_ms put in every request of the blocking calls (SPEC §3); 0 = the time
 * left of the call's timeout, if any. */
void authrpc_set_deadline(authrpc_conn *conn, uint32_t deadline_ms);

/*
 * W3C traceparent (SPEC §9: "00-<32 hex>-<16 hex>-<2 hex>") put in every following
 * request whose own traceparent is empty; NULL or "" stops. The server logs its trace
 * id in the access and audit lines and forwards it nowhere; one that does not parse is
 * ignored by the server, not refused. Copied (at most AUTHRPC_MAX_TRACEPARENT bytes,
 * else AUTHRPC_ERR_INVALID and the previous one stays). Cheap: set it before a call to
 * give that call its own.
 */
#define AUTHRPC_MAX_TRACEPARENT 255
authrpc_err authrpc_set_traceparent(authrpc_conn *conn, const char *traceparent);

/* Largest response frame accepted; larger ones fail before any allocation. */
void authrpc_set_max_frame(authrpc_conn *conn, uint32_t max_frame_bytes);

/* Connections established so far (1 after open; grows with each reconnect). */
unsigned long authrpc_connection_count(const authrpc_conn *conn);

/* "host:port" of the address connected to, or NULL while disconnected. */
const char *authrpc_current_address(const authrpc_conn *conn);

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
                                 authrpc_token_use use,
                                 const char *const *scopes, size_t n_scopes,
                                 authrpc_response **resp);

/* On AUTHRPC_OK, resp->check_groups has claims and matched_groups. */
authrpc_err authrpc_check_groups(authrpc_conn *conn, const char *token,
                                 authrpc_token_use use,
                                 const authrpc_group_rules *rules,
                                 authrpc_response **resp);

/*
 * Sends any request and waits for its answer. request->id is ignored (the
 * connection assigns one). Returns AUTHRPC_OK / AUTHRPC_ERR_STATUS like the typed
 * calls, without checking which body came back.
 */
authrpc_err authrpc_call(authrpc_conn *conn, const authrpc_request *request,
                         authrpc_response **resp);

/* Like authrpc_call, with a deadline for this call only (0: the connection's). */
authrpc_err authrpc_call_timeout(authrpc_conn *conn, const authrpc_request *request,
                                 int timeout_ms, authrpc_response **resp);

/* --- pipelining: many requests in flight on one connection --------------------
 *
 * authrpc_send queues a request (the connection assigns request ids, never 0 and
 * never reused, and writes *id); queued bytes go out when 64 KiB accumulate, on
 * authrpc_flush, or on authrpc_receive. authrpc_receive returns the next response
 * in arrival order, which need not be send order: match by resp->id. It returns
 * AUTHRPC_OK for any decoded response, whatever its status; id 0 is a
 * connection-level error (MalformedRequest, FrameTooLarge). A receive that times
 * out leaves the connection usable: call it again. Keep the number in flight
 * bounded (the server reads at most 1024 ahead by default); while blocked
 * writing, the connection keeps reading answers into memory so neither side can
 * deadlock.
 *
 * When send, flush or receive returns a transport error (AUTHRPC_ERR_IO, _TLS,
 * _PROTOCOL, _FRAME_TOO_LARGE), the connection dropped and every request in
 * flight failed: authrpc_in_flight() is 0 and none of them will be answered.
 * authrpc_send connects again (as a blocking call would).
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
