#include "engine/analyze/match_record.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "engine/base/text.h"

namespace yuqing::analyze {
namespace {

void append_number(std::string& out, auto v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_hex(std::string& out, std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += '"';
  for (int shift = 60; shift >= 0; shift -= 4) out += kDigits[(v >> shift) & 0xf];
  out += '"';
}

void append_names(std::string& out, std::uint32_t mask, const std::vector<std::string>& names) {
  out += '[';
  bool first = true;
  for (std::size_t bit = 0; bit < names.size(); ++bit) {
    if ((mask & (1u << bit)) == 0) continue;
    if (!first) out += ',';
    first = false;
    text::append_json_string(out, names[bit]);
  }
  out += ']';
}

// The top-mention ring keeps 280 bytes of text, cut on a UTF-8 boundary; send no more.
std::string_view ring_text(std::string_view text) {
  std::size_t n = std::min<std::size_t>(text.size(), 280);
  while (n > 0 && n < text.size() && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80) --n;
  return text.substr(0, n);
}

}  // namespace

void encode_match(const BrandMatch& m, std::string_view brand_id, const AspectLayout& layout, SourcePosition src,
                  std::string& out) {
  const auto& u = m.update;
  out += "{\"v\":";
  append_number(out, kMatchRecordVersion);
  out += ",\"brand\":";
  text::append_json_string(out, brand_id);
  out += ",\"seq\":";
  append_number(out, m.seq);
  out += ",\"mention\":";
  text::append_json_string(out, m.mention_id);
  out += ",\"src\":{\"p\":";
  append_number(out, src.partition);
  out += ",\"o\":";
  append_number(out, src.offset);
  out += "},\"t\":";
  append_number(out, u.event_ms);
  out += ",\"platform\":";
  text::append_json_string(out, platform_name(u.platform));
  out += ",\"label\":";
  append_number(out, static_cast<int>(u.label));
  out += ",\"score\":";
  append_number(out, u.score);
  out += ",\"reach\":";
  append_number(out, u.reach);
  out += ",\"followers\":";
  append_number(out, m.followers);
  out += m.verified ? ",\"verified\":true" : ",\"verified\":false";
  out += ",\"author\":";
  append_hex(out, u.author_hash);
  out += ",\"story\":";
  append_hex(out, u.story);
  out += u.is_repost ? ",\"repost\":true" : ",\"repost\":false";
  out += ",\"aspects\":";
  append_names(out, u.aspect_mask, layout.names);
  out += ",\"neg_aspects\":";
  append_names(out, u.negative_aspect_mask, layout.names);
  out += ",\"crisis\":[";
  bool first = true;
  for (int c = 0; c < window::kCrisisCount; ++c) {
    if ((u.crisis_mask & (1u << c)) == 0) continue;
    if (!first) out += ',';
    first = false;
    text::append_json_string(out, window::crisis_name(c));
  }
  out += "],\"url\":";
  text::append_json_string(out, m.url);
  out += ",\"text\":";
  text::append_json_string(out, ring_text(m.text));
  out += ",\"author_name\":";
  text::append_json_string(out, m.author_name);
  out += '}';
}

struct MatchDecoder::Impl {
  simdjson::ondemand::parser parser;
  std::string buffer;  // padded copy of the record
};

MatchDecoder::MatchDecoder() : impl_(std::make_unique<Impl>()) {}
MatchDecoder::~MatchDecoder() = default;

Status<std::string> MatchDecoder::decode(std::string_view json, MatchRecord& out) {
  auto& buf = impl_->buffer;
  buf.assign(json);
  buf.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(buf.data(), json.size(), buf.size()).get(doc) != simdjson::SUCCESS) {
    return Unexpected{std::string("not a JSON document")};
  }
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return Unexpected{std::string("not a JSON object")};
  out = MatchRecord{};
  bool have_version = false, have_brand = false, have_time = false;
  auto hex = [](std::string_view s, std::uint64_t& v) {
    return s.size() == 16 && std::from_chars(s.data(), s.data() + 16, v, 16).ptr == s.data() + 16;
  };
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return Unexpected{std::string("unreadable key")};
    auto value = field.value();
    auto bad = [&](std::string_view what) { return Unexpected{"field " + std::string(key) + ": " + std::string(what)}; };
    std::string_view s;
    std::uint64_t u64 = 0;
    std::int64_t i64 = 0;
    double d = 0;
    bool b = false;
    if (key == "v") {
      if (value.get_int64().get(i64) != simdjson::SUCCESS) return bad("expected an integer");
      out.version = static_cast<int>(i64);
      have_version = true;
    } else if (key == "brand") {
      if (value.get_string().get(s) != simdjson::SUCCESS || s.empty()) return bad("expected a brand id");
      out.brand = s;
      have_brand = true;
    } else if (key == "seq") {
      if (value.get_uint64().get(u64) != simdjson::SUCCESS) return bad("expected an integer");
      out.seq = static_cast<std::uint32_t>(u64);
    } else if (key == "mention") {
      if (value.get_string().get(s) != simdjson::SUCCESS) return bad("expected a string");
      out.mention_id = s;
    } else if (key == "src") {
      simdjson::ondemand::object src;
      if (value.get_object().get(src) != simdjson::SUCCESS) return bad("expected an object");
      for (auto f : src) {
        std::string_view k;
        if (f.unescaped_key().get(k) != simdjson::SUCCESS) return bad("unreadable key");
        if (k == "p") {
          if (f.value().get_int64().get(i64) != simdjson::SUCCESS) return bad("p: expected an integer");
          out.src.partition = static_cast<std::int32_t>(i64);
        } else if (k == "o") {
          if (f.value().get_uint64().get(u64) != simdjson::SUCCESS) return bad("o: expected an integer");
          out.src.offset = u64;
        }
      }
    } else if (key == "t") {
      if (value.get_int64().get(i64) != simdjson::SUCCESS) return bad("expected epoch milliseconds");
      out.update.event_ms = i64;
      have_time = true;
    } else if (key == "platform") {
      if (value.get_string().get(s) != simdjson::SUCCESS) return bad("expected a string");
      out.update.platform = platform_from_name(s).value_or(Platform::other);
    } else if (key == "label") {
      if (value.get_int64().get(i64) != simdjson::SUCCESS || i64 < -1 || i64 > 1) return bad("expected -1, 0 or 1");
      out.update.label = static_cast<std::int8_t>(i64);
    } else if (key == "score") {
      if (value.get_double().get(d) != simdjson::SUCCESS) return bad("expected a number");
      out.update.score = static_cast<float>(d);
    } else if (key == "reach") {
      if (value.get_uint64().get(u64) != simdjson::SUCCESS) return bad("expected an integer");
      out.update.reach = u64;
    } else if (key == "followers") {
      if (value.get_int64().get(i64) != simdjson::SUCCESS) return bad("expected an integer");
      out.followers = i64;
    } else if (key == "verified") {
      if (value.get_bool().get(b) != simdjson::SUCCESS) return bad("expected a boolean");
      out.verified = b;
    } else if (key == "author" || key == "story") {
      if (value.get_string().get(s) != simdjson::SUCCESS || !hex(s, u64)) return bad("expected 16 hex digits");
      (key == "author" ? out.update.author_hash : out.update.story) = u64;
    } else if (key == "repost") {
      if (value.get_bool().get(b) != simdjson::SUCCESS) return bad("expected a boolean");
      out.update.is_repost = b;
    } else if (key == "aspects" || key == "neg_aspects" || key == "crisis") {
      simdjson::ondemand::array arr;
      if (value.get_array().get(arr) != simdjson::SUCCESS) return bad("expected an array of names");
      for (auto item : arr) {
        if (item.get_string().get(s) != simdjson::SUCCESS) return bad("expected an array of names");
        if (key == "aspects") {
          out.aspects.emplace_back(s);
        } else if (key == "neg_aspects") {
          out.negative_aspects.emplace_back(s);
        } else {
          for (int c = 0; c < window::kCrisisCount; ++c) {
            if (window::crisis_name(c) == s) out.update.crisis_mask |= static_cast<std::uint8_t>(1u << c);
          }
        }
      }
    } else if (key == "url" || key == "text" || key == "author_name") {
      if (value.get_string().get(s) != simdjson::SUCCESS) return bad("expected a string");
      (key == "url" ? out.url : key == "text" ? out.text : out.author_name) = s;
    }
    // Unknown fields are ignored: a later minor addition must not stop an older reader.
  }
  if (!have_version) return Unexpected{std::string("field v is missing")};
  if (out.version != kMatchRecordVersion) {
    return Unexpected{"version " + std::to_string(out.version) + " is not understood (this engine reads version " +
                      std::to_string(kMatchRecordVersion) + ")"};
  }
  if (!have_brand) return Unexpected{std::string("field brand is missing")};
  if (!have_time) return Unexpected{std::string("field t is missing")};
  return {};
}

BrandMatch to_brand_match(const MatchRecord& r, std::uint32_t rule, const AspectLayout& layout) {
  BrandMatch m;
  m.rule = rule;
  m.seq = r.seq;
  m.update = r.update;
  m.update.brand = rule;
  for (const auto& a : r.aspects) {
    if (const int bit = layout.bit_of(a); bit >= 0) m.update.aspect_mask |= 1u << bit;
  }
  for (const auto& a : r.negative_aspects) {
    if (const int bit = layout.bit_of(a); bit >= 0) m.update.negative_aspect_mask |= 1u << bit;
  }
  m.mention_id = r.mention_id;
  m.url = r.url;
  m.text = r.text;
  m.author_name = r.author_name;
  m.followers = r.followers;
  m.verified = r.verified;
  return m;
}

}  // namespace yuqing::analyze
