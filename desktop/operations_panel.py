"""The operations panel: every loaded operation grouped by family, its form, Run and Cancel.

Families come from the operations themselves, so a plugin's new family gets its own
group. Each operation shows which tier it uses (built-in or model) and what to install
for the better one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from packshot.core.errors import PackshotError
from packshot.core.operation import Operation

from .mask_tools import coverage_text
from .typing_focus import is_character
from .wheel_guard import wheel_only_when_focused

if TYPE_CHECKING:
    from .param_form import ParamForm


FAMILY_TITLES = {"generate": "Generate", "repair": "Repair", "enhance": "Enhance", "colour": "Colour",
                 "cutout": "Cut-out", "other": "Other"}
FAMILY_ORDER = list(FAMILY_TITLES)
OpRole = Qt.ItemDataRole.UserRole + 2


def family_title(family: str) -> str:
    return FAMILY_TITLES.get(family, family.replace("_", " ").replace("-", " ").capitalize())


def op_title(op: Operation) -> str:
    """What the window calls an operation: its title, else its id."""
    return op.title or op.id


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [cast(QTreeWidgetItem, item.child(j)) for j in range(item.childCount())]


class OperationsPanel(QWidget):
    """Pick an operation, set its parameters, run it on the open picture.

    ``missing_models(op)`` names the model files a model-tier operation lacks, so the
    panel can say so before the person presses Run.

    ``runRequested(op_id, params, seed, prompt, reference)`` carries checked values
    (``prompt`` and ``reference`` are None when the operation does not take them).
    """

    runRequested = Signal(str, dict, int, object, object)
    pickRequested = Signal(str)  # the form wants a point clicked on the picture for this parameter
    cancelRequested = Signal()
    error = Signal(str)

    def __init__(self, missing_models: Callable[[Operation], list[str]] = lambda op: [],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.missing_models = missing_models
        self.operations: dict[str, Operation] = {}
        self.op: Operation | None = None
        self.form: ParamForm | None = None
        self._mask: np.ndarray | None = None
        self.aspect_shapes: list[tuple[str, float]] = []  # named crop shapes (desktop.aspect_presets)
        self.tree = QTreeWidget()
        self.tree.setObjectName("operations")
        self.tree.setHeaderHidden(True)
        self.tree.currentItemChanged.connect(self._item_changed)
        self.tree.installEventFilter(self)
        self.search = QLineEdit()
        self.search.setObjectName("operationSearch")
        self.search.setPlaceholderText("Search operations")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._choose_first_shown)
        self.detail = QWidget()
        self.detail_layout = QVBoxLayout(self.detail)
        self.detail_layout.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel("Choose an operation")
        self.title.setObjectName("opTitle")
        self.title.setWordWrap(True)
        self.badge = QLabel("")
        self.badge.setObjectName("tierBadge")
        self.description = QLabel("")
        self.description.setWordWrap(True)
        self.hint = QLabel("")
        self.hint.setObjectName("installHint")
        self.hint.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        for w in (self.description, self.hint):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form_holder = QVBoxLayout()
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("Describe what to generate...")
        self.prompt.setFixedHeight(64)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("Reference image file")
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._browse_reference)
        self.reference_row = QWidget()
        ref_layout = QHBoxLayout(self.reference_row)
        ref_layout.setContentsMargins(0, 0, 0, 0)
        ref_layout.addWidget(self.reference, 1)
        ref_layout.addWidget(browse)
        self.mask_note = QLabel("")
        self.mask_note.setWordWrap(True)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed: the same seed gives the same result")
        wheel_only_when_focused(self.seed)
        dice = QPushButton("Random")
        dice.setToolTip("A new random seed")
        dice.clicked.connect(lambda: self.seed.setValue(random.randrange(0, 2**31 - 1)))
        self.seed_row = QWidget()
        seed_layout = QHBoxLayout(self.seed_row)
        seed_layout.setContentsMargins(0, 0, 0, 0)
        seed_layout.addWidget(QLabel("Seed"))
        seed_layout.addWidget(self.seed, 1)
        seed_layout.addWidget(dice)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runButton")
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.request_run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancelRequested.emit)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.new_step = QCheckBox("New step")
        self.new_step.setObjectName("newStep")
        self.new_step.setToolTip("Run adds a new step even when the last step runs this operation "
                                 "(Shift+Run does too); otherwise Run changes that step")
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.new_step)
        buttons.addWidget(self.cancel_button)
        d = self.detail_layout
        d.addLayout(head)
        d.addWidget(self.description)
        d.addWidget(self.hint)
        d.addLayout(self.form_holder)
        self.prompt_label = QLabel("Prompt")
        d.addWidget(self.prompt_label)
        d.addWidget(self.prompt)
        d.addWidget(self.reference_row)
        d.addWidget(self.mask_note)
        d.addWidget(self.seed_row)
        d.addLayout(buttons)
        d.addWidget(self.progress)
        d.addWidget(self.status)
        d.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # wrap, never scroll sideways
        scroll.setWidget(self.detail)
        chooser = QWidget()
        chooser_layout = QVBoxLayout(chooser)
        chooser_layout.setContentsMargins(4, 4, 4, 0)
        chooser_layout.setSpacing(4)
        chooser_layout.addWidget(self.search)
        chooser_layout.addWidget(self.tree, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(chooser)
        split.addWidget(scroll)
        split.setSizes([200, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._show_inputs(None)

    # ------------------------------------------------------------------ content

    def set_operations(self, operations: dict[str, Operation]) -> None:
        self.operations = dict(operations)
        self.tree.clear()
        families = sorted({op.family for op in self.operations.values()},
                          key=lambda f: (FAMILY_ORDER.index(f) if f in FAMILY_ORDER else len(FAMILY_ORDER), f))
        for family in families:
            group = QTreeWidgetItem([family_title(family)])
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            ops = sorted((o for o in self.operations.values() if o.family == family), key=op_title)
            for op in ops:
                item = QTreeWidgetItem([op_title(op)])
                item.setData(0, OpRole, op.id)
                item.setToolTip(0, f"{op.id} ({op.tier})\n{op.description}".strip())
                group.addChild(item)
            group.setExpanded(True)
        self.filter(self.search.text())
        if self.op is not None and self.op.id in self.operations:
            self.select(self.op.id)
        else:
            self.op = None
            self._show(None)

    def filter(self, text: str) -> None:
        """Show the operations whose title, id or description holds every typed word; hide empty families."""
        words = text.lower().split()
        for group in self._groups():
            shown = 0
            for item in _children(group):
                op = self.operations[item.data(0, OpRole)]
                haystack = f"{op_title(op)} {op.id} {op.description}".lower()
                hide = not all(w in haystack for w in words)
                item.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)

    def shown_ids(self) -> list[str]:
        """The operations the search leaves in the list, in list order."""
        return [item.data(0, OpRole) for group in self._groups() for item in _children(group) if not item.isHidden()]

    def _choose_first_shown(self) -> None:
        shown = self.shown_ids()
        if shown:
            self.select(shown[0])
            self.tree.setFocus()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Characters typed in the list go to the search box, which filters it as one types."""
        if obj is self.tree and event.type() == QEvent.Type.KeyPress and is_character(event):
            self.search.setFocus()
            self.search.insert(cast(QKeyEvent, event).text())
            return True
        return super().eventFilter(obj, event)

    def _groups(self) -> list[QTreeWidgetItem]:
        """The family rows, each holding its operations' rows."""
        return [cast(QTreeWidgetItem, self.tree.topLevelItem(i)) for i in range(self.tree.topLevelItemCount())]

    def select(self, op_id: str) -> None:
        for group in self._groups():
            for item in _children(group):
                if item.data(0, OpRole) == op_id:
                    self.tree.setCurrentItem(item)
                    return

    def _item_changed(self, item: QTreeWidgetItem | None, _previous) -> None:
        op_id = item.data(0, OpRole) if item is not None else None
        self._show(self.operations.get(op_id) if op_id else None)

    def _show(self, op: Operation | None) -> None:
        self.op = op
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
            self.form = None
        if op is None:
            self.title.setText("Choose an operation")
            self.badge.setText("")
            self.description.setText("Pick an operation from the list above.")
            self.hint.setText("")
            self._show_inputs(None)
            self.run_button.setEnabled(False)
            return
        self.title.setText(op_title(op))
        self.badge.setText("model" if op.tier == "model" else "built-in")
        self.badge.setProperty("tier", op.tier)
        self.badge.style().unpolish(self.badge)
        self.badge.style().polish(self.badge)
        self.badge.setToolTip("Uses installed model weights" if op.tier == "model"
                              else "Works out of the box, no download")
        self.description.setText(op.description)
        missing = self.missing_models(op) if op.tier == "model" else []
        if missing:
            self.badge.setText("model: not installed")
            hint = f"Needs {', '.join(missing)} (Tools > Models). {op.install_hint}".strip()
        else:
            hint = f"Better results: {op.install_hint}" if op.install_hint and op.tier != "model" else ""
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        from .param_form import ParamForm  # superqt loads on first use, not at start-up

        self.form = ParamForm(op.params, shapes=self.aspect_shapes)
        self.form.setObjectName("paramForm")
        self.form.pickRequested.connect(self.pickRequested.emit)
        self.form_holder.addWidget(self.form)
        self._show_inputs(op)
        self.run_button.setEnabled(not self.cancel_button.isVisible())

    def _show_inputs(self, op: Operation | None) -> None:
        inputs = op.inputs if op is not None else frozenset()
        self.prompt.setVisible("prompt" in inputs)
        self.prompt_label.setVisible("prompt" in inputs)
        self.reference_row.setVisible("reference" in inputs)
        self.mask_note.setVisible("mask" in inputs)
        if op is not None and "mask" in inputs:
            if self._mask is not None:
                self.mask_note.setText(f"Uses the painted mask ({coverage_text(self._mask)} of the picture).")
            else:
                self.mask_note.setText("Needs a mask: paint one with the brush (B)." if op.mask_required
                                       else "Uses the painted mask when there is one.")
        self.seed_row.setVisible(self._takes_seed(op))

    @staticmethod
    def _takes_seed(op: Operation | None) -> bool:
        """Only an operation that declares randomness gets the Seed field (unless a parameter is its seed)."""
        return op is not None and op.uses_seed and not any(p.name == "seed" for p in op.params)

    def set_mask(self, mask: np.ndarray | None) -> None:
        """The open picture's painted mask (None: none): the mask note says whether one is there."""
        self._mask = mask
        self._show_inputs(self.op)

    def _browse_reference(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Reference image", "",
                                              "Images (*.jpg *.jpeg *.png *.tif *.tiff *.webp)")
        if path:
            self.reference.setText(path)

    # ------------------------------------------------------------------ running

    def request_run(self) -> None:
        """Ask the window to run the chosen operation with the form's values (Run, Ctrl+Return)."""
        if self.op is None or self.form is None:
            return
        try:
            params = self.form.values()
        except PackshotError as exc:
            self.error.emit(str(exc))
            return
        prompt = self.prompt.toPlainText() if "prompt" in self.op.inputs else None
        ref = self.reference.text().strip() if "reference" in self.op.inputs else ""
        seed = self.seed.value() if self._takes_seed(self.op) else 0
        self.runRequested.emit(self.op.id, params, seed, prompt, Path(ref) if ref else None)

    def wants_new_step(self) -> bool:
        """Whether a Run now should add a step: "New step" ticked, or Shift held."""
        shift = bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)
        return self.new_step.isChecked() or shift

    def set_running(self, running: bool, message: str = "") -> None:
        self.run_button.setEnabled(not running and self.op is not None)
        self.cancel_button.setVisible(running)
        self.progress.setVisible(running)
        self.progress.setValue(0)
        self.status.setText(message)

    def set_progress(self, fraction: float, message: str = "") -> None:
        self.progress.setValue(int(fraction * 1000))
        if message:
            self.status.setText(message)
