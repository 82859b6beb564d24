# Writes a header declaring one file's content as a std::string_view constant.
# cmake -DINPUT=... -DOUTPUT=... -DNAME=kName -DNAMESPACE=tb::api -P this file.
file(READ "${INPUT}" content)
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/embed_text.cmake.
#pragma once
#include <string_view>
namespace ${NAMESPACE} {
inline constexpr std::string_view ${NAME} = R\"tb_embed(${content})tb_embed\";
}  // namespace ${NAMESPACE}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
