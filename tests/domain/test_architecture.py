"""domain/ stays pure: no framework, database, serialisation or clock, so its rules can be recomputed years later."""

from __future__ import annotations

import ast
from pathlib import Path

import survey_api.domain

FORBIDDEN_MODULES = (
    "flask",
    "flask_",
    "sqlalchemy",
    "marshmallow",
    "werkzeug",
    "survey_api.models",
    "survey_api.services",
    "survey_api.api",
    "survey_api.web",
    "requests",
    "socket",
    "os",
)
FORBIDDEN_CALLS = ("datetime.now", "datetime.utcnow", "date.today", "time.time", "open")


def domain_files() -> list[Path]:
    return sorted(Path(survey_api.domain.__file__).parent.rglob("*.py"))


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level >= 2:
            names.add("survey_api." + (node.module or ""))  # a relative import that leaves domain/
    return names


def called_names(tree: ast.AST) -> set[str]:
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                calls.add(func.id)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                calls.add(f"{func.value.id}.{func.attr}")
    return calls


def test_domain_imports_no_framework_database_or_io():
    offenders = []
    for path in domain_files():
        for module in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            if any(
                module == bad
                or module.startswith(bad if bad.endswith("_") else bad + ".")
                or (bad.endswith("_") and module.startswith(bad))
                for bad in FORBIDDEN_MODULES
            ):
                offenders.append(f"{path.name} imports {module}")
    assert offenders == []


def test_domain_reads_no_clock_and_opens_no_files():
    offenders = [
        f"{path.name} calls {name}"
        for path in domain_files()
        for name in called_names(ast.parse(path.read_text(encoding="utf-8")))
        if name in FORBIDDEN_CALLS
    ]
    assert offenders == []


def test_the_check_itself_catches_a_forbidden_import():
    tree = ast.parse("from flask import request\nimport sqlalchemy.orm\nfrom ..models import Unit\n")
    assert imported_modules(tree) == {"flask", "sqlalchemy.orm", "survey_api.models"}
