// libFuzzer target: the --set language. Each line of the input is one PATH=VALUE
// assignment applied to a small valid config, which is then validated and
// compiled. Only mlp::Error may come out; nothing may crash, overflow the stack
// or hang, and a refused assignment leaves the config as it was.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/config.h"
#include "core/error.h"
#include "train/compiled.h"

namespace {

const char* const base_config = R"({"name": "small", "seed": 1,
  "model": {"input_shape": [2, 2], "layers": [{"type": "Flatten"},
    {"type": "Dense", "units": 3, "activation": "tanh"},
    {"type": "Dense", "units": 2, "activation": "softmax"}]},
  "compile": {"loss": "categorical_crossentropy", "optimizer": "adam", "metrics": ["acc"]},
  "fit": {"epochs": 2, "batch_size": 4}})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  mlp::Json root = mlp::Json::parse(base_config);
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    const std::string assignment = input.substr(start, end - start);
    const mlp::Json before = root;
    try {
      mlp::apply_override(root, assignment);
    } catch (const mlp::Error&) {
      if (root != before) std::abort();  // a refused assignment changed the config
    }
    start = end + 1;
  }
  try {
    const mlp::Config config = mlp::parse_config(root, "/tmp");
    const mlp::Compiled compiled = mlp::compile(config);
    (void)compiled.config.to_json().dump();
  } catch (const mlp::Error&) {
  }
  return 0;
}
