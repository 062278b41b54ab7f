"""Figures with analysis (issue 30, letter 6006 §2): a structured block of the standard measures, submitted only
with its analysis, raw figures and figures contradicting the last release pointed out to the spokesperson."""

from __future__ import annotations

import copy
import csv
import io
from xml.etree import ElementTree

import pytest

from statements.lifecycle.models import content_hash
from tests.test_api_statements import act, create
from tests.test_web import csrf, login
from workflow import figures

ANALYSIS = (
    "Số ca mắc mới tăng 13% so với tuần trước, chủ yếu ở các phường ven sông nơi nước đọng sau mưa lớn; số ca"
    " bệnh nặng không tăng nhờ phân tuyến điều trị sớm."
)
BLOCK = {
    "subject": "Sốt xuất huyết",
    "period": {"start": "2026-11-23", "end": "2026-11-29"},
    "area": "Tỉnh An Hòa",
    "measures": [
        {"measure": "deaths", "value": 0, "previous": 1, "source": "Hệ thống eCDS"},
        {"measure": "new_cases", "value": 1245, "previous": 1100, "source": "Hệ thống eCDS"},
    ],
    "analysis": ANALYSIS,
}
BODY = (
    "Sở Y tế thông báo tình hình sốt xuất huyết tuần 48. Các ca bệnh tập trung ở khu vực ven sông; người dân cần"
    " diệt lăng quăng, loại bỏ dụng cụ chứa nước đọng và đến cơ sở y tế khi có dấu hiệu sốt cao liên tục."
)


def _released(api, block: dict) -> dict:
    s = create(api, body=BODY, figures=block)
    act(api, "author", s["id"], "submit")
    act(api, "spokesperson", s["id"], "approve")
    return act(api, "spokesperson", s["id"], "release", channels=["website"])


def test_the_block_is_checked_once_for_every_door_and_kept_in_order():
    assert figures.clean(None) is None and figures.clean({}) is None
    cleaned = figures.clean(BLOCK)
    assert [m["measure"] for m in cleaned["measures"]] == ["new_cases", "deaths"]  # the letter's order
    bad = copy.deepcopy(BLOCK) | {"period": {"start": "2026-11-29", "end": "2026-11-23"}, "area": " "}
    bad["measures"] += [{"measure": "new_cases", "value": 3, "source": "x"}, {"measure": "cured", "value": 1}]
    try:
        figures.clean(bad)
    except figures.Invalid as refused:
        assert set(refused.errors) == {"figures.period", "figures.area", "figures.new_cases", "figures.measures"}
    else:
        raise AssertionError("an invalid block was taken")
    for value in (-1, 1.5, True, "12", figures.MAX_VALUE + 1):
        one = copy.deepcopy(BLOCK)
        one["measures"][0]["value"] = value
        try:
            figures.clean(one)
        except figures.Invalid as refused:
            assert "figures.deaths" in refused.errors
        else:
            raise AssertionError(f"{value!r} was taken as a count")
    shown = {c["measure"]: c for c in figures.changes(cleaned)}
    assert shown["new_cases"]["change"] == 145 and shown["new_cases"]["percent"] == 13.2
    assert shown["deaths"]["change"] == -1 and shown["deaths"]["percent"] == -100.0
    assert figures.change_text(0, None) == "0" and figures.change_text(-1, -100.0, "en") == "-1, -100.0%"


def test_figures_are_part_of_the_approved_content_and_come_back_as_sent(api):
    s = create(api, body=BODY, figures=BLOCK)
    assert s["figures"]["measures"][0] == {
        "measure": "new_cases", "value": 1245, "previous": 1100, "source": "Hệ thống eCDS",
    }  # fmt: skip
    assert s["content_hash"] == content_hash(s["title"], BODY, s["kind"], s["topics"], s["figures"])
    assert s["content_hash"] != content_hash(s["title"], BODY, s["kind"], s["topics"])
    # A version that leaves them out keeps them; an empty block takes them away.
    kept = api("author").post(f"/api/v1/statements/{s['id']}/versions", json={"version": 1, "title": "Tuần 48"})
    assert kept.status_code == 201 and kept.json["figures"] == s["figures"]
    gone = api("author").post(f"/api/v1/statements/{s['id']}/versions", json={"version": 2, "figures": {}})
    assert gone.status_code == 201 and gone.json["figures"] is None and gone.json["figures_check"] is None
    refused = api("author").post("/api/v1/statements", json={"unit": "SYT-HN", "title": "T", "body": "B",
                                                             "figures": {"area": "X"}})  # fmt: skip
    assert refused.status_code == 422 and {"figures.period", "figures.measures"} <= set(refused.json["errors"])


