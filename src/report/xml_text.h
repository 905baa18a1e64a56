// Text inside XML and HTML (element content and quoted attributes): the five
// characters with a meaning there written as entities.
#pragma once

#include <string>

namespace mlp {

inline std::string xml_text(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace mlp
