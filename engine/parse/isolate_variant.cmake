# cmake -DNM= -DOBJCOPY= -DREADELF= -DIN_OBJ=obj -DOUT_OBJ=obj -DVARIANT=name -P isolate_variant.cmake
#
# Copies IN_OBJ to OUT_OBJ with every symbol the linker could share with other objects renamed to
# <name>.yq_<VARIANT>: weak and unique-global definitions (inline functions, template
# instantiations, their static locals, vtables) and COMDAT group signatures. Type info
# (_ZTI*, _ZTS*: data, identical everywhere, needed shared for exceptions) and DW.ref.* stay.
# Fails if IN_OBJ defines a strong global symbol other than the variant's entry points, i.e. if
# something in parse_kernel.cpp left the anonymous namespace.

foreach(v NM OBJCOPY READELF IN_OBJ OUT_OBJ VARIANT)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "isolate_variant.cmake: ${v} is not set")
  endif()
endforeach()

set(suffix ".yq_${VARIANT}")
set(keep_regex "^(_ZTI|_ZTS|DW\\.ref\\.)")

execute_process(COMMAND ${NM} --defined-only -P ${IN_OBJ}
  OUTPUT_VARIABLE nm_out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${IN_OBJ}")
endif()
execute_process(COMMAND ${READELF} -gW ${IN_OBJ}
  OUTPUT_VARIABLE groups_out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${READELF} failed on ${IN_OBJ}")
endif()

set(rename "")
string(REPLACE "\n" ";" nm_lines "${nm_out}")
foreach(line IN LISTS nm_lines)
  # nm -P: "name type value size"
  if(NOT line MATCHES "^([^ ]+) ([A-Za-z]) ")
    continue()
  endif()
  set(name "${CMAKE_MATCH_1}")
  set(type "${CMAKE_MATCH_2}")
  if(name MATCHES "${keep_regex}")
    continue()
  endif()
  if(type MATCHES "^[WVu]$")
    list(APPEND rename "${name}")
  elseif(type MATCHES "^[A-Z]$" AND NOT name MATCHES "(make_parser_|kernel_name_)${VARIANT}")
    message(FATAL_ERROR "${IN_OBJ} defines the global symbol ${name} (type ${type}); everything in "
                        "engine/parse/parse_kernel.cpp but its entry points must have internal linkage")
  endif()
endforeach()

string(REPLACE "\n" ";" group_lines "${groups_out}")
foreach(line IN LISTS group_lines)
  if(line MATCHES "COMDAT group section .*\\[([^]]+)\\]")
    set(name "${CMAKE_MATCH_1}")
    if(NOT name MATCHES "${keep_regex}")
      list(APPEND rename "${name}")
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES rename)

set(map "")
foreach(name IN LISTS rename)
  string(APPEND map "${name} ${name}${suffix}\n")
endforeach()
file(WRITE "${OUT_OBJ}.syms" "${map}")
execute_process(COMMAND ${OBJCOPY} --redefine-syms=${OUT_OBJ}.syms ${IN_OBJ} ${OUT_OBJ} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OBJCOPY} failed on ${IN_OBJ}")
endif()
