#include "tests/parse/corpus.h"

#include <cassert>
#include <set>
#include <stdexcept>

namespace yuqing::parse::testing {
namespace {

constexpr std::string_view kId = R"("id":"weibo:4231265311393455")";
constexpr std::string_view kPlatform = R"("platform":"weibo")";
constexpr std::string_view kCreatedAt = R"("created_at":"2024-05-01T20:00:00+08:00")";
constexpr std::string_view kText = R"("text":"这家店的服务太差了，再也不来了")";

std::string_view key_of(std::string_view member) {
  // member is "key":value
  const auto end = member.find('"', 1);
  return member.substr(1, end - 1);
}

// The four required members, the one named `key` replaced by `member` (dropped when empty),
// then `extra` members, as one JSON object.
std::string line_with(std::string_view key, std::string_view member, std::string_view extra = "") {
  std::string out = "{";
  bool first = true;
  for (const std::string_view m : {kId, kPlatform, kCreatedAt, kText}) {
    const std::string_view use = key_of(m) == key ? member : m;
    if (use.empty()) continue;
    if (!first) out += ',';
    out += use;
    first = false;
  }
  if (!extra.empty()) {
    if (!first) out += ',';
    out += extra;
  }
  out += '}';
  return out;
}

std::string line(std::string_view extra = "") { return line_with("", "", extra); }

// A line whose text is a run of 'a' making the whole line exactly `total` bytes.
std::string line_of_size(std::size_t total, std::string_view before = "") {
  std::string head = std::string(before) + "{" + std::string(kId) + "," + std::string(kPlatform) + "," +
                     std::string(kCreatedAt) + R"(,"text":")";
  const std::string tail = "\"}";
  assert(total >= head.size() + tail.size());
  head.append(total - head.size() - tail.size(), 'a');
  return head + tail;
}

std::string nested_arrays(std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

std::string nested_objects(std::size_t levels) {
  std::string s;
  for (std::size_t i = 0; i < levels; ++i) s += R"({"a":)";
  s += "1";
  s.append(levels, '}');
  return s;
}

std::string fifty_unknown_fields() {
  std::string s;
  for (int i = 0; i < 50; ++i) {
    if (i > 0) s += ',';
    const std::string key = "\"x_unknown_" + std::to_string(i) + "\":";
    switch (i % 10) {
      case 0: s += key + R"("字符串 \"quoted\" \u4e2d\n")"; break;
      case 1: s += key + std::to_string(i * 1000003); break;
      case 2: s += key + "-12.5e-3"; break;
      case 3: s += key + "true"; break;
      case 4: s += key + "null"; break;
      case 5: s += key + R"([1,"two",{"three":[3.0,false]},[]])"; break;
      case 6: s += key + R"({"nested":{"deeper":{"id":"not the mention id","text":5}}})"; break;
      case 7: s += key + "{}"; break;
      case 8: s += key + "99999999999999999999999999"; break;
      case 9: s += key + R"("\ud83d\ude00 emoji")"; break;
      default: break;
    }
  }
  return s;
}

std::vector<Case> build() {
  std::vector<Case> c;
  auto ok = [&](std::string name, std::string input) { c.push_back({std::move(name), std::move(input), std::nullopt}); };
  auto bad = [&](Reject r, std::string name, std::string input) { c.push_back({std::move(name), std::move(input), r}); };
  using R = Reject;
  const std::string text_prefix = line_with("text", "");  // required fields but text; ends with '}'
  // The required members other than text, then a text member made of raw bytes.
  auto text_bytes = [&](std::string_view bytes) {
    std::string s = text_prefix.substr(0, text_prefix.size() - 1);
    s += R"(,"text":")";
    s += bytes;
    s += "\"}";
    return s;
  };

