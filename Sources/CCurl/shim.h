// libcurl's setopt/getinfo are variadic, which Swift cannot call; these typed
// inline wrappers are the only way the Swift side touches them.
#include <curl/curl.h>

static inline CURLcode authrpc_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode authrpc_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode authrpc_curl_setopt_write(CURL *h, size_t (*fn)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fn); }
static inline CURLcode authrpc_curl_setopt_header(CURL *h, size_t (*fn)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, fn); }
static inline CURLcode authrpc_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLSHcode authrpc_curl_share_setopt_long(CURLSH *s, CURLSHoption o, long v) { return curl_share_setopt(s, o, v); }
static inline CURLcode authrpc_curl_setopt_share(CURL *h, CURLSH *s) { return curl_easy_setopt(h, CURLOPT_SHARE, s); }

// Used by CurlHTTPTransport's multi loop.
static inline CURLcode authrpc_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLMcode authrpc_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
/// A finished transfer's result; `CURLMsg.data` is an anonymous union Swift imports awkwardly.
static inline CURLcode authrpc_curl_msg_result(const CURLMsg *msg) { return msg->data.result; }
static inline int authrpc_curl_msg_is_done(const CURLMsg *msg) { return msg->msg == CURLMSG_DONE; }
