#include "engine/sentiment/sentiment_command.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "engine/base/text.h"
#include "engine/sentiment/sentiment.h"

namespace yuqing::sentiment {
namespace {

struct LexiconArgs {
  std::string rules = "rules";
  std::vector<std::string> vader, afinn, positive, negative;

  void add(CLI::App* cmd) {
    cmd->add_option("--rules", rules, "Rules directory (its lexicons/ folder is loaded)")->capture_default_str();
    cmd->add_option("--vader", vader, "Extra lexicon in VADER format (token<TAB>mean<TAB>...)");
    cmd->add_option("--afinn", afinn, "Extra lexicon in AFINN format (word<TAB>-5..+5)");
    cmd->add_option("--positive", positive, "Extra plain word list, each word weight +2");
    cmd->add_option("--negative", negative, "Extra plain word list, each word weight -2");
  }

  LexiconPtr load(std::ostream& err) const {
    LexiconOptions o;
    for (const auto& f : vader) o.user.push_back({f, UserLexicon::Format::vader, 0});
    for (const auto& f : afinn) o.user.push_back({f, UserLexicon::Format::afinn, 0});
    for (const auto& f : positive) o.user.push_back({f, UserLexicon::Format::plain, 2});
    for (const auto& f : negative) o.user.push_back({f, UserLexicon::Format::plain, -2});
    auto lex = load_lexicon(rules, o);
    if (!lex) {
      for (const auto& e : lex.error()) err << e << '\n';
      err << "the lexicons in '" << rules << "' have " << lex.error().size() << " error(s); nothing was scored\n";
      return nullptr;
    }
    return lex.value();
  }
};

std::string num(double v, int decimals = 4) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s(buf);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string result_json(const SentimentResult& r, const Lexicon& lex, const Scorer& scorer, bool explain) {
  std::string out = "{\"score\":" + num(r.score) + ",\"label\":\"" + std::string(label_name(r.label)) +
                    "\",\"lang\":\"" + std::string(lang_name(r.lang)) + "\"";
  if (!r.aspects.empty()) {
    out += ",\"aspects\":[";
    for (std::size_t i = 0; i < r.aspects.size(); ++i) {
      if (i) out += ',';
      out += "{\"aspect\":";
      text::append_json_string(out, lex.aspect_name(r.aspects[i].aspect));
      out += ",\"score\":" + num(r.aspects[i].score) + "}";
    }
    out += ']';
  }
  if (!r.crisis.empty()) {
    out += ",\"crisis\":[";
    for (std::size_t i = 0; i < r.crisis.size(); ++i) {
      const CrisisHit& c = r.crisis[i];
      if (i) out += ',';
      out += "{\"term\":";
      text::append_json_string(out, lex.term(c.term));
      out += ",\"category\":\"" + std::string(crisis_category_name(c.category)) + "\"";
      if (c.field == 1) out += ",\"field\":\"title\"";
      out += ",\"begin\":" + std::to_string(c.begin) + ",\"end\":" + std::to_string(c.end) + "}";
    }
    out += ']';
  }
  if (explain) out += "," + scorer.explain(lex);
  out += '}';
  return out;
}

// ---- eval ------------------------------------------------------------------------------------

struct Counts {
  // gold 0 = negative, 1 = positive; predicted 0 negative, 1 neutral, 2 positive
  std::array<std::array<long, 3>, 2> m{};
  long total() const { return m[0][0] + m[0][1] + m[0][2] + m[1][0] + m[1][1] + m[1][2]; }
  long correct() const { return m[0][0] + m[1][2]; }
  long neutral() const { return m[0][1] + m[1][1]; }
  double accuracy() const { return total() ? static_cast<double>(correct()) / static_cast<double>(total()) : 0; }
  double accuracy_decided() const {
    const long d = total() - neutral();
    return d ? static_cast<double>(correct()) / static_cast<double>(d) : 0;
  }
  double neutral_share() const { return total() ? static_cast<double>(neutral()) / static_cast<double>(total()) : 0; }
  double precision(int cls) const {  // cls 0 negative, 1 positive
    const int p = cls == 0 ? 0 : 2;
    const long predicted = m[0][p] + m[1][p];
    return predicted ? static_cast<double>(m[cls][p]) / static_cast<double>(predicted) : 0;
  }
  double recall(int cls) const {
    const int p = cls == 0 ? 0 : 2;
    const long gold = m[cls][0] + m[cls][1] + m[cls][2];
    return gold ? static_cast<double>(m[cls][p]) / static_cast<double>(gold) : 0;
  }
  double f1(int cls) const {
    const double p = precision(cls);
    const double r = recall(cls);
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  double macro_f1() const { return (f1(0) + f1(1)) / 2; }
};

struct Example {
  int gold;  // 0 negative, 1 positive, -1 neutral (excluded)
  std::string text;
};

// CSV record reader: quoted fields with "" escapes and line breaks inside quotes.
bool next_csv_record(std::istream& in, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  bool any = false;
  bool at_start = true;
  char c = 0;
  while (in.get(c)) {
    any = true;
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get(c);
          field += '"';
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"' && at_start) {
      quoted = true;
      at_start = false;
      continue;
    }
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      at_start = true;
      continue;
    }
    if (c == '\r') continue;
    if (c == '\n') {
      fields.push_back(std::move(field));
      return true;
    }
    field += c;
    at_start = false;
  }
  if (any) fields.push_back(std::move(field));
  return any;
}

bool read_examples(const std::string& path, const std::string& format, std::vector<Example>& out, long& skipped,
                   std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << path << ": cannot open the file\n";
    return false;
  }
  skipped = 0;
  if (format == "csv") {
    std::vector<std::string> f;
    bool header = true;
    while (next_csv_record(in, f)) {
      if (header) {
        header = false;
        if (!f.empty() && f[0] != "0" && f[0] != "1") continue;
      }
      if (f.size() < 2 || (f[0] != "0" && f[0] != "1")) {
        ++skipped;
        continue;
      }
      std::string text = f[1];
      for (std::size_t i = 2; i < f.size(); ++i) text += "," + f[i];
      out.push_back({f[0] == "1" ? 1 : 0, std::move(text)});
    }
    return true;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (format == "vader") {
      const auto t1 = line.find('\t');
      const auto t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
      if (t2 == std::string::npos) {
        ++skipped;
        continue;
      }
      char* end = nullptr;
      const std::string mean_s = line.substr(t1 + 1, t2 - t1 - 1);
      const double mean = std::strtod(mean_s.c_str(), &end);
      if (end == mean_s.c_str()) {
        ++skipped;
        continue;
      }
      out.push_back({mean > 0.05 ? 1 : (mean < -0.05 ? 0 : -1), line.substr(t2 + 1)});
    } else {  // weibo: mid,label,text
      const auto c1 = line.find(',');
      const auto c2 = c1 == std::string::npos ? c1 : line.find(',', c1 + 1);
      if (c2 == std::string::npos) {
        ++skipped;
        continue;
      }
      const std::string label = line.substr(c1 + 1, c2 - c1 - 1);
      if (label != "0" && label != "1") {
        ++skipped;
        continue;
      }
      out.push_back({label == "1" ? 1 : 0, line.substr(c2 + 1)});
    }
  }
  return true;
}

