"""Peak memory of checking a small PNG with very many pixels (1-bit, ≈ 20 KB for 13,000 × 13,000): today's
``photo_check`` (header read, refused before decoding) beside the steps it took before the pixel limit (verify,
then decode and re-encode the copies under Pillow's default bomb limit). Each runs in its own process; the
number is the growth of that process's peak resident memory (ru_maxrss) during the check.
  .venv/bin/python bench/photo_pixels.py [--side 13000]"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
PILLOW_DEFAULT_LIMIT = 1024 * 1024 * 1024 // 4 // 3  # Pillow's own Image.MAX_IMAGE_PIXELS


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run_once(mode: str, side: int) -> None:
    sys.path.insert(0, str(HERE.parent))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings_test")
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.photos import copies_of, photo_check
    from gridgov.errors import ValidationFailed
    from gridgov.testing import png_of_pixels

    content = png_of_pixels(side, side)
    before = peak_mb()
    started = time.perf_counter()
    outcome = "accepted"
    if mode == "now":
        try:
            photo_check(SimpleUploadedFile("p.png", content))
        except ValidationFailed as error:
            outcome = error.code
    else:
        Image.MAX_IMAGE_PIXELS = PILLOW_DEFAULT_LIMIT
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
            copies_of(content)
        except Image.DecompressionBombError:
            outcome = "DecompressionBombError (500)"
    seconds = time.perf_counter() - started
    print(f"{peak_mb() - before:.1f} {seconds:.3f} {len(content)} {outcome}")


def measure(mode: str, side: int) -> tuple[float, float, int, str]:
    result = subprocess.run(
        [sys.executable, __file__, "--side", str(side), "--once", mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    growth, seconds, size, outcome = result.stdout.strip().splitlines()[-1].split(" ", 3)
    return float(growth), float(seconds), int(size), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=13_000)
    parser.add_argument("--once", choices=["now", "before"])
    arguments = parser.parse_args()
    if arguments.once:
        run_once(arguments.once, arguments.side)
        return
    now = measure("now", arguments.side)
    before = measure("before", arguments.side)
    side = arguments.side
    print(f"PNG of {side} × {side} pixels, {now[2] / 1024:.0f} KB")
    print(f"before the pixel limit: +{before[0]:.0f} MB peak, {before[1]:.2f} s, {before[3]}")
    print(f"photo_check now:        +{now[0]:.1f} MB peak, {now[1]:.3f} s, {now[3]}")
    print(f"ratio (peak memory before / now, now counted as at least 1 MB): {before[0] / max(now[0], 1.0):.0f}×")
    assert now[3] == "photo_too_many_pixels" or side * side <= 50_000_000, now


if __name__ == "__main__":
    main()
