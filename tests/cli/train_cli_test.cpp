// nnlab train / eval / backprop / hessian through the binary, on a small synthetic CSV (y = 1 iff
// x1 + x2 > 0): the checkpoint and log round trip, eval reproduces the log, --epochs 0 saves
// the seeded initialization, backprop's gradient equals the library's and finite differences,
// its H·v equals the R-operator's, hessian's eigenvalues and trace match the dense Hessian of
// the same samples, thread counts do not change a bit, and bad input gives one line on stderr
// and a non-zero exit.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <fstream>
#include <sstream>

#include <Eigen/Eigenvalues>

#include "data/temp_dir.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/data/npy.hpp"
#include "nnlab/nn/checkpoint.hpp"
#include "support/gradient_check.hpp"

namespace nnlab::cli {
namespace {

using data::testing::TempDir;
using json = nlohmann::json;

struct Outcome {
  int code;
  std::string out, err;
};

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // 300 rows, 3 features, binary label; a fixed generator so the file is the same every run.
    Rng rng = make_rng(5, stream::data);
    std::ostringstream csv;
    csv << "x1,x2,x3,y\n";
    for (int i = 0; i < 300; ++i) {
      const double x1 = normal(rng), x2 = normal(rng), x3 = normal(rng);
      csv << x1 << ',' << x2 << ',' << x3 << ',' << (x1 + x2 > 0 ? 1 : 0) << '\n';
    }
    csv_ = dir_.write("points.csv", csv.str()).string();
  }

  Outcome run(const std::string& args) { return run_in(std::filesystem::current_path(), args); }

  // Runs nnlab with args from the folder cwd.
  Outcome run_in(const std::filesystem::path& cwd, const std::string& args) {
    const auto out = dir_.path() / "stdout.txt", err = dir_.path() / "stderr.txt";
    const std::string command = "cd " + cwd.string() + " && " + std::string(NNLAB_BINARY) + " " + args +
                                " >" + out.string() + " 2>" + err.string() + " </dev/null";
    const int status = std::system(command.c_str());
    return Outcome{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
  }

  std::string train(const std::string& out, const std::string& extra) {
    return "train --data " + csv_ + " --threads 1 --out " + (dir_.path() / out).string() + " " + extra;
  }
  std::filesystem::path path(const std::string& name) const { return dir_.path() / name; }

  void expect_one_line_error(const std::string& args, const std::string& piece) {
    const Outcome r = run(args);
    EXPECT_NE(r.code, 0) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\nstderr: " << r.err;
    EXPECT_NE(r.err.find(piece), std::string::npos) << args << "\nstderr: " << r.err;
  }

  TempDir dir_;
  std::string csv_;
};

// Ctrl-C during training: the run stops after a step, saves the parameters of its last
// completed epoch, marks the log "interrupted" and exits with 130. The shell waits for the log
// of epoch 0, then for some epochs, then sends SIGINT (a run that ignores it is killed after 60 s;
// --foreground, or timeout would pass the signal on twice, and the second kills at once).
TEST_F(TrainCli, CtrlCSavesTheCompletedEpochsAndExits130) {
  const auto log_path = path("run/log.json");
  const std::string script = "timeout --foreground -s KILL 60 " + std::string(NNLAB_BINARY) + " " +
                             train("run", "--arch 3-64-64-2 --epochs 1000000 --batch 4") +
                             " >/dev/null 2>" + path("stderr.txt").string() + " & pid=$!; " +
                             "while [ ! -s " + log_path.string() + " ]; do sleep 0.05; done; " +
                             "sleep 0.5; kill -INT $pid; wait $pid; exit $?";
  const int status = std::system(("sh -c '" + script + "'").c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const std::string err = read_file(path("stderr.txt"));
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find("interrupted at epoch"), std::string::npos) << err;
  const json log = json::parse(read_file(log_path));
  EXPECT_EQ(log["status"], "interrupted");
  const auto loaded = nn::load_checkpoint(path("run/model.safetensors"));
  EXPECT_EQ(loaded.metadata.at("epochs_trained"), std::to_string(log["epochs"].size()));
  EXPECT_EQ(loaded.metadata.at("status"), "interrupted");
}

TEST_F(TrainCli, TrainWritesCheckpointAndLogAndEvalReproducesIt) {
  const Outcome r = run(train("run", "--arch 3-8-2 --epochs 2 --batch 16"));
  ASSERT_EQ(r.code, 0) << r.err;
  const json log = json::parse(read_file(path("run/log.json")));
  EXPECT_EQ(log["status"], "completed");
  ASSERT_EQ(log["epochs"].size(), 2u);
  EXPECT_EQ(log["recipe"]["arch"], "3-8-2");
  EXPECT_EQ(log["data"]["test"]["samples"], 60);  // default test fraction 0.2 of 300
  const auto loaded = nn::load_checkpoint(path("run/model.safetensors"));
  ASSERT_TRUE(std::holds_alternative<nn::Mlp<float>>(loaded.model));
  EXPECT_EQ(loaded.metadata.at("epochs_trained"), "2");

  // eval without --data takes the recorded source, so it sees the same test split.
  const Outcome e = run("eval " + path("run/model.safetensors").string() + " --json");
  ASSERT_EQ(e.code, 0) << e.err;
  const json result = json::parse(e.out);
  EXPECT_EQ(result["samples"], 60);
  EXPECT_DOUBLE_EQ(result["accuracy"].get<double>(), log["epochs"][1]["test_accuracy"].get<double>());
  EXPECT_NEAR(result["loss"].get<double>(), log["epochs"][1]["test_loss"].get<double>(), 1e-6);
}

// The recorded data path is absolute, so eval finds the data from any folder; --data naming the
// training file again keeps the recorded split (test fraction and split seed), and a data option
// given on the command line replaces only its own field.
TEST_F(TrainCli, CheckpointCommandsRebuildTheTrainingSplitFromAnyFolder) {
  const std::string relative = std::filesystem::path(csv_).filename().string();
  const std::string ckpt = path("split/model.safetensors").string();
  ASSERT_EQ(run_in(dir_.path(), "train --data " + relative + " --test-fraction 0.5 --split-seed 4 "
                   "--arch 3-8-2 --epochs 1 --out split").code, 0);
  const json log = json::parse(read_file(path("split/log.json")));
  EXPECT_EQ(log["recipe"]["data"]["data"], std::filesystem::absolute(csv_).lexically_normal().string());
  const Outcome elsewhere = run_in("/", "eval " + ckpt + " --json");
  ASSERT_EQ(elsewhere.code, 0) << elsewhere.err;
  EXPECT_EQ(json::parse(elsewhere.out)["samples"], 150);
  const Outcome again = run("eval " + ckpt + " --data " + csv_ + " --json");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["accuracy"], json::parse(elsewhere.out)["accuracy"]);
  const Outcome other = run("eval " + ckpt + " --test-fraction 0.2 --json");
  ASSERT_EQ(other.code, 0) << other.err;
  EXPECT_EQ(json::parse(other.out)["samples"], 60);
}

