"""The layer rules of ARCHITECTURE.md, checked by import-linter (also run by ./dev test)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_layers_import_one_way_only() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    res = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Contracts: 5 kept, 0 broken" in res.stdout


def _graph():  # type: ignore[no-untyped-def]
    import grimp

    return grimp.build_graph("leercultuur", exclude_type_checking_imports=True)


def test_no_package_imports_another_packages_private_modules() -> None:
    """Only a package's public API (its __init__ and modules without a leading underscore) may
    be imported from another package: the generic form of the import-linter contract."""
    graph = _graph()
    bad = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            parts = imported.split(".")
            if parts[0] != "leercultuur" or len(parts) < 3:
                continue
            if module.split(".")[1:2] != parts[1:2] and any(p.startswith("_") for p in parts[2:]):
                bad.append(f"{module} -> {imported}")
    assert not bad, "private modules imported across packages:\n" + "\n".join(bad)


def test_no_import_circle_inside_survey_or_monitor() -> None:
    import itertools

    graph = _graph()
    circles = []
    for package in ("leercultuur.survey", "leercultuur.monitor"):
        modules = sorted(m for m in graph.modules if m.startswith(package + "."))
        for a, b in itertools.combinations(modules, 2):
            if graph.chain_exists(a, b) and graph.chain_exists(b, a):
                circles.append(f"{a} <-> {b}")
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_no_hidden_imports_by_string() -> None:
    """importlib with a module name in a string hides an edge from the layer checker."""
    src = ROOT / "src" / "leercultuur"
    hits = [
        str(p.relative_to(ROOT))
        for p in sorted(src.rglob("*.py"))
        if "import_module(" in p.read_text(encoding="utf-8")
        and p.parts[-2] in ("survey", "monitor")
    ]
    assert not hits, hits


def test_design_methods_are_the_design_functions() -> None:
    """One definition per estimator: the method is the function (same object, signature and
    docstring), and the type checker's list in Design's class body names the same functions."""
    import ast

    from leercultuur import survey

    for f in survey.DESIGN_FUNCTIONS:
        assert getattr(survey.Design, f.__name__) is f
        assert f.__doc__
    tree = ast.parse((ROOT / "src/leercultuur/survey/_design.py").read_text(encoding="utf-8"))
    design = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Design")
    typed = {
        target.id
        for node in design.body
        if isinstance(node, ast.If)
        for stmt in node.body
        if isinstance(stmt, ast.Assign)
        for target in stmt.targets
        if isinstance(target, ast.Name)
    }
    assert typed == {f.__name__ for f in survey.DESIGN_FUNCTIONS}


def test_survey_is_typed() -> None:
    assert (ROOT / "src/leercultuur/py.typed").exists()
