# House functions: every module and test goes through these so warnings, include paths and
# labels are the same everywhere.

# yuqing_library(NAME SOURCES a.cpp ... [DEPS target ...] [PUBLIC_DEPS target ...])
# Creates static library target yuqing_<NAME>. Includes resolve from the repository root.
function(yuqing_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  set(target yuqing_${name})
  if(ARG_SOURCES)
    add_library(${target} STATIC ${ARG_SOURCES})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_compile_options(${target} PRIVATE ${YUQING_WARNINGS})
    target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_DEPS})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} INTERFACE ${ARG_PUBLIC_DEPS} ${ARG_DEPS})
  endif()
  add_library(yuqing::${name} ALIAS ${target})
endfunction()

# yuqing_test(NAME SOURCES a.cpp ... [DEPS target ...] [LABELS unit|integration|...] [TIMEOUT s])
# A GoogleTest executable registered with ctest (one ctest entry per executable, so the
# suite's summary line counts test programs; gtest prints the per-case detail).
function(yuqing_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${YUQING_WARNINGS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "YUQING_SOURCE_DIR=${PROJECT_SOURCE_DIR};YUQING_BINARY=$<TARGET_FILE:yuqing>")
endfunction()
