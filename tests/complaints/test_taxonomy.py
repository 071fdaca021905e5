"""The complaint taxonomy file: labels as bank-authored bilingual text, and errors that name
the file and the key at fault."""

from __future__ import annotations

import pytest

from bankcrm.complaints.taxonomy import load_taxonomy, parse_taxonomy
from bankcrm.core.localized import LocalizedText

GOOD = """
[product_lines]
cards = { zh = "信用卡", en = "Credit cards" }
[issues]
fees = { zh = "收费", en = "Fees" }
[root_causes]
staff_error = { zh = "员工未按标准操作", en = "Staff did not follow the standard", gap = 3 }
unfounded = { zh = "投诉不成立", en = "Complaint unfounded", gap = 0 }
"""


def test_labels_are_localized_text_and_gaps_are_read() -> None:
    taxonomy = parse_taxonomy(GOOD)
    assert taxonomy.product_lines["cards"] == LocalizedText.of(zh="信用卡", en="Credit cards")
    assert taxonomy.issue("fees", "zh_CN") == "收费" and taxonomy.issue("fees", "en") == "Fees"
    assert taxonomy.root_cause("staff_error", "en") == "Staff did not follow the standard"
    assert taxonomy.gap_of("staff_error") == 3 and taxonomy.gap_of("unfounded") is None
    assert taxonomy.issue("unknown", "en") == "unknown"


def test_the_shipped_taxonomy_reads() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.gap_of("overpromised") == 4 and "other" in taxonomy.issues


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        (GOOD.replace(', en = "Fees"', ""), "issues.fees.en"),
        (GOOD.replace("gap = 3", "gap = 7"), "root_causes.staff_error.gap"),
        (GOOD.replace(", gap = 0", ""), "root_causes.unfounded.gap"),
        (GOOD.replace('zh = "信用卡"', 'zh = "  "'), "product_lines.cards.zh"),
        (GOOD.replace("[issues]\nfees", "[issues]\n#"), "issues"),
        (GOOD + "\n[extra]\nx = 1\n", "extra"),
        ("[product_lines", "not valid TOML"),
    ],
)
def test_an_error_names_the_file_and_the_key(broken: str, named: str) -> None:
    with pytest.raises(ValueError, match=r"^bank/taxonomy\.toml: ") as raised:
        parse_taxonomy(broken, source="bank/taxonomy.toml")
    assert named in str(raised.value)
