"""The engine is a mechanism: it imports nothing of the server and names no business entity."""

import ast
import pathlib
import subprocess
import sys

from server.core.engine import ENGINE

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENGINE_OWN = {"conflicts", "history"}


def test_importing_the_engine_imports_nothing_of_the_server():
    code = "import sync, sys; print(sorted(m for m in sys.modules if m.split('.')[0] in ('server', 'demo')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_module_of_the_engine_names_a_business_entity():
    business = set(ENGINE.entities) - ENGINE_OWN
    named = {}
    for path in sorted((ROOT / "sync").glob("*.py")):
        tree = ast.parse(path.read_text())
        prose = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}  # docstrings
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
                for word in business & set(node.value.replace(":", " ").replace("/", " ").split()):
                    named.setdefault(path.name, set()).add(word)
    assert named == {}


def test_every_entity_the_server_registers_refers_only_to_registered_entities():
    for entity in ENGINE.entities.values():
        assert set(entity.references.values()) <= set(ENGINE.entities), entity.name
