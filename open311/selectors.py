"""Open311 request tokens: the handle a client gets for a submitted request, and the case number it leads to.
A token is signed, not stored: a retried submission gets the same one."""

from __future__ import annotations

import datetime as dt

from django.core import signing

from cases.models import Report

TOKEN_SALT = "open311.token"


class _ReportTokenSigner(signing.TimestampSigner):
    """Signs a report's token with the report's own time, so that a retried request gets the same token."""

    def __init__(self, at: dt.datetime) -> None:
        super().__init__(salt=TOKEN_SALT)
        self.at = at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.at.timestamp()))


def report_token(report: Report) -> str:
    """The token a client gets for a report it submitted (signed, so nothing is stored for it)."""
    return _ReportTokenSigner(report.created_at).sign_object(report.pk)


def case_number_of_token(token: str) -> str | None:
    """The number of the case a token's report belongs to; None for a token this site did not sign."""
    try:
        report_pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    number: str | None = Report.objects.filter(pk=report_pk).values_list("case__number", flat=True).first()
    return number
