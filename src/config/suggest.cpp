#include "config/suggest.h"

#include <algorithm>
#include <cctype>

#include "core/strings.h"

namespace mlp {

std::size_t edit_distance(std::string_view a_in, std::string_view b_in) {
  const std::string a = to_lower(a_in), b = to_lower(b_in);
  // Optimal string alignment distance: a transposition ("rleu") costs one edit.
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string did_you_mean(std::string_view wrong, const std::vector<std::string>& known) {
  if (wrong.size() > 64) return "";  // garbage, not a typo
  const std::string* best = nullptr;
  std::size_t best_distance = 0;
  for (const auto& name : known) {
    const std::size_t distance = edit_distance(wrong, name);
    if (!best || distance < best_distance) {
      best = &name;
      best_distance = distance;
    }
  }
  // Close enough to be a typo: at most a third of the name, and at least one edit allowed.
  if (best && best_distance <= std::max<std::size_t>(1, best->size() / 3)) return " (did you mean '" + *best + "'?)";
  return "";
}

}  // namespace mlp
