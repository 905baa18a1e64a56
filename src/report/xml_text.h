// Text inside XML and HTML (element content and quoted attributes): the five
// characters with a meaning there written as entities, and the control
// characters XML 1.0 does not allow (all below 0x20 but tab, newline and
// carriage return) as U+FFFD, so that no name from a config breaks a document.
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
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "\xEF\xBF\xBD";
        else out += c;
    }
  }
  return out;
}

}  // namespace mlp
