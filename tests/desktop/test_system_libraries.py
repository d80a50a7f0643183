"""A missing system library is named, with its package, before Qt aborts the process."""

from packshot.desktop import app
from packshot.desktop.system_libraries import XCB_LIBRARIES, missing_xcb_libraries


def test_every_missing_library_is_named_with_its_package(monkeypatch, capsys):
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    monkeypatch.setattr("packshot.desktop.system_libraries._loads", lambda soname: soname not in absent)
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert app.main([]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "libxcb-icccm.so.4" in err and "libxcb-keysyms.so.1" in err
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in err


def test_nothing_is_reported_where_everything_loads_and_all_where_nothing_does():
    assert missing_xcb_libraries(lambda soname: True) == {}
    assert missing_xcb_libraries(lambda soname: False) == XCB_LIBRARIES
