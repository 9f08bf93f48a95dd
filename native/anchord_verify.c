/*
 * anchord_verify: DNSSEC signature verification for RSA (RFC 3110 §3, RFC 5702 §3) and ECDSA
 * (RFC 6605 §4) through the OpenSSL that Node itself carries, with one ready verify context per
 * DNSKEY.
 *
 * Why it exists (bench/README.md, "Crypto verify"): node:crypto on Node 20 / OpenSSL 3.0 builds a
 * new EVP_PKEY_CTX (provider fetch, key export to the provider, padding and digest set-up) for
 * every `crypto.verify` call, about 4 µs, which keeps RSA-2048 at ~0.7 of `openssl speed`. Here
 * EVP_PKEY_verify_init, the RSA padding and the signature digest are set once per key, and every
 * verify is: hash the signed data with a kept EVP_MD_CTX, then EVP_PKEY_verify on the digest.
 *
 * The symbols are Node's own (the node binary exports its statically linked OpenSSL); the addon
 * links no libcrypto of its own, so there is one OpenSSL in the process.
 *
 * Untrusted input: every signature and key length is checked here as well as in TypeScript.
 * Anything malformed is a false verdict (or a null key), never a crash; OpenSSL's error queue is
 * cleared after every failure so that node:crypto never reads a stale error of ours.
 *
 * EdDSA (RFC 8080 §4: pure Ed25519/Ed448, no prehash, no context) goes through
 * EVP_DigestVerify with an EVP_MD_CTX initialised once per key (EVP_DigestVerifyInit fetches the
 * provider's algorithm and copies the key into it; node does that on every call). OpenSSL 3.0
 * lets a one-shot EdDSA verify context be used again: its provider context keeps only the key.
 *
 * Off the main thread: verifyAsync runs a batch on one of libuv's threads (napi async work), so
 * the event loop goes on while the checks run, without a worker isolate or a message copy. One
 * batch at a time per environment: the async side has its own verify and digest contexts (the
 * main thread's stay free for `verify`), and a second batch while one runs is refused (false);
 * the caller queues. The batch's bytes are copied into one C buffer when it is queued and the key
 * array is held by a reference until the callback, so nothing the batch reads can change or be
 * collected under it. EVP_PKEY objects are only read by both sides, which OpenSSL 3 allows.
 *
 * JS interface (src/crypto/native-addon.ts):
 *   rsaKey(digest, n, e)        -> key | null   digest: 1 SHA-1, 2 SHA-256, 4 SHA-512
 *   ecKey(algorithm, xy)        -> key | null   algorithm: 13 P-256/SHA-256, 14 P-384/SHA-384
 *   edKey(algorithm, key)       -> key | null   algorithm: 15 Ed25519, 16 Ed448
 *   verify(key, data, sig)      -> boolean
 *   verifyBatch(keys, datas, sigs, out) -> undefined; out[i] = 1 valid, 0 not
 *   verifyAsync(keys, datas, sigs, callback) -> boolean (false: a batch is running);
 *                                  later callback(out: Uint8Array), out[i] = 1 valid, 0 not
 * A key is an external owned by the JavaScript heap; its OpenSSL objects are freed with it.
 * Each key belongs to the thread (N-API environment) that made it.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/bn.h>
#include <openssl/rsa.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchord_udp.h"

enum { DIG_SHA1 = 1, DIG_SHA256 = 2, DIG_SHA384 = 3, DIG_SHA512 = 4, DIG_COUNT = 5 };
enum { KIND_RSA = 1, KIND_EC = 2, KIND_ED = 3 };
/* Which side uses a context: the JS thread (`verify`, `verifyBatch`) or the async batch. */
enum { SIDE_JS = 0, SIDE_ASYNC = 1, SIDES = 2 };

/* RSA modulus bounds (RFC 3110 §2 allows 512..4096 bits; the TypeScript side applies the
 * configured limits, these only keep the C side safe on its own). */
#define RSA_MAX_MODULUS 512 /* octets */
#define RSA_MAX_EXPONENT 8  /* octets: 64 bits, see dnskey-public-key.ts */
/* Data to hash: RRSIG rdata plus an RRset, bounded by what a DNS message can carry many times
 * over; larger input is refused rather than hashed. */
#define MAX_DATA (16u * 1024u * 1024u)

static const napi_type_tag KEY_TAG = {0x616e63686f72645fULL, 0x7665726966796b31ULL};

