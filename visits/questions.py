"""The structured questions of a visit, per purpose: what a worker answers besides the free text (走访问答).

Answers are ``{purpose: {question: answer}}``; a choice is stored as its key, a yes/no as a boolean, a text as
text. A purpose without questions takes none. :func:`answers_checked` refuses anything else with a stable code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gridgov.errors import ValidationFailed
from visits.choices import VisitPurpose

P = VisitPurpose
CHOICE, TEXT, YES_NO = "choice", "text", "yes_no"
TEXT_MAX = 500


@dataclass(frozen=True)
class Question:
    key: str
    label: Any
    kind: str
    choices: tuple[tuple[str, Any], ...] = ()


def _choice(key: str, label: Any, *choices: tuple[str, Any]) -> Question:
    return Question(key, label, CHOICE, tuple(choices))


HEALTH = _choice("health", _l("身体状况"), ("good", _l("良好")), ("fair", _l("一般")), ("poor", _l("较差")))
NEEDS = Question("needs", _l("生活需求"), TEXT)

QUESTIONS: dict[str, tuple[Question, ...]] = {
    P.ELDERLY_ALONE: (HEALTH, NEEDS, Question("contact_reached", _l("紧急联系人已联系"), YES_NO)),
    P.DISABLED: (
        HEALTH,
        NEEDS,
        Question("aid_received", _l("已享受残疾人补贴"), YES_NO),
    ),
    P.HARDSHIP: (
        _choice("income", _l("收入状况"), ("stable", _l("稳定")), ("unstable", _l("不稳定")), ("none", _l("无收入"))),
        NEEDS,
        Question("relief_received", _l("已享受低保或救助"), YES_NO),
    ),
    P.NEWCOMER: (
        Question("registered", _l("已办理居住登记"), YES_NO),
        Question("work_place", _l("工作单位"), TEXT),
        _choice(
            "housing", _l("居住方式"), ("rented", _l("租住")), ("relatives", _l("投亲靠友")), ("other", _l("其他"))
        ),
    ),
    P.SAFETY_CHECK: (
        Question("hazard_found", _l("发现安全隐患"), YES_NO),
        Question("hazard", _l("隐患情况"), TEXT),
        Question("rectified", _l("已当场整改"), YES_NO),
    ),
    P.DISPUTE_SCREENING: (
        Question("dispute_found", _l("发现矛盾纠纷"), YES_NO),
        _choice("level", _l("矛盾程度"), ("minor", _l("一般")), ("serious", _l("较大")), ("acute", _l("激化"))),
        Question("mediated", _l("已当场调解"), YES_NO),
    ),
}


def questions_of(purpose: str) -> tuple[Question, ...]:
    return QUESTIONS.get(purpose, ())


def _refused(message: str, code: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=[{"field": field, "message": message}])


def _answer_checked(question: Question, value: Any, field: str) -> Any:
    if question.kind == YES_NO:
        if not isinstance(value, bool):
            raise _refused(_("“%(q)s”应回答是或否") % {"q": question.label}, "answer_invalid", field)
        return value
    if question.kind == CHOICE:
        if value not in {key for key, _label in question.choices}:
            raise _refused(_("“%(q)s”的回答不在可选项中") % {"q": question.label}, "answer_invalid", field)
        return value
    if not isinstance(value, str) or len(value) > TEXT_MAX:
        raise _refused(_("“%(q)s”应为不超过 500 字的文字") % {"q": question.label}, "answer_invalid", field)
    return value.strip()


def answers_checked(answers: Any, purposes: list[str]) -> dict[str, dict[str, Any]]:
    """The answers cleaned (empty texts dropped), or ValidationFailed: ``answer_purpose_not_chosen`` for a purpose
    the visit does not have, ``answer_unknown_question`` for a question its purpose does not ask,
    ``answer_invalid`` for an answer of the wrong kind."""
    if not isinstance(answers, Mapping):
        raise _refused(_("走访问答应为按事由分组的对象"), "answer_invalid", "answers")
    cleaned: dict[str, dict[str, Any]] = {}
    for purpose, given in answers.items():
        if purpose not in purposes:
            raise _refused(
                _("问答的事由“%(p)s”不是本次走访的事由") % {"p": purpose},
                "answer_purpose_not_chosen",
                f"answers.{purpose}",
            )
        if not isinstance(given, Mapping):
            raise _refused(_("走访问答应为按事由分组的对象"), "answer_invalid", f"answers.{purpose}")
        asked = {question.key: question for question in questions_of(purpose)}
        row: dict[str, Any] = {}
        for key, value in given.items():
            field = f"answers.{purpose}.{key}"
            if key not in asked:
                raise _refused(_("未知的问题“%(q)s”") % {"q": key}, "answer_unknown_question", field)
            if value is None or value == "":
                continue
            row[key] = _answer_checked(asked[key], value, field)
        if row:
            cleaned[purpose] = row
    return cleaned


def answers_shown(answers: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answers as a page lists them: each purpose's label and its (question, answer) labels in table order."""
    shown = []
    for purpose, given in answers.items():
        label = VisitPurpose(purpose).label if purpose in VisitPurpose.values else purpose
        rows = []
        for question in questions_of(purpose):
            if question.key not in given:
                continue
            value = given[question.key]
            if question.kind == YES_NO:
                text = _("是") if value else _("否")
            elif question.kind == CHOICE:
                text = str(dict(question.choices).get(value, value))
            else:
                text = str(value)
            rows.append((str(question.label), text))
        if rows:
            shown.append((str(label), rows))
    return shown
