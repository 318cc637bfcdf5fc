"""Networks, data sets, checkpoints and training from Python, checked against finite differences,
the parameter view's memory, and the nnlab command."""
import json
import threading
import time

import numpy as np
import pytest

import nnlab


def batch(n=64, d_in=2, d_out=1, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d_in)).astype(dtype), rng.standard_normal((n, d_out)).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parameters_are_a_view_of_theta(dtype):
    net = nnlab.Mlp("2-8-1", activation="tanh", dtype=dtype)
    theta = net.parameters
    assert theta.base is net and not theta.flags.owndata
    assert theta.dtype == np.dtype(dtype) and theta.shape == (net.num_params,)
    # The same memory every time, and the layers' views lie inside it.
    assert net.parameters.__array_interface__["data"][0] == theta.__array_interface__["data"][0]
    W1 = net.W(1)
    assert W1.shape == (8, 2)
    assert W1.__array_interface__["data"][0] == theta.__array_interface__["data"][0]
    X, T = batch(dtype=np.dtype(dtype))
    before = net.forward(X)
    theta[:] = 0  # writes through the view change the network: a zero net outputs 0
    assert np.all(net.W(1) == 0) and np.all(net.forward(X) == 0) and np.any(before != 0)
    W1[0, 1] = 2.5  # W is column-major inside θ: entry (0, 1) is θ[8]
    assert theta[8] == 2.5


def test_gradient_and_hvp_match_finite_differences():
    net = nnlab.Mlp([2, 6, 6, 1], activation="tanh", loss="mse", seed=3)
    X, T = batch(32)
    loss, grad = net.loss_and_gradient(X, T)
    theta = net.parameters.copy()
    rng = np.random.default_rng(1)
    v = rng.standard_normal(net.num_params)
    h = 1e-6

    def at(t):
        net.parameters[:] = t
        return net.loss_and_gradient(X, T)

    plus, minus = at(theta + h * v), at(theta - h * v)
    net.parameters[:] = theta
    assert (plus[0] - minus[0]) / (2 * h) == pytest.approx(grad @ v, rel=1e-6)
    Hv = net.hvp(X, T, v)
    assert (plus[1] - minus[1]) / (2 * h) == pytest.approx(Hv, rel=1e-5, abs=1e-8)
    bp = net.backprop(X, T)
    assert bp["loss"] == loss and np.array_equal(bp["grad"], grad)
    assert bp["delta"][4].shape == (32, 1) and bp["delta"][3].shape == (32, 6)  # δ^(L+1), δ^(L); L = 3
    assert bp["z"][2].shape == (32, 6) and np.array_equal(bp["a"][4], net.forward(X))


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="relu"):
        nnlab.Mlp("2-8-1", activation="nonsense")
    with pytest.raises(ValueError):
        nnlab.Mlp("2-x-1")
    net = nnlab.Mlp("2-8-1")
    X, T = batch(d_in=3)
    with pytest.raises(ValueError, match="features"):
        net.loss_and_gradient(X, T)
    with pytest.raises(ValueError, match="expected 33 values"):
        net.parameters = np.zeros(5)
    with pytest.raises(OSError, match="no-such-file"):
        nnlab.load("/nonexistent/no-such-file.safetensors")
    with pytest.raises(ValueError, match="unknown"):
        net.train(nnlab.synthetic("sine", 16), optimizer="no-such-optimizer", epochs=1)
    with pytest.raises(TypeError, match="must be a data set"):
        nnlab.make_network(np.zeros((4, 2)), arch="2-1")
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got 'float16'"):
        nnlab.synthetic("sine", 16, dtype="float16")


