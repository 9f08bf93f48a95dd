{
  "targets": [
    {
      "target_name": "anchord_verify",
      "sources": ["anchord_verify.c", "anchord_udp.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "defines": ["NAPI_VERSION=8", "OPENSSL_API_COMPAT=30000", "OPENSSL_NO_DEPRECATED"]
    }
  ]
}
