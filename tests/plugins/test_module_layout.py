"""The built-in families keep one layout: each operation alone in a module named for its id,
each family's model catalogue in resources/models/<family>.toml (the design card keeps
catalogues under resources/), so a reader finds an operation or a model entry where its name
says it is."""

from __future__ import annotations

import tomllib
from importlib.resources import files

import pytest

from packshot.core.plugin_host import load_plugins

OPERATIONS = [op for op in load_plugins(disabled=()).operations().values()
              if type(op).__module__.startswith("packshot.plugins.")]


def test_the_builtin_operations_are_found():
    assert {type(op).__module__.split(".")[2] for op in OPERATIONS} == {"colour", "cutout", "enhance", "generate",
                                                                       "repair"}


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
def test_an_operation_lives_alone_in_the_module_named_for_its_id(op):
    """Ids are unique, so a module named for one operation's id holds no other."""
    package = type(op).__module__.rsplit(".", 1)[0]
    assert type(op).__module__ == f"{package}.{op.id.split('.', 1)[1]}"


@pytest.mark.parametrize("family", ["cutout", "enhance", "generate", "repair"])
def test_a_familys_model_catalogue_is_the_resources_file_named_for_it(family):
    catalogue = files("packshot.resources") / "models" / f"{family}.toml"
    shipped = {m["name"] for m in tomllib.loads(catalogue.read_text("utf-8"))["model"]}
    offered = {e["name"] for e in load_plugins(disabled=()).model_catalogue() if e["plugin"] == family}
    assert shipped and offered == shipped
