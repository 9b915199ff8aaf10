#include "connectors/adapters/adapter.h"

#include <simdjson.h>

#include "connectors/adapters/formats.h"

namespace yuqing::adapters {
namespace {

// `mention`: the line is already canonical; the engine's parser judges it (and dead-letters it
// with its own reason). Only the id is read, for the Kafka key.
class MentionAdapter final : public Adapter {
 public:
  Format format() const override { return Format::mention; }

  void convert(std::string_view document, Output& out) override {
    out.clear();
    if (document.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
    padded_.assign(document);
    padded_.append(simdjson::SIMDJSON_PADDING, '\0');
    std::string_view id;
    simdjson::ondemand::document doc;
    if (parser_.iterate(padded_.data(), document.size(), padded_.size()).get(doc) || doc["id"].get_string().get(id)) {
      id = {};
    }
    out.mentions.push_back({std::string(id), std::string(document)});
  }

 private:
  simdjson::ondemand::parser parser_;
  std::string padded_;
};

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  for (Format f : kFormats) {
    if (format_name(f) == name) return f;
  }
  return std::nullopt;
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::mention: return "mention";
    case Format::weibo: return "weibo";
    case Format::x: return "x";
    case Format::reddit: return "reddit";
    case Format::rss: return "rss";
  }
  return "unknown";
}

Framing framing(Format format) { return format == Format::rss ? Framing::whole_file : Framing::line; }

std::string_view reason_name(Reason reason) {
  switch (reason) {
    case Reason::invalid_json: return "invalid_json";
    case Reason::invalid_xml: return "invalid_xml";
    case Reason::invalid_utf8: return "invalid_utf8";
    case Reason::unsupported_shape: return "unsupported_shape";
    case Reason::missing_field: return "missing_field";
    case Reason::bad_type: return "bad_type";
    case Reason::bad_value: return "bad_value";
    case Reason::bad_timestamp: return "bad_timestamp";
    case Reason::deleted: return "deleted";
    case Reason::platform_error: return "platform_error";
  }
  return "unknown";
}

std::unique_ptr<Adapter> make(Format format, AdapterOptions options) {
  switch (format) {
    case Format::mention: return std::make_unique<MentionAdapter>();
    case Format::weibo: return make_weibo(options);
    case Format::x: return make_x(options);
    case Format::reddit: return make_reddit(options);
    case Format::rss: return make_rss(options);
  }
  return nullptr;
}

}  // namespace yuqing::adapters
