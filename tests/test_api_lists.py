"""API: the statement list, filtered, searched and paged, as each person may see it."""

from __future__ import annotations

from tests.test_api_auth_org import assert_error
from tests.test_api_statements import act, create


def test_search_pages_newest_first_with_the_total(api):
    """A search's matches are paged newest first however old they are (PostgreSQL gathers them by trigram)."""
    matching = [create(api, title=f"Cảnh báo ngộ độc nấm rừng số {i}")["id"] for i in range(7)]
    for i in range(5):
        create(api, title=f"Lịch tiêm chủng tháng {i}")
    for i in (1, 4):
        act(api, "author", matching[i], "submit")
    author = api("author")
    search = {"q": "ngo doc nam", "per_page": 3}
    pages = [author.get("/api/v1/statements", query_string=search | {"page": n}).json for n in (1, 2, 3)]
    assert [page["total"] for page in pages] == [7, 7, 7]
    assert [i["id"] for page in pages for i in page["items"]] == sorted(matching, reverse=True)
    beyond = author.get("/api/v1/statements", query_string=search | {"page": 9}).json
    assert beyond == {"items": [], "total": 7}
    assert author.get("/api/v1/statements", query_string={"q": "xyzzy"}).json == {"items": [], "total": 0}
    awaiting = api("spokesperson").get("/api/v1/statements", query_string={"q": "NGỘ ĐỘC", "awaiting_me": "true"}).json
    assert [i["id"] for i in awaiting["items"]] == [matching[1], matching[4]] and awaiting["total"] == 2


def test_search_finds_every_word_anywhere(api):
    kids = create(api, title="Bệnh viện quá tải", body="Khoa Nhi tiếp nhận gấp đôi số trẻ so với tuần trước.")
    measles = create(api, title="Tiêm vắc xin sởi", body="Chiến dịch phòng sởi và rubella cho trẻ em.")
    create(api, title="Quá tải cấp cứu", body="Khoa cấp cứu đông người bệnh.")
    dates = create(api, title="Lịch trực 19/5", body="Phần mềm C++ của bệnh viện được cập nhật.")
    author = api("author")
    for q, expected in [
        ("quá tải khoa nhi", [kids["id"]]),
        ("qua tai khoa nhi", [kids["id"]]),
        ("rubella sởi", [measles["id"]]),
        ("RUBELLA soi", [measles["id"]]),
        ("sởi cúm", []),
        ("19/5 c++", [dates["id"]]),  # words without three letters in a row: found without the trigram index
        ("1/5", []),
    ]:
        found = author.get("/api/v1/statements", query_string={"q": q}).json
        assert [i["id"] for i in found["items"]] == expected and found["total"] == len(expected), q


def test_lists_filters_and_search(api):
    a = create(api, title="Thông tin về ổ dịch sốt xuất huyết")
    b = create(api, title="Khuyến cáo phòng bệnh mùa đông", urgency="urgent")
    create(api, by="outsider", unit="SYT-DN", title="Tin của Đà Nẵng")
    act(api, "author", b["id"], "submit")
    author = api("author")
    listed = author.get("/api/v1/statements").json
    ids = [i["id"] for i in listed["items"]]
    assert b["id"] in ids and a["id"] in ids and all(i["unit"] != "SYT-DN" for i in listed["items"])
    assert ids == sorted(ids, reverse=True)
    assert [i["id"] for i in author.get("/api/v1/statements?state=in_review").json["items"]] == [b["id"]]
    assert author.get("/api/v1/statements?unit=SYT-DN").json["total"] == 0
    assert api("auditor").get("/api/v1/statements?unit=SYT-DN").json["total"] == 1
    for q in ("sốt xuất huyết", "sot xuat huyet", "SỐT XUẤT", "o dich"):
        found = author.get("/api/v1/statements", query_string={"q": q}).json["items"]
        assert [i["id"] for i in found] == [a["id"]], q
    assert author.get("/api/v1/statements?q=100%25").json["total"] == 0
    awaiting = api("spokesperson").get("/api/v1/statements?awaiting_me=true").json
    assert [i["id"] for i in awaiting["items"]] == [b["id"]]
    assert api("author").get("/api/v1/statements?awaiting_me=true").json["total"] == 0
    assert author.get("/api/v1/statements?urgency=urgent").json["items"][0]["id"] == b["id"]
    assert_error(author.get("/api/v1/statements?state=flying"), 422)
    assert_error(author.get("/api/v1/statements?page=0"), 422)
    assert_error(author.get("/api/v1/statements?per_page=abc"), 422)