typedef struct {
  EVP_MD *md[DIG_COUNT];
  EVP_MD_CTX *mdctx[SIDES][DIG_COUNT];
  int busy; /* an async batch is queued or running */
} instance_t;

typedef struct {
  EVP_PKEY *pkey;
  /* Per side: RSA/ECDSA an EVP_PKEY_CTX with EVP_PKEY_verify_init done (RSA padding and digest
   * set); EdDSA an EVP_MD_CTX with EVP_DigestVerifyInit done. The async side's is made when a
   * batch first needs it, on the JS thread (prepare_async), never while a batch runs. */
  EVP_PKEY_CTX *ctx[SIDES];
  EVP_MD_CTX *edctx[SIDES];
  int kind;
  int digest;
  size_t sig_len; /* RSA: modulus octets; ECDSA: 2 * field octets; EdDSA: 64 or 114 */
} vkey_t;

static const char *const DIGEST_NAME[DIG_COUNT] = {NULL, "SHA1", "SHA256", "SHA384", "SHA512"};

static void instance_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  instance_t *in = data;
  for (int i = 0; i < DIG_COUNT; i++) {
    for (int side = 0; side < SIDES; side++) EVP_MD_CTX_free(in->mdctx[side][i]);
    EVP_MD_free(in->md[i]);
  }
  free(in);
}

/* What a key reports to V8 as memory outside the JS heap (an RSA-2048 key and its context hold a
 * few KiB), so that dropped keys are collected under pressure; given back when it is freed. */
#define KEY_EXTERNAL_BYTES 4096

static void key_free(napi_env env, void *data, void *hint) {
  (void)hint;
  vkey_t *k = data;
  for (int side = 0; side < SIDES; side++) {
    EVP_PKEY_CTX_free(k->ctx[side]);
    EVP_MD_CTX_free(k->edctx[side]);
  }
  EVP_PKEY_free(k->pkey);
  free(k);
  int64_t ignored;
  napi_adjust_external_memory(env, -KEY_EXTERNAL_BYTES, &ignored);
}

static instance_t *instance(napi_env env) {
  void *p = NULL;
  if (napi_get_instance_data(env, &p) != napi_ok) return NULL;
  return p;
}

static napi_value js_null(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

static napi_value js_bool(napi_env env, int b) {
  napi_value v;
  napi_get_boolean(env, b != 0, &v);
  return v;
}

/* A Uint8Array argument's bytes; 0 if the value is not a Uint8Array. */
static int get_bytes(napi_env env, napi_value v, const uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  size_t length;
  void *ptr;
  int is_ta = 0;
  bool b = false;
  if (napi_is_typedarray(env, v, &b) != napi_ok || !b) return 0;
  is_ta = 1;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, NULL, NULL) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  *data = length == 0 ? (const uint8_t *)"" : ptr;
  *len = length;
  return is_ta;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_ANCHORD_NATIVE_ARG", msg);
  return NULL;
}

/* Makes `side`'s verify context of `k` if it has none: RSA PKCS #1 v1.5 padding and the digest
 * set for RSA; for EdDSA a digest-verify context bound to the key. 1 ready, 0 not. */
static int key_side_ready(instance_t *in, vkey_t *k, int side) {
  if (k->kind == KIND_ED) {
    if (k->edctx[side] != NULL) return 1;
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    /* RFC 8080 §4 / RFC 8032 §5.1.7, §5.2.7: PureEdDSA, so no digest is named. */
    if (mc == NULL || EVP_DigestVerifyInit(mc, NULL, NULL, NULL, k->pkey) <= 0) {
      EVP_MD_CTX_free(mc);
      ERR_clear_error();
      return 0;
    }
    k->edctx[side] = mc;
    return 1;
  }
  if (k->ctx[side] != NULL) return 1;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
  if (ctx == NULL || EVP_PKEY_verify_init(ctx) <= 0) goto fail;
  if (k->kind == KIND_RSA) {
    /* RFC 8017 §8.2.2: RSASSA-PKCS1-v1_5; OpenSSL compares the whole DigestInfo encoding. */
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) goto fail;
    if (EVP_PKEY_CTX_set_signature_md(ctx, in->md[k->digest]) <= 0) goto fail;
  }
  k->ctx[side] = ctx;
  return 1;
fail:
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  return 0;
}

