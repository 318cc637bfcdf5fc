"""nnlab.labs: the registry, parameters checked as the CLI checks them, results equal to the CLI's."""
import json
import math

import numpy as np
import pytest

import nnlab


def test_every_lab_is_listed_with_its_parameters():
    labs = nnlab.labs.list()
    ids = [lab["id"] for lab in labs]
    assert "dropout-linreg" in ids and "nonconvex" in ids
    assert len(ids) == len(set(ids)) >= 13
    for lab in labs:
        for p in nnlab.labs.params(lab["id"]):
            assert set(p) >= {"name", "type", "default", "quick", "help"}
    p = {q["name"]: q for q in nnlab.labs.params("dropout-linreg")}["p"]
    assert p["type"] == "real" and p["default"] == "0.3"


def test_bad_input_raises_with_the_cli_message(nnlab_cli):
    with pytest.raises(ValueError, match="unknown lab 'no-such-lab'"):
        nnlab.labs.run("no-such-lab")
    with pytest.raises(ValueError) as python_error:
        nnlab.labs.run("dropout-linreg", quick=True, no_such_parameter=1)
    cli = nnlab_cli("run", "dropout-linreg", "--quick", "--set", "no_such_parameter=1", check=False)
    assert cli.returncode == 1
    assert str(python_error.value) in cli.stderr
    with pytest.raises(ValueError, match="'p'"):
        nnlab.labs.run("dropout-linreg", quick=True, p=1.5)
    with pytest.raises(ValueError, match="'p'"):
        nnlab.labs.run("dropout-linreg", quick=True, p=math.nan)


def claims_of_record(path):
    record = json.loads(path.read_text())
    return record["result"]["claims"] if "result" in record else record["claims"]


def test_parity_with_the_cli_for_the_same_seed(tmp_path, nnlab_cli):
    r = nnlab.labs.run("dropout-linreg", quick=True, seed=3, threads=2, p=0.8)
    nnlab_cli("run", "dropout-linreg", "--quick", "--seed", 3, "--threads", 1, "--set", "p=0.8",
              "--out", tmp_path)
    cli_claims = claims_of_record(tmp_path / "results" / "dropout-linreg.json")
    assert r.params["p"] == "0.8" and r.seed == 3 and r.quick
    assert r.nnlab_version == nnlab.__version__ and r.started.endswith("Z") and r.started <= r.finished and r.lab == "dropout-linreg"
    assert len(r.claims) == len(cli_claims) > 0
    compared = 0
    for mine, theirs in zip(r.claims, cli_claims):
        assert mine.statement == theirs["statement"] and mine.part == theirs["part"]
        assert mine.passed == theirs["pass"]
        if mine.wall_clock or not math.isfinite(mine.value):
            continue
        # The record writes the infinite bounds of one-sided checks as "inf" and "-inf".
        assert (mine.value, mine.lo, mine.hi) == tuple(float(theirs[k]) for k in ("value", "lo", "hi"))
        compared += 1
    assert compared > 0
    assert r.answer and [p.id for p in r.parts]


def test_tables_and_figures_are_numpy():
    r = nnlab.labs.run("dropout-linreg", quick=True, seed=1, p=0.8)
    assert r.tables and r.figures
    numeric = 0
    for table in r.tables.values():
        for name, column in table.columns.items():
            if isinstance(column, np.ndarray):
                assert column.dtype == np.float64
                numeric += 1
            else:
                assert isinstance(column, list)
    assert numeric > 0
    for figure in r.figures.values():
        for line in figure.lines:
            assert isinstance(line.x, np.ndarray) and line.x.shape == line.y.shape


def test_a_notebook_shows_results_with_their_math_rendered():
    r = nnlab.labs.run("dropout-linreg", quick=True, seed=1, p=0.8)
    html = r._repr_html_()
    assert html.count("<li>") == len(r.claims) and "<math" in html
    assert "$" not in html, "TeX left unconverted"
    claim = r.claims[0]._repr_html_()
    assert ("PASS" if r.claims[0].passed else "FAIL") in claim and "<math" in claim


def test_a_field_is_indexed_as_matplotlib_reads_it():
    r = nnlab.labs.run("nonconvex", quick=True, seed=1)
    fields = [f.field for f in r.figures.values() if f.field is not None]
    assert fields
    for field in fields:
        assert field.z.shape == (len(field.y), len(field.x))
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    figure = next(f for f in r.figures.values() if f.field is not None)
    ax = figure.plot()
    assert ax.collections and ax.get_title() == figure.title  # the field, drawn as a colour mesh
    assert ax.collections[0].get_array().size == figure.field.z.size


def test_a_figure_plots_itself_with_matplotlib():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    figure = nnlab.labs.run("dropout-linreg", quick=True, seed=1).figures["expected-loss-vs-p"]
    ax = figure.plot()
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_yscale()) == (figure.x_label, figure.y_label, "log")
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == sorted(line.name for line in figure.lines)
    with_err = [line for line in figure.lines if len(line.err)]
    assert with_err and len(ax.containers) == len(with_err)  # one errorbar container per such line


def test_out_writes_the_cli_record(tmp_path):
    r = nnlab.labs.run("taylor-step", quick=True, out=tmp_path)
    assert (tmp_path / "results" / "taylor-step.json").exists()
    assert [c.value for c in r.claims] == pytest.approx(
        [float(c["value"]) for c in claims_of_record(tmp_path / "results" / "taylor-step.json")], nan_ok=True)


def test_progress_is_reported():
    seen = []
    nnlab.labs.run("taylor-step", quick=True, progress=lambda f, what: seen.append((f, what)))
    assert seen and all(0 <= f <= 1 for f, _ in seen)


def test_ctrl_c_stops_a_lab_with_keyboard_interrupt():
    import _thread

    calls = []

    def progress(fraction, what):  # Ctrl-C arrives while the lab runs
        calls.append(fraction)
        if len(calls) == 1:
            _thread.interrupt_main()

    with pytest.raises(KeyboardInterrupt):
        nnlab.labs.run("dropout-linreg", quick=True, progress=progress)
    assert len(calls) <= 2
    assert nnlab.labs.run("taylor-step", quick=True).claims  # the module is usable afterwards


def test_the_type_stubs_name_every_public_binding():
    import pathlib
    package = pathlib.Path(nnlab.__file__).parent
    stubs = (package / "__init__.pyi").read_text()
    for name in dir(nnlab._nnlab):
        if not name.startswith("_") and name not in ("labs", "hessian"):
            assert f"class {name}" in stubs or f"def {name}" in stubs, name
    for module in (nnlab.labs, nnlab.hessian):
        module_stubs = (package / (module.__name__.split(".")[-1] + ".pyi")).read_text()
        for name in dir(module):
            if not name.startswith("_"):
                assert f"class {name}" in module_stubs or f"def {name}" in module_stubs, name
