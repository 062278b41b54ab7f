"""Sign-in throttling that stops password guessing without letting anyone lock a user out.

The policy follows OWASP ASVS 4.0 V2.2.1 (anti-automation that works against credential testing,
brute force and account lock-out attacks): every attempt is counted, before its password is read,

- per (username, client address): a few attempts, so guessing one account from one place stops soon;
- per client address: a few dozen across usernames, so one place cannot try every account;
- per username from every address together: a ceiling of 100 an hour (ASVS's figure), which only an
  attack reaches. Crossing it puts an alert on the ledger for the administrators, and from then on only
  the addresses the user has signed in from before (in the last 90 days) may try: the owner signs in
  from their usual place while someone else hammers the account from elsewhere.

An IPv6 client is counted by its /64 network, the block one subscriber's line or host is given: one
host could otherwise spread its guesses over as many addresses as it likes.

The counters live in the application's database (table `sign_in_throttle`), so every process and
every server that serves it shares them, and an attempt is counted atomically before it is judged:
two workers cannot both evaluate the sixth guess. A successful sign-in gives its attempt back.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from limits import RateLimitItem, parse
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from auth.models import SignInThrottle
from workflow import ledger
from workflow.db import utcnow
from workflow.errors import Refusal

_T = SignInThrottle.metadata.tables[SignInThrottle.__tablename__]
#: How long an address the user signed in from counts as theirs.
KNOWN_FOR = dt.timedelta(days=90)
#: Counters older than this are deleted (a window is at most hours long); at most once per interval.
_PRUNE_AFTER, _PRUNE_EVERY = dt.timedelta(days=1), 600.0
_last_prune = 0.0


class Throttled(Refusal):
    """Too many sign-in attempts (429); `retry_after` says in how many seconds to try again."""

    status = 429

    def __init__(self, rule: str, message: str, retry_after: int):
        super().__init__(rule, message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Policy:
    """The three limits, each an amount per period."""

    pair: RateLimitItem
    address: RateLimitItem
    account: RateLimitItem

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Policy:
        """Read PRESSGATE_SIGN_IN_* limits ("5 per 15 minutes") from the app's config."""
        return cls(
            parse(config["SIGN_IN_LIMIT"]),
            parse(config["SIGN_IN_ADDRESS_LIMIT"]),
            parse(config["SIGN_IN_ACCOUNT_LIMIT"]),
        )


def _hit(session: Session, key: str, window: dt.timedelta, now: dt.datetime) -> tuple[int, dt.datetime]:
    """Count one attempt under `key` in its window (a new window once the last has passed); return count, start."""
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(_T)
    open_window = _T.c.since > now - window
    statement = (
        insert.values(key=key, since=now, count=1)
        .on_conflict_do_update(
            index_elements=[_T.c.key],
            set_={
                "count": sa.case((open_window, _T.c["count"] + 1), else_=1),
                "since": sa.case((open_window, _T.c.since), else_=now),
            },
        )
        .returning(_T.c["count"], _T.c.since)
    )
    count, since = session.execute(statement).one()
    return count, since


def _wait(since: dt.datetime, window: dt.timedelta, now: dt.datetime) -> int:
    return max(1, int((since + window - now).total_seconds()) + 1)


def _window(limit: RateLimitItem) -> dt.timedelta:
    return dt.timedelta(seconds=limit.get_expiry())


def place_of(address: str) -> str:
    """Return what an attempt is counted by: an IPv4 address itself, an IPv6 address's /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an address (a test client's name): counted as it is
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _known(session: Session, username: str, address: str, now: dt.datetime) -> bool:
    since = session.scalar(sa.select(_T.c.since).where(_T.c.key == f"known:{username} {address}"))
    return since is not None and since > now - KNOWN_FOR


def before_sign_in(session: Session, policy: Policy, username: str, address: str) -> Throttled | None:
    """Count this attempt; return the refusal (429) it meets past a limit, before any password is checked.

    The caller commits the count in a transaction of its own, then raises the refusal: the count stands
    whatever the answer (a refused or failed attempt is still an attempt).
    """
    now, address = utcnow(), place_of(address)
    _prune(session, now)
    pair, pair_since = _hit(session, f"pair:{username} {address}", _window(policy.pair), now)
    place, place_since = _hit(session, f"address:{address}", _window(policy.address), now)
    account, account_since = _hit(session, f"user:{username}", _window(policy.account), now)
    refusal = None
    if pair > policy.pair.amount:
        refusal = Throttled(
            "sign_in_throttled",
            "Too many sign-in attempts for this username from your address; wait and try again.",
            _wait(pair_since, _window(policy.pair), now),
        )
    elif place > policy.address.amount:
        refusal = Throttled(
            "sign_in_address_throttled",
            "Too many sign-in attempts from your address; wait and try again.",
            _wait(place_since, _window(policy.address), now),
        )
    elif account > policy.account.amount:
        if account == policy.account.amount + 1:  # the one attempt that crosses the ceiling raises the alarm
            _alert(session, username, address, account - 1, policy.account)
        if not _known(session, username, address, now):
            refusal = Throttled(
                "sign_in_account_throttled",
                "This account is under attack: sign-in is open only from addresses it has signed in from"
                " before. Wait and try again, or ask an administrator.",
                _wait(account_since, _window(policy.account), now),
            )
    return refusal


def after_sign_in(session: Session, username: str, address: str) -> None:
    """Give a successful attempt back, clear the pair's count and remember the address (the caller commits)."""
    now, address = utcnow(), place_of(address)
    session.execute(sa.delete(_T).where(_T.c.key == f"pair:{username} {address}"))
    session.execute(
        sa.update(_T)
        .where(_T.c.key.in_([f"address:{address}", f"user:{username}"]), _T.c["count"] > 0)
        .values(count=_T.c["count"] - 1)
    )
    _hit(session, f"known:{username} {address}", dt.timedelta(0), now)  # a window of 0: `since` becomes now


def _alert(session: Session, username: str, address: str, attempts: int, limit: RateLimitItem) -> None:
    ledger.append(
        session,
        kind=ledger.EntryKind.ADMIN,
        action="sign_in_alert",
        actor_id=None,
        actor="system",
        role="system",
        unit=None,
        data={
            "username": username,
            "attempts": attempts,
            "window_seconds": limit.get_expiry(),
            "address": address,
        },
    )


def _prune(session: Session, now: dt.datetime) -> None:
    global _last_prune
    if time.monotonic() - _last_prune < _PRUNE_EVERY:
        return
    _last_prune = time.monotonic()
    session.execute(
        sa.delete(_T).where(
            sa.or_(
                sa.and_(_T.c.key.not_like("known:%"), _T.c.since < now - _PRUNE_AFTER),
                _T.c.since < now - KNOWN_FOR,
            )
        )
    )
