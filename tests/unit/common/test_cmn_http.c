/* test_cmn_http.c - the MHD glue: synchronous and deferred answers, request fields, caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmn_buf.h"
#include "cmn_http.h"
#include "cmn_log.h"

static void *answer_later(void *arg)
{
    struct cmn_http_exchange *ex = arg;

    usleep(50 * 1000);
    cmn_http_exchange_respond(ex, cmn_http_response_text(202, "text/plain", "later", 5));
    return NULL;
}

static void handler(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    struct cmn_buf b;
    struct cmn_http_response *r;

    (void)ctx;
    if (strcmp(req->path, "/async") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, answer_later, ex);
        pthread_detach(t);
        return;
    }
    if (strcmp(req->path, "/abort") == 0) {
        r = cmn_http_response_new(200);
        r->abort = true;
        cmn_http_exchange_respond(ex, r);
        return;
    }
    cmn_buf_init(&b, 4096);
    cmn_buf_printf(&b, "%s|%s|%s|%d|%zu|%s|%s", req->method, req->path, req->query,
                   req->has_body, req->body_len, req->body,
                   cmn_http_request_header(req, "x-test") ? cmn_http_request_header(req, "X-Test")
                                                          : "-");
    r = cmn_http_response_text(200, "text/plain", cmn_buf_str(&b), b.len);
    cmn_http_response_add_header(r, "X-Multi", "1");
    cmn_http_response_add_header(r, "X-Multi", "2");
    cmn_buf_free(&b);
    cmn_http_exchange_respond(ex, r);
}

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
    cmn_buf_append(ud, p, sz * n);
    return sz * n;
}

static long fetch(unsigned port, const char *path, const char *body, struct cmn_buf *out,
                  struct cmn_buf *hdrs, CURLcode *rc)
{
    CURL *c = curl_easy_init();
    char url[256];
    long status = 0;
    struct curl_slist *h = curl_slist_append(NULL, "X-Test: yes");

    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, hdrs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    *rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

static struct cmn_http_server *start(void)
{
    struct cmn_http_server_opts o = {.bind = "127.0.0.1", .port = 0, .max_body = 1000,
                                     .handler = handler};
    struct cmn_err err;
    struct cmn_http_server *s = cmn_http_server_start(&o, &err);

    assert_non_null(s);
    assert_true(cmn_http_server_port(s) > 0);
    return s;
}

static void sync_answer_and_fields(void **state)
{
    struct cmn_http_server *s = start();
    struct cmn_buf out, hdrs;
    CURLcode rc;

    (void)state;
    cmn_buf_init(&out, 1 << 16);
    cmn_buf_init(&hdrs, 1 << 16);
    assert_int_equal(fetch(cmn_http_server_port(s), "/a%20b?x=1&x=2", "hi", &out, &hdrs, &rc),
                     200);
    assert_string_equal(cmn_buf_str(&out), "POST|/a%20b|x=1&x=2|1|2|hi|yes");
    assert_non_null(strstr(cmn_buf_str(&hdrs), "X-Multi: 1\r\n"));
    assert_non_null(strstr(cmn_buf_str(&hdrs), "X-Multi: 2\r\n"));
    cmn_buf_reset(&out);
    assert_int_equal(fetch(cmn_http_server_port(s), "/plain", NULL, &out, &hdrs, &rc), 200);
    assert_string_equal(cmn_buf_str(&out), "GET|/plain||0|0||yes");
    cmn_buf_free(&out);
    cmn_buf_free(&hdrs);
    cmn_http_server_stop(s, 1000);
}

static void deferred_answer(void **state)
{
    struct cmn_http_server *s = start();
    struct cmn_buf out, hdrs;
    CURLcode rc;

    (void)state;
    cmn_buf_init(&out, 1 << 16);
    cmn_buf_init(&hdrs, 1 << 16);
    for (int i = 0; i < 3; i++) {
        cmn_buf_reset(&out);
        assert_int_equal(fetch(cmn_http_server_port(s), "/async", NULL, &out, &hdrs, &rc), 202);
        assert_string_equal(cmn_buf_str(&out), "later");
    }
    cmn_buf_free(&out);
    cmn_buf_free(&hdrs);
    cmn_http_server_stop(s, 1000);
}

static void body_cap_and_abort(void **state)
{
    struct cmn_http_server *s = start();
    struct cmn_buf out, hdrs;
    char big[3000];
    CURLcode rc;

    (void)state;
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cmn_buf_init(&out, 1 << 16);
    cmn_buf_init(&hdrs, 1 << 16);
    assert_int_equal(fetch(cmn_http_server_port(s), "/x", big, &out, &hdrs, &rc), 413);
    cmn_buf_reset(&out);
    fetch(cmn_http_server_port(s), "/abort", NULL, &out, &hdrs, &rc);
    assert_int_not_equal(rc, CURLE_OK);
    cmn_buf_free(&out);
    cmn_buf_free(&hdrs);
    cmn_http_server_stop(s, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sync_answer_and_fields),
        cmocka_unit_test(deferred_answer),
        cmocka_unit_test(body_cap_and_abort),
    };
    cmn_log_init("TEST", CMN_LOG_ERROR, 2);
    curl_global_init(CURL_GLOBAL_ALL);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
