"""Area codes (DESIGN §4): GB/T 2260 county + GB/T 10114 street/town + community + grid sequence."""

from __future__ import annotations

from django.utils.translation import gettext as _

from areas.choices import CODE_LENGTH, PARENT_LEVEL, AreaLevel

# GB/T 10114: 001–099 街道, 100–199 镇, 200–399 乡.
STREET_RANGES = ((1, 99, "街道"), (100, 199, "镇"), (200, 399, "乡"))
# Community/village part of the 统计用区划代码: 001–199 居委会, 200–399 村委会.
COMMUNITY_RANGE = (1, 399)
GRID_RANGE = (1, 999)


def level_for_code(code: str) -> AreaLevel | None:
    for level, length in CODE_LENGTH.items():
        if len(code) == length:
            return AreaLevel(level)
    return None


def parent_code(code: str) -> str | None:
    """The code of the parent area: the code without its last segment."""
    level = level_for_code(code)
    if level is None or level == AreaLevel.DISTRICT:
        return None
    return code[: CODE_LENGTH[PARENT_LEVEL[level]]]


def ancestor_codes(code: str) -> list[str]:
    """Codes of all ancestors, from the district down to the parent."""
    return [code[:length] for length in (6, 9, 12) if length < len(code)]


def lineage_codes(code: str) -> list[str]:
    """The area's own code after its ancestors': the areas whose subtree holds ``code``."""
    return [*ancestor_codes(code), code]


def code_problem(code: str, level: str, parent: str | None) -> str | None:
    """Why ``code`` is not a valid code for an area of ``level`` under ``parent``; None when valid."""
    if not code:
        return _("缺少编码")
    if not code.isascii() or not code.isdigit():
        return _("编码“%(code)s”只能由数字组成") % {"code": code}
    try:
        expected_length = CODE_LENGTH[AreaLevel(level)]
    except ValueError:
        return _("未知的区域层级“%(level)s”") % {"level": level}
    if len(code) != expected_length:
        return _("%(level)s编码应为 %(length)d 位，“%(code)s”为 %(actual)d 位") % {
            "level": AreaLevel(level).label,
            "length": expected_length,
            "code": code,
            "actual": len(code),
        }
    if level == AreaLevel.DISTRICT:
        if code[:2] == "00" or code[4:] == "00":
            return _("区县编码“%(code)s”不是有效的 GB/T 2260 县级编码") % {"code": code}
        return None
    if parent is not None and not code.startswith(parent):
        return _("编码“%(code)s”与上级编码“%(parent)s”不一致") % {"code": code, "parent": parent}
    segment = int(code[-3:])
    if level == AreaLevel.STREET and not any(low <= segment <= high for low, high, _kind in STREET_RANGES):
        return _("街道/乡镇编码后三位“%(segment)s”不在 GB/T 10114 的范围（001–399）内") % {"segment": code[-3:]}
    if level == AreaLevel.COMMUNITY and not COMMUNITY_RANGE[0] <= segment <= COMMUNITY_RANGE[1]:
        return _("社区/村编码后三位“%(segment)s”不在 001–399 范围内") % {"segment": code[-3:]}
    if level == AreaLevel.GRID and not GRID_RANGE[0] <= segment <= GRID_RANGE[1]:
        return _("网格序号“%(segment)s”不在 001–999 范围内") % {"segment": code[-3:]}
    return None
