// X (Twitter) API v2 -> mentions. A document is one response: {"data":[tweets] | {tweet},
// "includes":{"users":[...], "tweets":[...], "places":[...]}, "errors":[...], "meta":{...}}
// (search, timelines, tweet lookup, filtered stream lines).
//
//   id                              id "x:<id>"
//   note_tweet.text, else text      text (a long post's full text); a retweet's "RT @a: ..." is
//                                   rebuilt from includes.tweets when the original is there
//   created_at (RFC 3339)           created_at, UTC
//   lang                            lang, except X's "und", "zxx", "art" and q* codes (the engine
//                                   detects those)
//   author_id + includes.users      author.id, author.name (username), author.followers
//                                   (public_metrics.followers_count), author.verified (verified,
//                                   or verified_type business/government/blue)
//   public_metrics                  likes = like_count, reposts = retweet_count + quote_count,
//                                   comments = reply_count, views = impression_count
//   referenced_tweets               parent_id "x:<id>" (retweeted, else quoted, else replied_to)
//   geo.place_id + includes.places  region = the place's country_code
//   url                             https://x.com/<username>/status/<id>
//                                   (https://x.com/i/web/status/<id> when the author is not in includes)
//
// A tweet whose author is missing from includes still converts (author.id only). Each entry of
// "errors" (a tweet that was deleted or is private) is a platform_error rejection.

#include <string>
#include <unordered_map>

#include "connectors/adapters/formats.h"
#include "connectors/adapters/json_doc.h"
#include "connectors/adapters/time.h"

namespace yuqing::adapters {
namespace {

using Index = std::unordered_map<std::string_view, dom::element>;

void index_by_id(dom::element includes, std::string_view key, Index& out) {
  dom::array list;
  if (includes[key].get_array().get(list)) return;
  for (dom::element e : list) {
    std::string_view id;
    if (!e["id"].get_string().get(id)) out.emplace(id, e);
  }
}

bool usable_lang(std::string_view lang) {
  return !lang.empty() && lang != "und" && lang != "zxx" && lang != "art" && lang[0] != 'q';
}

class XAdapter final : public JsonAdapter {
 public:
  using JsonAdapter::JsonAdapter;
  Format format() const override { return Format::x; }

  void convert(std::string_view document, Output& out) override {
    out.clear();
    users_.clear();
    tweets_.clear();
    places_.clear();
    if (!load(document, out)) return;
    const dom::element root = doc_.root();
    if (!root.is_object()) {
      reject(out, Reason::unsupported_shape, "an X API v2 response is an object, got " + std::string(type_name(root)),
             "");
      return;
    }
    if (dom::element includes; !root["includes"].get(includes) && includes.is_object()) {
      index_by_id(includes, "users", users_);
      index_by_id(includes, "tweets", tweets_);
      index_by_id(includes, "places", places_);
    }
    dom::element data, errors, meta;
    const bool has_data = !root["data"].get(data) && !data.is_null();
    const bool has_errors = !root["errors"].get(errors) && errors.is_array();
    if (has_data) {
      if (data.is_array()) {
        std::size_t i = 0;
        for (dom::element t : array_of(data)) {
          map_tweet(t, "data[" + std::to_string(i) + "]", pointer_index("/data", i), out);
          ++i;
        }
      } else {
        map_tweet(data, "data", "", out);
      }
    }
    if (has_errors) {
      std::size_t i = 0;
      for (dom::element e : array_of(errors)) {
        const std::string_view title = string_at(e, "title"), detail = string_at(e, "detail");
        reject(out, Reason::platform_error,
               "errors[" + std::to_string(i) + "]: " + std::string(title) + (detail.empty() ? "" : ": ") +
                   std::string(detail),
               pointer_index("/errors", i));
        ++i;
      }
    }
    if (!has_data && !has_errors && root["meta"].get(meta)) {
      reject(out, Reason::unsupported_shape, "no 'data', 'errors' or 'meta': not an X API v2 response", "");
    }
  }