TEST_F(TrainCli, EpochsZeroSavesTheSeededInitialization) {
  ASSERT_EQ(run(train("a", "--arch 3-8-2 --epochs 0 --seed 9")).code, 0);
  ASSERT_EQ(run(train("b", "--arch 3-8-2 --epochs 0 --seed 9")).code, 0);
  ASSERT_EQ(run(train("c", "--arch 3-8-2 --epochs 0 --seed 10")).code, 0);
  EXPECT_TRUE(read_file(path("a/model.safetensors")) == read_file(path("b/model.safetensors")));
  EXPECT_TRUE(read_file(path("a/model.safetensors")) != read_file(path("c/model.safetensors")));
  const auto net = std::get<nn::Mlp<float>>(nn::load_checkpoint(path("a/model.safetensors")).model);
  nn::Mlp<float> fresh(net.spec());
  Rng rng = make_rng(9, stream::init);
  fresh.init(rng, nn::Init::uniform);
  EXPECT_EQ(net.theta(), fresh.theta());
}

TEST_F(TrainCli, ThreadCountDoesNotChangeABit) {
  // Hidden 256 and batch 128 are large enough for the products to be split into row blocks.
  const std::string recipe = "--arch 3-256-256-2 --epochs 2 --batch 128 --seed 3";
  ASSERT_EQ(run(train("t1", recipe)).code, 0);
  ASSERT_EQ(run("train --data " + csv_ + " --threads 2 --out " + path("t2").string() + " " + recipe).code, 0);
  // The recipe metadata records the thread count; every tensor must agree to the bit.
  const auto t1 = nn::read_safetensors(path("t1/model.safetensors"));
  const auto t2 = nn::read_safetensors(path("t2/model.safetensors"));
  ASSERT_EQ(t1.order, t2.order);
  for (const auto& name : t1.order)
    EXPECT_TRUE(t1.tensors.at(name).bytes == t2.tensors.at(name).bytes) << name;
}