def test_same_seed_same_initialization_as_a_recipe():
    a = nnlab.Mlp("2-16-1", seed=7).parameters
    b = nnlab.Mlp("2-16-1", seed=7).parameters
    c = nnlab.Mlp("2-16-1", seed=8).parameters
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_data_sets_hand_out_views():
    d = nnlab.synthetic("two_moons", 100, noise=0.1, seed=2)
    assert d.X.shape == (100, 2) and d.Y.shape == (100, 2) and d.num_classes == 2
    # Views kept alive by the data set: the same memory every time, not owned by the array.
    assert d.X.base is d and not d.X.flags.owndata
    assert d.X.__array_interface__["data"][0] == d.X.__array_interface__["data"][0]
    assert set(d.labels) == {0, 1} and np.array_equal(d.Y.argmax(axis=1), d.labels)
    mine = nnlab.Dataset(np.ones((5, 3)), np.array([0, 1, 2, 1, 0]), num_classes=3)
    assert mine.Y.shape == (5, 3) and list(mine.labels) == [0, 1, 2, 1, 0]


def test_train_calls_back_each_epoch_and_stops_when_asked():
    data = nnlab.synthetic("two_moons", 200, noise=0.1, seed=1)
    net = nnlab.Mlp("2-16-2", activation="tanh", loss="cross_entropy", seed=1)
    seen = []
    out = net.train(data, optimizer="adam", lr=0.01, batch=32, epochs=5,
                    on_epoch=lambda record: seen.append(record))
    assert [r["epoch"] for r in seen] == [1, 2, 3, 4, 5] and out["status"] == "max_iters"
    assert seen[-1]["loss"] < seen[0]["loss"]
    stopped = net.train(data, optimizer="sgd", lr=0.1, epochs=10, on_epoch=lambda r: r["epoch"] < 2)
    assert len(stopped["epochs"]) == 2 and stopped["status"] == "interrupted"


def test_gil_is_released_during_a_long_call():
    net = nnlab.Mlp("784-512-512-10", activation="relu", loss="cross_entropy", dtype="float32")
    X = np.random.default_rng(0).random((512, 784), dtype=np.float32)
    T = np.eye(10, dtype=np.float32)[np.arange(512) % 10]
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    worker = threading.Thread(target=count)
    start = time.perf_counter()
    worker.start()
    net.loss_and_gradient(X, T)  # warm up
    inside = []
    for _ in range(20):
        t0 = time.perf_counter()
        net.loss_and_gradient(X, T)
        inside.append((t0, time.perf_counter()))
    t0 = time.perf_counter()
    nnlab.labs.run("dropout-linreg", quick=True, threads=1)  # a lab, too
    lab = (t0, time.perf_counter())
    done.set()
    worker.join()
    # The counter ticked while C++ ran: some tick falls strictly inside a call.
    assert any(t0 < t < t1 for t0, t1 in inside for t in ticks), f"{len(ticks)} ticks in {time.perf_counter() - start:.2f} s"
    assert sum(lab[0] < t < lab[1] for t in ticks) >= 10


def test_checkpoints_round_trip_with_the_cli(tmp_path, nnlab_cli):
    data = nnlab.synthetic("two_moons", 200, noise=0.2, seed=4, dtype="float32")
    np.savez(tmp_path / "moons.npz", X=data.X, y=data.labels)
    # Python → CLI: nnlab eval reads a checkpoint Python saved and finds the same loss.
    net = nnlab.Mlp("2-16-2", activation="tanh", loss="cross_entropy", dtype="float32", seed=5)
    net.save(str(tmp_path / "py.safetensors"))
    train_set, test_set = nnlab.load_data(tmp_path / "moons.npz", dtype="float32")
    evaluated = json.loads(nnlab_cli("eval", tmp_path / "py.safetensors", "--data", tmp_path / "moons.npz",
                                     "--json").stdout)
    assert evaluated["loss"] == pytest.approx(net.dataset_loss(test_set), rel=1e-6)
    # CLI → Python: a run of nnlab train loads with its recipe and gives nnlab eval's loss.
    # (with the default inverted dropout, so that the masks' stream is compared too)
    nnlab_cli("train", "--data", tmp_path / "moons.npz", "--arch", "2-8-2", "--activation", "tanh",
              "--optimizer", "sgd", "--lr", "0.1", "--momentum", "0.9", "--epochs", 2, "--batch", 16,
              "--seed", 3, "--out", tmp_path / "run")
    loaded = nnlab.load(str(tmp_path / "run" / "model.safetensors"))
    assert loaded.sizes == [2, 8, 2] and loaded.dtype == "float32"
    assert json.loads(loaded.metadata["nnlab"])["sizes"] == [2, 8, 2]
    cli_loss = json.loads(nnlab_cli("eval", tmp_path / "run" / "model.safetensors", "--data",
                                    tmp_path / "moons.npz", "--json").stdout)["loss"]
    assert loaded.dataset_loss(test_set) == pytest.approx(cli_loss, rel=1e-6)
    # The recipe of the CLI's run, repeated from Python, gives the same parameters bit for bit.
    recipe = json.loads(loaded.metadata["recipe"])
    again = nnlab.make_network(train_set, **recipe)
    assert again.sizes == [2, 8, 2] and not np.array_equal(again.parameters, loaded.parameters)
    again.train(train_set, test_set, **recipe)
    assert np.array_equal(again.parameters, loaded.parameters)
    # Python → Python: the same parameters come back.
    loaded.save(str(tmp_path / "again.safetensors"))
    assert np.array_equal(nnlab.load(str(tmp_path / "again.safetensors")).parameters, loaded.parameters)


