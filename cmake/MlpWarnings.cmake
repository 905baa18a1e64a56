# Warnings for our own targets only (never exported), after CLI11's cmake/CLI11Warnings.cmake.
add_library(mlp_warnings INTERFACE)
target_compile_options(mlp_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
# GCC 12 reports -Wrestrict inside libstdc++ for "literal" + std::string at -O2
# (GCC bug 105651), a false positive that -Werror must not turn into a failure.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(mlp_warnings INTERFACE -Wno-restrict)
endif()
if(MLP_WERROR)
  target_compile_options(mlp_warnings INTERFACE -Werror)
endif()
