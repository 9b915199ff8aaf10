// Fuzz target: the lexicon loader (engine/sentiment load_lexicon) and the scorer on what it
// built. The first input byte picks the file the rest of the input becomes (one of the
// project's lexicon files, or a user lexicon in VADER / AFINN / plain format); a small fixed
// zh polarity file is always present so most inputs build a lexicon. Files live in a temporary
// directory made once per process. A lexicon that loads scores a fixed mixed text and the
// input itself (so the scorer also sees arbitrary bytes).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "engine/sentiment/sentiment.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace fs = std::filesystem;

struct File {
  const char* path;  // under lexicons/, or "user:<format>"
};
constexpr File kFiles[] = {
    {"en/polarity.tsv"}, {"en/slang.tsv"},      {"en/negators.txt"},         {"en/degree.tsv"},
    {"en/contrast.tsv"}, {"zh/polarity.tsv"},   {"zh/emoticons.tsv"},        {"zh/negators.txt"},
    {"zh/degree.tsv"},   {"common/emoji.tsv"},  {"common/emoticons_ascii.tsv"}, {"crisis.tsv"},
    {"aspects.tsv"},     {"user:vader"},        {"user:afinn"},              {"user:plain"},
};
constexpr std::size_t kFileCount = sizeof kFiles / sizeof kFiles[0];

const fs::path& root() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "yuqing-fuzz-lexicon.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    const fs::path d(tmpl);
    for (const char* sub : {"lexicons/en", "lexicons/zh", "lexicons/common"}) fs::create_directories(d / sub);
    return d;
  }();
  return dir;
}

void write(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yuqing;
  if (size == 0) return 0;
  const fs::path& dir = root();
  const File& f = kFiles[data[0] % kFileCount];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  // Start from the fixed file set, then put the input in place.
  std::error_code ec;
  for (const File& other : kFiles) {
    if (std::string_view(other.path).starts_with("user:")) continue;
    fs::remove(dir / "lexicons" / other.path, ec);
  }
  write(dir / "lexicons/zh/polarity.tsv", "好\t2\n差\t-2\n");
  sentiment::LexiconOptions options;
  const std::string_view path(f.path);
  if (path.starts_with("user:")) {
    sentiment::UserLexicon u;
    u.path = dir / "user.txt";
    u.format = path == "user:vader"   ? sentiment::UserLexicon::Format::vader
               : path == "user:afinn" ? sentiment::UserLexicon::Format::afinn
                                      : sentiment::UserLexicon::Format::plain;
    u.weight = -2;
    write(u.path, body);
    options.user.push_back(u);
  } else {
    write(dir / "lexicons" / f.path, body);
  }
  auto lex = sentiment::load_lexicon(dir, options);
  if (!lex) {
    for (const auto& e : lex.error()) FUZZ_CHECK(!e.empty());
    return 0;
  }
  static sentiment::Scorer scorer;
  const auto check = [](const sentiment::SentimentResult& r) {
    FUZZ_CHECK(r.score >= -1.0F && r.score <= 1.0F);
    FUZZ_CHECK(r.crisis.size() <= sentiment::kMaxCrisisHits);
  };
  check(scorer.score_text("这个手机真的不好，但是客服很好!!! NOT bad at all :) 😡 [怒] 爆炸", **lex));
  check(scorer.score_text(body.substr(0, 1024), **lex));
  return 0;
}
