# Helpers that give every ursa target the same shape:
#   ursa_cc_library(NAME x SRCS ... [DEPS ...] [PUBLIC_DEPS ...])  -> ursa_x, alias ursa::x
#   ursa_cc_binary(NAME x SRCS ... DEPS ...)                       -> executable x
#   ursa_cc_test(NAME x SRCS ... DEPS ... [LABELS ...])            -> gtest binary, tests in CTest
#   ursa_proto_library(NAME x PROTOS ... [IMPORT_DIRS ...] [DEPS ...])

set(URSA_WARNING_FLAGS -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wno-unused-parameter
    -Wno-missing-field-initializers)
if(URSA_WERROR)
  list(APPEND URSA_WARNING_FLAGS -Werror)
endif()

function(_ursa_common_target target)
  target_compile_options(${target} PRIVATE ${URSA_WARNING_FLAGS})
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR})
endfunction()

function(ursa_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  set(target ursa_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SRCS})
  add_library(ursa::${ARG_NAME} ALIAS ${target})
  _ursa_common_target(${target})
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_DEPS})
endfunction()

function(ursa_cc_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  _ursa_common_target(${ARG_NAME})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
endfunction()

include(GoogleTest)
function(ursa_cc_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT URSA_BUILD_TESTS)
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  _ursa_common_target(${ARG_NAME})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_MODE PRE_TEST
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    PROPERTIES LABELS "${ARG_LABELS}"
               # Two properties, one variable each: gtest_discover_tests splits
               # property values at ';', so one ENVIRONMENT list would lose the second.
               ENVIRONMENT "URSA_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
               ENVIRONMENT_MODIFICATION "URSA_BINARY_DIR=set:${CMAKE_BINARY_DIR}")
endfunction()

# Generates C++ for our own .proto files (api/). Outputs go under
# ${CMAKE_BINARY_DIR}/gen/ursa-api with the same relative paths.
function(ursa_proto_library)
  cmake_parse_arguments(ARG "" "NAME" "PROTOS;DEPS" ${ARGN})
  set(root ${CMAKE_SOURCE_DIR}/api)
  set(gen ${CMAKE_BINARY_DIR}/gen/ursa-api)
  file(MAKE_DIRECTORY ${gen})
  set(srcs)
  set(abs)
  foreach(p IN LISTS ARG_PROTOS)
    string(REGEX REPLACE "\\.proto$" "" stem ${p})
    list(APPEND srcs ${gen}/${stem}.pb.cc ${gen}/${stem}.pb.h)
    list(APPEND abs ${root}/${p})
  endforeach()
  add_custom_command(OUTPUT ${srcs}
    COMMAND protobuf::protoc -I${root} -I${ENVOY_PROTO_ROOT} --cpp_out=${gen} ${ARG_PROTOS}
    WORKING_DIRECTORY ${root}
    DEPENDS ${abs} protobuf::protoc
    COMMENT "protoc: ursa API (${ARG_NAME})"
    VERBATIM)
  set(target ursa_${ARG_NAME})
  add_library(${target} STATIC ${srcs})
  add_library(ursa::${ARG_NAME} ALIAS ${target})
  target_include_directories(${target} SYSTEM PUBLIC ${gen})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  target_compile_options(${target} PRIVATE -w)
endfunction()
