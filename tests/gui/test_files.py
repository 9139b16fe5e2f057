"""Files and the rest: unsaved-changes prompt, autosave and recovery, export, themes, panels."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gui.app import MainWindow
from twin.examples import layouts_dir
from twin.files import load_layout

Button = QtWidgets.QMessageBox.StandardButton


def test_unsaved_changes_prompt_can_cancel_save_or_discard(window, tmp_path):
    asked = []
    window.files.ask = lambda title, text, buttons: asked.append(text) or Button.Cancel
    window.editor.place("junction", 1.0, 1.0)
    assert not window.files.new()
    assert asked and "Save the changes to the new hall?" in asked[0]
    assert window.document.layout.junctions
    path = tmp_path / "kept.json"
    window.files.ask = lambda *_: Button.Save
    window.files._ask_save_as = lambda: window.files.save_as(str(path))
    assert window.files.new()
    assert [j.id for j in load_layout(path).junctions] == ["J1"]
    window.editor.place("junction", 1.0, 1.0)
    window.files.ask = lambda *_: Button.Discard
    assert window.files.open_path(str(path))
    assert not window.isWindowModified()


def test_autosave_then_recovery_after_a_crash(window, qtbot, tmp_path):
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    assert not window.files.autosave_now(), "nothing unsaved, nothing written"
    window.editor.place("junction", 0.5, 0.5)
    assert window.files.autosave_now()
    edited = window.document.layout
    # A second session finds the autosave the first one (which "crashed") left behind.
    settings = QtCore.QSettings(str(tmp_path / "other.ini"), QtCore.QSettings.Format.IniFormat)
    other = MainWindow(settings=settings, autosave_folder=window.files.folder)
    other.files.autosave_path = window.files.folder / "autosave-next-session.json"
    qtbot.addWidget(other)
    questions = []
    other.files.ask = lambda title, text, buttons: questions.append(text) or Button.Yes
    assert other.files.offer_recovery()
    assert "pod-1mw.json" in questions[0]
    assert other.document.layout == edited
    assert other.document.modified and other.document.path.endswith("pod-1mw.json")
    other.files.ask = lambda *_: Button.Discard
    other.close()
    window.files.close()
    assert not list(window.files.folder.glob("*.json")), "clean closes leave no autosave"


def test_bad_file_lists_problems_instead_of_crashing(window, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "halltwin-layout"')
    assert not window.open_layout(str(bad))
    assert window.problems.list.count() == 1
    assert "is not valid JSON" in window.problems.list.item(0).text()
    assert "is not valid JSON" in window.last_message.informativeText()


def test_export_png_theme_and_remembered_panels(window, tmp_path):
    assert window.open_layout(str(layouts_dir() / "rows-3mw.json"))
    png = tmp_path / "view.png"
    assert window.export_png(str(png))
    assert QtGui.QImage(str(png)).width() > 300
    window.set_dark(True)
    assert QtWidgets.QApplication.instance().palette().color(
        QtGui.QPalette.ColorRole.Window).lightness() < 80
    assert window.dark_action.isChecked()
    window.docks["History"].hide()
    window.close()
    settings = window.settings
    settings.sync()
    again = MainWindow(settings=settings, autosave_folder=tmp_path / "autosave")
    assert again.dark_action.isChecked()
    again.show()
    assert not again.docks["History"].isVisible()
    again.set_dark(False)
    again.files.close()
    again.deleteLater()


def test_about_names_the_versions(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "about", lambda parent, title, text:
                        shown.append(text))
    window.about()
    assert "PySide6" in shown[0] and "pyqtgraph" in shown[0] and "Qt " in shown[0]


def test_recent_files_menu_and_reset_panels(window, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for path in (first, second):
        window.editor.place("junction", 1.0, 1.0)
        assert window.files.save_as(str(path))
    menu = QtWidgets.QMenu()
    window.files.fill_recent_menu(menu)
    assert [a.toolTip() for a in menu.actions()] == [str(second.resolve()), str(first.resolve())]
    menu.actions()[1].trigger()
    assert window.document.path == str(first.resolve())
    window.docks["Inspector"].setFloating(True)
    window.docks["Problems"].hide()
    window.reset_panels()
    assert not window.docks["Inspector"].isFloating()
    assert window.docks["Problems"].isVisible()
