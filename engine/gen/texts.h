#pragma once
// Internal: the generator's phrase tables (texts.cpp) and the simplified -> traditional table
// (trad_table.inc). Templates use one-letter slots in braces:
//   {B} brand form   {C} competitor form   {A} aspect   {a} second aspect
//   {P} predicate in the sentence's tone   {Q} predicate in the opposite tone
//   {G} positive predicate   {H} negative predicate   {X} crisis word   {Y} action word

#include <cstdint>
#include <span>
#include <string_view>

#include "engine/gen/gen.h"

namespace yuqing::gen::detail {

using Words = std::span<const std::string_view>;

enum class Tone : std::uint8_t { positive, neutral, negative };

struct LangTexts {
  Words single[3];       // one-brand sentence templates, by Tone
  Words predicates[3];   // by Tone
  Words contrast;        // clause appended to a sentence: connector + {a} + {Q}
  Words additions;       // clause appended in the same tone: {a} + {P}
  Words openers;
  Words ends;            // sentence-final punctuation
  Words tails[3];        // emoticons / emoji by Tone
  Words slang[3];        // by Tone
  Words hashtags[3];     // topic hashtags by Tone (no brand)
  Words compare;         // two-brand templates ({B} wins, {C} loses)
  Words chatter;         // background posts about no brand (some with confusable words)
  Words crisis;          // negative crisis templates ({B} {X} {Y})
  Words crisis_influencer;
  Words crisis_calm;     // non-negative mentions during a crisis
  Words crisis_actions;  // {Y}
  Words campaign;        // positive launch / promotion templates
  Words campaign_influencer;
  Words repost_comments[3];
  Words dup_prefixes;
  Words dup_suffixes;
  Words titles[3];       // news headlines by Tone
  Words crisis_titles;
  Words question_titles; // zhihu / reddit style
  Words generic_aspects; // when a brand has no aspect keywords in this language
  Words crisis_words[6]; // by CrisisCategory
  Words regions;
  Words name_first;      // author names: first + second part
  Words name_second;
  Words influencer_names;
  Words long_fillers;    // extra sentences for long posts
};

enum class Lang : std::uint8_t { zh, en };
const LangTexts& texts(Lang lang);

Words traditional_regions();

// Simplified -> traditional code point pairs, sorted by the simplified code point.
struct TradPair {
  char32_t simp;
  char32_t trad;
};
std::span<const TradPair> trad_table();

}  // namespace yuqing::gen::detail
