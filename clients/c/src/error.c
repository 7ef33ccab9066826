/*
 * Error codes and this thread's last error: the code's words plus what failed,
 * on which address, and the system's or OpenSSL's reason (errno kept).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static _Thread_local struct {
    char message[512];
    int sys_errno;
} last;

const char *authrpc_strerror(authrpc_err err)
{
    switch (err) {
    case AUTHRPC_OK: return "success";
    case AUTHRPC_ERR_IO: return "I/O error or connection closed";
    case AUTHRPC_ERR_TIMEOUT: return "timed out";
    case AUTHRPC_ERR_PROTOCOL: return "protocol error (bad frame or unexpected response)";
    case AUTHRPC_ERR_STATUS: return "the server answered with a non-OK status";
    case AUTHRPC_ERR_NOMEM: return "out of memory";
    case AUTHRPC_ERR_INVALID: return "invalid argument";
    case AUTHRPC_ERR_RESOLVE: return "host name did not resolve";
    case AUTHRPC_ERR_FRAME_TOO_LARGE: return "response frame larger than the limit";
    case AUTHRPC_ERR_BUSY: return "pipelined requests are in flight on this connection";
    case AUTHRPC_ERR_CLOSED: return "connection closed";
    case AUTHRPC_ERR_TLS: return "TLS handshake or certificate verification failed";
    }
    return "unknown error";
}

const char *authrpc_last_error(void)
{
    return last.message;
}

int authrpc_last_errno(void)
{
    return last.sys_errno;
}

const char *authrpc_status_name(authrpc_status status)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&authrpc__v1__status__descriptor, (int)status);
    return v ? v->name : "UNKNOWN";
}

authrpc_err set_error(authrpc_err err, int sys_errno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last.message, sizeof last.message, fmt, ap);
    va_end(ap);
    if (n >= 0 && sys_errno != 0 && (size_t)n < sizeof last.message)
        snprintf(last.message + n, sizeof last.message - (size_t)n, ": %s", strerror(sys_errno));
    last.sys_errno = sys_errno;
    return err;
}

authrpc_err set_error_text(authrpc_err err, int sys_errno, const char *text)
{
    snprintf(last.message, sizeof last.message, "%s", text);
    last.sys_errno = sys_errno;
    return err;
}

void append_error(const char *fmt, ...)
{
    size_t n = strlen(last.message);
    if (n + 2 >= sizeof last.message) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last.message + n, sizeof last.message - n, fmt, ap);
    va_end(ap);
}

/* What a user can do about the usual OpenSSL reasons. */
static const char *tls_hint(unsigned long e)
{
    if (ERR_GET_LIB(e) != ERR_LIB_SSL) return NULL;
    switch (ERR_GET_REASON(e)) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
        return "the server requires a client certificate: set cert_file and key_file";
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
        return "the server refused the client certificate: not from its client CA?";
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
        return "the server refused the client certificate: it has expired";
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
        return "the server does not speak TLS 1.3: a plaintext port?";
    }
    return NULL;
}

authrpc_err set_tls_error(authrpc_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last.message, sizeof last.message, fmt, ap);
    va_end(ap);
    last.sys_errno = 0;
    /* The first queued error is the cause; later ones are its consequences. */
    unsigned long e = ERR_get_error();
    if (e != 0 && n >= 0 && (size_t)n < sizeof last.message) {
        const char *reason = ERR_reason_error_string(e);
        char buf[256];
        if (!reason) {
            ERR_error_string_n(e, buf, sizeof buf);
            reason = buf;
        }
        const char *hint = tls_hint(e);
        snprintf(last.message + n, sizeof last.message - (size_t)n, ": %s%s%s%s", reason,
                 hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
    }
    ERR_clear_error();
    return err;
}
