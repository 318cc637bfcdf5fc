"""Objectives and drivers: the zoo against its known minima, a Python objective driven by the C++
optimizers, errors, and Ctrl-C."""
import _thread
import threading

import numpy as np
import pytest

import nnlab


def test_zoo_functions_and_their_critical_points():
    f = nnlab.test_function("himmelblau")
    assert f.dim == 2
    points = f.critical_points()
    assert len(points) == 9 and sum(p["kind"] == "saddle" for p in points) == 4
    for p in points:
        value, grad = f.gradient(p["x"])
        assert value == pytest.approx(p["value"], abs=1e-6) and np.linalg.norm(grad) < 1e-4
        assert np.sum(np.linalg.eigvalsh(f.hessian(p["x"])) < 0) == p["index"]
    x, y = np.linspace(-5, 5, 11), np.linspace(-4, 4, 9)
    Z = f.grid(x, y)
    assert Z.shape == (9, 11) and Z[2, 7] == f.value(np.array([x[7], y[2]]))
    with pytest.raises(ValueError, match="unknown test function 'nope'; known: himmelblau"):
        nnlab.test_function("nope")


@pytest.mark.parametrize("method,lr", [("sgd", 0.01), ("momentum", 0.005), ("adam", 0.05),
                                       ("lbfgs", 0.0), ("newton", 0.0)])
def test_drivers_find_a_minimum_of_himmelblau(method, lr):
    f = nnlab.test_function("himmelblau")
    r = nnlab.minimize(f, [0.0, 0.0], method=method, lr=lr, max_iters=5000, grad_tol=1e-6)
    assert r.status == "converged", r
    assert r.value == pytest.approx(0, abs=1e-8)
    assert r.trajectory.shape == (len(r.values), 2) and np.array_equal(r.trajectory[0], [0, 0])
    assert np.array_equal(r.trajectory[-1], r.x)


def test_a_python_objective_driven_by_cpp_optimizers():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    calls = []

    def value(x):
        calls.append(1)
        return 0.5 * x @ A @ x - b @ x

    f = nnlab.Objective(2, value, lambda x: A @ x - b, hvp=lambda x, v: A @ v, name="quadratic")
    x_star = np.linalg.solve(A, b)
    for method in ("sgd", "momentum", "nesterov", "lbfgs", "newton"):
        r = nnlab.minimize(f, np.zeros(2), method=method, lr=0.1, max_iters=20000, grad_tol=1e-9)
        assert r.status == "converged", (method, r)
        assert r.x == pytest.approx(x_star, abs=1e-7)
    assert calls
    assert f.hessian(np.zeros(2)) == pytest.approx(A)  # built column by column from hvp


def test_python_objective_errors_surface():
    bad = nnlab.Objective(2, lambda x: 0.0, lambda x: np.zeros(3))
    with pytest.raises(ValueError, match="length 2"):
        nnlab.minimize(bad, np.zeros(2))

    def boom(x):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        nnlab.minimize(nnlab.Objective(2, boom, lambda x: x), np.zeros(2))
    with pytest.raises(ValueError, match="unknown optimizer|sgd"):
        nnlab.minimize(nnlab.test_function("beale"), np.zeros(2), method="no-such-method")
    with pytest.raises(ValueError, match="x0 has length 3"):
        nnlab.minimize(nnlab.test_function("beale"), np.zeros(3))


def test_callback_stops_a_driver():
    f = nnlab.test_function("rosenbrock", n=2)
    r = nnlab.minimize(f, method="sgd", lr=1e-4, max_iters=100000, callback=lambda k, x, v: k < 10)
    assert r.status == "interrupted" and r.iterations == 10


def raises_keyboard_interrupt_after_ctrl_c(call):
    """call() is interrupted by a Ctrl-C (SIGINT to the main thread) sent 0.3 s after it starts."""
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
    finally:
        timer.cancel()


def test_ctrl_c_interrupts_a_long_driver_run():
    f = nnlab.test_function("rastrigin", n=50)
    raises_keyboard_interrupt_after_ctrl_c(lambda: nnlab.minimize(
        f, np.full(50, 3.0), method="sgd", lr=1e-7, max_iters=10**9, grad_tol=0, record=False))


@pytest.mark.parametrize("method", ["nonlinear_cg", "trust_region", "saddle_free_newton"])
def test_more_drivers_find_a_minimum(method):
    r = nnlab.minimize(nnlab.test_function("himmelblau"), [1.0, 1.0], method=method, max_iters=500,
                       grad_tol=1e-7)
    assert r.status == "converged" and r.value == pytest.approx(0, abs=1e-10), r


def test_noisy_gd_at_zero_temperature_is_gradient_descent_and_perturbed_gd_escapes_a_saddle():
    f = nnlab.test_function("rosenbrock")
    gd = nnlab.minimize(f, method="sgd", lr=1e-3, max_iters=200)
    cold = nnlab.minimize(f, method="noisy_gd", lr=1e-3, temperature=0.0, max_iters=200)
    assert np.array_equal(gd.trajectory, cold.trajectory)
    hot = nnlab.minimize(f, method="noisy_gd", lr=1e-3, temperature=1.0, max_iters=200, seed=2)
    assert not np.array_equal(gd.trajectory, hot.trajectory)
    well = nnlab.test_function("double-well")   # (0, 0) is a critical point of index 2
    stuck = nnlab.minimize(well, [0.0, 0.0], method="sgd", lr=0.1, max_iters=300)
    escaped = nnlab.minimize(well, [0.0, 0.0], method="perturbed_gd", lr=0.1, max_iters=300, grad_tol=0)
    assert stuck.value == pytest.approx(0.5) and escaped.value < 1e-6


