from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from areas.models import Area
from areas.partition import partition_check_area


class Command(BaseCommand):
    help = "Check that an area's children tile it (overlaps, gaps, outside parts, codes, balance)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code")
        parser.add_argument("--boundary-version", dest="boundary_version", type=int, default=None)
        parser.add_argument("--json", action="store_true", help="Print the whole report as JSON.")

    def handle(self, *args: Any, code: str, boundary_version: int | None, **options: Any) -> None:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise CommandError(f"区域 {code} 不存在")
        report = partition_check_area(area, version=boundary_version)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(f"{area}：下级 {report.children} 个，边界版本 v{report.version}")
        gaps = len(report.gaps["features"])
        self.stdout.write(f"  重叠 {len(report.overlaps)} 处 {report.overlap_m2} m²")
        self.stdout.write(f"  缝隙 {gaps} 处 {report.gap_m2} m²")
        self.stdout.write(f"  越界 {len(report.outside)} 处 {report.outside_m2} m²")
        self.stdout.write(f"  重复编码 {report.duplicate_codes or '无'}；缺号 {report.missing_codes or '无'}")
        self.stdout.write(f"  与上级不符的编码 {report.bad_codes or '无'}")
        for row in report.outliers:
            self.stdout.write(f"  不均衡 {row['code']} {row['name']}：{'；'.join(row['problems'])}")
        self.stdout.write(self.style.SUCCESS("通过") if report.ok else self.style.ERROR("未通过"))
