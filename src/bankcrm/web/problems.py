"""Why a page form was not carried out, shown above the form it came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bankcrm.core.exceptions import BankcrmError, Conflict, NotFound, PermissionDenied
from bankcrm.web.i18n import gettext


@dataclass(frozen=True)
class Problem:
    """A headline in the catalog's words and, below it, the service's own message.

    Both are catalog message ids until :meth:`translated`; a detail with ``detail_params``
    is filled in with them after translation (a domain error's ``msgid`` and ``params``)."""

    headline: str
    detail: str | None = None
    detail_params: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, headline: str, error: BankcrmError) -> Problem:
        """The headline over the error's own message, to be read in the reader's language."""
        return cls(headline, error.msgid, error.params)

    def translated(self, locale: str) -> Problem:
        detail = self.detail
        if detail is not None:
            detail = gettext(locale, detail)
            if self.detail_params:
                detail = detail % self.detail_params
        return Problem(gettext(locale, self.headline), detail)


def translated(problem: Problem | None, locale: str) -> Problem | None:
    return None if problem is None else problem.translated(locale)


def refusal(
    session: Session, error: BankcrmError, *, conflict: str, denied: str, otherwise: str
) -> Problem:
    """Why a form on an object's page was refused, after undoing what it wrote.

    An object outside the viewer's scope stays a plain 404, telling nothing about it; the
    headlines are catalog messages for a lost race, a refused permission and anything else."""
    if isinstance(error, NotFound):
        raise error
    # nothing of a refused form may be committed with the page
    session.rollback()
    if isinstance(error, Conflict):
        headline = conflict
    elif isinstance(error, PermissionDenied):
        headline = denied
    else:
        headline = otherwise
    return Problem.of(headline, error)
