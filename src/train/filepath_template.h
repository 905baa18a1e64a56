// ModelCheckpoint's filepath: a Python format string that Keras fills with
// filepath.format(epoch=epoch + 1, **logs) (keras@2.2.4:keras/callbacks.py
// l.432), e.g. "ckpt-{epoch:02d}-{val_loss:.4f}.mlp". Fields are names with an
// optional format spec (Python's spec language, which fmt shares); "{{" and "}}"
// are literal braces. Positional fields, conversions ("!r"), attributes and
// nested specs are refused: Keras's call could never fill them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "train/callback.h"

namespace mlp {

class FilepathTemplate {
 public:
  // Throws std::invalid_argument saying what is wrong with `text`.
  explicit FilepathTemplate(const std::string& text);

  // The log names its fields use ("epoch" aside), in order, each once.
  std::vector<std::string> log_fields() const;
  bool has_fields() const;

  // The path for 1-based `epoch` and the epoch's logs; nullopt, with the missing
  // name in `missing`, when the logs lack a field.
  std::optional<std::string> render(int epoch, const Logs& logs, std::string& missing) const;

 private:
  struct Piece {
    std::string text;  // literal text, or the field's name
    std::string spec;  // the field's "{:SPEC}" for fmt
    bool field = false;
  };
  std::vector<Piece> pieces_;
};

}  // namespace mlp