def test_figures_without_their_analysis_are_not_submitted_by_any_door(api, runner):
    bare = create(api, body=BODY, figures=BLOCK | {"analysis": "Tăng nhẹ."})
    refused = act(api, "author", bare["id"], "submit", expect=409)
    assert refused["rule"] == "analysis_required" and "15 words" in refused["message"]
    assert "submit" not in bare["allowed_actions"]
    from tests.conftest import PASSWORD

    said = runner.invoke(
        args=["statement", "act", str(bare["id"]), "submit", "--version", "1", "--user", "author"], input=PASSWORD
    )
    assert said.exit_code != 0 and "analysis" in said.output
    analysed = create(api, body=BODY, figures=BLOCK)
    assert "submit" in analysed["allowed_actions"] and analysed["figures_check"]["analysis_words"] >= 15
    assert act(api, "author", analysed["id"], "submit")["state"] == "in_review"


def test_the_unit_sets_its_own_analysis_and_raw_share_on_the_ledger(api):
    assert api("leader").get("/api/v1/units/SYT-HN/figures-policy").json == {
        "unit": "SYT-HN", "min_analysis_words": 15, "raw_share_percent": 30, "set_by_unit": False,
        "source": figures.FIGURES_SOURCE,
    }  # fmt: skip
    assert api("author").put("/api/v1/units/SYT-HN/figures-policy",
                             json={"min_analysis_words": 3, "raw_share_percent": 20}).status_code == 403  # fmt: skip
    bad = api("leader").put("/api/v1/units/SYT-HN/figures-policy", json={"min_analysis_words": -1,
                                                                        "raw_share_percent": 101})  # fmt: skip
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"min_analysis_words", "raw_share_percent"}
    set_ = api("leader").put("/api/v1/units/SYT-HN/figures-policy", json={"min_analysis_words": 2,
                                                                         "raw_share_percent": 20})  # fmt: skip
    assert set_.status_code == 200 and set_.json["set_by_unit"] is True
    entries = api("auditor").get("/api/v1/ledger?action=update_figures_policy").json["items"]
    assert entries and entries[0]["data"] == {"min_analysis_words": 2, "raw_share_percent": 20}
    short = create(api, body=BODY, figures=BLOCK | {"analysis": "Tăng nhẹ."})
    assert act(api, "author", short["id"], "submit")["state"] == "in_review"  # two words are enough here now


def test_raw_figures_and_a_figure_that_contradicts_the_last_release_are_pointed_out(api):
    raw = create(api, body="Ca mắc 1.245; tử vong 0; xét nghiệm 3.210; cách ly 45; tiêm 12.000 liều.", figures=BLOCK)
    check = raw["figures_check"]
    assert check["raw"] is True and check["raw_share"] > 0.3, check
    assert create(api, body=BODY, figures=BLOCK)["figures_check"]["raw"] is False
    released = _released(api, BLOCK)
    other = copy.deepcopy(BLOCK)
    other["measures"][1]["value"] = 1254  # a digit swapped in the new cases
    later = create(api, body=BODY, figures=other)
    review = api("spokesperson").get(f"/api/v1/statements/{later['id']}/figures").json
    assert review["compared_with"]["id"] == released["id"]
    assert review["disagreements"] == [{"measure": "new_cases", "value": 1254, "released": 1245}]
    assert {c["measure"]: c["change"] for c in review["changes"]} == {"new_cases": 154, "deaths": -1}
    # Another period or area is no disagreement; an outsider sees nothing.
    elsewhere = create(api, body=BODY, figures=other | {"area": "Huyện Tân Phú"})
    assert api("spokesperson").get(f"/api/v1/statements/{elsewhere['id']}/figures").json["disagreements"] == []
    assert api("outsider").get(f"/api/v1/statements/{later['id']}/figures").status_code == 404


