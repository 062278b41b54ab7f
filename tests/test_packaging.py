"""A plain install speaks Vietnamese (issue 26): the built wheel carries the compiled catalogue.

`pip install` and then `pressgate init-db` and `gunicorn wsgi:app`, as the README's production recipe
says, served every page in English, because only `make` compiled the catalogue. The wheel is built here
from the working tree, installed into a fresh virtual environment (its dependencies borrowed from the
test's own, so nothing is downloaded), and asked for a page from outside the source tree.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from tests.serving import ROOT

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out), "."],
        cwd=ROOT,
        check=True,
    )
    (built,) = out.glob("pressgate-*.whl")
    return built


def test_the_wheel_carries_the_compiled_catalogue(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "statements/translations/vi/LC_MESSAGES/messages.mo" in names
    assert "hatch_build.py" not in names


def test_an_installed_wheel_serves_vietnamese(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    # The dependencies come from the test's own environment; the package itself only from the wheel.
    borrowed = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "flask").exists())
    (site / "borrowed.pth").write_text(f"{borrowed}\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)], check=True
    )
    script = textwrap.dedent(
        """
        import statements
        from statements import create_app
        assert "/venv/" in statements.__file__, statements.__file__
        app = create_app({"DATABASE_URL": "sqlite:///pressgate.db", "SECRET_KEY": "wheel"})
        page = app.test_client().get("/login").get_data(as_text=True)
        print(page)
        """
    )
    env = {"PATH": "/usr/bin:/bin", "PRESSGATE_INSTANCE_PATH": str(tmp_path / "instance"), "HOME": str(tmp_path)}
    # `pressgate init-db`, through the interpreter of the fresh environment.
    init = "import sys; from statements.cli.commands import main; sys.argv = ['pressgate', 'init-db']; main()"
    made = subprocess.run([python, "-c", init], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert made.returncode == 0 and "Created" in made.stdout, made.stdout + made.stderr
    served = subprocess.run([python, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert served.returncode == 0, served.stderr
    assert 'lang="vi"' in served.stdout and "Đăng nhập" in served.stdout
