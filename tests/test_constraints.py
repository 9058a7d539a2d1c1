"""Every package Genba and its tests ask for is pinned in ``scripts/constraints.txt``, at a
version its own range admits: a fresh machine installs what the suite last passed with."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pins():
    found = {}
    for line in (ROOT / "scripts" / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, pinned = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)", line).groups()
            found[canonicalize_name(name)] = pinned
    return found


def asked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]


def test_every_dependency_is_pinned_within_its_range():
    pinned = pins()
    unpinned = [str(r) for r in asked() if canonicalize_name(r.name) not in pinned]
    outside = [
        str(r)
        for r in asked()
        if canonicalize_name(r.name) in pinned
        and not r.specifier.contains(pinned[canonicalize_name(r.name)], prereleases=True)
    ]
    assert unpinned == [] and outside == []


def test_the_pins_are_what_this_environment_runs():
    """The suite runs on the pinned versions (scripts/setup installs them), so a pin that
    passes here is one that passed."""
    pinned = pins()
    differ = {
        r.name: (pinned[canonicalize_name(r.name)], version(r.name))
        for r in asked()
        if pinned.get(canonicalize_name(r.name)) not in (None, version(r.name))
    }
    assert differ == {}