def _form(block: dict) -> dict:
    """Return the editor's fields for a block, numbers written the Vietnamese way."""
    fields = {
        "figures_start": block["period"]["start"], "figures_end": block["period"]["end"],
        "figures_area": block["area"], "figures_analysis": block["analysis"], "figures_subject": block["subject"],
    }  # fmt: skip
    for m in block["measures"]:
        fields |= {
            f"figures_{m['measure']}_value": f"{m['value']:,}".replace(",", "."),
            f"figures_{m['measure']}_previous": "" if m["previous"] is None else str(m["previous"]),
            f"figures_{m['measure']}_source": m["source"],
        }
    return fields


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_editor_takes_the_figures_and_the_page_shows_them_in_the_readers_language(app, lang):
    author = login(app.test_client(), "author", lang)
    page = author.get("/statements/new")
    assert 'name="figures_new_cases_value"' in page.get_data(as_text=True)
    base = {"unit": "SYT-HN", "title": "Tình hình sốt xuất huyết tuần 48", "body": BODY, "kind": "regular",
            "urgency": "normal", "csrf_token": csrf(page)}  # fmt: skip
    # A figure without its source comes back with the text kept and the field marked, in the reader's language.
    broken = _form(BLOCK) | {"figures_deaths_source": ""}
    r = author.post("/statements/new", data=base | broken)
    said = r.get_data(as_text=True)
    assert r.status_code == 422 and 'aria-invalid="true"' in said and 'value="1245"' in said
    assert ("Cần ghi hệ thống nguồn" if lang == "vi" else "Name the system the figure comes from") in said
    r = author.post("/statements/new", data=base | _form(BLOCK))
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    shown = author.get(r.headers["Location"]).get_data(as_text=True)
    table = shown.split("data-figures>")[1].split("</section>")[0]
    assert ("1.245" if lang == "vi" else "1,245") in table and (
        "+145, +13,2%" if lang == "vi" else "+145, +13.2%"
    ) in table
    assert ("Số ca mắc mới" if lang == "vi" else "New cases") in table and "Hệ thống eCDS" in table
    # The editor of the next version starts from the figures as they are.
    sid = r.headers["Location"].rsplit("/", 1)[1]
    editor = author.get(f"/statements/{sid}/edit").get_data(as_text=True)
    assert 'name="figures_new_cases_value" value="1245"' in editor and 'value="Tỉnh An Hòa"' in editor


def test_the_spokesperson_is_told_of_raw_figures_and_of_a_contradicted_release(app, api):
    _released(api, BLOCK)
    other = copy.deepcopy(BLOCK)
    other["measures"][1]["value"] = 1254
    s = create(api, body="Ca mắc 1.254; tử vong 0; xét nghiệm 3.210; cách ly 45.", figures=other)
    act(api, "author", s["id"], "submit")
    page = login(app.test_client(), "spokesperson").get(f"/statements/{s['id']}").get_data(as_text=True)
    assert "data-raw-figures" in page and "data-disagreements" in page
    disagreement = page.split("data-disagreements>")[1].split("</div>")[0]
    assert "1.254" in disagreement and "1.245" in disagreement, disagreement


def test_the_press_room_the_feed_the_csv_and_the_copies_carry_the_figures(api, client, tmp_path):
    released = _released(api, BLOCK)
    page = client.get(f"/press/{released['id']}").get_data(as_text=True)
    assert "data-figures" in page and "1.245" in page and "Hệ thống eCDS" in page
    feed = client.get("/press/feed.atom")
    root = ElementTree.fromstring(feed.data)
    ns = {"a": "http://www.w3.org/2005/Atom", "pg": "urn:pressgate:figures:1"}
    block = root.find("a:entry/pg:figures", ns)
    assert block is not None and block.get("area") == "Tỉnh An Hòa" and block.get("start") == "2026-11-23"
    measures = {m.get("name"): (m.get("value"), m.get("previous")) for m in block.findall("pg:measure", ns)}
    assert measures == {"new_cases": ("1245", "1100"), "deaths": ("0", "1")}
    assert block.find("pg:analysis", ns).text == ANALYSIS
    got = client.get("/press/figures.csv?unit=SYT-HN")
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert [(r["measure"], r["value"], r["previous"]) for r in rows] == [
        ("new_cases", "1245", "1100"),
        ("deaths", "0", "1"),
    ]
    assert rows[0]["area"] == "Tỉnh An Hòa" and rows[0]["content_hash"] == released["content_hash"]
    assert client.get("/press/figures.csv?unit=BV-HN").data.decode("utf-8-sig").count("\n") == 1  # the header only
    copy_text = api("author").get(f"/api/v1/statements/{released['id']}/export?format=txt").data.decode()
    assert "Số ca mắc mới: 1.245 (kỳ trước: 1.100; +145, +13,2%)" in copy_text and "Phân tích: " in copy_text
    # The copy is verified as the whole released statement, figures and all.
    verdict = client.post("/api/v1/public/verify", json={"text": copy_text}).json
    assert verdict["verdict"] == "genuine" and verdict["whole"], verdict
    # Retracted, its figures are no longer the authority's word.
    act(api, "spokesperson", released["id"], "retract", comment="Số liệu sai.")
    assert client.get("/press/figures.csv?unit=SYT-HN").data.decode("utf-8-sig").count("\n") == 1


