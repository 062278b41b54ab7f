"""A crisis hour played out end to end (issue 28), as the issue says it will be checked.

An urgent statement is submitted at 22:00 on a public holiday and the spokesperson is away. The
reminder, the overdue notice and the escalation to the leader arrive by email at a real SMTP server.
The leader appoints an acting spokesperson, who approves it and schedules its release for 6:00; the
worker releases it then, and the press room shows nothing before. A second urgent item cannot wait:
the leader releases it in an emergency, everyone concerned is emailed at once, and the spokesperson,
back in the morning, reviews it. The ledger verifies at the end.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from statements import jobs
from statements.lifecycle import scheduled, timeliness
from statements.notifications import mail
from tests.smtp import smtp_server
from tests.test_api_statements import act, create
from tests.test_deadlines import hanoi
from workflow.deadlines import holiday_name

URGENT = {
    "urgency": "urgent",
    "title": "Khuyến cáo phòng bệnh sởi trong dịp nghỉ Tết",
    "body": "Sở Y tế khuyến cáo phụ huynh đưa trẻ đi tiêm đủ hai mũi vắc xin sởi tại trạm y tế gần nhất.",
}


@pytest.fixture
def emails(session, org):
    for name, user in org.users.items():
        user.email = f"{name}@syt.example.vn"
    session.flush()


def test_a_crisis_hour_on_a_holiday_night(app, api, client, session, emails):
    def at(*when: int):
        return time_machine.travel(hanoi(*when), tick=False)

    assert holiday_name(dt.date(2027, 1, 1))  # New Year's Day: nobody is at work
    # No app context held around the requests: each request pushes its own (a held one would share `g`).
    with smtp_server() as inbox:
        settings = mail.SmtpSettings(inbox.host, inbox.port, "PressGate <noreply@syt.example.vn>", "https://pg.vn")

        def delivered() -> list[tuple[str, str]]:
            """Send what is due now; return (to, subject) of what the server took."""
            before = len(inbox.messages)
            with app.app_context():
                while jobs.commit_each(session, mail.send_due(session, settings)):
                    pass
            return [(m["To"], m["Subject"]) for m in inbox.messages[before:]]

        with at(2027, 1, 1, 22, 0):
            s = create(api, **URGENT)
            sid = s["id"]
            act(api, "author", sid, "submit")  # urgent: due in two hours, round the clock
            assert delivered() == [
                ("spokesperson@syt.example.vn", f"[PressGate] Khẩn: Thông tin #{sid} của SYT-HN chờ bạn duyệt")
            ]

        # The spokesperson is away: the reminder half-way, then overdue, then the leader is told.
        with at(2027, 1, 1, 23, 1):
            assert timeliness.sweep(session) == 1
            session.commit()
            assert [to for to, _ in delivered()] == ["spokesperson@syt.example.vn"]
        with at(2027, 1, 2, 0, 1):
            assert timeliness.sweep(session) == 1
            session.commit()
            assert [to for to, _ in delivered()] == ["spokesperson@syt.example.vn"]
        with at(2027, 1, 2, 1, 2):
            assert timeliness.sweep(session) == 1
            session.commit()
            escalated = delivered()
            assert [to for to, _ in escalated] == ["leader@syt.example.vn"]
            assert "quá hạn" in escalated[0][1]

        # The leader appoints an acting spokesperson, who approves and schedules the release for 6:00.
        with at(2027, 1, 2, 1, 10):
            ends = hanoi(2027, 1, 3, 17, 0).isoformat()
            body = {
                "username": "drafter2",
                "reason": "Người phát ngôn đi công tác, không liên lạc được.",
                "ends_at": ends,
            }
            appointed = api("leader").post("/api/v1/units/SYT-HN/acting-spokespersons", json=body)
            assert appointed.status_code == 201, appointed.json
            act(api, "drafter2", sid, "approve")
            release_at = hanoi(2027, 1, 2, 6, 0).isoformat()
            act(api, "drafter2", sid, "schedule_release", release_at=release_at, channels=["website"])
        with at(2027, 1, 2, 5, 59):
            assert client.get(f"/api/v1/public/statements/{sid}").status_code == 404  # nothing before its time
            assert scheduled.release_due(session) == 0
        with at(2027, 1, 2, 6, 1):
            assert scheduled.release_due(session) == 1
            session.commit()
            released = client.get(f"/api/v1/public/statements/{sid}")
            assert released.status_code == 200 and released.json["title"] == URGENT["title"]
            delivered()

        # A second urgent item cannot wait: the leader releases it in an emergency.
        with at(2027, 1, 2, 6, 30):
            second = create(api, **URGENT | {"title": "Lịch tiêm vắc xin sởi bổ sung"})["id"]
            act(api, "author", second, "submit")
            act(api, "drafter2", second, "approve")
        with at(2027, 1, 2, 6, 40):
            comment = "Tin đồn sai sự thật đang lan; cần công bố ngay."
            out = act(api, "leader", second, "emergency_release", comment=comment, channels=["website"])
            assert out["state"] == "released" and out["emergency"]["review_due_at"]
            told = {to for to, subject in delivered() if "phát hành khẩn cấp" in subject}
            assert {"author@syt.example.vn", "spokesperson@syt.example.vn"} <= told
            assert "leader@syt.example.vn" not in told  # who released it is not told of it

        # The spokesperson, back in the morning, reviews it; nothing was approved by the system.
        with at(2027, 1, 2, 8, 0):
            act(api, "leader", second, "emergency_agree", expect=403)  # never the one who released it
            reviewed = act(api, "spokesperson", second, "emergency_agree")
            assert reviewed["emergency"]["reviewed_by"] == "spokesperson"
            assert timeliness.sweep(session, hanoi(2027, 1, 3, 9, 0)) == 0  # reviewed in time: nothing to say
            report = api("auditor").get("/api/v1/ledger/verify").json
            assert report["ok"], report