def test_ctrl_c_stops_training_at_the_last_completed_epoch():
    import _thread

    data = nnlab.synthetic("spirals", 400, noise=0.05, seed=2)
    net = nnlab.Mlp("2-32-32-2", activation="tanh", loss="cross_entropy", seed=2)
    after = {}

    def on_epoch(record):
        after[record["epoch"]] = net.parameters.copy()
        if record["epoch"] == 2:
            _thread.interrupt_main()

    with pytest.raises(KeyboardInterrupt):
        net.train(data, optimizer="sgd", lr=0.05, batch=8, epochs=1000, on_epoch=on_epoch)
    assert max(after) <= 3
    assert np.array_equal(net.parameters, after[max(after)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_network_loss_as_an_objective(dtype):
    data = nnlab.synthetic("sine", 128, noise=0.1, seed=3, dtype=dtype)
    net = nnlab.Mlp("1-16-1", activation="tanh", loss="mse", dtype=dtype, seed=3)
    f = net.objective(data)
    theta = net.parameters.astype(np.float64)
    assert np.array_equal(f.start, theta) and f.dim == net.num_params
    value, grad = f.gradient(theta)
    loss, net_grad = net.loss_and_gradient(data.X, data.Y)
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert value == pytest.approx(loss, rel=tol) and grad == pytest.approx(net_grad, rel=tol, abs=tol)
    v = np.random.default_rng(0).standard_normal(f.dim)
    assert f.hvp(theta, v) == pytest.approx(net.hvp(data.X, data.Y, v.astype(dtype)), rel=1e-4, abs=1e-5)
    r = nnlab.minimize(f, method="lbfgs", max_iters=200, grad_tol=0)
    assert r.value < 0.5 * value
    top = nnlab.hessian.lanczos(f, r.x, iterations=10)["ritz_values"][0]
    assert top > 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_hessian_tools_on_a_network_use_products_at_a_fixed_point_with_the_same_bits(dtype):
    """lanczos on a network objective (forward pass and deltas once, then only the R-passes) gives
    exactly what it gives on a Python objective whose every product is f.hvp from scratch."""
    data = nnlab.synthetic("sine", 96, noise=0.1, seed=4, dtype=dtype)
    net = nnlab.Mlp("1-24-24-1", activation="gelu", loss="mse", dtype=dtype, seed=4)
    f = net.objective(data)
    scratch = nnlab.Objective(f.dim, f.value, lambda x: f.gradient(x)[1], hvp=lambda x, v: f.hvp(x, v))
    x = f.start
    a = nnlab.hessian.lanczos(f, x, iterations=12, seed=5)["ritz_values"]
    b = nnlab.hessian.lanczos(scratch, x, iterations=12, seed=5)["ritz_values"]
    assert np.array_equal(a, b)


def test_a_checkpoint_reads_with_numpy_alone(tmp_path):
    """safetensors: 8-byte header length, JSON header, row-major little-endian tensors."""
    import struct

    net = nnlab.Mlp("3-5-2", activation="relu", dtype="float32", seed=2)
    net.save(str(tmp_path / "m.safetensors"), {"note": "from python"})
    raw = (tmp_path / "m.safetensors").read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]

    def tensor(name):
        entry = header[name]
        begin, end = entry["data_offsets"]
        assert entry["dtype"] == "F32"
        return np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"])

    assert header["__metadata__"]["note"] == "from python"
    for k in (1, 2):
        assert np.array_equal(tensor(f"W{k}"), net.W(k)) and np.array_equal(tensor(f"b{k}"), net.b(k))
    assert tensor("W1").shape == (5, 3)


def test_dropout_masks_in_training_mode():
    net = nnlab.Mlp("4-200-1", activation="relu", dropout="standard", keep=[1.0, 0.8], seed=1)
    X = np.random.default_rng(0).standard_normal((50, 4))
    y_eval = net.forward(X)
    assert list(net.masks()) == [2] and np.all(net.masks()[2] == 0.8)  # standard dropout infers with m = p
    y_train = net.forward(X, train=True, seed=5)
    masks = net.masks()
    assert list(masks) == [2] and masks[2].shape == (50, 200)  # the input (keep 1) is never dropped
    assert set(np.unique(masks[2])) == {0.0, 1.0}
    keep = masks[2].mean()
    assert abs(keep - 0.8) < 4 * np.sqrt(0.8 * 0.2 / masks[2].size)
    assert np.array_equal(net.forward(X, train=True, seed=5), y_train)
    assert not np.array_equal(net.forward(X, train=True, seed=6), y_train)
    # The output layer is linear: the mean over masks of y is y with m = p, standard dropout's inference.
    mean = np.mean([net.forward(X, train=True, seed=s) for s in range(400)], axis=0)
    assert np.abs(mean - y_eval).max() < 0.1 * np.abs(y_eval).max()


def test_loss_and_gradient_under_dropout_masks():
    # Dropout on the inputs of a linear model: E = ½‖y − (R ∘ X) w‖², its gradient −(R ∘ X)ᵀ r.
    X, y = batch(n=40, d_in=6, seed=2)
    net = nnlab.Mlp("6-1", loss="sum_of_squares", bias=False, dropout="standard", keep=[0.6])
    w = net.parameters.copy()
    E, g = net.loss_and_gradient(X, y, train=True, seed=9)
    R = net.masks()[1]
    net.forward(X, train=True, seed=9)
    assert np.array_equal(net.masks()[1], R)  # the masks forward(train=True) draws from the seed
    assert 0 < R.sum() < R.size
    residual = y[:, 0] - (R * X) @ w
    assert E == pytest.approx(0.5 * residual @ residual, rel=1e-12)
    assert g == pytest.approx(-(R * X).T @ residual, rel=1e-12)
    E_eval, g_eval = net.loss_and_gradient(X, y)  # eval mode: the input scaled by p
    assert E_eval == pytest.approx(0.5 * np.sum((y[:, 0] - 0.6 * X @ w) ** 2), rel=1e-12)
    assert E != pytest.approx(E_eval)
    assert not np.array_equal(net.loss_and_gradient(X, y, train=True, seed=10)[1], g)


def test_fashion_mnist_by_name():
    import os
    if not os.path.isdir("/usr/share/datasets/fashion-mnist"):
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    train_set, test_set = nnlab.fashion_mnist()
    assert (train_set.X.shape, test_set.X.shape) == ((60000, 784), (10000, 784))
    assert train_set.X.dtype == np.float32 and 0 <= train_set.X.min() and train_set.X.max() <= 1
    assert train_set.num_classes == 10 and np.bincount(test_set.labels).tolist() == [1000] * 10
    assert not train_set.X.flags.owndata  # a view of the loader's matrix, not a copy
