"""Every message the app renders as markdown escapes the text it did not write itself.

Streamlit's st.error/info/warning/success/markdown/caption render markdown: a file name,
an exception text or a job error containing ``[click](https://evil)`` would become a live
link. The rule this test enforces on the source: the text handed to those calls is a
literal, or passes through ``plain()``, or is built only from literals and ``plain()``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from exportdesk.ui.pages._common import plain

UI = Path(__file__).resolve().parents[2] / "ui"
RENDERS_MARKDOWN = {"error", "warning", "info", "success", "markdown", "caption", "toast", "write"}


def _safe(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "plain":
        return True
    if (  # "\n".join(<safe> for ...)
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Constant)
        and len(node.args) == 1
        and isinstance(node.args[0], ast.GeneratorExp | ast.ListComp)
    ):
        return _safe(node.args[0].elt)
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(v, ast.Constant) or (isinstance(v, ast.FormattedValue) and _safe(v.value))
            for v in node.values
        )
    if isinstance(node, ast.BinOp):
        return _safe(node.left) and _safe(node.right)
    if isinstance(node, ast.IfExp):
        return _safe(node.body) and _safe(node.orelse)
    if isinstance(node, ast.BoolOp):
        return all(_safe(v) for v in node.values)
    return False


def _unescaped_calls() -> list[str]:
    found = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in RENDERS_MARKDOWN or not node.args:
                continue
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in {"log", "logging", "typer", "err"}:
                continue
            if ast.unparse(owner).startswith(("sys.stdout", "sys.stderr")):
                continue
            if not _safe(node.args[0]):
                found.append(f"{path.relative_to(UI)}:{node.lineno} {ast.unparse(node)[:90]}")
    return found


def test_every_markdown_message_escapes_what_it_did_not_write() -> None:
    assert _unescaped_calls() == []


@pytest.mark.parametrize(
    "hostile",
    [
        "[click to re-verify](https://evil.example/login)",
        "![x](https://evil.example/pixel.png)",
        "<img src=x onerror=alert(1)>",
        "**urgent** `code` # heading",
    ],
)
def test_plain_leaves_no_markdown_syntax_active(hostile: str) -> None:
    shown = plain(hostile)
    for mark in "[]()<>*`#!":
        assert mark not in shown.replace("\\" + mark, "")
