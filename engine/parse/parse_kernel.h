#pragma once
// Internal to engine/parse: the parser proper (parse_kernel.cpp) is compiled once per simdjson
// kernel, and parse.cpp picks one at run time. Not for other modules.
//
// simdjson 3.0's On-Demand front end exists only for the kernel chosen at compile time
// (SIMDJSON_BUILTIN_IMPLEMENTATION: fallback for baseline x86-64), unlike its DOM parser, which
// dispatches at run time. So parse_kernel.cpp is built with the baseline flags (variant
// `baseline`) and again with the instruction sets of the haswell and icelake kernels (variants
// `haswell`, `icelake`; see CMakeLists.txt). Each variant defines the two functions below with
// its name as suffix; everything else in it has internal linkage, and the build renames the
// inline functions and template instantiations it emits (std::string members and the like),
// so no AVX2/AVX-512 copy of a shared function can be picked by the linker for other code.

#include <memory>
#include <string_view>

#include "engine/parse/parse.h"

namespace yuqing::parse::detail {

class ParserBackend {
 public:
  virtual ~ParserBackend();  // defined in parse.cpp (the vtable lives there)
  virtual Result<Mention, ParseError> parse(std::string_view line) = 0;
};

#define YUQING_PARSE_DECLARE_VARIANT(variant)                                                  \
  /* fast_path = false: On-Demand only, every line the way a reject goes (tests compare) */  \
  std::unique_ptr<ParserBackend> make_parser_##variant(ParserOptions options, bool fast_path); \
  /* simdjson's name for the kernel this variant was compiled for ("fallback", "haswell"...) */ \
  std::string_view kernel_name_##variant();

YUQING_PARSE_DECLARE_VARIANT(baseline)
#if YUQING_PARSE_HAS_HASWELL
YUQING_PARSE_DECLARE_VARIANT(haswell)
#endif
#if YUQING_PARSE_HAS_ICELAKE
YUQING_PARSE_DECLARE_VARIANT(icelake)
#endif

#undef YUQING_PARSE_DECLARE_VARIANT

}  // namespace yuqing::parse::detail
