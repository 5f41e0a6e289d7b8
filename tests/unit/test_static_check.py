"""The integrator's static check finds the ways parallel-written files fail to fit."""

from __future__ import annotations

from agents.static_check import check_project, module_name, public_api


def test_a_consistent_project_has_no_problems() -> None:
    files = {
        "pkg/__init__.py": "from pkg.core import add\n",
        "pkg/core.py": "def add(a: int, b: int = 0) -> int:\n    return a + b\n",
        "pkg/cli.py": (
            "import json\nfrom . import core\nfrom .core import add\n\n"
            "def main():\n    return add(1, b=2) + core.add(1)\n"
        ),
        "README.md": "not python",
    }
    assert check_project(files) == {}


def test_syntax_errors_are_reported_with_their_line() -> None:
    problems = check_project({"a.py": "def f(:\n    pass\n"})

    assert list(problems) == ["a.py"]
    assert "syntax error line 1" in problems["a.py"][0]


def test_missing_module_and_missing_name() -> None:
    files = {
        "shop/models.py": "class Item:\n    pass\n",
        "shop/api.py": "from shop.models import Item, Order\nfrom shop.db import connect\n",
    }
    problems = check_project(files)["shop/api.py"]

    assert any("'Order' from 'shop.models'" in p for p in problems)
    assert any("missing project module 'shop.db'" in p for p in problems)


def test_third_party_and_stdlib_imports_are_not_checked() -> None:
    files = {"app.py": "import os\nimport requests\nfrom collections import Counter\n"}
    assert check_project(files) == {}


def test_call_arity_against_imported_functions_and_classes() -> None:
    files = {
        "lib.py": (
            "def two(a, b):\n    return a + b\n\n"
            "def kw(a, *, flag):\n    return a\n\n"
            "class Box:\n    def __init__(self, size):\n        self.size = size\n"
        ),
        "use.py": (
            "from lib import two, kw, Box\n"
            "two(1)\ntwo(1, 2, 3)\ntwo(1, c=2)\nkw(1)\nBox()\n"
            "two(*[1, 2])\nBox(3)\nkw(1, flag=True)\n"
        ),
    }
    problems = check_project(files)["use.py"]

    assert len(problems) == 5
    assert any("line 2" in p and "missing required argument(s) b" in p for p in problems)
    assert any("line 3" in p and "at most 2 positional" in p for p in problems)
    assert any("line 4" in p and "unexpected keyword argument(s) c" in p for p in problems)
    assert any("line 5" in p and "flag" in p for p in problems)
    assert any("line 6" in p and "size" in p for p in problems)


def test_star_imports_and_module_getattr_are_open_namespaces() -> None:
    files = {
        "a.py": "from b import *\n",
        "b.py": "def __getattr__(name):\n    return name\n",
        "c.py": "from b import anything\n",
    }
    assert check_project(files) == {}


def test_guarded_imports_count_as_definitions() -> None:
    files = {
        "compat.py": "try:\n    import tomllib as toml\nexcept ImportError:\n    toml = None\n",
        "use.py": "from compat import toml\n",
    }
    assert check_project(files) == {}


def test_module_names() -> None:
    assert module_name("pkg/sub/mod.py") == "pkg.sub.mod"
    assert module_name("pkg/__init__.py") == "pkg"
    assert module_name("README.md") is None


def test_public_api_changes_only_with_the_interface() -> None:
    before = "def f(a: int) -> int:\n    return a\n\ndef _helper():\n    pass\n"
    body_changed = "def f(a: int) -> int:\n    return a + 1\n\ndef _other():\n    pass\n"
    signature_changed = "def f(a: int, b: int) -> int:\n    return a + b\n"

    assert public_api(before) == public_api(body_changed)
    assert public_api(before) != public_api(signature_changed)
