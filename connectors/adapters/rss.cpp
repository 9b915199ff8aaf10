// RSS 2.0 / RSS 1.0 (RDF) / Atom -> mentions, platform "news". A document is one whole feed.
//
//   RSS item                         Atom entry                      mention
//   guid, else link                  id, else link                   id "rss:<guid>", else "rss:h<hash
//                                                                    of the link>" (also when too long)
//   title (HTML stripped)            title (text|html|xhtml)         title
//   content:encoded, else            content, else summary           text (HTML stripped, entities decoded)
//     description
//   pubDate (RFC 822), dc:date       published, else updated         created_at, UTC
//   link                             link rel=alternate (or no rel)  url
//   dc:creator, else author          author/name                     author.name
//   channel language, dc:language    xml:lang (entry, else feed)     lang
//
// An item without a date is rejected (missing_field): news is windowed by event time and a made-up
// time would misplace it. An item without guid and link gets an id hashed from the feed's link,
// its title and text, so a replay gives the same id.

#include <pugixml.hpp>

#include <sstream>
#include <string>

#include "connectors/adapters/canonical.h"
#include "connectors/adapters/formats.h"
#include "connectors/adapters/html.h"
#include "connectors/adapters/time.h"

namespace yuqing::adapters {
namespace {

std::string_view local_name(std::string_view name) {
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The child element named `local` without a prefix, else the first one whose local name is
// `local` ("dc:creator" for "creator"): <title> wins over <media:title>.
pugi::xml_node child(pugi::xml_node node, std::string_view local) {
  pugi::xml_node prefixed;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    const std::string_view name = c.name();
    if (name == local) return c;
    if (!prefixed && local_name(name) == local) prefixed = c;
  }
  return prefixed;
}

// All character data directly inside `node` (text and CDATA sections), concatenated.
std::string text_of(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// The inner markup of an element, as written (for Atom xhtml content).
std::string inner_xml(pugi::xml_node node) {
  std::ostringstream os;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) c.print(os, "", pugi::format_raw);
  return os.str();
}

// An Atom text construct (title, summary, content) as plain text.
std::string atom_text(pugi::xml_node node) {
  const std::string_view type = node.attribute("type").as_string("text");
  if (type == "xhtml") return html_to_text(inner_xml(node));
  if (type == "html" || type == "text/html") return html_to_text(text_of(node));
  return html_to_text(text_of(node));  // type="text" too: feeds put HTML there as well
}

// "zh-cn" -> "zh-CN": BCP 47 casing (language lower, region upper).
std::string bcp47(std::string lang) {
  lang = trim(std::move(lang));
  bool after = false;
  std::size_t part = 0;
  for (char& c : lang) {
    if (c == '_') c = '-';
    if (c == '-') {
      after = true;
      part = 0;
      continue;
    }
    ++part;
    if (!after && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  // Upper-case a two-letter region subtag.
  std::size_t start = 0;
  for (std::size_t i = 0; i <= lang.size(); ++i) {
    if (i == lang.size() || lang[i] == '-') {
      if (start > 0 && i - start == 2) {
        for (std::size_t k = start; k < i; ++k) {
          if (lang[k] >= 'a' && lang[k] <= 'z') lang[k] = static_cast<char>(lang[k] - 'a' + 'A');
        }
      }
      start = i + 1;
    }
  }
  return lang;
}

class RssAdapter final : public Adapter {
 public:
  explicit RssAdapter(AdapterOptions options) : options_(options) {}
  Format format() const override { return Format::rss; }

  void convert(std::string_view document, Output& out) override {
    out.clear();
    if (document.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
    document_ = document;
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed =
        doc.load_buffer(document.data(), document.size(), pugi::parse_default, pugi::encoding_auto);
    if (!parsed) {
      out.rejections.push_back({Reason::invalid_xml,
                                "not an XML document: " + std::string(parsed.description()) + " at byte " +
                                    std::to_string(parsed.offset),
                                std::string(document)});
      return;
    }
    const pugi::xml_node root = doc.document_element();
    const std::string_view root_name = local_name(root.name());
    if (root_name == "rss") {
      const pugi::xml_node channel = child(root, "channel");
      if (!channel) {
        reject_document(out, "an <rss> without a <channel>");
        return;
      }
      convert_rss(channel, channel, out);
    } else if (root_name == "RDF") {  // RSS 1.0: items are siblings of the channel
      convert_rss(child(root, "channel"), root, out);
    } else if (root_name == "feed") {
      convert_atom(root, out);
    } else {
      reject_document(out, "root element <" + std::string(root.name()) + "> is not <rss>, <rdf:RDF> or <feed>");
    }
  }

 private:
  void reject_document(Output& out, std::string detail) {
    out.rejections.push_back({Reason::unsupported_shape, std::move(detail), std::string(document_)});
  }

  // The item's original bytes: from its start tag to the end of its end tag, as written.
  std::string raw_item(pugi::xml_node item) const {
    const std::ptrdiff_t start = item.offset_debug();
    const std::string close = std::string("</") + item.name() + ">";
    if (start > 0 && static_cast<std::size_t>(start) <= document_.size()) {
      std::ptrdiff_t last = start;
      for (pugi::xml_node n = item.last_child(); n; n = n.last_child()) last = std::max(last, n.offset_debug());
      const std::size_t end = document_.find(close, static_cast<std::size_t>(last));
      const std::size_t begin = document_.rfind('<', static_cast<std::size_t>(start));
      if (end != std::string_view::npos && begin != std::string_view::npos) {
        return std::string(document_.substr(begin, end + close.size() - begin));
      }
    }
    std::ostringstream os;
    item.print(os, "", pugi::format_raw);
    return os.str();
  }

  void reject_item(Output& out, pugi::xml_node item, Reason reason, std::string detail) {
    out.rejections.push_back({reason, std::move(detail), raw_item(item)});
  }

  // Checks the text is UTF-8 and names the mention: "rss:<guid>", else "rss:h<hash of the link>",
  // else a hash of the feed's link, the title and the text.
  void finish(Output& out, pugi::xml_node item, const std::string& where, Draft& d, const std::string& native_id,
              const std::string& link, const std::string& feed_link) {
    if (!is_valid_utf8(d.text)) return reject_item(out, item, Reason::invalid_utf8, where + ": the text is not UTF-8");
    for (const auto* s : {&d.title, &d.url, &d.author_name, &d.lang}) {
      if (*s && !is_valid_utf8(**s)) {
        return reject_item(out, item, Reason::invalid_utf8,
                           where + ": the title, link, author or language is not UTF-8");
      }
    }
    if (!native_id.empty() && is_valid_utf8(native_id)) {
      d.id = make_id("rss", native_id);
    } else if (!link.empty()) {
      d.id = "rss:h" + hash_hex(link);
    } else {
      d.id = "rss:h" + hash_hex(feed_link + "\n" + d.title.value_or("") + "\n" + d.text);
    }
    out.mentions.push_back(to_line(d, options_.max_mention_bytes));
  }

  void convert_rss(pugi::xml_node channel, pugi::xml_node items_parent, Output& out) {
    std::string lang, feed_link;
    if (channel) {
      lang = text_of(child(channel, "language"));
      feed_link = trim(text_of(child(channel, "link")));
    }
    std::size_t i = 0;
    for (pugi::xml_node item = items_parent.first_child(); item; item = item.next_sibling()) {
      if (item.type() != pugi::node_element || local_name(item.name()) != "item") continue;
      std::string where = "item[" + std::to_string(i++) + "]";
      Draft d;
      d.platform = Platform::news;
      const std::string guid = trim(text_of(child(item, "guid")));
      const std::string link = trim(text_of(child(item, "link")));
      if (!guid.empty()) where += " (guid " + guid + ")";
      else if (!link.empty()) where += " (link " + link + ")";
      if (auto t = trim(html_to_text(text_of(child(item, "title")))); !t.empty()) d.title = std::move(t);
      pugi::xml_node body = child(item, "encoded");
      if (!body || trim(text_of(body)).empty()) body = child(item, "description");
      d.text = html_to_text(text_of(body));
      std::string date = trim(text_of(child(item, "pubDate")));
      bool rfc3339 = false;
      if (date.empty()) {
        date = trim(text_of(child(item, "date")));
        rfc3339 = true;
      }
      if (date.empty()) {
        reject_item(out, item, Reason::missing_field, where + ": no pubDate (or dc:date)");
        continue;
      }
      auto ms = rfc3339 ? parse_rfc3339_time_ms(date) : parse_rfc822_time_ms(date);
      if (!ms) {
        reject_item(out, item, Reason::bad_timestamp, where + ": pubDate '" + date + "': " + ms.error());
        continue;
      }
      d.created_at_ms = *ms;
      const bool permalink = std::string_view(child(item, "guid").attribute("isPermaLink").as_string("true")) != "false";
      if (!link.empty()) {
        d.url = link;
      } else if (permalink && guid.rfind("http", 0) == 0) {  // a permalink guid is the item's URL
        d.url = guid;
      }
      std::string author = trim(text_of(child(item, "creator")));
      if (author.empty()) {
        // RSS <author> is "email (Name)": keep the name when there is one.
        author = trim(text_of(child(item, "author")));
        if (const auto open = author.find('('); open != std::string::npos && author.back() == ')') {
          author = trim(author.substr(open + 1, author.size() - open - 2));
        }
      }
      if (!author.empty()) d.author_name = author;
      std::string item_lang = text_of(child(item, "language"));
      if (item_lang.empty()) item_lang = lang;
      if (!trim(item_lang).empty()) d.lang = bcp47(item_lang);
      if (d.text.empty() && !d.title) {
        reject_item(out, item, Reason::missing_field, where + ": no title and no description");
        continue;
      }
      finish(out, item, where, d, guid, link, feed_link);
    }
  }

  static pugi::xml_node alternate_link(pugi::xml_node entry) {
    pugi::xml_node first;
    for (pugi::xml_node l = entry.first_child(); l; l = l.next_sibling()) {
      if (l.type() != pugi::node_element || local_name(l.name()) != "link") continue;
      const std::string_view rel = l.attribute("rel").as_string("alternate");
      if (rel == "alternate") return l;
      if (!first) first = l;
    }
    return first;
  }

  void convert_atom(pugi::xml_node feed, Output& out) {
    const std::string feed_lang = feed.attribute("xml:lang").as_string();
    std::string feed_link = alternate_link(feed).attribute("href").as_string();
    std::size_t i = 0;
    for (pugi::xml_node entry = feed.first_child(); entry; entry = entry.next_sibling()) {
      if (entry.type() != pugi::node_element || local_name(entry.name()) != "entry") continue;
      std::string where = "entry[" + std::to_string(i++) + "]";
      Draft d;
      d.platform = Platform::news;
      const std::string id = trim(text_of(child(entry, "id")));
      const std::string link = trim(alternate_link(entry).attribute("href").as_string());
      if (!id.empty()) where += " (id " + id + ")";
      if (auto t = trim(atom_text(child(entry, "title"))); !t.empty()) d.title = std::move(t);
      pugi::xml_node body = child(entry, "content");
      if (!body || body.attribute("src") || trim(atom_text(body)).empty()) body = child(entry, "summary");
      if (body) d.text = atom_text(body);
      std::string date = trim(text_of(child(entry, "published")));
      if (date.empty()) date = trim(text_of(child(entry, "updated")));
      if (date.empty()) {
        reject_item(out, entry, Reason::missing_field, where + ": no published or updated date");
        continue;
      }
      auto ms = parse_rfc3339_time_ms(date);
      if (!ms) {
        reject_item(out, entry, Reason::bad_timestamp, where + ": date '" + date + "': " + ms.error());
        continue;
      }
      d.created_at_ms = *ms;
      if (!link.empty()) d.url = link;
      pugi::xml_node author = child(entry, "author");
      if (!author) author = child(feed, "author");
      if (auto name = trim(text_of(child(author, "name"))); !name.empty()) d.author_name = name;
      std::string lang = entry.attribute("xml:lang").as_string();
      if (lang.empty()) lang = feed_lang;
      if (!trim(lang).empty()) d.lang = bcp47(lang);
      if (d.text.empty() && !d.title) {
        reject_item(out, entry, Reason::missing_field, where + ": no title, content or summary");
        continue;
      }
      finish(out, entry, where, d, id, link, feed_link);
    }
  }

  AdapterOptions options_;
  std::string_view document_;
};

}  // namespace

std::unique_ptr<Adapter> make_rss(const AdapterOptions& options) { return std::make_unique<RssAdapter>(options); }

}  // namespace yuqing::adapters
