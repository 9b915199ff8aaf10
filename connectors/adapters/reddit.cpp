// Reddit listing JSON -> mentions. A document is a Listing {"kind":"Listing","data":{"children":
// [things]}}, a single thing {"kind":"t3"|"t1","data":{...}}, or an array of Listings (a
// comments page: the post's Listing, then the comments' Listing). Comment replies
// (data.replies, a Listing) are followed; "more" stubs are skipped (they hold no text).
//
//   t3 (post)                       t1 (comment)
//   id "reddit:<name>" (t3_...)     id "reddit:<name>" (t1_...)
//   title -> title                  body -> text
//   selftext -> text ("" for links) parent_id "reddit:<parent_id>" (t3_ or t1_)
//   num_comments -> comments
//   num_crossposts -> reposts
//   both: created_utc (epoch s) -> created_at; author, author_fullname -> author.name, author.id
//   ("[deleted]" authors left out); score (ups) -> likes, negative scores as 0; view_count ->
//   views; url https://www.reddit.com<permalink>; "subreddit": "r/<name>" (an extra field the
//   engine ignores). Reddit's JSON escapes &, <, > as entities in text: they are decoded.
// A comment whose body is "[removed]" or "[deleted]" is rejected as deleted.

#include <cmath>
#include <string>

#include "connectors/adapters/formats.h"
#include "connectors/adapters/html.h"
#include "connectors/adapters/json_doc.h"
#include "connectors/adapters/time.h"
#include "engine/parse/parse.h"

namespace yuqing::adapters {
namespace {

class RedditAdapter final : public JsonAdapter {
 public:
  using JsonAdapter::JsonAdapter;
  Format format() const override { return Format::reddit; }

  void convert(std::string_view document, Output& out) override {
    out.clear();
    if (!load(document, out)) return;
    const dom::element root = doc_.root();
    if (root.is_array()) {
      std::size_t i = 0;
      for (dom::element e : array_of(root)) {
        visit(e, "[" + std::to_string(i) + "]", pointer_index("", i), 0, out);
        ++i;
      }
      return;
    }
    if (!root.is_object()) {
      reject(out, Reason::unsupported_shape, "a Reddit document is a Listing or a thing, got " +
                                                 std::string(type_name(root)), "");
      return;
    }
    visit(root, "", "", 0, out);  // where "" = the document itself
  }

 private:
  static constexpr int kMaxDepth = 32;  // reply chains deeper than this are not followed

  void visit(dom::element thing, const std::string& where, const std::string& pointer, int depth, Output& out) {
    std::string_view kind;
    dom::element data;
    if (!thing.is_object() || thing["kind"].get_string().get(kind) || thing["data"].get(data) || !data.is_object()) {
      reject(out, Reason::unsupported_shape,
             (where.empty() ? "document" : where) + ": not a Reddit thing {\"kind\":...,\"data\":{...}}", pointer);
      return;
    }
    if (kind == "Listing") {
      dom::array children;
      if (data["children"].get_array().get(children)) {
        reject(out, Reason::unsupported_shape,
               (where.empty() ? "document" : where) + ": a Listing without data.children", pointer);
        return;
      }
      if (depth >= kMaxDepth) return;
      std::size_t i = 0;
      const std::string base = pointer_key(pointer_key(pointer, "data"), "children");
      for (dom::element child : children) {
        visit(child, (where.empty() ? "" : where + ".") + "children[" + std::to_string(i) + "]", pointer_index(base, i),
              depth + 1, out);
        ++i;
      }
      return;
    }
    if (kind == "more") return;  // ids of comments not loaded: no text to map
    if (kind != "t3" && kind != "t1") {
      reject(out, Reason::unsupported_shape,
             (where.empty() ? "document" : where) + ": kind '" + std::string(kind) +
                 "' is not a post (t3) or a comment (t1)",
             pointer);
      return;
    }
    map_thing(kind == "t3", data, where, pointer, out);
    if (kind == "t1") {  // replies: "" when there are none, else a Listing
      dom::element replies;
      if (!data["replies"].get(replies) && replies.is_object()) {
        visit(replies, (where.empty() ? "comment" : where) + ".replies",
              pointer_key(pointer_key(pointer, "data"), "replies"), depth + 1, out);
      }
    }
  }