TEST_F(TrainCli, BackpropMatchesTheLibraryAndFiniteDifferences) {
  ASSERT_EQ(run(train("m", "--arch 3-4-2 --activation tanh --precision double --epochs 1 --batch 16 --dropout none")).code, 0);
  const auto model = path("m/model.safetensors");
  const auto net = std::get<nn::Mlp<double>>(nn::load_checkpoint(model).model);

  Vec<double> v(net.num_params());
  Rng rng = make_rng(1, stream::trials);
  for (Index i = 0; i < v.size(); ++i) v[i] = normal(rng);
  nn::TensorFile direction;
  nn::add_parameter_tensors(direction, net, v);
  nn::write_safetensors(path("v.safetensors"), direction);

  const Outcome r = run("backprop " + model.string() + " --samples 0,5,7 --direction " +
                    path("v.safetensors").string() + " --out " + path("bp.safetensors").string());
  ASSERT_EQ(r.code, 0) << r.err;
  const nn::TensorFile bp = nn::read_safetensors(path("bp.safetensors"));
  using Shape = std::vector<std::int64_t>;
  EXPECT_EQ(bp.tensors.at("loss").shape, Shape{});
  EXPECT_EQ(bp.tensors.at("dW1").shape, (Shape{4, 3}));
  EXPECT_EQ(bp.tensors.at("db2").shape, (Shape{2}));
  EXPECT_EQ(bp.tensors.at("z1").shape, (Shape{3, 3}));  // (samples, n_1)
  EXPECT_EQ(bp.tensors.at("z2").shape, (Shape{3, 4}));
  EXPECT_EQ(bp.tensors.at("a2").shape, (Shape{3, 4}));
  EXPECT_EQ(bp.tensors.at("a3").shape, (Shape{3, 2}));
  EXPECT_EQ(bp.tensors.at("delta2").shape, (Shape{3, 4}));
  EXPECT_EQ(bp.tensors.at("delta3").shape, (Shape{3, 2}));
  EXPECT_EQ(bp.tensors.at("HW2").shape, (Shape{2, 4}));

  // The file's own inputs and targets (one row per sample) rebuild the batch.
  const auto z1 = bp.tensors.at("z1").values<double>(), t = bp.tensors.at("t").values<double>();
  // Row-major (samples, n) bytes read column-major are n × samples: samples as columns.
  const Mat<double> Xc = ConstMatMap<double>(z1.data(), 3, 3);
  const Mat<double> T = ConstMatMap<double>(t.data(), 2, 3);
  nn::Cache<double> cache;
  Vec<double> grad(net.num_params()), Hv(net.num_params());
  const double loss = net.loss_and_gradient(Xc, T, cache, grad);
  net.hvp(Xc, T, v, cache, Hv);
  EXPECT_DOUBLE_EQ(bp.tensors.at("loss").values<double>()[0], loss);
  const Vec<double> file_grad = nn::read_parameter_tensors(bp, net, "bp", "d");
  const Vec<double> file_Hv = nn::read_parameter_tensors(bp, net, "bp", "H");
  EXPECT_LT((file_grad - grad).norm(), 1e-14 * (1 + grad.norm()));
  EXPECT_LT((file_Hv - Hv).norm(), 1e-12 * (1 + Hv.norm()));

  // Independent oracle: central differences of E(θ) on the same three samples (tanh: smooth).
  nn::Mlp<double> probe = net;
  const auto E = [&](const Vec<double>& theta) {
    probe.theta() = theta;
    nn::Cache<double> c;
    probe.forward(Xc, c);
    return double(nn::loss_value(probe.spec().loss, c.y(), T));
  };
  const auto check = testing::compare(file_grad, testing::numeric_gradient(E, net.theta()), 1e-8);
  EXPECT_LT(check.max_rel_error, 1e-7) << "coordinate " << check.worst;

  // δ^(3) of a mean cross entropy is (softmax(y) − t)/N, N = 3 samples.
  const auto a3 = bp.tensors.at("a3").values<double>(), d3 = bp.tensors.at("delta3").values<double>();
  for (int n = 0; n < 3; ++n) {
    const double m = std::max(a3[std::size_t(2 * n)], a3[std::size_t(2 * n + 1)]);
    const double e0 = std::exp(a3[std::size_t(2 * n)] - m), e1 = std::exp(a3[std::size_t(2 * n + 1)] - m);
    EXPECT_NEAR(d3[std::size_t(2 * n)], (e0 / (e0 + e1) - t[std::size_t(2 * n)]) / 3, 1e-14);
  }
}

// With standard dropout the dumped z^(k) is h(a^(k)) unscaled, and W^(k) multiplies p_k z^(k):
// the documented identity is dW_k = δ^(k+1) (p_k z^(k))ᵀ.
TEST_F(TrainCli, BackpropGradientWithStandardDropoutCarriesTheKeepFactor) {
  ASSERT_EQ(run(train("s", "--arch 3-4-2 --activation tanh --precision double --epochs 1 --dropout standard --keep 0.5")).code, 0);
  ASSERT_EQ(run("backprop " + path("s/model.safetensors").string() + " --samples 0,1,2 --out " +
                path("bp.safetensors").string()).code, 0);
  const nn::TensorFile bp = nn::read_safetensors(path("bp.safetensors"));
  const auto z2 = bp.tensors.at("z2").values<double>(), d3 = bp.tensors.at("delta3").values<double>();
  const auto dW2 = bp.tensors.at("dW2").values<double>();
  // Row-major (samples, n) read column-major: n × samples.
  const Mat<double> Z = ConstMatMap<double>(z2.data(), 4, 3), D = ConstMatMap<double>(d3.data(), 2, 3);
  const Mat<double> expected = D * (0.5 * Z).transpose();  // (2, 4)
  const Mat<double> file = ConstMatMap<double>(dW2.data(), 4, 2).transpose();
  EXPECT_LT((file - expected).norm(), 1e-14 * (1 + expected.norm())) << file << "\n" << expected;
  EXPECT_GT((file - D * Z.transpose()).norm(), 0.1 * expected.norm());  // without p it is wrong
}

