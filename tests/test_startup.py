"""Ctrl-C while the command line is still starting (importing numpy and xarray) is handled like
any other Ctrl-C: one line, exit 130, no traceback (issue 13). ``import nmmsim`` loads its public
names on first use, so that the command line's own handler is in place before the heavy imports."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

NMMSIM = Path(sys.executable).with_name("nmmsim")


def test_importing_nmmsim_loads_neither_numpy_nor_xarray():
    code = "import sys, nmmsim; print('numpy' in sys.modules, 'xarray' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "False"]


@pytest.mark.skipif(not NMMSIM.exists() or sys.platform == "win32",
                    reason="needs the installed nmmsim command and POSIX signals")
@pytest.mark.parametrize("delay", [0.3, 0.6])
def test_ctrl_c_while_starting_is_one_line(tmp_path, delay):
    """0.3 s into a run the old package was still importing xarray (0.33 s on this machine)."""
    out = tmp_path / "out"
    process = subprocess.Popen(
        [str(NMMSIM), "run", "baseline", "--out", str(out)], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as in a terminal
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:  # finished before the signal: nothing to check
        shutil.rmtree(out, ignore_errors=True)
        pytest.skip("the run finished before the signal")
    assert process.returncode == 130, err
    assert "Traceback" not in err and err.strip().startswith("nmmsim: interrupted"), err
