from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from areas.models import Area
from demo.build import demo_build
from demo.district import DEMO_PASSWORD, DEMO_USERS, DISTRICT_CODE
from maps.basemap import basemap_write


class Command(BaseCommand):
    help = "Build the demo district (北京市东城区): areas, grids, departments, users, buildings and residents."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="1 ≈ 68 grids and 60,000 residents; the grid count grows with the scale (17 ≈ 1,000,000).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same district).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the district already exists.")

    def handle(self, *args: Any, scale: float, seed: int, if_empty: bool, **options: Any) -> None:
        if Area.objects.filter(code=DISTRICT_CODE).exists():
            if if_empty:
                self.stdout.write("演示数据已存在，跳过。")
                self._basemap(only_if_missing=True)
                self._print_users()
                return
            raise CommandError("演示区县已存在：请使用空数据库（或加 --if-empty 跳过）。")
        if scale <= 0:
            raise CommandError("--scale 必须大于 0")
        bars: list[tqdm] = []

        def progress_factory(label: str, total: int) -> Callable[[int], None]:
            bar = tqdm(total=total, desc=label, unit="", file=self.stderr, leave=True)
            bars.append(bar)
            return bar.update

        result = demo_build(scale, seed, progress_factory)
        for bar in bars:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"东城区演示数据：{result['areas']} 个区域（{result['grids']} 个网格），{result['buildings']} 栋楼，"
                f"{result['houses']} 套房屋，{result['households']} 户，{result['persons']} 名居民，"
                f"{result['tags']} 个人员标签，{result['places']} 个单位场所，{result['components']} 个部件，"
                f"近一个月立案 {result['cases']} 件，巡查 {result['patrols']} 次"
                f"（{result['track_points']} 个定位点，{result['checkins']} 次签到），走访 {result['visits']} 次，"
                f"民情日志 {result['diary_entries']} 篇，待走访 {result['due_visits_open']} 人次。"
            )
        )
        self._basemap(only_if_missing=False)
        self._print_users()

    def _basemap(self, only_if_missing: bool) -> None:
        """The demo's offline base map from its own areas and buildings, unless a tile server is configured."""
        path = settings.MAP_BASEMAP_PMTILES
        if settings.MAP_TILE_URL or (only_if_missing and path.exists()):
            return
        written = basemap_write(path)
        self.stdout.write(f"底图：{written.tiles} 个矢量瓦片，{written.size / 1024:.0f} KiB（{written.path}）")

    def _print_users(self) -> None:
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<16} {demo.role.label:<10} {demo.full_name}")