 private:
  void map_tweet(dom::element item, std::string where, const std::string& pointer, Output& out) {
    if (!item.is_object()) {
      reject(out, Reason::unsupported_shape, where + ": a tweet must be an object, got " + std::string(type_name(item)),
             pointer);
      return;
    }
    std::optional<Problem> problem;
    std::optional<std::string> id;
    {
      Fields f(item, where, problem);
      id = f.id_text("id");
    }
    if (id) where += " (id " + *id + ")";
    Fields t(item, where, problem);
    Draft d;
    d.platform = Platform::x;
    if (!problem && !id) t.fail(Reason::missing_field, "id", "is missing");
    if (!problem && id->empty()) t.fail(Reason::bad_value, "id", "is empty");
    std::string text;
    if (!problem) {
      std::optional<std::string_view> body;
      if (auto note = t.object("note_tweet")) {
        std::optional<Problem> ignored;
        Fields n(*note, where + ".note_tweet", ignored);
        body = n.str("text");
      }
      if (!body) body = t.str("text");
      if (body) text = std::string(*body);
      else if (!problem) t.fail(Reason::missing_field, "text", "is missing");
    }
    if (!problem) {
      if (auto created = t.str("created_at")) {
        if (auto ms = parse_rfc3339_time_ms(*created)) {
          d.created_at_ms = *ms;
        } else {
          t.fail(Reason::bad_timestamp, "created_at", "'" + std::string(*created) + "': " + ms.error());
        }
      } else if (!problem) {
        t.fail(Reason::missing_field, "created_at", "is missing (request tweet.fields=created_at)");
      }
    }
    std::optional<std::string> username;
    if (!problem) {
      if (auto lang = t.str("lang"); lang && usable_lang(*lang)) d.lang = std::string(*lang);
      d.author_id = t.id_text("author_id");
      if (d.author_id) {
        if (auto it = users_.find(*d.author_id); it != users_.end()) {
          Fields u(it->second, "includes.users (id " + *d.author_id + ")", problem);
          if (auto name = u.str("username")) username = std::string(*name);
          d.author_name = username;
          if (auto pm = u.object("public_metrics")) {
            Fields m(*pm, u.where() + ".public_metrics", problem);
            d.followers = m.count("followers_count");
          }
          d.verified = u.boolean("verified");
          if (auto vt = u.str("verified_type")) {
            if (*vt == "blue" || *vt == "business" || *vt == "government") d.verified = true;
            else if (!d.verified) d.verified = false;
          }
        }
      }
      if (auto pm = t.object("public_metrics")) {
        Fields m(*pm, where + ".public_metrics", problem);
        d.likes = m.count("like_count");
        auto retweets = m.count("retweet_count"), quotes = m.count("quote_count");
        if (retweets || quotes) d.reposts = retweets.value_or(0) + quotes.value_or(0);
        d.comments = m.count("reply_count");
        d.views = m.count("impression_count");
      }
      parent(t, where, problem, text, d);
      if (auto geo = t.object("geo")) {
        Fields g(*geo, where + ".geo", problem);
        if (auto place = g.str("place_id")) {
          if (auto it = places_.find(*place); it != places_.end()) {
            std::string_view cc;
            if (!it->second["country_code"].get_string().get(cc) && !cc.empty()) d.region = std::string(cc);
          }
        }
      }
    }
    if (problem) {
      reject(out, *problem, pointer);
      return;
    }
    d.id = make_id("x", *id);
    d.text = std::move(text);
    d.url = username ? "https://x.com/" + *username + "/status/" + *id : "https://x.com/i/web/status/" + *id;
    emit(out, d);
  }

  // parent_id from referenced_tweets; a retweet's truncated "RT @a: ..." text is rebuilt from
  // the original in includes.tweets.
  void parent(Fields& t, const std::string& where, std::optional<Problem>& problem, std::string& text, Draft& d) {
    auto refs = t.array("referenced_tweets");
    if (!refs) return;
    std::string_view best_type, best_id;
    auto rank = [](std::string_view type) {
      return type == "retweeted" ? 3 : type == "quoted" ? 2 : type == "replied_to" ? 1 : 0;
    };
    std::size_t i = 0;
    for (dom::element r : *refs) {
      Fields f(r, where + ".referenced_tweets[" + std::to_string(i++) + "]", problem);
      if (!r.is_object()) continue;
      auto type = f.str("type");
      auto id = f.str("id");
      if (type && id && !id->empty() && rank(*type) > rank(best_type)) {
        best_type = *type;
        best_id = *id;
      }
    }
    if (best_id.empty()) return;
    d.parent_id = make_id("x", best_id);
    if (best_type != "retweeted" || text.rfind("RT @", 0) != 0) return;
    auto it = tweets_.find(best_id);
    if (it == tweets_.end()) return;
    std::string_view original;
    dom::element note;
    if (!it->second["note_tweet"].get(note) && note.is_object()) original = string_at(note, "text");
    if (original.empty()) original = string_at(it->second, "text");
    if (original.empty()) return;
    const auto colon = text.find(": ");
    if (colon == std::string::npos) return;
    text.resize(colon + 2);  // keep "RT @author: "
    text += original;
  }

  Index users_, tweets_, places_;
};

}  // namespace

std::unique_ptr<Adapter> make_x(const AdapterOptions& options) { return std::make_unique<XAdapter>(options); }

}  // namespace yuqing::adapters
