"""nnlab from Python: labs, networks, data sets, objectives and optimizers (see docs/python.md)."""
from os import PathLike
from typing import Any, Callable, Literal, Sequence

import numpy as np
import numpy.typing as npt

from . import hessian as hessian
from . import labs as labs

__version__: str
Array = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike
DType = Literal["float32", "float64"]

class DatasetFloat32:
    def __init__(self, X: ArrayLike, y: ArrayLike, num_classes: int = 0, name: str = "python") -> None: ...
    @property
    def X(self) -> npt.NDArray[np.float32]:
        """(samples, features), a view."""
    @property
    def Y(self) -> npt.NDArray[np.float32]:
        """(samples, outputs), one-hot for classes, a view."""
    @property
    def labels(self) -> npt.NDArray[np.int32]: ...
    num_classes: int
    name: str
    @property
    def size(self) -> int: ...
    @property
    def dtype(self) -> str: ...
    def __len__(self) -> int: ...

class DatasetFloat64(DatasetFloat32):
    @property
    def X(self) -> npt.NDArray[np.float64]: ...  # type: ignore[override]
    @property
    def Y(self) -> npt.NDArray[np.float64]: ...  # type: ignore[override]

AnyDataset = DatasetFloat32 | DatasetFloat64

class MlpFloat64:
    parameters: Array
    """θ = [W1, b1, W2, b2, ...] (each W column-major), a view: writes change the network."""
    metadata: dict[str, str]
    @property
    def num_params(self) -> int: ...
    @property
    def sizes(self) -> list[int]: ...
    @property
    def activations(self) -> list[str]: ...
    @property
    def loss(self) -> str: ...
    @property
    def dtype(self) -> str: ...
    def W(self, k: int) -> Array:
        """W^(k), shape (n_{k+1}, n_k), a view into parameters."""
    def b(self, k: int) -> Array:
        """b^(k), a view into parameters."""
    def forward(self, X: ArrayLike, *, train: bool = False, seed: int = 1) -> Array:
        """Outputs (samples, outputs) for X (samples, inputs); train=True samples dropout masks from seed."""
    def masks(self) -> dict[int, Array]:
        """The dropout masks of the last forward, per layer input k."""
    def loss_and_gradient(self, X: ArrayLike, T: ArrayLike, *, train: bool = False,
                          seed: int = 1) -> tuple[float, Array]:
        """(E, ∂E/∂θ) on a batch: in eval mode, or under dropout masks drawn from seed (train=True)."""
    def backprop(self, X: ArrayLike, T: ArrayLike) -> dict[str, Any]:
        """loss, grad and the dicts a, z, delta keyed by PRML's layer index k."""
    def hvp(self, X: ArrayLike, T: ArrayLike, v: ArrayLike) -> Array:
        """The exact Hessian-vector product (R-operator)."""
    def dataset_loss(self, data: AnyDataset) -> float: ...
    def accuracy(self, data: AnyDataset) -> float: ...
    def objective(self, data: AnyDataset) -> Objective:
        """The loss on data as an Objective of θ (value, gradient, hvp), started at this θ."""
    def save(self, path: str, metadata: dict[str, str] = ...) -> None:
        """A safetensors checkpoint, as nnlab train writes (nnlab eval, numpy, PyTorch read it)."""
    def train(self, train_set: AnyDataset, test_set: AnyDataset | None = None, *,
              on_epoch: Callable[[dict[str, float]], bool | None] | None = None,
              threads: int = 1, **recipe: Any) -> dict[str, Any]:
        """Trains in place by a recipe with nnlab train's names (optimizer, lr, batch, epochs, ...)."""

class MlpFloat32(MlpFloat64):
    parameters: npt.NDArray[np.float32]  # type: ignore[assignment]

def Mlp(layers: str | Sequence[int], activation: str | Sequence[str] = "tanh", loss: str = "mse", *,
        dtype: DType = "float64", seed: int = 1, init: str = "uniform", gain: float = 1.0,
        bias: bool = True, dropout: str = "none", keep: Sequence[float] = (),
        tying: str = "none") -> MlpFloat64 | MlpFloat32:
    """A dense network, as `nnlab train --arch LAYERS --activation ACTIVATION` builds it."""

