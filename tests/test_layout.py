"""The shape of the code: domain packages under services/, one-way imports, no cycles, the documented commands."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"pages": 3, "app": 3, "ui": 2, "services": 1}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    files = [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/**/*.py"), *ROOT.glob("services/**/*.py")]
    return {_module_name(path): path for path in files}


def _imports(path: Path, known: set[str]) -> set[str]:
    """Every project module this file imports, at any depth of the file (TYPE_CHECKING blocks included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` needs the module; the package itself only for a name it defines
            modules = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [node.module] if not all(m in known for m in modules) else []
            names += modules
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    known = set(sources)
    return {module: _imports(path, known) - {module} for module, path in sources.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_services_keeps_at_most_six_modules_at_its_top_and_no_shared_prefixes() -> None:
    top = sorted(path.stem for path in (ROOT / "services").glob("*.py") if path.stem != "__init__")
    assert len(top) <= 6, top
    prefixes = [name.split("_")[0] for name in top]
    assert len(prefixes) == len(set(prefixes)), top


def test_every_domain_package_says_what_it_owns() -> None:
    for package in (ROOT / "services").iterdir():
        if package.is_dir() and (package / "__init__.py").exists():
            doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
            assert doc and len(doc) > 40, f"services/{package.name}/__init__.py needs a docstring"


def test_no_module_imports_another_that_imports_it_back() -> None:
    assert _cycle(_graph()) is None


def test_imports_run_one_way_pages_then_ui_then_services() -> None:
    wrong = []
    for module, targets in _graph().items():
        for target in targets:
            if LAYERS[target.split(".")[0]] > LAYERS[module.split(".")[0]]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_services_never_import_streamlit() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("services/**/*.py")
        if any(
            (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "streamlit" for a in node.names))
            or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "streamlit")
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert offenders == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize("command", ["services.poller", "services.users", "services.simulator"])
def test_the_documented_command_lines_answer_help(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert f"python -m {command}" in done.stdout or "usage:" in done.stdout


def test_rotate_key_keeps_its_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "services.credentials"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "python -m services.credentials rotate-key" in done.stderr
