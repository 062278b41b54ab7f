"""The demo organisation: sample units, one person per role, and sample statements in several states."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.service import actor_for, create_unit, create_user, designate_spokesperson
from statements.letters import service as letters
from statements.lifecycle.service import create_statement, decide
from statements.notifications.models import Mail, Notification
from statements.pressdesk import service as pressdesk
from statements.rumours import service as rumours
from workflow.ledger import sealing

SAMPLES = Path(__file__).parent / "demo_data" / "statements.json"

#: Fictional demo logins, printed by `pressgate demo` and the README (a demo is for a local machine).
DEMO_USERS = [
    {
        "username": "admin",
        "password": "admin-demo-2026",
        "full_name": "Trần Quản Trị",
        "roles": [{"unit": "BYT", "role": "admin"}],
    },
    {
        "username": "drafter",
        "password": "drafter-demo-2026",
        "full_name": "Nguyễn Thị Soạn",
        "roles": [{"unit": "SYT-AH", "role": "drafter"}, {"unit": "BV-AH", "role": "drafter"}],
    },
    {"username": "spokesperson", "password": "spokes-demo-2026", "full_name": "Lê Văn Phát Ngôn", "roles": []},
    {
        "username": "leader",
        "password": "leader-demo-2026",
        "full_name": "Phạm Thủ Trưởng",
        "roles": [{"unit": "SYT-AH", "role": "leader"}],
    },
    {
        # The hospital has no designated spokesperson: its director reviews as one (ND 09/2017 Art. 2).
        "username": "director",
        "password": "director-demo-2026",
        "full_name": "Võ Văn Giám Đốc",
        "roles": [{"unit": "BV-AH", "role": "leader"}],
    },
    {
        "username": "auditor",
        "password": "auditor-demo-2026",
        "full_name": "Hoàng Thanh Tra",
        "roles": [{"unit": "BYT", "role": "auditor"}],
    },
]
DEMO_USERS[2]["roles"] = [{"unit": "SYT-AH", "role": "spokesperson"}]

# Which sample goes how far through the lifecycle, by its index in the samples file.
_PATHS = {
    0: [("drafter", "submit", None), ("spokesperson", "approve", None), ("spokesperson", "release", None)],
    1: [
        ("drafter", "submit", None),
        ("spokesperson", "escalate", "Có ca tử vong: xin ý kiến lãnh đạo Sở trước khi cung cấp cho báo chí."),
    ],
    2: [("drafter", "submit", None)],
    3: [("drafter", "submit", None)],
    6: [("drafter", "submit", None), ("spokesperson", "approve", None)],
}

#: The weekly bulletin's figures as a block (the samples list theirs loosely): the press room shows them as a table.
_FIGURES = {
    0: {
        "subject": "Cúm mùa",
        "period": {"start": "2026-11-09", "end": "2026-11-15"},
        "area": "Tỉnh An Hòa",
        "measures": [
            {"measure": "new_cases", "value": 1245, "previous": 1353, "source": "Hệ thống giám sát bệnh truyền nhiễm"},
            {"measure": "deaths", "value": 0, "previous": 0, "source": "Hệ thống giám sát bệnh truyền nhiễm"},
        ],
        "analysis": "Số ca cúm mùa giảm 8% so với tuần trước, chủ yếu nhờ tỷ lệ tiêm vắc xin cúm ở người trên 60 tuổi"
        " đạt 71%; số ca phải điều trị nội trú cũng giảm theo.",
    }
}


def seed(session: Session) -> None:
    """Create the demo organisation and statements in an empty database (the caller commits)."""
    data = json.loads(SAMPLES.read_text(encoding="utf-8"))
    for unit in data["units"]:
        create_unit(session, None, unit["code"], unit["name"], unit["parent_code"])
    users = {}
    for spec in DEMO_USERS:
        roles = [r for r in spec["roles"] if r["role"] != "spokesperson"]
        users[spec["username"]] = create_user(
            session,
            None,
            spec["username"],
            spec["full_name"],
            spec["password"],
            email=f"{spec['username']}@example.invalid",
            roles=roles,
        )
        for role in spec["roles"]:
            if role["role"] == "spokesperson":
                designate_spokesperson(session, None, role["unit"], spec["username"])
    actors = {name: actor_for(session, user, via="cli") for name, user in users.items()}
    for index, sample in enumerate(data["statements"]):
        if not actors["drafter"].has_role("drafter", _unit_id(session, sample["unit"])):
            continue
        fields = {k: sample[k] for k in ("title", "body", "kind", "urgency", "sensitive", "topics")}
        fields["figures"] = _FIGURES.get(index)
        statement = create_statement(session, actors["drafter"], sample["unit"], fields)
        for who, action, comment in _PATHS.get(index, []):
            decide(
                session,
                statement.id,
                actors[who],
                action,
                version=statement.current_version,
                comment=comment,
                channels=["press_release", "website"] if action == "release" else None,
            )

    _press_and_watch(session, actors)
    _letterheads(session, actors)


def quiet_history(engine: sa.Engine) -> None:
    """Leave the seed's notifications in the app but send none of them: they tell the demo's made-up past."""
    # On PostgreSQL they are written once the seed's entries are sealed, after its commit: seal them now.
    if engine.dialect.name == "postgresql":
        sealing.seal_pending(engine, wait=True)
    with engine.begin() as connection:
        connection.execute(
            sa.update(Notification)
            .where(Notification.mail_state.in_([Mail.PENDING, Mail.DIGEST]))
            .values(mail_state=Mail.NONE, mail_to=None, mail_due_at=None)
        )


def _letterheads(session: Session, actors: dict) -> None:
    """Give the department and its hospital their letterheads, so that the demo issues official letters."""
    common = {"recipients": ["Các cơ quan báo chí trên địa bàn tỉnh"], "copies_to": ["Như trên", "Bộ Y tế (để b/c)"]}
    department = {
        "full_name": "Sở Y tế tỉnh An Hòa",
        "parent_name": "UBND tỉnh An Hòa",
        "symbol": "SYT-NV",
        "place": "An Hòa",
        "archive": "NV",
        "signers": [{"mark": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "name": "Phạm Thủ Trưởng"}],
    }
    hospital = {
        "full_name": "Bệnh viện Đa khoa tỉnh An Hòa",
        "parent_name": "Sở Y tế tỉnh An Hòa",
        "symbol": "BVĐK-KHTH",
        "place": "An Hòa",
        "archive": "KHTH",
        "signers": [{"mark": "GIÁM ĐỐC", "name": "Võ Văn Giám Đốc"}],
    }
    letters.update_letterhead(session, actors["admin"], "SYT-AH", common | department)
    letters.update_letterhead(session, actors["admin"], "BV-AH", common | hospital)


def _press_and_watch(session: Session, actors: dict) -> None:
    """Give the demo two journalists' questions (one overdue, one urgent) and a rumour to judge."""
    now = dt.datetime.now(dt.UTC)
    pressdesk.register(
        session,
        actors["drafter"],
        "SYT-AH",
        outlet="Báo Sức khỏe & Đời sống",
        journalist="Phạm Thu Trang",
        contact="trang.pham@example.invalid",
        received_at=now - dt.timedelta(days=32),
        question="Sở Y tế cho biết kết quả kiểm tra an toàn thực phẩm bếp ăn tập thể quý III và các cơ sở bị xử phạt?",
    )
    pressdesk.register(
        session,
        actors["drafter"],
        "SYT-AH",
        outlet="Đài Phát thanh và Truyền hình An Hòa",
        journalist="Ngô Minh Khang",
        contact="0236 3812 345",
        received_at=now - dt.timedelta(hours=3),
        urgent=True,
        question="Đề nghị Sở cho biết số ca sốt xuất huyết mới trong tuần và khuyến cáo cho người dân vùng ngập.",
    )
    rumours.record(
        session,
        actors["drafter"],
        "SYT-AH",
        platform="Facebook",
        address="https://facebook.com/groups/an-hoa/posts/1",
        first_seen_at=now - dt.timedelta(hours=5),
        reach=8400,
        summary='Bài đăng kèm ảnh "công văn" giả của Sở, nói phải đóng cửa toàn bộ trường học vì dịch.',
    )


def _unit_id(session: Session, code: str) -> int:
    from auth.service import get_unit

    return get_unit(session, code).id