/* A key object for `pkey` with its JS-side verify context ready (takes `pkey`). */
static napi_value wrap_key(napi_env env, instance_t *in, EVP_PKEY *pkey, int kind, int digest, size_t sig_len) {
  vkey_t *k = calloc(1, sizeof *k);
  if (k == NULL) goto fail;
  k->pkey = pkey;
  k->kind = kind;
  k->digest = digest;
  k->sig_len = sig_len;
  if (!key_side_ready(in, k, SIDE_JS)) {
    free(k);
    goto fail;
  }
  napi_value ext;
  if (napi_create_external(env, k, key_free, NULL, &ext) != napi_ok) {
    EVP_PKEY_CTX_free(k->ctx[SIDE_JS]);
    EVP_MD_CTX_free(k->edctx[SIDE_JS]);
    free(k);
    goto fail;
  }
  napi_type_tag_object(env, ext, &KEY_TAG);
  int64_t ignored;
  napi_adjust_external_memory(env, KEY_EXTERNAL_BYTES, &ignored);
  return ext;
fail:
  EVP_PKEY_free(pkey);
  ERR_clear_error();
  return js_null(env);
}

/* rsaKey(digest, n, e): n and e big-endian, as in the DNSKEY field (RFC 3110 §2). */
static napi_value rsa_key(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return throw_type(env, "rsaKey(digest, n, e)");
  int32_t digest;
  const uint8_t *n, *e;
  size_t nlen, elen;
  if (!get_int(env, argv[0], &digest) || !get_bytes(env, argv[1], &n, &nlen) || !get_bytes(env, argv[2], &e, &elen))
    return throw_type(env, "rsaKey(digest: number, n: Uint8Array, e: Uint8Array)");
  if (digest != DIG_SHA1 && digest != DIG_SHA256 && digest != DIG_SHA512) return throw_type(env, "rsaKey: digest must be 1, 2 or 4");
  instance_t *in = instance(env);
  if (in == NULL) return js_null(env);
  /* Leading zero octets do not count (RFC 3110 §2 fields may carry them). */
  while (nlen > 0 && n[0] == 0) n++, nlen--;
  while (elen > 0 && e[0] == 0) e++, elen--;
  if (nlen < 64 || nlen > RSA_MAX_MODULUS || elen == 0 || elen > RSA_MAX_EXPONENT) return js_null(env);

  EVP_PKEY *pkey = NULL;
  EVP_PKEY_CTX *kctx = NULL;
  OSSL_PARAM_BLD *bld = NULL;
  OSSL_PARAM *params = NULL;
  BIGNUM *bn_n = BN_bin2bn(n, (int)nlen, NULL);
  BIGNUM *bn_e = BN_bin2bn(e, (int)elen, NULL);
  if (bn_n == NULL || bn_e == NULL) goto done;
  bld = OSSL_PARAM_BLD_new();
  if (bld == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
      !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
    goto done;
  params = OSSL_PARAM_BLD_to_param(bld);
  kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
  if (params == NULL || kctx == NULL || EVP_PKEY_fromdata_init(kctx) <= 0 ||
      EVP_PKEY_fromdata(kctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    EVP_PKEY_free(pkey);
    pkey = NULL;
  }
done:
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY_CTX_free(kctx);
  BN_free(bn_n);
  BN_free(bn_e);
  if (pkey == NULL) {
    ERR_clear_error();
    return js_null(env);
  }
  return wrap_key(env, in, pkey, KIND_RSA, digest, nlen);
}

/* ecKey(algorithm, xy): the RFC 6605 §4 public key, x || y without the SEC 1 prefix octet. */
static napi_value ec_key(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_type(env, "ecKey(algorithm, xy)");
  int32_t alg;
  const uint8_t *xy;
  size_t len;
  if (!get_int(env, argv[0], &alg) || !get_bytes(env, argv[1], &xy, &len)) return throw_type(env, "ecKey(algorithm: number, xy: Uint8Array)");
  if (alg != 13 && alg != 14) return throw_type(env, "ecKey: algorithm must be 13 or 14");
  instance_t *in = instance(env);
  if (in == NULL) return js_null(env);
  size_t want = alg == 13 ? 64 : 96;
  if (len != want) return js_null(env);
  uint8_t point[1 + 96];
  point[0] = 0x04; /* SEC 1 §2.3.3 uncompressed point */
  memcpy(point + 1, xy, len);
  char group[16];
  strcpy(group, alg == 13 ? "prime256v1" : "secp384r1");
  OSSL_PARAM params[3];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, 1 + len);
  params[2] = OSSL_PARAM_construct_end();
  EVP_PKEY *pkey = NULL;
  /* fromdata decodes the point with EC_POINT_oct2point, which refuses points off the curve. */
  EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  if (kctx == NULL || EVP_PKEY_fromdata_init(kctx) <= 0 || EVP_PKEY_fromdata(kctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    EVP_PKEY_free(pkey);
    pkey = NULL;
  }
  EVP_PKEY_CTX_free(kctx);
  if (pkey == NULL) {
    ERR_clear_error();
    return js_null(env);
  }
  return wrap_key(env, in, pkey, KIND_EC, alg == 13 ? DIG_SHA256 : DIG_SHA384, 2 * (want / 2));
}

/* edKey(algorithm, key): the RFC 8080 §3 public key, 32 octets for Ed25519, 57 for Ed448
 * (RFC 8032 §5.1.5, §5.2.5 encoding). OpenSSL decodes the point when it first verifies; a key
 * that does not decode makes every check false. */
static napi_value ed_key(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_type(env, "edKey(algorithm, key)");
  int32_t alg;
  const uint8_t *raw;
  size_t len;
  if (!get_int(env, argv[0], &alg) || !get_bytes(env, argv[1], &raw, &len)) return throw_type(env, "edKey(algorithm: number, key: Uint8Array)");
  if (alg != 15 && alg != 16) return throw_type(env, "edKey: algorithm must be 15 or 16");
  instance_t *in = instance(env);
  if (in == NULL) return js_null(env);
  if (len != (alg == 15 ? 32u : 57u)) return js_null(env);
  EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key_ex(NULL, alg == 15 ? "ED25519" : "ED448", NULL, raw, len);
  if (pkey == NULL) {
    ERR_clear_error();
    return js_null(env);
  }
  return wrap_key(env, in, pkey, KIND_ED, 0, alg == 15 ? 64 : 114);
}

/* DER INTEGER (X.690 §8.3) of an unsigned big-endian value, minimal form. */
static size_t der_uint(uint8_t *out, const uint8_t *v, size_t len) {
  while (len > 1 && v[0] == 0) v++, len--;
  size_t pad = (v[0] & 0x80) ? 1 : 0;
  out[0] = 0x02;
  out[1] = (uint8_t)(len + pad);
  if (pad) out[2] = 0x00;
  memcpy(out + 2 + pad, v, len);
  return 2 + pad + len;
}

static vkey_t *get_key(napi_env env, napi_value v) {
  napi_valuetype t;
  bool tagged = false;
  void *p = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  if (napi_check_object_type_tag(env, v, &KEY_TAG, &tagged) != napi_ok || !tagged) return NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return p;
}

/* One check with `side`'s contexts (made beforehand); 1 valid, 0 not. Never fails otherwise. */
static int verify_one(instance_t *in, int side, vkey_t *k, const uint8_t *data, size_t dlen, const uint8_t *sig, size_t slen) {
  if (dlen > MAX_DATA || slen != k->sig_len) return 0;
  int r;
  if (k->kind == KIND_ED) {
    /* RFC 8080 §4: the signature is R || S as RFC 8032 encodes it, over the signed data itself. */
    EVP_MD_CTX *ec = k->edctx[side];
    if (ec == NULL) return 0;
    r = EVP_DigestVerify(ec, sig, slen, data, dlen);
    if (r != 1) {
      /* OpenSSL versions that mark a one-shot context finalised refuse a second use with
       * EVP_R_FINAL_ERROR: set the context up again and check once more (3.0 never does). */
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_LIB(e) == ERR_LIB_EVP && ERR_GET_REASON(e) == EVP_R_FINAL_ERROR) {
        ERR_clear_error();
        r = EVP_DigestVerifyInit(ec, NULL, NULL, NULL, k->pkey) > 0 ? EVP_DigestVerify(ec, sig, slen, data, dlen) : 0;
      }
    }
    if (r != 1) {
      ERR_clear_error();
      return 0;
    }
    return 1;
  }
  EVP_PKEY_CTX *pctx = k->ctx[side];
  if (pctx == NULL) return 0;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  EVP_MD_CTX *mc = in->mdctx[side][k->digest];
  if (EVP_DigestInit_ex(mc, in->md[k->digest], NULL) <= 0 || EVP_DigestUpdate(mc, data, dlen) <= 0 ||
      EVP_DigestFinal_ex(mc, digest, &mdlen) <= 0) {
    ERR_clear_error();
    return 0;
  }
  if (k->kind == KIND_RSA) {
    /* The signature is exactly k octets (the caller left-pads shorter ones, RFC 8017 §4.1);
     * OpenSSL refuses a value not below n and compares the whole EMSA-PKCS1-v1_5 encoding. */
    r = EVP_PKEY_verify(pctx, sig, slen, digest, mdlen);
  } else {
    /* RFC 6605 §4: r || s, each half the signature; OpenSSL wants Ecdsa-Sig-Value in DER. */
    uint8_t der[2 + 2 * (3 + 48)];
    size_t half = slen / 2;
    size_t l1 = der_uint(der + 2, sig, half);
    size_t l2 = der_uint(der + 2 + l1, sig + half, half);
    der[0] = 0x30;
    der[1] = (uint8_t)(l1 + l2); /* at most 102: short form */
    r = EVP_PKEY_verify(pctx, der, 2 + l1 + l2, digest, mdlen);
  }
  if (r != 1) {
    ERR_clear_error();
    return 0;
  }
  return 1;
}

static napi_value verify(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return throw_type(env, "verify(key, data, sig)");
  vkey_t *k = get_key(env, argv[0]);
  const uint8_t *data, *sig;
  size_t dlen, slen;
  if (k == NULL || !get_bytes(env, argv[1], &data, &dlen) || !get_bytes(env, argv[2], &sig, &slen))
    return throw_type(env, "verify(key: NativeKey, data: Uint8Array, sig: Uint8Array)");
  instance_t *in = instance(env);
  if (in == NULL) return js_bool(env, 0);
  return js_bool(env, verify_one(in, SIDE_JS, k, data, dlen, sig, slen));
}

/* verifyBatch(keys, datas, sigs, out): many checks in one crossing; out is a Uint8Array. */
static napi_value verify_batch(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) return throw_type(env, "verifyBatch(keys, datas, sigs, out)");
  uint32_t n = 0, n2 = 0, n3 = 0;
  bool a1 = false, a2 = false, a3 = false;
  napi_is_array(env, argv[0], &a1);
  napi_is_array(env, argv[1], &a2);
  napi_is_array(env, argv[2], &a3);
  if (!a1 || !a2 || !a3) return throw_type(env, "verifyBatch: keys, datas and sigs must be arrays");
  napi_get_array_length(env, argv[0], &n);
  napi_get_array_length(env, argv[1], &n2);
  napi_get_array_length(env, argv[2], &n3);
  const uint8_t *outp;
  size_t outlen;
  if (!get_bytes(env, argv[3], &outp, &outlen) || n2 != n || n3 != n || outlen < n)
    return throw_type(env, "verifyBatch: arrays of one length and an out Uint8Array at least that long");
  uint8_t *out = (uint8_t *)outp;
  instance_t *in = instance(env);
  for (uint32_t i = 0; i < n; i++) {
    napi_value kv, dv, sv;
    const uint8_t *data, *sig;
    size_t dlen, slen;
    if (napi_get_element(env, argv[0], i, &kv) != napi_ok || napi_get_element(env, argv[1], i, &dv) != napi_ok ||
        napi_get_element(env, argv[2], i, &sv) != napi_ok)
      return NULL;
    vkey_t *k = get_key(env, kv);
    if (k == NULL || !get_bytes(env, dv, &data, &dlen) || !get_bytes(env, sv, &sig, &slen))
      return throw_type(env, "verifyBatch: keys[i] must be a NativeKey, datas[i] and sigs[i] Uint8Arrays");
    out[i] = in != NULL && verify_one(in, SIDE_JS, k, data, dlen, sig, slen) ? 1 : 0;
  }
  return NULL;
}

