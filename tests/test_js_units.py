"""The pure JavaScript modules of the field app (HLC, text folding, business days, deal
follow-up, the records overlay, …) pass their unit tests in tests/js, run by Node's own test
runner, so the one test command covers them too."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="no `node` on PATH: install Node.js 20 or later to run tests/js")
def test_every_javascript_unit_test_passes():
    result = subprocess.run(
        [NODE, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-8000:]
    passed = re.search(r"^# pass (\d+)$", report, re.M)
    assert passed and int(passed.group(1)) > 0, f"no JavaScript test ran:\n{report[-2000:]}"
