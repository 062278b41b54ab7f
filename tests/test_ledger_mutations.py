"""Mutants of the ledger on both databases: verify, with signed checkpoints, catches every one and says where."""

from __future__ import annotations

import contextlib
import io
import json
import random
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from workflow import ledger
from workflow.ledger import HASHED_FIELDS, LedgerEntry, checkpoints, verification

SEEDS = range(6)


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "ledger-key.pem"
    checkpoints.generate_key(path)
    return checkpoints.load_private(path)


@pytest.fixture
def chain(session, statement_in, api):
    """A ledger of decisions, content, admin acts and reads."""
    for state in ("released", "escalated", "changes_requested", "rejected"):
        s = statement_in(state)
        api("auditor").get(f"/api/v1/statements/{s.id}")
    return session


@contextlib.contextmanager
def tampering(session):
    """Let this transaction change the ledger, as someone with the database's keys could (rolled back after)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    else:
        for verb in ("update", "delete"):
            session.execute(sa.text(f"DROP TRIGGER ledger_entries_no_{verb}"))
    yield
    session.expire_all()


def size(session) -> int:
    return ledger.head(session)[0]


def rows(session) -> list[dict]:
    return [r._asdict() for r in ledger.iter_rows(session)]


def update(session, at_seq: int, **values) -> None:
    session.execute(sa.update(LedgerEntry).where(LedgerEntry.seq == at_seq).values(**values))


def renumber(session, old: int, new: int) -> None:
    update(session, old, seq=new)


def rewrite_from(session, start: int) -> None:
    """Recompute every hash from `start` on, as a forger with the code but not the key would."""
    prev = session.scalar(sa.select(LedgerEntry.hash).where(LedgerEntry.seq == start - 1)) or ledger.GENESIS_HASH
    for row in [r for r in rows(session) if r["seq"] >= start]:
        new_hash = ledger.chain_hash(prev, ledger.canonical_bytes(row))
        update(session, row["seq"], prev_hash=prev, hash=new_hash)
        prev = new_hash


def _other(value):
    if isinstance(value, dict):
        return {**value, "forged": "có"}
    if isinstance(value, int) and not isinstance(value, bool):
        return value + 1
    if value is None:
        return "giả mạo"
    if hasattr(value, "isoformat"):
        return value.replace(microsecond=(value.microsecond + 1) % 1_000_000)
    value = str(value)  # same length: the column's limit must not be what catches the change
    return value[:-1] + ("ả" if value[-1:] != "ả" else "a")


@pytest.mark.parametrize("seed", SEEDS)
def test_edited_field_is_found_at_its_entry(chain, seed):
    rng = random.Random(seed)
    n = size(chain)
    seq = rng.randrange(2, n + 1)
    field = rng.choice([f for f in HASHED_FIELDS if f not in ("seq", "statement_id", "actor_id")] + ["prev_hash"])
    original = next(r for r in rows(chain) if r["seq"] == seq)[field]
    with tampering(chain):
        update(chain, seq, **{field: _other(original)})
        result = verification.verify(chain)
    assert not result.ok and result.first_bad_seq == seq, (field, result)


@pytest.mark.parametrize("seed", SEEDS)
def test_deleted_entry_is_found(chain, key, seed):
    rng = random.Random(seed)
    mark = checkpoints.make_checkpoint(chain, key)
    n = mark["size"]
    seq = rng.randrange(1, n + 1)
    with tampering(chain):
        chain.execute(sa.delete(LedgerEntry).where(LedgerEntry.seq == seq))
        result = verification.verify(chain, [mark])
    assert not result.ok and result.first_bad_seq == seq, result


@pytest.mark.parametrize("seed", SEEDS)
def test_inserted_entry_is_found(chain, seed):
    rng = random.Random(seed)
    n = size(chain)
    seq = rng.randrange(2, n + 1)
    with tampering(chain):
        for s in range(n, seq - 1, -1):
            renumber(chain, s, s + 1)
        forged = next(r for r in rows(chain) if r["seq"] == seq + 1) | {"seq": seq, "comment": "Không có thật"}
        forged["prev_hash"] = f"{rng.getrandbits(256):064x}"
        forged["hash"] = ledger.chain_hash(forged["prev_hash"], ledger.canonical_bytes(forged))
        chain.execute(sa.insert(LedgerEntry).values(**forged))
        result = verification.verify(chain)
    assert not result.ok and result.first_bad_seq == seq, result


@pytest.mark.parametrize("seed", SEEDS)
def test_swapped_entries_are_found(chain, seed):
    rng = random.Random(seed)
    n = size(chain)
    a, b = sorted(rng.sample(range(1, n + 1), 2))
    with tampering(chain):
        renumber(chain, a, n + 100)
        renumber(chain, b, a)
        renumber(chain, n + 100, b)
        result = verification.verify(chain)
    assert not result.ok and result.first_bad_seq == a, result


@pytest.mark.parametrize("seed", SEEDS)
def test_truncated_tail_needs_a_checkpoint_and_is_named(chain, key, seed):
    rng = random.Random(seed)
    mark = checkpoints.make_checkpoint(chain, key)
    n = mark["size"]
    keep = rng.randrange(1, n)
    with tampering(chain):
        chain.execute(sa.delete(LedgerEntry).where(LedgerEntry.seq > keep))
        assert verification.verify(chain).ok  # a bare chain cannot tell
        result = verification.verify(chain, [mark])
    assert not result.ok and result.first_bad_seq == keep + 1 and f"{n} entries" in result.reason, result


@pytest.mark.parametrize("seed", SEEDS)
def test_consistently_rewritten_chain_needs_checkpoints_and_is_bounded(chain, key, api, statement_in, seed):
    rng = random.Random(seed)
    early = checkpoints.make_checkpoint(chain, key)
    statement_in("approved")
    late = checkpoints.make_checkpoint(chain, key)
    seq = rng.randrange(early["size"] + 1, late["size"] + 1)
    with tampering(chain):
        update(chain, seq, comment="Nội dung đã bị sửa")
        rewrite_from(chain, seq)
        assert verification.verify(chain).ok  # internally consistent
        result = verification.verify(chain, [early, late])
    assert not result.ok and result.first_bad_seq == early["size"] + 1 <= seq <= late["size"], result
    assert f"between {early['size'] + 1} and {late['size']}" in result.reason


def test_checkpoint_signatures_are_checked(chain, key, tmp_path):
    mark = checkpoints.make_checkpoint(chain, key)
    trusted = key.public_key()
    assert checkpoints.check_signature(mark, trusted) == mark
    for forged in ({**mark, "size": mark["size"] - 1}, {**mark, "head_hash": "0" * 64}, {**mark, "signature": "AAAA"}):
        with pytest.raises(checkpoints.CheckpointError):
            checkpoints.check_signature(forged, trusted)
    other = tmp_path / "other.pem"
    checkpoints.generate_key(other)
    with pytest.raises(checkpoints.CheckpointError, match="not by the trusted key"):
        checkpoints.check_signature(checkpoints.make_checkpoint(chain, checkpoints.load_private(other)), trusted)
    with pytest.raises(FileExistsError):
        checkpoints.generate_key(other)


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_keygen_checkpoint_and_verify(runner, app, chain, tmp_path, statement_in):
    app.config["LEDGER_KEY"] = str(tmp_path / "keys" / "ledger.pem")
    app.config["CHECKPOINT_DIR"] = str(tmp_path / "checkpoints")
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 2  # no key yet
    made = runner.invoke(args=["ledger", "keygen"])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "keys" / "ledger.pem").stat().st_mode & 0o077 == 0
    assert runner.invoke(args=["ledger", "keygen"]).exit_code == 2  # never overwritten
    first = runner.invoke(args=["ledger", "checkpoint"])
    assert first.exit_code == 0, first.output
    (written,) = (tmp_path / "checkpoints").iterdir()
    statement_in("draft")
    ok = runner.invoke(args=["ledger", "verify", "--checkpoint", str(written)])
    assert ok.exit_code == 0 and "1 signed checkpoint" in ok.output, ok.output
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0
    both = runner.invoke(args=["ledger", "verify", "--checkpoint", *map(str, (tmp_path / "checkpoints").iterdir())])
    assert both.exit_code == 0 and "2 signed checkpoint" in both.output, both.output
    folder = runner.invoke(args=["ledger", "verify", "--checkpoint", str(tmp_path / "checkpoints")])
    assert folder.exit_code == 0 and "2 signed checkpoint" in folder.output, folder.output
    doc = json.loads(written.read_text())
    with tampering(chain):
        chain.execute(sa.delete(LedgerEntry).where(LedgerEntry.seq > doc["size"] - 2))
        chain.flush()
        broken = runner.invoke(args=["ledger", "verify", "--checkpoint", str(written)])
    assert broken.exit_code == 1 and f"BROKEN at seq {doc['size'] - 1}" in broken.output, broken.output


def test_bundle_verifies_offline_and_catches_changes(runner, app, chain, tmp_path):
    app.config["LEDGER_KEY"] = str(tmp_path / "ledger.pem")
    runner.invoke(args=["ledger", "keygen"])
    bundle = tmp_path / "ledger-bundle.zip"
    made = runner.invoke(args=["ledger", "export", "--bundle", str(bundle)])
    assert made.exit_code == 0, made.output
    ok = runner.invoke(args=["ledger", "verify", "--bundle", str(bundle)])
    assert ok.exit_code == 0 and "agreeing with 1 signed checkpoint" in ok.output, ok.output

    def rewritten(change) -> Path:
        with zipfile.ZipFile(bundle) as src:
            parts = {name: src.read(name) for name in src.namelist()}
        lines = [json.loads(line) for line in parts["entries.jsonl"].decode().splitlines()]
        parts["entries.jsonl"] = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in change(lines)).encode()
        out = tmp_path / f"bad-{len(list(tmp_path.iterdir()))}.zip"
        with zipfile.ZipFile(out, "w") as dst:
            for name, data in parts.items():
                dst.writestr(name, data)
        return out

    def edit(lines):
        lines[3]["comment"] = "giả mạo"
        return lines

    for change, seq in ((edit, 4), (lambda ls: ls[:-1], len(ledger_rows := rows(chain)))):
        bad = runner.invoke(args=["ledger", "verify", "--bundle", str(rewritten(change))])
        assert bad.exit_code == 1 and f"seq {seq}" in bad.output, bad.output
    assert ledger_rows
    stranger = tmp_path / "stranger.pem"
    checkpoints.generate_key(stranger)
    refused = runner.invoke(args=["ledger", "verify", "--bundle", str(bundle), "--public-key", str(stranger) + ".pub"])
    assert refused.exit_code == 1 and "REFUSED" in refused.output
    assert runner.invoke(args=["ledger", "verify", "--bundle", str(tmp_path / "ledger.pem")]).exit_code == 1


def test_bundle_holds_text_as_written(chain, key):
    out = io.BytesIO()
    checkpoints.write_bundle(chain, key, out)
    with zipfile.ZipFile(out) as bundle:
        text = bundle.read("entries.jsonl").decode("utf-8")
    assert "Sở Y tế Hà Nội" in text or "SYT-HN" in text
    assert "\\u" not in text
