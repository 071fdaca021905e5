"""Qualifications and certificates as pure logic: the shipped catalogue (wealth-sales for R3
and above), a file with a mistake named by entry, a certificate's expiry day, validity on a
day, its state near expiry, and the pass mark."""

from __future__ import annotations

from datetime import date

import pytest

from bankcrm.core.enums import ProductRisk
from bankcrm.staff.training.qualifications import (
    CertificateState,
    QualificationsInvalid,
    assessment_passed,
    days_left,
    expiry_day,
    is_valid,
    load_shipped,
    parse_qualifications,
    state,
)

ISSUED = date(2026, 3, 10)


def test_the_shipped_catalogue_needs_wealth_sales_from_r3_up() -> None:
    catalogue = load_shipped()
    assert [catalogue.required_for(risk) for risk in ProductRisk] == [
        None,
        None,
        "wealth_sales",
        "wealth_sales",
        "wealth_sales",
    ]
    assert catalogue.name("wealth_sales", "zh-CN") == "理财产品销售资格"
    assert catalogue.name("wealth_sales", "en") == "Wealth product sales qualification"
    assert catalogue.name("unknown_code", "en") == "unknown_code"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            'version = "1"\n[[qualifications]]\ncode = "a"\nname = { zh = "甲" }\n'
            "required_for = []",
            "qualifications[0] (a).name",
        ),
        (
            'version = "1"\n[[qualifications]]\ncode = "a"\nname = { zh = "甲", en = "A" }\n'
            'required_for = ["R9"]',
            "qualifications[0] (a).required_for[0]",
        ),
        (
            'version = "1"\n[[qualifications]]\ncode = "a"\nname = { zh = "甲", en = "A" }\n'
            'required_for = ["R3"]\n[[qualifications]]\ncode = "b"\n'
            'name = { zh = "乙", en = "B" }\nrequired_for = ["R3"]',
            "R3 already needs 'a'",
        ),
        (
            'version = "1"\n[[qualifications]]\ncode = "a"\nname = { zh = "甲", en = "A" }\n'
            "required_for = []\nvalid_months = 12",
            "unknown key 'valid_months'",
        ),
    ],
)
def test_a_file_with_a_mistake_is_refused_naming_the_entry(text: str, named: str) -> None:
    with pytest.raises(QualificationsInvalid) as refused:
        parse_qualifications(text, origin="bank.toml")
    assert str(refused.value).startswith("bank.toml: ")
    assert named in str(refused.value)


def test_a_certificate_expires_the_day_before_its_months_are_up() -> None:
    assert expiry_day(ISSUED, 24) == date(2028, 3, 9)
    assert expiry_day(date(2026, 1, 31), 1) == date(2026, 2, 27)
    assert expiry_day(date(2024, 2, 29), 12) == date(2025, 2, 27)
    assert expiry_day(ISSUED, None) is None


def test_a_certificate_is_valid_from_its_issue_to_its_expiry_day_both_included() -> None:
    expires = date(2027, 3, 9)
    valid = [
        is_valid(issued_on=ISSUED, expires_on=expires, revoked=False, on=day)
        for day in (date(2026, 3, 9), ISSUED, expires, date(2027, 3, 10))
    ]
    assert valid == [False, True, True, False]
    assert not is_valid(issued_on=ISSUED, expires_on=expires, revoked=True, on=ISSUED)
    assert is_valid(issued_on=ISSUED, expires_on=None, revoked=False, on=date(2099, 1, 1))


@pytest.mark.parametrize(
    ("today", "expected", "left"),
    [
        (date(2026, 3, 9), CertificateState.NOT_YET_VALID, 365),
        (date(2027, 2, 6), CertificateState.VALID, 31),
        (date(2027, 2, 7), CertificateState.EXPIRING, 30),
        (date(2027, 3, 9), CertificateState.EXPIRING, 0),
        (date(2027, 3, 10), CertificateState.EXPIRED, -1),
    ],
)
def test_a_certificate_is_expiring_within_the_warning_days(
    today: date, expected: CertificateState, left: int
) -> None:
    expires = date(2027, 3, 9)
    found = state(issued_on=ISSUED, expires_on=expires, revoked=False, today=today, warning_days=30)
    assert (found, days_left(expires, today)) == (expected, left)


def test_revoked_wins_and_a_certificate_that_never_expires_stays_valid() -> None:
    revoked = state(issued_on=ISSUED, expires_on=None, revoked=True, today=ISSUED, warning_days=30)
    lasting = state(
        issued_on=ISSUED, expires_on=None, revoked=False, today=date(2090, 1, 1), warning_days=30
    )
    assert (revoked, lasting) == (CertificateState.REVOKED, CertificateState.VALID)


def test_the_pass_mark_is_reached_or_not_and_a_course_without_one_has_no_result() -> None:
    assert assessment_passed(80.0, 80.0) is True
    assert assessment_passed(79.5, 80.0) is False
    assert assessment_passed(None, 80.0) is False
    assert assessment_passed(95.0, None) is None
