"""IDs and phones are masked for viewers who do not need them, in templates and in logs."""

import logging

import pytest
from django.template import Context, Template

from tests.factories import subjects as make
from yimen.subjects import services
from yimen.subjects.masking import MaskingFilter, mask_id, mask_name, mask_phone, mask_text

GRANDMA = make.resident_id("19530312", "002")


def test_masks_keep_the_ends_only():
    assert mask_id(GRANDMA) == "2201**********0028"
    assert mask_id("11010519491231002X") == "1101**********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0431-84600000") == "043******0000"
    assert mask_id(None) == mask_phone("") == ""


@pytest.mark.parametrize(
    ("name", "kept", "masked"),
    [
        ("王", (1, 1), "王"),
        ("王五", (1, 1), "王*"),
        ("张桂兰", (1, 1), "张*兰"),
        ("欧阳明月", (1, 1), "欧**月"),
        ("老王面馆", (2, 4), "老**馆"),
        ("长春市二道区老王面馆", (2, 4), "长春****老王面馆"),
    ],
)
def test_a_name_keeps_its_ends_and_always_hides_something(name, kept, masked):
    assert mask_name(name, *kept) == masked


def test_free_text_is_masked_but_other_numbers_are_left_alone():
    text = f"张桂兰 {GRANDMA}，电话13904310001，办件号 YM-2026-000123，金额 1050 分"
    assert mask_text(text) == (
        "张桂兰 2201**********0028，电话139****0001，办件号 YM-2026-000123，金额 1050 分"
    )


def test_the_template_filters_mask():
    rendered = Template("{% load masking %}{{ id|mask_id }} {{ phone|mask_phone }}").render(
        Context({"id": GRANDMA, "phone": "13904310001"})
    )
    assert rendered == "2201**********0028 139****0001"


def test_the_logging_filter_masks_messages_and_their_arguments(caplog):
    logger = logging.getLogger("yimen.test.masking")
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="yimen.test.masking"):
        logger.info("applicant %s phone %s", GRANDMA, "13904310001")
        logger.info(f"inline {GRANDMA}")
    assert caplog.messages == [
        "applicant 2201**********0028 phone 139****0001",
        "inline 2201**********0028",
    ]


@pytest.mark.django_db
def test_the_sms_log_never_holds_the_whole_phone_number(caplog):
    with caplog.at_level(logging.INFO, logger="yimen.subjects"):
        services.otp_send(phone="13904310001")
    assert "13904310001" not in caplog.text
    assert "139****0001" in caplog.text
