/*
 * The typed calls: each builds its SPEC §4 request on the stack and makes one
 * blocking call (conn.c) that must come back with the matching body.
 */
#include "internal.h"

#include <stdlib.h>

/* The plain body-case numbers of authrpc.h are the generated ones. */
#define SAME_CASE(NAME)                                                                   \
    _Static_assert(AUTHRPC_BODY_##NAME == (int)AUTHRPC__V1__REQUEST__BODY_##NAME &&        \
                       AUTHRPC_BODY_##NAME == (int)AUTHRPC__V1__RESPONSE__BODY_##NAME,     \
                   "body case " #NAME)
SAME_CASE(HEALTH);
SAME_CASE(REGISTER);
SAME_CASE(CONFIRM_REGISTRATION);
SAME_CASE(RESEND_CONFIRMATION_CODE);
SAME_CASE(AUTHENTICATE);
SAME_CASE(RESPOND_TO_CHALLENGE);
SAME_CASE(REFRESH_TOKENS);
SAME_CASE(SIGN_OUT);
SAME_CASE(FORGOT_PASSWORD);
SAME_CASE(CONFIRM_FORGOT_PASSWORD);
SAME_CASE(VERIFY_TOKEN);
SAME_CASE(CHECK_GROUPS);

static authrpc_err call(authrpc_conn *c, const authrpc_request *request, int expected,
                        authrpc_response **out)
{
    return conn_call(c, request, -1, expected, out);
}

authrpc_err authrpc_call(authrpc_conn *conn, const authrpc_request *request,
                         authrpc_response **resp)
{
    return conn_call(conn, request, -1, AUTHRPC_BODY_NOT_SET, resp);
}

authrpc_err authrpc_call_timeout(authrpc_conn *conn, const authrpc_request *request,
                                 int timeout_ms, authrpc_response **resp)
{
    return conn_call(conn, request, timeout_ms > 0 ? timeout_ms : -1, AUTHRPC_BODY_NOT_SET, resp);
}

/* protobuf-c wants char *; the library never writes through these. */
static char *str(const char *s)
{
    return (char *)(s ? s : "");
}

/*
 * Map fields are repeated key/value entry messages. Both of our maps have
 * string keys and values, so one macro builds either kind on the heap; the
 * caller frees *ENTRIES and *PTRS (two plain free()s).
 */
#define BUILD_MAP(TYPE, INIT, KV, N, ENTRIES, PTRS)                        \
    do {                                                                   \
        (ENTRIES) = NULL;                                                  \
        (PTRS) = NULL;                                                     \
        if ((N) > 0) {                                                     \
            if (!(KV))                                                     \
                return set_error(AUTHRPC_ERR_INVALID, 0, "map is NULL");   \
            (ENTRIES) = calloc((N), sizeof(TYPE));                         \
            (PTRS) = calloc((N), sizeof(TYPE *));                          \
            if (!(ENTRIES) || !(PTRS)) {                                   \
                free(ENTRIES);                                             \
                free(PTRS);                                                \
                return set_error(AUTHRPC_ERR_NOMEM, 0, "map entries");    \
            }                                                              \
            for (size_t i_ = 0; i_ < (N); i_++) {                          \
                TYPE init_ = INIT;                                         \
                init_.key = str((KV)[i_].key);                             \
                init_.value = str((KV)[i_].value);                         \
                (ENTRIES)[i_] = init_;                                     \
                (PTRS)[i_] = &(ENTRIES)[i_];                               \
            }                                                              \
        }                                                                  \
    } while (0)

authrpc_err authrpc_health(authrpc_conn *conn, authrpc_response **resp)
{
    Authrpc__V1__HealthRequest body = AUTHRPC__V1__HEALTH_REQUEST__INIT;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_HEALTH;
    req.health = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_HEALTH, resp);
}

authrpc_err authrpc_register(authrpc_conn *conn, const char *username,
                             const char *password, const char *email,
                             const authrpc_kv *attributes, size_t n_attributes,
                             authrpc_response **resp)
{
    if (resp) *resp = NULL;
    Authrpc__V1__RegisterRequest__AttributesEntry *entries, **ptrs;
    BUILD_MAP(Authrpc__V1__RegisterRequest__AttributesEntry,
              AUTHRPC__V1__REGISTER_REQUEST__ATTRIBUTES_ENTRY__INIT, attributes, n_attributes,
              entries, ptrs);
    Authrpc__V1__RegisterRequest body = AUTHRPC__V1__REGISTER_REQUEST__INIT;
    body.username = str(username);
    body.password = str(password);
    body.email = str(email);
    body.n_attributes = n_attributes;
    body.attributes = ptrs;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_REGISTER;
    req.register_ = &body;
    authrpc_err err = call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_REGISTER, resp);
    free(entries);
    free(ptrs);
    return err;
}

authrpc_err authrpc_confirm_registration(authrpc_conn *conn, const char *username,
                                         const char *code, authrpc_response **resp)
{
    Authrpc__V1__ConfirmRegistrationRequest body =
        AUTHRPC__V1__CONFIRM_REGISTRATION_REQUEST__INIT;
    body.username = str(username);
    body.code = str(code);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_CONFIRM_REGISTRATION;
    req.confirm_registration = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_CONFIRM_REGISTRATION, resp);
}

authrpc_err authrpc_resend_confirmation_code(authrpc_conn *conn, const char *username,
                                             authrpc_response **resp)
{
    Authrpc__V1__ResendConfirmationCodeRequest body =
        AUTHRPC__V1__RESEND_CONFIRMATION_CODE_REQUEST__INIT;
    body.username = str(username);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_RESEND_CONFIRMATION_CODE;
    req.resend_confirmation_code = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_RESEND_CONFIRMATION_CODE, resp);
}

