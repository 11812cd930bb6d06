#!/usr/bin/env python3
"""Deterministic sample-data generator for landreuse, Changchun ETDZ (长春经济技术开发区).

ILLUSTRATIVE DATA: parcels, firms (other than three named real ones) and every figure are
invented.  Only the main road lines follow OpenStreetMap, approximately.

Model
-----
Frame.  Geometry is laid out in a local metric frame (x east, y north, metres) centred on
lon 125.40 / lat 43.90, scaled with the WGS84 radii of curvature at that latitude.  The frame
is an affine image of lon/lat, so straight lines, orientation, validity and disjointness carry
over unchanged.  Output is CRS84 (lon, lat) rounded to 6 decimals (about 0.1 m).

Roads.  Roads are named pieces of *lines*: north-south lines (x nearly constant) and east-west
lines (y nearly constant).  Each line has a nominal position (the OSM positions of 世纪大街,
自由大路, 东南湖大路, 吉林大路, 洋浦大街, 东部快速路 ...), a span (first and last crossing
line), an optional gentle bend and optional tails that run on outside every zone.  A *node*
(junction) exists where the spans of an N-S and an E-W line meet; it gets a few metres of
seeded jitter.  Two grids of lines, one over the southern built-up area and one over the
northern zone, define the *blocks* (cells between consecutive lines).  A node that lies
inside a block side (a T-junction seen from the other side) is put on the straight segment
between its neighbours, so every block is a convex quadrilateral bounded by centrelines.

Zones.  Zone, sub-district and bonded-zone rings are traced along road centrelines through
every node, so neighbours share identical vertices and sub-districts tile their zone.  The
bonded zone is three fenced blocks (one of them two cells); the position of 港北路 is solved
by bisection so that their geodesic areas sum to 4.89 km2.

Parcels.  Each block has a profile (industrial, heavy industry, residential, CBD, expo centre,
headquarters base, bonded warehousing, rail container yard ...) giving a target lot size and a
land-use mix.  The block interior, set back 10-25 m from the centrelines by road class, is cut
into tiers and lots separated by 2-16 m gaps.  A lot is a rectangle in block coordinates,
optionally with chamfered corners, notches or an L-cut (4-10 vertices) or a courtyard hole,
mapped into the block by bilinear interpolation of its corners.  Parcels therefore never
cross a road or each other.  A few pairs of neighbouring lots become one MultiPolygon.

Ownership.  Enterprises come first: 82 industrial firms above 100 M yuan output (including the
three real ones), about 200 smaller firms including zombie firms and firms that report no
figures.  Ownable lots (industrial, warehouse, part of the commercial land) that are not in the
land reserve are grouped into buckets by zone and category, walked in spatial order and handed
out in contiguous runs, so a firm's parcels cluster.  Status follows the firm (zombie firm ->
zombie; a firm that intends to expand -> an expanding parcel; relocating firms -> relocating in
the south and expanding in the north) and the place (idle land mostly in the south, reserve
blocks in the north).  A firm's output and tax are split over its parcels by area weighted by
status, in integer hundredths of 万元, so per-firm sums match exactly.

Reallocation cases.  reallocations.json holds about 70 illustrative 腾笼换鸟 cases that the
service replays in file order (open, then transitions).  They are picked from the generated
parcels by fixed, sorted rules: zombie firms' land into reserve, corridor land first; relocating
firms' largest southern parcel moved to the free northern parcel nearest their new plant;
reserved and vacated land nearest the CBD, the headquarters base, the CIOMP base, the expo centre
and the corridors 世纪大街/洋浦大街/自由大路/吉林大路 supplied for B2/B1/B29/B14/B21; a started
expansion on the largest active parcel of each firm with an upgrade started (planned new output
1,500,000 万元 in all) and an intention case for each other firm that intends to expand.  A
ledger replays each case's effects on parcel status and owner, so later cases see the land as
earlier ones left it.  The other files do not depend on this step.

Public projects.  schools.geojson, projects.geojson and targets.json come last and change nothing
in the other files.  The four new schools and the expansion of DESIGN.md sit on A33 parcels near
chosen points, each cut straight across to its site area so that they add up to the programme
(147 classes, 6,960 seats, 110,000 万元, 145,000 m2); 14 existing schools take A33 parcels whole.
Street renovation and lighting lines follow the road lines between junctions (the last lighting
line is cut to make 12 km), the 11 old quarters are convex hulls of neighbouring R2 parcels clear
of every other parcel, greening takes G1 parcels and strips in the road reserve (the last site is
cut to make 270,000 m2), landscaping road-reserve strips along 世纪大街 and the expo centre.  Areas
are geodesic on WGS84 (authalic sphere and spherical excess), lengths by Vincenty's formula.

Synthetic mode.  A jittered street grid over the whole district (lon 125.25-125.65,
lat 43.78-44.05) per *layer*, blocks visited in seeded shuffled order and cut with the same lot
machinery; further layers (think historical vintages) overlay the district until N parcels
are written.  Random streams are seeded per layer and block from strings, so the first N
features of a larger run are exactly the run for N.

Usage
-----
  python3 geodata/generate.py                   # rewrite the eight sample files in geodata/
  python3 geodata/generate.py --synthetic 1000000 --out /tmp/parcels_1m.geojsonl [--seed 42]
"""
import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent
SAMPLE_SEED = "landreuse-sample-v1"
BONDED_AREA_KM2 = 4.89

# ------------------------------------------------------------------ geodesy and frame
WGS84_A = 6378137.0
WGS84_E2 = 0.00669437999014
LON0, LAT0 = 125.40, 43.90


def metres_per_degree(lat):
    """(metres per degree of longitude, of latitude) on the WGS84 ellipsoid at `lat`."""
    s = math.sin(math.radians(lat))
    w = 1.0 - WGS84_E2 * s * s
    k = math.pi / 180.0
    n = WGS84_A / math.sqrt(w)
    m = WGS84_A * (1.0 - WGS84_E2) / w ** 1.5
    return n * math.cos(math.radians(lat)) * k, m * k


MX, MY = metres_per_degree(LAT0)


def to_xy(lon, lat):
    return (lon - LON0) * MX, (lat - LAT0) * MY


def to_ll(x, y):
    return [round(LON0 + x / MX, 6), round(LAT0 + y / MY, 6)]


def shoelace(pts):
    """Signed area of a ring (closed or not); CCW positive."""
    a = 0.0
    for i in range(len(pts)):
        x0, y0 = pts[i - 1]
        x1, y1 = pts[i]
        a += x0 * y1 - x1 * y0
    return a / 2.0


def ring_area_m2(ring):
    """Signed area (m2) of a lon/lat ring, local equirectangular frame at its mean latitude."""
    lon_c = sum(p[0] for p in ring) / len(ring)
    lat_c = sum(p[1] for p in ring) / len(ring)
    mx, my = metres_per_degree(lat_c)
    return shoelace([((lo - lon_c) * mx, (la - lat_c) * my) for lo, la in ring])


def point_in_ring(x, y, ring):
    inside = False
    for i in range(len(ring)):
        x0, y0 = ring[i - 1]
        x1, y1 = ring[i]
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _orient(a, b, c):
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def segments_touch(p, q, r, s):
    """True if closed segments pq and rs share at least one point."""
    d1, d2 = _orient(r, s, p), _orient(r, s, q)
    d3, d4 = _orient(p, q, r), _orient(p, q, s)
    if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and d1 and d2 and d3 and d4:
        return True

    def on(a, b, c, d):
        return d == 0 and min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and \
            min(a[1], b[1]) <= c[1] <= max(a[1], b[1])
    return on(r, s, p, d1) or on(r, s, q, d2) or on(p, q, r, d3) or on(p, q, s, d4)


def ring_is_simple(ring):
    """Open ring (no repeated closing point): no two non-adjacent edges touch."""
    n = len(ring)
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue
            if segments_touch(ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n]):
                return False
    return True


# ------------------------------------------------------------------ road network data
# Lines: axis, nominal lon (ns) or lat (ew), span = (first, last) crossing line, bend =
# [(nominal coordinate along the line, perpendicular offset in m)], tails = lon/lat points
# before the first node (tail0, far to near) and after the last node (tail1, near to far).
LINES = {
    # -- north-south, southern grid
    "dongbu": dict(axis="ns", at=125.3700, span=("weixing", "weihai"),
                   bend=[(43.836, 0), (43.858, -14), (43.8855, 6)], jitter=1.5,
                   tail0=[(125.3716, 43.8205), (125.3705, 43.8290)],
                   tail1=[(125.3704, 43.8950), (125.3728, 43.9075), (125.3776, 43.9225)]),
    "linhe": dict(axis="ns", at=125.3790, span=("weixing", "weihai"), bend=[(43.836, 5), (43.8855, -4)]),
    "shenzhen": dict(axis="ns", at=125.3880, span=("weixing", "weihai"), bend=[(43.836, -6), (43.8855, 5)]),
    "huizhan": dict(axis="ns", at=125.3955, span=("weixing", "weihai")),
    "shiji": dict(axis="ns", at=125.4030, span=("weixing", "beihuan"),
                  bend=[(43.836, 4), (43.862, -3), (43.9855, 12)]),
    "yangpu": dict(axis="ns", at=125.4160, span=("weixing", "beihuan"),
                   bend=[(43.836, -3), (43.90, 6), (43.9855, -8)], tail0=[(125.4158, 43.8262)]),
    "xiantai": dict(axis="ns", at=125.4255, span=("weixing", "weihai")),
    "haikou": dict(axis="ns", at=125.4350, span=("weixing", "weihai"), bend=[(43.836, 4), (43.8855, -3)]),
    "donghuan": dict(axis="ns", at=125.4445, span=("weixing", "beihuan"),
                     bend=[(43.836, 8), (43.90, -10), (43.9855, 14)],
                     tail0=[(125.4453, 43.8250)], tail1=[(125.4450, 43.9965)]),
    # -- north-south, northern grid
    "danxia": dict(axis="ns", at=125.4300, span=("weihai", "beihuan")),
    "xinglong": dict(axis="ns", at=125.4620, span=("weihai", "beihuan"),
                     bend=[(43.8855, -10), (43.935, 8), (43.9855, -6)],
                     tail0=[(125.4607, 43.8700)], tail1=[(125.4628, 43.9990)]),
    "zongbao1": dict(axis="ns", at=125.4715, span=("weihai", "beihuan")),
    "zongbao2": dict(axis="ns", at=125.4810, span=("weihai", "beihuan"), bend=[(43.8855, 5), (43.9855, -5)]),
    "yanming": dict(axis="ns", at=125.4980, span=("weihai", "beihuan")),
    "lugangdj": dict(axis="ns", at=125.5140, span=("weihai", "beihuan"),
                     bend=[(43.8855, -8), (43.94, 10), (43.9855, 0)],
                     tail0=[(125.5122, 43.8720)], tail1=[(125.5150, 43.9990)]),
    "tiegang": dict(axis="ns", at=125.5320, span=("weihai", "beihuan")),
    "gangcheng": dict(axis="ns", at=125.5480, span=("weihai", "beihuan"), bend=[(43.8855, 6), (43.9855, -6)]),
    "dongwaihuan": dict(axis="ns", at=125.5600, span=("weihai", "beihuan"),
                        bend=[(43.8855, 0), (43.93, 18), (43.9855, 4)],
                        tail0=[(125.5585, 43.8700)], tail1=[(125.5612, 44.0010)]),
    # -- east-west, southern grid
    "weixing": dict(axis="ew", at=43.8360, span=("dongbu", "donghuan"), bend=[(125.370, -4), (125.4445, 6)]),
    "tianjin": dict(axis="ew", at=43.8425, span=("shiji", "donghuan")),
    "dongnanhu": dict(axis="ew", at=43.8490, span=("dongbu", "donghuan"),
                      bend=[(125.370, 5), (125.403, -4), (125.4445, 3)],
                      tail0=[(125.3555, 43.8486), (125.3630, 43.8490)], tail1=[(125.4565, 43.8493)]),
    "pudong": dict(axis="ew", at=43.8555, span=("dongbu", "donghuan")),
    "ziyou": dict(axis="ew", at=43.8620, span=("dongbu", "yangpu"), bend=[(125.370, -3), (125.416, 4)],
                  tail0=[(125.3530, 43.8616), (125.3610, 43.8620)]),
    "guangzhou": dict(axis="ew", at=43.8635, span=("yangpu", "donghuan")),
    "zhuhai": dict(axis="ew", at=43.8705, span=("dongbu", "donghuan"), bend=[(125.370, 4), (125.4445, -5)]),
    "jilin": dict(axis="ew", at=43.8800, span=("dongbu", "donghuan"),
                  bend=[(125.370, -5), (125.41, 3), (125.4445, -2)],
                  tail0=[(125.3540, 43.8795), (125.3625, 43.8799)], tail1=[(125.4565, 43.8805)]),
    "weihai": dict(axis="ew", at=43.8855, span=("dongbu", "dongwaihuan"), bend=[(125.370, 0), (125.56, 12)]),
    # -- east-west, northern grid
    "fengshou": dict(axis="ew", at=43.8980, span=("shiji", "dongwaihuan")),
    "xinggang": dict(axis="ew", at=43.9100, span=("shiji", "dongwaihuan"),
                     bend=[(125.403, -6), (125.48, 8), (125.56, -4)], tail1=[(125.5720, 43.9108)]),
    "baoshui": dict(axis="ew", at=43.9205, span=("shiji", "dongwaihuan")),
    "xingbei": dict(axis="ew", at=43.9350, span=("shiji", "dongwaihuan"),
                    bend=[(125.403, 8), (125.50, -6), (125.56, 10)],
                    tail0=[(125.3900, 43.9352)], tail1=[(125.5740, 43.9365)]),
    "gangwu": dict(axis="ew", at=43.9460, span=("shiji", "dongwaihuan")),
    "tiebei": dict(axis="ew", at=43.9600, span=("shiji", "dongwaihuan"), bend=[(125.403, -5), (125.56, 5)]),
    "gangbei": dict(axis="ew", at=43.9710, span=("shiji", "dongwaihuan")),
    "beihuan": dict(axis="ew", at=43.9855, span=("shiji", "dongwaihuan"),
                    bend=[(125.403, 0), (125.48, -12), (125.56, 6)],
                    tail0=[(125.3880, 43.9852)], tail1=[(125.5760, 43.9862)]),
}

# Roads: code, name, name_en, class, line, from partner, to partner (None = end of line).
ROADS = [
    ("road-dongbu-expy", "东部快速路", "Eastern Expressway", "expressway", "dongbu", None, None),
    ("road-linhe", "临河街", "Linhe Street", "secondary", "linhe", None, None),
    ("road-shenzhen", "深圳街", "Shenzhen Street", "secondary", "shenzhen", None, None),
    ("road-huizhan", "会展大街", "Huizhan Street", "secondary", "huizhan", None, None),
    ("road-shiji", "世纪大街", "Shiji Street", "arterial", "shiji", None, "weihai"),
    ("road-xingye", "兴业大街", "Xingye Street", "secondary", "shiji", "weihai", None),
    ("road-yangpu", "洋浦大街", "Yangpu Street", "arterial", "yangpu", None, None),
    ("road-xiantai", "仙台大街", "Xiantai Street", "branch", "xiantai", None, None),
    ("road-haikou", "海口街", "Haikou Street", "branch", "haikou", None, None),
    ("road-donghuan", "东环城路", "East Ring Road", "arterial", "donghuan", None, None),
    ("road-danxia", "丹霞街", "Danxia Street", "branch", "danxia", None, None),
    ("road-xinglong", "兴隆大街", "Xinglong Street", "arterial", "xinglong", None, None),
    ("road-zongbao1", "综保一街", "Zongbao 1st Street", "branch", "zongbao1", None, None),
    ("road-zongbao2", "综保二街", "Zongbao 2nd Street", "secondary", "zongbao2", None, None),
    ("road-yanming", "雁鸣街", "Yanming Street", "secondary", "yanming", None, None),
    ("road-lugang", "陆港大街", "Lugang Street", "arterial", "lugangdj", None, None),
    ("road-tiegang", "铁港街", "Tiegang Street", "branch", "tiegang", None, None),
    ("road-gangcheng", "港城大街", "Gangcheng Street", "secondary", "gangcheng", None, None),
    ("road-dongwaihuan", "东外环路", "Eastern Outer Ring Road", "arterial", "dongwaihuan", None, None),
    ("road-weixing", "卫星路", "Weixing Road", "secondary", "weixing", None, None),
    ("road-tianjin", "天津路", "Tianjin Road", "branch", "tianjin", None, None),
    ("road-dongnanhu", "东南湖大路", "Dongnanhu Road", "arterial", "dongnanhu", None, None),
    ("road-pudong", "浦东路", "Pudong Road", "secondary", "pudong", None, None),
    ("road-ziyou", "自由大路", "Ziyou Road", "arterial", "ziyou", None, None),
    ("road-guangzhou", "广州路", "Guangzhou Road", "branch", "guangzhou", None, None),
    ("road-zhuhai", "珠海路", "Zhuhai Road", "secondary", "zhuhai", None, None),
    ("road-jilin", "吉林大路", "Jilin Road", "arterial", "jilin", None, None),
    ("road-weihai", "威海路", "Weihai Road", "secondary", "weihai", None, None),
    ("road-fengshou", "丰收路", "Fengshou Road", "branch", "fengshou", None, None),
    ("road-xinggang", "兴港大路", "Xinggang Road", "arterial", "xinggang", None, None),
    ("road-baoshui", "保税路", "Baoshui Road", "secondary", "baoshui", None, None),
    ("road-xingbei", "兴北路", "Xingbei Road", "arterial", "xingbei", None, None),
    ("road-gangwu", "港务路", "Gangwu Road", "secondary", "gangwu", None, None),
    ("road-tiebei", "铁北路", "Tiebei Road", "secondary", "tiebei", None, None),
    ("road-gangbei", "港北路", "Gangbei Road", "secondary", "gangbei", None, None),
    ("road-beihuan", "北环路", "Beihuan Road", "arterial", "beihuan", None, None),
]

