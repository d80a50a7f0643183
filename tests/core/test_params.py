"""Parameters: bad values get one clear error naming the parameter and what it allows."""

import pytest

from packshot.core.errors import BadParameter
from packshot.core.params import Bool, Choice, Colour, Float, Int, Numbers, Text, parse_assignments, validate

SPEC = (
    Float("strength", 0.5, minimum=0.0, maximum=2.0, help="how much"),
    Int("radius", 3, minimum=1, maximum=50),
    Choice("method", "auto", choices=("auto", "gray_world")),
    Bool("keep_alpha", True),
    Colour("target", "#ffffff"),
    Text("prompt", ""),
    Numbers("point", (0.0, 0.0), length=2, minimum=0),
)


def test_defaults_fill_in():
    assert validate(SPEC, {}) == {"strength": 0.5, "radius": 3, "method": "auto", "keep_alpha": True,
                                  "target": "#ffffff", "prompt": "", "point": (0.0, 0.0)}


@pytest.mark.parametrize(
    "values, words",
    [
        ({"strength": 3}, r"'strength'.*from 0 to 2"),
        ({"radius": 2.5}, r"'radius'.*whole number"),
        ({"radius": 0}, r"'radius'.*from 1 to 50"),
        ({"method": "magic"}, r"'method'.*one of auto, gray_world"),
        ({"keep_alpha": "maybe"}, r"'keep_alpha'.*true or false"),
        ({"target": "red"}, r"'target'.*#rrggbb"),
        ({"point": [1, 2, 3]}, r"'point'.*2 numbers"),
        ({"strenght": 1}, r"unknown parameter 'strenght'"),
    ],
)
def test_bad_values_name_the_parameter(values, words):
    with pytest.raises(BadParameter, match=words):
        validate(SPEC, values, where="test.op")


def test_command_line_assignments_are_parsed_by_type():
    got = parse_assignments(SPEC, ["strength=1.5", "radius=7", "keep_alpha=no", "target=#FF8800",
                                   "point=10,20"])
    assert got["strength"] == 1.5 and got["radius"] == 7 and got["keep_alpha"] is False
    assert got["target"] == "#ff8800" and got["point"] == (10.0, 20.0)
    with pytest.raises(BadParameter, match="NAME=VALUE"):
        parse_assignments(SPEC, ["strength"])


def test_large_whole_numbers_keep_every_digit():
    seed = Int("seed", 0, minimum=0, maximum=2**63 - 1)
    assert seed.check(2**63 - 1) == 2**63 - 1
    assert seed.parse("9007199254740993") == 2**53 + 1
    assert seed.check(4.0) == 4


@pytest.mark.parametrize("spec, words", [
    ((Float("amount", 1.5),), "'amount': its default 1.5 is outside its own rules (expected from 0 to 1)"),
    ((Int("radius", 3, minimum=10, maximum=1),), "'radius': minimum 10 is above maximum 1"),
    ((Float("gain", 0.5, step=0.0),), "'gain': step 0.0 must be above 0"),
    ((Choice("mode", "a", choices=()),), "'mode': choices must be a list of names"),
    ((Choice("mode", "a", choices="ab"),), "'mode': choices must be a list of names"),
    ((Colour("backdrop", "#fff"),), "'backdrop': its default '#fff' is outside its own rules"),
    ((Numbers("point", (1.0,), length=2),), "'point': its default (1.0,) is outside its own rules"),
    ((Text("code", "", pattern="[a-z]+"),), "'code': its default '' is outside its own rules"),
    ((Text("code", "a", pattern="[a-"),), "'code': checking its default raised error"),
    ((Bool("x", True), Int("x", 1)), "parameter 'x' is declared twice"),
    (("radius",), "'radius' is not a parameter"),
])
def test_a_parameter_list_that_contradicts_itself_is_refused(spec, words):
    from packshot.core.params import check_spec

    with pytest.raises(BadParameter) as caught:
        check_spec(spec)
    assert words in str(caught.value)


def test_every_built_in_parameter_list_passes_its_own_rules():
    from packshot.core.params import check_spec

    check_spec(SPEC)
    from packshot.core.plugin_host import load_plugins

    host = load_plugins(disabled=())
    assert len(host.operations()) >= 30
    assert {i.name: i.error for i in host.plugins() if i.builtin and i.error} == {}
