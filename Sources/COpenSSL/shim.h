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
