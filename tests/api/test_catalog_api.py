"""The public catalog API under /api/v1/: shapes, filters and error answers."""

import pytest

from tests.factories import public_catalog as sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    return sample.build()


def get(client, url, **params):
    response = client.get(f"/api/v1{url}", params)
    return response.status_code, response.json()


def has_chinese(message: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_items_list_shape(client, catalog):
    status, body = get(client, "/items", q="lnz")
    assert status == 200
    assert body == {
        "count": 1,
        "page": 1,
        "page_size": 20,
        "items": [
            {
                "code": sample.ELDERLY,
                "name": "老年人优待证",
                "item_type": "20",
                "item_type_name": "公共服务",
                "subject_type": "person",
                "department": {"code": "MZJ", "name": "区民政局"},
                "handling_type": "2",
                "committed_limit_days": 10,
                "status": "active",
                "cancel_reason": "",
                "url": f"/items/{sample.ELDERLY}/",
            }
        ],
    }


def test_items_filters(client, catalog):
    def found(**params):
        return [item["code"] for item in get(client, "/items", **params)[1]["items"]]

    assert found(department="SCJ", item_type="01") == [sample.FOOD_LICENCE]
    assert found(subject_type="organisation", theme="kaiban") == [
        sample.SOLE_TRADER,
        sample.FOOD_LICENCE,
    ]
    assert found(q="道路") == []
    assert found(q="道路", include_cancelled="true") == [sample.ROAD_OCCUPATION]


def test_items_are_paged_by_twenty(client, catalog):
    for n in range(21):
        sample.item(f"220105-MZJ-1{n:02d}", name=f"社会救助事项{n:02d}")
    _status, first = get(client, "/items", q="救助")
    _status, second = get(client, "/items", q="救助", page="2")
    assert (first["count"], len(first["items"]), len(second["items"])) == (21, 20, 1)
    assert second["items"][0]["code"] == "220105-MZJ-120"


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"page": "0"}, "bad_page", "page"),
        ({"page": "two"}, "bad_page", "page"),
        ({"page": "-1"}, "bad_page", "page"),
        ({"department": "NOPE"}, "unknown_department", "department"),
        ({"subject_type": "robot"}, "unknown_subject_type", "subject_type"),
        ({"item_type": "1"}, "unknown_item_type", "item_type"),
        ({"theme": "火星"}, "unknown_theme", "theme"),
        ({"include_cancelled": "perhaps"}, "bad_include_cancelled", "include_cancelled"),
        ({"q": "x" * 101}, "query_too_long", "q"),
    ],
)
def test_bad_list_parameters_answer_422_with_a_code(client, catalog, params, code, field):
    status, body = get(client, "/items", **params)
    assert status == 422
    assert (body["code"], body["field"]) == (code, field)
    assert has_chinese(body["message"])


def test_item_detail_has_the_whole_guide(client, catalog):
    status, body = get(client, f"/items/{sample.FOOD_LICENCE}")
    assert status == 200
    assert body["code"] == sample.FOOD_LICENCE
    assert (body["version"], body["version_status"], body["status"]) == (1, "published", "active")
    assert body["department"] == {"code": "SCJ", "name": "区市场监督管理局"}
    assert body["themes"] == [{"code": "kaiban", "name": "开办企业"}]
    assert (body["fee_fen"], body["fee_basis"]) == (1050, "吉林省物价局吉省价收〔2018〕1号")
    assert (body["legal_limit_days"], body["committed_limit_days"]) == (20, 10)
    assert (body["consult_phone"], body["complaint_phone"]) == ("0431-84600000", "0431-84600001")
    assert body["legal_bases"] == [
        {"law": "中华人民共和国老年人权益保障法", "article": "第五十七条", "text": ""}
    ]
    assert [m["name"] for m in body["materials"]] == ["营业执照", "经营场所使用证明"]
    lease = body["materials"][1]
    assert {k: lease[k] for k in ("kind", "form", "originals", "copies", "necessity")} == {
        "kind": "lease",
        "form": "electronic",
        "originals": 0,
        "copies": 3,
        "necessity": "tolerable",
    }
    assert [(s["order"], s["kind"], s["role"]) for s in body["stages"]] == [
        (1, "accept", "clerk"),
        (2, "decision", "approver"),
    ]
    for guide_field in (
        "acceptance_conditions",
        "handling_locations",
        "delivery_modes",
        "visits_required",
        "online_depth_name",
    ):
        assert body[guide_field], guide_field
    assert body["notice_url"] == f"/items/{sample.FOOD_LICENCE}/notice.pdf?version=1"


