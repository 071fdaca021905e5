"""The corporate rating pages: the scorecard form built from the TOML model in the
viewer's language, the stored rating with its points, and the branch manager's review
queue."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.credit.test_ratings_service import MIDDLING
from tests.small_bank import SmallBank
from tests.web.test_pages import csrf_of, log_in


def _submit_on_page(client: TestClient, customer: int, answers: dict[str, Any]) -> Any:
    form = client.get(f"/customers/{customer}/rating")
    assert form.status_code == 200
    data = {code: str(value) for code, value in answers.items()}
    return client.post(
        f"/customers/{customer}/rating",
        data={**data, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )


def test_the_form_is_the_scorecard_in_the_viewer_s_language(
    client: TestClient, small_bank: SmallBank
) -> None:
    log_in(client, small_bank.manager_a)
    chinese = client.get(f"/customers/{small_bank.book_a[0]}/rating").text
    assert "所处行业前景" in chinese and "产业政策" in chinese
    client.get("/lang/en?next=/")
    page = client.get(f"/customers/{small_bank.book_a[0]}/rating").text
    assert 'data-testid="rating-form"' in page
    assert "Industry outlook" in page and "Corporate customer credit rating scorecard" in page
    assert page.count("<select") == 6
    assert 'name="debt_to_assets"' in page and 'name="revenue_growth"' in page


def test_a_rating_entered_on_the_page_shows_its_points_and_is_reviewed(
    client: TestClient, small_bank: SmallBank
) -> None:
    company = small_bank.book_a[0]
    log_in(client, small_bank.manager_a)
    client.get("/lang/en?next=/")
    posted = _submit_on_page(client, company, MIDDLING)
    assert posted.status_code == 303, posted.text
    page = client.get(posted.headers["location"]).text
    assert 'data-testid="rating-saved"' in page
    assert 'data-testid="rating-grade">BB<' in page
    assert 'data-testid="rating-total">59<' in page
    assert 'data-testid="rating-status">waiting for review<' in page
    assert "7 / 14" in page  # debt to assets 0.6
    assert 'data-testid="rating-costliest"' in page
    assert "Debt to assets" in page

    client.post("/logout", data={"csrf_token": csrf_of(page)})
    client.cookies.clear()
    log_in(client, small_bank.branch_manager)
    client.get("/lang/en?next=/")
    queue = client.get("/ratings")
    assert queue.status_code == 200
    assert 'data-testid="approve-rating"' in queue.text and "59 / 100" in queue.text
    rating_id = queue.text.split('data-testid="queued-rating-')[1].split('"')[0]
    reviewed = client.post(
        f"/ratings/{rating_id}/review",
        data={"approve": "1", "version": "1", "note": "checked", "csrf_token": csrf_of(queue.text)},
        follow_redirects=False,
    )
    assert reviewed.status_code == 303, reviewed.text
    after = client.get(reviewed.headers["location"]).text
    assert 'data-testid="credit-grade">BB<' in after
    assert 'data-testid="rating-status">approved<' in after and "checked" in after
    assert 'data-testid="queue-empty"' in client.get("/ratings").text


def test_a_stale_review_is_refused_on_the_page(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.manager_a)
    assert _submit_on_page(client, small_bank.book_a[0], MIDDLING).status_code == 303
    client.cookies.clear()
    log_in(client, small_bank.branch_manager)
    queue = client.get("/ratings").text
    rating_id = queue.split('data-testid="queued-rating-')[1].split('"')[0]
    stale = client.post(
        f"/ratings/{rating_id}/review",
        data={"approve": "1", "version": "7", "csrf_token": csrf_of(queue)},
        follow_redirects=False,
    )
    assert stale.status_code == 409 and 'data-testid="problem"' in stale.text


def test_an_individual_has_no_form_and_a_bad_answer_is_shown_again(
    client: TestClient, small_bank: SmallBank
) -> None:
    log_in(client, small_bank.manager_a)
    page = client.get(f"/customers/{small_bank.book_a[1]}/rating").text
    assert 'data-testid="not-corporate"' in page and 'data-testid="rating-form"' not in page
    refused = _submit_on_page(client, small_bank.book_a[1], MIDDLING)
    assert refused.status_code == 422 and 'data-testid="problem"' in refused.text
    wrong = _submit_on_page(client, small_bank.book_a[0], {**MIDDLING, "current_ratio": "abc"})
    assert wrong.status_code == 422 and 'value="abc"' in wrong.text


def test_out_of_scope_and_by_role(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.manager_b)
    assert client.get(f"/customers/{small_bank.book_a[0]}/rating").status_code == 404
    assert client.get("/ratings").status_code == 403
