#pragma once
// HTML fragments (RSS descriptions, Atom html content, Weibo's mobile-API text) to plain text.
// Pure functions; the output is valid UTF-8 when the input is.

#include <string>
#include <string_view>

namespace yuqing::adapters {

// Tags removed (script, style and comments with their content); block tags (p, br, div, li,
// h1..h6, tr, blockquote, ...) become line breaks; character references decoded (&amp; &#20013;
// &#x4e2d; and the common named ones: &nbsp; &hellip; &mdash; &ldquo; ...; an unknown name stays
// as written); runs of spaces collapse to one, lines are trimmed, empty lines dropped. A '<' that
// does not start a tag ("a <3 b", "x < y") is kept.
std::string html_to_text(std::string_view html);

// Decodes character references only (no tags, whitespace kept).
std::string decode_entities(std::string_view s);

// Whether `s` contains something that looks like an HTML tag (<a , <br, </span>, ...).
bool looks_like_html(std::string_view s);

// Whether `s` is valid UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace yuqing::adapters