TEST_F(TrainCli, HessianMatchesTheDenseHessianOfTheSameSamples) {
  ASSERT_EQ(run(train("h", "--arch 3-4-2 --activation tanh --precision double --epochs 1 --batch 16 --dropout none")).code, 0);
  const auto model = path("h/model.safetensors");
  const Outcome r = run("hessian " + model.string() + " --first 40 --iterations 26 --top 3 --trace-probes 400 --density 300 "
                        "--out " + path("h.json").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("lambda_1"), std::string::npos) << r.out;
  const json h = json::parse(read_file(path("h.json")));
  ASSERT_EQ(h["samples"], 40);
  ASSERT_EQ(h["parameters"], 26);

  // The same 40 training samples, through backprop's dump of z1 and t.
  std::string samples = "0";
  for (int i = 1; i < 40; ++i) {
    samples += ',';
    samples += std::to_string(i);
  }
  ASSERT_EQ(run("backprop " + model.string() + " --samples " + samples + " --out " + path("bp.safetensors").string()).code, 0);
  const nn::TensorFile bp = nn::read_safetensors(path("bp.safetensors"));
  const auto z1 = bp.tensors.at("z1").values<double>(), t = bp.tensors.at("t").values<double>();
  const Mat<double> X = ConstMatMap<double>(z1.data(), 3, 40), T = ConstMatMap<double>(t.data(), 2, 40);
  const auto net = std::get<nn::Mlp<double>>(nn::load_checkpoint(model).model);
  nn::Cache<double> cache;
  Mat<double> H(26, 26);
  Vec<double> column;
  for (Index i = 0; i < 26; ++i) {
    net.hvp(X, T, Vec<double>::Unit(26, i), cache, column);
    H.col(i) = column;
  }
  const Vec<double> exact = Eigen::SelfAdjointEigenSolver<Mat<double>>(0.5 * (H + H.transpose())).eigenvalues();
  const double scale = exact.cwiseAbs().maxCoeff();
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(h["top"][std::size_t(i)].get<double>(), exact[25 - i], 1e-9 * scale) << i;
    EXPECT_LT(h["top_residuals"][std::size_t(i)].get<double>(), 1e-9 * scale) << i;
  }
  EXPECT_NEAR(h["lambda_min"].get<double>(), exact[0], 1e-9 * scale);
  const double se = h["trace"]["standard_error"].get<double>();
  EXPECT_GT(se, 0);
  EXPECT_LT(std::abs(h["trace"]["mean"].get<double>() - H.trace()), 4 * se);
  // --density: SLQ moments against tr(H^k)/D from the dense eigenvalues, within 4 SE; the
  // histogram's shares sum to 1.
  const json& density = h["density"];
  ASSERT_EQ(density["probes"], 300);
  for (const json& m : density["moments"]) {
    const int k = m["k"].get<int>();
    const double moment = exact.array().pow(k).sum() / 26;
    EXPECT_LT(std::abs(m["mean"].get<double>() - moment), 4 * m["standard_error"].get<double>()) << "k = " << k;
  }
  double share = 0;
  for (const json& bin : density["histogram"]) share += bin["share"].get<double>();
  EXPECT_NEAR(share, 1.0, 1e-12);
  EXPECT_NE(r.out.find("spectral density"), std::string::npos) << r.out;
}

TEST_F(TrainCli, BadInputGivesOneLineAndNonZeroExit) {
  const std::string base = "train --data " + csv_ + " --arch 3-8-2 --epochs 1 ";
  expect_one_line_error(base + "--keep 0", "keep");
  expect_one_line_error(base + "--keep 1.5", "keep");
  expect_one_line_error(base + "--lr=-1", "lr");
  expect_one_line_error(base + "--batch 0", "batch");
  expect_one_line_error(base + "--activation swish", "swish");
  expect_one_line_error(base + "--optimizer adamw", "adamw");
  expect_one_line_error("train --data " + csv_ + " --arch 3-x-2", "3-x-2");
  expect_one_line_error("train --data " + csv_ + " --arch 5-8-2", "3 inputs and 2 outputs");
  expect_one_line_error("train --data " + path("missing.csv").string(), "missing.csv");
  write_file_atomic(path("corrupt.safetensors"), std::string("\x10\0\0\0\0\0\0\0{not json}", 18));
  expect_one_line_error("eval " + path("corrupt.safetensors").string() + " --data " + csv_, "corrupt.safetensors");
  expect_one_line_error("eval " + path("none.safetensors").string() + " --data " + csv_, "none.safetensors");
  ASSERT_EQ(run(train("ok", "--arch 3-8-2 --epochs 1")).code, 0);
  expect_one_line_error("backprop " + path("ok/model.safetensors").string() + " --samples 9999 --out " +
                            path("bp.safetensors").string(),
                        "9999");
  expect_one_line_error("hessian " + path("ok/model.safetensors").string() + " --top 5 --iterations 3",
                        "--iterations");
  expect_one_line_error("hessian " + path("ok/model.safetensors").string() + " --iterations 0", "iterations");
  expect_one_line_error("hessian " + path("none.safetensors").string(), "none.safetensors");
}

