/* wh_target: the addresses refused, and the URLs accepted, under both policies. */
#include "../tap.h"
#include "webhooks/wh_target.h"

#include <arpa/inet.h>
#include <netinet/in.h>

static const char *kind_of(const char *ip, int allow_private)
{
    wh_target_policy_t pol = {.allow_http = 0, .allow_private = allow_private};
    struct sockaddr_in s4 = {.sin_family = AF_INET};
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET, ip, &s4.sin_addr) == 1)
        return wh_addr_refused((struct sockaddr *)&s4, &pol);
    if (inet_pton(AF_INET6, ip, &s6.sin6_addr) == 1)
        return wh_addr_refused((struct sockaddr *)&s6, &pol);
    return "unparsed";
}

static int url_ok(const char *url, int http, int priv)
{
    wh_target_policy_t pol = {.allow_http = http, .allow_private = priv};
    char err[256];
    int r = wh_url_check(url, &pol, err, sizeof(err));
    if (r != 0)
        printf("# %s: %s\n", url, err);
    return r == 0;
}

int main(void)
{
    static const struct {
        const char *ip, *kind;
    } cases[] = {
        {"127.0.0.1", "loopback"},
        {"127.9.9.9", "loopback"},
        {"10.1.2.3", "private"},
        {"172.16.0.1", "private"},
        {"172.31.255.255", "private"},
        {"192.168.1.1", "private"},
        {"100.64.0.1", "private"},
        {"169.254.169.254", "link-local"},
        {"0.0.0.0", "unspecified"},
        {"224.0.0.1", "multicast"},
        {"255.255.255.255", "reserved"},
        {"::1", "loopback"},
        {"::", "unspecified"},
        {"fe80::1", "link-local"},
        {"fd00:ec2::254", "private"},
        {"fc00::1", "private"},
        {"ff02::1", "multicast"},
        {"::ffff:127.0.0.1", "loopback"},
        {"::ffff:10.0.0.1", "private"},
        {"64:ff9b::a9fe:a9fe", "link-local"},
        {"2001:db8::1", "reserved"},
        {"8.8.8.8", NULL},
        {"172.32.0.1", NULL},
        {"2606:4700::1111", NULL},
        {"::ffff:1.1.1.1", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        char name[80];
        snprintf(name, sizeof(name), "%s is %s", cases[i].ip, cases[i].kind ? cases[i].kind : "allowed");
        is_str(kind_of(cases[i].ip, 0), cases[i].kind, name);
    }
    ok(kind_of("127.0.0.1", 1) == NULL && kind_of("169.254.169.254", 1) == NULL,
       "allow_private lets every address through");

    ok(url_ok("https://example.com/hooks", 0, 0), "an https URL");
    ok(url_ok("https://example.com:8443/a?b=c", 0, 0), "with port and query");
    ok(!url_ok("http://example.com/hooks", 0, 0), "plain http refused by default");
    ok(url_ok("http://example.com/hooks", 1, 0), "plain http when allowed");
    ok(!url_ok("ftp://example.com/x", 1, 1), "another scheme is refused");
    ok(!url_ok("https://127.0.0.1/x", 0, 0), "a loopback literal is refused");
    ok(!url_ok("https://[::1]/x", 0, 0), "an IPv6 loopback literal is refused");
    ok(!url_ok("https://169.254.169.254/latest/meta-data", 0, 0), "the metadata address is refused");
    ok(!url_ok("https://localhost/x", 0, 0), "localhost is refused");
    ok(url_ok("http://127.0.0.1:9999/x", 1, 1), "loopback when private targets are allowed");
    ok(!url_ok("https://user:pw@example.com/x", 0, 0), "credentials in the URL are refused");
    ok(!url_ok("https://example.com/x#frag", 0, 0), "a fragment is refused");
    ok(!url_ok("example.com/x", 0, 0), "a relative URL is refused");
    ok(!url_ok("", 0, 0), "an empty URL is refused");
    return done_testing();
}
