#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/hmac.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>

/* Helpers for OpenSSL macros Swift cannot import (composite or variadic). */
static inline int authrpc_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }
static inline EVP_PKEY *authrpc_rsa_generate(unsigned int bits) { return EVP_RSA_gen(bits); }
/* OSSL_PARAM_BLD keeps the key *name* pointer until OSSL_PARAM_BLD_to_param, so the names
   must be static C strings, not Swift temporaries. */
static inline int authrpc_param_bld_push_rsa_public(OSSL_PARAM_BLD *bld, const BIGNUM *n, const BIGNUM *e) {
    return OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1;
}
