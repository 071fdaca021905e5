"""Why a page form was not carried out, shown above the form it came from."""

from __future__ import annotations

from dataclasses import dataclass

from bankcrm.web.i18n import gettext


@dataclass(frozen=True)
class Problem:
    """A headline in the catalog's words and, below it, the service's own message."""

    headline: str
    detail: str | None = None

    def translated(self, locale: str) -> Problem:
        return Problem(gettext(locale, self.headline), self.detail)


def translated(problem: Problem | None, locale: str) -> Problem | None:
    return None if problem is None else problem.translated(locale)