  void map_thing(bool post, dom::element data, std::string where, const std::string& pointer, Output& out) {
    if (where.empty()) where = post ? "post" : "comment";
    std::optional<Problem> problem;
    std::optional<std::string> name;
    {
      Fields f(data, where, problem);
      if (f.has("name")) {
        name = f.id_text("name");
      } else if (auto id = f.id_text("id")) {
        name = (post ? "t3_" : "t1_") + *id;
      }
    }
    if (name) where += " (" + *name + ")";
    Fields f(data, where, problem);
    Draft d;
    d.platform = Platform::reddit;
    if (!problem && !name) f.fail(Reason::missing_field, "name", "is missing (also no id)");
    if (!problem && name->empty()) f.fail(Reason::bad_value, "name", "is empty");
    std::string text;
    if (!problem && post) {
      auto title = f.str("title");
      if (title) d.title = decode_entities(*title);
      else if (!problem) f.fail(Reason::missing_field, "title", "is missing");
      if (auto self = f.str("selftext"); self && *self != "[removed]" && *self != "[deleted]") {
        text = decode_entities(*self);
      }
      d.comments = f.count("num_comments");
      d.reposts = f.count("num_crossposts");
    } else if (!problem) {
      auto body = f.str("body");
      if (!body && !problem) f.fail(Reason::missing_field, "body", "is missing");
      if (body && (*body == "[removed]" || *body == "[deleted]")) {
        f.fail(Reason::deleted, "body", "is " + std::string(*body));
      }
      if (body) text = decode_entities(*body);
      if (auto parent = f.str("parent_id"); parent && !parent->empty()) d.parent_id = make_id("reddit", *parent);
    }
    if (!problem) {
      std::optional<double> secs = f.number("created_utc");
      if (!secs && !problem) secs = f.number("created");
      if (!secs) {
        if (!problem) f.fail(Reason::missing_field, "created_utc", "is missing");
      } else if (!(*secs >= 0 && *secs * 1000 <= static_cast<double>(parse::kMaxCreatedAtMs))) {
        f.fail(Reason::bad_timestamp, "created_utc", "is outside 1970..2200");
      } else {
        d.created_at_ms = std::llround(*secs * 1000);
      }
    }
    if (!problem) {
      if (auto author = f.str("author"); author && *author != "[deleted]" && !author->empty()) {
        d.author_name = std::string(*author);
        if (auto aid = f.str("author_fullname")) d.author_id = std::string(*aid);
      }
      d.likes = f.has("score") ? f.count("score") : f.count("ups");
      d.views = f.count("view_count");
      if (auto permalink = f.str("permalink"); permalink && !permalink->empty()) {
        d.url = "https://www.reddit.com" + std::string(*permalink);
      } else if (post && name->size() > 3) {
        d.url = "https://www.reddit.com/comments/" + name->substr(3);
      }
      if (auto sub = f.str("subreddit_name_prefixed"); sub && !sub->empty()) {
        d.extra.emplace_back("subreddit", std::string(*sub));
      } else if (auto s = f.str("subreddit"); s && !s->empty()) {
        d.extra.emplace_back("subreddit", "r/" + std::string(*s));
      }
    }
    if (problem) {
      reject(out, *problem, pointer);
      return;
    }
    d.id = make_id("reddit", *name);
    d.text = std::move(text);
    emit(out, d);
  }
};

}  // namespace

std::unique_ptr<Adapter> make_reddit(const AdapterOptions& options) { return std::make_unique<RedditAdapter>(options); }

}  // namespace yuqing::adapters