GRIDS = {
    "south": dict(ns=["dongbu", "linhe", "shenzhen", "huizhan", "shiji", "yangpu", "xiantai", "haikou",
                      "donghuan"],
                  ew=["weixing", "tianjin", "dongnanhu", "pudong", "ziyou", "guangzhou", "zhuhai", "jilin",
                      "weihai"]),
    "north": dict(ns=["shiji", "yangpu", "danxia", "donghuan", "xinglong", "zongbao1", "zongbao2", "yanming",
                      "lugangdj", "tiegang", "gangcheng", "dongwaihuan"],
                  ew=["weihai", "fengshou", "xinggang", "baoshui", "xingbei", "gangwu", "tiebei", "gangbei",
                      "beihuan"]),
}

# Outlines: (bottom ew, top ew, left ns, right ns) traced along centrelines.
ZONES = [
    # code, name, name_en, kind, parent, outlines
    ("south", "南部建成区", "Southern built-up area", "zone", None, [("weixing", "weihai", "dongbu", "donghuan")]),
    ("north", "北区", "Northern zone", "zone", None, [("weihai", "beihuan", "shiji", "dongwaihuan")]),
    ("bonded", "兴隆综合保税区", "Xinglong Comprehensive Bonded Zone", "zone", "north",
     [("xinggang", "baoshui", "xinglong", "zongbao2"), ("xingbei", "gangwu", "yanming", "lugangdj"),
      ("tiebei", "gangbei", "tiegang", "gangcheng")]),
    ("linhe", "临河街道", "Linhe Subdistrict", "subdistrict", "south", [("weixing", "weihai", "dongbu", "shiji")]),
    ("dongfangguangchang", "东方广场街道", "Dongfangguangchang Subdistrict", "subdistrict", "south",
     [("weixing", "weihai", "shiji", "donghuan")]),
    ("donghu", "东湖街道", "Donghu Subdistrict (new)", "subdistrict", "north",
     [("weihai", "beihuan", "shiji", "xinglong")]),
    ("xinglong", "兴隆街道", "Xinglong Subdistrict (new)", "subdistrict", "north",
     [("weihai", "beihuan", "xinglong", "dongwaihuan")]),
]
BONDED_CELLS = {("xinglong", "xinggang"): "bmain", ("zongbao1", "xinggang"): "bmain",
                ("yanming", "xingbei"): "bproc", ("tiegang", "tiebei"): "brail"}
AREA_TUNED_LINE = "gangbei"  # its nominal latitude is solved so the bonded zone is 4.89 km2

# Block profiles of the southern grid, keyed by (left N-S line, bottom E-W line); others are
# industrial or heavy industry.  Named places: CBD node on 世纪大街, expo centre on 会展大街,
# 大众卓越总部基地 headquarters base, CIOMP innovation base, old quarters near 深圳街/自由大路.
SOUTH_PROFILES = {
    ("huizhan", "dongnanhu"): "cbd", ("huizhan", "pudong"): "cbd",
    ("shiji", "dongnanhu"): "cbd", ("shiji", "pudong"): "cbd",
    ("huizhan", "ziyou"): "expo", ("shiji", "jilin"): "hq", ("xiantai", "guangzhou"): "incub",
    ("linhe", "pudong"): "resid", ("shenzhen", "pudong"): "resid", ("linhe", "ziyou"): "resid",
    ("shenzhen", "ziyou"): "resid", ("shiji", "ziyou"): "resid", ("yangpu", "zhuhai"): "resid",
    ("shenzhen", "zhuhai"): "civic", ("haikou", "guangzhou"): "civic", ("huizhan", "zhuhai"): "park",
}
PLACE_NAMES = {"cbd": "CBD node on 世纪大街", "expo": "长春国际会展中心 expo centre on 会展大街",
               "hq": "大众卓越总部基地 headquarters base", "incub": "CIOMP (长光所) innovation base",
               "resid": "old residential quarters (经开一/二/六/七小区 area)", "brail": "rail container yard"}
# Northern grid, one character per cell: rows north to south (港北路-北环路 first), columns
# west to east (世纪大街 ... 东外环路).  '.' undeveloped, r residential, c civic, i industry,
# h heavy industry, l logistics, v land reserve, A/B/C bonded blocks.
NORTH_MAP = [
    "...........",
    "......v.lC.",
    "...v...il..",
    "..v...iBl..",
    "rr.ii..l...",
    "rriiAAl.v..",
    "rcihhhi.i..",
    "rriihiii.v.",
]
NORTH_CODES = {"r": "nres", "c": "civic", "i": "nind", "h": "heavy", "l": "nlog", "v": "nrsv",
               "A": "bmain", "B": "bproc", "C": "brail"}

# profile: (lot size range in ha, land-use weights, probability that a lot stays empty)
PROFILES = {
    "ind": ((0.9, 3.6), [("M1", 62), ("M2", 27), ("B2", 3), ("U1", 2), ("G1", 6)], 0.03),
    "heavy": ((2.0, 7.0), [("M2", 68), ("M1", 20), ("M3", 10), ("U1", 2)], 0.03),
    "resid": ((1.2, 3.2), [("R2", 76), ("A33", 8), ("B1", 10), ("G1", 6)], 0.0),
    "civic": ((1.8, 4.0), [("A33", 42), ("A5", 8), ("R2", 32), ("G1", 12), ("S1", 6)], 0.0),
    "cbd": ((0.5, 1.6), [("B2", 48), ("B1", 38), ("B9", 8), ("G1", 6)], 0.0),
    "hq": ((1.2, 2.6), [("B2", 88), ("B1", 8), ("G1", 4)], 0.0),
    "incub": ((0.6, 1.6), [("B2", 55), ("M1", 35), ("G1", 10)], 0.0),
    "park": ((2.5, 7.0), [("G1", 90), ("U1", 10)], 0.0),
    "expo": ((2.0, 4.0), [("B2", 60), ("B1", 30), ("G1", 10)], 0.0),
    "nind": ((2.2, 7.0), [("M1", 55), ("M2", 33), ("W1", 7), ("U1", 2), ("G1", 3)], 0.10),
    "nlog": ((2.5, 8.0), [("W1", 62), ("M1", 30), ("B2", 5), ("U1", 3)], 0.10),
    "nres": ((1.8, 4.0), [("R2", 74), ("A33", 11), ("B1", 10), ("G1", 5)], 0.05),
    "nrsv": ((4.0, 11.0), [("M1", 60), ("M2", 28), ("W1", 12)], 0.0),
    "bmain": ((1.2, 4.0), [("W1", 42), ("M1", 38), ("B2", 20)], 0.0),
    "bproc": ((1.6, 4.5), [("M1", 58), ("W1", 37), ("B2", 5)], 0.0),
    "brail": ((2.0, 5.0), [("W1", 80), ("B2", 20)], 0.0),
}
SETBACK_M = {"expressway": (22.0, 25.0), "arterial": (18.0, 25.0), "secondary": (13.0, 18.0),
             "branch": (10.5, 13.0)}
MIN_LOT_M = 25.0


def bend_offset(bend, at):
    """Piecewise-linear perpendicular offset (m) of a line at nominal coordinate `at`."""
    if not bend:
        return 0.0
    if at <= bend[0][0]:
        return bend[0][1]
    for (a0, o0), (a1, o1) in zip(bend, bend[1:]):
        if at <= a1:
            return o0 + (o1 - o0) * (at - a0) / (a1 - a0)
    return bend[-1][1]


# ------------------------------------------------------------------ network construction
class Network:
    """Nodes, blocks and road/zone geometry derived from LINES, ROADS and GRIDS."""

    def __init__(self, lines):
        self.lines = lines
        self.partners = {lid: self._partners(lid) for lid in lines}
        self.blocks = [b for g in GRIDS for b in self._grid_blocks(g)]
        self.tnodes = self._t_nodes()
        self.xy = {}
        self.ll = {}
        self._place_nodes()

    @staticmethod
    def key(a, b):
        """Node key (ns line, ew line) for two crossing lines given in any order."""
        return (a, b) if LINES[a]["axis"] == "ns" else (b, a)

    def _covers(self, lid, other):
        lo, hi = (self.lines[p]["at"] for p in self.lines[lid]["span"])
        return lo - 1e-9 <= self.lines[other]["at"] <= hi + 1e-9

    def _partners(self, lid):
        axis = self.lines[lid]["axis"]
        found = [o for o in self.lines if self.lines[o]["axis"] != axis
                 and self._covers(lid, o) and self._covers(o, lid)]
        return sorted(found, key=lambda o: self.lines[o]["at"])

    def _grid_blocks(self, grid):
        spec = GRIDS[grid]
        for ci, (left, right) in enumerate(zip(spec["ns"], spec["ns"][1:])):
            rows = [e for e in spec["ew"] if e in self.partners[left] and e in self.partners[right]]
            for rj, (bottom, top) in enumerate(zip(rows, rows[1:])):
                yield dict(grid=grid, ci=ci, rj=rj, left=left, right=right, bottom=bottom, top=top)

    def between(self, lid, a, b):
        """Partners of line `lid` strictly between partners a and b (in order a -> b)."""
        p = self.partners[lid]
        i, j = p.index(a), p.index(b)
        return p[i + 1:j] if i < j else list(reversed(p[j + 1:i]))

    @staticmethod
    def block_sides(blk):
        """(line, from partner, to partner) of the four sides, counter-clockwise from the south."""
        return [(blk["bottom"], blk["left"], blk["right"]), (blk["right"], blk["bottom"], blk["top"]),
                (blk["top"], blk["right"], blk["left"]), (blk["left"], blk["top"], blk["bottom"])]

    def _t_nodes(self):
        t = {}
        for blk in self.blocks:
            for lid, a, b in self.block_sides(blk):
                for mid in self.between(lid, a, b):
                    t[self.key(lid, mid)] = lid
        return t

    def _anchor_xy(self, ns, ew):
        n, e = self.lines[ns], self.lines[ew]
        rng = random.Random(f"node:{ns}:{ew}")
        jn, je = n.get("jitter", 5.0), e.get("jitter", 5.0)
        x = (n["at"] - LON0) * MX + bend_offset(n.get("bend"), e["at"]) + rng.uniform(-jn, jn)
        y = (e["at"] - LAT0) * MY + bend_offset(e.get("bend"), n["at"]) + rng.uniform(-je, je)
        return x, y

    def _neighbour_anchors(self, lid, other):
        p = self.partners[lid]
        i = p.index(other)
        lo = next(q for q in reversed(p[:i]) if self.key(lid, q) not in self.tnodes)
        hi = next(q for q in p[i + 1:] if self.key(lid, q) not in self.tnodes)
        return self.xy[self.key(lid, lo)], self.xy[self.key(lid, hi)]

    def _t_xy(self, key, lid):
        other = key[1] if key[0] == lid else key[0]
        ax, ay = self._anchor_xy(*key)
        (x0, y0), (x1, y1) = self._neighbour_anchors(lid, other)
        if self.lines[lid]["axis"] == "ns":
            t = (ay - y0) / (y1 - y0)
        else:
            t = (ax - x0) / (x1 - x0)
        return x0 + t * (x1 - x0), y0 + t * (y1 - y0)

    def _place_nodes(self):
        keys = sorted({self.key(l, o) for l in self.lines for o in self.partners[l]})
        for k in keys:
            if k not in self.tnodes:
                self._set(k, self._anchor_xy(*k))
        for k in keys:
            if k in self.tnodes:
                self._set(k, self._t_xy(k, self.tnodes[k]))

    def _set(self, k, xy):
        self.ll[k] = to_ll(*xy)
        self.xy[k] = to_xy(*self.ll[k])

    def path(self, lid, a, b):
        """lon/lat vertices along line `lid` from its node with a to its node with b."""
        seq = [a] + self.between(lid, a, b) + [b]
        return [self.ll[self.key(lid, p)] for p in seq]

    def outline(self, bottom, top, left, right):
        """Closed CCW ring traced along centrelines around a rectangle of cells."""
        ring = self.path(bottom, left, right)
        ring += self.path(right, bottom, top)[1:]
        ring += self.path(top, right, left)[1:]
        ring += self.path(left, top, bottom)[1:]
        return ring

    def road_line(self, line, frm, to):
        spec = self.lines[line]
        p = self.partners[line]
        a, b = frm or p[0], to or p[-1]
        pts = self.path(line, a, b)
        if frm is None:
            pts = [list(q) for q in spec.get("tail0", [])] + pts
        if to is None:
            pts = pts + [list(q) for q in spec.get("tail1", [])]
        return pts

    def corners(self, blk):
        """Block corners SW, SE, NE, NW in metres."""
        return [self.xy[self.key(blk["left"], blk["bottom"])], self.xy[self.key(blk["right"], blk["bottom"])],
                self.xy[self.key(blk["right"], blk["top"])], self.xy[self.key(blk["left"], blk["top"])]]


def road_class_of_side(line, a, b):
    """Class of the road that carries the block side on `line` between partners a and b."""
    lo = min(LINES[a]["at"], LINES[b]["at"])
    for _code, _n, _e, cls, rl, frm, to in ROADS:
        if rl != line:
            continue
        f = LINES[frm]["at"] if frm else -1e9
        t = LINES[to]["at"] if to else 1e9
        if f - 1e-9 <= lo < t - 1e-9:
            return cls
    raise ValueError(f"no road on {line} at {a}")


def bonded_area(net):
    """Area (km2) of the three bonded-zone blocks."""
    outlines = next(z[5] for z in ZONES if z[0] == "bonded")
    return sum(ring_area_m2(net.outline(*o)) for o in outlines) / 1e6


def build_network():
    """Network with the tuned line placed so that the bonded zone measures 4.89 km2."""
    lo, hi = 43.9650, 43.9780
    lines = {k: dict(v) for k, v in LINES.items()}
    for _ in range(40):
        mid = (lo + hi) / 2
        lines[AREA_TUNED_LINE]["at"] = mid
        if bonded_area(Network(lines)) < BONDED_AREA_KM2:
            lo = mid
        else:
            hi = mid
    lines[AREA_TUNED_LINE]["at"] = round((lo + hi) / 2, 7)
    LINES[AREA_TUNED_LINE]["at"] = lines[AREA_TUNED_LINE]["at"]
    return Network(lines)


# ------------------------------------------------------------------ lot layout
def split_interval(rng, lo, hi, size, gap_of, spread=0.45):
    """Cut [lo, hi] into about (hi-lo)/size parts of log-normal relative widths.

    gap_of(i) is the gap before part i (i >= 1).  Returns [(a, b), ...]."""
    n = max(1, round((hi - lo) / size))
    weights = [math.exp(rng.gauss(0.0, spread)) for _ in range(n)]
    gaps = [gap_of(i) for i in range(1, n)]
    usable = hi - lo - sum(gaps)
    if usable < n * MIN_LOT_M:
        return [(lo, hi)]
    total = sum(weights)
    out, x = [], lo
    for i, w in enumerate(weights):
        b = x + usable * w / total
        out.append((x, b))
        x = b + (gaps[i] if i < n - 1 else 0.0)
    return out


def layout_lots(rng, u0, v0, u1, v1, target_m2):
    """Tiers and lots inside an inner rectangle; returns [(tier, (u0, v0, u1, v1)), ...]."""
    along_u = (u1 - u0) >= (v1 - v0)
    a0, a1, b0, b1 = (u0, u1, v0, v1) if along_u else (v0, v1, u0, u1)
    depth = math.sqrt(target_m2) * rng.uniform(0.9, 1.5)
    tiers = split_interval(rng, b0, b1, depth, lambda i: rng.uniform(10, 16) if i % 2 == 0
                           else rng.uniform(3, 5), spread=0.2)
    lots = []
    for ti, (tb0, tb1) in enumerate(tiers):
        if tb1 - tb0 < MIN_LOT_M:
            continue
        width = target_m2 / (tb1 - tb0)
        for la0, la1 in split_interval(rng, a0, a1, width, lambda i: rng.uniform(2, 5)):
            if la1 - la0 < MIN_LOT_M:
                continue
            rect = (la0, tb0, la1, tb1) if along_u else (tb0, la0, tb1, la1)
            lots.append((ti, rect))
    return lots


def _unit(dx, dy):
    d = math.hypot(dx, dy)
    return dx / d, dy / d


