"""Coordinate conversion between WGS-84, GCJ-02 (高德/腾讯) and BD-09 (百度): the only place that does it.

All functions take and return numpy arrays (or scalars) of longitudes and latitudes and are vectorised.
GCJ-02 is the published "eviltransform" algorithm; its inverse is solved exactly by fixed-point iteration.
Points outside China's rough rectangle are not shifted, as in the reference implementations.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from areas.choices import Datum

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

Array = NDArray[np.float64]


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: Array, lat: Array) -> tuple[Array, Array]:
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
    d_lat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
    d_lon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    d_lon, d_lat = _delta(lon, lat)
    outside = out_of_china(lon, lat)
    return np.where(outside, lon, lon + d_lon), np.where(outside, lat, lat + d_lat)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike, *, tolerance: float = 1e-10) -> tuple[Array, Array]:
    """Exact inverse of :func:`wgs84_to_gcj02` (to ``tolerance`` degrees, ≈ 0.01 mm)."""
    target_lon, target_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wgs_lon, wgs_lat = target_lon.copy(), target_lat.copy()
    for _step in range(30):
        gcj_lon, gcj_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
        error_lon, error_lat = gcj_lon - target_lon, gcj_lat - target_lat
        wgs_lon, wgs_lat = wgs_lon - error_lon, wgs_lat - error_lat
        if np.all(np.abs(error_lon) < tolerance) and np.all(np.abs(error_lat) < tolerance):
            break
    return wgs_lon, wgs_lat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """The published inverse of :func:`gcj02_to_bd09`; it is itself approximate, to about 0.1 m."""
    x, y = np.asarray(lon, dtype=float) - 0.0065, np.asarray(lat, dtype=float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def to_wgs84(lon: ArrayLike, lat: ArrayLike, datum: str) -> tuple[Array, Array]:
    """Convert coordinates in ``datum`` to WGS-84. Raises ValueError for an unknown datum."""
    if datum == Datum.WGS84:
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == Datum.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if datum == Datum.BD09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise ValueError(datum)


def from_wgs84(lon: ArrayLike, lat: ArrayLike, datum: str) -> tuple[Array, Array]:
    """Convert WGS-84 coordinates to ``datum``. Raises ValueError for an unknown datum."""
    if datum == Datum.WGS84:
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == Datum.GCJ02:
        return wgs84_to_gcj02(lon, lat)
    if datum == Datum.BD09:
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    raise ValueError(datum)
