"""``makemessages`` that also extracts ``_l(...)``: modules that need both gettext and gettext_lazy import the
lazy one as ``_l`` (e.g. cases/workflow.py), which xgettext does not know by default."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
