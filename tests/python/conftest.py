"""Shared by the Python tests: the nnlab command (ctest sets NNLAB_BINARY) for parity checks."""
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def nnlab_cli():
    """Runs the nnlab command with the given arguments; returns the CompletedProcess."""
    binary = os.environ.get("NNLAB_BINARY")
    if not binary or not os.path.exists(binary):
        pytest.skip("NNLAB_BINARY does not name the nnlab command (ctest sets it)")

    def run(*args, check=True):
        done = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
        if check and done.returncode not in (0, 3):
            raise AssertionError(f"nnlab {' '.join(map(str, args))} exited {done.returncode}: {done.stderr}")
        return done
    return run
