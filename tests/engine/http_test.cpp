#include "engine/http/server.h"

#include <gtest/gtest.h>

#include "tests/support/support.h"

namespace yuqing::http {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions opts;
    opts.listen = "127.0.0.1:0";
    opts.max_body_bytes = 1024;
    server = std::make_unique<Server>(opts);
    server->route("GET", "/hello", [](const Request& r) {
      return Response{200, "text/plain", "hello " + r.param("name"), {}};
    });
    server->route("POST", "/echo", [](const Request& r) { return json(std::string(r.body)); });
    server->route_prefix("GET", "/api/v1/brands/", [](const Request& r) {
      return json("{\"path\":\"" + std::string(r.path) + "\"}");
    });
    server->route("GET", "/boom", [](const Request&) -> Response { throw std::runtime_error("boom"); });
    ASSERT_TRUE(server->start().ok());
  }
  std::unique_ptr<Server> server;
};

TEST_F(HttpServerTest, RoutesExactAndPrefixPathsAndDecodesParameters) {
  auto r = testing::http_get(server->port(), "/hello?name=%E8%88%86%E6%83%85&x=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello 舆情");  // %E8%88%86 is 舆
  r = testing::http_get(server->port(), "/api/v1/brands/acme/trend");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"path\":\"/api/v1/brands/acme/trend\"}");
}

TEST_F(HttpServerTest, ErrorsAreProblemJson) {
  auto r = testing::http_get(server->port(), "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  r = testing::http_request("DELETE", server->port(), "/hello");
  EXPECT_EQ(r.status, 405);
  r = testing::http_get(server->port(), "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("boom"), std::string::npos);  // internals are logged, not sent
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  auto r = testing::http_request("POST", server->port(), "/echo", std::string(4096, 'x'));
  EXPECT_EQ(r.status, 413);
  r = testing::http_request("POST", server->port(), "/echo", "{\"small\":1}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"small\":1}");
}

TEST(HttpServer, BadListenAddressIsAnError) {
  for (const char* listen : {"nonsense", "999.1.1.1:80", "127.0.0.1:99999"}) {
    ServerOptions opts;
    opts.listen = listen;
    Server s(opts);
    EXPECT_FALSE(s.start().ok()) << listen;
  }
}

}  // namespace
}  // namespace yuqing::http
