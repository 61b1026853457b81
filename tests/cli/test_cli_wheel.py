"""The installed wheel works on its own: ``cebot migrate`` and the README's piped ``cebot shell`` from an empty folder.

The wheel is built with ``pip wheel . --no-deps`` from a clean copy of the sources (no stale ``build/``) and
installed into a fresh venv with ``--no-index --no-deps``; that venv finds the dependencies through one ``.pth``
line naming this project's venv, so the test needs no network. The test checks that ``cebot`` is imported from the
wheel, not from the sources (an editable install's finder in the project venv is not read through a ``.pth``
path line), so anything read relative to the project root fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cebot.core.db import make_engine
from cebot.core.settings import load_settings
from tests.helpers.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow

PG_URL = os.environ.get("CEBOT_TEST_DATABASE_URL", "")
# The README's piped session (its "Try it without Slack" section).
README_SESSION = "/ce track FL deadline:2027-08-31\n/ce log 3h Ethics in Touch #ethics\n/ce progress\n"
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
                                    "*.sqlite3")


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh venv holding only the cebot wheel (dependencies via the project venv)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    shutil.copytree(PROJECT_ROOT, src, ignore=NOT_COPIED)
    wheels = root / "wheels"
    run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)],
        cwd=src)
    (wheel,) = wheels.glob("cebot-*.whl")
    venv = root / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index", "--no-deps",
         "--find-links", str(wheels), str(wheel)])
    # After the install, so pip never sees (or touches) the project venv's own cebot.
    (purelib / "cebot_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv / "bin"


def cebot_env(database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "DATABASE_URL", "PYTHON", "CEBOT_"))}
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database of its own (dropped afterwards)."""
    if not PG_URL:
        pytest.skip("CEBOT_TEST_DATABASE_URL is not set")
    base = make_url(load_settings(database_url=PG_URL).database_url)
    name = f"cebot_wheel_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_cebot_is_imported_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    """The fresh venv imports cebot from its own site-packages, with its migrations, catalog and py.typed."""
    code = ("import cebot, pathlib; p = pathlib.Path(cebot.__file__).parent; print(p); "
            "print(len(list((p / 'migrations' / 'versions').glob('*.py'))), len(list(p.glob('catalog/data/*.toml'))),"
            " (p / 'py.typed').exists())")
    out = run([str(installed / "python"), "-c", code], cwd=tmp_path, env=cebot_env(None)).stdout.split()
    assert Path(out[0]).is_relative_to(installed.parent)
    assert int(out[1]) > 0
    assert int(out[2]) > 0
    assert out[3] == "True"


def test_cebot_migrate_on_sqlite_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    """``cebot migrate`` from an empty folder creates and upgrades a new SQLite file."""
    db = tmp_path / "cebot.sqlite3"
    run([str(installed / "cebot"), "migrate"], cwd=tmp_path, env=cebot_env(f"sqlite:///{db}"))
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        assert "member" in sa.inspect(conn).get_table_names()
    engine.dispose()


@pytest.mark.postgres
def test_cebot_migrate_on_postgres_from_an_empty_folder(installed: Path, tmp_path: Path, fresh_postgres: str) -> None:
    """``cebot migrate`` from an empty folder upgrades a new PostgreSQL database."""
    run([str(installed / "cebot"), "migrate"], cwd=tmp_path, env=cebot_env(fresh_postgres))
    engine = make_engine(fresh_postgres)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        assert "member" in sa.inspect(conn).get_table_names()
    engine.dispose()


def test_readme_piped_shell_session_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    """The README's ``printf ... | cebot shell --name Maria`` works from an empty folder with the default database."""
    done = run([str(installed / "cebot"), "shell", "--name", "Maria", "--tz", "America/New_York"],
               input=README_SESSION, cwd=tmp_path, env=cebot_env(None))
    assert "Now tracking *Florida massage therapist licence* (FL)." in done.stdout
    assert "Logged 3 h *Ethics in Touch*" in done.stdout
    assert "3 of 24 h" in done.stdout
    assert "Traceback" not in done.stderr
    assert (tmp_path / "cebot.sqlite3").exists()