  // ---- valid -------------------------------------------------------------------------------
  ok("minimal_required_only", line());
  ok("full_all_fields", full_line());
  ok("bom", "\xEF\xBB\xBF" + line());
  ok("crlf", line() + "\r");
  ok("bom_and_crlf", "\xEF\xBB\xBF" + line() + "\r");
  ok("whitespace_around_and_inside", " \t{ \"id\" : \"a\" ,\t\"platform\":\"x\", \"created_at\" : 0 , \"text\" : \"\" } \t");
  ok("empty_text", line_with("text", R"("text":"")"));
  ok("escapes_cjk_u4e2d", line_with("text", R"("text":"\u4e2d\u6587 and \u00e9")"));
  ok("escapes_surrogate_pair_emoji", line_with("text", R"("text":"\ud83d\ude00 smile \uD83D\uDE00")"));
  ok("escapes_all_simple", line_with("text", R"("text":"q\" b\\ s\/ \b\f\n\r\t end")"));
  ok("escaped_nul", line_with("text", R"("text":"a\u0000b")"));
  ok("escaped_key_names", R"({"\u0069d":"a","platform":"weibo","created_at":0,"t\u0065xt":"b"})");
  ok("zh_traditional", line_with("text", R"("text":"這家餐廳的服務真的很差，排隊兩小時")", R"("lang":"zh-Hant")"));
  ok("created_at_epoch_ms", line_with("created_at", R"("created_at":1714564800123)"));
  ok("created_at_epoch_zero", line_with("created_at", R"("created_at":0)"));
  ok("created_at_epoch_max_2200", line_with("created_at", R"("created_at":7289654399999)"));
  ok("created_at_epoch_integral_decimal", line_with("created_at", R"("created_at":1.7145648e12)"));
  ok("created_at_utc_z", line_with("created_at", R"("created_at":"2024-05-01T12:00:00Z")"));
  ok("created_at_offset_plus_0800", line_with("created_at", R"("created_at":"2024-05-01T20:00:00+08:00")"));
  ok("created_at_offset_minus_0530", line_with("created_at", R"("created_at":"2024-05-01T06:30:00-05:30")"));
  ok("created_at_offset_minus_0000", line_with("created_at", R"("created_at":"2024-05-01T12:00:00-00:00")"));
  ok("created_at_lowercase_t_z", line_with("created_at", R"("created_at":"2024-05-01t12:00:00z")"));
  ok("created_at_fraction_1_digit", line_with("created_at", R"("created_at":"2024-05-01T12:00:00.5Z")"));
  ok("created_at_fraction_9_digits", line_with("created_at", R"("created_at":"2024-05-01T12:00:00.123456789Z")"));
  ok("created_at_leap_day_2024", line_with("created_at", R"("created_at":"2024-02-29T23:59:59+08:00")"));
  ok("created_at_leap_day_2000", line_with("created_at", R"("created_at":"2000-02-29T00:00:00Z")"));
  ok("created_at_leap_second", line_with("created_at", R"("created_at":"2016-12-31T23:59:60Z")"));
  ok("created_at_first_ms_1970", line_with("created_at", R"("created_at":"1970-01-01T00:00:00Z")"));
  ok("created_at_last_ms_2200", line_with("created_at", R"("created_at":"2200-12-31T23:59:59.999Z")"));
  ok("optional_fields_null", line(R"("title":null,"lang":null,"url":null,"parent_id":null,"region":null,"author":null,"metrics":null)"));
  ok("author_and_metrics_empty", line(R"("author":{},"metrics":{})"));
  ok("author_fields_null", line(R"("author":{"id":null,"name":null,"followers":null,"verified":null})"));
  ok("metrics_fields_null", line(R"("metrics":{"likes":null,"reposts":null,"comments":null,"views":null})"));
  ok("counts_as_strings", line(R"("author":{"followers":"9223372036854775807"},"metrics":{"likes":"0","reposts":"12","comments":"007","views":"1234567890123"})"));
  ok("counts_integral_decimals", line(R"("author":{"followers":1e3},"metrics":{"likes":12.0,"views":-0})"));
  ok("count_int64_max", line(R"("metrics":{"views":9223372036854775807})"));
  ok("author_id_integer", line(R"("author":{"id":1669879400})"));
  ok("author_id_huge_integer", line(R"("author":{"id":123456789012345678901234567890})"));
  ok("author_and_metrics_unknown_keys", line(R"("author":{"avatar":{"url":"https://x/y.png","size":[48,48]},"id":"u1"},"metrics":{"bookmarks":3,"likes":1,"quotes":null})"));
  ok("fifty_unknown_fields", line(fifty_unknown_fields()));
  ok("unknown_fields_before_required", "{" + fifty_unknown_fields() + "," + line().substr(1));
  ok("nesting_64_levels", line("\"x\":" + nested_arrays(63)));
  ok("id_256_bytes", line_with("id", "\"id\":\"" + std::string(256, 'i') + "\""));
  ok("id_85_cjk_chars_255_bytes", [] {
    std::string id;
    for (int i = 0; i < 85; ++i) id += "号";
    return line_with("id", "\"id\":\"" + id + "\"");
  }());
  for (int p = 0; p < kPlatformCount; ++p) {
    const std::string name(platform_name(static_cast<Platform>(p)));
    ok("platform_" + name, line_with("platform", "\"platform\":\"" + name + "\""));
  }
  ok("at_limit_65536_bytes", line_of_size(65536));
  ok("at_limit_65536_bytes_with_bom", line_of_size(65536, "\xEF\xBB\xBF"));

  // ---- malformed_json ------------------------------------------------------------------------
  bad(R::malformed_json, "empty_line", "");
  bad(R::malformed_json, "spaces_only", "   ");
  bad(R::malformed_json, "tab_only", "\t");
  bad(R::malformed_json, "cr_only", "\r");
  bad(R::malformed_json, "bom_only", "\xEF\xBB\xBF");
  bad(R::malformed_json, "truncated_after_open_brace", "{");
  bad(R::malformed_json, "truncated_in_key", R"({"i)");
  bad(R::malformed_json, "truncated_after_key", R"({"id")");
  bad(R::malformed_json, "truncated_after_colon", R"({"id":)");
  bad(R::malformed_json, "truncated_in_string", R"({"id":"weibo:42)");
  bad(R::malformed_json, "truncated_after_comma", line().substr(0, line().size() - 1) + ",");
  bad(R::malformed_json, "truncated_missing_close_brace", line().substr(0, line().size() - 1));
  bad(R::malformed_json, "truncated_in_number", R"({"id":"weibo:4231265311393455","platform":"weibo","created_at":17145)");
  bad(R::malformed_json, "truncated_in_nested_object", [] {
    const std::string l = line(R"("author":{"name":"a"})");
    return l.substr(0, l.size() - 2);
  }());
  bad(R::malformed_json, "trailing_garbage_word", line() + " x");
  bad(R::malformed_json, "trailing_extra_brace", line() + "}");
  bad(R::malformed_json, "trailing_second_object", line() + line());
  bad(R::malformed_json, "trailing_comma_after_object", line() + ",");
  bad(R::malformed_json, "trailing_nul_byte", line() + std::string(1, '\0'));
  bad(R::malformed_json, "two_boms", "\xEF\xBB\xBF\xEF\xBB\xBF" + line());
  bad(R::malformed_json, "top_level_array", "[" + line() + "]");
  bad(R::malformed_json, "top_level_number", "42");
  bad(R::malformed_json, "top_level_string", R"("weibo")");
  bad(R::malformed_json, "top_level_null", "null");
  bad(R::malformed_json, "top_level_true", "true");
  bad(R::malformed_json, "missing_comma_between_fields", R"({"id":"a" "platform":"weibo","created_at":0,"text":""})");
  bad(R::malformed_json, "missing_colon", R"({"id" "a","platform":"weibo","created_at":0,"text":""})");
  bad(R::malformed_json, "trailing_comma_in_object", line().substr(0, line().size() - 1) + ",}");
  bad(R::malformed_json, "single_quoted_string", R"({'id':'a','platform':'weibo','created_at':0,'text':''})");
  bad(R::malformed_json, "unquoted_key", R"({id:"a","platform":"weibo","created_at":0,"text":""})");
  bad(R::malformed_json, "comment", line() + " // comment");
  bad(R::malformed_json, "nan_literal", line(R"("x":NaN)"));
  bad(R::malformed_json, "infinity_literal", line(R"("metrics":{"likes":Infinity})"));
  bad(R::malformed_json, "unknown_bad_literal_tru", line(R"("x":tru)"));
  bad(R::malformed_json, "unknown_bad_literal_nul", line(R"("x":nul)"));
  bad(R::malformed_json, "unknown_mismatched_brackets", line(R"("x":[1})"));
  bad(R::malformed_json, "unknown_mismatched_brackets_then_fields", R"({"x":[1},"id":"a","platform":"weibo","created_at":0,"text":""})");
  bad(R::malformed_json, "unknown_missing_comma_in_array", line(R"("x":[1 2])"));
  bad(R::malformed_json, "unknown_missing_colon_in_object", line(R"("x":{"a" 1})"));
  bad(R::malformed_json, "unknown_trailing_comma_in_array", line(R"("x":[1,])"));
  bad(R::malformed_json, "unknown_empty_value", line(R"("x":,"y":1)"));
  bad(R::malformed_json, "unknown_number_leading_zero", line(R"("x":01)"));
  bad(R::malformed_json, "unknown_number_dot_without_digits", line(R"("x":1.)"));
  bad(R::malformed_json, "unknown_number_lone_minus", line(R"("x":-)"));
  bad(R::malformed_json, "unknown_number_plus_sign", line(R"("x":+1)"));
  bad(R::malformed_json, "unknown_number_hex", line(R"("x":0x1F)"));
  bad(R::malformed_json, "unknown_invalid_escape", line(R"("x":"a\qb")"));
  bad(R::malformed_json, "unknown_invalid_unicode_escape", line(R"("x":"\u12G4")"));
  bad(R::malformed_json, "unknown_short_unicode_escape", line(R"("x":"\u12")"));
  bad(R::malformed_json, "unescaped_tab_in_string", line_with("text", "\"text\":\"a\tb\""));
  bad(R::malformed_json, "unescaped_control_0x01_in_string", line_with("text", "\"text\":\"a\x01" "b\""));
  bad(R::malformed_json, "invalid_escape_in_text", line_with("text", R"("text":"bad \x41 escape")"));
  bad(R::malformed_json, "known_number_leading_zero", line(R"("author":{"followers":0123})"));
  bad(R::malformed_json, "known_number_garbage_suffix", line_with("created_at", R"("created_at":1714564800000x)"));
  bad(R::malformed_json, "known_bad_literal", line(R"("author":{"verified":fals})"));
  bad(R::malformed_json, "nesting_65_levels", line("\"x\":" + nested_arrays(64)));
  bad(R::malformed_json, "nesting_10000_arrays_in_unknown_field", line("\"x\":" + nested_arrays(10000)));
  bad(R::malformed_json, "nesting_10000_objects_in_unknown_field", line("\"x\":" + nested_objects(10000)));
  bad(R::malformed_json, "nesting_10000_in_text", line_with("text", "\"text\":" + nested_arrays(10000)));
  bad(R::malformed_json, "nesting_10000_in_author_unknown", line("\"author\":{\"x\":" + nested_arrays(10000) + "}"));
  bad(R::malformed_json, "nesting_10000_unclosed", line("\"x\":" + std::string(10000, '[')));
  bad(R::malformed_json, "bad_type_then_broken_json", R"({"id":5,"platform":"weibo","created_at":0,"text":"","x":[1}})");
  bad(R::malformed_json, "duplicate_then_broken_json", R"({"id":"a","id":"b","platform":"weibo","created_at":0,"text":"","x":tru})");
  bad(R::malformed_json, "invalid_surrogate_then_broken_json", line_with("text", R"("text":"\ud800")", R"("x":[})"));

  // ---- invalid_utf8 --------------------------------------------------------------------------
  const std::vector<std::pair<std::string, std::string>> bad_bytes = {
      {"lone_continuation_80", "\x80"},
      {"lone_continuation_bf", "\xBF"},
      {"overlong_2byte_slash_c0af", "\xC0\xAF"},
      {"overlong_2byte_c1bf", "\xC1\xBF"},
      {"overlong_3byte_e080af", "\xE0\x80\xAF"},
      {"overlong_4byte_f08080af", "\xF0\x80\x80\xAF"},
      {"surrogate_d800_encoded", "\xED\xA0\x80"},
      {"surrogate_dfff_encoded", "\xED\xBF\xBF"},
      {"surrogate_pair_cesu8", "\xED\xA0\xBD\xED\xB8\x80"},
      {"truncated_3byte", "\xE4\xB8"},
      {"truncated_4byte", "\xF0\x9F\x98"},
      {"above_10ffff_f4908080", "\xF4\x90\x80\x80"},
      {"byte_f5", "\xF5\x80\x80\x80"},
      {"byte_fe", "\xFE"},
      {"byte_ff", "\xFF"},
      {"latin1_e9", "caf\xE9"},
  };
  for (const auto& [name, bytes] : bad_bytes) bad(R::invalid_utf8, "text_" + name, text_bytes("a" + bytes + "b"));
  bad(R::invalid_utf8, "text_truncated_3byte_at_end_of_string", text_bytes("服务\xE5\x8A"));
  bad(R::invalid_utf8, "key_byte_ff", R"({"i)" "\xFF" R"(d":"a",)" + line().substr(1));
  bad(R::invalid_utf8, "key_overlong_c0af", R"({")" "\xC0\xAF" R"(":1,)" + line().substr(1));
  bad(R::invalid_utf8, "key_surrogate_encoded", line("\"x\xED\xA0\x80\":1"));
  bad(R::invalid_utf8, "unknown_value_lone_continuation", line("\"x\":\"\x80\""));
  bad(R::invalid_utf8, "author_name_truncated_4byte", line("\"author\":{\"name\":\"\xF0\x9F\x98\"}"));
  bad(R::invalid_utf8, "byte_outside_strings", line() + " \xFF");
  bad(R::invalid_utf8, "line_cut_inside_multibyte_char", [] {
    const std::string l = line();
    return l.substr(0, l.find("这") + 1);
  }());
  bad(R::invalid_utf8, "escaped_lone_high_surrogate", line_with("text", R"("text":"a\ud800b")"));
  bad(R::invalid_utf8, "escaped_lone_low_surrogate", line_with("text", R"("text":"a\udc00b")"));
  bad(R::invalid_utf8, "escaped_high_surrogate_then_bmp", line_with("text", R"("text":"\ud83d\u0041")"));
  bad(R::invalid_utf8, "escaped_high_surrogate_at_end", line_with("text", R"("text":"end\ud83d")"));
  bad(R::invalid_utf8, "escaped_reversed_surrogates", line_with("text", R"("text":"\ude00\ud83d")"));
  bad(R::invalid_utf8, "escaped_lone_surrogate_in_key", line(R"("k\ud800":1)"));
  bad(R::invalid_utf8, "escaped_lone_surrogate_in_unknown_value", line(R"("x":["\udfff"])"));
  bad(R::invalid_utf8, "escaped_lone_surrogate_in_author_name", line(R"("author":{"name":"\ud800"})"));
  bad(R::invalid_utf8, "escaped_lone_surrogate_beats_bad_type", R"({"id":1,"platform":"weibo","created_at":0,"text":"\ud800"})");

  // ---- missing_field -------------------------------------------------------------------------
  for (const std::string_view key : {"id", "platform", "created_at", "text"}) {
    bad(R::missing_field, "missing_" + std::string(key), line_with(key, ""));
    bad(R::missing_field, "null_" + std::string(key), line_with(key, "\"" + std::string(key) + "\":null"));
  }
  bad(R::missing_field, "empty_object", "{}");
  bad(R::missing_field, "only_unknown_fields", R"({"ID":"a","Platform":"weibo","createdAt":0,"content":"x"})");
  bad(R::missing_field, "required_inside_author_only", R"({"author":{"id":"a","platform":"weibo","created_at":0,"text":""}})");

  // ---- bad_type ------------------------------------------------------------------------------
  const std::vector<std::pair<std::string, std::string>> wrong_required = {
      {"id_number", R"("id":4231265311393455)"},
      {"id_bool", R"("id":true)"},
      {"id_object", R"("id":{"v":"a"})"},
      {"id_array", R"("id":["a"])"},
      {"platform_number", R"("platform":1)"},
      {"platform_array", R"("platform":["weibo"])"},
      {"created_at_bool", R"("created_at":false)"},
      {"created_at_object", R"("created_at":{"ms":0})"},
      {"created_at_array", R"("created_at":[2024,5,1])"},
      {"text_number", R"("text":42)"},
      {"text_bool", R"("text":true)"},
      {"text_object", R"("text":{"zh":"差"})"},
      {"text_array", R"("text":["a","b"])"},
  };
  for (const auto& [name, member] : wrong_required) bad(R::bad_type, name, line_with(key_of(member), member));
  const std::vector<std::pair<std::string, std::string>> wrong_optional = {
      {"title_number", R"("title":1)"},
      {"title_bool", R"("title":false)"},
      {"lang_array", R"("lang":["zh"])"},
      {"lang_number", R"("lang":86)"},
      {"url_object", R"("url":{"href":"https://x"})"},
      {"parent_id_number", R"("parent_id":4231265311390000)"},
      {"region_bool", R"("region":true)"},
      {"author_string", R"("author":"小王")"},
      {"author_number", R"("author":1)"},
      {"author_array", R"("author":[{"id":"a"}])"},
      {"author_bool", R"("author":true)"},
      {"metrics_string", R"("metrics":"35 likes")"},
      {"metrics_array", R"("metrics":[35,12])"},
      {"metrics_number", R"("metrics":35)"},
      {"author_id_bool", R"("author":{"id":true})"},
      {"author_id_object", R"("author":{"id":{"v":1}})"},
      {"author_id_decimal", R"("author":{"id":1.5})"},
      {"author_id_exponent", R"("author":{"id":1e3})"},
      {"author_name_number", R"("author":{"name":7})"},
      {"author_name_array", R"("author":{"name":["a"]})"},
      {"author_followers_bool", R"("author":{"followers":true})"},
      {"author_followers_object", R"("author":{"followers":{"count":1}})"},
      {"author_followers_array", R"("author":{"followers":[1]})"},
      {"author_followers_fraction", R"("author":{"followers":1.5})"},
      {"author_verified_string", R"("author":{"verified":"true"})"},
      {"author_verified_number", R"("author":{"verified":1})"},
      {"metrics_likes_bool", R"("metrics":{"likes":false})"},
      {"metrics_reposts_fraction", R"("metrics":{"reposts":0.5})"},
      {"metrics_comments_array", R"("metrics":{"comments":[]})"},
      {"metrics_views_object", R"("metrics":{"views":{}})"},
  };
  for (const auto& [name, member] : wrong_optional) bad(R::bad_type, name, line(member));
  bad(R::bad_type, "bad_type_beats_later_bad_value", line_with("id", R"("id":1)", R"("platform2":1,"metrics":{"likes":-1})"));

  // ---- bad_value -----------------------------------------------------------------------------
  bad(R::bad_value, "id_empty", line_with("id", R"("id":"")"));
  bad(R::bad_value, "id_257_bytes", line_with("id", "\"id\":\"" + std::string(257, 'i') + "\""));
  bad(R::bad_value, "id_86_cjk_chars_258_bytes", [] {
    std::string id;
    for (int i = 0; i < 86; ++i) id += "号";
    return line_with("id", "\"id\":\"" + id + "\"");
  }());
  bad(R::bad_value, "platform_unknown_myspace", line_with("platform", R"("platform":"myspace")"));
  bad(R::bad_value, "platform_wrong_case", line_with("platform", R"("platform":"Weibo")"));
  bad(R::bad_value, "platform_empty", line_with("platform", R"("platform":"")"));
  bad(R::bad_value, "platform_twitter_alias", line_with("platform", R"("platform":"twitter")"));
  bad(R::bad_value, "followers_negative", line(R"("author":{"followers":-1})"));
  bad(R::bad_value, "followers_1e30", line(R"("author":{"followers":1e30})"));
  bad(R::bad_value, "followers_1e400", line(R"("author":{"followers":1e400})"));
  bad(R::bad_value, "followers_20_digits", line(R"("author":{"followers":99999999999999999999})"));
  bad(R::bad_value, "followers_int64_max_plus_1", line(R"("author":{"followers":9223372036854775808})"));
  bad(R::bad_value, "followers_huge_negative", line(R"("author":{"followers":-99999999999999999999})"));
  bad(R::bad_value, "followers_string_negative", line(R"("author":{"followers":"-5"})"));
  bad(R::bad_value, "followers_string_20_digits", line(R"("author":{"followers":"99999999999999999999"})"));
  bad(R::bad_value, "followers_string_int64_max_plus_1", line(R"("author":{"followers":"9223372036854775808"})"));
  bad(R::bad_value, "likes_string_word", line(R"("metrics":{"likes":"many"})"));
  bad(R::bad_value, "likes_string_empty", line(R"("metrics":{"likes":""})"));
  bad(R::bad_value, "likes_string_decimal", line(R"("metrics":{"likes":"12.5"})"));
  bad(R::bad_value, "likes_string_with_space", line(R"("metrics":{"likes":" 12"})"));
  bad(R::bad_value, "likes_string_plus_sign", line(R"("metrics":{"likes":"+12"})"));
  bad(R::bad_value, "likes_string_wan_suffix", line(R"("metrics":{"likes":"1.2万"})"));
  bad(R::bad_value, "views_negative_decimal", line(R"("metrics":{"views":-2.0})"));
  bad(R::bad_value, "author_id_negative", line(R"("author":{"id":-5})"));

  // ---- duplicate_field -----------------------------------------------------------------------
  bad(R::duplicate_field, "duplicate_id", line(std::string(kId)));
  bad(R::duplicate_field, "duplicate_id_different_value", line(R"("id":"weibo:1")"));
  bad(R::duplicate_field, "duplicate_text", line(R"("text":"again")"));
  bad(R::duplicate_field, "duplicate_platform_first_wins_over_later_bad_value", line(R"("platform":"weibo","metrics":{"likes":-1})"));
  bad(R::duplicate_field, "duplicate_created_at_second_null", line(R"("created_at":null)"));
  bad(R::duplicate_field, "duplicate_optional_title", line(R"("title":"a","title":"b")"));
  bad(R::duplicate_field, "duplicate_null_optional", line(R"("url":null,"url":null)"));
  bad(R::duplicate_field, "duplicate_author", line(R"("author":{},"author":{})"));
  bad(R::duplicate_field, "duplicate_metrics", line(R"("metrics":null,"metrics":{})"));
  bad(R::duplicate_field, "duplicate_author_name", line(R"("author":{"name":"a","name":"b"})"));
  bad(R::duplicate_field, "duplicate_author_followers", line(R"("author":{"followers":1,"followers":"1"})"));
  bad(R::duplicate_field, "duplicate_metrics_likes", line(R"("metrics":{"likes":1,"likes":2})"));
  bad(R::duplicate_field, "duplicate_via_escaped_key", line(R"("\u0069d":"other")"));

  // ---- too_large -----------------------------------------------------------------------------
  bad(R::too_large, "over_limit_65537_bytes", line_of_size(65537));
  bad(R::too_large, "over_limit_by_bom", line_of_size(65537, "\xEF\xBB\xBF"));
  bad(R::too_large, "over_limit_by_cr", line_of_size(65536) + "\r");
  bad(R::too_large, "over_limit_not_even_json", std::string(65537, 'x'));

  // ---- bad_timestamp -------------------------------------------------------------------------
  const std::vector<std::pair<std::string, std::string>> bad_times = {
      {"month_13", R"("2024-13-01T00:00:00Z")"},
      {"month_00", R"("2024-00-10T00:00:00Z")"},
      {"day_00", R"("2024-05-00T00:00:00Z")"},
      {"day_32", R"("2024-05-32T00:00:00Z")"},
      {"april_31", R"("2024-04-31T00:00:00Z")"},
      {"feb_29_non_leap_2023", R"("2023-02-29T00:00:00Z")"},
      {"feb_29_century_2100", R"("2100-02-29T00:00:00Z")"},
      {"hour_24", R"("2024-05-01T24:00:00Z")"},
      {"minute_60", R"("2024-05-01T12:60:00Z")"},
      {"second_61", R"("2024-05-01T12:00:61Z")"},
      {"space_separator", R"("2024-05-01 12:00:00Z")"},
      {"no_offset", R"("2024-05-01T12:00:00")"},
      {"date_only", R"("2024-05-01")"},
      {"offset_one_digit_hour", R"("2024-05-01T12:00:00+8:00")"},
      {"offset_without_colon", R"("2024-05-01T12:00:00+0800")"},
      {"offset_hour_24", R"("2024-05-01T12:00:00+24:00")"},
      {"offset_with_seconds", R"("2024-05-01T12:00:00+08:00:00")"},
      {"dot_without_digits", R"("2024-05-01T12:00:00.Z")"},
      {"two_digit_year", R"("24-05-01T12:00:00Z")"},
      {"slashes", R"("2024/05/01T12:00:00Z")"},
      {"english_words", R"("yesterday")"},
      {"chinese_words", R"("昨天 20:00")"},
      {"empty_string", R"("")"},
      {"trailing_space", R"("2024-05-01T12:00:00Z ")"},
      {"epoch_ms_as_string", R"("1714564800000")"},
      {"year_1969", R"("1969-12-31T23:59:59.999Z")"},
      {"before_1970_after_offset", R"("1970-01-01T07:59:59+08:00")"},
      {"year_2201", R"("2201-01-01T00:00:00Z")"},
      {"year_9999", R"("9999-12-31T23:59:59Z")"},
      {"epoch_negative", "-1"},
      {"epoch_after_2200", "7289654400000"},
      {"epoch_fraction", "1714564800000.5"},
      {"epoch_1e30", "1e30"},
      {"epoch_20_digits", "99999999999999999999"},
  };
  for (const auto& [name, value] : bad_times) {
    bad(R::bad_timestamp, "created_at_" + name, line_with("created_at", "\"created_at\":" + value));
  }
  return c;
}

}  // namespace

std::string full_line() {
  return R"({"id":"weibo:4231265311393455","platform":"weibo","created_at":"2024-05-01T20:00:00.123+08:00",)"
         R"("text":"这家店的服务太差了，再也不来了 #维权# [怒]","title":null,"lang":"zh",)"
         R"("url":"https://weibo.com/1669879400/NzJ7bCx9P","parent_id":"weibo:4231265311390000","region":"上海",)"
         R"("author":{"id":"1669879400","name":"小王爱吃饭","followers":12000,"verified":true},)"
         R"("metrics":{"likes":35,"reposts":12,"comments":8,"views":24500}})";
}

const std::vector<Case>& corpus() {
  static const std::vector<Case> cases = [] {
    auto v = build();
    std::set<std::string> names;
    for (const auto& c : v) {
      if (!names.insert(c.name).second) throw std::logic_error("duplicate corpus case name " + c.name);
      if (c.input.find('\n') != std::string::npos) throw std::logic_error("corpus case has a newline: " + c.name);
    }
    return v;
  }();
  return cases;
}

std::string fixture_file_of(const Case& c) {
  if (!c.expect) return "valid";
  if (c.input.find_first_not_of(" \t\r") == std::string::npos) return "blank_lines";
  return std::string(reject_name(*c.expect));
}

std::map<std::string, std::string> corpus_fixture_files() {
  std::map<std::string, std::string> files;
  std::map<std::string, int> lines;
  std::string index = "# file\tline\tcase\texpected (generated from tests/parse/corpus.cpp; do not edit)\n";
  for (const auto& c : corpus()) {
    const std::string file = fixture_file_of(c) + ".jsonl";
    files[file] += c.input;
    files[file] += '\n';
    const int n = ++lines[file];
    index += file + "\t" + std::to_string(n) + "\t" + c.name + "\t" +
             (c.expect ? std::string(reject_name(*c.expect)) : std::string("ok")) + "\n";
  }
  files["INDEX.tsv"] = index;
  return files;
}

}  // namespace yuqing::parse::testing
