"""Cold start: a re-exporting package's __init__ deferred (microwish.lazy_packages), microwish.repository lazy.

An API function imports Powertools' HTTP resolver without the other resolvers (AppSync and its asyncio, Bedrock,
...) and their event classes; `from microwish.repository import WishRepository` without every other store.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import microwish.repository as repository
from microwish.lazy_packages import defer_init, re_exports

SHARED = Path(__file__).resolve().parents[2] / "shared"


def loaded_after(code: str, *prefixes: str) -> list[str]:
    """The modules starting with one of `prefixes` that a fresh interpreter has loaded after running `code`."""
    script = f"import sys\n{code}\nprint(','.join(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=SHARED, capture_output=True, text=True, check=True, timeout=120
    )
    return [name for name in done.stdout.strip().split(",") if name]


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package `lazypkg` whose __init__ re-exports from two submodules, each recording that it ran."""
    root = tmp_path / "lazypkg"
    root.mkdir()
    (root / "__init__.py").write_text(
        '"""Doc."""\n'
        "from .first import One\n"
        "from lazypkg.second import Two as Deux, helper\n"
        '__all__ = ["One", "Deux", "helper"]\n'
    )
    (root / "first.py").write_text("import sys\nsys.modules['lazypkg.ran'].append('first')\nclass One: ...\n")
    (root / "second.py").write_text(
        "import sys\nsys.modules['lazypkg.ran'].append('second')\nclass Two: ...\ndef helper(): return 2\n"
    )
    (root / "third.py").write_text("VALUE = 3\n")
    ran: list[str] = []
    monkeypatch.setitem(sys.modules, "lazypkg.ran", ran)  # type: ignore[arg-type]
    monkeypatch.syspath_prepend(str(tmp_path))
    yield ran
    for name in [name for name in sys.modules if name == "lazypkg" or name.startswith("lazypkg.")]:
        del sys.modules[name]


def test_a_deferred_package_loads_a_submodule_only_for_its_names(package) -> None:
    ran = package
    assert defer_init("lazypkg") is True
    import lazypkg  # type: ignore[import-not-found]
    from lazypkg.third import VALUE  # type: ignore[import-not-found]

    assert VALUE == 3 and ran == []  # a submodule imports without the __init__'s re-exports
    assert lazypkg.Deux.__name__ == "Two" and ran == ["second"]  # `as` names resolve to the original
    from lazypkg import One  # type: ignore[import-not-found]

    assert One is importlib.import_module("lazypkg.first").One and ran == ["second", "first"]
    assert lazypkg.helper() == 2 and ran == ["second", "first"]  # each submodule once
    from lazypkg import third  # type: ignore[import-not-found]  # a submodule by `from package import`

    assert third.VALUE == 3
    with pytest.raises(AttributeError, match="Nothing"):
        _ = lazypkg.Nothing
    namespace: dict[str, object] = {}
    exec("from lazypkg import *", namespace)
    assert {"One", "Deux", "helper"} <= set(namespace)
    assert defer_init("lazypkg") is False  # imported already: left as it is


def test_an_init_that_does_more_than_re_export_is_not_deferred(package, tmp_path) -> None:
    (tmp_path / "lazypkg" / "__init__.py").write_text("from .first import One\nSETTING = 1\n")
    assert defer_init("lazypkg") is False
    assert "lazypkg" not in sys.modules


@pytest.mark.parametrize(
    "source",
    [
        "from .first import One\nprint('hello')\n",  # a statement with effects
        "from os import path\n",  # a name from outside the package
        "from .first import *\n",  # names unknown until it runs
        "__all__ = make_names()\n",  # not a literal
    ],
)
def test_re_exports_refuses_anything_but_re_exports(source: str) -> None:
    assert re_exports("lazypkg", source) is None


def test_re_exports_of_powertools_http_resolver_packages() -> None:
    for name in ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes"):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        parsed = re_exports(name, Path(spec.origin).read_text(encoding="utf-8"))
        assert parsed is not None, f"{name}'s __init__ is no longer deferrable: cold starts grow (README)"


def test_an_api_function_imports_only_the_http_resolver() -> None:
    loaded = loaded_after(
        "import microwish.api.app\n"
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response\n"
        "from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver as Same\n"
        "assert APIGatewayHttpResolver is Same",
        "asyncio",
        "aws_lambda_powertools.event_handler.",
        "aws_lambda_powertools.utilities.data_classes.",
    )
    assert "aws_lambda_powertools.event_handler.api_gateway" in loaded
    assert not [name for name in loaded if name.startswith("asyncio")]
    for other in ("appsync", "bedrock_agent", "vpc_lattice", "events_appsync", "graphql_appsync"):
        assert f"aws_lambda_powertools.event_handler.{other}" not in loaded
    event_classes = {name.rpartition(".")[2] for name in loaded if ".data_classes." in name}
    assert "api_gateway_proxy_event" in event_classes
    assert not event_classes & {"kafka_event", "s3_event", "ses_event", "sqs_event", "kinesis_stream_event"}


def test_every_repository_name_resolves_to_its_defining_module() -> None:
    for name in repository.__all__:
        module_name = repository._MODULE_OF.get(name)
        if module_name is not None:
            module = importlib.import_module(f"microwish.repository.{module_name}")
            assert getattr(repository, name) is getattr(module, name), name
        else:
            assert getattr(repository, name) is not None, name
    assert set(repository._MODULE_OF) <= set(repository.__all__) <= set(dir(repository))
    with pytest.raises(AttributeError, match="NoSuchStore"):
        _ = repository.NoSuchStore


def test_the_wish_repository_leaves_the_other_stores_unloaded() -> None:
    loaded = loaded_after("from microwish.repository import WishRepository", "microwish.repository.")
    for store in ("activities", "chat", "donors", "inbox", "stats", "units", "volunteers"):
        assert f"microwish.repository.{store}" not in loaded
    assert "microwish.repository.wishes" in loaded
    loaded = loaded_after(
        "from microwish.repository import WishRepository\n"
        "from microwish.repository.stats import StatsStore\n"
        "assert type(WishRepository('t', client=object()).stats) is StatsStore",
        "microwish.repository.",
    )
    assert "microwish.repository.stats" in loaded
