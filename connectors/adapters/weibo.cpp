// Weibo statuses API -> mentions. A document is one status object, a statuses API response
// {"statuses":[...], ...} (public/home/user timelines, search), or a bare array of statuses.
//
//   idstr (or id, mid)           id "weibo:<idstr>"
//   longText.longTextContent     text (when present: the full text of a long post), else text;
//     or text                    HTML (mobile API) stripped to text
//   created_at                   "Tue May 31 17:46:55 +0800 2011" -> RFC 3339 UTC
//   user.idstr / screen_name /   author.id / name / followers / verified
//     followers_count / verified
//   reposts_count, comments_count, attitudes_count   metrics.reposts / comments / likes
//   region_name ("发布于 上海")    region "上海"
//   retweeted_status             parent_id "weibo:<original idstr>"; the text becomes
//                                "<repost text>//@<original author>:<original text>", as Weibo
//                                shows it, so the brand named in the original is matched in the
//                                repost. The original itself is NOT emitted: each repost embeds
//                                it, and emitting it every time would count it once per repost.
//   url                          https://weibo.com/<uid>/<idstr> (https://m.weibo.cn/status/<idstr>
//                                without a user)

#include <string>

#include "connectors/adapters/formats.h"
#include "connectors/adapters/html.h"
#include "connectors/adapters/json_doc.h"
#include "connectors/adapters/time.h"

namespace yuqing::adapters {
namespace {

std::string plain(std::string_view text) { return looks_like_html(text) ? html_to_text(text) : std::string(text); }

bool is_deleted(Fields& f) {
  auto v = f.value("deleted");
  if (!v) return false;
  if (v->is_bool()) return v->get_bool().value_unsafe();
  if (v->is_string()) return v->get_string().value_unsafe() == "1";
  if (v->is_int64()) return v->get_int64().value_unsafe() == 1;
  return false;
}

std::optional<std::string> status_id(Fields& f) {
  for (const char* key : {"idstr", "id", "mid"}) {
    if (f.has(key)) return f.id_text(key);
  }
  return std::nullopt;
}

std::optional<std::string> status_text(Fields& f) {
  if (auto lt = f.object("longText")) {
    std::optional<Problem> ignored;
    Fields l(*lt, f.where() + ".longText", ignored);
    if (auto full = l.str("longTextContent"); full && !ignored) return plain(*full);
  }
  if (auto t = f.str("text")) return plain(*t);
  return std::nullopt;
}

class WeiboAdapter final : public JsonAdapter {
 public:
  using JsonAdapter::JsonAdapter;
  Format format() const override { return Format::weibo; }

  void convert(std::string_view document, Output& out) override {
    out.clear();
    if (!load(document, out)) return;
    const dom::element root = doc_.root();
    dom::array statuses;
    if (root.is_array()) {
      statuses = array_of(root);
      convert_list(statuses, "", out);
      return;
    }
    if (!root.is_object()) {
      reject(out, Reason::unsupported_shape, "a Weibo document is a status or a statuses response, got a " +
                                                 std::string(type_name(root)), "");
      return;
    }
    dom::element list;
    if (!root["statuses"].get(list)) {
      if (!list.is_array()) {
        reject(out, Reason::unsupported_shape, "field 'statuses' must be an array, got " +
                                                   std::string(type_name(list)), "");
        return;
      }
      convert_list(array_of(list), "/statuses", out);
      return;
    }
    if (dom::element e; !root["error_code"].get(e) || !root["error"].get(e)) {
      const std::string_view msg = string_at(root, "error");
      reject(out, Reason::platform_error, "Weibo returned an error instead of statuses: " + std::string(msg), "");
      return;
    }
    map_status(root, "status", "", out);
  }

 private:
  void convert_list(dom::array list, std::string_view pointer, Output& out) {
    std::size_t i = 0;
    for (dom::element item : list) {
      const std::string where = std::string(pointer.empty() ? "" : "statuses") + "[" + std::to_string(i) + "]";
      map_status(item, where, pointer_index(pointer, i), out);
      ++i;
    }
  }

