"""The organisation a year of use is seeded into, its people and places, and the constants of the bench."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench import scale
from workflow.deadlines import ZONE

#: The year seeded and the quarter reported.
YEAR = 2026
PERIOD = f"{YEAR}-Q2"
#: Issue 31's targets: a quarter's report in under this, with a bounded number of SQL statements.
TARGET_SECONDS = 5.0
#: The bound on the SQL statements a report runs (tests/test_reports.py holds the report to the same).
MAX_QUERIES = 16
STATEMENTS = 100_000
ENTRIES = 1_000_000
#: The tiny organisation the count is first taken on.
TINY = {"statements": 300, "entries": 3_000, "provinces": 1, "per_province": 2}
ROUNDS = 5
PROVINCES = (
    ("HN", "Hà Nội"),
    ("HCM", "Thành phố Hồ Chí Minh"),
    ("DN", "Đà Nẵng"),
    ("HP", "Hải Phòng"),
    ("CT", "Cần Thơ"),
    ("KH", "Khánh Hòa"),
)
#: The units under each provincial department: (code prefix, name).
BELOW = (
    ("BVDK", "Bệnh viện Đa khoa"),
    ("BVN", "Bệnh viện Nhi"),
    ("BVSN", "Bệnh viện Sản - Nhi"),
    ("BVP", "Bệnh viện Phổi"),
    ("BVYHCT", "Bệnh viện Y học cổ truyền"),
    ("CDC", "Trung tâm Kiểm soát bệnh tật"),
    ("TTYT", "Trung tâm Y tế huyện"),
)
PER_PROVINCE = len(BELOW)
PASSWORD = scale.PASSWORD
TITLES = {"drafter": "Chuyên viên", "spokesperson": "Người phát ngôn", "leader": "Lãnh đạo"}
ROOT = "BYT"
AUDITOR = "kiem-toan-bc"

#: Drafted statements by kind (shares), and the share urgent in and out of working hours.
KINDS = (("regular", 52), ("ad_hoc", 30), ("interview", 12), ("correction", 6))
URGENT_IN_HOURS, URGENT_OUT_OF_HOURS = 0.06, 0.3
#: A step's time, drawn log-normally around this share of the hours the unit's policy gives it (and a
#: draft's around these working hours): most steps end well within their time, some run past the
#: reminder, a few past the due time and the escalations.
STEP_SHARE = 0.25
DRAFT_HOURS = {"normal": 2.5, "urgent": 0.5}
SIGMA = 0.9
#: Days after which the seeding stops looking ahead: entries are written once everything earlier is known.
LAG = dt.timedelta(days=3)
CHANNELS = {
    "regular": (["website"], ["website", "press_release"], ["website", "social_media"]),
    "ad_hoc": (["website", "press_conference"], ["social_media", "website"], ["press_release"]),
    "interview": (["interview"], ["written_answer"]),
    "correction": (["website", "press_release"], ["website", "social_media"]),
}
OUTLETS = ("Báo Tuổi Trẻ", "VnExpress", "Báo Sức khỏe & Đời sống", "Báo Thanh Niên", "VTV1", "Báo Dân trí")
PLATFORMS = ("Facebook", "TikTok", "Zalo", "YouTube", "Diễn đàn webtretho")
GROUNDS = ("state_secret", "private_secret", "under_investigation", "inspection_or_complaint", "draft_policy")


# --- the organisation ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Person:
    """Someone the entries name."""

    id: int
    name: str
    full_name: str


@dataclasses.dataclass(frozen=True)
class Place:
    """A unit with the people who act on its statements, and its share of the work."""

    id: int
    code: str
    drafter: Person
    spokesperson: Person
    leader: Person  # its competent leader: the province's, or the ministry's
    above: Person  # the leader one level further up (the second escalation)
    weight: float


def organisation(engine: sa.Engine, provinces: int, per_province: int, year: int) -> tuple[list[Place], Person]:
    """Create (or find) the ministry, `provinces` departments with `per_province` units each, and their people.

    They are set up in the December before the year (on a clock moved there), so that the whole ledger
    is in the order of its times.
    """
    import time_machine

    from auth.models import Unit, User
    from auth.service import create_unit, create_user

    def username(code: str, role: str) -> str:
        return f"{role}-{code.lower()}"

    plan: list[tuple[str, str, str | None]] = [(ROOT, "Bộ Y tế", None)]
    for p_code, p_name in PROVINCES[:provinces]:
        plan.append((f"SYT-{p_code}", f"Sở Y tế {p_name}", ROOT))
        plan += [(f"{prefix}-{p_code}", f"{name} {p_name}", f"SYT-{p_code}") for prefix, name in BELOW[:per_province]]
    set_up = dt.datetime(year - 1, 12, 15, 8, 0, tzinfo=ZONE)
    with Session(engine) as session, time_machine.travel(set_up, tick=True):
        known = set(session.scalars(sa.select(Unit.code)))
        for code, name, parent in plan:
            if code in known:
                continue
            create_unit(session, None, code, name, parent)
            # The ministry and the departments are led from within; each unit has its drafter and spokesperson.
            people = [("drafter", "drafter"), ("spokesperson", "spokesperson")]
            if parent in (None, ROOT):
                people.append(("leader", "leader"))
            for role, title in people:
                create_user(
                    session,
                    None,
                    username(code, role),
                    f"{TITLES[title]} {name}",
                    PASSWORD,
                    roles=[{"unit": code, "role": role}],
                )
        if AUDITOR not in set(session.scalars(sa.select(User.username))):
            create_user(
                session, None, AUDITOR, "Kiểm toán báo cáo", PASSWORD, roles=[{"unit": ROOT, "role": "auditor"}]
            )
        session.commit()
        users = {u.username: Person(u.id, u.username, u.full_name) for u in session.scalars(sa.select(User))}
        ids = dict(session.execute(sa.select(Unit.code, Unit.id)).all())
    weights = random.Random(31)
    places = []
    for code, _name, parent in plan:
        province = code if parent in (None, ROOT) else parent
        leader = users[username(province, "leader")]
        above = users[username(ROOT, "leader")] if province != ROOT else leader
        # The ministry and the departments speak most; hospitals and centres vary widely.
        weight = 3.0 if parent is None else 2.5 if parent == ROOT else weights.lognormvariate(0, 0.6)
        places.append(
            Place(
                ids[code],
                code,
                users[username(code, "drafter")],
                users[username(code, "spokesperson")],
                leader,
                above,
                weight,
            )
        )
    return places, users[AUDITOR]


# --- one statement's year -----------------------------------------------------------------------------


def entry(
    at: dt.datetime,
    kind: str,
    action: str,
    place: Place,
    who: Person | None,
    role: str | None,
    *,
    statement_id: int | None = None,
    version: int | None = None,
    content_hash: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a ledger document (every hashed field but seq), as `ledger.append` would write it."""
    return {
        "at": at,
        "kind": kind,
        "action": action,
        "statement_id": statement_id,
        "version": version,
        "content_hash": content_hash,
        "from_state": from_state,
        "to_state": to_state,
        "actor_id": who.id if who else None,
        "actor": who.name if who else "system",
        "role": role if who else "system",
        "unit": place.code,
        "comment": comment,
        "data": data or {},
    }


