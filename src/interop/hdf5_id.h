// One HDF5 identifier (file, group, dataset, attribute, type, dataspace,
// property list), closed by its own close function when it goes. A failed
// HDF5 call returns a negative identifier: valid() says which it is.
#pragma once

#include <hdf5.h>

namespace mlp {

class Hdf5Id {
 public:
  Hdf5Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Hdf5Id(const Hdf5Id&) = delete;
  Hdf5Id& operator=(const Hdf5Id&) = delete;
  ~Hdf5Id() {
    if (id_ >= 0) close_(id_);
  }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

}  // namespace mlp
