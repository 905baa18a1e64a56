// libFuzzer target: config text -> JSON -> validated config -> compiled model.
// Only ConfigError / DataError may come out; nothing may crash, hang or allocate
// what the text does not justify.
#include <cstdint>
#include <string>

#include "config/config.h"
#include "core/error.h"
#include "train/compiled.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const mlp::Json root = mlp::parse_json_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    const mlp::Config config = mlp::parse_config(root, "/tmp");
    const mlp::Compiled compiled = mlp::compile(config);
    (void)compiled.config.to_json().dump();
  } catch (const mlp::Error&) {
  }
  return 0;
}
