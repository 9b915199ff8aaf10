#include "connectors/adapters/json_doc.h"

#include <cmath>

#include "connectors/adapters/canonical.h"
#include "connectors/adapters/html.h"

namespace yuqing::adapters {

bool JsonDocument::load(std::string_view bytes, std::string& error) {
  size_ = bytes.size();
  padded_.assign(bytes);
  padded_.append(simdjson::SIMDJSON_PADDING, '\0');
  if (auto err = dom_.parse(padded_.data(), size_, false).get(root_); err) {
    error = simdjson::error_message(err);
    return false;
  }
  return true;
}

std::string JsonDocument::raw_at(std::string_view pointer) {
  const std::string whole(bytes());
  simdjson::ondemand::document doc;
  if (od_.iterate(padded_.data(), size_, padded_.size()).get(doc)) return whole;
  simdjson::ondemand::value v;
  if (doc.at_pointer(pointer).get(v)) return whole;
  simdjson::ondemand::json_type t;
  if (v.type().get(t)) return whole;
  std::string_view raw;
  switch (t) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object o;
      if (v.get_object().get(o) || o.raw_json().get(raw)) return whole;
      break;
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array a;
      if (v.get_array().get(a) || a.raw_json().get(raw)) return whole;
      break;
    }
    default:
      raw = v.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
        raw.remove_suffix(1);
      }
  }
  return std::string(raw);
}

std::string_view type_name(dom::element v) {
  switch (v.type()) {
    case dom::element_type::ARRAY: return "array";
    case dom::element_type::OBJECT: return "object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return "number";
    case dom::element_type::STRING: return "string";
    case dom::element_type::BOOL: return "boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "value";
}

dom::array array_of(dom::element e) {
  dom::array a;
  if (e.get_array().get(a)) return {};
  return a;
}

std::string_view string_at(dom::element obj, std::string_view key) {
  std::string_view s;
  if (obj[key].get_string().get(s)) return {};
  return s;
}

bool Fields::has(std::string_view key) const { return value(key).has_value(); }

std::optional<dom::element> Fields::value(std::string_view key) const {
  dom::element v;
  if (obj_[key].get(v) || v.is_null()) return std::nullopt;
  return v;
}

void Fields::fail(Reason reason, std::string_view key, std::string_view what) {
  if (problem_) return;
  Problem p;
  p.reason = reason;
  p.detail = where_;
  p.detail += ": field '";
  p.detail += key;
  p.detail += "' ";
  p.detail += what;
  problem_ = std::move(p);
}

void Fields::wrong_type(std::string_view key, std::string_view want, dom::element v) {
  fail(Reason::bad_type, key, "must be " + std::string(want) + ", got " + std::string(type_name(v)));
}

std::optional<std::string_view> Fields::str(std::string_view key) {
  auto v = value(key);
  if (!v) return std::nullopt;
  std::string_view s;
  if (v->get_string().get(s)) {
    wrong_type(key, "a string", *v);
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Fields::id_text(std::string_view key) {
  auto v = value(key);
  if (!v) return std::nullopt;
  if (v->is_string()) return std::string(v->get_string().value_unsafe());
  if (v->is_uint64()) return std::to_string(v->get_uint64().value_unsafe());
  if (v->is_int64() && v->get_int64().value_unsafe() >= 0) return std::to_string(v->get_int64().value_unsafe());
  wrong_type(key, "a string or a non-negative integer", *v);
  return std::nullopt;
}

std::optional<std::int64_t> Fields::count(std::string_view key) {
  auto v = value(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return std::max<std::int64_t>(0, v->get_int64().value_unsafe());
  if (v->is_uint64()) {
    fail(Reason::bad_value, key, "is larger than 2^63-1");
    return std::nullopt;
  }
  if (v->is_double()) {
    const double d = v->get_double().value_unsafe();
    if (!(d == std::floor(d)) || !(std::fabs(d) < 9.2e18)) {
      fail(Reason::bad_value, key, "is not an integer count");
      return std::nullopt;
    }
    return std::max<std::int64_t>(0, static_cast<std::int64_t>(d));
  }
  if (v->is_string()) {
    if (auto c = parse_count_text(v->get_string().value_unsafe())) return c;
    fail(Reason::bad_value, key, "is not a count");
    return std::nullopt;
  }
  wrong_type(key, "a count", *v);
  return std::nullopt;
}

std::optional<double> Fields::number(std::string_view key) {
  auto v = value(key);
  if (!v) return std::nullopt;
  if (v->is_number()) {
    double d = 0;
    if (v->is_int64()) d = static_cast<double>(v->get_int64().value_unsafe());
    else if (v->is_uint64()) d = static_cast<double>(v->get_uint64().value_unsafe());
    else d = v->get_double().value_unsafe();
    return d;
  }
  wrong_type(key, "a number", *v);
  return std::nullopt;
}

std::optional<bool> Fields::boolean(std::string_view key) {
  auto v = value(key);
  if (!v) return std::nullopt;
  bool b = false;
  if (v->get_bool().get(b)) {
    wrong_type(key, "a boolean", *v);
    return std::nullopt;
  }
  return b;
}

std::optional<dom::element> Fields::object(std::string_view key) {
  auto v = value(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    wrong_type(key, "an object", *v);
    return std::nullopt;
  }
  return v;
}

std::optional<dom::array> Fields::array(std::string_view key) {
  auto v = value(key);
  if (!v) return std::nullopt;
  dom::array a;
  if (v->get_array().get(a)) {
    wrong_type(key, "an array", *v);
    return std::nullopt;
  }
  return a;
}

bool JsonAdapter::load(std::string_view document, Output& out) {
  if (document.find_first_not_of(" \t\r\n") == std::string_view::npos) return false;
  std::string error;
  if (!doc_.load(document, error)) {
    out.rejections.push_back({Reason::invalid_json, "not a JSON document: " + error, std::string(document)});
    return false;
  }
  return true;
}

void JsonAdapter::reject(Output& out, Reason reason, std::string detail, std::string_view pointer) {
  out.rejections.push_back(
      {reason, std::move(detail), pointer.empty() ? std::string(doc_.bytes()) : doc_.raw_at(pointer)});
}

void JsonAdapter::emit(Output& out, const Draft& draft) {
  out.mentions.push_back(to_line(draft, options_.max_mention_bytes));
}

std::string pointer_index(std::string_view base, std::size_t index) {
  return std::string(base) + "/" + std::to_string(index);
}

std::string pointer_key(std::string_view base, std::string_view key) {
  std::string out(base);
  out += '/';
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace yuqing::adapters
