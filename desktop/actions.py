"""Every command of the window, declared once as data: the menus, the toolbar and the F1 list read it.

An :class:`Action` names its id, title, keys, menu and handler (called with the window).
To add a command, add one entry to :data:`ACTIONS` (a new ``group`` number starts a
new section of its menu, with a separator); :func:`install_actions` makes the QActions
and :class:`packshot.desktop.shortcuts.ShortcutsDialog` lists the keys. Ratings and
flags follow Lightroom; zoom follows Lightroom's Z and Photoshop's Ctrl+1 / Ctrl+0
(plain 1 is one star, as in Lightroom).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from .main_window import MainWindow

MENUS = ("&File", "&Edit", "&View", "&Photo", "&Mask", "&Tools", "&Help")
LABEL_KEYS = {"6": "Red", "7": "Yellow", "8": "Green", "9": "Blue"}


@dataclass(frozen=True)
class Action:
    """One command. ``scope="canvas"`` keys work only while the canvas has the focus (arrow keys)."""

    id: str
    title: str
    handler: Callable[[MainWindow], Any]
    keys: tuple[str, ...] = ()
    menu: str = ""
    group: int = 0
    help: str = ""  # the F1 list's words; the title when empty
    scope: str = "window"
    toolbar: bool = False

    @property
    def description(self) -> str:
        return self.help or self.title.replace("&", "").rstrip(".")


def _rate(n: int) -> Action:
    return Action(f"photo.rate{n}", "Clear Rating" if n == 0 else f"Rate {'★' * n}", lambda w: w.mark(rating=n),
                  (str(n),), "&Photo", 0,
                  "Clear the selected pictures' rating" if n == 0 else f"Rate the selected pictures {n} star"
                  + ("s" if n > 1 else ""))


def _label(key: str, label: str) -> Action:
    return Action(f"photo.label_{label.lower()}", f"{label} Label", lambda w: w.mark(label=label), (key,),
                  "&Photo", 2, f"{label} label on the selected pictures (again to remove)")


ACTIONS: tuple[Action, ...] = (
    Action("file.open_folder", "Open &Folder...", lambda w: w.choose_folder(), ("Ctrl+O",), "&File",
           help="Open a folder", toolbar=True),
    Action("file.open_images", "Open &Images...", lambda w: w.choose_files(), ("Ctrl+Shift+O",), "&File",
           help="Open image files"),
    Action("file.open_samples", "Open &Sample Photos", lambda w: w.open_samples(), (), "&File"),
    Action("file.export", "&Export...", lambda w: w.show_export(), ("Ctrl+E",), "&File", 1,
           "Export the current picture", toolbar=True),
    Action("file.export_selection", "Export &Selection...", lambda w: w.show_export_selection(), ("Ctrl+Shift+E",),
           "&File", 1, "Export the selected pictures, each with its saved edits"),
    Action("file.quit", "&Quit", lambda w: w.close(), ("Ctrl+Q",), "&File", 2),
    Action("edit.undo", "&Undo", lambda w: w.undo(), ("Ctrl+Z",), "&Edit", toolbar=True),
    Action("edit.redo", "&Redo", lambda w: w.redo(), ("Ctrl+Shift+Z", "Ctrl+Y"), "&Edit", toolbar=True),
    Action("edit.select_all", "Select &All Pictures", lambda w: w.library.select_all(), ("Ctrl+A",), "&Edit", 1,
           "Select all pictures in the library"),
    Action("edit.run", "Run Operation", lambda w: w.operations.request_run(), ("Ctrl+Return",), "&Edit", 2,
           "Run the chosen operation"),
    Action("edit.cancel", "Cancel Operation", lambda w: w.cancel(), ("Esc",), "&Edit", 2,
           "Cancel the running operation"),
    Action("edit.copy_settings", "&Copy Settings...", lambda w: w.copy_settings(), ("Ctrl+Shift+C",), "&Edit", 4,
           "Copy the open picture's edits (choose which)"),
    Action("edit.paste_settings", "&Paste Settings", lambda w: w.paste_settings(), ("Ctrl+Shift+V",), "&Edit", 4,
           "Paste the copied edits onto the selected pictures"),
    Action("edit.sync_settings", "S&ync Settings...", lambda w: w.sync_settings(), ("Ctrl+Shift+S",), "&Edit", 4,
           "Give the selected pictures the open picture's edits (choose which)"),
    Action("edit.save_preset", "Save Edits as Pr&eset...", lambda w: w.save_edits_preset(), (), "&Edit", 5,
           "Save the open picture's edits as a named preset"),
    Action("edit.apply_preset", "Apply Preset to Se&lection...", lambda w: w.apply_edits_preset(), (), "&Edit", 5,
           "Add a named preset's edits to the selected pictures"),
    Action("edit.settings", "&Settings...", lambda w: w.show_settings(), ("Ctrl+,",), "&Edit", 6),
    Action("view.fit", "&Fit to Window", lambda w: w.canvas.fit(), ("Ctrl+0",), "&View", toolbar=True),
    Action("view.actual", "&100 %", lambda w: w.canvas.actual_pixels(), ("Ctrl+1",), "&View",
           help="100 % (actual pixels)", toolbar=True),
    Action("view.toggle_zoom", "Toggle Fit / 100 %", lambda w: w.canvas.toggle_zoom(), ("Z",), "&View"),
    Action("view.clipping", "Show &Clipping", lambda w: w.toggle_clipping(), ("J",), "&View",
           help="Show or hide clipped highlights (red) and shadows (blue)"),
    Action("view.split", "Before/After &Split", lambda w: w.split_box.toggle(), ("Y",), "&View",
           help="Toggle the before/after split"),
    *(_rate(n) for n in range(6)),
    Action("photo.pick", "Flag as &Pick", lambda w: w.mark(flag="pick"), ("P",), "&Photo", 1,
           "Pick the selected pictures"),
    Action("photo.reject", "Flag as Re&ject", lambda w: w.mark(flag="reject"), ("X",), "&Photo", 1,
           "Reject the selected pictures"),
    Action("photo.unflag", "&Unflag", lambda w: w.mark(flag=""), ("U",), "&Photo", 1, "Unflag the selected pictures"),
    *(_label(key, label) for key, label in LABEL_KEYS.items()),
    Action("photo.previous", "Previous Picture", lambda w: w.library.move(-1), ("Left", "Up"), "&Photo", 3,
           scope="canvas"),
    Action("photo.next", "Next Picture", lambda w: w.library.move(1), ("Right", "Down"), "&Photo", 3,
           scope="canvas"),
    Action("photo.learn_look", "&Learn Look from Selection...", lambda w: _learn_look(w), (), "&Photo", 4,
           "Learn a look from the selected pictures' saved edits (then: Colour > Apply learned look)"),
    Action("mask.hand", "Hand", lambda w: w.mask_tools.set_tool("hand"), ("H",), "&Mask", help="Hand (pan)"),
    Action("mask.brush", "Brush", lambda w: w.mask_tools.set_tool("brush"), ("B",), "&Mask", help="Mask brush"),
    Action("mask.eraser", "Eraser", lambda w: w.mask_tools.set_tool("eraser"), ("E",), "&Mask", help="Mask eraser"),
    Action("mask.heal", "Spot Heal", lambda w: w.mask_tools.set_tool("heal"), ("Q",), "&Mask",
           help="Spot heal: click a dust spot to heal it"),
    Action("mask.smaller", "Smaller Brush", lambda w: w.mask_tools.grow(1 / 1.25), ("[",), "&Mask"),
    Action("mask.larger", "Larger Brush", lambda w: w.mask_tools.grow(1.25), ("]",), "&Mask"),
    Action("mask.overlay", "Show/Hide Mask Overlay", lambda w: w.toggle_mask_overlay(), ("M",), "&Mask",
           help="Show or hide the mask over the picture"),
    Action("mask.clear", "Clear Mask", lambda w: w.clear_mask(), (), "&Mask", 1),
    Action("mask.invert", "Invert Mask", lambda w: w.invert_mask(), (), "&Mask", 1),
    Action("mask.use_result", "Use Result Mask", lambda w: w.use_result_mask(), (), "&Mask", 1),
    Action("tools.plugins", "&Plugins...", lambda w: w.show_plugins(), (), "&Tools"),
    Action("tools.models", "&Models...", lambda w: w.show_models(), (), "&Tools"),
    Action("help.shortcuts", "&Keyboard Shortcuts", lambda w: w.show_shortcuts(), ("F1", "?"), "&Help",
           help="This list", toolbar=True),
)

# What the F1 list adds to the actions' keys: mouse gestures and held keys, which are not commands.
GESTURES: tuple[tuple[str, str], ...] = (
    ("Ctrl+click / Shift+click", "Add a picture to the selection / select a range"),
    ("Mouse wheel", "Zoom around the cursor"),
    ("Drag, or Space + drag", "Pan"),
    ("\\ (hold)", "Show the original (before)"),
)

# The toolbar, in order; None is a separator.
TOOLBAR: tuple[str | None, ...] = ("file.open_folder", "file.export", None, "edit.undo", "edit.redo", None,
                                   "view.fit", "view.actual", None, "help.shortcuts")


def _learn_look(window: MainWindow) -> Any:
    from .learn_look import learn_from_selection

    return learn_from_selection(window)


def keys_text(action: Action) -> str:
    return " / ".join(action.keys)


def action_keys(action_id: str) -> str:
    """The keys of the action ``action_id``, as the F1 list shows them (for hints in messages)."""
    return keys_text(next(a for a in ACTIONS if a.id == action_id))


def install_actions(window: MainWindow) -> dict[str, QAction]:
    """Make a QAction per :data:`ACTIONS` entry, in the window's menus, bound to its keys.

    Each handler runs through ``window.guard`` so a failure becomes a message. Returns the
    QActions by id (the window enables Undo and Redo through them; the View menu gets the
    docks' toggles after them).
    """
    menus = {title: window.menuBar().addMenu(title) for title in MENUS}
    last_group: dict[str, int] = {}
    made: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.title, window)
        action.setObjectName(spec.id)
        if spec.keys:
            action.setShortcuts([QKeySequence(k) for k in spec.keys])
        if spec.scope == "canvas":
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            window.canvas.addAction(action)
        else:
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            window.addAction(action)
        action.triggered.connect(lambda _=False, spec=spec: window.guard(spec.handler, window))
        if spec.menu:
            menu = menus[spec.menu]
            if spec.menu in last_group and last_group[spec.menu] != spec.group:
                menu.addSeparator()
            last_group[spec.menu] = spec.group
            menu.addAction(action)
        made[spec.id] = action
    return made


def menu(window: MainWindow, title: str) -> Any:
    """One of the window's menus by its title (as in :data:`MENUS`)."""
    return next(a.menu() for a in window.menuBar().actions() if a.text() == title)
