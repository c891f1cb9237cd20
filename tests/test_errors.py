"""One exception root: every error class exportdesk defines descends from ExportdeskError,
and the CLI turns any of them into its message on stderr and exit status 1."""

from __future__ import annotations

import importlib
import inspect

import layering
import pytest

from exportdesk.extract.errors import ExportdeskError

# Streamlit scripts run on import; Alembic migrations need a migration context.
NOT_IMPORTABLE = ("exportdesk.ui.pages", "exportdesk.ui.app", "migrations")


def defined_exceptions() -> list[type[BaseException]]:
    found = []
    for package in layering.installed_packages():
        for module, _source, _pkg in layering.package_modules(package):
            if any(part in module for part in NOT_IMPORTABLE):
                continue
            loaded = importlib.import_module(module)
            for _name, obj in inspect.getmembers(loaded, inspect.isclass):
                if issubclass(obj, BaseException) and obj.__module__ == module:
                    found.append(obj)
    return found


def test_every_exception_class_descends_from_the_root() -> None:
    found = defined_exceptions()
    assert len(found) >= 10  # the walk saw the real modules
    strays = [
        f"{c.__module__}.{c.__qualname__}" for c in found if not issubclass(c, ExportdeskError)
    ]
    assert strays == [], "derive these from ExportdeskError (or its layer's sub-class)"


def test_cli_shows_a_deliberate_error_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from exportdesk.classify.catalogue import ClassifyError
    from exportdesk.ui import cli

    def refuse() -> None:
        raise ClassifyError("unknown catalogue 'x'; choose from eu-dual-use")

    monkeypatch.setattr(cli, "app", refuse)
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 1
    assert "error: unknown catalogue 'x'; choose from eu-dual-use" in capsys.readouterr().err
