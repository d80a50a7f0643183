"""Packshot's PySide6 editor. The only package that imports Qt.

``document`` holds the editing state without Qt (testable with no screen, as napari
keeps its layers apart from their views); the widgets only show and change it.
"""
