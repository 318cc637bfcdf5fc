"""nnlab from Python: the labs, networks, data sets, objectives and optimizers of the C++ library.

    import nnlab
    r = nnlab.labs.run("dropout-linreg", quick=True, p=0.8)   # a lab: answer, claims, tables, figures
    net = nnlab.Mlp("2-32-32-1", activation="tanh", loss="mse")
    loss, grad = net.loss_and_gradient(X, T)                  # X: (samples, 2), T: (samples, 1)
    f = nnlab.test_function("himmelblau")
    path = nnlab.minimize(f, [0.0, 0.0], method="adam", lr=0.05).trajectory

Arrays are numpy's samples-as-rows (samples, features). The GIL is released while C++ runs, and
Ctrl-C stops a lab, a driver or a training run with KeyboardInterrupt. Errors are ValueError (bad
input, with the messages of the nnlab command) and OSError (files). See docs/python.md.
"""
import sys as _sys


def _not_this_python(what):
    return ImportError(
        f"nnlab: {what} in this Python ({_sys.version.split()[0]} at {_sys.executable}); the module "
        "is built for Debian's /usr/bin/python3 with python3-numpy: run that one, or configure "
        "nnlab with -DPython3_EXECUTABLE=<this python> and a numpy of its own")


try:
    import numpy as _numpy  # every array in and out is numpy's
except ImportError as _error:
    raise _not_this_python("numpy is missing") from _error
try:
    from . import _nnlab
except ImportError as _error:
    raise _not_this_python("the compiled part _nnlab does not load") from _error
from ._nnlab import (DatasetFloat32, DatasetFloat64, MinimizeResult, MlpFloat32, MlpFloat64,
                     Objective, __version__, gradient_flow, gradient_penalty, load, make_network,
                     minimize, test_function)
from ._nnlab import hessian, labs


def _plot_figure(figure, ax=None):
    """Draws a lab's figure with matplotlib on ax (default: the axes of a new figure) and returns
    ax: its field as filled contours under its lines, each line with its error bars if it has
    them, the axes' labels, log scales and title as the lab set them."""
    import matplotlib.pyplot as plt  # only when drawing: matplotlib is no dependency of nnlab
    if ax is None:
        ax = plt.subplots(figsize=(7, 4.5))[1]
    field = figure.field
    if field is not None:
        z = _numpy.log10(field.z) if field.log_z else field.z
        cmap = {"gray": "gray", "categories": "Pastel1"}.get(field.palette, "viridis")
        mesh = ax.pcolormesh(field.x, field.y, z, cmap=cmap, shading="nearest")
        ax.figure.colorbar(mesh, ax=ax, label=("log10 " if field.log_z else "") + field.z_label)
        if len(field.contours):
            levels = _numpy.sort(_numpy.log10(field.contours) if field.log_z else field.contours)
            ax.contour(field.x, field.y, z, levels=levels, colors="k", linewidths=0.5)
    markers = {"lines": "-", "points": "o", "linespoints": "o-"}
    for line in figure.lines:
        style = markers.get(line.style, "-")
        if len(line.err):
            ax.errorbar(line.x, line.y, yerr=line.err, fmt=style, ms=4, capsize=2, label=line.name)
        else:
            ax.plot(line.x, line.y, style, ms=4, label=line.name)
    ax.set(title=figure.title, xlabel=figure.x_label, ylabel=figure.y_label,
           xscale="log" if figure.log_x else "linear", yscale="log" if figure.log_y else "linear")
    if figure.lines:
        ax.legend(fontsize=7)
    return ax


labs.Figure.plot = _plot_figure

# So that `import nnlab.labs` and `from nnlab.labs import run` work as for a Python package.
_sys.modules[__name__ + ".labs"] = labs
_sys.modules[__name__ + ".hessian"] = hessian

__all__ = ["Mlp", "make_network", "Dataset", "load", "load_data", "fashion_mnist", "synthetic", "Objective",
           "test_function", "minimize", "MinimizeResult", "gradient_flow", "gradient_penalty", "labs", "hessian",
           "MlpFloat32", "MlpFloat64", "DatasetFloat32", "DatasetFloat64", "__version__"]


def Mlp(layers, activation="tanh", loss="mse", *, dtype="float64", seed=1, init="uniform",
        gain=1.0, bias=True, dropout="none", keep=(), tying="none"):
    """A dense network, as `nnlab train --arch LAYERS --activation ACTIVATION` builds it.

    layers: "2-32-32-1" (inputs, hidden sizes, outputs) or a list of sizes. activation: one name
    for every hidden layer or a list (identity, relu, sigmoid, tanh, softplus, gelu). loss: mse,
    sum_of_squares or cross_entropy. dtype: float32 or float64. The parameters are initialized by
    `init` (uniform, he_normal, glorot_uniform, orthogonal) from `seed`, as nnlab train does with
    the same seed. dropout (none, standard, inverted) with keep: one KEEP probability per layer input.
    """
    if not isinstance(layers, str):
        layers = "-".join(str(int(n)) for n in layers)
    activations = [activation] if isinstance(activation, str) else list(activation)
    return _nnlab._mlp(layers, activations, loss, dtype, seed, init, gain, bias, dropout,
                       [float(p) for p in keep], tying)


def Dataset(X, y, *, num_classes=0, name="python", dtype="float64"):
    """A data set from numpy arrays: X (samples, features); y (samples,) or (samples, outputs)
    targets, or integer labels 0..num_classes-1 when num_classes > 0 (Y is then one-hot)."""
    cls = {"float32": DatasetFloat32, "float64": DatasetFloat64}.get(dtype)
    if cls is None:
        raise ValueError(f"dtype must be float32 or float64, got '{dtype}'")
    return cls(X, y, num_classes, name)


def load_data(data, *, targets="", dtype="float32", test_fraction=0.2, split_seed=1,
              standardize=False):
    """(train, test) from what `nnlab train --data` takes: fashion-mnist, an MNIST-layout folder,
    a CSV file, X.npy with targets=y.npy, or an .npz holding X and y."""
    return _nnlab._load_data(str(data), str(targets), dtype, test_fraction, split_seed, standardize)


def fashion_mnist(dtype="float32"):
    """(train, test) of Fashion-MNIST (Debian's dataset-fashion-mnist): X in [0, 1], 10 classes."""
    return load_data("fashion-mnist", dtype=dtype)


def synthetic(kind, n, *, noise=0.1, seed=1, dtype="float64", turns=1.5):
    """A synthetic data set of n samples drawn from `seed`: two_moons, spirals (with turns),
    xor_blobs (2 classes each) or sine (regression, y = sin x + noise)."""
    return _nnlab._synthetic(kind, n, noise, seed, dtype, turns)