// A NaN or Inf weight (or direction entry) is refused at load by every command that reads a
// checkpoint, with one line naming the file and the tensor, instead of a NaN loss with exit 0.
TEST_F(TrainCli, NonFiniteWeightsAndDirectionsAreRefused) {
  ASSERT_EQ(run(train("ok", "--arch 3-8-2 --epochs 0")).code, 0);
  const std::string model = path("ok/model.safetensors").string();
  nn::TensorFile file = nn::read_safetensors(model);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(file.tensors.at("W2").bytes.data() + 4, &nan, 4);
  nn::write_safetensors(path("nan.safetensors"), file);
  const std::string bad = path("nan.safetensors").string();
  for (const std::string& command : {"eval " + bad, "hessian " + bad, "backprop " + bad + " --out " + path("bp.st").string()})
    expect_one_line_error(command, "nan.safetensors: tensor 'W2' holds nan at [0, 1]");
  EXPECT_FALSE(std::filesystem::exists(path("bp.st")));
  expect_one_line_error("backprop " + model + " --direction " + bad + " --out " + path("bp.st").string(),
                        "nan.safetensors: tensor 'W2' holds nan at [0, 1]");
  EXPECT_FALSE(std::filesystem::exists(path("bp.st")));
}

// Numbers are plain decimals in range, for every numeric option of every command: CLI11 alone
// would wrap -1 to 2^64 - 1, clamp 2^64 and beyond, and read 0x10 as 16 and 010 as 8.
TEST_F(TrainCli, NumericOptionsAreStrictDecimals) {
  const std::string base = "train --data " + csv_ + " --arch 3-8-2 --epochs 1 ";
  expect_one_line_error(base + "--seed -1", "--seed: '-1' is negative");
  expect_one_line_error(base + "--seed 18446744073709551616", "--seed: '18446744073709551616' is out of range");
  expect_one_line_error(base + "--batch 99999999999999999999", "--batch: '99999999999999999999' is out of range");
  expect_one_line_error(base + "--lr 0x10", "--lr: '0x10' is not a decimal number");
  expect_one_line_error(base + "--lr nan", "--lr: 'nan' is not a decimal number");
  expect_one_line_error(base + "--lr 1e999", "--lr: '1e999' is out of the range of double");
  expect_one_line_error(base + "--keep 0x0.8p0", "--keep: '0x0.8p0' is not a decimal number");
  expect_one_line_error(base + "--epochs 0x2", "--epochs: '0x2' is not a decimal integer");
  expect_one_line_error("hessian " + path("none.safetensors").string() + " --seed -1", "--seed: '-1' is negative");
  expect_one_line_error("run bagging-ols --seed 18446744073709551616", "--seed: '18446744073709551616' is out of range");
  expect_one_line_error("report --threads 0x1 --out " + path("never").string(), "--threads: '0x1' is not a decimal integer");
  expect_one_line_error(base + "--threads 0x1", "--threads: '0x1' is not a decimal integer");
  expect_one_line_error("hessian " + path("none.safetensors").string() + " --first 1e3", "--first: '1e3' is not a decimal integer");
  // An empty value never means "the default" or "nothing".
  expect_one_line_error(base + "--arch ''", "--arch: an empty value is not allowed");
  expect_one_line_error(base + "--out ''", "--out: an empty value is not allowed");

  // Distinct seeds at the top of the range stay distinct; a leading zero is decimal, not octal.
  ASSERT_EQ(run(train("max", "--arch 3-8-2 --epochs 0 --seed 18446744073709551615")).code, 0);
  ASSERT_EQ(run(train("max1", "--arch 3-8-2 --epochs 0 --seed 18446744073709551614")).code, 0);
  EXPECT_NE(read_file(path("max/model.safetensors")), read_file(path("max1/model.safetensors")));
  ASSERT_EQ(run(train("octal", "--arch 3-8-2 --epochs 0 --seed 010")).code, 0);
  ASSERT_EQ(run(train("ten", "--arch 3-8-2 --epochs 0 --seed 10")).code, 0);
  EXPECT_EQ(read_file(path("octal/model.safetensors")), read_file(path("ten/model.safetensors")));
}