def _lot_features(rng, m):
    """Which corners get an L-cut / chamfer and which edges a notch (at most 10 vertices)."""
    lcut = rng.randrange(4) if m > 60 and rng.random() < 0.08 else None
    cham = [i != lcut and rng.random() < 0.2 for i in range(4)]
    notch = [lcut not in (i, (i + 1) % 4) and rng.random() < 0.12 for i in range(4)]
    while 4 + sum(cham) + sum(notch) + (2 if lcut is not None else 0) > 10:
        if any(notch):
            notch[notch.index(True)] = False
        else:
            cham[cham.index(True)] = False
    return lcut, cham, notch


def lot_ring(rng, u0, v0, u1, v1):
    """CCW open ring of 4-10 vertices inside the rectangle, plus the L-cut corner if any."""
    m = min(u1 - u0, v1 - v0)
    corners = [(u0, v0), (u1, v0), (u1, v1), (u0, v1)]
    lcut, cham, notch = _lot_features(rng, m)
    ring = []
    for i, (cx, cy) in enumerate(corners):
        px, py = corners[i - 1]
        nx, ny = corners[(i + 1) % 4]
        din, dout = _unit(cx - px, cy - py), _unit(nx - cx, ny - cy)
        if i == lcut:
            a = math.hypot(cx - px, cy - py) * rng.uniform(0.2, 0.4)
            b = math.hypot(nx - cx, ny - cy) * rng.uniform(0.2, 0.4)
            ring += [(cx - din[0] * a, cy - din[1] * a),
                     (cx - din[0] * a + dout[0] * b, cy - din[1] * a + dout[1] * b),
                     (cx + dout[0] * b, cy + dout[1] * b)]
        elif cham[i]:
            d = m * rng.uniform(0.04, 0.12)
            ring += [(cx - din[0] * d, cy - din[1] * d), (cx + dout[0] * d, cy + dout[1] * d)]
        else:
            ring.append((cx, cy))
        if notch[i]:
            t, d = rng.uniform(0.35, 0.65), m * rng.uniform(0.02, 0.06)
            ring.append((cx + (nx - cx) * t - dout[1] * d, cy + (ny - cy) * t + dout[0] * d))
    return ring, lcut


def hole_ring(rng, u0, v0, u1, v1):
    """Clockwise rectangular courtyard around the lot centre."""
    w, h = (u1 - u0) * rng.uniform(0.15, 0.25), (v1 - v0) * rng.uniform(0.15, 0.25)
    cx = (u0 + u1) / 2 + rng.uniform(-0.05, 0.05) * (u1 - u0)
    cy = (v0 + v1) / 2 + rng.uniform(-0.05, 0.05) * (v1 - v0)
    return [(cx - w / 2, cy - h / 2), (cx - w / 2, cy + h / 2), (cx + w / 2, cy + h / 2), (cx + w / 2, cy - h / 2)]


def lot_polygon(rng, rect, hole_p):
    """Rings (uv, open) of one lot: [outer] or [outer, hole]."""
    outer, lcut = lot_ring(rng, *rect)
    if lcut is None and min(rect[2] - rect[0], rect[3] - rect[1]) > 60 and rng.random() < hole_p:
        return [outer, hole_ring(rng, *rect)]
    return [outer]


# ------------------------------------------------------------------ sample parcels
def bilinear(c, s, t):
    sw, se, ne, nw = c
    return ((1 - s) * (1 - t) * sw[0] + s * (1 - t) * se[0] + s * t * ne[0] + (1 - s) * t * nw[0],
            (1 - s) * (1 - t) * sw[1] + s * (1 - t) * se[1] + s * t * ne[1] + (1 - s) * t * nw[1])


def block_size(c):
    sw, se, ne, nw = c
    w = (math.dist(sw, se) + math.dist(nw, ne)) / 2
    h = (math.dist(sw, nw) + math.dist(se, ne)) / 2
    return w, h


def block_profile(blk, rng):
    if blk["grid"] == "south":
        p = SOUTH_PROFILES.get((blk["left"], blk["bottom"]))
        return p or ("heavy" if rng.random() < 0.28 else "ind")
    row = NORTH_MAP[len(NORTH_MAP) - 1 - blk["rj"]]
    return NORTH_CODES.get(row[blk["ci"]])


def block_zone(blk):
    if blk["grid"] == "south":
        return "south"
    return "bonded" if (blk["left"], blk["bottom"]) in BONDED_CELLS else "north"


def inner_rect(rng, blk, w, h):
    """Interior (u0, v0, u1, v1) after set-backs from the four centrelines by road class,
    and the set-backs {side: (metres, road class)}."""
    sb = {}
    for side, (lid, a, b) in zip("BRTL", Network.block_sides(blk)):
        cls = road_class_of_side(lid, a, b)
        sb[side] = (rng.uniform(*SETBACK_M[cls]), cls)
    return (sb["L"][0], sb["B"][0], w - sb["R"][0], h - sb["T"][0]), sb


def choose(rng, weighted):
    return rng.choices([u for u, _ in weighted], [w for _, w in weighted])[0]


def green_strips(rng, rect, sb):
    """Road-side green (G1) along expressway sides; returns (strips, remaining rect)."""
    u0, v0, u1, v1 = rect
    strips = []
    if sb["L"][1] == "expressway":
        w = rng.uniform(30, 50)
        for a, b in split_interval(rng, v0, v1, 300, lambda i: rng.uniform(3, 6), spread=0.2):
            strips.append((u0, a, u0 + w, b))
        u0 += w + rng.uniform(6, 10)
    return strips, (u0, v0, u1, v1)


def special_lots(rng, profile, rect):
    """Hand-laid lots for the expo centre and the rail container yard: [(use, rect)]."""
    u0, v0, u1, v1 = rect
    if profile == "expo":
        um, vm = u0 + (u1 - u0) * 0.68, v0 + (v1 - v0) * 0.28
        lots = [("G1", (u0, v0, um, vm - 2)), ("B2", (u0, vm + 2, um, v1))]
        for a, b in split_interval(rng, v0, v1, 150, lambda i: rng.uniform(3, 5)):
            lots.append(("B1", (um + 12, a, u1, b)))
        return lots
    if profile == "brail":
        va, vb = v0 + (v1 - v0) * 0.30, v0 + (v1 - v0) * 0.72
        return [("S4", (u0 + 80, va + 8, (u0 + u1) / 2 - 2, vb - 8)), ("S4", ((u0 + u1) / 2 + 2, va + 8, u1 - 80, vb - 8))]
    return []


def plan_block(rng, blk, profile, w, h):
    """[(use, [rects], tag)] for one block: green strips, special lots and ordinary lots."""
    rect, sb = inner_rect(rng, blk, w, h)
    strips, rect = green_strips(rng, rect, sb)
    plan = [("G1", [r], "roadside-green") for r in strips]
    (lo, hi), mix, empty_p = PROFILES[profile]
    tag = profile if profile in PLACE_NAMES else None
    special = special_lots(rng, profile, rect)
    plan += [(use, [r], tag) for use, r in special]
    if profile == "brail":  # warehouses south and north of the yard
        u0, v0, u1, v1 = rect
        parts = [(u0, v0, u1, v0 + (v1 - v0) * 0.30), (u0, v0 + (v1 - v0) * 0.72, u1, v1)]
    elif special:
        parts = []
    else:
        parts = [rect]
    for part in parts:
        plan += ordinary_lots(rng, part, lo, hi, mix, empty_p, tag, profile)
    return plan


def ordinary_lots(rng, rect, lo, hi, mix, empty_p, tag, profile):
    target = math.exp(rng.uniform(math.log(lo), math.log(hi))) * 1e4
    block_use = choose(rng, mix[:2])  # the block's dominant use: one of the two main uses
    lots = layout_lots(rng, *rect, target)
    out, i = [], 0
    while i < len(lots):
        ti, r = lots[i]
        use = block_use if rng.random() < 0.55 else choose(rng, mix)
        if rng.random() < empty_p:
            i += 1
            continue
        pair = (i + 1 < len(lots) and lots[i + 1][0] == ti and use in ("M1", "M2", "W1")
                and rng.random() < 0.02)
        rects = [r, lots[i + 1][1]] if pair else [r]
        out.append((use, rects, tag if profile != "resid" or use == "R2" else None))
        i += 2 if pair else 1
    return out


def to_block_ll(c, w, h, ring):
    """Map an open uv ring into the block and return a closed lon/lat ring."""
    pts = [to_ll(*bilinear(c, u / w, v / h)) for u, v in ring]
    return pts + [pts[0]]


def orient(ring_ll, ccw):
    if (shoelace(ring_ll) > 0) != ccw:
        ring_ll.reverse()
    return ring_ll


def polygon_ll(rng, c, w, h, rect, hole_p):
    rings_uv = lot_polygon(rng, rect, hole_p)
    rings = [orient(to_block_ll(c, w, h, r), i == 0) for i, r in enumerate(rings_uv)]
    if not all(ring_is_simple(r[:-1]) for r in rings):  # safety net, never expected
        u0, v0, u1, v1 = rect
        rings = [orient(to_block_ll(c, w, h, [(u0, v0), (u1, v0), (u1, v1), (u0, v1)]), True)]
    return rings


def parcel_area(polys):
    return sum(ring_area_m2(p[0]) + sum(ring_area_m2(h) for h in p[1:]) for p in polys)


def block_parcels(net, blk, seed):
    rng = random.Random(f"{seed}:block:{blk['grid']}:{blk['ci']}:{blk['rj']}")
    profile = block_profile(blk, rng)
    if profile is None:
        return []
    c = net.corners(blk)
    w, h = block_size(c)
    out = []
    for use, rects, tag in plan_block(rng, blk, profile, w, h):
        polys = [polygon_ll(rng, c, w, h, r, 0.012) for r in rects]
        out.append(dict(zone=block_zone(blk), profile=profile, use=use, tag=tag, polys=polys,
                        area=parcel_area(polys), block=(blk["grid"], blk["ci"], blk["rj"])))
    return out


def serpentine(blocks):
    """Blocks ordered column by column, rows alternating up and down (spatial walk)."""
    return sorted(blocks, key=lambda b: (b["grid"] != "south", b["ci"], b["rj"] if b["ci"] % 2 == 0 else -b["rj"]))


def generate_parcels(net, seed):
    parcels = []
    for blk in serpentine(net.blocks):
        parcels += block_parcels(net, blk, seed)
    return parcels


# ------------------------------------------------------------------ enterprises
BRANDS = [
    ("华信", "Huaxin"), ("瑞丰", "Ruifeng"), ("博远", "Boyuan"), ("恒通", "Hengtong"), ("金鼎", "Jinding"),
    ("宏达", "Hongda"), ("启航", "Qihang"), ("鑫源", "Xinyuan"), ("嘉禾", "Jiahe"), ("盛泰", "Shengtai"),
    ("中宇", "Zhongyu"), ("天成", "Tiancheng"), ("汇智", "Huizhi"), ("联众", "Lianzhong"), ("北辰", "Beichen"),
    ("兴旺", "Xingwang"), ("众诚", "Zhongcheng"), ("凯达", "Kaida"), ("永昌", "Yongchang"), ("德润", "Derun"),
    ("泰和", "Taihe"), ("新宇", "Xinyu"), ("昊天", "Haotian"), ("明远", "Mingyuan"), ("鼎盛", "Dingsheng"),
    ("华驰", "Huachi"), ("润通", "Runtong"), ("佳裕", "Jiayu"), ("博翔", "Boxiang"), ("锦程", "Jincheng"),
    ("海川", "Haichuan"), ("正阳", "Zhengyang"), ("云帆", "Yunfan"), ("安泰", "Antai"), ("精诚", "Jingcheng"),
    ("众邦", "Zhongbang"), ("骏驰", "Junchi"), ("同创", "Tongchuang"), ("卓远", "Zhuoyuan"), ("辰星", "Chenxing"),
    ("晟达", "Shengda"), ("弘毅", "Hongyi"), ("益丰", "Yifeng"), ("凯盛", "Kaisheng"), ("腾跃", "Tengyue"),
    ("信和", "Xinhe"), ("丰元", "Fengyuan"), ("祥瑞", "Xiangrui"), ("聚源", "Juyuan"), ("泓利", "Hongli"),
    ("嘉盛", "Jiasheng"), ("博泰", "Botai"), ("蓝海", "Lanhai"), ("华昇", "Huasheng"), ("恒信", "Hengxin"),
    ("通达", "Tongda"), ("宏图", "Hongtu"), ("金瑞", "Jinrui"), ("天瑞", "Tianrui"), ("远航", "Yuanhang"),
    ("东昇", "Dongsheng"), ("新阳", "Xinyang"), ("瑞祥", "Ruixiang"), ("宝丰", "Baofeng"), ("恒远", "Hengyuan"),
    ("吉冠", "Jiguan"), ("亿联", "Yilian"), ("鑫达", "Xinda"), ("春晖", "Chunhui"), ("德昌", "Dechang"),
    ("汇通", "Huitong"), ("鸿运", "Hongyun"), ("盛和", "Shenghe"), ("振邦", "Zhenbang"), ("华腾", "Huateng"),
    ("瑞驰", "Ruichi"), ("泽润", "Zerun"),
]
CHAIN_WORDS = {
    "automotive": [("汽车零部件", "Auto Parts"), ("汽车电子", "Automotive Electronics"), ("汽车座椅", "Auto Seating"),
                   ("车身部件", "Body Components"), ("精密铸造", "Precision Casting"),
                   ("传动系统", "Transmission Systems"), ("汽车内饰", "Auto Interiors"),
                   ("底盘系统", "Chassis Systems"), ("模具", "Tooling"), ("冲压件", "Stampings"),
                   ("汽车灯具", "Automotive Lighting"), ("热系统", "Thermal Systems")],
    "new_materials": [("新材料", "New Materials"), ("复合材料", "Composites"), ("碳纤维", "Carbon Fibre"),
                      ("特种合金", "Specialty Alloys"), ("高分子材料", "Polymers"), ("功能薄膜", "Functional Films")],
    "robotics_equipment": [("智能装备", "Intelligent Equipment"), ("机器人", "Robotics"),
                           ("自动化设备", "Automation Equipment"), ("数控机床", "CNC Machine Tools"),
                           ("精密机械", "Precision Machinery"), ("激光设备", "Laser Equipment")],
    "bio_based_materials": [("生物基材料", "Bio-based Materials"), ("生物化工", "Biochemicals"),
                            ("聚乳酸", "Polylactic Acid"), ("玉米深加工", "Corn Processing"),
                            ("生物降解材料", "Biodegradable Materials")],
    "big_data": [("数据科技", "Data Technology"), ("信息技术", "Information Technology"), ("云计算", "Cloud Computing"),
                 ("软件", "Software"), ("车联网", "Connected Vehicle")],
    "new_energy_vehicles": [("新能源汽车", "New Energy Vehicles"), ("动力电池", "Power Batteries"),
                            ("电驱动", "Electric Drives"), ("充电设备", "Charging Equipment"), ("氢能", "Hydrogen Energy"),
                            ("电控系统", "Electronic Controls")],
    "biomedicine": [("生物医药", "Biopharma"), ("制药", "Pharmaceutical"), ("医疗器械", "Medical Devices"),
                    ("生物制品", "Biologics"), ("中药", "Chinese Medicine")],
    "cross_border_trade": [("国际贸易", "International Trading"), ("跨境电商", "Cross-border E-commerce"),
                           ("供应链管理", "Supply Chain Management"), ("国际物流", "International Logistics"),
                           ("冷链物流", "Cold Chain Logistics")],
    "other": [("食品", "Foods"), ("包装", "Packaging"), ("印务", "Printing"), ("建材", "Building Materials"),
              ("饮品", "Beverages"), ("农产品加工", "Agri-products Processing"),
              ("仓储物流", "Warehousing and Logistics")],
}
FORMS = [("有限公司", "Co., Ltd.", 70), ("股份有限公司", "Joint-Stock Co., Ltd.", 12),
         ("科技有限公司", "Technology Co., Ltd.", 18)]
REAL_FIRMS = [
    # name, name_en, chain, output, tax, employees, founded (figures illustrative)
    ("丰田发动机（长春）有限公司", "Toyota Engine (Changchun) Co., Ltd.", "automotive", 1286000.0, 61800.0, 2450, 2004),
    ("富奥石川岛增压器有限公司", "Fawer IHI Turbo Co., Ltd.", "automotive", 356000.0, 16400.0, 980, 2008),
    ("大陆汽车电子（长春）有限公司", "Continental Automotive Electronics (Changchun) Co., Ltd.", "automotive",
     842000.0, 43900.0, 3100, 2001),
]
BIG_CHAINS = [("automotive", 44), ("new_energy_vehicles", 9), ("new_materials", 8), ("robotics_equipment", 6),
              ("biomedicine", 6), ("bio_based_materials", 4), ("other", 5)]
SMALL_CHAINS = [("automotive", 60), ("new_materials", 18), ("robotics_equipment", 18), ("bio_based_materials", 10),
                ("big_data", 20), ("new_energy_vehicles", 14), ("biomedicine", 16), ("cross_border_trade", 22),
                ("other", 18)]
N_ZOMBIE, N_UNREPORTED, N_RELOCATORS = 16, 10, 8
N_BIG_EXPAND, N_BIG_UPGRADE = 23, 18