/* An async batch: everything the libuv thread reads, owned by the batch. */
#define MAX_ASYNC_JOBS 65536u
#define MAX_ASYNC_BYTES (64u * 1024u * 1024u)

typedef struct {
  instance_t *in;
  napi_async_work work;
  napi_ref keys_ref;     /* an array of the batch's keys, so none is collected while it runs */
  napi_ref callback_ref;
  uint32_t n;
  vkey_t **keys;
  size_t *off;           /* per job: data offset, data length, signature offset, signature length */
  uint8_t *bytes;
  uint8_t *out;
} batch_t;

static void batch_free(napi_env env, batch_t *b) {
  if (b->keys_ref != NULL) napi_delete_reference(env, b->keys_ref);
  if (b->callback_ref != NULL) napi_delete_reference(env, b->callback_ref);
  if (b->work != NULL) napi_delete_async_work(env, b->work);
  free(b->keys);
  free(b->off);
  free(b->bytes);
  free(b->out);
  free(b);
}

/* On a libuv thread: no N-API calls, only the batch's own memory and the async-side contexts. */
static void batch_execute(napi_env env, void *data) {
  (void)env;
  batch_t *b = data;
  for (uint32_t i = 0; i < b->n; i++) {
    const size_t *o = b->off + 4 * (size_t)i;
    b->out[i] = b->keys[i] != NULL && verify_one(b->in, SIDE_ASYNC, b->keys[i], b->bytes + o[0], o[1], b->bytes + o[2], o[3]) ? 1 : 0;
  }
}

