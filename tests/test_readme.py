"""The README stays true: every setting the server reads is in its configuration table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_read_by(path):
    source = path.read_text()
    return set(re.findall(r'(?:environ\.get|env_int)\(\s*"([A-Z_]+)"', source))


def test_every_setting_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Architecture")]
    read = settings_read_by(ROOT / "server" / "core" / "config.py") | settings_read_by(
        ROOT / "server" / "__init__.py"
    )
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert read and missing == []


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```")[1]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()[1:]]
    assert commands == ["scripts/run-demo", "scripts/test"]
    assert all((ROOT / command).exists() for command in commands)
