"""The campaigns benchmark's store and launch on a tiny bank: every customer of the segment
becomes one member, the groups add up, and the control group is drawn only among those the
campaign may contact."""

from __future__ import annotations

from pathlib import Path

from bench import campaigns_child

from bankcrm.core.enums import CampaignChannel

CUSTOMERS = 2_000


def test_launch_freezes_every_customer_of_the_built_store(tmp_path: Path) -> None:
    store = tmp_path / "campaigns.db"
    built = campaigns_child.build(store, CUSTOMERS)

    launched = campaigns_child.launch(store, CampaignChannel.SMS)

    consents = built["consents"]
    assert isinstance(consents, int)
    assert launched["members"] == CUSTOMERS
    assert launched["excluded"] == {"no_consent": CUSTOMERS - consents}
    assert launched["treatment"] + launched["control"] == consents  # type: ignore[operator]
    assert 0 < launched["control"] < consents  # type: ignore[operator]
    assert launched["tasks"] == 0
    assert launched["stored"] == {
        "treatment": launched["treatment"],
        "control": launched["control"],
        "excluded": CUSTOMERS - consents,
    }
