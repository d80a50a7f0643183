"""The presets plugin: every bundled preset loads, cites a source, and plugins can add more."""

from __future__ import annotations

import re

import pytest

from packshot.core.errors import BadParameter
from packshot.core.export import find_preset, options_from_preset
from packshot.core.hookspecs import hookimpl
from packshot.core.plugin_host import load_plugins
from packshot.core.resources import resource_path

SHOPS = {"amazon-main", "amazon-additional", "shopify", "etsy", "ebay", "google-merchant", "walmart",
         "taobao-tmall", "jd", "web-thumbnail"}


def test_bundled_presets_load_with_sources_and_confidence():
    presets = {p["name"]: p for p in load_plugins().export_presets()}
    assert SHOPS <= set(presets)
    for name in SHOPS:
        preset = presets[name]
        assert preset["plugin"] == "presets" and preset["source"] and preset["confidence"]
        assert preset["title"]
        options_from_preset(preset)
    assert len(list(resource_path("presets").glob("*.toml"))) == len(SHOPS)


_LOCAL_PATH = re.compile(r"(^|[\s(])(/|~|\.\.?/|file:|[A-Za-z]:\\)")


def test_preset_sources_are_public_references_not_local_paths():
    """A source must be something a reader can open: a web address or a named rule, never a
    file on some developer's machine."""
    for preset in load_plugins().export_presets():
        source = str(preset["source"])
        assert not _LOCAL_PATH.search(source), f"{preset['name']}: source cites a local path: {source}"
    assert _LOCAL_PATH.search("/work/shared/ECOMMERCE.md (x)") and _LOCAL_PATH.search("see C:\\rules.txt")
    assert not _LOCAL_PATH.search("https://example.com/a/b (quoting https://x.org/y)")


def test_shop_figures():
    presets = load_plugins().export_presets()
    amazon = options_from_preset(find_preset(presets, "amazon-main"))
    assert amazon.background == (255, 255, 255) and amazon.format == "JPEG" and amazon.colour_space == "sRGB"
    assert max(amazon.width, amazon.height) >= 1000 and amazon.fill >= 0.85
    assert (options_from_preset(find_preset(presets, "shopify")).width,
            options_from_preset(find_preset(presets, "shopify")).height) == (2048, 2048)
    for name in ("taobao-tmall", "jd"):
        o = options_from_preset(find_preset(presets, name))
        assert (o.width, o.height) == (800, 800)
    walmart = find_preset(presets, "walmart")
    assert walmart["check"]["max_bytes"] == 5_000_000 and walmart["check"]["formats"] == ["JPEG", "PNG", "BMP"]


def test_a_plugin_adds_a_preset_through_the_hook():
    class Studio:
        packshot_api_version = "2.0"

        @hookimpl
        def packshot_export_presets(self):
            return [{"name": "studio-square", "title": "Studio square", "source": "house rule",
                     "width": 1000, "height": 1000, "fit": "pad", "format": "PNG"}]

    host = load_plugins()
    host.register(Studio(), "studio")
    preset = find_preset(host.export_presets(), "studio-square")
    assert preset["plugin"] == "studio" and options_from_preset(preset).format == "PNG"
    assert find_preset(host.export_presets(), "amazon-main")


def test_user_preset_folder_overrides_and_broken_files_are_named(tmp_path, monkeypatch):
    folder = tmp_path / "config" / "presets"
    folder.mkdir(parents=True)
    monkeypatch.setenv("PACKSHOT_CONFIG_DIR", str(tmp_path / "config"))
    (folder / "mine.toml").write_text('name = "jd"\ntitle = "My JD"\nsource = "me"\nwidth = 1000\nheight = 1000\n'
                                      'fit = "pad"\n')
    (folder / "broken.toml").write_text('name = "x"\ntitle = "x"\nsource = "x"\nfit = "stretch"\n')
    with pytest.warns(UserWarning, match="broken.toml"):
        presets = load_plugins().export_presets()
    assert find_preset(presets, "jd")["title"] == "My JD"
    with pytest.raises(BadParameter, match="unknown preset 'x'"):
        find_preset(presets, "x")
