"""`pressgate ledger`: verify, export, and sign checkpoints of the ledger (keys kept outside the database)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from statements.cli.support import cli_session, fail


@click.group("ledger", cls=AppGroup)
def ledger_group() -> None:
    """Verify and export the ledger."""


def _public_key(given: Path | None):
    """Return the trusted public key: the one given, else the pinned one, else the configured signing key's half."""
    from workflow.ledger.checkpoints import CheckpointError, load_public, public_key_path

    configured = Path(current_app.config["LEDGER_KEY"])
    pinned = current_app.config.get("LEDGER_PUBLIC_KEY")
    candidates = [Path(pinned)] if pinned else [public_key_path(configured), configured]
    for path in [given] if given else candidates:
        if path.exists():
            try:
                return load_public(path.read_bytes())
            except (CheckpointError, ValueError) as err:
                fail(f"{path}: not an Ed25519 key ({err}).", 2)
    if given or pinned:
        fail(f"{given or pinned}: no such key file.", 2)
    return None


def _signing_key():
    from workflow.ledger.checkpoints import CheckpointError, load_private

    path = Path(current_app.config["LEDGER_KEY"])
    if not path.exists():
        fail(f"No signing key at {path}: run `pressgate ledger keygen` (or set PRESSGATE_LEDGER_KEY).", 2)
    try:
        return load_private(path)
    except (CheckpointError, ValueError) as err:
        fail(f"{path}: not an Ed25519 private key ({err}).", 2)


@ledger_group.command("keygen")
@click.option(
    "--key",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the private key (default: PRESSGATE_LEDGER_KEY).",
)
def ledger_keygen(path: Path | None) -> None:
    """Make the Ed25519 key that signs checkpoints (never overwrites one); its public half goes beside it."""
    from workflow.ledger.checkpoints import generate_key, key_id, load_public

    path = path or Path(current_app.config["LEDGER_KEY"])
    try:
        public = generate_key(path)
    except FileExistsError as err:
        fail(str(err), 2)
    click.echo(f"Signing key written to {path} (keep it off the database server and out of its backups).")
    click.echo(f"Public key: {public} (key id {key_id(load_public(public.read_bytes()))}); give it to your auditors.")


@ledger_group.command("checkpoint")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="File or folder to write (default: PRESSGATE_CHECKPOINT_DIR).",
)
def ledger_checkpoint(out: Path | None) -> None:
    """Sign the ledger's head (size, head hash, time) and write it as a checkpoint file; run it from cron."""
    from workflow.ledger.checkpoints import default_name, make_checkpoint

    key = _signing_key()
    with cli_session() as session:
        doc = make_checkpoint(session, key, current_app.config["LEDGER_ORIGIN"])
    out = out or Path(current_app.config["CHECKPOINT_DIR"])
    if out.is_dir() or not out.suffix:
        out.mkdir(parents=True, exist_ok=True)
        out = out / default_name(doc)
    out.write_text(json.dumps(doc, indent=2) + "\n", "utf-8")
    click.echo(f"Checkpoint of {doc['size']} entries (head {doc['head_hash']}, root {doc['root']}) written to {out}.")


@ledger_group.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A signed checkpoint (or a folder of them) the ledger must still agree with; more may follow.",
)
@click.option(
    "--bundle",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Verify an exported bundle instead of the database (no database needed).",
)
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The public key to trust (default: the configured signing key's public half).",
)
@click.argument("more", nargs=-1, type=click.Path(exists=True, path_type=Path))
def ledger_verify(
    checkpoint_files: tuple[Path, ...], bundle: Path | None, public_key: Path | None, more: tuple[Path, ...]
) -> None:
    """Recompute the chain and hold it to checkpoints; exit 0 when intact, 1 when broken (printing where).

    `--checkpoint FILE...` takes several files (a shell glob) or folders of them.
    """
    from statements.audit.replay import replay
    from statements.db import one_moment
    from workflow.ledger.checkpoints import Bundle, CheckpointError, check_signature, key_id, read_checkpoint
    from workflow.ledger.verification import verify, verify_rows

    tables = None

    if more and not checkpoint_files:
        fail("Name checkpoint files after --checkpoint.", 2)
    checkpoint_files = tuple(
        f for p in (*checkpoint_files, *more) for f in (sorted(p.glob("*.json")) if p.is_dir() else [p])
    )
    trusted = _public_key(public_key)
    try:
        if bundle:
            opened = Bundle(bundle)
            if trusted is None:
                # A bundle's own key proves only that whoever made the bundle signed it: anyone can.
                fail(
                    f"The bundle is signed by key {key_id(opened.public_key)}, but no key to trust was given: pass"
                    " --public-key with the key your auditors were given (or pin it with PRESSGATE_LEDGER_PUBLIC_KEY).",
                    1,
                )
            marks = [check_signature(opened.checkpoint, trusted)]
            marks += [check_signature(read_checkpoint(p), trusted) for p in checkpoint_files]
            result = verify_rows(opened.entries(), marks)
            if result.ok and result.entries != opened.checkpoint["size"]:
                signed = opened.checkpoint["size"]
                fail(f"Bundle BROKEN: it holds {result.entries} entries but its checkpoint signs {signed}.", 1)
            opened.close()
        else:
            if checkpoint_files and trusted is None:
                fail("No public key to check the checkpoints with: pass --public-key.", 2)
            marks = [check_signature(read_checkpoint(p), trusted) for p in checkpoint_files]
            with cli_session() as session, one_moment(session) as moment:
                result = verify(moment, marks)
                tables = replay(moment) if result.ok else None
    except CheckpointError as err:
        fail(f"Checkpoint REFUSED: {err}.", 1)
    if tables is not None and not tables.ok:
        shown = "\n".join(f"  {d}" for d in tables.shown)
        more = f"\n  … and {tables.total - len(tables.shown)} more" if tables.total > len(tables.shown) else ""
        fail(f"Working tables DISAGREE with the ledger in {tables.total} place(s):\n{shown}{more}", 1)
    if result.ok:
        held = f", agreeing with {result.checkpoints} signed checkpoint(s)" if result.checkpoints else ""
        waiting = f" {result.unsealed} newer entries are about to be sealed." if result.unsealed else ""
        agree = f" The working tables agree with it ({tables.statements} statements replayed)." if tables else ""
        click.echo(
            f"Ledger intact: {result.entries} entries, head seq {result.head_seq} hash {result.head_hash}{held}."
            + agree
            + waiting
        )
        return
    fail(f"Ledger BROKEN at seq {result.first_bad_seq}: {result.reason}", 1)


