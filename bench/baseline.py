"""An earlier PressGate beside the current one: `make bench BASELINE=<git ref>`.

The ref is checked out in a git worktree under bench/results/, installed into a virtual environment
of its own (its own dependencies: an older tree may need packages the current one dropped), and
seeded by its own `bench.run.seed` on a database of its own (its schema is its migrations').
`bench.run` then serves it under the same gunicorn as the current tree and lets the two take turns
under the same load, so `decision_vs_baseline` and `read_vs_baseline` compare them in one run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def resolve(ref: str) -> str:
    """Return the commit `ref` names in this repository (a clear error when it names none)."""
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"BASELINE={ref} names no commit of this repository")
    return done.stdout.strip()


def checkout(ref: str, where: Path) -> tuple[str, Path, Path]:
    """Check `ref` out in a worktree under `where` and install it; return its commit, folder and Python.

    The worktree and its environment stay for the next run (installing takes a minute); delete the
    folder and run `git worktree prune` to forget them.
    """
    commit = resolve(ref)
    tree = where / f"baseline-{commit[:12]}"
    python = tree / ".venv" / "bin" / "python"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True)
    if not python.exists():
        # Its own environment: the tree is served from its folder, with the dependencies it declared then.
        subprocess.run([sys.executable, "-m", "venv", str(tree / ".venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(tree), "gunicorn"], check=True)
    return commit, tree, python


def seed(tree: Path, python: Path, url: str, statements: int) -> dict:
    """Seed the database at `url` with the baseline's own code; return its ids and tokens."""
    code = (
        "import json, sys\n"
        "from bench.run import seed\n"
        f"print('SEEDED ' + json.dumps(seed({url!r}, statements={statements})))\n"
    )
    done = subprocess.run([str(python), "-c", code], cwd=tree, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("SEEDED "))
    return json.loads(line[len("SEEDED ") :])
