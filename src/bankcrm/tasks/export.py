"""The task list as an Excel workbook, in the reader's language: one row per task, overdue
first as on the page. Text from the records (titles, notes, names) goes through
``core.workbook.append_row``, so none of it becomes a formula."""

from __future__ import annotations

from collections.abc import Sequence

from bankcrm.core.messages import _
from bankcrm.core.workbook import DAY_FORMAT, XLSX_MEDIA_TYPE, list_workbook
from bankcrm.tasks.schemas import TaskRead
from bankcrm.web.i18n import gettext
from bankcrm.web.labels import label_for

__all__ = ["FILENAME", "KIND_LABELS", "XLSX_MEDIA_TYPE", "kind_label", "workbook"]

FILENAME = "tasks.xlsx"


KIND_LABELS = {
    "retention": _("Retention"),
    "campaign_contact": _("Campaign contact"),
    "prospect_follow_up": _("Prospect follow-up"),
    "rating_downgrade": _("Rating downgrade"),
    "reassessment": _("Risk reassessment"),
    "complaint_deadline": _("Complaint deadline"),
}
"""The kinds the bank's own capabilities raise; a playbook's kind is shown by its code."""

HEADINGS = (
    _("Due date"),
    _("Overdue"),
    _("Title"),
    _("Kind"),
    _("Customer"),
    _("Customer number"),
    _("Owner"),
    _("Priority"),
    _("Status"),
    _("Postponements"),
    _("Reason for the last postponement"),
    _("Outcome"),
)


def kind_label(kind: str, locale: str) -> str:
    label = KIND_LABELS.get(kind)
    return gettext(locale, label) if label is not None else kind


def workbook(tasks: Sequence[TaskRead], locale: str) -> bytes:
    yes, no = gettext(locale, "Yes"), gettext(locale, "No")
    return list_workbook(
        gettext(locale, "Tasks"),
        [gettext(locale, heading) for heading in HEADINGS],
        (
            [
                task.due_on,
                yes if task.overdue else no,
                task.title,
                kind_label(task.kind, locale),
                task.customer_name,
                task.customer_number,
                task.assignee_name,
                label_for(task.priority, locale),
                label_for(task.status, locale),
                task.postponements,
                task.postponed_reason,
                task.outcome,
            ]
            for task in tasks
        ),
        formats=[DAY_FORMAT],
        widths=(12, 18),
    )