@ledger_group.command("seal")
def ledger_seal() -> None:
    """Seal entries still waiting for their place in the chain (servers do this themselves within a second)."""
    from workflow.ledger import sealing

    engine = current_app.extensions["pressgate"]["engine"]
    if engine.dialect.name != "postgresql":
        click.echo("Nothing to seal: on SQLite every entry is chained as it is written.")
        return
    sealed = sealing.seal_pending(engine, wait=True)
    click.echo(f"Sealed {sealed} entries." if sealed else "Nothing to seal: every entry is in the chain.")


@ledger_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option(
    "--bundle",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a signed bundle (entries, checkpoint, public key) that verifies without the database.",
)
def ledger_export(fmt: str, output: Path | None, bundle: Path | None) -> None:
    """Write every entry with names, roles, what each action means and times, for auditors."""
    from statements.audit import export as ledger_export

    if bundle:
        from workflow.ledger.checkpoints import write_bundle

        key = _signing_key()
        with cli_session() as session, bundle.open("wb") as out:
            doc = write_bundle(session, key, out)
        click.echo(
            f"Bundle of {doc['size']} entries written to {bundle}; check it with `pressgate ledger verify --bundle`."
        )
        return
    stream = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        with cli_session() as session:
            ledger_export.write(session, stream, fmt)
    finally:
        if output:
            stream.close()
    if output:
        click.echo(f"Ledger written to {output}.", err=True)


@ledger_group.command("verify-release")
@click.argument("proof_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "public_key", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The authority's public key (its press room publishes it at /press/ledger-key.pem).")  # fmt: skip
@click.option("--origin", default=None, help="The ledger's name in its checkpoints (default: PRESSGATE_LEDGER_ORIGIN).")
def ledger_verify_release(proof_file: Path, public_key: Path, origin: str | None) -> None:
    """Check offline that a statement was released, from the saved answer of /api/v1/public/verify (or its proof).

    Exit 0 when the release entry is in the tree the key signed and names the statement's content, 1 when not.
    """
    from statements.lifecycle.models import content_hash
    from workflow.ledger.checkpoints import CheckpointError, check_inclusion, load_public

    try:
        answer = json.loads(proof_file.read_text("utf-8"))
        key = load_public(public_key.read_bytes())
    except (OSError, ValueError, CheckpointError) as err:
        fail(f"Cannot read the proof or the key: {err}", 2)
    release = answer.get("release") if isinstance(answer, dict) else None
    proof = (release or {}).get("proof") or answer
    try:
        entry = check_inclusion(proof, key, origin or current_app.config["LEDGER_ORIGIN"])
    except CheckpointError as err:
        fail(f"NOT PROVEN: {err}", 1)
    if entry["action"] not in ("release", "emergency_release"):
        fail(f"NOT PROVEN: entry {entry['seq']} is a '{entry['action']}', not a release.", 1)
    statement = answer.get("statement") if isinstance(answer, dict) else None
    if statement:
        shown = content_hash(
            statement["title"], statement["body"], statement["kind"], statement["topics"], statement.get("figures")
        )
        if shown != entry["content_hash"]:
            fail("NOT PROVEN: the statement's text is not the content the entry released.", 1)
    checkpoint = proof["checkpoint"]
    click.echo(
        f"Proven: entry {entry['seq']} released content {entry['content_hash']} of statement {entry['statement_id']}"
        f" at {entry['at']}; it is in the ledger of {checkpoint['size']} entries signed at {checkpoint['at']}"
        + (" (the statement's text is that content)." if statement else ".")
    )