def make_network(train_set: AnyDataset, **recipe: Any) -> MlpFloat64 | MlpFloat32:
    """The network a recipe (the names of nnlab train's recipe JSON) describes, initialized as nnlab train does."""

def Dataset(X: ArrayLike, y: ArrayLike, *, num_classes: int = 0, name: str = "python",
            dtype: DType = "float64") -> AnyDataset:
    """A data set from numpy arrays (integer labels when num_classes > 0)."""

def load(path: str) -> MlpFloat64 | MlpFloat32:
    """Loads a checkpoint (nnlab train's model.safetensors or Mlp.save's)."""

def load_data(data: str | PathLike[str], *, targets: str | PathLike[str] = "", dtype: DType = "float32",
              test_fraction: float = 0.2, split_seed: int = 1,
              standardize: bool = False) -> tuple[AnyDataset, AnyDataset]:
    """(train, test) from what `nnlab train --data` takes."""

def fashion_mnist(dtype: DType = "float32") -> tuple[AnyDataset, AnyDataset]: ...

def synthetic(kind: Literal["two_moons", "spirals", "xor_blobs", "sine"], n: int, *,
              noise: float = 0.1, seed: int = 1, dtype: DType = "float64",
              turns: float = 1.5) -> AnyDataset: ...

class Objective:
    def __init__(self, dim: int, value: Callable[[Array], float], gradient: Callable[[Array], ArrayLike],
                 hvp: Callable[[Array, Array], ArrayLike] | None = None,
                 hessian: Callable[[Array], ArrayLike] | None = None, name: str = "python") -> None: ...
    name: str
    @property
    def dim(self) -> int: ...
    def value(self, x: ArrayLike) -> float: ...
    def gradient(self, x: ArrayLike) -> tuple[float, Array]: ...
    def hvp(self, x: ArrayLike, v: ArrayLike) -> Array: ...
    def hessian(self, x: ArrayLike) -> Array: ...
    def grid(self, x: ArrayLike, y: ArrayLike) -> Array:
        """Z[j, i] = L(x[i], y[j]) for a 2-D objective, as plt.contour(x, y, Z) reads it."""
    @property
    def start(self) -> Array | None: ...
    @property
    def minimizer(self) -> Array | None: ...
    def critical_points(self) -> list[dict[str, Any]]: ...

def test_function(name: str, n: int = 2, kappa: float = 10.0, seed: int = 1) -> Objective:
    """A function of the zoo: himmelblau, beale, goldstein-price, six-hump-camel, saddle,
    monkey-saddle, rastrigin, styblinski-tang, double-well, ackley, rosenbrock, quadratic."""

class MinimizeResult:
    x: Array
    value: float
    grad_norm: float
    status: str
    method: str
    iterations: int
    trajectory: Array
    values: Array

def minimize(objective: Objective, x0: ArrayLike | None = None, *, method: str = "sgd",
             lr: float = 0.01, max_iters: int = 1000, grad_tol: float = 1e-8, value_tol: float = 0.0,
             momentum: float | None = None, beta1: float | None = None, beta2: float | None = None,
             rho: float | None = None, eps: float | None = None, weight_decay: float = 0.0,
             schedule: str = "constant", temperature: float = 1.0, seed: int = 1, record: bool = True,
             callback: Callable[[int, Array, float], bool | None] | None = None) -> MinimizeResult:
    """Minimizes with a C++ driver: sgd, momentum, nesterov, adagrad, rmsprop, adam, lbfgs,
    nonlinear_cg, newton, trust_region, saddle_free_newton, perturbed_gd, noisy_gd."""

def gradient_flow(objective: Objective, x0: ArrayLike, T: float, steps: int) -> Array:
    """θ(T) of θ' = −∇L(θ), θ(0) = x0, by RK4 in `steps` equal steps (GD with step h ≈ the flow at N·h)."""

def gradient_penalty(loss: Objective, coefficient: float,
                     terms: Sequence[Objective] | None = None) -> Objective:
    """L + c·(1/K) Σ_k ‖∇G_k‖² (G = [L] by default): with c = h/4 the modified loss GD follows to O(h²)."""