  void map_status(dom::element item, std::string where, const std::string& pointer, Output& out) {
    if (!item.is_object()) {
      reject(out, Reason::unsupported_shape,
             where + ": a status must be an object, got " + std::string(type_name(item)), pointer);
      return;
    }
    std::optional<Problem> problem;
    Fields f(item, where, problem);
    Draft d;
    d.platform = Platform::weibo;
    auto id = status_id(f);
    if (id) where += " (idstr " + *id + ")";
    Fields s(item, where, problem);
    if (!problem && !id) s.fail(Reason::missing_field, "idstr", "is missing (also no id or mid)");
    if (!problem && id->empty()) s.fail(Reason::bad_value, "idstr", "is empty");
    if (!problem && is_deleted(s)) s.fail(Reason::deleted, "deleted", "says the status was deleted");
    std::optional<std::string> text;
    if (!problem) {
      text = status_text(s);
      if (!text && !problem) s.fail(Reason::missing_field, "text", "is missing");
    }
    if (!problem) {
      if (auto created = s.str("created_at")) {
        if (auto ms = parse_weibo_time_ms(*created)) {
          d.created_at_ms = *ms;
        } else {
          s.fail(Reason::bad_timestamp, "created_at", "'" + std::string(*created) + "': " + ms.error());
        }
      } else if (!problem) {
        s.fail(Reason::missing_field, "created_at", "is missing");
      }
    }
    if (!problem) {
      if (auto user = s.object("user")) {
        Fields u(*user, where + ".user", problem);
        d.author_id = u.has("idstr") ? u.id_text("idstr") : u.id_text("id");
        if (auto name = u.str("screen_name")) d.author_name = std::string(*name);
        d.followers = u.count("followers_count");
        d.verified = u.boolean("verified");
      }
      d.reposts = s.count("reposts_count");
      d.comments = s.count("comments_count");
      d.likes = s.count("attitudes_count");
      if (auto region = s.str("region_name")) {
        std::string_view r = *region;
        constexpr std::string_view kPrefix = "发布于";
        if (r.substr(0, kPrefix.size()) == kPrefix) r.remove_prefix(kPrefix.size());
        while (!r.empty() && r.front() == ' ') r.remove_prefix(1);
        while (!r.empty() && r.back() == ' ') r.remove_suffix(1);
        if (!r.empty()) d.region = std::string(r);
      }
      if (auto rt = s.object("retweeted_status")) repost_of(*rt, where, problem, *text, d);
    }
    if (problem) {
      reject(out, *problem, pointer);
      return;
    }
    d.id = make_id("weibo", *id);
    d.text = std::move(*text);
    d.url = d.author_id ? "https://weibo.com/" + *d.author_id + "/" + *id : "https://m.weibo.cn/status/" + *id;
    emit(out, d);
  }

  // A repost: parent_id names the original; the original's text follows the repost's own,
  // as Weibo displays it ("转发理由//@原作者:原文").
  static void repost_of(dom::element rt, const std::string& where, std::optional<Problem>& problem,
                        std::string& text, Draft& d) {
    Fields r(rt, where + ".retweeted_status", problem);
    auto rid = status_id(r);
    if (!rid || rid->empty()) return;  // an original Weibo no longer shows: a plain post
    d.parent_id = make_id("weibo", *rid);
    if (is_deleted(r)) return;
    auto rtext = status_text(r);
    if (!rtext || rtext->empty() || text.find(*rtext) != std::string::npos) return;
    std::string author;
    if (auto user = r.object("user")) {
      Fields u(*user, where + ".retweeted_status.user", problem);
      if (auto name = u.str("screen_name")) author = std::string(*name);
    }
    text += author.empty() ? "//" : "//@" + author + ":";
    text += *rtext;
  }
};

}  // namespace

std::unique_ptr<Adapter> make_weibo(const AdapterOptions& options) { return std::make_unique<WeiboAdapter>(options); }

}  // namespace yuqing::adapters
