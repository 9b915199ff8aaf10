# Sanitizers and fuzzing for every target. Included from CMakeLists.txt after YUQING_WARNINGS
# is set and before any target is defined. Commands and results: docs/reliability.md.
#
#   -DYUQING_SANITIZE=address,undefined   ASan + UBSan; UBSan stops at its first report
#   -DYUQING_SANITIZE=thread              TSan
#   -DYUQING_FUZZ=ON                      the libFuzzer targets of tests/fuzz; clang only
#                                         (CC=clang CXX=clang++); implies address,undefined
#                                         unless YUQING_SANITIZE names something else
# YUQING_ASAN=ON and YUQING_TSAN=ON are the older spellings of the first two. A sanitized or
# fuzzing build also keeps assert() on (-UNDEBUG), whatever the build type.

set(YUQING_SANITIZE "" CACHE STRING "Sanitizers for every target: address,undefined | thread | empty for none")
option(YUQING_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)

if(YUQING_ASAN AND NOT YUQING_SANITIZE)
  set(YUQING_SANITIZE address,undefined)
endif()
if(YUQING_TSAN AND NOT YUQING_SANITIZE)
  set(YUQING_SANITIZE thread)
endif()

if(YUQING_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "YUQING_FUZZ needs clang (libFuzzer): configure with CC=clang CXX=clang++ in a fresh build directory")
  endif()
  if(NOT YUQING_SANITIZE)
    set(YUQING_SANITIZE address,undefined)
  endif()
  # Coverage instrumentation for the project's code; fuzz executables add -fsanitize=fuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(YUQING_SANITIZE)
  string(REPLACE "," ";" _yuqing_sanitizers "${YUQING_SANITIZE}")
  foreach(s IN LISTS _yuqing_sanitizers)
    if(NOT s MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "YUQING_SANITIZE: unknown sanitizer '${s}' (use address,undefined or thread)")
    endif()
  endforeach()
  if("thread" IN_LIST _yuqing_sanitizers AND "address" IN_LIST _yuqing_sanitizers)
    message(FATAL_ERROR "YUQING_SANITIZE: thread cannot be combined with address")
  endif()
  add_compile_options(-fsanitize=${YUQING_SANITIZE} -fno-omit-frame-pointer -g -UNDEBUG)
  add_link_options(-fsanitize=${YUQING_SANITIZE})
  if("undefined" IN_LIST _yuqing_sanitizers)
    # A UBSan report fails the test (or the fuzz run) instead of scrolling by.
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  message(STATUS "yuqing: sanitizers ${YUQING_SANITIZE}")
endif()

if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # GCC-only warning switches (clang would reject them under -Werror).
  list(REMOVE_ITEM YUQING_WARNINGS -Wno-restrict)
endif()
