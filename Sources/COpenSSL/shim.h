#ifndef CONNECT_INGEST_COPENSSL_SHIM_H
#define CONNECT_INGEST_COPENSSL_SHIM_H
// The low-level SHA256_* API is deprecated in OpenSSL 3 but is the only way to copy a keyed
// HMAC state with a plain struct copy (no allocation per message). Silence the deprecation here.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/err.h>

// IngestOAuth: public keys from JWK parameters (EVP_PKEY_fromdata), RSA and ECDSA verification,
// and (for tools and tests) key generation and signing.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

// EVP_PKEY_PUBLIC_KEY is a macro built from other macros, which Swift does not import.
static inline int connect_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }
#endif