def test_item_detail_of_another_version(client, catalog):
    sample.revise(catalog.food_licence, change_note="更名", name="食品经营许可（告知承诺）")
    _status, current = get(client, f"/items/{sample.FOOD_LICENCE}")
    _status, first = get(client, f"/items/{sample.FOOD_LICENCE}", version="1")
    assert (current["version"], current["name"]) == (2, "食品经营许可（告知承诺）")
    assert (first["version"], first["version_status"], first["name"]) == (
        1,
        "retired",
        "食品经营许可",
    )
    assert [(v["number"], v["change_note"]) for v in current["versions"]] == [(2, "更名"), (1, "")]


def test_a_cancelled_item_is_readable_and_says_so(client, catalog):
    status, body = get(client, f"/items/{sample.ROAD_OCCUPATION}")
    assert status == 200
    assert (body["status"], body["cancel_reason"]) == ("cancelled", "已下放至街道办理")


@pytest.mark.parametrize(
    ("url", "params", "status", "code"),
    [
        ("/items/220105-NOPE-001", {}, 404, "item_not_found"),
        (f"/items/{sample.ELDERLY}", {"version": "7"}, 404, "version_not_found"),
        (f"/items/{sample.ELDERLY}", {"version": "first"}, 422, "bad_version"),
        ("/bundles/NOPE", {}, 404, "bundle_not_found"),
    ],
)
def test_unknown_codes_answer_with_a_code_and_chinese_message(
    client, catalog, url, params, status, code
):
    answered, body = get(client, url, **params)
    assert answered == status
    assert body["code"] == code
    assert has_chinese(body["message"])


def test_bundles(client, catalog):
    status, bundles = get(client, "/bundles")
    assert status == 200
    assert bundles == [
        {
            "code": sample.BUNDLE,
            "name": "老年证和新生儿医保一起办",
            "description": "为老人办优待证，同时为新生儿办理医保参保。",
            "themes": ["yanglao", "shengyu"],
            "items": [
                {
                    "code": sample.ELDERLY,
                    "name": "老年人优待证",
                    "url": f"/items/{sample.ELDERLY}/",
                },
                {
                    "code": sample.NEWBORN_INSURANCE,
                    "name": "城乡居民基本医疗保险参保登记",
                    "url": f"/items/{sample.NEWBORN_INSURANCE}/",
                },
            ],
            "url": f"/bundles/{sample.BUNDLE}/",
        }
    ]


def test_bundle_detail_merges_a_shared_material_once(client, catalog):
    status, body = get(client, f"/bundles/{sample.BUNDLE}")
    assert status == 200
    assert [i["code"] for i in body["items"]] == [sample.ELDERLY, sample.NEWBORN_INSURANCE]
    kinds = [m["kind"] for m in body["materials"]]
    assert kinds == ["id_card", "hukou", "photo", "birth_cert"]
    assert body["materials"][0]["for_items"] == ["老年人优待证", "城乡居民基本医疗保险参保登记"]
    assert (body["combined_limit_days"], body["combined_legal_days"], body["total_fee_fen"]) == (
        10,
        20,
        0,
    )


def test_departments_and_themes(client, catalog):
    _status, departments = get(client, "/departments")
    assert {"code": "SCJ", "name": "区市场监督管理局", "item_count": 2} in departments
    _status, themes = get(client, "/themes")
    assert [t["code"] for t in themes] == ["yanglao", "shengyu", "kaiban", "jiuye"]


def test_openapi_document_describes_the_catalog(client, catalog):
    status, document = get(client, "/openapi.json")
    assert status == 200
    for path in (
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/bundles",
        "/api/v1/bundles/{code}",
        "/api/v1/departments",
        "/api/v1/themes",
    ):
        assert path in document["paths"], path
    item_responses = document["paths"]["/api/v1/items/{code}"]["get"]["responses"]
    assert {"200", "404", "422"} <= set(item_responses)


def test_search_answers_with_one_query_once_the_index_is_built(
    client, catalog, django_assert_max_num_queries
):
    get(client, "/items")
    with django_assert_max_num_queries(1):
        get(client, "/items", q="lnz", department="MZJ")
