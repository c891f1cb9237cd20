"""The import contract of the installed `exportdesk.*` packages, and the checker that enforces it.

To place a new top-level package, add its folder name to LAYERS at the height it belongs:
a package may import only packages listed below it. `tests/test_layering.py` fails while an
installed package is missing from LAYERS, so a new package cannot slip past the contract.
"""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Highest first. A package may import the packages after it, never those before it.
LAYERS: tuple[str, ...] = (
    "ui",  # composition root: typer CLI and Streamlit pages
    "models",  # the learning wing: training, calibration fitting, evaluation, benchmarks
    "samples",  # synthetic applications for training and benchmarks (never the run path)
    "review",  # the case store
    "risk",  # risk signals beside the classification
    "classify",  # catalogues, retrieval, ranking, calibration, rationale
    "extract",  # bytes to ApplicationResult; the document model at the bottom
)

# The run path: what processes an application. It never imports learning or sample code,
# whatever the order of LAYERS says.
RUN_PATH: tuple[str, ...] = ("extract", "classify")
NEVER_IN_RUN_PATH: tuple[str, ...] = ("models", "samples")

ROOT = "exportdesk"
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@dataclass(frozen=True)
class Import:
    """One import statement in one module: who imports what, and which names."""

    importer: str  # dotted module name, e.g. exportdesk.classify.api
    target: str  # dotted module imported from, e.g. exportdesk.extract.model
    names: tuple[str, ...]  # names taken from target (empty for `import x`)
    line: int


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str  # importer:line
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.detail}"


def installed_packages() -> list[str]:
    """The top-level `exportdesk.*` packages the project installs (pyproject's package list)."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    listed = config["tool"]["setuptools"]["packages"]
    return sorted({name.split(".")[1] for name in listed if name.startswith(ROOT + ".")})


def package_modules(package: str) -> Iterator[tuple[str, str, bool]]:
    """(dotted name, source, is a package) for every module of an installed top-level package."""
    spec = importlib.util.find_spec(f"{ROOT}.{package}")
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"{ROOT}.{package} is not installed; run `make setup`")
    for folder in spec.submodule_search_locations:
        base = Path(folder)
        for path in sorted(base.rglob("*.py")):
            parts = path.relative_to(base).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            yield ".".join((ROOT, package, *parts)), path.read_text(encoding="utf-8"), is_package


def imports_of(module: str, source: str, is_package: bool = False) -> Iterator[Import]:
    """Every `exportdesk` import in a module's source, at any depth (inside functions too).
    A private attribute read through an imported name (`art._cache`) counts as importing it."""
    tree = ast.parse(source)
    here = module.split(".") if is_package else module.split(".")[:-1]
    bound: dict[str, str] = {}  # local name -> the exportdesk module (or module.name) it is
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name.split(".")[0] == ROOT:
                    bound[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == ROOT:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and _private(node.attr)
        ):
            yield Import(module, bound[node.value.id], (node.attr,), node.lineno)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT:
                    yield Import(module, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] == ROOT:
                yield Import(module, target, tuple(a.name for a in node.names), node.lineno)


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def check(imports: Iterable[Import], layers: tuple[str, ...] = LAYERS) -> list[Violation]:
    """Every import that breaks the contract: upward or into an unplaced package, from the run
    path into learning or sample code, or of another module's private name."""
    rank = {name: i for i, name in enumerate(layers)}
    out: list[Violation] = []
    for imp in imports:
        where = f"{imp.importer}:{imp.line}"
        src, dst = _top(imp.importer), _top(imp.target)
        if src != dst:
            if src not in rank or dst not in rank:
                unplaced = src if src not in rank else dst
                out.append(Violation("unplaced package", where, f"add {unplaced!r} to LAYERS"))
            elif rank[dst] < rank[src]:
                out.append(Violation("upward import", where, f"{src} may not import {imp.target}"))
        if src in RUN_PATH and dst in NEVER_IN_RUN_PATH:
            out.append(Violation("run path imports learning/sample code", where, imp.target))
        # A private module (`ui/pages/_common.py`) is private to its top-level package.
        private_module = [p for p in imp.target.split(".")[2:] if _private(p)]
        if private_module and src != dst:
            out.append(Violation("private module", where, f"{imp.target} is private"))
        if imp.target != imp.importer:
            for name in imp.names:
                if _private(name):
                    out.append(Violation("private name", where, f"{imp.target}.{name}"))
    return out


def project_imports() -> list[Import]:
    found: list[Import] = []
    for package in installed_packages():
        for module, source, is_package in package_modules(package):
            found.extend(imports_of(module, source, is_package=is_package))
    return found


# Heavy libraries: imported at module level only by the run-path modules that need them
# (everything else imports them inside the function that uses them).
HEAVY: dict[str, tuple[str, ...]] = {
    "spacy": ("exportdesk.extract.nlp",),
    "torch": (),
    "transformers": (),
    "sklearn": (),
}
RUN_PACKAGES: tuple[str, ...] = ("extract", "classify", "risk", "review", "ui")


def heavy_top_level_imports(module: str, source: str) -> list[str]:
    """Heavy libraries a module imports at its top level that HEAVY does not allow it."""
    found = []
    for node in _module_level(ast.parse(source).body):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        for name in names:
            root = name.split(".")[0]
            if root in HEAVY and module not in HEAVY[root]:
                found.append(f"{module} imports {name} at module level")
    return found


def _module_level(nodes: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run on import: the module body and the blocks inside it (with, if,
    try), but not function bodies."""
    for node in nodes:
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _module_level([n for n in inner if isinstance(n, ast.stmt)])
            if field == "handlers" and inner:
                for handler in inner:
                    yield from _module_level(handler.body)
