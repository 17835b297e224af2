"""environment.yml and pyproject.toml agree; every conda spec parses (no conda exists here, so the
Binder build itself is checked elsewhere)."""

import re
import tomllib
from pathlib import Path

import yaml
from rattler import MatchSpec

ROOT = Path(__file__).resolve().parent.parent
NOT_RUNTIME = {"python", "pip"}


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def dist_name(spec: str) -> str:
    return re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0].lower()


def env_specs():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    return env, conda, pip


def test_environment_uses_conda_forge_and_installs_the_package_by_pip():
    env, _, pip = env_specs()
    assert env["channels"] == ["conda-forge"]
    assert pip == [{"pip": ["-e ."]}]


def test_every_conda_spec_parses():
    _, conda, _ = env_specs()
    for spec in conda:
        assert MatchSpec(spec).name is not None, spec


def test_environment_and_pyproject_name_the_same_runtime_packages():
    _, conda, _ = env_specs()
    env_names = {MatchSpec(s).name.normalized for s in conda} - NOT_RUNTIME
    py_names = {dist_name(d) for d in pyproject()["project"]["dependencies"]}
    assert env_names == py_names
    assert {"jupyterlab", "ipywidgets", "matplotlib", "pandas"} <= py_names


def test_console_script_points_at_the_cli():
    assert pyproject()["project"]["scripts"] == {"ext4io-teach": "ext4io_teach.cli:main"}
