/* anchord_udp.c's entry: adds udpOpen to the addon's exports (called from anchord_verify.c's init). */
#ifndef ANCHORD_UDP_H
#define ANCHORD_UDP_H
#include <node_api.h>
void anchord_udp_define(napi_env env, napi_value exports);
#endif
