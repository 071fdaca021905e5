"""Fixtures the attack suite shares with the feature tests."""

from tests.complaints.test_desk import desk as desk
