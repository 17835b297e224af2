"""``timeline --out/--csv`` (issue 14, item 3): every unwritable path is refused before any run, by
opening the file (root passes ``os.access`` for everything), with one line and exit 2; the command says
exactly which files it wrote."""

import os
import subprocess
import sys

import pytest

from ext4io_teach import cli

LONG = "a" * 300 + ".png"


def unwritable(tmp_path):
    """Paths nobody can write, root included."""
    f = tmp_path / "a-file"
    f.write_text("x")
    return ["/proc/x.png", "/sys/x.png", str(tmp_path / LONG), str(f / "x.png"), str(tmp_path / "no" / "x.png")]


@pytest.mark.parametrize("flag", ["--out", "--csv"])
def test_unwritable_paths_are_refused_before_the_run(flag, tmp_path, capsys, monkeypatch):
    ran = []
    monkeypatch.setattr("ext4io_teach.commands.timeline.run_all", lambda args: ran.append(args))
    for path in unwritable(tmp_path):
        if flag == "--csv":
            path = path[:-4] + ".csv"
            argv = ["timeline", "classroom", "--out", str(tmp_path / "ok.png"), "--csv", path]
        else:
            argv = ["timeline", "classroom", "--out", path]
        assert cli.main(argv) == 2, path
        err = capsys.readouterr().err
        assert f"error: {flag}:" in err and "allowed:" in err and len(err.strip().splitlines()) == 1, err
        assert not ran, "nothing may run before the outputs are checked"
        assert not (tmp_path / "ok.png").exists(), "the check leaves no empty file behind"


def test_a_file_where_a_folder_should_be_is_called_a_file(tmp_path, capsys):
    f = tmp_path / "a-file"
    f.write_text("x")
    assert cli.main(["timeline", "classroom", "--out", str(f / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "does not exist" not in err


def test_says_exactly_what_it_wrote(tmp_path):
    """``--out .png`` is a file named '.png' (matplotlib alone would append another '.png')."""
    proc = subprocess.run([sys.executable, "-m", "ext4io_teach.cli", "timeline", "classroom", "--ios", "4",
                           "--out", ".png", "--csv", "t.csv"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(tmp_path)) == [".png", "t.csv"]
    assert proc.stdout.splitlines()[-1] == "wrote .png and t.csv"
    assert (tmp_path / ".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_existing_file_is_kept_until_the_run_writes_it(tmp_path, capsys, monkeypatch):
    out = tmp_path / "old.png"
    out.write_bytes(b"keep me")
    monkeypatch.setattr("ext4io_teach.commands.timeline.run_all", lambda args: (_ for _ in ()).throw(
        ValueError("scenario: stop here; allowed: anything")))
    assert cli.main(["timeline", "classroom", "--out", str(out)]) == 2
    assert out.read_bytes() == b"keep me", "the check opens the file without truncating it"
