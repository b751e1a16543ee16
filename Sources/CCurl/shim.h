// Typed one-line wrappers over libcurl's variadic calls, which Swift cannot call directly.
// Nothing but AlertRelayCurl imports this module.
#ifndef ALERTRELAY_CCURL_SHIM_H
#define ALERTRELAY_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*ar_curl_data_callback)(char *data, size_t size, size_t count, void *userdata);

static inline CURLcode ar_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ar_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ar_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ar_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ar_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ar_curl_setopt_callback(CURL *handle, CURLoption option, ar_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

typedef int (*ar_curl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode ar_curl_setopt_xferinfo(CURL *handle, ar_curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

static inline CURLcode ar_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