void print_counts_text(std::ostream& os, const std::string& name, const Counts& c) {
  os << name << ": n=" << c.total() << "  accuracy=" << num(c.accuracy()) << "  accuracy(non-neutral predictions)="
     << num(c.accuracy_decided()) << "  neutral share=" << num(c.neutral_share()) << "  macro-F1=" << num(c.macro_f1())
     << '\n';
  os << "  negative: precision=" << num(c.precision(0)) << " recall=" << num(c.recall(0)) << " F1=" << num(c.f1(0))
     << '\n';
  os << "  positive: precision=" << num(c.precision(1)) << " recall=" << num(c.recall(1)) << " F1=" << num(c.f1(1))
     << '\n';
  os << "  confusion (rows gold, columns predicted negative/neutral/positive):\n";
  os << "    gold negative: " << c.m[0][0] << " " << c.m[0][1] << " " << c.m[0][2] << '\n';
  os << "    gold positive: " << c.m[1][0] << " " << c.m[1][1] << " " << c.m[1][2] << '\n';
}

std::string counts_json(const Counts& c) {
  std::string o = "{\"n\":" + std::to_string(c.total()) + ",\"accuracy\":" + num(c.accuracy()) +
                  ",\"accuracy_non_neutral\":" + num(c.accuracy_decided()) + ",\"neutral_share\":" +
                  num(c.neutral_share()) + ",\"macro_f1\":" + num(c.macro_f1());
  o += ",\"negative\":{\"precision\":" + num(c.precision(0)) + ",\"recall\":" + num(c.recall(0)) + ",\"f1\":" +
       num(c.f1(0)) + "}";
  o += ",\"positive\":{\"precision\":" + num(c.precision(1)) + ",\"recall\":" + num(c.recall(1)) + ",\"f1\":" +
       num(c.f1(1)) + "}";
  o += ",\"confusion\":{\"labels\":[\"negative\",\"neutral\",\"positive\"],\"gold_negative\":[" +
       std::to_string(c.m[0][0]) + "," + std::to_string(c.m[0][1]) + "," + std::to_string(c.m[0][2]) +
       "],\"gold_positive\":[" + std::to_string(c.m[1][0]) + "," + std::to_string(c.m[1][1]) + "," +
       std::to_string(c.m[1][2]) + "]}}";
  return o;
}