// No command overwrites its own input, under any name, and a folder is not a file to write.
TEST_F(TrainCli, OutputThatIsAnInputIsRefused) {
  ASSERT_EQ(run(train("m", "--arch 3-8-2 --epochs 0")).code, 0);
  const auto model = path("m/model.safetensors");
  const std::string before = read_file(model);
  expect_one_line_error("backprop " + model.string() + " --out " + model.string(), "is an input of this command");
  std::filesystem::create_symlink(model, path("alias.safetensors"));
  expect_one_line_error("backprop " + model.string() + " --out " + path("alias.safetensors").string(),
                        "is an input of this command");
  write_file_atomic(path("v.st"), read_file(model));
  expect_one_line_error("backprop " + model.string() + " --direction " + path("v.st").string() + " --out " +
                            path("v.st").string(),
                        "is an input of this command");
  expect_one_line_error("backprop " + model.string() + " --out " + csv_, "is an input of this command");
  expect_one_line_error("hessian " + model.string() + " --out " + csv_, "is an input of this command");
  expect_one_line_error("hessian " + model.string() + " --out " + dir_.path().string(), "is a folder");
  expect_one_line_error("backprop " + model.string() + " --out " + dir_.path().string(), "is a folder");
  EXPECT_EQ(read_file(model), before);
  // train: data in the --out folder under the name the log takes.
  std::filesystem::create_directories(path("d"));
  std::filesystem::copy_file(csv_, path("d/log.json"));
  expect_one_line_error("train --data " + path("d/log.json").string() + " --arch 3-8-2 --out " + path("d").string(),
                        "is an input of this command");
  EXPECT_EQ(read_file(path("d/log.json")), read_file(csv_));
}