def firm_name(rng, chain, used):
    while True:
        brand, brand_en = rng.choice(BRANDS)
        word, word_en = rng.choice(CHAIN_WORDS[chain])
        form, form_en, _ = rng.choices(FORMS, [f[2] for f in FORMS])[0]
        if form == "科技有限公司" and word.endswith("科技"):
            form, form_en = "有限公司", "Co., Ltd."
        name = f"长春{brand}{word}{form}"
        if name not in used:
            used.add(name)
            return name, f"Changchun {brand_en} {word_en} {form_en}"


def firm_record(name, name_en, chain, output, tax, employees, founded):
    return {"name": name, "name_en": name_en, "industry_chain": chain, "above_scale": True,
            "output_value_wan": output, "tax_wan": tax, "employees": employees, "founded_year": founded,
            "expansion_intent": False, "upgrade_started": False}


def big_firm(rng, chain, used):
    name, name_en = firm_name(rng, chain, used)
    output = round(math.exp(rng.uniform(math.log(10200), math.log(420000))), 1)
    tax = round(output * rng.uniform(0.025, 0.07), 1)
    employees = int(output / (60 * (output / 1e4) ** 0.35 * rng.uniform(0.7, 1.3)))
    return firm_record(name, name_en, chain, output, tax, max(employees, 80), rng.randint(1993, 2017))


def small_firm(rng, chain, used, kind):
    name, name_en = firm_name(rng, chain, used)
    if kind == "zombie":
        output = round(rng.uniform(0, 30), 1)
        tax = round(output * rng.uniform(0, 0.03), 1)
        return firm_record(name, name_en, chain, output, tax, rng.randint(0, 8), rng.randint(1995, 2010)) | \
            {"above_scale": False}
    output = round(math.exp(rng.uniform(math.log(150), math.log(9800))), 1)
    tax = round(output * rng.uniform(0.015, 0.06), 1)
    employees = max(3, int(output / rng.uniform(25, 80)))
    rec = firm_record(name, name_en, chain, output, tax, employees, rng.randint(1996, 2023))
    rec["above_scale"] = output >= 2000
    if kind == "unreported":
        rec["output_value_wan"] = rec["tax_wan"] = None
        rec["above_scale"] = False
    return rec


def generate_enterprises(seed):
    """Firm records plus internal roles {name: role} (zombie, relocator, unreported)."""
    rng = random.Random(f"{seed}:enterprises")
    used = {r[0] for r in REAL_FIRMS}
    firms = [firm_record(*r) for r in REAL_FIRMS]
    for chain, n in BIG_CHAINS:
        firms += [big_firm(rng, chain, used) for _ in range(n - (3 if chain == "automotive" else 0))]
    big = firms[3:]
    for f in firms[:3] + rng.sample(big, N_BIG_EXPAND - 3):
        f["expansion_intent"] = True
    for f in rng.sample(firms, N_BIG_UPGRADE):
        f["upgrade_started"] = True
    smalls = [c for chain, n in SMALL_CHAINS for c in [chain] * n]
    rng.shuffle(smalls)
    industrial = [i for i, c in enumerate(smalls) if c not in ("big_data", "cross_border_trade")]
    zombie = set(industrial[:N_ZOMBIE])
    relocators = set(industrial[N_ZOMBIE:N_ZOMBIE + N_RELOCATORS])
    unreported = set(rng.sample([i for i in range(len(smalls)) if i not in zombie | relocators], N_UNREPORTED))
    roles = {}
    for i, chain in enumerate(smalls):
        kind = "zombie" if i in zombie else "unreported" if i in unreported else "normal"
        f = small_firm(rng, chain, used, kind)
        if i in relocators or (kind == "normal" and rng.random() < 0.04):
            f["expansion_intent"] = True
        roles[f["name"]] = "relocator" if i in relocators else kind
        firms.append(f)
    return firms, roles


# ------------------------------------------------------------------ ownership and status
CATEGORY = {"M1": "ind", "M2": "ind", "M3": "ind", "W1": "log", "B1": "com", "B2": "com", "B9": "com"}
COM_OWNED_P = {"hq": 0.92, "cbd": 0.75, "incub": 0.5, "expo": 0.0}
RESERVE_P = {"south": (0.045, 0.04), "north": (0.02, 0.0), "bonded": (0.02, 0.0)}  # reserved, vacated
IDLE_P = {"south": 0.07, "north": 0.03, "bonded": 0.02}
# secondary holdings of big firms: (bucket, number of firms, chains or None for any)
SECONDARY = [(("south", "com"), 24, None), (("north", "com"), 6, None),
             (("bonded", "ind"), 8, ("new_materials", "biomedicine", "robotics_equipment", "new_energy_vehicles")),
             (("bonded", "com"), 4, None)]
STATUS_WEIGHT = {"active": 1.0, "redeveloped": 1.0, "zombie": 1.0, "expanding": 0.4, "relocating": 0.7,
                 "idle": 0.0}


def bucket_of(p, rng):
    """(zone, category) bucket of an ownable parcel, or None (owner stays null)."""
    cat = CATEGORY.get(p["use"])
    if cat is None or p["tag"] == "expo" or p["profile"] == "nrsv":
        return None
    if cat == "com":
        if rng.random() >= COM_OWNED_P.get(p["profile"], 0.8 if p["zone"] == "bonded" else 0.7):
            return None
        if p["profile"] == "hq":
            return ("south", "hq")
    if p["profile"] == "incub":
        return ("south", "incub")
    return (p["zone"], cat)


def home_prefs(f, role, rng):
    """Ordered bucket preferences of a firm."""
    chain, big = f["industry_chain"], (f["output_value_wan"] or 0) > 10000
    if role in ("zombie", "relocator") or f["name"] in [r[0] for r in REAL_FIRMS]:
        return [("south", "ind")]
    if chain == "cross_border_trade":
        return rng.choices([[("bonded", "log")], [("bonded", "com")], [("north", "log")]], [40, 20, 40])[0]
    if chain == "big_data":
        return rng.choices([[("south", "com")], [("north", "com")], [("bonded", "com")], [("south", "incub")]],
                           [50, 20, 10, 20])[0]
    if chain == "other" and not big:
        return rng.choices([[("south", "ind")], [("north", "log")], [("south", "com")]], [30, 45, 25])[0]
    if big:
        return rng.choices([[("south", "ind")], [("north", "ind")]], [55, 45])[0]
    if chain in ("robotics_equipment", "new_materials", "biomedicine") and rng.random() < 0.2:
        return [("south", "incub")]
    return rng.choices([[("south", "ind")], [("north", "ind")], [("bonded", "ind")]], [60, 30, 10])[0]


def firm_demands(firms, roles, rng):
    """{bucket: [(firm index, weight, minimum, kind)]} — kind main / extra / hq."""
    demands = {}
    real = {r[0] for r in REAL_FIRMS}
    big_idx = [i for i, f in enumerate(firms) if (f["output_value_wan"] or 0) > 10000]
    for i, f in enumerate(firms):
        role = roles.get(f["name"], "big")
        bucket = home_prefs(f, role, rng)[0]
        weight = 0.0 if role == "zombie" else max(f["output_value_wan"] or 400.0, 150.0) ** 0.35
        minimum = 3 if i in big_idx else (rng.randint(1, 3) if role == "zombie" else 1)
        demands.setdefault(bucket, []).append((i, weight, minimum, "main"))
        if role == "relocator" or f["name"] in real:
            demands.setdefault(("north", "ind"), []).append((i, 0.0, 2 if f["name"] in real else 1, "extra"))
    for i in rng.sample(big_idx, 16):
        demands.setdefault(("south", "hq"), []).append((i, 1.0, 1, "hq"))
    for bucket, n, chains in SECONDARY:
        pool = [i for i in big_idx if chains is None or firms[i]["industry_chain"] in chains]
        for i in rng.sample(pool, n):
            demands.setdefault(bucket, []).append((i, 0.5 * firms[i]["output_value_wan"] ** 0.35, 1, "second"))
    return demands


def allocate(n, demands):
    """Counts per demand: minimum plus a largest-remainder share of the rest by weight."""
    counts = [d[2] for d in demands]
    extra = n - sum(counts)
    if extra < 0:
        raise ValueError(f"bucket too small: {n} parcels for minimum {sum(counts)}")
    total = sum(d[1] for d in demands)
    if total == 0:
        counts[0] += extra
        return counts
    quotas = [extra * d[1] / total for d in demands]
    counts = [c + int(q) for c, q in zip(counts, quotas)]
    order = sorted(range(len(demands)), key=lambda k: (-(quotas[k] - int(quotas[k])), k))
    for k in order[:n - sum(counts)]:
        counts[k] += 1
    return counts


def assign_reserve(parcels, rng):
    """Null-owner statuses first: reserve blocks, reserved and vacated ownable land."""
    buckets = {}
    for idx, p in enumerate(parcels):
        p.update(owner=None, status="active", firm=None, kind=None)
        if p["profile"] == "nrsv":
            p["status"] = "reserved"
            continue
        b = bucket_of(p, rng)
        if b is None:
            continue
        reserved_p, vacated_p = RESERVE_P[p["zone"]]
        x = rng.random()
        if b[1] != "hq" and x < reserved_p:
            p["status"] = "reserved"
        elif b[1] != "hq" and x < reserved_p + vacated_p:
            p["status"] = "vacated"
        else:
            buckets.setdefault(b, []).append(idx)
    return buckets


# where a firm goes when its preferred bucket is full; buckets are filled in this order
FALLBACK = {"com": ("south", "com"), "log": ("north", "log"), "ind": ("south", "ind"), "incub": ("south", "ind")}
BUCKET_ORDER = [("south", "hq"), ("south", "incub"), ("bonded", "com"), ("bonded", "ind"), ("bonded", "log"),
                ("north", "com"), ("north", "ind"), ("south", "log"), ("north", "log"), ("south", "com"), ("south", "ind")]


def fit_demands(bucket, n, demands, all_demands):
    """Drop secondary holdings, then move main demands to the fallback bucket, until the
    minimum counts fit into n parcels.  Returns the demands kept, sorted by firm."""
    dem = sorted(demands, key=lambda d: (d[3] == "main", d[0]))
    while dem and sum(d[2] for d in dem) > n:
        d = dem.pop(0)
        if d[3] == "main":
            all_demands.setdefault(FALLBACK[bucket[1]], []).append(d)
    return sorted(dem, key=lambda d: d[0])


def assign_owners(parcels, firms, roles, rng):
    buckets = assign_reserve(parcels, rng)
    demands = firm_demands(firms, roles, rng)
    for bucket in BUCKET_ORDER:
        idxs = buckets.get(bucket, [])
        dem = fit_demands(bucket, len(idxs), demands.get(bucket, []), demands)
        if not dem:
            continue  # no firm wants this land: it stays state-held (owner null)
        rng.shuffle(dem)
        pos = 0
        for (fi, _w, _m, kind), cnt in zip(dem, allocate(len(idxs), dem)):
            for k, idx in enumerate(idxs[pos:pos + cnt]):
                parcels[idx].update(owner=firms[fi]["name"], firm=fi, kind=kind,
                                    last=(k == cnt - 1 and cnt > 1), multi=cnt > 1)
            pos += cnt


def owned_status(p, f, role, rng):
    if role == "zombie":
        return "zombie"
    if p["kind"] == "extra":
        return "expanding"
    if role == "relocator":
        return "relocating"
    if p["kind"] == "hq" or p["profile"] == "incub":
        return "redeveloped"
    if f["expansion_intent"] and p["last"]:
        return "expanding"
    if p["profile"] == "cbd" and rng.random() < 0.35:
        return "redeveloped"
    if p["multi"] and rng.random() < IDLE_P[p["zone"]]:
        return "idle"
    return "active"


def assign_statuses(parcels, firms, roles, rng):
    for p in parcels:
        if p["firm"] is not None:
            f = firms[p["firm"]]
            p["status"] = owned_status(p, f, roles.get(f["name"], "big"), rng)
        elif p["status"] == "active" and p["profile"] in ("hq", "incub") and p["use"] != "G1":
            p["status"] = "redeveloped"
        elif p["status"] == "active" and p["profile"] == "cbd" and p["use"] != "G1" and rng.random() < 0.4:
            p["status"] = "redeveloped"


def split_hundredths(total, weights):
    """Integer hundredths of `total` split by weights, summing exactly."""
    cents = round(total * 100)
    s = sum(weights)
    quotas = [cents * w / s for w in weights]
    parts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda k: (-(quotas[k] - parts[k]), k))
    for k in order[:cents - sum(parts)]:
        parts[k] += 1
    return [c / 100 for c in parts]


def assign_figures(parcels, firms):
    by_firm = {}
    for idx, p in enumerate(parcels):
        p["output"] = p["tax"] = None
        if p["firm"] is not None:
            by_firm.setdefault(p["firm"], []).append(idx)
    for fi, idxs in sorted(by_firm.items()):
        f = firms[fi]
        if f["output_value_wan"] is None:
            continue
        weights = [parcels[i]["area"] * STATUS_WEIGHT[parcels[i]["status"]] for i in idxs]
        if sum(weights) == 0:
            weights = [parcels[i]["area"] for i in idxs]
        for key, total in (("output", f["output_value_wan"]), ("tax", f["tax_wan"])):
            for i, v in zip(idxs, split_hundredths(total, weights)):
                parcels[i][key] = v


# ------------------------------------------------------------------ zones and output
def zone_features(net):
    feats = []
    for code, name, name_en, kind, parent, outlines in ZONES:
        rings = [net.outline(*o) for o in outlines]
        geom = {"type": "Polygon", "coordinates": [rings[0]]} if len(rings) == 1 else \
            {"type": "MultiPolygon", "coordinates": [[r] for r in rings]}
        feats.append({"type": "Feature", "properties": {"code": code, "name": name, "name_en": name_en,
                                                        "kind": kind, "parent": parent}, "geometry": geom})
    return feats


def road_features(net):
    return [{"type": "Feature",
             "properties": {"code": code, "name": name, "name_en": name_en, "class": cls},
             "geometry": {"type": "LineString", "coordinates": net.road_line(line, frm, to)}}
            for code, name, name_en, cls, line, frm, to in ROADS]


def subdistrict_of(p, subs):
    ring = p["polys"][0][0]
    x = sum(q[0] for q in ring[:-1]) / (len(ring) - 1)
    y = sum(q[1] for q in ring[:-1]) / (len(ring) - 1)
    for code, r in subs:
        if point_in_ring(x, y, r):
            return code
    return None


def parcel_features(parcels, subs):
    counters, feats = {}, []
    for p in parcels:
        z = p["zone"]
        counters[z] = counters.get(z, 0) + 1
        pid = f"ETDZ-{z[0].upper()}-{counters[z]:06d}"
        p["parcel_id"] = pid
        geom = {"type": "Polygon", "coordinates": p["polys"][0]} if len(p["polys"]) == 1 else \
            {"type": "MultiPolygon", "coordinates": p["polys"]}
        props = {"parcel_id": pid, "zone": z, "subdistrict": subdistrict_of(p, subs), "land_use": p["use"],
                 "status": p["status"], "owner": p["owner"], "output_value_wan": p["output"],
                 "tax_wan": p["tax"]}
        feats.append({"type": "Feature", "properties": props, "geometry": geom})
    return feats


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_collection(path, feats, name):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write('{"type":"FeatureCollection","name":"%s","features":[\n' % name)
        fh.write(",\n".join(dumps(f) for f in feats))
        fh.write("\n]}\n")


def write_array(path, items):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("[\n" + ",\n".join(dumps(i) for i in items) + "\n]\n")


def write_sample(out_dir):
    net = build_network()
    rng = random.Random(f"{SAMPLE_SEED}:ownership")
    firms, roles = generate_enterprises(SAMPLE_SEED)
    parcels = generate_parcels(net, SAMPLE_SEED)
    assign_owners(parcels, firms, roles, rng)
    assign_statuses(parcels, firms, roles, rng)
    assign_figures(parcels, firms)
    zones = zone_features(net)
    subs = [(f["properties"]["code"], f["geometry"]["coordinates"][0]) for f in zones
            if f["properties"]["kind"] == "subdistrict"]
    write_collection(out_dir / "zones.geojson", zones, "zones")
    roads = road_features(net)
    write_collection(out_dir / "roads.geojson", roads, "roads")
    write_array(out_dir / "enterprises.json", firms)
    write_collection(out_dir / "parcels.geojson", parcel_features(parcels, subs), "parcels")
    cases = reallocation_cases(parcels, firms, roads)
    write_array(out_dir / "reallocations.json", cases)
    report(net, parcels, firms)
    report_cases(cases)
    write_projects(out_dir, net, parcels)


def report(net, parcels, firms):
    count = {}
    for p in parcels:
        count[(p["zone"], p["status"])] = count.get((p["zone"], p["status"]), 0) + 1
    print(f"bonded zone area {bonded_area(net):.4f} km2; {len(parcels)} parcels; {len(firms)} enterprises",
          file=sys.stderr)
    for z in ("south", "north", "bonded"):
        row = {s: n for (zz, s), n in sorted(count.items()) if zz == z}
        print(f"  {z}: {sum(row.values())} {row}", file=sys.stderr)
    for tag in PLACE_NAMES:
        ids = [p["parcel_id"] for p in parcels if p["tag"] == tag]
        if ids:
            print(f"  {tag}: {ids[0]} .. {ids[-1]} ({len(ids)})", file=sys.stderr)