struct EvalOptions {
  std::string data;
  std::string format;
  bool json = false;
  long limit = 0;
  long show_errors = 0;
};

int run_eval(const EvalOptions& o, const LexiconArgs& la, std::ostream& out, std::ostream& err) {
  std::vector<Example> examples;
  long skipped = 0;
  if (!read_examples(o.data, o.format, examples, skipped, err)) return cli::kExitFailure;
  const LexiconPtr lex = la.load(err);
  if (!lex) return cli::kExitFailure;
  Scorer scorer;
  Counts all;
  std::array<Counts, 3> by_lang{};
  long gold_neutral = 0;
  long shown = 0;
  long done = 0;
  for (const Example& ex : examples) {
    if (o.limit > 0 && done >= o.limit) break;
    ++done;
    if (done % 5000 == 0) err << "eval: " << done << " of " << examples.size() << " rows\n";
    if (ex.gold < 0) {
      ++gold_neutral;
      continue;
    }
    const SentimentResult& r = scorer.score_text(ex.text, *lex);
    const int p = r.label == Label::negative ? 0 : (r.label == Label::neutral ? 1 : 2);
    ++all.m[static_cast<std::size_t>(ex.gold)][static_cast<std::size_t>(p)];
    ++by_lang[static_cast<std::size_t>(r.lang)].m[static_cast<std::size_t>(ex.gold)][static_cast<std::size_t>(p)];
    const bool wrong = (ex.gold == 0 && p != 0) || (ex.gold == 1 && p != 2);
    if (wrong && shown < o.show_errors) {
      ++shown;
      err << "miss gold=" << (ex.gold ? "positive" : "negative") << " predicted=" << label_name(r.label)
          << " score=" << num(r.score) << ": " << ex.text << '\n'
          << "     {" << scorer.explain(*lex) << "}\n";
    }
  }
  if (o.json) {
    std::string j = "{\"data\":";
    text::append_json_string(j, o.data);
    j += ",\"format\":\"" + o.format + "\",\"rows\":" + std::to_string(done) + ",\"skipped_lines\":" +
         std::to_string(skipped) + ",\"gold_neutral_excluded\":" + std::to_string(gold_neutral) + ",\"all\":" +
         counts_json(all) + ",\"by_lang\":{";
    bool first = true;
    for (std::size_t l = 0; l < by_lang.size(); ++l) {
      if (by_lang[l].total() == 0) continue;
      if (!first) j += ',';
      first = false;
      j += "\"" + std::string(lang_name(static_cast<Lang>(l))) + "\":" + counts_json(by_lang[l]);
    }
    j += "}}";
    out << j << '\n';
  } else {
    out << "data: " << o.data << " (format " << o.format << "), " << done << " rows";
    if (gold_neutral) out << ", " << gold_neutral << " gold-neutral rows excluded";
    if (skipped) out << ", " << skipped << " malformed lines skipped";
    out << '\n';
    print_counts_text(out, "all", all);
    for (std::size_t l = 0; l < by_lang.size(); ++l) {
      if (by_lang[l].total() == 0 || by_lang[l].total() == all.total()) continue;
      print_counts_text(out, "lang " + std::string(lang_name(static_cast<Lang>(l))), by_lang[l]);
    }
  }
  return cli::kExitOk;
}

}  // namespace

