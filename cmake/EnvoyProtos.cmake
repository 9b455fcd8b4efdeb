# Envoy v3 API protos, compiled into the static library `envoy_api`.
#
# Source: the npm package @grpc/grpc-js-xds@1.14.1, which ships the Envoy,
# xds/udpa, googleapis and protoc-gen-validate protos. At configure time the
# tarball is fetched with `npm pack` (or taken from -DENVOY_PROTOS_TGZ=...),
# checked against a pinned SHA-512, unpacked, and its validate.proto patched:
# the bundled protoc-gen-validate is older than the Envoy API it ships with
# and lacks `ignore_empty` / `ignored`, which protocol.proto and friends use.
# Nothing from the package is ever committed.
#
# Envoy's OpenTelemetry access logger (MeshAccessLog's openTelemetry backend)
# imports opentelemetry/proto/common/v1/common.proto, which the Envoy API
# package does not carry and Debian does not package. It is taken the same
# way from @opentelemetry/exporter-trace-otlp-proto@0.27.0 (Apache-2.0), the
# last npm release that ships the OpenTelemetry .proto files (or from
# -DOTEL_PROTOS_TGZ=...), pinned by SHA-512. Only common.proto is used; its
# AnyValue, KeyValue and KeyValueList are all Envoy's config needs (this
# OTLP revision predates AnyValue.bytes_value, which ursa never sets).
#
# Only the import closure of ENVOY_PROTO_ROOTS is generated. The generated
# code is built at -O2 whatever the build type (serialisation speed matters
# and -O0 saves little), with warnings off.

set(ENVOY_PROTOS_PACKAGE "@grpc/grpc-js-xds@1.14.1")
set(ENVOY_PROTOS_SHA512
    "1769955f011e316c35ce73d4ae9fbcca48ec20e5677fb46ff84c88bd739fcfbdf0e6d3689429f3a24a4b904fddd84871df43c99995ea09074ca71f0370126884")

set(ENVOY_PROTO_ROOTS
  envoy/service/discovery/v3/ads.proto
  envoy/service/discovery/v3/discovery.proto
  envoy/service/status/v3/csds.proto
  envoy/config/bootstrap/v3/bootstrap.proto
  envoy/config/listener/v3/listener.proto
  envoy/config/cluster/v3/cluster.proto
  envoy/config/endpoint/v3/endpoint.proto
  envoy/config/route/v3/route.proto
  envoy/extensions/transport_sockets/tls/v3/tls.proto
  envoy/extensions/transport_sockets/tls/v3/secret.proto
  envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto
  envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto
  envoy/extensions/filters/network/rbac/v3/rbac.proto
  envoy/extensions/filters/network/local_ratelimit/v3/local_rate_limit.proto
  envoy/extensions/filters/http/router/v3/router.proto
  envoy/extensions/filters/http/grpc_stats/v3/config.proto
  envoy/extensions/filters/http/rbac/v3/rbac.proto
  envoy/extensions/filters/http/fault/v3/fault.proto
  envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto
  envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto
  envoy/extensions/filters/listener/original_dst/v3/original_dst.proto
  envoy/extensions/access_loggers/file/v3/file.proto
  envoy/extensions/access_loggers/open_telemetry/v3/logs_service.proto
  envoy/extensions/upstreams/http/v3/http_protocol_options.proto
  # MeshTrace providers.
  envoy/config/trace/v3/zipkin.proto
  envoy/config/trace/v3/datadog.proto
  envoy/config/trace/v3/opentelemetry.proto
  # MeshRetry http.hostSelection (retry host predicates and priority)
  envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto
  envoy/extensions/retry/host/omit_host_metadata/v3/omit_host_metadata_config.proto
  envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.proto
)

set(OTEL_PROTOS_PACKAGE "@opentelemetry/exporter-trace-otlp-proto@0.27.0")
set(OTEL_PROTOS_SHA512
    "4353e51fd891dd15222c39d26ca99a01d5c4baabaf234a0b20dd565b7eed5324eea8ae4102b3d733372ab90b57fda1bee13e48e881f3802a59c6279d856e365a")