// kill -9 at moments spread over the run, checkpoint writes included (a 3-512-512-2 net: 1 MB
// per checkpoint, one step per epoch, so most of the time goes to writing): the checkpoint and
// the log left behind always describe the same epoch.
TEST_F(TrainCli, KillNineLeavesACheckpointAndALogOfTheSameEpoch) {
  int checked = 0;
  for (int i = 0; i < 12; ++i) {
    const std::string delay = fmt::format("{:.2f}", 0.25 + 0.07 * i);
    const std::string k = fmt::format("k{}", i);  // a new folder each time: train never reuses one
    const std::string script = std::string(NNLAB_BINARY) + " " +
                               train(k, "--arch 3-512-512-2 --epochs 100000 --batch 300 --test-fraction 0") +
                               " >/dev/null 2>&1 & pid=$!; sleep " + delay + "; kill -9 $pid; wait $pid";
    std::system(("sh -c '" + script + "'").c_str());
    if (!std::filesystem::exists(path(k + "/log.json"))) continue;  // killed before the first save
    const json log = json::parse(read_file(path(k + "/log.json")));
    const auto loaded = nn::load_checkpoint(path(k + "/model.safetensors"));
    EXPECT_EQ(loaded.metadata.at("epochs_trained"), std::to_string(log["epochs"].size())) << "kill " << i;
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

// A network whose training cannot fit in memory is refused with the numbers before anything
// is allocated (it ended in "internal error: std::bad_alloc"): 3-100000000-2 needs > 150 GB.
TEST_F(TrainCli, NetworkThatCannotFitInMemoryIsRefused) {
  expect_one_line_error("train --data " + csv_ + " --arch 3-100000000-2 --epochs 1",
                        "network 3-100000000-2: training needs at least");
  expect_one_line_error("train --data " + csv_ + " --arch 3-100000000-2 --epochs 1", "GB of memory is available");
}

// numpy users: --data X.npy --targets y.npy trains like the same data as CSV (the same split from
// the same split seed, so the same test accuracy), and eval rebuilds the split from the recipe.
TEST_F(TrainCli, NpyDataTrainsLikeTheSameCsv) {
  const Mat<double> rows = [&] {
    std::istringstream lines(read_file(csv_));
    std::string line;
    std::getline(lines, line);  // header
    Mat<double> m(300, 4);
    for (Index i = 0; i < 300 && std::getline(lines, line); ++i) {
      std::replace(line.begin(), line.end(), ',', ' ');
      std::istringstream fields(line);
      for (Index j = 0; j < 4; ++j) fields >> m(i, j);
    }
    return m;
  }();
  data::save_npy(path("X.npy"), Mat<double>(rows.leftCols(3)));
  data::save_npy(path("y.npy"), Vec<double>(rows.col(3)));
  const std::string recipe = " --arch 3-8-2 --epochs 2 --batch 16 --precision double --threads 1 --out ";
  ASSERT_EQ(run("train --data " + path("X.npy").string() + " --targets " + path("y.npy").string() + recipe +
                path("npy").string()).code, 0);
  ASSERT_EQ(run("train --data " + csv_ + recipe + path("csv").string()).code, 0);
  const json a = json::parse(read_file(path("npy/log.json"))), b = json::parse(read_file(path("csv/log.json")));
  EXPECT_EQ(a["recipe"]["data"]["targets"], path("y.npy").string());
  EXPECT_EQ(a["data"]["train"]["classes"], 2);
  EXPECT_EQ(a["epochs"][1]["test_accuracy"], b["epochs"][1]["test_accuracy"]);
  EXPECT_EQ(a["epochs"][1]["test_loss"], b["epochs"][1]["test_loss"]);
  const Outcome e = run_in("/", "eval " + path("npy/model.safetensors").string() + " --json");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(json::parse(e.out)["samples"], 60);
  EXPECT_EQ(json::parse(e.out)["accuracy"], a["epochs"][1]["test_accuracy"]);
}

// --data D.npz (numpy's np.savez_compressed of X and y, tests/data/files) trains exactly like the
// same arrays as X.npy --targets y.npy, and eval from another folder finds the archive again.
TEST_F(TrainCli, NpzArchiveTrainsLikeItsNpyFiles) {
  const std::filesystem::path files = std::filesystem::path(NNLAB_TEST_DATA) / "files";
  const std::string recipe = " --arch 3-8-2 --epochs 3 --batch 4 --precision double --threads 1 --out ";
  ASSERT_EQ(run("train --data " + (files / "X.npy").string() + " --targets " + (files / "y.npy").string() + recipe +
                path("pair").string()).code, 0);
  const Outcome t = run("train --data " + (files / "xy_compressed.npz").string() + recipe + path("npz").string());
  ASSERT_EQ(t.code, 0) << t.err;
  const json a = json::parse(read_file(path("pair/log.json"))), b = json::parse(read_file(path("npz/log.json")));
  EXPECT_EQ(b["recipe"]["data"]["data"], (files / "xy_compressed.npz").string());
  EXPECT_EQ(b["data"]["train"]["classes"], 2);
  EXPECT_EQ(a["epochs"][2]["train_loss"], b["epochs"][2]["train_loss"]);
  EXPECT_EQ(a["epochs"][2]["test_loss"], b["epochs"][2]["test_loss"]);
  const Outcome e = run_in("/", "eval " + path("npz/model.safetensors").string() + " --json");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(json::parse(e.out)["samples"], 4);
}

// A refused run leaves no --out folder behind (it is created only once every input is
// validated), and an earlier run in --out is never overwritten: not its checkpoint, its log or
// its snapshot.
TEST_F(TrainCli, RefusedRunsLeaveNoFolderAndNothingIsOverwritten) {
  expect_one_line_error("train --data " + path("missing.csv").string() + " --out " + path("r1").string(), "missing.csv");
  expect_one_line_error("train --data " + csv_ + " --arch 5-8-2 --out " + path("r2").string(), "3 inputs and 2 outputs");
  expect_one_line_error("train --data " + csv_ + " --arch 3-100000000-2 --out " + path("r3").string(),
                        "training needs at least");
  expect_one_line_error("train --data " + csv_ + " --keep 2 --out " + path("r4").string(), "keep");
  expect_one_line_error("train --data " + csv_ + " --arch 3-8-2 --out " + csv_, "is a file; name a folder");
  for (const char* name : {"r1", "r2", "r3", "r4"}) EXPECT_FALSE(std::filesystem::exists(path(name))) << name;

  ASSERT_EQ(run(train("prev", "--arch 3-8-2 --epochs 1")).code, 0);
  const std::string model = read_file(path("prev/model.safetensors")), log = read_file(path("prev/log.json"));
  const auto snapshot = std::filesystem::read_symlink(path("prev/.current"));
  expect_one_line_error(train("prev", "--arch 3-8-2 --epochs 2"), "already holds model.safetensors");
  std::filesystem::remove(path("prev/model.safetensors"));  // the log alone still counts
  expect_one_line_error(train("prev", "--arch 3-8-2 --epochs 2"), "already holds log.json");
  EXPECT_EQ(read_file(path("prev/log.json")), log);
  EXPECT_EQ(read_file(path("prev/.current/model.safetensors")), model);
  EXPECT_EQ(std::filesystem::read_symlink(path("prev/.current")), snapshot);
  // An existing empty folder is fine.
  std::filesystem::create_directories(path("empty"));
  EXPECT_EQ(run(train("empty", "--arch 3-8-2 --epochs 1")).code, 0);
}

// A float model: Lanczos keeps its basis in float and says so with its measured orthogonality, and
// each printed residual is a true one: every top eigenvalue lies within it (plus the float products'
// rounding) of the dense double Hessian's spectrum at the same float weights.
TEST_F(TrainCli, HessianOfAFloatModelKeepsAFloatBasisAndTrueResiduals) {
  ASSERT_EQ(run(train("hf", "--arch 3-4-2 --activation tanh --epochs 1 --batch 16 --dropout none")).code, 0);
  const auto model = path("hf/model.safetensors");
  const Outcome r = run("hessian " + model.string() + " --first 40 --iterations 20 --top 3 --out " + path("hf.json").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("vectors in float, orthonormal to"), std::string::npos) << r.out;
  const json h = json::parse(read_file(path("hf.json")));
  EXPECT_EQ(h["lanczos"]["basis"], "float");
  EXPECT_GT(h["lanczos"]["orthogonality"].get<double>(), 0);
  EXPECT_LT(h["lanczos"]["orthogonality"].get<double>(), 1e-5);
  std::string samples = "0";
  for (int i = 1; i < 40; ++i) samples += fmt::format(",{}", i);
  ASSERT_EQ(run("backprop " + model.string() + " --samples " + samples + " --out " + path("bpf.safetensors").string()).code, 0);
  const nn::TensorFile bp = nn::read_safetensors(path("bpf.safetensors"));
  const auto z1 = bp.tensors.at("z1").values<double>(), t = bp.tensors.at("t").values<double>();
  const Mat<double> X = ConstMatMap<double>(z1.data(), 3, 40), T = ConstMatMap<double>(t.data(), 2, 40);
  const auto net = std::get<nn::Mlp<float>>(nn::load_checkpoint(model).model);
  nn::Mlp<double> exact_net(net.spec());
  exact_net.theta() = net.theta().cast<double>();
  nn::Cache<double> cache;
  Mat<double> H(26, 26);
  Vec<double> column;
  for (Index i = 0; i < 26; ++i) {
    exact_net.hvp(X, T, Vec<double>::Unit(26, i), cache, column);
    H.col(i) = column;
  }
  const Vec<double> exact = Eigen::SelfAdjointEigenSolver<Mat<double>>(0.5 * (H + H.transpose())).eigenvalues();
  const double scale = exact.cwiseAbs().maxCoeff();
  for (int i = 0; i < 3; ++i) {
    const double lambda = h["top"][std::size_t(i)].get<double>(), residual = h["top_residuals"][std::size_t(i)].get<double>();
    EXPECT_LE((exact.array() - lambda).abs().minCoeff(), residual + 1e-5 * scale) << i;
  }
  EXPECT_NEAR(h["top"][0].get<double>(), exact[25], 1e-4 * scale);
}

// The Lanczos basis (--iterations vectors of all parameters in the model's precision) is checked against the
// available memory before the data are read or any product is computed.
TEST_F(TrainCli, HessianRefusesALanczosBasisThatCannotFit) {
  // 3-30000-2: 180,002 parameters; 100,000 vectors of them are hundreds of GB.
  ASSERT_EQ(run(train("wide", "--arch 3-30000-2 --epochs 0")).code, 0);
  const std::string model = path("wide/model.safetensors").string();
  expect_one_line_error("hessian " + model + " --iterations 100000 --top 1",
                        "--iterations 100000: Lanczos on 180002 parameters keeps 100000 vectors");
  expect_one_line_error("hessian " + model + " --iterations 100000 --top 1", "lower --iterations (at most about");
  const Outcome ok = run("hessian " + model + " --iterations 3 --top 1 --first 20");
  EXPECT_EQ(ok.code, 0) << ok.err;
}

// Messages that misled: an NPY file read as CSV (now: one without --targets, a broken one), one
// probe with a standard error of 0, a step limit from an unconverged lambda_1 without a caveat,
// an option before the command.
TEST_F(TrainCli, MessagesSayWhatIsWrong) {
  write_file_atomic(path("x.npy"), std::string("\x93NUMPY\x01\x00", 8));
  expect_one_line_error("train --data " + path("x.npy").string(), "is an NPY file of inputs; name its targets with --targets");
  expect_one_line_error("train --data " + path("x.npy").string() + " --targets " + path("x.npy").string(),
                        "x.npy': truncated NPY header");
  ASSERT_EQ(run(train("m", "--arch 3-16-16-2 --epochs 1")).code, 0);
  const std::string model = path("m/model.safetensors").string();
  expect_one_line_error("hessian " + model + " --trace-probes 1", "--trace-probes 1: a standard error needs at least 2");
  const Outcome few = run("hessian " + model + " --iterations 2 --top 1");
  ASSERT_EQ(few.code, 0) << few.err;
  EXPECT_NE(few.out.find("caution: lambda_1 has not converged"), std::string::npos) << few.out;
  const Outcome many = run("hessian " + model + " --iterations 80 --top 1");
  ASSERT_EQ(many.code, 0) << many.err;
  EXPECT_EQ(many.out.find("caution"), std::string::npos) << many.out;
  expect_one_line_error("--bogus", "unknown option '--bogus'; commands: ");
}

TEST_F(TrainCli, DivergingRunStopsNonZeroAndKeepsTheLog) {
  const Outcome r = run(train("div", "--arch 3-64-2 --optimizer sgd --lr 1e6 --epochs 6 --batch 16"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("diverged"), std::string::npos) << r.err;
  const json log = json::parse(read_file(path("div/log.json")));
  EXPECT_EQ(log["status"], "diverged");
  EXPECT_LT(log["epochs"].size(), 6u);
  // What was saved is finite (the last finite parameters), and loads.
  const auto net = std::get<nn::Mlp<float>>(nn::load_checkpoint(path("div/model.safetensors")).model);
  EXPECT_TRUE(net.theta().allFinite());
}

}  // namespace
}  // namespace nnlab::cli
