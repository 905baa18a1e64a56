# Warnings for our own targets only (never exported), after CLI11's cmake/CLI11Warnings.cmake.
add_library(mlp_warnings INTERFACE)
target_compile_options(mlp_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(MLP_WERROR)
  target_compile_options(mlp_warnings INTERFACE -Werror)
endif()
