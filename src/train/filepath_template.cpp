#include "train/filepath_template.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace mlp {
namespace {

// Python formats an integer with a float presentation type by converting it.
bool float_presentation(const std::string& spec) {
  return !spec.empty() && std::string_view("eEfFgG%").find(spec.back()) != std::string_view::npos;
}

std::string format_value(double value, const std::string& spec) {
  // Python's '%' type, which fmt lacks: 'f' of 100 times the value, then '%'.
  if (!spec.empty() && spec.back() == '%')
    return fmt::format(fmt::runtime("{" + spec.substr(0, spec.size() - 1) + "f}"), value * 100.0) + "%";
  return fmt::format(fmt::runtime("{" + spec + "}"), value);
}

std::string format_epoch(int epoch, const std::string& spec) {
  return float_presentation(spec) ? format_value(static_cast<double>(epoch), spec)
                                  : fmt::format(fmt::runtime("{" + spec + "}"), epoch);
}

}  // namespace

FilepathTemplate::FilepathTemplate(const std::string& text) {
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      throw std::invalid_argument(fmt::format("a single '}}' at offset {} (write '}}}}' for a brace)", i));
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i);
    if (close == std::string::npos)
      throw std::invalid_argument(fmt::format("the field at offset {} has no closing '}}'", i));
    const std::string field = text.substr(i + 1, close - i - 1);
    if (field.find('{') != std::string::npos)
      throw std::invalid_argument(fmt::format("the field at offset {} nests a field; give its spec literally", i));
    const std::size_t colon = field.find(':');
    const std::string name = field.substr(0, colon);
    if (name.empty() || std::all_of(name.begin(), name.end(), [](char d) { return d >= '0' && d <= '9'; }))
      throw std::invalid_argument(fmt::format(
          "the field at offset {} has no name: fields are 'epoch' or a logged value, like {{val_loss:.4f}}", i));
    if (name.find_first_of("!.[") != std::string::npos)
      throw std::invalid_argument(fmt::format("field '{}': conversions, attributes and indexes are not supported", name));
    Piece piece{name, colon == std::string::npos ? ":" : field.substr(colon), true};
    // A width or precision is a number of characters to produce: a file name has
    // at most 255 bytes, and a huge one would only allocate.
    for (std::size_t d = 0; d < piece.spec.size();) {
      const std::size_t end = piece.spec.find_first_not_of("0123456789", d);
      const std::string digits = piece.spec.substr(d, end - d);
      if (digits.size() > 3 || (!digits.empty() && std::stoi(digits) > 255))
        throw std::invalid_argument(fmt::format("field '{}': format spec '{}' asks for more than 255 characters", name,
                                                piece.spec.substr(1)));
      d = end == std::string::npos ? piece.spec.size() : (digits.empty() ? d + 1 : end);
    }
    // The spec is checked now, against the kind of value it will format.
    try {
      (void)(name == "epoch" ? format_epoch(1, piece.spec) : format_value(0.5, piece.spec));
    } catch (const fmt::format_error& e) {
      throw std::invalid_argument(fmt::format("field '{}': format spec '{}' is not valid ({})", name,
                                              piece.spec.substr(1), e.what()));
    }
    if (!literal.empty()) pieces_.push_back({std::move(literal), "", false});
    literal.clear();
    pieces_.push_back(std::move(piece));
    i = close;
  }
  if (!literal.empty()) pieces_.push_back({std::move(literal), "", false});
}

std::vector<std::string> FilepathTemplate::log_fields() const {
  std::vector<std::string> names;
  for (const auto& p : pieces_)
    if (p.field && p.text != "epoch" && std::find(names.begin(), names.end(), p.text) == names.end())
      names.push_back(p.text);
  return names;
}

bool FilepathTemplate::has_fields() const {
  return std::any_of(pieces_.begin(), pieces_.end(), [](const Piece& p) { return p.field; });
}

std::optional<std::string> FilepathTemplate::render(int epoch, const Logs& logs, std::string& missing) const {
  std::string path;
  for (const auto& p : pieces_) {
    if (!p.field) {
      path += p.text;
    } else if (p.text == "epoch") {
      path += format_epoch(epoch, p.spec);
    } else {
      const double* value = find_log(logs, p.text);
      if (!value) {
        missing = p.text;
        return std::nullopt;
      }
      path += format_value(*value, p.spec);
    }
  }
  return path;
}

}  // namespace mlp