# ------------------------------------------------------------------ reallocation cases
# The service loads reallocations.json after parcels and enterprises: each case, in file order,
# is opened (rules checked) and then moved through its transitions.  The cases below are chosen
# from the generated parcels by fixed rules (sorted, seeded), and a small ledger replays their
# effects on parcel status and owner, so that later cases see the land as earlier ones left it.
REALLOC_SEED = f"{SAMPLE_SEED}:reallocations"
# 两横两纵 service corridors (assumed: the programme names no roads) and the three nodes (+ expo)
CORRIDORS = {"road-shiji": "世纪大街", "road-yangpu": "洋浦大街", "road-ziyou": "自由大路", "road-jilin": "吉林大路"}
NODES = {"cbd": "世纪大街CBD节点", "hq": "大众卓越总部基地", "incub": "长光所创新基地", "expo": "长春国际会展中心"}
# planned use by the anchor (node or corridor) a redevelopment parcel lies nearest to
ANCHOR_USE = {"hq": "B2", "cbd": "B1", "incub": "B29", "expo": "B14",
              "road-shiji": "B2", "road-jilin": "B2", "road-ziyou": "B1", "road-yangpu": "B29"}
USE_TEXT = {"B1": ("商业综合体", "a commercial complex"), "B2": ("企业总部楼宇", "a headquarters building"),
            "B21": ("金融商务楼宇", "a finance office building"), "B29": ("科创孵化楼宇", "an incubator building"),
            "B14": ("会展配套酒店", "a hotel serving the expo centre")}
CHAIN_ZH = {"automotive": "汽车零部件", "new_energy_vehicles": "新能源汽车", "new_materials": "新材料",
            "robotics_equipment": "机器人与智能装备", "bio_based_materials": "生物基材料", "biomedicine": "生物医药",
            "big_data": "大数据", "cross_border_trade": "跨境贸易", "other": "其他"}
ACQ_TEXT = {"recovery": "收回", "purchase": "收购", "expropriation": "征收"}
REALLOC_NEXT = {
    "reserve": {"proposed": ("approved", "rejected", "cancelled"), "approved": ("vacating", "cancelled"),
                "vacating": ("in_reserve", "cancelled"), "in_reserve": ("completed",)},
    "relocation": {"proposed": ("approved", "rejected", "cancelled"), "approved": ("vacating", "cancelled"),
                   "vacating": ("in_reserve", "cancelled"), "in_reserve": ("supplied",),
                   "supplied": ("completed",)},
    "redevelopment": {"proposed": ("approved", "rejected", "cancelled"), "approved": ("supplied", "cancelled"),
                      "supplied": ("completed",)},
    "expansion": {"intention": ("started", "cancelled"), "started": ("completed", "cancelled")},
}
# the forward path of each kind (a case stopping at stage S lists the path up to S)
REALLOC_PATH = {"reserve": ["approved", "vacating", "in_reserve", "completed"],
                "relocation": ["approved", "vacating", "in_reserve", "supplied", "completed"],
                "redevelopment": ["approved", "supplied", "completed"],
                "expansion": ["started", "completed"]}
CLOSED_STAGES = ("completed", "rejected", "cancelled")
STARTED_OUTPUT_WAN = 1_500_000  # planned new output of the 18 started upgrades: 15 bn yuan
RESERVE_REASONS = {
    "approved": "管委会主任办公会审议通过收储方案 — approved by the management committee",
    "vacating": {
        "recovery": "下达收回国有建设用地使用权决定书，企业腾退厂房设备 — recovery decision served; the site is being cleared",
        "purchase": "签订收购补偿协议并支付补偿款，企业腾退 — purchase and compensation agreement signed; the firm is moving out",
        "expropriation": "发布征收决定公告，完成评估补偿，组织腾退 — expropriation decision published, compensation paid, site being cleared"},
    "in_reserve": "完成交地验收，纳入土地储备库，围挡管护 — site handed over, entered in the reserve register, fenced and in custody",
    "completed": "完成前期开发（拆除、场地平整、土壤污染状况调查），具备供应条件 — site preparation done (demolition, grading, soil survey); ready for supply",
}
RELOCATION_REASONS = {
    "approved": "管委会审议通过搬迁方案，北区地块预留 — relocation plan approved; the northern parcel is earmarked",
    "vacating": "企业分批搬迁设备，南区厂区腾退中 — equipment moving in stages; the southern site is being vacated",
    "in_reserve": "南区原厂区交地，纳入土地储备 — the old southern site is handed over and taken into reserve",
    "supplied": "北区地块挂牌出让，企业竞得并签订出让合同 — northern parcel sold by listing to the firm; grant contract signed",
    "completed": "新厂区竣工投产 — the new plant is completed and in production",
}
REDEVELOPMENT_REASONS = {
    "approved": "规划条件经管委会审定（容积率、限高、业态） — planning conditions (FAR, height, uses) set by the committee",
    "supplied": "挂牌出让成交，签订国有建设用地使用权出让合同 — sold by listing; land grant contract signed",
    "completed": "项目竣工验收，楼宇投入运营 — building completed and in operation",
}


def _seg_dist(p, a, b):
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


class Ledger:
    """Parcel status and owner as the cases so far leave them, plus the open case of each parcel."""

    def __init__(self, parcels):
        self.p = {p["parcel_id"]: {"status": p["status"], "owner": p["owner"], "use": p["use"]} for p in parcels}
        self.open = {}
        self.cases = []

    def free(self, code):
        return code not in self.open

    def add(self, case):
        """Open `case`, replay its transitions and append it; the rules are checked by check_sample.py."""
        idx = len(self.cases)
        codes = [q["code"] for q in case["parcels"]]
        assert all(self.free(c) for c in codes), (idx, codes)
        saved = {c: dict(self.p[c]) for c in codes}
        stage = "intention" if case["kind"] == "expansion" else "proposed"
        for c in codes:
            self.open[c] = idx
        for t in case["transitions"]:
            assert t["to"] in REALLOC_NEXT[case["kind"]].get(stage, ()), (idx, stage, t["to"])
            stage = t["to"]
            self._effect(case, stage, saved)
        if stage in CLOSED_STAGES:
            for c in codes:
                del self.open[c]
        self.cases.append(case)
        return stage

    def _effect(self, case, stage, saved):
        kind = case["kind"]
        if stage in ("rejected", "cancelled"):
            for c, s in saved.items():
                self.p[c].update(status=s["status"], owner=s["owner"])
            return
        role = {q["role"]: q["code"] for q in case["parcels"]}
        subjects = [q["code"] for q in case["parcels"] if q["role"] == "subject"]
        if kind in ("reserve", "relocation") and stage in ("vacating", "in_reserve"):
            for c in subjects if kind == "reserve" else [role["source"]]:
                self.p[c]["status"] = "relocating" if stage == "vacating" else "reserved"
                if stage == "in_reserve":
                    self.p[c]["owner"] = None
        elif kind == "relocation" and stage == "supplied":
            self.p[role["target"]].update(status="supplied", owner=case["enterprise"])
        elif kind == "relocation" and stage == "completed":
            self.p[role["target"]]["status"] = "active"
        elif kind == "redevelopment" and stage in ("supplied", "completed"):
            for c in subjects:
                self.p[c]["status"] = "supplied" if stage == "supplied" else "redeveloped"
                if stage == "supplied":
                    self.p[c]["use"] = case["planned_use"]
        elif kind == "expansion" and stage in ("started", "completed"):
            self.p[subjects[0]]["status"] = "expanding" if stage == "started" else "active"


def path_to(kind, final, via=None):
    """Transition targets from the start to `final`; rejected/cancelled leave from stage `via`."""
    if final in ("rejected", "cancelled"):
        path = [] if via in (None, "proposed", "intention") else REALLOC_PATH[kind][:REALLOC_PATH[kind].index(via) + 1]
        return path + [final]
    return REALLOC_PATH[kind][:REALLOC_PATH[kind].index(final) + 1] if final in REALLOC_PATH[kind] else []


def transitions(kind, stages, reasons, extra=None):
    out = []
    for s in stages:
        r = (extra or {}).get(s) or reasons[s]
        out.append({"to": s, "reason": r})
    return out


class Geo:
    """Centroids in the metric frame and distances to the service corridors and nodes."""

    def __init__(self, parcels, roads):
        self.c = {}
        for p in parcels:
            ring = p["polys"][0][0][:-1]
            self.c[p["parcel_id"]] = to_xy(sum(q[0] for q in ring) / len(ring), sum(q[1] for q in ring) / len(ring))
        lines = {f["properties"]["code"]: [to_xy(*q) for q in f["geometry"]["coordinates"]] for f in roads}
        self.roads = {code: lines[code] for code in CORRIDORS}
        self.nodes = {tag: [self.c[p["parcel_id"]] for p in parcels if p["tag"] == tag] for tag in NODES}
        self.tag = {p["parcel_id"]: p["tag"] for p in parcels}

    def centre(self, codes):
        pts = [self.c[c] for c in codes]
        return sum(q[0] for q in pts) / len(pts), sum(q[1] for q in pts) / len(pts)

    def dist(self, codes, anchor):
        x = self.centre(codes)
        if anchor in self.nodes:
            if all(self.tag[c] == anchor for c in codes):
                return 0.0
            return min(math.hypot(x[0] - q[0], x[1] - q[1]) for q in self.nodes[anchor])
        line = self.roads[anchor]
        return min(_seg_dist(x, a, b) for a, b in zip(line, line[1:]))

    def anchor(self, codes):
        """(distance m, anchor) of the nearest corridor or node; nodes win ties."""
        return min((round(self.dist(codes, a), 1), 0 if a in NODES else 1, a) for a in list(NODES) + list(CORRIDORS))[::2]

    def where(self, codes, anchor=None):
        """Where the parcels lie, relative to `anchor` or else to the nearest corridor or node."""
        d, a = (self.dist(codes, anchor), anchor) if anchor else self.anchor(codes)
        if a in NODES:
            return f"{NODES[a]}" + ("内" if d == 0 else f"旁（约{round(d, -1):.0f} m）")
        return f"{CORRIDORS[a]}服务业走廊（距道路中线约{round(d, -1):.0f} m）"


def reserve_cases(led, geo, parcels, firms):
    """Zombie firms' land into reserve (all of a firm's zombie parcels in one case), idle land too."""
    by_firm = {}
    for p in parcels:
        if p["status"] == "zombie":
            by_firm.setdefault(p["owner"], []).append(p["parcel_id"])
    # corridor land first: zombie firms ranked by distance of their site to a corridor or node
    ranked = sorted(by_firm, key=lambda f: (geo.anchor(by_firm[f])[0], f))
    plan = [("completed", "recovery", None), ("completed", "purchase", None), ("completed", "expropriation", None),
            ("in_reserve", "purchase", None), ("vacating", "expropriation", None), ("approved", "recovery", None),
            ("proposed", "purchase", None), ("cancelled", "recovery", "approved")]
    actors = ["土地储备中心 李工", "土地储备中心 刘工"]
    completed = []
    for k, (firm, (final, acq, via)) in enumerate(zip(ranked, plan)):
        f = firms[firm]
        codes = sorted(by_firm[firm])
        extra = {"vacating": RESERVE_REASONS["vacating"][acq]}
        if final == "cancelled":
            extra["cancelled"] = "企业被兼并重组，新股东承诺两年内达产，撤销收储 — the firm was taken over and the new owner commits to full production within two years"
        reason = (f"僵尸企业用地，停产三年以上（年产值{f['output_value_wan']:g}万元、从业{f['employees']}人），"
                  f"{ACQ_TEXT[acq]}入储；位于{geo.where(codes)} — zombie firm idle for three years, land taken into reserve")
        case = {"kind": "reserve", "parcels": [{"code": c, "role": "subject"} for c in codes], "acquisition": acq,
                "reason": reason, "actor": actors[k % 2],
                "transitions": transitions("reserve", path_to("reserve", final, via), RESERVE_REASONS, extra)}
        if led.add(case) == "completed":
            completed.append(codes)
    # idle land of operating firms: one recovered (闲置满两年), one rejected because it is in an expansion plan
    idle = sorted((p for p in parcels if p["zone"] == "south" and p["status"] == "idle" and p["owner"]),
                  key=lambda p: (geo.anchor([p["parcel_id"]])[0], p["parcel_id"]))
    plain = next(p for p in idle if not firms[p["owner"]]["expansion_intent"] and not firms[p["owner"]]["upgrade_started"])
    led.add({"kind": "reserve", "parcels": [{"code": plain["parcel_id"], "role": "subject"}], "acquisition": "recovery",
             "reason": f"闲置土地，出让后未动工开发满两年，依法无偿收回（{plain['owner']}）；位于{geo.where([plain['parcel_id']])}"
                       " — idle land left undeveloped for over two years, recovered without compensation",
             "actor": "土地储备中心 李工",
             "transitions": transitions("reserve", path_to("reserve", "in_reserve"), RESERVE_REASONS,
                                        {"vacating": RESERVE_REASONS["vacating"]["recovery"]})})
    planned = next(p for p in idle if firms[p["owner"]]["expansion_intent"])
    led.add({"kind": "reserve", "parcels": [{"code": planned["parcel_id"], "role": "subject"}], "acquisition": "purchase",
             "reason": f"闲置土地，拟协议收购入储（{planned['owner']}） — idle land proposed for purchase into reserve",
             "actor": "土地储备中心 刘工",
             "transitions": [{"to": "rejected", "reason": "企业已将该地块纳入扩能项目并报送开工计划，不予收储 — the firm has put the parcel into its expansion project; not taken into reserve"}]})
    return completed


def relocation_cases(led, geo, parcels, firms):
    """Relocating firms move from the south to free land in the northern zone."""
    by_code = {p["parcel_id"]: p for p in parcels}
    sources, north_home = {}, {}
    for p in parcels:
        if p["status"] == "relocating" and p["zone"] == "south":
            sources.setdefault(p["owner"], []).append(p)
        elif p["status"] == "expanding" and p["zone"] == "north":
            north_home.setdefault(p["owner"], p["parcel_id"])
    src = {f: max(ps, key=lambda p: (p["area"], p["parcel_id"]))["parcel_id"] for f, ps in sources.items()}
    ranked = sorted(src, key=lambda f: (geo.anchor([src[f]])[0], f))
    def free():
        return sorted(c for c, s in led.p.items() if c.startswith("ETDZ-N-") and s["owner"] is None and led.free(c)
                      and s["status"] in ("idle", "reserved", "vacated") and s["use"] in ("M1", "M2"))
    plan = [("completed", None), ("supplied", None), ("in_reserve", None), ("vacating", None), ("vacating", None),
            ("approved", None), ("proposed", None), ("cancelled", "approved")]
    actors = ["招商局 张工", "经济发展局 赵工"]
    completed = []
    for k, (firm, (final, via)) in enumerate(zip(ranked, plan)):
        home = geo.c[north_home[firm]] if firm in north_home else geo.centre([src[firm]])
        target = min(free(), key=lambda c: (round(math.hypot(geo.c[c][0] - home[0], geo.c[c][1] - home[1])), c))
        near = f"，毗邻企业北区新厂区{north_home[firm]}" if firm in north_home else ""
        chain = firms[firm]["industry_chain"]
        extra = {}
        if final == "cancelled":
            extra["cancelled"] = "企业改为租赁北区标准化厂房，撤回搬迁申请 — the firm will lease a standard factory in the north instead; application withdrawn"
        case = {"kind": "relocation", "parcels": [{"code": src[firm], "role": "source"}, {"code": target, "role": "target"}],
                "enterprise": firm,
                "reason": f"南区厂区无扩产空间（{by_code[src[firm]]['use']}，{by_code[src[firm]]['area'] / 10000:.2f} ha），"
                          f"{CHAIN_ZH[chain]}产能搬迁至北区{by_code[target]['use']}地块扩能{near} — no room to grow "
                          "in the south; moving to a free parcel in the northern zone to expand",
                "actor": actors[k % 2],
                "transitions": transitions("relocation", path_to("relocation", final, via), RELOCATION_REASONS, extra)}
        if led.add(case) == "completed":
            completed.append([src[firm]])
    # a request to move into the bonded zone by a firm whose business does not qualify
    owned = {}
    for p in parcels:
        if p["owner"]:
            owned.setdefault(p["owner"], []).append(p)
    firm = min(n for n, ps in owned.items() if firms[n]["industry_chain"] == "other" and not firms[n]["expansion_intent"]
               and not firms[n]["upgrade_started"] and all(p["zone"] == "south" and p["status"] == "active" for p in ps))
    source = max(owned[firm], key=lambda p: (p["area"], p["parcel_id"]))["parcel_id"]
    target = min(c for c, s in led.p.items() if c.startswith("ETDZ-B-") and s["owner"] is None and led.free(c)
                 and s["status"] in ("idle", "reserved", "vacated"))
    led.add({"kind": "relocation", "parcels": [{"code": source, "role": "source"}, {"code": target, "role": "target"}],
             "enterprise": firm, "reason": "申请迁入兴隆综合保税区 — the firm asks to move into the Xinglong bonded zone",
             "actor": "招商局 张工",
             "transitions": [{"to": "rejected", "reason": "企业非保税加工、保税物流类项目，不符合综保区准入条件 — not a bonded processing or logistics business; does not qualify for the bonded zone"}]})
    return completed