set(_envoy_deps ${CMAKE_BINARY_DIR}/_deps/envoy-protos)
string(SHA256 _stamp_key "${ENVOY_PROTOS_SHA512}${OTEL_PROTOS_SHA512}")
set(_envoy_stamp ${_envoy_deps}/unpacked-${_stamp_key}.stamp)
set(ENVOY_PROTO_ROOT ${_envoy_deps}/package/deps)

# Sets `out` to the npm tarball of `spec` (file name `tgz_name`): the file
# the user passed in `override`, else one fetched with `npm pack`; either way
# checked against `sha512`.
function(_npm_tarball spec tgz_name sha512 override out)
  if(override)
    set(tgz ${override})
  else()
    set(tgz ${_envoy_deps}/${tgz_name})
    if(NOT EXISTS ${tgz})
      find_program(NPM_PROGRAM npm REQUIRED)
      message(STATUS "Fetching protos: npm pack ${spec}")
      execute_process(
        COMMAND ${NPM_PROGRAM} pack ${spec} --pack-destination ${_envoy_deps}
        RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
      if(NOT rc EQUAL 0 OR NOT EXISTS ${tgz})
        message(FATAL_ERROR "npm pack ${spec} failed (${rc}): ${err}\n"
                            "Offline? Pass the tarball ${tgz_name} with -D...=/path/to/it")
      endif()
    endif()
  endif()
  file(SHA512 ${tgz} actual)
  if(NOT actual STREQUAL sha512)
    message(FATAL_ERROR "${tgz}: SHA-512 ${actual} does not match the pinned "
                        "${sha512}; refusing to build from it")
  endif()
  set(${out} ${tgz} PARENT_SCOPE)
endfunction()

function(_envoy_protos_fetch)
  file(MAKE_DIRECTORY ${_envoy_deps})
  _npm_tarball(${ENVOY_PROTOS_PACKAGE} grpc-grpc-js-xds-1.14.1.tgz ${ENVOY_PROTOS_SHA512}
               "${ENVOY_PROTOS_TGZ}" envoy_tgz)
  _npm_tarball(${OTEL_PROTOS_PACKAGE} opentelemetry-exporter-trace-otlp-proto-0.27.0.tgz
               ${OTEL_PROTOS_SHA512} "${OTEL_PROTOS_TGZ}" otel_tgz)
  file(REMOVE_RECURSE ${_envoy_deps}/package)
  file(ARCHIVE_EXTRACT INPUT ${envoy_tgz} DESTINATION ${_envoy_deps}
    PATTERNS package/deps/envoy-api/envoy package/deps/xds/xds package/deps/xds/udpa
             package/deps/googleapis/google package/deps/protoc-gen-validate/validate/validate.proto)
  file(ARCHIVE_EXTRACT INPUT ${otel_tgz} DESTINATION ${_envoy_deps}/otel
    PATTERNS package/build/protos/opentelemetry/proto/common/v1/common.proto)
  # One include root: merge the trees.
  file(MAKE_DIRECTORY ${ENVOY_PROTO_ROOT}/merged)
  foreach(sub envoy-api/envoy xds/xds xds/udpa googleapis/google protoc-gen-validate/validate)
    get_filename_component(leaf ${sub} NAME)
    file(RENAME ${ENVOY_PROTO_ROOT}/${sub} ${ENVOY_PROTO_ROOT}/merged/${leaf})
  endforeach()
  file(REMOVE_RECURSE ${ENVOY_PROTO_ROOT}/merged/opentelemetry)
  file(RENAME ${_envoy_deps}/otel/package/build/protos/opentelemetry
       ${ENVOY_PROTO_ROOT}/merged/opentelemetry)
  file(REMOVE_RECURSE ${_envoy_deps}/otel)
  _envoy_patch_validate(${ENVOY_PROTO_ROOT}/merged/validate/validate.proto)
  file(WRITE ${_envoy_stamp} "ok\n")
endfunction()

# Adds the fields upstream protoc-gen-validate has and the bundled copy lacks.
function(_envoy_patch_validate path)
  file(READ ${path} text)
  foreach(m Float Double Int32 Int64 UInt32 UInt64 SInt32 SInt64 Fixed32 Fixed64 SFixed32 SFixed64)
    string(REGEX REPLACE "message ${m}Rules {" "message ${m}Rules {\n    optional bool ignore_empty = 8;"
           text "${text}")
  endforeach()
  string(REPLACE "message StringRules {" "message StringRules {\n    optional bool ignore_empty = 26;"
         text "${text}")
  string(REPLACE "message BytesRules {" "message BytesRules {\n    optional bool ignore_empty = 14;"
         text "${text}")
  string(REPLACE "message RepeatedRules {"
         "message RepeatedRules {\n    optional bool ignore_empty = 5;" text "${text}")
  string(REPLACE "message MapRules {" "message MapRules {\n    optional bool ignore_empty = 6;"
         text "${text}")
  string(REPLACE "optional bool disabled = 1071;"
         "optional bool disabled = 1071;\n    optional bool ignored = 1072;" text "${text}")
  file(WRITE ${path} "${text}")
endfunction()

if(NOT EXISTS ${_envoy_stamp})
  _envoy_protos_fetch()
endif()
set(ENVOY_PROTO_ROOT ${ENVOY_PROTO_ROOT}/merged)

# Walk the import closure of the roots (well-known types come from libprotobuf).
set(_todo ${ENVOY_PROTO_ROOTS})
set(_seen)
set(ENVOY_PROTO_FILES)
set(_svc_files)
while(_todo)
  list(POP_FRONT _todo f)
  if(f IN_LIST _seen)
    continue()
  endif()
  list(APPEND _seen ${f})
  if(f MATCHES "^google/protobuf/")
    continue()
  endif()
  set(path ${ENVOY_PROTO_ROOT}/${f})
  if(NOT EXISTS ${path})
    message(FATAL_ERROR "Envoy proto ${f} is imported but in neither ${ENVOY_PROTOS_PACKAGE} "
                        "nor ${OTEL_PROTOS_PACKAGE}")
  endif()
  list(APPEND ENVOY_PROTO_FILES ${f})
  file(STRINGS ${path} imports REGEX "^import ")
  foreach(line IN LISTS imports)
    if(line MATCHES "\"([^\"]+)\"")
      list(APPEND _todo ${CMAKE_MATCH_1})
    endif()
  endforeach()
  file(STRINGS ${path} svc REGEX "^service ")
  if(svc)
    list(APPEND _svc_files ${f})
  endif()
endwhile()
list(SORT ENVOY_PROTO_FILES)

set(_gen ${CMAKE_BINARY_DIR}/gen/envoy)
file(MAKE_DIRECTORY ${_gen})
set(_srcs)
set(_abs)
foreach(f IN LISTS ENVOY_PROTO_FILES)
  string(REGEX REPLACE "\\.proto$" "" stem ${f})
  list(APPEND _srcs ${_gen}/${stem}.pb.cc)
  list(APPEND _abs ${ENVOY_PROTO_ROOT}/${f})
endforeach()
set(_grpc_srcs)
foreach(f IN LISTS _svc_files)
  string(REGEX REPLACE "\\.proto$" "" stem ${f})
  list(APPEND _grpc_srcs ${_gen}/${stem}.grpc.pb.cc)
endforeach()

add_custom_command(OUTPUT ${_srcs} ${_grpc_srcs}
  COMMAND protobuf::protoc -I${ENVOY_PROTO_ROOT} --cpp_out=${_gen} ${ENVOY_PROTO_FILES}
  COMMAND protobuf::protoc -I${ENVOY_PROTO_ROOT} --grpc_out=${_gen}
          --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin> ${_svc_files}
  WORKING_DIRECTORY ${ENVOY_PROTO_ROOT}
  DEPENDS ${_abs} protobuf::protoc gRPC::grpc_cpp_plugin
  COMMENT "protoc: Envoy v3 API (${CMAKE_CURRENT_LIST_FILE})"
  VERBATIM)

add_library(envoy_api STATIC ${_srcs} ${_grpc_srcs})
target_include_directories(envoy_api SYSTEM PUBLIC ${_gen})
target_link_libraries(envoy_api PUBLIC protobuf::libprotobuf gRPC::grpc++)
target_compile_options(envoy_api PRIVATE -w -O2)
list(LENGTH ENVOY_PROTO_FILES _n)
message(STATUS "Envoy API: ${_n} protos in the closure of ${ENVOY_PROTOS_PACKAGE}")