def test_the_unit_policy_page_is_read_by_its_people_and_set_by_its_leaders(app):
    leader = login(app.test_client(), "leader")
    page = leader.get("/units/SYT-HN/figures")
    assert page.status_code == 200 and "6006/BYT-TT-KT" in page.get_data(as_text=True)
    bad = leader.post("/units/SYT-HN/figures", data={"min_analysis_words": "-3", "raw_share_percent": "40",
                                                     "csrf_token": csrf(page)})  # fmt: skip
    assert bad.status_code == 422 and "Từ 0 đến 500 từ" in bad.get_data(as_text=True)
    ok = leader.post("/units/SYT-HN/figures", data={"min_analysis_words": "5", "raw_share_percent": "40",
                                                    "csrf_token": csrf(page)})  # fmt: skip
    assert ok.status_code == 302
    author = login(app.test_client(), "author").get("/units/SYT-HN/figures").get_data(as_text=True)
    assert 'value="5"' in author and "disabled" in author


def test_the_release_to_compare_with_is_found_past_any_number_of_other_periods(api, session):
    released = _released(api, BLOCK)
    # Many later releases for other periods, and one for the same period but another subject.
    for week in range(3):
        start = f"2026-10-{5 + 7 * week:02d}"
        end = f"2026-10-{11 + 7 * week:02d}"
        _released(api, BLOCK | {"period": {"start": start, "end": end}})
    _released(api, BLOCK | {"subject": "Tay chân miệng"})
    other = copy.deepcopy(BLOCK)
    other["measures"][1]["value"] = 1254
    s = create(api, body=BODY, figures=other | {"area": "  tỉnh an  hòa "})  # case and spaces aside
    review = api("spokesperson").get(f"/api/v1/statements/{s['id']}/figures").json
    assert review["compared_with"]["id"] == released["id"], review["compared_with"]
    assert [d["measure"] for d in review["disagreements"]] == ["new_cases"]


def test_figures_words_are_read_for_people_and_rules_and_a_changed_figure_makes_a_copy_altered(api, client):
    named = create(api, body=BODY, figures=BLOCK | {"analysis": ANALYSIS + " Bệnh nhân Nguyễn Văn Minh, 45 tuổi,"
                                                    " trú tại số 12 ngõ 34 phố Lê Lợi, đã tử vong."})  # fmt: skip
    assert named["privacy"]["identifies_people"] is True and named["sensitive"] is True
    shown = api("author").get(f"/api/v1/statements/{named['id']}/privacy").json["findings"]
    assert {f["part"] for f in shown} == {"figures"}
    # A row of zero deaths is a figure, not the report of a death: the measures' names are not read.
    assert create(api, body=BODY, figures=BLOCK)["sensitive"] is False
    released = _released(api, BLOCK)
    copy_text = api("author").get(f"/api/v1/statements/{released['id']}/export?format=txt").data.decode()
    forged = copy_text.replace("Số ca mắc mới: 1.245", "Số ca mắc mới: 12.450")
    verdict = client.post("/api/v1/public/verify", json={"text": forged}).json
    assert verdict["verdict"] == "altered" and any(d["text"] == "12.450" for d in verdict["differences"]), verdict


def test_the_copies_write_figures_in_one_fixed_form():
    # Copies already issued are verified against this form: changing it would make them read as altered.
    assert figures.as_text(figures.clean(BLOCK)) == (
        "SỐ LIỆU: Sốt xuất huyết, Tỉnh An Hòa, từ ngày 23/11/2026 đến ngày 29/11/2026\n"
        "- Số ca mắc mới: 1.245 (kỳ trước: 1.100; +145, +13,2%). Nguồn: Hệ thống eCDS.\n"
        "- Tử vong: 0 (kỳ trước: 1; -1, -100,0%). Nguồn: Hệ thống eCDS.\n"
        "\n"
        f"Phân tích: {ANALYSIS}"
    )
