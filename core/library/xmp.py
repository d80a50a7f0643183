"""Ratings, flags and colour labels in XMP sidecars, as Lightroom, darktable and digiKam keep them.

darktable and digiKam name the sidecar ``photo.jpg.xmp``, Lightroom and Capture One
``photo.xmp``; both are read (the first found wins). A rejected picture carries
``xmp:Rating="-1"`` (the convention of Lightroom, Bridge and darktable); a pick is written
as ``xmpDM:good="True"`` (Bridge's pick flag) and read from that or from digiKam's
``PickLabel``. Writing edits the existing sidecar in place, keeping everything else in it.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadInput
from ..output_guard import atomic_write

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpDM": "http://ns.adobe.com/xmp/1.0/DynamicMedia/",
    "digiKam": "http://www.digikam.org/ns/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "darktable": "http://darktable.sf.net/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
    "crs": "http://ns.adobe.com/camera-raw-settings/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

FLAGS = ("", "pick", "reject")
LABELS = ("", "Red", "Yellow", "Green", "Blue", "Purple")
_EMPTY = (f'<x:xmpmeta xmlns:x="{NS["x"]}"><rdf:RDF xmlns:rdf="{NS["rdf"]}">'
          '<rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta>')


@dataclass(frozen=True)
class XmpMarks:
    """Marks from a sidecar; ``notes`` say which of its values were unreadable and left out."""

    rating: int = 0
    flag: str = ""
    label: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def sidecar_candidates(image: str | Path) -> list[Path]:
    """``photo.jpg.xmp`` (darktable, digiKam) then ``photo.xmp`` (Lightroom, Capture One)."""
    p = Path(image)
    return [p.with_name(p.name + ".xmp"), p.with_suffix(".xmp")]


def find_sidecar(image: str | Path) -> Path | None:
    return next((c for c in sidecar_candidates(image) if c.is_file()), None)


def _parse(path: Path) -> ET.ElementTree[ET.Element]:
    try:
        return ET.parse(path)
    except (ET.ParseError, OSError) as exc:
        raise BadInput(f"{path.name}: unreadable XMP sidecar ({exc})") from exc


def _value(desc: ET.Element, prefix: str, name: str) -> str | None:
    key = _q(prefix, name)
    if key in desc.attrib:
        return desc.attrib[key]
    child = desc.find(key)
    return child.text.strip() if child is not None and child.text else None


def read_marks(image: str | Path) -> XmpMarks | None:
    """The rating, flag and label in the image's sidecar, or None when it has none."""
    path = find_sidecar(image)
    if path is None:
        return None
    rating, flag, label = 0, "", ""
    notes: list[str] = []
    for desc in _parse(path).getroot().iter(_q("rdf", "Description")):
        raw = _value(desc, "xmp", "Rating")
        value = _rating(raw) if raw is not None else None
        if raw is not None and value is None:
            notes.append(f"{path.name}: xmp:Rating {raw[:40]!r} is not a number; left out")
        if value is not None:
            if value < 0:
                flag = "reject"
            rating = min(max(value, 0), 5)
        good = _value(desc, "xmpDM", "good")
        if good is not None and not flag:
            flag = "pick" if good.lower() == "true" else "reject"
        pick = _value(desc, "digiKam", "PickLabel")
        if pick in ("1", "3") and not flag:
            flag = "reject" if pick == "1" else "pick"
        raw_label = _value(desc, "xmp", "Label")
        if raw_label:
            label = raw_label.strip().title()
    return XmpMarks(rating, flag, label if label in LABELS else "", tuple(notes))


def _rating(raw: str) -> int | None:
    """A rating as written ("3", "3.0", "-1"); None for what is not a finite number ("inf", "five")."""
    try:
        value = float(raw)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) else None


def write_marks(image: str | Path, marks: XmpMarks) -> Path:
    """Write rating, flag and label into the image's sidecar (created as ``photo.jpg.xmp``)."""
    if not 0 <= marks.rating <= 5 or marks.flag not in FLAGS or marks.label not in LABELS:
        raise BadInput(f"XMP marks out of range: {marks}")
    path = find_sidecar(image) or sidecar_candidates(image)[0]
    tree: ET.ElementTree[ET.Element] = _parse(path) if path.exists() else ET.ElementTree(ET.fromstring(_EMPTY))
    descs = list(tree.getroot().iter(_q("rdf", "Description")))
    if not descs:
        raise BadInput(f"{path.name}: XMP sidecar has no rdf:Description to write into")
    for desc in descs:
        for prefix, name in (("xmp", "Rating"), ("xmp", "Label"), ("xmpDM", "good"), ("digiKam", "PickLabel")):
            desc.attrib.pop(_q(prefix, name), None)
            for child in desc.findall(_q(prefix, name)):
                desc.remove(child)
    desc = descs[0]
    desc.set(_q("xmp", "Rating"), "-1" if marks.flag == "reject" else str(marks.rating))
    if marks.label:
        desc.set(_q("xmp", "Label"), marks.label)
    if marks.flag:
        desc.set(_q("xmpDM", "good"), "True" if marks.flag == "pick" else "False")
        desc.set(_q("digiKam", "PickLabel"), "3" if marks.flag == "pick" else "1")
    data = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + \
        ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=False) + b'\n<?xpacket end="w"?>\n'
    return atomic_write(path, lambda fh: fh.write(data))
