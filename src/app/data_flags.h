// The data flags of mlp-eval, mlp-report and mlp-predict, read one way:
//   --images F --labels F   IDX files (or a pair of .npy arrays: features, targets)
//   --input F [--format csv|npy|npz|idx]
//                           one file; the format from its name unless given. A CSV
//                           or .npz holds its targets as the training data did
//                           (the same target columns, the same array names).
// Without them, the test set the model's config names.
#pragma once

#include <optional>
#include <string>

#include "app/cli_common.h"
#include "data/dataset.h"
#include "train/compiled.h"

namespace mlp {

struct DataFlags {
  std::string images, labels, input, format;
  // The flags' files, for checking outputs against them.
  std::vector<std::string> files() const;
};

// Declares the flags; `input_help` says what --input is to the program. With
// `labels`, --images and --labels go together; without, there is no --labels.
void add_data_flags(Flags& flags, DataFlags& data, const std::string& input_help, bool labels);

// A labelled set: what the flags name, else the config's test set. Throws
// DataError when there is neither. `name` gets how to name the set.
Dataset labelled_data(const DataFlags& flags, const Compiled& compiled, const std::string& model_path, std::string& name);

// Features alone (mlp-predict, mlp-report --input): --input or --images.
Dataset feature_data(const DataFlags& flags, const Compiled& compiled);

// The format --format names, or the one the file's name suggests.
DataFormat input_format(const DataFlags& flags);

}  // namespace mlp
