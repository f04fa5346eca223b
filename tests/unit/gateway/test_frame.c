#include "gateway/gw_frame.h"
#include "tests/unit/tap.h"

static int check(const char *head, int http11)
{
    char why[128] = "";
    return gw_frame_check(head, strlen(head), http11, why, sizeof(why));
}

int main(void)
{
    is_int(check("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1), 0, "plain request");
    is_int(check("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 1), 0, "one Content-Length");
    is_int(check("POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 5\r\nContent-Length:  5 \r\n\r\n", 1), 0,
           "identical Content-Length values");
    is_int(check("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\n", 1), -1,
           "different Content-Length values");
    is_int(check("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 1),
           -1, "Content-Length with Transfer-Encoding");
    is_int(check("POST / HTTP/1.1\r\nHost: a\r\nTRANSFER-ENCODING: chunked\r\nCONTENT-LENGTH: 5\r\n\r\n", 1),
           -1, "either order, any case");
    is_int(check("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 1), -1, "two Host fields");
    is_int(check("GET / HTTP/1.1\r\n\r\n", 1), -1, "HTTP/1.1 without Host");
    is_int(check("GET / HTTP/1.0\r\n\r\n", 0), 0, "HTTP/1.0 without Host");
    is_int(check("GET / HTTP/1.1\nHost: a\nHost: b\n\n", 1), -1, "bare LF line ends");
    is_int(check("GET / HTTP/1.1\r\nHost: a\r\n\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 1), 0,
           "bytes after the head are not judged");
    is_int(check("GET / HTTP/1.1\r\nHost: a\r\nHost: b", 1), 0, "an incomplete head is not judged");
    is_int(check("", 1), 0, "empty buffer");
    return done_testing();
}