/* Back on the JS thread: callback(out), then the batch is released. */
static void batch_complete(napi_env env, napi_status status, void *data) {
  batch_t *b = data;
  b->in->busy = 0;
  napi_value cb, global, arr, argv[1];
  int ok = status == napi_ok && napi_get_reference_value(env, b->callback_ref, &cb) == napi_ok && napi_get_global(env, &global) == napi_ok;
  if (ok) {
    /* The answers are copied into a new Uint8Array (n octets); a cancelled batch answers
     * nothing: the callback gets null. */
    void *p = NULL;
    if (napi_create_arraybuffer(env, b->n, &p, &arr) == napi_ok) {
      memcpy(p, b->out, b->n);
      napi_create_typedarray(env, napi_uint8_array, b->n, arr, 0, &argv[0]);
    } else {
      ok = 0;
    }
  }
  if (!ok) {
    if (napi_get_reference_value(env, b->callback_ref, &cb) != napi_ok || napi_get_global(env, &global) != napi_ok) {
      batch_free(env, b);
      return;
    }
    napi_get_null(env, &argv[0]);
  }
  batch_free(env, b);
  napi_value ignored;
  /* An exception thrown by the callback is N-API's to report (uncaught), as for any callback. */
  napi_call_function(env, global, cb, 1, argv, &ignored);
}