def redevelopment_cases(led, geo, reserved_sets, relocated_sets):
    """Reserved and vacated land supplied for headquarters, commercial complexes and incubators."""
    kept = {c for codes in reserved_sets + relocated_sets for c in codes}

    def pool():
        return sorted(c for c, s in led.p.items() if c.startswith("ETDZ-S-") and s["owner"] is None and led.free(c)
                      and s["status"] in ("reserved", "vacated") and c not in kept)

    def nearest(anchor):
        return [min(pool(), key=lambda c: (round(geo.dist([c], anchor)), c))]

    def add(codes, final, via=None, anchor=None, use=None, actor="规划科 王工", reason=None, extra=None):
        use = use or ANCHOR_USE[anchor or geo.anchor(codes)[1]]
        zh, en = USE_TEXT.get(use, USE_TEXT[use[:2]])
        origin = "、".join(f"{c}（{led.p[c]['status']}）" for c in codes)
        led.add({"kind": "redevelopment", "parcels": [{"code": c, "role": "subject"} for c in codes], "planned_use": use,
                 "reason": reason or f"腾笼换鸟：储备/腾退地块{origin}位于{geo.where(codes, anchor)}，规划供应为{zh}（{use}）"
                                     f" — vacated/reserved land on the service corridors supplied for {en}",
                 "actor": actor,
                 "transitions": transitions("redevelopment", path_to("redevelopment", final, via),
                                            REDEVELOPMENT_REASONS, extra)})

    add(nearest("hq"), "completed", anchor="hq")
    add(nearest("cbd"), "completed", anchor="cbd", actor="管委会")
    add(nearest("incub"), "supplied", anchor="incub")
    if reserved_sets:
        add(reserved_sets[0], "supplied")
    if len(reserved_sets) > 1:
        add(reserved_sets[1], "approved")
    add(nearest("expo"), "approved", anchor="expo", actor="招商局 张工")
    for codes in relocated_sets[:1]:
        add(codes, "proposed")
    add(nearest("cbd"), "cancelled", via="approved", anchor="cbd", use="B21", actor="招商局 张工",
        extra={"cancelled": "意向投资方撤回投资意向，方案终止 — the prospective investor withdrew"})
    far = max(pool(), key=lambda c: (round(geo.anchor([c])[0]), c))
    add([far], "rejected", use="B1",
        reason=f"拟将储备地块{far}供应为商业综合体（B1） — reserved land proposed for a commercial complex",
        extra={"rejected": f"地块距服务业走廊和节点约{round(geo.anchor([far])[0], -1):.0f} m，不符合“两横两纵三节点”布局，"
                           "规划保留工业用途 — off the service corridors and nodes; zoning keeps it industrial"})


def expansion_cases(led, parcels, firms_list):
    """存量扩能: a started case for every firm with upgrade_started, an intention case for the others."""
    rng = random.Random(f"{REALLOC_SEED}:expansion")
    active = {}
    for p in parcels:
        if p["owner"] and led.p[p["parcel_id"]]["status"] == "active" and led.free(p["parcel_id"]):
            active.setdefault(p["owner"], []).append(p)
    started = sorted((f for f in firms_list if f["upgrade_started"]), key=lambda f: (-f["output_value_wan"], f["name"]))
    weights = [f["output_value_wan"] * rng.uniform(0.85, 1.15) for f in started]
    planned = [round(STARTED_OUTPUT_WAN * w / sum(weights), -2) for w in weights]
    planned[0] += STARTED_OUTPUT_WAN - sum(planned)
    intent = sorted((f for f in firms_list if f["expansion_intent"] and not f["upgrade_started"] and f["name"] in active),
                    key=lambda f: (-(f["output_value_wan"] or 0), f["name"]))
    actors = ["经济发展局 赵工", "招商局 张工"]
    for k, (f, wan) in enumerate(list(zip(started, planned)) +
                                 [(f, max(100, round((f["output_value_wan"] or 1000) * rng.uniform(0.2, 0.5), -2)))
                                  for f in intent]):
        subject = max(active[f["name"]], key=lambda p: (p["area"], p["parcel_id"]))["parcel_id"]
        wan = int(wan)
        go = f["upgrade_started"]
        case = {"kind": "expansion", "parcels": [{"code": subject, "role": "subject"}], "enterprise": f["name"],
                "planned_output_wan": wan,
                "reason": (f"存量扩能：技改扩产项目{'已开工' if go else '意向申报'}，在现有厂区扩建，"
                           f"新增产值{wan:,}万元（现年产值{f['output_value_wan'] or 0:,.0f}万元） — in-place "
                           f"{'upgrade under way' if go else 'expansion intended'}, planned new output {wan:,} 万元"),
                "actor": actors[k % 2],
                "transitions": [{"to": "started", "reason": "施工许可已核发，项目开工 — building permit issued, works started"}]
                if go else []}
        led.add(case)


def reallocation_cases(parcels, firms_list, roads):
    led = Ledger(parcels)
    geo = Geo(parcels, roads)
    firms = {f["name"]: f for f in firms_list}
    reserved_sets = reserve_cases(led, geo, parcels, firms)
    relocated_sets = relocation_cases(led, geo, parcels, firms)
    redevelopment_cases(led, geo, reserved_sets, relocated_sets)
    expansion_cases(led, parcels, firms_list)
    return led.cases


def report_cases(cases):
    count = {}
    for c in cases:
        stage = c["transitions"][-1]["to"] if c["transitions"] else "intention" if c["kind"] == "expansion" else "proposed"
        count[(c["kind"], stage)] = count.get((c["kind"], stage), 0) + 1
    print(f"{len(cases)} reallocation cases", file=sys.stderr)
    for kind in REALLOC_PATH:
        row = {s: n for (k, s), n in sorted(count.items()) if k == kind}
        print(f"  {kind}: {sum(row.values())} {row}", file=sys.stderr)


# ------------------------------------------------------------------ synthetic mode
DIST = (125.25, 43.78, 125.65, 44.05)
SYN_PROFILES = {"south": [("ind", 45), ("heavy", 15), ("resid", 20), ("cbd", 6), ("civic", 8), ("park", 6)],
                "north": [("nind", 40), ("nlog", 15), ("nres", 25), ("civic", 8), ("park", 7), ("nrsv", 5)],
                "bonded": [("bmain", 60), ("bproc", 40)]}
SYN_STATUS = {"south": [("active", 66), ("idle", 9), ("zombie", 6), ("expanding", 3), ("reserved", 6),
                        ("relocating", 3), ("vacated", 3), ("redeveloped", 4)],
              "north": [("active", 80), ("idle", 3), ("zombie", 1), ("expanding", 7), ("reserved", 7),
                        ("relocating", 0), ("vacated", 1), ("redeveloped", 1)],
              "bonded": [("active", 85), ("idle", 2), ("zombie", 0), ("expanding", 8), ("reserved", 4),
                         ("relocating", 0), ("vacated", 0), ("redeveloped", 1)]}
SYN_RATE = {"active": (300, 4000), "redeveloped": (200, 2500), "expanding": (100, 1500),
            "relocating": (50, 800), "idle": (0, 0), "zombie": (0, 5)}


class Synthetic:
    """Streaming generator of N synthetic parcels; the first k of N are the run for k."""

    def __init__(self, seed):
        self.seed = seed
        net = build_network()
        zones = zone_features(net)
        self.bonded = [p[0] for f in zones if f["properties"]["code"] == "bonded"
                       for p in f["geometry"]["coordinates"]]
        self.subs = [(f["properties"]["code"], f["geometry"]["coordinates"][0]) for f in zones
                     if f["properties"]["kind"] == "subdistrict"]
        self.north_lat = net.ll[Network.key("shiji", "weihai")][1]
        self.owners = self.owner_pools(generate_enterprises(SAMPLE_SEED)[0])
        self.w_m = (DIST[2] - DIST[0]) * MX
        self.h_m = (DIST[3] - DIST[1]) * MY
        self.x0, self.y0 = to_xy(DIST[0], DIST[1])

    @staticmethod
    def owner_pools(firms):
        """Firms by category (ind/log/com) plus the zombie-like and the expanding firms."""
        pools = {"ind": [], "log": [], "com": [], "zombie": [], "expanding": []}
        for f in firms:
            chain = f["industry_chain"]
            zombie = f["output_value_wan"] is not None and f["output_value_wan"] < 50
            cat = "zombie" if zombie else "log" if chain == "cross_border_trade" else \
                "com" if chain == "big_data" else "ind"
            pools[cat].append(f)
            if f["expansion_intent"]:
                pools["expanding"].append(f)
        return pools

    def streets(self, rng, length):
        out, x = [], rng.uniform(0, 150)
        while True:
            w = rng.uniform(300, 900)
            if x + w > length:
                return out
            out.append((x, x + w))
            x += w + rng.uniform(24, 50)

    def layer_blocks(self, layer):
        rng = random.Random(f"syn:{self.seed}:grid:{layer}")
        blocks = [(bx, by) for bx in self.streets(rng, self.w_m) for by in self.streets(rng, self.h_m)]
        rng.shuffle(blocks)
        return blocks

    def zone_of(self, lon, lat):
        for ring in self.bonded:
            if point_in_ring(lon, lat, ring):
                return "bonded"
        return "north" if lat >= self.north_lat else "south"

    def subdistrict(self, lon, lat):
        if not (125.36 < lon < 125.57 and 43.83 < lat < 43.99):
            return None
        for code, ring in self.subs:
            if point_in_ring(lon, lat, ring):
                return code
        return None

    def features(self, n):
        count, layer = 0, 0
        while True:
            for bi, block in enumerate(self.layer_blocks(layer)):
                rng = random.Random(f"syn:{self.seed}:block:{layer}:{bi}")
                for feat in self.block_features(rng, block):
                    count += 1
                    feat["properties"]["parcel_id"] = \
                        f"ETDZ-{feat['properties']['zone'][0].upper()}-{count:07d}"
                    yield feat
                    if count >= n:
                        return
            layer += 1

    def block_features(self, rng, block):
        (bx0, bx1), (by0, by1) = block
        if rng.random() < 0.12:
            return
        cx, cy = self.x0 + (bx0 + bx1) / 2, self.y0 + (by0 + by1) / 2
        lon, lat = to_ll(cx, cy)
        zone = self.zone_of(lon, lat)
        profile = choose(rng, SYN_PROFILES[zone])
        (lo, hi), mix, empty_p = PROFILES[profile]
        u0, v0 = self.x0 + bx0 + rng.uniform(10, 25), self.y0 + by0 + rng.uniform(10, 25)
        u1, v1 = self.x0 + bx1 - rng.uniform(10, 25), self.y0 + by1 - rng.uniform(10, 25)
        target = math.exp(rng.uniform(math.log(lo), math.log(hi))) * 1e4
        for _ti, rect in layout_lots(rng, u0, v0, u1, v1, target):
            if rng.random() < empty_p:
                continue
            yield self.lot_feature(rng, rect, zone, choose(rng, mix))

    def lot_feature(self, rng, rect, zone, use):
        rings = []
        for i, r in enumerate(lot_polygon(rng, rect, 0.01)):
            pts = [to_ll(x, y) for x, y in r]
            rings.append(orient(pts + [pts[0]], i == 0))
        area = shoelace([to_xy(*q) for q in rings[0]]) + sum(shoelace([to_xy(*q) for q in h]) for h in rings[1:])
        u0, v0, u1, v1 = rect
        clon, clat = to_ll((u0 + u1) / 2, (v0 + v1) / 2)
        props = {"parcel_id": None, "zone": zone, "subdistrict": self.subdistrict(clon, clat), "land_use": use}
        props.update(self.lot_economy(rng, zone, use, area))
        return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": rings}}

    def lot_economy(self, rng, zone, use, area):
        """Status, owner and figures of one synthetic lot (per-hectare rates by status).

        Same invariants as the sample: reserved/vacated land and non-business uses have no
        owner, zombie lots belong to zombie-like firms, expanding lots to firms that intend to
        expand, firms that report no figures give null figures.  Figures are per lot and do
        not add up to the firms' totals."""
        cat = CATEGORY.get(use)
        status = choose(rng, SYN_STATUS[zone])
        if cat is None or status in ("reserved", "vacated") or (cat == "com" and rng.random() < 0.3):
            if status not in ("reserved", "vacated", "redeveloped"):
                status = "active"
            return {"status": status, "owner": None, "output_value_wan": None, "tax_wan": None}
        firm = rng.choice(self.owners[status if status in ("zombie", "expanding") else cat])
        if firm["output_value_wan"] is None:
            return {"status": status, "owner": firm["name"], "output_value_wan": None, "tax_wan": None}
        lo, hi = SYN_RATE[status]
        output = round(area / 1e4 * rng.uniform(lo, hi), 2)
        return {"status": status, "owner": firm["name"], "output_value_wan": output,
                "tax_wan": round(output * rng.uniform(0.02, 0.07), 2)}


def write_synthetic(n, out, seed):
    t0 = time.time()
    gen = Synthetic(seed)
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        for k, feat in enumerate(gen.features(n), 1):
            fh.write(dumps(feat))
            fh.write("\n")
            if k % 100_000 == 0:
                print(f"{k:,} parcels written ({time.time() - t0:.1f} s)", file=sys.stderr)
    print(f"done: {n:,} parcels -> {out} in {time.time() - t0:.1f} s", file=sys.stderr)


# ------------------------------------------------------------------ public projects
# schools.geojson, projects.geojson and targets.json: the zone's public-project programme
# (DESIGN.md, "Public projects").  This step runs after the other files are written, reads the
# generated parcels and road network and uses its own seeded random stream, so it changes nothing
# in them.  Sites follow fixed rules: a school sits on the A33 parcel nearest a chosen point (cut
# straight across its long axis to the programme's site area), a street renovation or lighting
# line follows a road line of roads.geojson between two junctions, an old quarter is the convex
# hull of neighbouring R2 parcels of an old residential block, greening takes G1 parcels and
# strips in the road reserve of 世纪大街.  Areas and lengths are geodesic (WGS84 ellipsoid).
PROJECTS_SEED = f"{SAMPLE_SEED}:projects"
PROJECTS_AS_OF = "2026-10-31"  # statuses and percent complete hold on this date
WGS84_F = 1 / 298.257223563
_E2F = WGS84_F * (2 - WGS84_F)
_EF = math.sqrt(_E2F)


def _authalic_q(s):
    return (1 - _E2F) * (s / (1 - _E2F * s * s) - math.log((1 - _EF * s) / (1 + _EF * s)) / (2 * _EF))


_QP = _authalic_q(1.0)
_RQ2 = WGS84_A * WGS84_A * _QP / 2  # squared radius of the authalic sphere


def geodesic_ring_area(ring):
    """Signed area (m2, CCW positive) of a lon/lat ring on the WGS84 ellipsoid.

    Latitudes go to authalic latitudes, which map the ellipsoid onto the sphere of equal area
    (radius R_q); the area is then R_q^2 times the spherical excess, summed edge by edge as the
    trapezoids between each edge and the equator.  Agrees with Karney's algorithm (GeographicLib,
    geo's GeodesicArea) to about 1e-7 on the parcels of this zone."""
    pts = ring[:-1] if ring[0] == ring[-1] else ring
    tb = [math.tan(math.asin(_authalic_q(math.sin(math.radians(p[1]))) / _QP) / 2) for p in pts]
    s = 0.0
    for i in range(len(pts)):
        j = (i + 1) % len(pts)
        dl = math.radians(pts[j][0] - pts[i][0])
        s += 2 * math.atan2(math.tan(dl / 2) * (tb[i] + tb[j]), 1 + tb[i] * tb[j])
    return -s * _RQ2


def geodesic_distance(p, q):
    """Vincenty's inverse formula on WGS84 (metres; sub-millimetre for the distances here)."""
    a, f = WGS84_A, WGS84_F
    b = a * (1 - f)
    lon_d = math.radians(q[0] - p[0])
    u1 = math.atan((1 - f) * math.tan(math.radians(p[1])))
    u2 = math.atan((1 - f) * math.tan(math.radians(q[1])))
    su1, cu1, su2, cu2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    lam = lon_d
    for _ in range(200):
        sl, cl = math.sin(lam), math.cos(lam)
        ss = math.hypot(cu2 * sl, cu1 * su2 - su1 * cu2 * cl)
        if ss == 0:
            return 0.0
        cs = su1 * su2 + cu1 * cu2 * cl
        sig = math.atan2(ss, cs)
        sa = cu1 * cu2 * sl / ss
        c2a = 1 - sa * sa
        c2m = cs - 2 * su1 * su2 / c2a if c2a else 0.0
        c = f / 16 * c2a * (4 + f * (4 - 3 * c2a))
        prev = lam
        lam = lon_d + (1 - c) * f * sa * (sig + c * ss * (c2m + c * cs * (-1 + 2 * c2m * c2m)))
        if abs(lam - prev) < 1e-13:
            break
    u_2 = c2a * (a * a - b * b) / (b * b)
    aa = 1 + u_2 / 16384 * (4096 + u_2 * (-768 + u_2 * (320 - 175 * u_2)))
    bb = u_2 / 1024 * (256 + u_2 * (-128 + u_2 * (74 - 47 * u_2)))
    ds = bb * ss * (c2m + bb / 4 * (cs * (-1 + 2 * c2m * c2m)
                                    - bb / 6 * c2m * (-3 + 4 * ss * ss) * (-3 + 4 * c2m * c2m)))
    return b * aa * (sig - ds)


