"""One statement's year: its steps, their times and the entries they leave, drawn around its unit's deadlines."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import TYPE_CHECKING, Any

from bench.reports.world import CHANNELS, DRAFT_HOURS, SIGMA, STEP_SHARE, Person, Place, entry, text_of
from workflow.db import isoformat
from workflow.deadlines import STEPS
from workflow.ledger import EntryKind

if TYPE_CHECKING:
    from bench.reports.year import Year


HOW = {True: ("web_statement", "web_list", "web_list"), False: ("web_inbox", "web_statement", "api_statement")}
NULLABLE = (
    "corrects_id",
    "approved_version",
    "approved_hash",
    "approved_by_id",
    "approved_at",
    "approved_via",
    "released_version",
    "released_hash",
    "released_by_id",
    "released_at",
    "released_via",
    "emergency_review_due_at",
    "emergency_reviewed_by_id",
    "emergency_reviewed_at",
    "emergency_review_outcome",
    "retracted_by_id",
    "retracted_at",
    "retraction_reason",
)


# --- the year -----------------------------------------------------------------------------------------


class Story:
    """One statement's life from its draft to where it ends, or to the end of the year."""

    def __init__(
        self, year: Year, sid: int, created: dt.datetime, place: Place, kind: str, urgency: str, flagged: bool
    ) -> None:
        from statements.lifecycle.models import content_hash

        self.year, self.sid, self.place, self.kind, self.urgency = year, sid, place, kind, urgency
        self.rng = random.Random(year.seed * 1_000_003 + sid)
        self.flagged = self.sensitive = flagged
        self.t = self.created = created
        self.state = "draft"
        self.version = 1
        self._content_hash = content_hash
        self.versions: list[dict[str, Any]] = []
        self.hash = self._write_version(created)
        self.events: list[dict[str, Any]] = []
        #: Where reads of unreleased text fall: (from, to, reader, version, hash).
        self.slots: list[tuple[dt.datetime, dt.datetime, Person, int, str]] = []
        self.row: dict[str, Any] = {}
        self.due: tuple[dt.datetime | None, int, dt.datetime | None] = (None, 0, None)
        self.escalated: tuple[int, dt.datetime] | None = None
        self.last = created

    # the content

    def _write_version(self, at: dt.datetime) -> str:
        title, body = text_of(self.kind, self.sid, self.place, self.version)
        digest = self._content_hash(title, body, self.kind, [])
        self.versions.append(
            {
                "statement_id": self.sid,
                "number": self.version,
                "title": title,
                "body": body,
                "kind": self.kind,
                "urgency": self.urgency,
                "topics": [],
                "sensitive_flag": self.flagged,
                "figures": None,
                "content_hash": digest,
                "author_id": self.place.drafter.id,
                "created_at": at,
            }
        )
        return digest

    def _add(self, entry: dict[str, Any]) -> None:
        self.events.append(entry)
        self.last = entry["at"]

    def _later(self, hours: float) -> dt.datetime:
        return self.year.policy.later(self.urgency, self.t, hours) + dt.timedelta(seconds=self.rng.randint(20, 900))

    # the steps

    def wait(self, reader: Person) -> bool:
        """Stay in the current state for a drawn time, with the deadline entries it earns; False if the year ends."""
        start = self.t
        if self.state in STEPS:
            given = self.year.policy.hours_for(STEPS[self.state], self.kind, self.urgency)
            median = given * STEP_SHARE
        else:
            median = DRAFT_HOURS[self.urgency]
        end = self._later(self.rng.lognormvariate(math.log(median), SIGMA))
        stop = min(end, self.year.horizon)
        if self.state in STEPS:
            self._deadlines(start, stop)
        self.slots.append((start, stop, reader, self.version, self.hash))
        if end > self.year.horizon:
            return False
        self.t = end
        return True

    def _deadlines(self, start: dt.datetime, stop: dt.datetime) -> None:
        """Write what the minute's sweep says of a step from `start` to `stop`: reminder, overdue, escalations."""
        policy, urgency, step = self.year.policy, self.urgency, STEPS[self.state]
        hours = policy.hours_for(step, self.kind, urgency)
        due = policy.later(urgency, start, hours)
        first = policy.later(urgency, start, hours * policy.remind_percent / 100)
        waiting = {
            "in_review": self.place.spokesperson,
            "approved": self.place.spokesperson,
            "escalated": self.place.leader,
            "changes_requested": self.place.drafter,
        }[self.state]
        stage, check = 0, first
        told = (waiting, waiting, self.place.leader, self.place.above)
        while stage < 4 and check is not None:
            at = check + dt.timedelta(seconds=self.rng.randint(1, 59))  # the sweep runs each minute
            if at >= stop:
                break
            action = ("deadline_reminder", "deadline_overdue", "deadline_escalation", "deadline_escalation")[stage]
            self._add(
                entry(
                    at,
                    EntryKind.DEADLINE,
                    action,
                    self.place,
                    None,
                    None,
                    statement_id=self.sid,
                    version=self.version,
                    data={
                        "rule": f"{step}:{action}",
                        "due_at": isoformat(due),
                        "level": stage - 1 if stage > 1 else None,
                        "late": [waiting.full_name],
                        "state": self.state,
                        "told": [told[stage].name],
                    },
                )
            )
            stage += 1
            check = due if stage == 1 else policy.escalation(urgency, at) if stage in (2, 3) else None
        self.due = (due, stage, check)

    def decide(
        self, action: str, to_state: str, who: Person, role: str, comment: str | None = None, **data: Any
    ) -> None:
        """Take a decision now, as the lifecycle records it."""
        before = self.state
        data["via"] = "web" if self.rng.random() < 0.9 else "api"
        if before in ("draft", "in_review", "changes_requested", "escalated"):
            data["sensitive"] = self.sensitive
        self.state = to_state
        if to_state in STEPS and to_state != before:
            due = self.year.policy.due(to_state, self.kind, self.urgency, self.t)
            data["due_at"] = isoformat(due)
        self._add(
            entry(
                self.t,
                EntryKind.DECISION,
                action,
                self.place,
                who,
                role,
                statement_id=self.sid,
                version=self.version,
                content_hash=self.hash,
                from_state=before,
                to_state=to_state,
                comment=comment,
                data=data,
            )
        )
        self.t += dt.timedelta(seconds=self.rng.randint(30, 240))

    def live(self) -> None:
        """Run the statement's life: every decision and deadline entry, and its row as it stands at the end."""
        rng, place = self.rng, self.place
        self._add(
            entry(
                self.t,
                EntryKind.CONTENT,
                "create",
                place,
                place.drafter,
                "drafter",
                statement_id=self.sid,
                version=1,
                content_hash=self.hash,
                to_state="draft",
                data={"sensitive": self.sensitive, "via": "web"},
            )
        )
        self.t += dt.timedelta(seconds=rng.randint(30, 300))
        fate = rng.random()
        if fate < 0.025:  # a draft nobody took further
            self.slots.append(
                (self.t, min(self.t + dt.timedelta(days=3), self.year.horizon), place.drafter, 1, self.hash)
            )
            return
        if not self.wait(place.drafter):
            return
        if fate < 0.045:
            self.decide("withdraw", "withdrawn", place.drafter, "drafter")
            return
        self.decide("submit", "in_review", place.drafter, "drafter")
        returned = 0
        while True:
            x = rng.random()
            if self.state == "in_review":
                if not self.wait(place.spokesperson):
                    return
                if self.sensitive:  # approving it is refused: the spokesperson escalates it
                    if x < 0.9:
                        self._escalate()
                    elif x < 0.95 and returned < 2:
                        returned += 1
                        self.decide(
                            "request_changes",
                            "changes_requested",
                            place.spokesperson,
                            "spokesperson",
                            "Đề nghị bổ sung nguồn số liệu.",
                        )
                    else:
                        self.decide(
                            "reject", "rejected", place.spokesperson, "spokesperson", "Không phát ngôn nội dung này."
                        )
                elif x < 0.10 and returned < 2:
                    returned += 1
                    self.decide(
                        "request_changes",
                        "changes_requested",
                        place.spokesperson,
                        "spokesperson",
                        "Đề nghị làm rõ số liệu và thời điểm.",
                    )
                elif x < 0.135:
                    self._escalate()
                elif x < 0.16:
                    self.decide(
                        "reject", "rejected", place.spokesperson, "spokesperson", "Trùng với thông tin đã phát ngôn."
                    )
                elif x < 0.17:
                    self.decide("withdraw", "withdrawn", place.drafter, "drafter")
                else:
                    self.decide("approve", "approved", place.spokesperson, "spokesperson", approved_hash=self.hash)
                    self._approved("approve", place.spokesperson)
            elif self.state == "escalated":
                if not self.wait(place.leader):
                    return
                if x < 0.82:
                    self.decide("sign_off", "approved", place.leader, "leader", approved_hash=self.hash)
                    self._approved("sign_off", place.leader)
                elif x < 0.92 and returned < 2:
                    returned += 1
                    self.decide(
                        "request_changes", "changes_requested", place.leader, "leader", "Cần thống nhất với Sở."
                    )
                else:
                    self.decide("reject", "rejected", place.leader, "leader", "Chưa công bố thông tin này.")
            elif self.state == "changes_requested":
                if not self.wait(place.drafter):
                    return
                self.version += 1
                self.hash = self._write_version(self.t)
                self._add(
                    entry(
                        self.t,
                        EntryKind.CONTENT,
                        "revise",
                        place,
                        place.drafter,
                        "drafter",
                        statement_id=self.sid,
                        version=self.version,
                        content_hash=self.hash,
                        from_state=self.state,
                        to_state=self.state,
                        data={"sensitive": self.sensitive, "via": "web"},
                    )
                )
                self.t += dt.timedelta(seconds=rng.randint(60, 600))
                self.decide("submit", "in_review", place.drafter, "drafter")
            elif self.state == "approved":
                if not self.wait(place.spokesperson):
                    return
                if self.urgency == "urgent" and x < 0.12:
                    self._release("emergency_release", place.leader, "leader", "Khẩn cấp: người phát ngôn vắng mặt.")
                elif x < 0.015:
                    voided = self.row["approved_hash"]
                    self.decide(
                        "reopen",
                        "draft",
                        place.spokesperson,
                        "spokesperson",
                        "Số liệu đã thay đổi.",
                        voided_approval_hash=voided,
                    )
                    for name in ("approved_version", "approved_hash", "approved_by_id", "approved_at", "approved_via"):
                        self.row[name] = None
                    if not self.wait(place.drafter):
                        return
                    self.decide("submit", "in_review", place.drafter, "drafter")
                else:
                    self._release("release", place.spokesperson, "spokesperson")
            else:
                return

    def _escalate(self) -> None:
        self.sensitive = True
        self.escalated = (self.place.spokesperson.id, self.t)
        self.decide(
            "escalate", "escalated", self.place.spokesperson, "spokesperson", "Nội dung nhạy cảm, xin ý kiến lãnh đạo."
        )

    def _approved(self, via: str, who: Person) -> None:
        at = self.events[-1]["at"]
        self.row |= {
            "approved_version": self.version,
            "approved_hash": self.hash,
            "approved_by_id": who.id,
            "approved_at": at,
            "approved_via": via,
        }

    def _release(self, action: str, who: Person, role: str, comment: str | None = None) -> None:
        rng = self.rng
        channels = list(rng.choice(CHANNELS[self.kind]))
        extra: dict[str, Any] = {"channels": channels, "released_hash": self.hash}
        emergency = action == "emergency_release"
        review_due = self.t + dt.timedelta(hours=24)
        if emergency:
            extra |= {"emergency": True, "review_due_at": isoformat(review_due)}
        self.decide(action, "released", who, role, comment, **extra)
        at = self.events[-1]["at"]
        self.row |= {
            "released_version": self.version,
            "released_hash": self.hash,
            "released_by_id": who.id,
            "released_at": at,
            "channels": channels,
            "released_via": "emergency" if emergency else "release",
        }
        self.year.released(self, at)
        if emergency:
            self.row["emergency_review_due_at"] = review_due
            self.t = at + dt.timedelta(hours=rng.uniform(1, 30))
            if self.t <= self.year.horizon and self.t < review_due:
                outcome = "agrees" if rng.random() < 0.9 else "finding"
                self.decide(
                    f"emergency_{'agree' if outcome == 'agrees' else 'finding'}",
                    "released",
                    self.place.spokesperson,
                    "spokesperson",
                    None if outcome == "agrees" else "Cần rút kinh nghiệm.",
                    outcome=outcome,
                )
                self.row |= {
                    "emergency_review_due_at": None,
                    "emergency_reviewed_by_id": self.place.spokesperson.id,
                    "emergency_reviewed_at": self.events[-1]["at"],
                    "emergency_review_outcome": outcome,
                }
            elif review_due + dt.timedelta(minutes=1) <= self.year.horizon:
                self._add(
                    entry(
                        review_due + dt.timedelta(seconds=rng.randint(1, 59)),
                        EntryKind.DEADLINE,
                        "emergency_review_overdue",
                        self.place,
                        None,
                        None,
                        statement_id=self.sid,
                        version=self.version,
                        data={
                            "rule": "emergency_review:overdue",
                            "due_at": isoformat(review_due),
                            "level": None,
                            "late": [self.place.spokesperson.full_name],
                            "state": "released",
                            "told": [self.place.spokesperson.name],
                        },
                    )
                )
        if rng.random() < 0.006:
            self.t = at + dt.timedelta(days=rng.uniform(1, 20))
            if self.t <= self.year.horizon:
                reason = "Thông tin đã được cập nhật, thay thế bằng thông cáo mới."
                self.decide("retract", "retracted", self.place.spokesperson, "spokesperson", reason)
                self.row |= {
                    "retracted_by_id": self.place.spokesperson.id,
                    "retracted_at": self.events[-1]["at"],
                    "retraction_reason": reason,
                }

    # what is written

    def statement_row(self) -> dict[str, Any]:
        """Return the statement's row as the lifecycle leaves it."""
        from statements.lifecycle.service import search_key

        title, body = text_of(self.kind, self.sid, self.place, self.version)
        reasons = []
        if self.flagged:
            reasons.append({"source": "drafter", "label": "Người soạn thảo đánh dấu nhạy cảm"})
        if self.escalated:
            reasons.append({"source": "escalation", "label": "Đã chuyển lãnh đạo cho ý kiến"})
        due_at, stage, check = self.due if self.state in STEPS else (None, 0, None)
        row = dict.fromkeys(NULLABLE) | {
            "id": self.sid,
            "unit_id": self.place.id,
            "state": self.state,
            "kind": self.kind,
            "urgency": self.urgency,
            "current_version": self.version,
            "author_id": self.place.drafter.id,
            "created_at": self.created,
            "updated_at": self.last,
            "sensitive": self.sensitive,
            "sensitivity_reasons": reasons,
            "channels": [],
            "escalated_by_id": self.escalated[0] if self.escalated else None,
            "escalated_at": self.escalated[1] if self.escalated else None,
            "due_at": due_at,
            "due_stage": stage,
            "next_check_at": check,
            "search_text": search_key(title, body),
        }
        row |= self.row
        if row["emergency_review_due_at"] is not None and row["emergency_review_due_at"] > self.year.horizon:
            row["next_check_at"] = row["emergency_review_due_at"]
        return row

    def reads(self, count: int) -> list[dict[str, Any]]:
        """Return `count` reads of unreleased text, each shortly before the decision its reader takes."""
        out = []
        for _ in range(count):
            start, end, reader, version, digest = self.rng.choice(self.slots)
            span = (end - start).total_seconds()
            if span < 2:
                continue
            at = end - dt.timedelta(seconds=self.rng.uniform(1, min(span - 1, 7200)))
            how = self.rng.choice(HOW[reader is self.place.drafter])
            out.append(
                entry(
                    at,
                    EntryKind.ACCESS,
                    "read",
                    self.place,
                    reader,
                    None,
                    statement_id=self.sid,
                    version=version,
                    content_hash=digest,
                    data={"how": how, "via": "api" if how.startswith("api") else "web"},
                )
            )
        return out