/* verifyAsync(keys, datas, sigs, callback): false when a batch is already queued or running. */
static napi_value verify_async(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) return throw_type(env, "verifyAsync(keys, datas, sigs, callback)");
  uint32_t n = 0, n2 = 0, n3 = 0;
  bool a1 = false, a2 = false, a3 = false;
  napi_valuetype cbt;
  napi_is_array(env, argv[0], &a1);
  napi_is_array(env, argv[1], &a2);
  napi_is_array(env, argv[2], &a3);
  if (!a1 || !a2 || !a3 || napi_typeof(env, argv[3], &cbt) != napi_ok || cbt != napi_function)
    return throw_type(env, "verifyAsync: keys, datas and sigs must be arrays and callback a function");
  napi_get_array_length(env, argv[0], &n);
  napi_get_array_length(env, argv[1], &n2);
  napi_get_array_length(env, argv[2], &n3);
  if (n2 != n || n3 != n || n == 0 || n > MAX_ASYNC_JOBS) return throw_type(env, "verifyAsync: 1..65536 jobs, arrays of one length");
  instance_t *in = instance(env);
  if (in == NULL) return throw_type(env, "verifyAsync: addon not initialised");
  if (in->busy) return js_bool(env, 0);

  batch_t *b = calloc(1, sizeof *b);
  if (b == NULL) return throw_type(env, "verifyAsync: out of memory");
  b->in = in;
  b->n = n;
  b->keys = calloc(n, sizeof *b->keys);
  b->off = calloc(4 * (size_t)n, sizeof *b->off);
  b->out = calloc(n, 1);
  if (b->keys == NULL || b->off == NULL || b->out == NULL) goto oom;
  /* The keys go into an array of our own, referenced until the callback: whatever the caller
   * does with its array, no key of the batch is collected while the batch runs. */
  napi_value held;
  if (napi_create_array_with_length(env, n, &held) != napi_ok) goto oom;
  /* First pass: keys, lengths and bounds; second: one copy of every data and signature. */
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value kv, dv, sv;
    const uint8_t *d, *sg;
    size_t dlen, slen;
    if (napi_get_element(env, argv[0], i, &kv) != napi_ok || napi_get_element(env, argv[1], i, &dv) != napi_ok ||
        napi_get_element(env, argv[2], i, &sv) != napi_ok)
      goto bad;
    vkey_t *k = get_key(env, kv);
    if (k == NULL || !get_bytes(env, dv, &d, &dlen) || !get_bytes(env, sv, &sg, &slen)) goto bad;
    if (napi_set_element(env, held, i, kv) != napi_ok) goto bad;
    /* Oversized input is a false answer (verify_one refuses it), never copied. */
    if (dlen > MAX_DATA || slen != k->sig_len) dlen = slen = 0, k = NULL;
    else if (!key_side_ready(in, k, SIDE_ASYNC)) k = NULL;
    b->keys[i] = k;
    b->off[4 * (size_t)i + 1] = dlen;
    b->off[4 * (size_t)i + 3] = slen;
    if (dlen + slen > MAX_ASYNC_BYTES - total) {
      batch_free(env, b);
      return throw_type(env, "verifyAsync: batch larger than 64 MiB");
    }
    total += dlen + slen;
  }
  b->bytes = malloc(total == 0 ? 1 : total);
  if (b->bytes == NULL) goto oom;
  size_t at = 0;
  for (uint32_t i = 0; i < n; i++) {
    size_t *o = b->off + 4 * (size_t)i;
    if (b->keys[i] == NULL) continue;
    napi_value dv, sv;
    const uint8_t *d, *sg;
    size_t dlen, slen;
    if (napi_get_element(env, argv[1], i, &dv) != napi_ok || napi_get_element(env, argv[2], i, &sv) != napi_ok ||
        !get_bytes(env, dv, &d, &dlen) || !get_bytes(env, sv, &sg, &slen) || dlen != o[1] || slen != o[3])
      goto bad; /* an array changed between the passes (a getter): refuse the batch */
    memcpy(b->bytes + at, d, dlen);
    o[0] = at;
    at += dlen;
    memcpy(b->bytes + at, sg, slen);
    o[2] = at;
    at += slen;
  }
  napi_value name;
  if (napi_create_reference(env, held, 1, &b->keys_ref) != napi_ok || napi_create_reference(env, argv[3], 1, &b->callback_ref) != napi_ok ||
      napi_create_string_utf8(env, "anchord_verify", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, batch_execute, batch_complete, b, &b->work) != napi_ok ||
      napi_queue_async_work(env, b->work) != napi_ok) {
    batch_free(env, b);
    return throw_type(env, "verifyAsync: cannot queue the batch");
  }
  in->busy = 1;
  return js_bool(env, 1);