def test_per_page_is_capped_not_refused(api):
    for i in range(3):
        create(api, title=f"Thông cáo {i}")
    r = api("author").get("/api/v1/statements?per_page=1000")
    assert r.status_code == 200 and len(r.json["items"]) == r.json["total"] >= 3
    r = api("author").get("/api/v1/statements?per_page=1&page=2")
    assert len(r.json["items"]) == 1


def test_leader_of_parent_unit_reads_children_others_do_not(api):
    s = create(api, by="bv_drafter", unit="BV-HN", title="Tin bệnh viện")
    assert api("leader").get(f"/api/v1/statements/{s['id']}").status_code == 200
    assert api("ministry_leader").get(f"/api/v1/statements/{s['id']}").status_code == 200
    assert api("auditor").get(f"/api/v1/statements/{s['id']}").json["allowed_actions"] == []
    for name in ("spokesperson", "author", "outsider", "admin", "dn_spokesperson"):
        assert_error(api(name).get(f"/api/v1/statements/{s['id']}"), 404)
        assert_error(api(name).get(f"/api/v1/statements/{s['id']}/history"), 404)
        assert_error(api(name).get(f"/api/v1/statements/{s['id']}/versions"), 404)


def test_list_queries_do_not_grow_with_the_page(api, statement_in, count_queries):
    auditor = api("auditor")
    states = ("approved", "retracted", "escalated", "draft", "changes_requested")
    for state in states:
        statement_in(state)
    with count_queries() as few:
        assert auditor.get("/api/v1/statements?per_page=100").json["total"] >= 5
    for state in states * 3:
        statement_in(state)
    with count_queries() as many:
        assert auditor.get("/api/v1/statements?per_page=100").json["total"] >= 20
    # Logging the reads adds the same few whatever the page holds: the head lock (PostgreSQL), the head, one insert.
    assert len(many) == len(few) <= 15, many


def test_search_words_are_text_whatever_they_hold(api):
    """A search's words are written into its SQL (so PostgreSQL plans for them): quotes and wildcards stay text."""
    found = create(api, title="Tỷ lệ 50% ở khoa của bác sĩ O'Brien", body="Đường dẫn C:\\dữ_liệu")["id"]
    create(api, title="Tỷ lệ 500 ca", body="Không có ký tự đặc biệt.")
    for q in ("o'brien", "50%", "C:\\", "dữ_liệu", "Tỷ lệ 50% o'brien"):
        r = api("author").get("/api/v1/statements", query_string={"q": q})
        assert [s["id"] for s in r.json["items"]] == [found], q
    hostile = "'; DROP TABLE statements; --"
    assert api("author").get("/api/v1/statements", query_string={"q": hostile}).json["total"] == 0
    assert api("author").get(f"/api/v1/statements/{found}").status_code == 200


def test_only_words_with_a_trigram_are_sent_to_the_trigram_index():
    """pg_trgm answers a word with no three letters or digits in a row by every row: those scan the list instead."""
    from sqlalchemy.dialects import postgresql

    from statements.lifecycle.queries import holding_words

    sql = [
        str(c.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        for c in holding_words("c++ 19/5 Tử vong ab 2024")
    ]
    indexed = [not s.startswith("(statements.search_text || '')") for s in sql]
    assert indexed == [False, False, False, True, False, True], sql
