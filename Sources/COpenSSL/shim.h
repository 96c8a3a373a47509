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
#endif