bad:
  batch_free(env, b);
  return throw_type(env, "verifyAsync: keys[i] must be a NativeKey, datas[i] and sigs[i] Uint8Arrays");
oom:
  batch_free(env, b);
  return throw_type(env, "verifyAsync: out of memory");
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  instance_t *in = calloc(1, sizeof *in);
  if (in == NULL) {
    napi_throw_error(env, NULL, "anchord_verify: out of memory");
    return NULL;
  }
  for (int i = 1; i < DIG_COUNT; i++) {
    in->md[i] = EVP_MD_fetch(NULL, DIGEST_NAME[i], NULL);
    in->mdctx[SIDE_JS][i] = EVP_MD_CTX_new();
    in->mdctx[SIDE_ASYNC][i] = EVP_MD_CTX_new();
    if (in->md[i] == NULL || in->mdctx[SIDE_JS][i] == NULL || in->mdctx[SIDE_ASYNC][i] == NULL) {
      ERR_clear_error();
      instance_free(env, in, NULL);
      napi_throw_error(env, NULL, "anchord_verify: OpenSSL has no SHA-1/SHA-2 digests");
      return NULL;
    }
  }
  if (napi_set_instance_data(env, in, instance_free, NULL) != napi_ok) {
    instance_free(env, in, NULL);
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"rsaKey", NULL, rsa_key, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ecKey", NULL, ec_key, NULL, NULL, NULL, napi_enumerable, NULL},
      {"verify", NULL, verify, NULL, NULL, NULL, napi_enumerable, NULL},
      {"edKey", NULL, ed_key, NULL, NULL, NULL, napi_enumerable, NULL},
      {"verifyBatch", NULL, verify_batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"verifyAsync", NULL, verify_async, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  anchord_udp_define(env, exports);
  return exports;
}
