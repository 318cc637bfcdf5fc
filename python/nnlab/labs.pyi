"""The labs: one per question of the sheet (nnlab list)."""
from os import PathLike
from typing import Any, Callable

import numpy as np
import numpy.typing as npt

class Part:
    id: str
    question: str
    answer: str
    derivation: str

class Symbol:
    symbol: str
    meaning: str
    sheet: str

class Claim:
    statement: str
    quantity: str
    measured: str
    test: str
    value: float
    lo: float
    hi: float
    passed: bool
    severity: float
    part: str
    wall_clock: bool
    def _repr_html_(self) -> str:
        """One line: PASS/FAIL, part, statement, measured, test; the math as MathML."""

class Table:
    id: str
    title: str
    caption: str
    part: str
    data: bool
    wall_clock: bool
    columns: dict[str, npt.NDArray[np.float64] | list[Any]]

class Line:
    name: str
    style: str
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    err: npt.NDArray[np.float64]

class Field:
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    z: npt.NDArray[np.float64]
    z_label: str
    palette: str
    log_z: bool
    contours: npt.NDArray[np.float64]

class Figure:
    id: str
    title: str
    x_label: str
    y_label: str
    log_x: bool
    log_y: bool
    caption: str
    part: str
    wall_clock: bool
    lines: list[Line]
    field: Field | None
    def plot(self, ax: Any = None) -> Any:
        """Draws the figure with matplotlib on ax (default: a new figure's axes); returns the axes."""

class LabResult:
    lab: str
    sheet: str
    question: str
    answer: str
    nnlab_version: str
    seed: int
    quick: bool
    started: str
    finished: str
    seconds: float
    params: dict[str, str]
    parts: list[Part]
    notation: list[Symbol]
    claims: list[Claim]
    tables: dict[str, Table]
    figures: dict[str, Figure]
    warnings: list[str]
    @property
    def all_pass(self) -> bool: ...
    def _repr_html_(self) -> str:
        """The question, the answer and every claim, the math as MathML (a notebook shows this)."""

def list() -> list[dict[str, str]]:
    """Every lab as a dict: id, sheet, question (nnlab list)."""

def params(id: str) -> list[dict[str, Any]]:
    """A lab's parameters: name, type, default, quick, min, max, choices, help."""

def run(id: str, *, quick: bool = False, seed: int = 1, threads: int = 0,
        out: str | PathLike[str] | None = None,
        progress: Callable[[float, str], None] | None = None, **params: Any) -> LabResult:
    """Runs a lab; keyword parameters are checked as `nnlab run ID --set NAME=VALUE` checks them."""
