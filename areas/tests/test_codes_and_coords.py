import numpy as np
import pytest

from areas import coords
from areas.codes import ancestor_codes, code_problem, parent_code


@pytest.mark.parametrize(
    ("code", "level", "parent", "problem"),
    [
        ("110101", "district", None, None),
        ("110101001", "street", "110101", None),
        ("110101101", "street", "110101", None),  # 镇
        ("110101399", "street", "110101", None),  # 乡
        ("110101400", "street", "110101", "GB/T 10114"),
        ("110101000", "street", "110101", "GB/T 10114"),
        ("110102001", "street", "110101", "与上级编码"),
        ("11010100100", "community", "110101001", "应为 12 位"),
        ("110101001001", "community", "110101001", None),
        ("110101001001001", "grid", "110101001001", None),
        ("110101001002001", "grid", "110101001001", "与上级编码"),
        ("110101001001000", "grid", "110101001001", "001–999"),
        ("11010100100100A", "grid", "110101001001", "只能由数字"),
        ("", "grid", "110101001001", "缺少编码"),
    ],
)
def test_code_problem(code, level, parent, problem):
    found = code_problem(code, level, parent)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_parent_and_ancestors():
    assert parent_code("110101001001001") == "110101001001"
    assert parent_code("110101") is None
    assert ancestor_codes("110101001001001") == ["110101", "110101001", "110101001001"]


# Published reference points: eviltransform's test vectors (wgs → gcj) and coordtransform's (bd ↔ gcj).
EVILTRANSFORM = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_published_vectors(wgs, gcj):
    lon, lat = coords.wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9) and lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM)
def test_gcj02_to_wgs84_is_exact_inverse(wgs, gcj):
    lon, lat = coords.gcj02_to_wgs84(*gcj)
    assert lon == pytest.approx(wgs[0], abs=1e-8) and lat == pytest.approx(wgs[1], abs=1e-8)  # ≈ 1 mm


def test_bd09_matches_published_vectors():
    assert np.allclose(coords.bd09_to_gcj02(116.404, 39.915), (116.39762729119315, 39.90865673957631), atol=1e-12)
    assert np.allclose(coords.gcj02_to_bd09(116.404, 39.915), (116.41036949371029, 39.92133699351021), atol=1e-12)
    assert np.allclose(coords.wgs84_to_gcj02(116.404, 39.915), (116.41024449916938, 39.91640428150164), atol=1e-12)


def test_round_trips_and_outside_china_unchanged():
    rng = np.random.default_rng(3)
    lons, lats = rng.uniform(74, 134, 1000), rng.uniform(18, 53, 1000)
    # GCJ-02 is inverted exactly; the published BD-09 inverse is itself approximate (≈ 0.1 m).
    for datum, tolerance in (("gcj02", 1e-9), ("bd09", 2e-6)):
        back = coords.to_wgs84(*coords.from_wgs84(lons, lats, datum), datum)
        assert np.abs(back[0] - lons).max() < tolerance and np.abs(back[1] - lats).max() < tolerance
    tokyo = coords.wgs84_to_gcj02(139.767125, 35.681236)
    assert (float(tokyo[0]), float(tokyo[1])) == (139.767125, 35.681236)
    with pytest.raises(ValueError):
        coords.to_wgs84(1, 1, "mars")