def text_of(kind: str, sid: int, place: Place, version: int) -> tuple[str, str]:
    week = sid % 52 + 1
    if kind == "regular":
        title = f"Bản tin tình hình dịch bệnh tuần {week} ({place.code})"
        body = (
            f"Trong tuần {week}, đơn vị ghi nhận {sid % 311} ca sốt xuất huyết, {sid % 97} ca tay chân miệng,"
            " không có ca tử vong. Người dân chủ động diệt lăng quăng, loại bỏ nơi muỗi đẻ trứng."
        )
    elif kind == "ad_hoc":
        title = f"Thông tin về vụ ngộ độc thực phẩm số {sid}"
        body = (
            f"Ngày {sid % 28 + 1}, {sid % 41 + 2} người có biểu hiện ngộ độc sau bữa ăn tập thể đã được"
            " đưa vào cấp cứu; sức khỏe các bệnh nhân hiện ổn định. Cơ quan chức năng đang lấy mẫu xét nghiệm."
        )
    elif kind == "interview":
        title = f"Trả lời phỏng vấn về tiêm chủng mở rộng (số {sid})"
        body = (
            f"Tỷ lệ tiêm chủng đầy đủ cho trẻ dưới 1 tuổi đạt {80 + sid % 19}%. Đơn vị bảo đảm đủ vắc xin"
            " cho các đợt tiêm tiếp theo và khuyến cáo phụ huynh đưa trẻ đi tiêm đúng lịch."
        )
    else:
        title = f"Cải chính thông tin sai sự thật lan truyền trên mạng (số {sid})"
        body = (
            "Thông tin về việc bệnh viện từ chối tiếp nhận bệnh nhân cấp cứu là không đúng sự thật. Người bệnh"
            f" đã được tiếp nhận lúc {sid % 24} giờ và điều trị theo đúng quy trình chuyên môn."
        )
    if version > 1:
        body += f" (Bổ sung theo ý kiến người phát ngôn, lần {version - 1}.)"
    return title, body