def geodesic_length(line):
    return sum(geodesic_distance(a, b) for a, b in zip(line, line[1:]))


def _local_xy(lat):
    mx, my = metres_per_degree(lat)
    return lambda q: (q[0] * mx, q[1] * my)


def polygon_distance(ra, rb):
    """Distance (m) between two polygons given by exterior rings (0 if they touch or overlap):
    the least vertex-to-edge distance either way, in a local metric frame at their mean latitude."""
    f = _local_xy((ra[0][1] + rb[0][1]) / 2)
    a, b = [f(q) for q in ra], [f(q) for q in rb]
    ea, eb = list(zip(a, a[1:])), list(zip(b, b[1:]))
    if any(segments_touch(p, q, r, s) for p, q in ea for r, s in eb) or \
            point_in_ring(*a[0], b[:-1]) or point_in_ring(*b[0], a[:-1]):
        return 0.0
    return min(min(_seg_dist(p, r, s) for p in a[:-1] for r, s in eb),
               min(_seg_dist(p, r, s) for p in b[:-1] for r, s in ea))


def _close(pts_ll):
    """Closed CCW lon/lat ring from open points (consecutive duplicates dropped)."""
    out = []
    for q in pts_ll:
        if not out or q != out[-1]:
            out.append(q)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    ring = out + [out[0]]
    return orient(ring, True)


def _half_plane(pts, g):
    """Part of an open ring (metres) where g(p) <= 0 (one Sutherland-Hodgman pass)."""
    out = []
    for k in range(len(pts)):
        a, b = pts[k - 1], pts[k]
        ga, gb = g(a), g(b)
        if (ga <= 0) != (gb <= 0):
            t = ga / (ga - gb)
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
        if gb <= 0:
            out.append(b)
    return out


def cut_to_area(ring_ll, target_m2, toward):
    """Cut a polygon straight across its long axis, keeping the end nearer `toward` (lon, lat),
    so that the kept part measures `target_m2` (geodesic, after rounding to 6 decimals)."""
    pts = [to_xy(*q) for q in ring_ll[:-1]]
    k = max(range(len(pts)), key=lambda i: math.dist(pts[i - 1], pts[i]))
    ux, uy = _unit(pts[k][0] - pts[k - 1][0], pts[k][1] - pts[k - 1][1])
    tx, ty = to_xy(*toward)
    along = [x * ux + y * uy for x, y in pts]
    sgn = 1.0 if tx * ux + ty * uy <= (min(along) + max(along)) / 2 else -1.0  # keep the low (or high) end
    lo, hi = min(a * sgn for a in along), max(a * sgn for a in along)

    def part(cut):
        kept = _half_plane(pts, lambda p: sgn * (p[0] * ux + p[1] * uy) - cut)
        return _close([to_ll(*p) for p in kept])

    for _ in range(60):
        mid = (lo + hi) / 2
        if geodesic_ring_area(part(mid)) < target_m2:
            lo = mid
        else:
            hi = mid
    ring = part((lo + hi) / 2)
    assert ring_is_simple(ring[:-1]) and abs(geodesic_ring_area(ring) - target_m2) < 0.002 * target_m2
    return ring


def convex_hull(points):
    """CCW convex hull (closed ring, collinear points dropped) of lon/lat points."""
    pts = sorted({tuple(q) for q in points})

    def half(seq):
        h = []
        for q in seq:
            while len(h) >= 2 and _orient(h[-2], h[-1], q) <= 0:
                h.pop()
            h.append(q)
        return h[:-1]
    hull = half(pts) + half(reversed(pts))
    return [list(q) for q in hull] + [list(hull[0])]


def rings_overlap(ra, rb):
    """Two simple rings (closed) touch or overlap."""
    ea, eb = list(zip(ra, ra[1:])), list(zip(rb, rb[1:]))
    return any(segments_touch(p, q, r, s) for p, q in ea for r, s in eb) or \
        point_in_ring(*ra[0], rb[:-1]) or point_in_ring(*rb[0], ra[:-1])


class Sites:
    """The generated parcels and road network, indexed for laying out project sites."""

    def __init__(self, net, parcels):
        self.net = net
        self.parcels = parcels
        self.by_id = {p["parcel_id"]: p for p in parcels}
        self.c = {}
        for p in parcels:
            ring = p["polys"][0][0][:-1]
            self.c[p["parcel_id"]] = (sum(q[0] for q in ring) / len(ring), sum(q[1] for q in ring) / len(ring))
        self.taken = set()

    def ring(self, code):
        return self.by_id[code]["polys"][0][0]

    def nearest(self, uses, lon, lat, zone=None, block=None):
        """Free single-polygon parcel of one of `uses` whose centroid is nearest (lon, lat)."""
        x, y = to_xy(lon, lat)

        def d(p):
            cx, cy = to_xy(*self.c[p["parcel_id"]])
            return round(math.hypot(cx - x, cy - y), 3), p["parcel_id"]
        p = min((p for p in self.parcels if p["use"] in uses and p["parcel_id"] not in self.taken
                 and len(p["polys"]) == 1 and (zone is None or p["zone"] == zone)
                 and (block is None or p["block"] == block)), key=d)
        return p["parcel_id"]

    def take(self, code):
        assert code not in self.taken, code
        self.taken.add(code)
        return code

    def line_ll(self, line, a, b):
        """Road vertices along `line` from its junction with a to its junction with b."""
        return self.net.path(line, a, b)

    def strip(self, line, a, b, side, d0, d1, trim=30.0):
        """Quadrilateral strip d0..d1 m off the centreline of `line` between the consecutive
        junctions with a and b, on `side` (west/east/north/south), `trim` m short of each junction."""
        assert self.net.between(line, a, b) == [], (line, a, b)
        pa, pb = self.net.xy[self.net.key(line, a)], self.net.xy[self.net.key(line, b)]
        ux, uy = _unit(pb[0] - pa[0], pb[1] - pa[1])
        nx, ny = -uy, ux
        want = {"west": (-1, 0), "east": (1, 0), "south": (0, -1), "north": (0, 1)}[side]
        if nx * want[0] + ny * want[1] < 0:
            nx, ny = -nx, -ny
        s0 = (pa[0] + ux * trim, pa[1] + uy * trim)
        s1 = (pb[0] - ux * trim, pb[1] - uy * trim)
        pts = [(s0[0] + nx * d0, s0[1] + ny * d0), (s1[0] + nx * d0, s1[1] + ny * d0),
               (s1[0] + nx * d1, s1[1] + ny * d1), (s0[0] + nx * d1, s0[1] + ny * d1)]
        return _close([to_ll(*p) for p in pts])


def _line_to_length(line, target):
    """The first `target` metres (geodesic) of a lon/lat line."""
    out, run = [line[0]], 0.0
    for a, b in zip(line, line[1:]):
        d = geodesic_distance(a, b)
        if run + d >= target:
            lo, hi = 0.0, 1.0
            for _ in range(60):
                t = (lo + hi) / 2
                q = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
                if run + geodesic_distance(a, q) < target:
                    lo = t
                else:
                    hi = t
            out.append([round(a[0] + lo * (b[0] - a[0]), 6), round(a[1] + lo * (b[1] - a[1]), 6)])
            return out
        out.append(b)
        run += d
    raise ValueError("line shorter than target")


# Programme schools (DESIGN.md: 4 new + 1 expansion, 145,000 m2, 110,000 万元, 147 classes,
# 6,960 seats).  Classes hold 45 pupils (primary) or 50 (middle), GB/T standard class sizes;
# 78 primary + 69 middle classes give the 6,960 seats.  An expansion's figures and site are the
# increment: the added land beside the existing school, and the classes and seats it adds.
# (id, name, name_en, kind, level, primary classes, middle classes, site m2, investment 万元,
#  status, start, completion, percent, anchor (lon, lat) of the A33 site, existing school expanded)
PROGRAMME_SCHOOLS = [
    ("SCH-01", "长春经开区第一实验小学", "ETDZ No. 1 Experimental Primary School", "new", "primary", 36, 0,
     30000, 22000, "completed", "2023-05-08", "2025-08-15", 100, (125.4252, 43.9162), None),
    ("SCH-02", "长春经开区兴港实验学校", "ETDZ Xinggang Experimental School (nine-year)", "new", "nine_year", 18, 18,
     38000, 30000, "under_construction", "2024-09-20", "2027-08-15", 80, (125.4121, 43.9138), None),
    ("SCH-03", "长春经开区第三中学", "ETDZ No. 3 Middle School", "new", "middle", 0, 36,
     42000, 32000, "under_construction", "2025-10-15", "2027-08-31", 40, (125.4080, 43.9194), None),
    ("SCH-04", "长春经开区第二实验小学", "ETDZ No. 2 Experimental Primary School", "new", "primary", 24, 0,
     22000, 16000, "planned", "2027-04-01", "2029-08-31", 0, (125.4093, 43.9256), None),
    ("SCH-05", "长春经开区第二中学改扩建工程", "ETDZ No. 2 Middle School expansion", "expansion", "middle", 0, 15,
     13000, 10000, "completed", "2023-03-20", "2024-08-25", 100, None, "SCH-E06"),
]
# Existing schools (illustrative): (id, name, name_en, level, primary classes, middle classes,
# opened, anchor of its A33 parcel).  None stands in the new residential blocks between 兴港大路
# and 兴北路, and none is within a middle school's reach of the old quarters between 浦东路 and
# 自由大路: with the programme's schools, these are where the coverage gaps remain.
EXISTING_SCHOOLS = [
    ("SCH-E01", "长春经开区临河学校", "Linhe School (nine-year)", "nine_year", 24, 12, "1996-09-01", (125.3820, 43.8702)),
    ("SCH-E02", "长春经开区第一中学", "ETDZ No. 1 Middle School", "middle", 0, 30, "1994-09-01", (125.3890, 43.8783)),
    ("SCH-E03", "长春经开区深圳街小学", "Shenzhen Street Primary School", "primary", 30, 0, "1998-09-01",
     (125.3908, 43.8739)),
    ("SCH-E04", "长春经开区东方广场小学", "Dongfangguangchang Primary School", "primary", 24, 0, "2002-09-01",
     (125.4124, 43.8651)),
    ("SCH-E05", "长春经开区洋浦学校", "Yangpu School (nine-year)", "nine_year", 24, 12, "2006-09-01",
     (125.4203, 43.8715)),
    ("SCH-E06", "长春经开区第二中学", "ETDZ No. 2 Middle School", "middle", 0, 24, "2001-09-01", (125.4361, 43.8664)),
    ("SCH-E07", "长春经开区海口街小学", "Haikou Street Primary School", "primary", 30, 0, "2004-09-01",
     (125.4380, 43.8686)),
    ("SCH-E08", "长春经开区兴业学校", "Xingye School (nine-year)", "nine_year", 18, 9, "2012-09-01", (125.4061, 43.8907)),
    ("SCH-E09", "长春经开区东湖小学", "Donghu Primary School", "primary", 30, 0, "2015-09-01", (125.4243, 43.8986)),
    ("SCH-E10", "长春经开区东湖中学", "Donghu Middle School", "middle", 0, 24, "2016-09-01", (125.4191, 43.9002)),
    ("SCH-E11", "长春经开区丹霞学校", "Danxia School (nine-year)", "nine_year", 18, 9, "2018-09-01", (125.4291, 43.8893)),
    ("SCH-E12", "长春经开区丰收小学", "Fengshou Primary School", "primary", 24, 0, "2019-09-01", (125.4046, 43.8987)),
    ("SCH-E13", "长春经开区浦东路小学", "Pudong Road Primary School", "primary", 12, 0, "1992-09-01", (125.3948, 43.8615)),
    ("SCH-E14", "长春经开区兴盛小学", "Xingsheng Primary School", "primary", 18, 0, "2020-09-01", (125.4174, 43.8976)),
]
SCHOOL_RADIUS_M = {"primary": 500.0, "middle": 1000.0}  # GB 50180-2018 life circles
SERVES = {"primary": ("primary", "nine_year"), "middle": ("middle", "nine_year")}


def _seats(primary, middle):
    return primary * 45 + middle * 50