void register_sentiment_commands(CLI::App& root, cli::CommandResult& result) {
  // ---- score ----
  auto* score = root.add_subcommand("score", "Score the sentiment of a text (or of each stdin line) as JSON");
  auto la_score = std::make_shared<LexiconArgs>();
  auto text_arg = std::make_shared<std::string>();
  auto explain = std::make_shared<bool>(false);
  auto lang = std::make_shared<std::string>();
  score->add_option("TEXT", *text_arg, "Text to score (default: one text per line on stdin)");
  score->add_flag("--explain", *explain, "Add each term's weight, the rule that changed it and its contribution");
  score->add_option("--lang", *lang, "Language of the texts (zh, en); default: detected per text");
  la_score->add(score);
  score->callback([&result, la_score, text_arg, explain, lang, score] {
    const LexiconPtr lex = la_score->load(std::cerr);
    if (!lex) {
      result.exit_code = cli::kExitFailure;
      return;
    }
    Scorer scorer;
    auto one = [&](const std::string& t) {
      const SentimentResult& r = scorer.score_text(t, *lex, nullptr, *lang);
      std::cout << result_json(r, *lex, scorer, *explain) << '\n';
    };
    if (score->count("TEXT") > 0) {
      one(*text_arg);
    } else {
      std::string line;
      while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        one(line);
      }
    }
    std::cout.flush();
    result.exit_code = cli::kExitOk;
  });

  // ---- eval sentiment ----
  auto* eval = root.add_subcommand("eval", "Measure the engine against labelled data");
  eval->require_subcommand(1);
  auto* sent = eval->add_subcommand("sentiment", "Accuracy, macro-F1, precision/recall and confusion matrix of the scorer");
  auto la_eval = std::make_shared<LexiconArgs>();
  auto eo = std::make_shared<EvalOptions>();
  sent->add_option("--data", eo->data, "Labelled file")->required();
  sent->add_option("--format", eo->format, "vader (id<TAB>mean<TAB>text), weibo (mid,label,text), csv (label,review)")
      ->required()
      ->check(CLI::IsMember({"vader", "weibo", "csv"}));
  sent->add_flag("--json", eo->json, "One JSON object instead of text");
  sent->add_option("--limit", eo->limit, "Score only the first N rows");
  sent->add_option("--show-errors", eo->show_errors, "Print the first N misclassified rows with their explanation to stderr");
  la_eval->add(sent);
  sent->callback([&result, la_eval, eo] { result.exit_code = run_eval(*eo, *la_eval, std::cout, std::cerr); });
}

}  // namespace yuqing::sentiment
