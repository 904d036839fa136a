"""Every change of a case, one function each (DESIGN §5), split by stage. Pages, the API, the demo and the
periodic job call these; ``from cases.services import X`` reaches each public name.

:mod:`~cases.services.base` holds the one function that changes a case (:func:`transition_apply`) and
:mod:`~cases.services.events` the one that builds and writes a case event.
"""

from cases import clock
from cases.services.base import (
    Change,
    Transitioned,
    category_checked,
    department_checked,
    field_worker_checked,
    field_workers_of,
    photos_store,
    priority_default,
    text_checked,
    transition_apply,
)
from cases.services.checking import (
    case_check,
    case_check_by_rule,
    case_check_request,
    case_close,
    case_evaluate,
    check_worker_by_rule,
)
from cases.services.dispatching import case_dispatch
from cases.services.events import event_build, events_publish, events_save
from cases.services.filing import case_file
from cases.services.handling import case_accept_task, case_photos_add, case_report_result
from cases.services.intake import (
    ANONYMOUS_SOURCES,
    H3_RESOLUTION,
    SOURCES_BY_ROLE,
    CheckedReport,
    IntakeResult,
    ReportData,
    case_accept,
    case_merge,
    case_number_next,
    case_reject,
    case_support,
    case_verify,
    case_verify_request,
    report_check,
    report_submit,
)
from cases.services.lists import (
    BULK_LIMIT,
    BulkResult,
    cases_accept_many,
    cases_dispatch_many,
    list_query,
    saved_filter_delete,
    saved_filter_save,
)
from cases.services.requests import case_request_decide, case_request_open, case_resume
from cases.services.supervision import (
    case_escalate,
    case_expedite,
    case_summon,
    case_summons_confirm,
    case_supervise,
    case_urge,
    level_above,
)

__all__ = [
    "ANONYMOUS_SOURCES",
    "BULK_LIMIT",
    "H3_RESOLUTION",
    "SOURCES_BY_ROLE",
    "BulkResult",
    "Change",
    "CheckedReport",
    "IntakeResult",
    "ReportData",
    "Transitioned",
    "case_accept",
    "case_accept_task",
    "case_check",
    "case_check_by_rule",
    "case_check_request",
    "case_close",
    "case_dispatch",
    "case_escalate",
    "case_evaluate",
    "case_expedite",
    "case_file",
    "case_merge",
    "case_number_next",
    "case_photos_add",
    "case_reject",
    "case_report_result",
    "case_request_decide",
    "case_request_open",
    "case_resume",
    "case_summon",
    "case_summons_confirm",
    "case_supervise",
    "case_support",
    "case_urge",
    "case_verify",
    "case_verify_request",
    "cases_accept_many",
    "cases_dispatch_many",
    "category_checked",
    "check_worker_by_rule",
    "clock",
    "department_checked",
    "event_build",
    "events_publish",
    "events_save",
    "field_worker_checked",
    "field_workers_of",
    "level_above",
    "list_query",
    "photos_store",
    "priority_default",
    "report_check",
    "report_submit",
    "saved_filter_delete",
    "saved_filter_save",
    "text_checked",
    "transition_apply",
]