def school_features(sites):
    feats, existing = [], {}
    for sid, name, name_en, level, pc, mc, opened, (lon, lat) in EXISTING_SCHOOLS:
        code = sites.take(sites.nearest({"A33"}, lon, lat))
        existing[sid] = code
        feats.append((sid, {"project_id": sid, "name": name, "name_en": name_en, "kind": "existing", "level": level,
                            "classes": pc + mc, "seats": _seats(pc, mc), "investment_wan": None,
                            "status": "completed", "start_date": None, "completion_date": opened,
                            "percent_complete": 100, "budget_wan": None, "parcels": code},
                      sites.ring(code)))
    programme = []
    for (sid, name, name_en, kind, level, pc, mc, m2, wan, status, start, end, pct, anchor,
         expands) in PROGRAMME_SCHOOLS:
        if expands:  # the added land: the A33 parcel next to the school, the end facing it kept
            base = existing[expands]
            lon, lat = sites.c[base]
            code = sites.take(sites.nearest({"A33"}, lon, lat, block=sites.by_id[base]["block"]))
            toward = sites.c[base]
        else:
            code = sites.take(sites.nearest({"A33"}, *anchor))
            toward = anchor
        ring = cut_to_area(sites.ring(code), m2, toward)
        programme.append((sid, {"project_id": sid, "name": name, "name_en": name_en, "kind": kind, "level": level,
                                "classes": pc + mc, "seats": _seats(pc, mc), "investment_wan": wan,
                                "status": status, "start_date": start, "completion_date": end,
                                "percent_complete": pct, "budget_wan": wan, "parcels": code}, ring))
    return [{"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}
            for _sid, props, ring in programme + feats]


def coverage_gaps(parcels, schools, completed_only=False):
    """{level: [parcel ids]}: residential (R2) parcels farther than the level's radius from every
    school serving that level (polygon to polygon, geodesic metres in a local frame)."""
    out = {}
    for level, radius in SCHOOL_RADIUS_M.items():
        rings = [f["geometry"]["coordinates"][0] for f in schools if f["properties"]["level"] in SERVES[level]
                 and (not completed_only or f["properties"]["status"] == "completed")]
        boxes = [(min(q[0] for q in r), min(q[1] for q in r), max(q[0] for q in r), max(q[1] for q in r)) for r in rings]
        gaps = []
        for p in parcels:
            if p["use"] != "R2":
                continue
            ring = p["polys"][0][0]
            pad_x, pad_y = (radius + 50) / MX, (radius + 50) / MY
            near = [r for r, b in zip(rings, boxes)
                    if b[0] - pad_x <= max(q[0] for q in ring) and min(q[0] for q in ring) <= b[2] + pad_x
                    and b[1] - pad_y <= max(q[1] for q in ring) and min(q[1] for q in ring) <= b[3] + pad_y]
            if all(min(polygon_distance(poly[0], r) for poly in p["polys"]) > radius for r in near):
                gaps.append(p["parcel_id"])
        out[level] = gaps
    return out


# Street renovations (8): (id, name, name_en, road line, from, to, status, start, end, percent)
STREET_RENOVATIONS = [
    ("STR-01", "深圳街改造提升工程（东南湖大路—吉林大路）", "Shenzhen Street renovation (Dongnanhu Rd - Jilin Rd)",
     "shenzhen", "dongnanhu", "jilin", "completed", "2024-04-10", "2025-09-30", 100),
    ("STR-02", "临河街改造提升工程（浦东路—吉林大路）", "Linhe Street renovation (Pudong Rd - Jilin Rd)",
     "linhe", "pudong", "jilin", "under_construction", "2025-05-06", "2027-06-30", 60),
    ("STR-03", "会展大街改造提升工程（东南湖大路—吉林大路）", "Huizhan Street renovation (Dongnanhu Rd - Jilin Rd)",
     "huizhan", "dongnanhu", "jilin", "completed", "2023-04-18", "2024-10-15", 100),
    ("STR-04", "自由大路改造提升工程（东部快速路—洋浦大街）", "Ziyou Road renovation (Eastern Expressway - Yangpu St)",
     "ziyou", "dongbu", "yangpu", "under_construction", "2025-09-01", "2027-06-30", 35),
    ("STR-05", "东南湖大路改造提升工程（东部快速路—世纪大街）", "Dongnanhu Road renovation (Eastern Expressway - Shiji St)",
     "dongnanhu", "dongbu", "shiji", "planned", None, "2028-06-30", 0),
    ("STR-06", "洋浦大街改造提升工程（东南湖大路—吉林大路）", "Yangpu Street renovation (Dongnanhu Rd - Jilin Rd)",
     "yangpu", "dongnanhu", "jilin", "completed", "2024-05-15", "2025-07-20", 100),
    ("STR-07", "珠海路改造提升工程（东部快速路—洋浦大街）", "Zhuhai Road renovation (Eastern Expressway - Yangpu St)",
     "zhuhai", "dongbu", "yangpu", "under_construction", "2026-03-20", "2027-05-31", 30),
    ("STR-08", "吉林大路改造提升工程（世纪大街—东环城路）", "Jilin Road renovation (Shiji St - East Ring Rd)",
     "jilin", "shiji", "donghuan", "planned", "2027-04-01", "2027-10-31", 0),
]
# Lighting (12 km in all; the last line is cut to make up the total)
LIGHTING = [
    ("LGT-01", "世纪大街路灯改造（卫星路—威海路）", "Shiji Street lighting (Weixing Rd - Weihai Rd)",
     "shiji", "weixing", "weihai", "completed", "2024-06-01", "2024-11-30", 100),
    ("LGT-02", "洋浦大街路灯改造（卫星路—威海路）", "Yangpu Street lighting (Weixing Rd - Weihai Rd)",
     "yangpu", "weixing", "weihai", "under_construction", "2026-04-15", "2026-12-15", 80),
    ("LGT-03", "兴业大街亮化工程（威海路以北）", "Xingye Street lighting (north of Weihai Rd)",
     "shiji", "weihai", "beihuan", "planned", "2027-05-01", "2027-09-30", 0),
]
LIGHTING_M = 12000.0
# Old quarters (11) in the old residential blocks (block key of the southern grid: (column, row)).
QUARTERS = [
    ("QTR-01", "经开一小区", "Jingkai Quarter 1", (1, 3), "completed", "2023-04-01", "2023-10-31", 100),
    ("QTR-02", "经开二小区", "Jingkai Quarter 2", (1, 2), "completed", "2023-04-15", "2023-11-15", 100),
    ("QTR-03", "经开三小区", "Jingkai Quarter 3", (2, 2), "completed", "2024-04-10", "2024-10-31", 100),
    ("QTR-04", "经开四小区", "Jingkai Quarter 4", (2, 3), "under_construction", "2026-04-01", "2026-11-30", 85),
    ("QTR-05", "经开五小区", "Jingkai Quarter 5", (4, 4), "completed", "2024-05-06", "2024-11-20", 100),
    ("QTR-06", "经开六小区", "Jingkai Quarter 6", (2, 2), "under_construction", "2026-03-25", "2027-06-30", 40),
    ("QTR-07", "经开七小区", "Jingkai Quarter 7", (2, 3), "completed", "2025-04-08", "2025-10-30", 100),
    ("QTR-08", "临河小区", "Linhe Quarter", (1, 3), "under_construction", "2026-05-10", "2027-07-31", 35),
    ("QTR-09", "东南湖小区", "Dongnanhu Quarter", (1, 2), "planned", None, "2027-10-31", 0),
    ("QTR-10", "东方广场小区", "Dongfangguangchang Quarter", (4, 4), "planned", "2027-04-01", "2027-10-31", 0),
    ("QTR-11", "洋浦小区", "Yangpu Quarter", (5, 5), "under_construction", "2026-04-20", "2026-11-20", 90),
]
GREENING_M2 = 270000.0
ROAD_RESERVE_M = {"arterial": (6.0, 15.0), "secondary": (5.0, 11.0), "branch": (4.0, 9.0)}  # strip offsets


def _date_ok(status, start, end):
    if status == "completed":
        return end <= PROJECTS_AS_OF and (start is None or start < end)
    if status == "under_construction":
        return start is not None and start <= PROJECTS_AS_OF < end
    return start is None or PROJECTS_AS_OF < start < end


def _project(pid, name, name_en, kind, status, start, end, pct, budget, households=None, road=None, parcels=None):
    assert _date_ok(status, start, end), pid
    budget = int(round(budget, -1))  # 万元, to the nearest 10
    return {"project_id": pid, "name": name, "name_en": name_en, "kind": kind, "status": status,
            "start_date": start, "completion_date": end, "percent_complete": pct, "budget_wan": budget,
            "households": households, "road": road, "parcels": parcels}


def _road_name(line, a):
    """Name of the road that carries `line` at its junction with a (e.g. 世纪大街 / 兴业大街)."""
    at = LINES[a]["at"]
    for _code, name, _e, _cls, rl, frm, to in ROADS:
        if rl == line and (frm is None or LINES[frm]["at"] - 1e-9 <= at) and (to is None or at < LINES[to]["at"] - 1e-9):
            return name
    raise ValueError(line)


def quarter_groups(sites, rng):
    """{quarter id: (parcel ids, hull ring)}: the convex hull of 1-3 neighbouring R2 parcels
    (consecutive in the spatial walk) of an old residential block, clear of every other parcel."""
    out, per_block = {}, {}
    for q in QUARTERS:
        per_block.setdefault(q[3], []).append(q[0])
    for (ci, rj), ids in sorted(per_block.items()):
        block = ("south", ci, rj)
        others = [p for p in sites.parcels if p["block"] == block]
        r2 = [p["parcel_id"] for p in others if p["use"] == "R2" and len(p["polys"]) == 1]
        for k, qid in enumerate(ids):
            size = rng.choice((2, 3, 3))
            group = []
            for code in r2[round((k + 0.25) * len(r2) / len(ids)):]:
                if code in sites.taken:
                    if group:
                        break
                    continue
                trial = group + [code]
                hull = convex_hull([q for c in trial for q in sites.ring(c)])
                if any(o["parcel_id"] not in trial and any(rings_overlap(hull, poly[0]) for poly in o["polys"])
                       for o in others):
                    if group:
                        break
                    continue
                group = trial
                if len(group) == size:
                    break
            for c in group:
                sites.take(c)
            out[qid] = (group, convex_hull([q for c in group for q in sites.ring(c)]))
    return out


# Greening (270,000 m2 in all; the last site is cut to make up the total).  Site: ("parcel", use,
# anchor) takes the parcel nearest the anchor, ("cut", use, anchor, m2, zone) the part of it nearest
# the anchor, ("strip", line, from, to, side) a strip in the road reserve between two junctions.
GREENING = [
    ("GRN-01", "世纪大街带状公园绿化（珠海路—吉林大路）", "Shiji Street linear park (Zhuhai Rd - Jilin Rd)",
     ("parcel", "G1", (125.4008, 43.8715)), "completed", "2023-05-10", "2024-09-30", 100),
    ("GRN-02", "世纪大街绿化带（自由大路—珠海路段西侧）", "Shiji Street green belt, west side (Ziyou Rd - Zhuhai Rd)",
     ("strip", "shiji", "ziyou", "zhuhai", "west"), "under_construction", "2026-04-01", "2027-05-31", 50),
    ("GRN-03", "世纪大街绿化带（珠海路—吉林大路段东侧）", "Shiji Street green belt, east side (Zhuhai Rd - Jilin Rd)",
     ("strip", "shiji", "zhuhai", "jilin", "east"), "completed", "2024-04-15", "2024-08-31", 100),
    ("GRN-04", "世纪大街绿化带（吉林大路—威海路段西侧）", "Shiji Street green belt, west side (Jilin Rd - Weihai Rd)",
     ("strip", "shiji", "jilin", "weihai", "west"), "planned", "2027-04-15", "2027-09-30", 0),
    ("GRN-05", "临河街游园", "Linhe Street garden", ("parcel", "G1", (125.3835, 43.8588)),
     "completed", "2024-03-20", "2024-10-15", 100),
    ("GRN-06", "东湖公园", "Donghu Park", ("parcel", "G1", (125.4215, 43.9026)),
     "under_construction", "2025-08-01", "2027-06-30", 65),
    ("GRN-07", "丹霞街防护绿地", "Danxia Street buffer green", ("parcel", "G1", (125.4390, 43.9110)),
     "planned", None, "2028-06-30", 0),
    ("GRN-08", "综保区展示交易中心广场绿化", "Bonded zone exhibition centre plaza greening",
     ("cut", "B2", (125.4640, 43.9110), 16000.0, "bonded"), "under_construction", "2025-09-10", "2027-05-31", 70),
    ("GRN-09", "长春国际会展中心广场绿化提升", "Changchun International Expo Centre plaza greening",
     ("cut", "G1", (125.3985, 43.8625), None, "south"), "completed", "2024-03-15", "2025-06-30", 100),
]
# Landscaping along 世纪大街 and around the expo centre: road-reserve strips.
LANDSCAPING = [
    ("LSC-01", "世纪大街景观提升（东南湖大路—浦东路段东侧）", "Shiji Street landscaping, east side (Dongnanhu Rd - Pudong Rd)",
     ("shiji", "dongnanhu", "pudong", "east"), "completed", "2024-05-06", "2024-10-20", 100),
    ("LSC-02", "世纪大街景观提升（浦东路—自由大路段西侧）", "Shiji Street landscaping, west side (Pudong Rd - Ziyou Rd)",
     ("shiji", "pudong", "ziyou", "west"), "under_construction", "2026-03-15", "2027-05-31", 50),
    ("LSC-03", "会展中心周边景观提升（会展大街东侧）", "Expo centre landscaping, Huizhan Street east side",
     ("huizhan", "ziyou", "zhuhai", "east"), "under_construction", "2026-04-20", "2026-11-30", 80),
    ("LSC-04", "会展中心南广场景观（自由大路北侧）", "Expo centre south forecourt landscaping, Ziyou Road north side",
     ("ziyou", "huizhan", "shiji", "north"), "planned", "2027-04-01", "2027-09-30", 0),
]


def _strip(sites, line, a, b, side):
    d0, d1 = ROAD_RESERVE_M[road_class_of_side(line, a, b)]
    return sites.strip(line, a, b, side, d0, d1)


def _green_site(sites, site, m2=None):
    """(parcel id or None, ring) of a greening site; a "cut" site is cut to its area or to `m2`."""
    if site[0] == "strip":
        return None, _strip(sites, *site[1:])
    if site[0] == "parcel":
        code = sites.take(sites.nearest({site[1]}, *site[2]))
        return code, sites.ring(code)
    _kind, use, anchor, area, zone = site
    code = sites.take(sites.nearest({use}, *anchor, zone=zone))
    return code, cut_to_area(sites.ring(code), area if area is not None else m2, anchor)


def project_features(sites, rng):
    feats = []

    def add(props, coords, gtype):
        feats.append({"type": "Feature", "properties": props, "geometry": {"type": gtype, "coordinates": coords}})

    for pid, name, name_en, line, a, b, status, start, end, pct in STREET_RENOVATIONS:
        coords = sites.line_ll(line, a, b)
        km = geodesic_length(coords) / 1000
        add(_project(pid, name, name_en, "street_renovation", status, start, end, pct,
                     km * rng.uniform(1800, 3200), road=_road_name(line, a)), coords, "LineString")
    groups = quarter_groups(sites, rng)
    for qid, name, name_en, _blk, status, start, end, pct in QUARTERS:
        codes, hull = groups[qid]
        households = round(geodesic_ring_area(hull) * rng.uniform(1.3, 1.8) / rng.uniform(70, 90))
        add(_project(qid, f"{name}改造", f"{name_en} renovation", "quarter_renovation", status,
                     start, end, pct, households * rng.uniform(1.5, 2.8), households=households,
                     parcels=",".join(codes)), [hull], "Polygon")
    green = [_green_site(sites, g[3]) for g in GREENING[:-1]]
    green.append(_green_site(sites, GREENING[-1][3], GREENING_M2 - sum(geodesic_ring_area(r) for _c, r in green)))
    for (pid, name, name_en, _site, status, start, end, pct), (code, ring) in zip(GREENING, green):
        add(_project(pid, name, name_en, "greening", status, start, end, pct,
                     geodesic_ring_area(ring) * rng.uniform(200, 450) / 1e4, parcels=code), [ring], "Polygon")
    run = 0.0
    for k, (pid, name, name_en, line, a, b, status, start, end, pct) in enumerate(LIGHTING):
        coords = sites.line_ll(line, a, b)
        if k == len(LIGHTING) - 1:
            coords = _line_to_length(coords, LIGHTING_M - run)
        m = geodesic_length(coords)
        run += m
        add(_project(pid, name, name_en, "lighting", status, start, end, pct, m / 1000 * rng.uniform(180, 320),
                     road=_road_name(line, a)), coords, "LineString")
    for pid, name, name_en, (line, a, b, side), status, start, end, pct in LANDSCAPING:
        ring = _strip(sites, line, a, b, side)
        add(_project(pid, name, name_en, "landscaping", status, start, end, pct,
                     geodesic_ring_area(ring) * rng.uniform(600, 1200) / 1e4), [ring], "Polygon")
    return feats


# The programme's targets as data (GET /targets computes planned / under way / completed amounts
# from the projects).  measure: "count", a numeric property, or the geodesic area_m2 / length_m.
PROGRAMME = ["new", "expansion"]
TARGETS = [
    {"id": "schools_new", "title": "新建学校 New schools", "collection": "schools", "where": {"kind": "new"},
     "measure": "count", "target": 4, "unit": "schools"},
    {"id": "schools_expanded", "title": "改扩建学校 School expansions", "collection": "schools",
     "where": {"kind": "expansion"}, "measure": "count", "target": 1, "unit": "schools"},
    {"id": "school_land", "title": "学校用地 School land", "collection": "schools", "where": {"kind": PROGRAMME},
     "measure": "area_m2", "target": 145000, "unit": "m²"},
    {"id": "school_investment", "title": "学校投资 School investment", "collection": "schools",
     "where": {"kind": PROGRAMME}, "measure": "investment_wan", "target": 110000, "unit": "万元"},
    {"id": "school_classes", "title": "教学班 School classes", "collection": "schools", "where": {"kind": PROGRAMME},
     "measure": "classes", "target": 147, "unit": "classes"},
    {"id": "school_seats", "title": "学位 School seats", "collection": "schools", "where": {"kind": PROGRAMME},
     "measure": "seats", "target": 6960, "unit": "seats"},
    {"id": "roads_renovated", "title": "街路改造 Street renovation", "collection": "projects",
     "where": {"kind": "street_renovation"}, "measure": "count", "target": 8, "unit": "roads"},
    {"id": "quarters_renovated", "title": "老旧小区改造 Old-quarter renovation", "collection": "projects",
     "where": {"kind": "quarter_renovation"}, "measure": "count", "target": 11, "unit": "quarters"},
    {"id": "greening", "title": "绿化 Greening", "collection": "projects", "where": {"kind": "greening"},
     "measure": "area_m2", "target": 270000, "unit": "m²"},
    {"id": "lighting", "title": "亮化 Street lighting", "collection": "projects", "where": {"kind": "lighting"},
     "measure": "length_m", "target": 12000, "unit": "m"},
]


def write_projects(out_dir, net, parcels):
    """Public projects: schools.geojson, projects.geojson, targets.json (needs parcel ids)."""
    sites = Sites(net, parcels)
    schools = school_features(sites)
    projects = project_features(sites, random.Random(PROJECTS_SEED))
    write_collection(out_dir / "schools.geojson", schools, "schools")
    write_collection(out_dir / "projects.geojson", projects, "projects")
    write_array(out_dir / "targets.json", TARGETS)
    report_projects(parcels, schools, projects)


def report_projects(parcels, schools, projects):
    prog = [f["properties"] for f in schools if f["properties"]["kind"] in PROGRAMME]
    land = sum(geodesic_ring_area(f["geometry"]["coordinates"][0]) for f in schools
               if f["properties"]["kind"] in PROGRAMME)
    print(f"{len(schools)} schools: programme {len(prog)}, {sum(p['classes'] for p in prog)} classes, "
          f"{sum(p['seats'] for p in prog)} seats, {sum(p['investment_wan'] for p in prog):,} 万元, "
          f"{land:,.1f} m2 of land", file=sys.stderr)
    n_r2 = sum(p["use"] == "R2" for p in parcels)
    for label, only in (("all schools", False), ("completed schools", True)):
        gaps = coverage_gaps(parcels, schools, only)
        print(f"  coverage gaps ({label}), of {n_r2} R2 parcels: " + ", ".join(
            f"{lvl} {len(g)} ({sum(p['area'] for p in parcels if p['parcel_id'] in set(g)) / 1e4:.1f} ha)"
            for lvl, g in gaps.items()), file=sys.stderr)
    kinds = {}
    for f in projects:
        p = f["properties"]
        g = f["geometry"]
        m = geodesic_length(g["coordinates"]) if g["type"] == "LineString" else geodesic_ring_area(g["coordinates"][0])
        k = kinds.setdefault(p["kind"], [0, 0.0, {}])
        k[0] += 1
        k[1] += m
        k[2][p["status"]] = k[2].get(p["status"], 0) + 1
    print(f"{len(projects)} projects: " + "; ".join(f"{kind} {n} ({m:,.1f} {'m' if kind in ('street_renovation', 'lighting') else 'm2'}) {st}"
                                                 for kind, (n, m, st) in kinds.items()), file=sys.stderr)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synthetic", type=int, metavar="N", help="write N synthetic parcels instead of the sample")
    ap.add_argument("--out", help="output .geojsonl path for --synthetic")
    ap.add_argument("--seed", type=int, default=42, help="seed for --synthetic (default 42)")
    a = ap.parse_args(argv)
    if a.synthetic is None:
        write_sample(OUT_DIR)
        return
    if not a.out or a.synthetic < 1:
        ap.error("--synthetic N needs N >= 1 and --out FILE.geojsonl")
    write_synthetic(a.synthetic, a.out, a.seed)


if __name__ == "__main__":
    main()
