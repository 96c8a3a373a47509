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
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/core_names.h>

// libssl's configuration calls that are C macros (SSL_CTX_ctrl / BIO_ctrl underneath), which
// Swift cannot import, as functions. Nothing else lives here: all logic is in IngestTLS.

static inline int ci_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int ci_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long ci_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline long ci_SSL_CTX_set_read_ahead(SSL_CTX *ctx, int yes) {
    return SSL_CTX_set_read_ahead(ctx, yes);
}
static inline long ci_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}
static inline long ci_SSL_CTX_sess_set_cache_size(SSL_CTX *ctx, long size) {
    return SSL_CTX_sess_set_cache_size(ctx, size);
}
static inline int ci_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_groups_list(ctx, list);
}
static inline int ci_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
static inline int ci_BIO_get_ktls_send(BIO *bio) {
    return BIO_get_ktls_send(bio) ? 1 : 0;
}
static inline int ci_BIO_get_ktls_recv(BIO *bio) {
    return BIO_get_ktls_recv(bio) ? 1 : 0;
}
static inline int ci_ERR_GET_LIB(unsigned long error) { return ERR_GET_LIB(error); }
static inline int ci_ERR_GET_REASON(unsigned long error) { return ERR_GET_REASON(error); }
static inline long ci_SSL_CTX_sess_number(SSL_CTX *ctx) { return SSL_CTX_sess_number(ctx); }
static inline unsigned long ci_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }
static inline uint64_t ci_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t ci_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline uint64_t ci_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t ci_SSL_OP_ENABLE_KTLS(void) { return SSL_OP_ENABLE_KTLS; }
static inline int ci_OPENSSL_NO_KTLS(void) {
#ifdef OPENSSL_NO_KTLS
    return 1;
#else
    return 0;
#endif
}

// IngestOAuth: public keys from JWK parameters (EVP_PKEY_fromdata), RSA and ECDSA verification,
// and (for tools and tests) key generation and signing.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

// EVP_PKEY_PUBLIC_KEY is a macro built from other macros, which Swift does not import.
static inline int connect_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }
#endif