authrpc_err authrpc_authenticate(authrpc_conn *conn, const char *username,
                                 const char *password, authrpc_response **resp)
{
    Authrpc__V1__AuthenticateRequest body = AUTHRPC__V1__AUTHENTICATE_REQUEST__INIT;
    body.username = str(username);
    body.password = str(password);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_AUTHENTICATE;
    req.authenticate = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_AUTHENTICATE, resp);
}

authrpc_err authrpc_respond_to_challenge(authrpc_conn *conn, const char *username,
                                         const char *challenge_name, const char *session,
                                         const authrpc_kv *responses, size_t n_responses,
                                         authrpc_response **resp)
{
    if (resp) *resp = NULL;
    Authrpc__V1__RespondToChallengeRequest__ResponsesEntry *entries, **ptrs;
    BUILD_MAP(Authrpc__V1__RespondToChallengeRequest__ResponsesEntry,
              AUTHRPC__V1__RESPOND_TO_CHALLENGE_REQUEST__RESPONSES_ENTRY__INIT, responses,
              n_responses, entries, ptrs);
    Authrpc__V1__RespondToChallengeRequest body = AUTHRPC__V1__RESPOND_TO_CHALLENGE_REQUEST__INIT;
    body.username = str(username);
    body.challenge_name = str(challenge_name);
    body.session = str(session);
    body.n_responses = n_responses;
    body.responses = ptrs;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_RESPOND_TO_CHALLENGE;
    req.respond_to_challenge = &body;
    authrpc_err err = call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_RESPOND_TO_CHALLENGE, resp);
    free(entries);
    free(ptrs);
    return err;
}

authrpc_err authrpc_refresh_tokens(authrpc_conn *conn, const char *refresh_token,
                                   const char *username, authrpc_response **resp)
{
    Authrpc__V1__RefreshTokensRequest body = AUTHRPC__V1__REFRESH_TOKENS_REQUEST__INIT;
    body.refresh_token = str(refresh_token);
    body.username = str(username);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_REFRESH_TOKENS;
    req.refresh_tokens = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_REFRESH_TOKENS, resp);
}

authrpc_err authrpc_sign_out(authrpc_conn *conn, const char *access_token,
                             authrpc_response **resp)
{
    Authrpc__V1__SignOutRequest body = AUTHRPC__V1__SIGN_OUT_REQUEST__INIT;
    body.access_token = str(access_token);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_SIGN_OUT;
    req.sign_out = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_SIGN_OUT, resp);
}

authrpc_err authrpc_forgot_password(authrpc_conn *conn, const char *username,
                                    authrpc_response **resp)
{
    Authrpc__V1__ForgotPasswordRequest body = AUTHRPC__V1__FORGOT_PASSWORD_REQUEST__INIT;
    body.username = str(username);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_FORGOT_PASSWORD;
    req.forgot_password = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_FORGOT_PASSWORD, resp);
}

authrpc_err authrpc_confirm_forgot_password(authrpc_conn *conn, const char *username,
                                            const char *code, const char *new_password,
                                            authrpc_response **resp)
{
    Authrpc__V1__ConfirmForgotPasswordRequest body =
        AUTHRPC__V1__CONFIRM_FORGOT_PASSWORD_REQUEST__INIT;
    body.username = str(username);
    body.code = str(code);
    body.new_password = str(new_password);
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_CONFIRM_FORGOT_PASSWORD;
    req.confirm_forgot_password = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_CONFIRM_FORGOT_PASSWORD, resp);
}

authrpc_err authrpc_verify_token(authrpc_conn *conn, const char *token,
                                 authrpc_token_use use,
                                 const char *const *scopes, size_t n_scopes,
                                 authrpc_response **resp)
{
    if (resp) *resp = NULL;
    if (!token || (n_scopes > 0 && !scopes))
        return set_error(AUTHRPC_ERR_INVALID, 0, "verify_token: token or scopes is NULL");
    Authrpc__V1__VerifyTokenRequest body = AUTHRPC__V1__VERIFY_TOKEN_REQUEST__INIT;
    body.token = (char *)token;
    body.token_use = use;
    body.n_required_scopes = n_scopes;
    body.required_scopes = (char **)scopes;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_VERIFY_TOKEN;
    req.verify_token = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_VERIFY_TOKEN, resp);
}

authrpc_err authrpc_check_groups(authrpc_conn *conn, const char *token,
                                 authrpc_token_use use,
                                 const authrpc_group_rules *rules,
                                 authrpc_response **resp)
{
    if (resp) *resp = NULL;
    if (!token || !rules || (rules->n_allowed > 0 && !rules->allowed) ||
        (rules->n_required > 0 && !rules->required) ||
        (rules->n_prohibited > 0 && !rules->prohibited))
        return set_error(AUTHRPC_ERR_INVALID, 0, "check_groups: token or rules is NULL");
    Authrpc__V1__CheckGroupsRequest body = AUTHRPC__V1__CHECK_GROUPS_REQUEST__INIT;
    body.token = (char *)token;
    body.token_use = use;
    body.n_allowed_groups = rules->n_allowed;
    body.allowed_groups = (char **)rules->allowed;
    body.n_required_groups = rules->n_required;
    body.required_groups = (char **)rules->required;
    body.n_prohibited_groups = rules->n_prohibited;
    body.prohibited_groups = (char **)rules->prohibited;
    authrpc_request req = AUTHRPC__V1__REQUEST__INIT;
    req.body_case = AUTHRPC__V1__REQUEST__BODY_CHECK_GROUPS;
    req.check_groups = &body;
    return call(conn, &req, AUTHRPC__V1__RESPONSE__BODY_CHECK_GROUPS, resp);
}
