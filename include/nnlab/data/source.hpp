// Where a training set comes from, as a value that can be stored and read back (a Recipe's
// data, recorded in every checkpoint), and loading the train/test split it names. A source is:
//   a known name        fashion-mnist (X: 784 × N pixels in [0, 1], 10 classes)
//   an MNIST-layout folder of {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
//   a CSV file          one sample per row, target column chosen by target_column; split into
//                       train/test at random (test_fraction, split_seed), optionally
//                       standardized with the training part's mean and deviation.
//   an NPY file X       (numpy's np.save) of shape (samples, features), with `targets` an NPY
//                       file y of shape (samples,) or (samples, outputs); split and standardized
//                       as a CSV file. NaN/Inf entries, other ranks, unequal lengths and
//                       non-integer class labels are errors naming the file and the entry.
//   an NPZ file         (np.savez, np.savez_compressed) holding the same X and y as arrays named
//                       X and y, or as its only two positional arrays arr_0 and arr_1.
// Everything that determines the split is part of the source, so a recorded source rebuilds
// exactly the sets that training saw; paths are recorded absolute (absolute()), so they resolve
// from any working folder.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "nnlab/data/dataset.hpp"

namespace nnlab::data {

struct Source {
  std::string data;              // name, folder, CSV file, NPY file of inputs or NPZ file
  std::string targets = {};      // NPY: the file of targets y (empty for every other source)
  int target_column = -1;        // CSV: 0-based column of the target, −1 = the last
  std::string task = "auto";     // CSV, NPY: classification | regression | auto (labels 0..K−1)
  double test_fraction = 0.2;    // CSV, NPY: share of rows held out as the test set; 0 = none
  std::uint64_t split_seed = 1;  // CSV, NPY: seed of the random split (independent of the run's)
  bool standardize = false;      // CSV, NPY: x' = (x − μ)/s with μ, s of the training rows

  bool is_known_name() const;
  // The same source with file and folder paths made absolute (known names unchanged).
  Source absolute() const;
  nlohmann::ordered_json to_json() const;
  static Source from_json(const nlohmann::json& j);  // throws Error on a malformed record
};

// Loads the split; a source without a test part has test.size() == 0. Throws Error naming the
// source and the problem. With `head`, each half keeps only its first samples: MNIST-layout
// files are read only as far as those reach, other sources are read whole and split first.
template <class Scalar>
Split<Scalar> load_split(const Source& source, SplitHead head = {});

}  // namespace nnlab::data