def test_hessian_tools_on_a_quadratic_with_known_spectrum():
    f = nnlab.test_function("quadratic", n=30, kappa=100.0, seed=3)
    x = np.zeros(30)
    eigenvalues = np.linalg.eigvalsh(f.hessian(x))
    assert eigenvalues[0] == pytest.approx(1) and eigenvalues[-1] == pytest.approx(100)
    s = nnlab.hessian.lanczos(f, x, iterations=30)
    assert s["ritz_values"][0] == pytest.approx(100, rel=1e-9) and s["ritz_values"][-1] == pytest.approx(1, rel=1e-9)
    rho, r = nnlab.hessian.power_iteration(f, x, iterations=200)
    assert abs(rho - 100) <= r + 1e-9
    trace, se = nnlab.hessian.hutchinson_trace(f, x, probes=200)
    assert abs(trace - eigenvalues.sum()) < 4 * se
    d = nnlab.hessian.spectral_density(f, x, t=np.linspace(0, 110, 50), sigma=2.0, iterations=30, probes=4)
    assert len(d["nodes"]) == 4 and all(w.sum() == pytest.approx(1) for w in d["weights"])
    with pytest.raises(ValueError, match="Hessian-vector"):
        nnlab.hessian.lanczos(nnlab.Objective(2, lambda x: 0.0, lambda x: x), np.zeros(2))


def test_gradient_flow_of_a_quadratic_is_the_matrix_exponential():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    f = nnlab.Objective(2, lambda x: 0.5 * x @ A @ x, lambda x: A @ x, hvp=lambda x, v: A @ v)
    x0 = np.array([1.0, -2.0])
    lam, V = np.linalg.eigh(A)
    exact = V @ (np.exp(-lam * 1.5) * (V.T @ x0))  # θ(T) = exp(−A T) θ₀
    assert np.abs(nnlab.gradient_flow(f, x0, 1.5, 3000) - exact).max() < 1e-12
    # Fourth order: twice the steps, a sixteenth of the error.
    coarse, finer = (np.abs(nnlab.gradient_flow(f, x0, 1.5, n) - exact).max() for n in (15, 30))
    assert 1e-9 < finer and 13 < coarse / finer < 19
    with pytest.raises(ValueError, match="steps >= 1"):
        nnlab.gradient_flow(f, x0, 1.0, 0)
    with pytest.raises(ValueError, match="x0 has length 3"):
        nnlab.gradient_flow(f, np.zeros(3), 1.0, 10)


def test_gradient_penalty_is_the_modified_loss_with_its_exact_gradient():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    B = np.array([[1.0, 0.0], [0.0, 4.0]])

    def quadratic(M):
        return nnlab.Objective(2, lambda x: 0.5 * x @ M @ x, lambda x: M @ x, hvp=lambda x, v: M @ v)

    f, g = quadratic(A), quadratic(B)
    x, c = np.array([0.5, -1.0]), 0.3
    value, grad = nnlab.gradient_penalty(f, c).gradient(x)
    assert value == pytest.approx(0.5 * x @ A @ x + c * np.sum((A @ x) ** 2), rel=1e-14)
    assert grad == pytest.approx(A @ x + 2 * c * A @ A @ x, rel=1e-14)
    # With terms: c · (1/K) Σ_k ‖∇G_k‖², each gradient through H_k ∇G_k.
    value, grad = nnlab.gradient_penalty(f, c, terms=[f, g]).gradient(x)
    assert value == pytest.approx(0.5 * x @ A @ x + c / 2 * (np.sum((A @ x) ** 2) + np.sum((B @ x) ** 2)), rel=1e-14)
    assert grad == pytest.approx(A @ x + c * (A @ A @ x + B @ B @ x), rel=1e-14)
    # GD with step h follows the modified flow to O(h²), the flow of L only to O(h).
    camel, start = nnlab.test_function("six-hump-camel"), np.array([1.6, 0.7])
    flow = nnlab.gradient_flow(camel, start, 1.0, 2048)
    far, near = [], []
    for h in (0.004, 0.002):
        gd = nnlab.minimize(camel, start, method="sgd", lr=h, max_iters=round(1 / h), grad_tol=0, record=False)
        far.append(np.linalg.norm(gd.x - flow))
        near.append(np.linalg.norm(gd.x - nnlab.gradient_flow(nnlab.gradient_penalty(camel, h / 4), start, 1.0, 2048)))
    assert 1.8 < far[0] / far[1] < 2.2 and 3.6 < near[0] / near[1] < 4.4 and near[1] < far[1] / 10
    with pytest.raises(ValueError, match="has no hvp"):
        nnlab.gradient_penalty(nnlab.Objective(2, lambda x: 0.0, lambda x: x), 0.1)


def test_ctrl_c_interrupts_a_long_gradient_flow():
    f = nnlab.test_function("rastrigin", n=50)
    raises_keyboard_interrupt_after_ctrl_c(lambda: nnlab.gradient_flow(f, np.full(50, 3.0), 1.0, 10**9))
