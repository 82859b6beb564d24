# Writes a C++ source holding every migration file of one dialect as a string constant.
# Invoked at build time: cmake -DDIALECT=sqlite -DSOURCE_DIR=... -DOUTPUT=... -P this file.
file(GLOB files RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/*.sql")
list(SORT files)
set(body "")
foreach(file IN LISTS files)
  if(NOT file MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "migration ${file}: name must be NNNN_snake_case.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  string(REGEX REPLACE "\\.sql$" "" name "${file}")
  file(READ "${SOURCE_DIR}/${file}" sql)
  string(APPEND body "    {${version}, \"${name}\", R\"tb_sql(${sql})tb_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from src/store/migrations/${DIALECT}/ by cmake/embed_migrations.cmake.
#include \"store/migration.hpp\"

namespace tb::store {

std::span<const Migration> ${DIALECT}_migrations() {
  static constexpr Migration kMigrations[] = {
${body}  };
  return kMigrations;
}

}  // namespace tb::store
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
