"""The service flow file, and each stage's standard against what tickets and inspections
measured, worked out by hand."""

from __future__ import annotations

import re
from datetime import time

import pytest

from bankcrm.branches.queue import flow
from bankcrm.branches.queue.flow import FlowInvalid, Observation, TicketMeasure, WaitPoint
from bankcrm.core.localized import LocalizedText


def test_the_shipped_flow_has_four_stages_in_order_with_zh_and_en_labels() -> None:
    shipped = flow.load_flow()
    assert [stage.code for stage in shipped.stages] == [
        "greeting",
        "consulting",
        "handling",
        "follow_up",
    ]
    assert shipped.stages[0].name.text("zh-CN") == "分流引导"
    assert shipped.stages[2].name.text("en") == "Handling"
    assert isinstance(shipped.stages[1].name, LocalizedText)
    assert shipped.stages[1].ticket_measure is TicketMeasure.WAIT
    assert shipped.stages[2].ticket_measure is TicketMeasure.SERVICE
    assert (shipped.opens, shipped.closes) == (time(9), time(17))
    assert {kind.code for kind in shipped.service_types} >= {"cash", "wealth", "account_opening"}


def test_each_stage_is_measured_by_tickets_or_inspections() -> None:
    shipped = flow.load_flow()
    observations = [
        Observation("ETQ-01", "s", 30.0, False),  # 0.5 min to greet
        Observation("ETQ-01", "s", 6.0, True),  # 0.1 min
        Observation("ETQ-02", None, None, True),
        Observation("EFF-01", "min", 18.0, False),
        Observation("EFF-02", "min", 4.0, True),
        Observation("PRC-04", None, None, False),
        Observation("PRC-03", None, None, True),
        Observation("ENV-03", "%", 99.5, True),  # a share, not a time: times no stage
    ]
    figures = {
        each.stage.code: each
        for each in flow.measure(
            shipped, waits=[10.0, 20.0, 3.0], services=[4.0, 8.0], observations=observations
        )
    }
    greeting = figures["greeting"]
    assert greeting.ticket_minutes is None
    assert greeting.inspection_minutes == pytest.approx(0.3)
    assert greeting.measured_minutes == pytest.approx(0.3)
    assert greeting.over_standard == pytest.approx(0.3 - 2)
    assert (greeting.checked, greeting.passed) == (3, 2)
    consulting = figures["consulting"]
    # tickets see every visit, the inspection one sample: the tickets' mean counts
    assert consulting.ticket_minutes == pytest.approx(11.0)
    assert consulting.inspection_minutes == 18.0
    assert consulting.measured_minutes == pytest.approx(11.0)
    assert consulting.over_standard == pytest.approx(11.0 - 15)
    handling = figures["handling"]
    assert handling.ticket_minutes == 6.0 and handling.tickets == 2
    assert handling.over_standard == pytest.approx(1.0)
    follow_up = figures["follow_up"]
    assert follow_up.measured_minutes is None and follow_up.over_standard is None
    assert (follow_up.checked, follow_up.passed, follow_up.passed_share) == (2, 1, 0.5)


def test_wait_points_take_the_tickets_measure_of_their_step() -> None:
    figures = flow.measure(flow.load_flow(), waits=[12.0], services=[5.0], observations=[])
    points = flow.wait_points(
        [
            WaitPoint("queue_wait", "consulting"),
            WaitPoint("counter_time", "handling"),
            WaitPoint("phone_wait", "follow_up"),
            WaitPoint("elsewhere", "no_such_step"),
        ],
        figures,
    )
    measured = {point.point.code: point.measured_minutes for point in points}
    assert measured == {
        "queue_wait": 12.0,
        "counter_time": 5.0,
        "phone_wait": None,
        "elsewhere": None,
    }


FLOW = """
opens = "09:00"
closes = "17:00"
[[service_types]]
code = "cash"
name = { zh = "现金", en = "Cash" }
[[stages]]
code = "greeting"
name = { zh = "分流引导", en = "Greeting" }
standard_minutes = 2
timed_standards = []
checked_standards = []
"""


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            ("standard_minutes = 2", "standard_minutes = -1"),
            "stages[0] (greeting).standard_minutes",
        ),
        (('closes = "17:00"', 'closes = "08:00"'), "closes"),
        (('opens = "09:00"', 'opens = "9 o\'clock"'), "opens"),
        (
            ("standard_minutes = 2", 'standard_minutes = 2\nticket_measure = "queue"'),
            "ticket_measure",
        ),
        (('en = "Cash"', 'fr = "Espèces"'), "service_types[0] (cash).name"),
        (("timed_standards = []", "timed_standards = []\ncolour = 1"), "unknown key 'colour'"),
    ],
)
def test_a_flow_file_that_cannot_be_used_is_refused_by_entry(
    change: tuple[str, str], named: str
) -> None:
    assert flow.parse_flow(FLOW).stages[0].standard_minutes == 2
    with pytest.raises(FlowInvalid, match=re.escape(named)):
        flow.parse_flow(FLOW.replace(*change))
