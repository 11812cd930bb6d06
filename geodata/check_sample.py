#!/usr/bin/env python3
"""Check the landreuse sample data in geodata/ (standard library only).

Verifies geometry validity (closed rings of at least 4 points, orientation, no self-
intersection, holes inside their shell), that parcels keep 10 m off every road centreline,
do not overlap each other and lie inside their zone, that sub-districts tile their zone, the
bonded-zone area (4.89 km2 +/- 1 %), the enterprise facts (82 firms above 100 M yuan, 18 with
upgrades started, 20+ intending to expand) and that per-enterprise parcel figures add up.
Replays reallocations.json in file order under the service's rules (allowed transitions, one
open case per parcel, parcel status and owner effects) and checks its mix of kinds and stages.
Checks the public projects (schools.geojson, projects.geojson) against targets.json: the
programme schools' classes, seats, investment and geodesic land area, greening area and lighting
length, the counts of renovated roads and quarters, properties, dates and statuses, geometry
(valid, inside the zone, on the parcels listed, lines on their road) and school coverage gaps.

Usage: python3 geodata/check_sample.py [DIR]     exit status 0 when every check passes.
"""
import json
import math
import re
import sys
from datetime import date
from pathlib import Path

DIR = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
A, E2 = 6378137.0, 0.00669437999014
LAND_USES = {"M1", "M2", "M3", "W1", "B1", "B2", "B9", "A33", "A5", "R2", "S1", "S4", "U1", "G1"}
STATUSES = {"active", "idle", "zombie", "expanding", "reserved", "relocating", "vacated", "redeveloped"}
CHAINS = {"automotive", "new_materials", "robotics_equipment", "bio_based_materials", "big_data",
          "new_energy_vehicles", "biomedicine", "cross_border_trade", "other"}
REAL = ["丰田发动机（长春）有限公司", "富奥石川岛增压器有限公司", "大陆汽车电子（长春）有限公司"]
ROAD_CLASSES = {"expressway", "arterial", "secondary", "branch"}
# (code, name, axis, nominal coordinate, range along the line that must be covered)
REAL_ROADS = [("road-shiji", "世纪大街", "ns", 125.403, (43.850, 43.880)),
              ("road-ziyou", "自由大路", "ew", 43.862, (125.353, 125.416)),
              ("road-dongnanhu", "东南湖大路", "ew", 43.849, (125.370, 125.416)),
              ("road-jilin", "吉林大路", "ew", 43.880, (125.370, 125.416)),
              ("road-yangpu", "洋浦大街", "ns", 125.416, (43.850, 43.880)),
              ("road-dongbu-expy", "东部快速路", "ns", 125.370, (43.840, 43.880))]
CELL = 0.005  # degrees, grid bucket size

errors = []


def fail(msg):
    errors.append(msg)


# ------------------------------------------------------------------ geometry helpers
def mpd(lat):
    s = math.sin(math.radians(lat))
    w = 1 - E2 * s * s
    k = math.pi / 180
    return A / math.sqrt(w) * math.cos(math.radians(lat)) * k, A * (1 - E2) / w ** 1.5 * k


MX, MY = mpd(43.91)


def area_m2(ring):
    """Signed area (m2): local equirectangular projection at the ring's mean latitude."""
    lon_c = sum(p[0] for p in ring) / len(ring)
    lat_c = sum(p[1] for p in ring) / len(ring)
    mx, my = mpd(lat_c)
    pts = [((p[0] - lon_c) * mx, (p[1] - lat_c) * my) for p in ring]
    return sum(pts[i - 1][0] * pts[i][1] - pts[i][0] * pts[i - 1][1] for i in range(len(pts))) / 2


def planar_area(ring):
    """Signed area in one fixed metric frame (for comparing areas of a tiling exactly)."""
    return sum(ring[i - 1][0] * MX * ring[i][1] * MY - ring[i][0] * MX * ring[i - 1][1] * MY
               for i in range(len(ring))) / 2


def orient(a, b, c):
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def seg_touch(p, q, r, s):
    d1, d2, d3, d4 = orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
    if d1 * d2 < 0 and d3 * d4 < 0:
        return True

    def on(a, b, c, d):
        return d == 0 and min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])
    return on(r, s, p, d1) or on(r, s, q, d2) or on(p, q, r, d3) or on(p, q, s, d4)


def seg_cross_properly(p, q, r, s):
    d1, d2, d3, d4 = orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
    return d1 * d2 < 0 and d3 * d4 < 0


def edges(ring):
    return list(zip(ring[:-1], ring[1:]))


def pip(pt, ring):
    x, y = pt
    inside = False
    for (x0, y0), (x1, y1) in edges(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def seg_dist_m(p, a, b):
    """Distance (m) from point p to segment ab, all lon/lat, local metric frame."""
    px, py = p[0] * MX, p[1] * MY
    ax, ay, bx, by = a[0] * MX, a[1] * MY, b[0] * MX, b[1] * MY
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def strictly_inside(pt, ring, eps_m=0.01):
    return pip(pt, ring) and min(seg_dist_m(pt, a, b) for a, b in edges(ring)) > eps_m


def ring_simple(ring):
    es = edges(ring)
    n = len(es)
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue
            if seg_touch(*es[i], *es[j]):
                return False
    return True


def bbox(rings):
    xs = [p[0] for r in rings for p in r]
    ys = [p[1] for r in rings for p in r]
    return min(xs), min(ys), max(xs), max(ys)


def cells(bb, pad=0.0):
    for i in range(int((bb[0] - pad) // CELL), int((bb[2] + pad) // CELL) + 1):
        for j in range(int((bb[1] - pad) // CELL), int((bb[3] + pad) // CELL) + 1):
            yield i, j


def polygons(geom):
    return [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]


def centroid(ring):
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in edges(ring):
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    return cx / (3 * a), cy / (3 * a)


def interior_probe(ring):
    """Points just inside each edge of a CCW ring (midpoint nudged 0.05 m to the left)."""
    out = []
    for (x0, y0), (x1, y1) in edges(ring):
        dx, dy = (x1 - x0) * MX, (y1 - y0) * MY
        d = math.hypot(dx, dy) or 1.0
        out.append(((x0 + x1) / 2 - dy / d * 0.05 / MX, (y0 + y1) / 2 + dx / d * 0.05 / MY))
    return out


# ------------------------------------------------------------------ per-file checks
def check_polygon(label, poly, max_vertices=None):
    for k, ring in enumerate(poly):
        what = f"{label} {'exterior ring' if k == 0 else f'hole {k}'}"
        if len(ring) < 4 or ring[0] != ring[-1]:
            fail(f"{what} is not closed or has fewer than 4 points.")
            return False
        if any(round(c, 6) != c for p in ring for c in p):
            fail(f"{what} has coordinates with more than 6 decimals.")
        distinct = len(ring) - 1
        if max_vertices and k == 0 and not 4 <= distinct <= max_vertices:
            fail(f"{what} has {distinct} vertices (expected 4-{max_vertices}).")
        if (area_m2(ring) > 0) != (k == 0):
            fail(f"{what} has the wrong orientation (RFC 7946: exterior CCW, holes CW).")
        if not ring_simple(ring):
            fail(f"{what} intersects itself.")
            return False
    for k, hole in enumerate(poly[1:], 1):
        if not all(strictly_inside(p, poly[0]) for p in hole[:-1]) or \
                any(seg_touch(*e, *f) for e in edges(hole) for f in edges(poly[0])):
            fail(f"{label} hole {k} is not strictly inside its exterior ring.")
    return True


def polys_overlap(pa, pb):
    """Interiors of two simple polygons (exterior rings only, holes ignored) overlap."""
    ra, rb = pa[0], pb[0]
    if any(seg_touch(*e, *f) for e in edges(ra) for f in edges(rb)):
        return True
    return any(pip(p, rb) for p in ra[:-1]) or any(pip(p, ra) for p in rb[:-1])


def polys_overlap_tiling(ra, rb):
    """Overlap test tolerant of shared boundaries (for zone tiling)."""
    if any(seg_cross_properly(*e, *f) for e in edges(ra) for f in edges(rb)):
        return True
    return any(strictly_inside(p, rb) for p in interior_probe(ra)) or \
        any(strictly_inside(p, ra) for p in interior_probe(rb))


def load(name):
    path = DIR / name
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def check_keys(label, props, expected):
    if set(props) != set(expected):
        fail(f"{label} has properties {sorted(props)}, expected exactly {sorted(expected)}.")


def check_zones(zones):
    by_code = {}
    for f in zones["features"]:
        p = f["properties"]
        label = f"zone {p.get('code')}"
        check_keys(label, p, ["code", "name", "name_en", "kind", "parent"])
        if f["geometry"]["type"] not in ("Polygon", "MultiPolygon"):
            fail(f"{label} is a {f['geometry']['type']}, not a (Multi)Polygon.")
        for poly in polygons(f["geometry"]):
            check_polygon(label, poly)
        if p["kind"] not in ("zone", "subdistrict"):
            fail(f"{label} has kind {p['kind']}.")
        by_code[p["code"]] = f
    for code in ("south", "north", "bonded"):
        if code not in by_code:
            fail(f"zones.geojson lacks the required zone {code}.")
    bonded = by_code.get("bonded")
    if bonded:
        rings = [poly[0] for poly in polygons(bonded["geometry"])]
        km2 = sum(area_m2(r) for r in rings) / 1e6
        if len(rings) != 3 or bonded["properties"]["parent"] != "north":
            fail("zone bonded must be a MultiPolygon of three blocks with parent north.")
        if abs(km2 - 4.89) > 0.0489:
            fail(f"zone bonded measures {km2:.4f} km2, not 4.89 km2 +/- 1 %.")
        print(f"bonded zone: {len(rings)} blocks, {km2:.4f} km2")
    check_tiling(by_code)
    return by_code


def check_tiling(by_code):
    kids = {}
    for code, f in by_code.items():
        p = f["properties"]
        if p["kind"] == "subdistrict":
            kids.setdefault(p["parent"], []).append(code)
    for parent in ("south", "north"):
        codes = sorted(kids.get(parent, []))
        if len(codes) != 2:
            fail(f"zone {parent} has sub-districts {codes}, expected two.")
            continue
        pr = polygons(by_code[parent]["geometry"])[0][0]
        rings = [polygons(by_code[c]["geometry"])[0][0] for c in codes]
        total, whole = sum(planar_area(r) for r in rings), planar_area(pr)
        if abs(total - whole) > 1e-7 * whole:
            fail(f"sub-districts {codes} cover {total:.0f} m2 but zone {parent} has {whole:.0f} m2.")
        if polys_overlap_tiling(rings[0], rings[1]):
            fail(f"sub-districts {codes[0]} and {codes[1]} overlap.")
        for c, r in zip(codes, rings):
            if any(pip(q, pr) is False and min(seg_dist_m(q, a, b) for a, b in edges(pr)) > 0.01 for q in r):
                fail(f"sub-district {c} extends outside zone {parent}.")
    for kid in ("bonded",):
        for poly in polygons(by_code[kid]["geometry"]):
            nr = polygons(by_code["north"]["geometry"])[0][0]
            if not all(pip(q, nr) or min(seg_dist_m(q, a, b) for a, b in edges(nr)) < 0.01 for q in poly[0]):
                fail("zone bonded extends outside zone north.")
    if polys_overlap_tiling(polygons(by_code["south"]["geometry"])[0][0], polygons(by_code["north"]["geometry"])[0][0]):
        fail("zones south and north overlap.")


def check_roads(roads):
    segs = {}
    codes = set()
    for f in roads["features"]:
        p = f["properties"]
        label = f"road {p.get('code')}"
        check_keys(label, p, ["code", "name", "name_en", "class"])
        if p["class"] not in ROAD_CLASSES:
            fail(f"{label} has class {p['class']}.")
        g = f["geometry"]
        if g["type"] != "LineString" or len(g["coordinates"]) < 3:
            fail(f"{label} must be a LineString with a few vertices.")
        codes.add(p["code"])
        for a, b in zip(g["coordinates"], g["coordinates"][1:]):
            for c in cells(bbox([[a, b]])):
                segs.setdefault(c, []).append((a, b, p["code"]))
    by_code = {f["properties"]["code"]: f for f in roads["features"]}
    for code, name, axis, nominal, (lo, hi) in REAL_ROADS:
        f = by_code.get(code)
        if not f or f["properties"]["name"] != name:
            fail(f"roads.geojson lacks {name} ({code}).")
            continue
        pts = f["geometry"]["coordinates"]
        across, along = (0, 1) if axis == "ns" else (1, 0)
        cover = (min(q[along] for q in pts), max(q[along] for q in pts))
        off = max(abs(q[across] - nominal) for q in pts if lo <= q[along] <= hi)
        if cover[0] > lo + 1e-4 or cover[1] < hi - 1e-4 or off > 0.001:
            fail(f"road {code} ({name}) does not follow its real line ({axis} at {nominal}, {lo}-{hi}).")
    sz = by_code.get("road-shenzhen")
    if not sz or not (125.38 <= sz["geometry"]["coordinates"][0][0] <= 125.43):
        fail("深圳街 must run N-S between lon 125.38 and 125.43 and cross 自由大路.")
    return segs


def parcel_road_clearance(label, rings, segs):
    bb = bbox(rings)
    pad = 20 / MY
    seen = set()
    for c in cells(bb, pad):
        for a, b, code in segs.get(c, []):
            if (tuple(a), tuple(b)) in seen:
                continue
            seen.add((tuple(a), tuple(b)))
            ring = rings[0]
            if any(seg_touch(a, b, *e) for e in edges(ring)) or pip(a, ring):
                fail(f"{label} crosses road {code}.")
                return
            d = min([seg_dist_m(p, a, b) for p in ring[:-1]] + [seg_dist_m(a, *e) for e in edges(ring)]
                    + [seg_dist_m(b, *e) for e in edges(ring)])
            if d < 10.0:
                fail(f"{label} is {d:.1f} m from the centreline of road {code} (needs >= 10 m).")
                return


def check_parcels(parcels, zones, segs, firms):
    ids, buckets, owned = set(), {}, {}
    zone_rings = {c: [poly[0] for poly in polygons(f["geometry"])] for c, f in zones.items()}
    subs = [(c, zone_rings[c][0]) for c, f in zones.items() if f["properties"]["kind"] == "subdistrict"]
    sums = {}
    for n, f in enumerate(parcels["features"]):
        p = f["properties"]
        pid = p.get("parcel_id")
        label = f"parcel {pid}"
        check_keys(label, p, ["parcel_id", "zone", "subdistrict", "land_use", "status", "owner",
                              "output_value_wan", "tax_wan"])
        if pid in ids or not re.fullmatch(r"ETDZ-[SNB]-\d{6}", pid or ""):
            fail(f"{label} has a duplicate or malformed parcel_id.")
        ids.add(pid)
        if p["zone"] not in ("south", "north", "bonded") or pid[5] != p["zone"][0].upper():
            fail(f"{label} has zone {p['zone']} that does not match its id.")
            continue
        if p["land_use"] not in LAND_USES or p["status"] not in STATUSES:
            fail(f"{label} has land_use {p['land_use']} / status {p['status']} outside the code lists.")
        polys = polygons(f["geometry"])
        if not all(check_polygon(label, poly, 10) for poly in polys):
            continue
        if len(polys) > 1 and any(polys_overlap(polys[i], polys[j]) for i in range(len(polys))
                                  for j in range(i + 1, len(polys))):
            fail(f"{label} is a MultiPolygon whose parts overlap.")
        check_zone_membership(label, p, polys, zone_rings, subs)
        for poly in polys:
            parcel_road_clearance(label, poly, segs)
            bb = bbox([poly[0]])
            for c in cells(bb):
                buckets.setdefault(c, []).append((n, bb, poly))
        check_owner(label, p, firms, owned, sums)
    check_overlaps(parcels, buckets)
    return owned, sums


def check_zone_membership(label, p, polys, zone_rings, subs):
    zone = p["zone"]
    for poly in polys:
        ring = poly[0]
        if not any(all(strictly_inside(q, zr) for q in ring[:-1]) and
                   not any(seg_touch(*e, *g) for e in edges(ring) for g in edges(zr)) for zr in zone_rings[zone]):
            fail(f"{label} is not inside its zone {zone}.")
        if zone != "bonded" and any(pip(q, br) for q in ring[:-1] for br in zone_rings["bonded"]):
            fail(f"{label} lies in the bonded zone but has zone {zone}.")
    c = centroid(polys[0][0])
    expect = next((code for code, r in subs if pip(c, r)), None)
    if p["subdistrict"] != expect:
        fail(f"{label} has subdistrict {p['subdistrict']} but its centroid lies in {expect}.")


def check_owner(label, p, firms, owned, sums):
    owner = p["owner"]
    if owner is None:
        if p["output_value_wan"] is not None or p["tax_wan"] is not None:
            fail(f"{label} has no owner but carries output/tax figures.")
        if p["status"] in ("zombie", "expanding", "relocating", "idle"):
            fail(f"{label} has status {p['status']} but no owner.")
        return
    firm = firms.get(owner)
    if firm is None:
        fail(f"{label} is owned by {owner}, which is not in enterprises.json.")
        return
    if p["status"] == "reserved":
        fail(f"{label} is reserved but has an owner.")
    if p["status"] == "expanding" and not firm["expansion_intent"]:
        fail(f"{label} is expanding but its owner {owner} has no expansion intent.")
    owned[owner] = owned.get(owner, 0) + 1
    for key in ("output_value_wan", "tax_wan"):
        if (p[key] is None) != (firm[key] is None):
            fail(f"{label} has {key}={p[key]} but its owner reports {firm[key]}.")
        elif p[key] is not None:
            sums[(owner, key)] = sums.get((owner, key), 0.0) + p[key]


def check_overlaps(parcels, buckets):
    feats = parcels["features"]
    done = set()
    for items in buckets.values():
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                (na, ba, pa), (nb, bb, pb) = items[i], items[j]
                if na == nb or ba[2] < bb[0] or bb[2] < ba[0] or ba[3] < bb[1] or bb[3] < ba[1]:
                    continue
                key = (min(na, nb), max(na, nb), id(pa), id(pb))
                if key in done:
                    continue
                done.add(key)
                if polys_overlap(pa, pb):
                    fail(f"parcels {feats[na]['properties']['parcel_id']} and "
                         f"{feats[nb]['properties']['parcel_id']} overlap.")


def check_enterprises(items):
    firms = {}
    for e in items:
        label = f"enterprise {e.get('name')}"
        check_keys(label, e, ["name", "name_en", "industry_chain", "above_scale", "output_value_wan", "tax_wan",
                              "employees", "founded_year", "expansion_intent", "upgrade_started"])
        if e["name"] in firms:
            fail(f"{label} appears twice.")
        if e["industry_chain"] not in CHAINS:
            fail(f"{label} has industry_chain {e['industry_chain']}.")
        if not isinstance(e["employees"], int) or not isinstance(e["founded_year"], int):
            fail(f"{label} must have integer employees and founded_year.")
        firms[e["name"]] = e
    big = [e for e in items if (e["output_value_wan"] or 0) > 10000]
    small = [e for e in items if (e["output_value_wan"] or 0) <= 10000]
    n_up = sum(e["upgrade_started"] for e in big)
    n_exp = sum(e["expansion_intent"] for e in big)
    if len(big) != 82:
        fail(f"{len(big)} enterprises have output over 100 M yuan, expected exactly 82.")
    if n_up != 18 or sum(e["upgrade_started"] for e in items) != 18:
        fail(f"{n_up} of the big firms have upgrade_started, expected exactly 18.")
    if n_exp < 20:
        fail(f"only {n_exp} of the big firms intend to expand, expected 20+.")
    if big and any(e["industry_chain"] in ("big_data", "cross_border_trade") for e in big):
        fail("a firm above 100 M yuan is not industrial.")
    for name in REAL:
        if name not in firms or (firms[name]["output_value_wan"] or 0) <= 10000 or not firms[name]["expansion_intent"]:
            fail(f"enterprise {name} must be a big firm that intends to expand.")
    zombies = [e for e in small if e["output_value_wan"] is not None and e["output_value_wan"] < 50]
    nulls = [e for e in small if e["output_value_wan"] is None]
    if not 150 <= len(small) <= 250 or not zombies or not nulls:
        fail(f"{len(small)} smaller firms ({len(zombies)} zombie-like, {len(nulls)} unreported): "
             "expected 150-250 including some of each.")
    print(f"enterprises: {len(items)} ({len(big)} above 100 M yuan, {n_exp} expanding, {n_up} upgrading; "
          f"{len(small)} smaller, {len(zombies)} zombie-like, {len(nulls)} unreported)")
    return firms


def check_sums(firms, owned, sums):
    for name, e in firms.items():
        if not owned.get(name):
            fail(f"enterprise {name} owns no parcel.")
            continue
        for key in ("output_value_wan", "tax_wan"):
            if e[key] is not None and abs(sums.get((name, key), 0.0) - e[key]) > 0.011:
                fail(f"enterprise {name}: parcels sum {key} to {sums.get((name, key), 0.0):.2f}, firm has {e[key]}.")


# ------------------------------------------------------------------ reallocation cases
# The workflow the service enforces when it loads reallocations.json (DESIGN.md, 腾笼换鸟).
NEXT = {
    "reserve": {"proposed": {"approved", "rejected", "cancelled"}, "approved": {"vacating", "cancelled"},
                "vacating": {"in_reserve", "cancelled"}, "in_reserve": {"completed"}},
    "relocation": {"proposed": {"approved", "rejected", "cancelled"}, "approved": {"vacating", "cancelled"},
                   "vacating": {"in_reserve", "cancelled"}, "in_reserve": {"supplied"}, "supplied": {"completed"}},
    "redevelopment": {"proposed": {"approved", "rejected", "cancelled"}, "approved": {"supplied", "cancelled"},
                      "supplied": {"completed"}},
    "expansion": {"intention": {"started", "cancelled"}, "started": {"completed", "cancelled"}},
}
START = {"reserve": "proposed", "relocation": "proposed", "redevelopment": "proposed", "expansion": "intention"}
CLOSED = {"completed", "rejected", "cancelled"}
CASE_KEYS = {"reserve": ["kind", "parcels", "acquisition", "reason", "actor", "transitions"],
             "relocation": ["kind", "parcels", "enterprise", "reason", "actor", "transitions"],
             "redevelopment": ["kind", "parcels", "planned_use", "reason", "actor", "transitions"],
             "expansion": ["kind", "parcels", "enterprise", "planned_output_wan", "reason", "actor", "transitions"]}
ACQUISITIONS = {"recovery", "purchase", "expropriation"}
SERVICE_USES = {"B1", "B11", "B12", "B13", "B14", "B2", "B21", "B22", "B29"}
ALL_STAGES = ["proposed", "approved", "vacating", "in_reserve", "supplied", "completed", "rejected", "cancelled",
              "intention", "started"]
STARTED_WAN = 1_500_000  # 18 started upgrades planning about 15 bn yuan of new output
CJK = re.compile(r"[\u4e00-\u9fff]")


class CaseError(Exception):
    pass


def open_case(case, state, firms):
    """Raise CaseError when `case` breaks a rule on opening; return {role: [codes]}."""
    kind = case.get("kind")
    if kind not in CASE_KEYS:
        raise CaseError(f"kind {kind!r} is not one of {sorted(CASE_KEYS)}")
    if set(case) != set(CASE_KEYS[kind]):
        raise CaseError(f"has keys {sorted(case)}, expected exactly {sorted(CASE_KEYS[kind])}")
    for key in ("reason", "actor"):
        if not isinstance(case[key], str) or not case[key].strip():
            raise CaseError(f"needs a non-blank {key}")
    if not CJK.search(case["reason"]):
        raise CaseError("reason must be in Chinese (an English gloss may follow)")
    if not isinstance(case["transitions"], list) or not all(
            isinstance(t, dict) and set(t) == {"to", "reason"} and CJK.search(str(t["reason"])) for t in case["transitions"]):
        raise CaseError("transitions must be a list of {to, reason} with a Chinese reason")
    roles = {}
    for q in case["parcels"]:
        if not isinstance(q, dict) or set(q) != {"code", "role"} or q["role"] not in ("subject", "source", "target"):
            raise CaseError(f"parcel entry {q!r} must be {{code, role}} with role subject, source or target")
        if q["code"] not in state:
            raise CaseError(f"parcel {q['code']} is not in parcels.geojson")
        roles.setdefault(q["role"], []).append(q["code"])
    codes = [q["code"] for q in case["parcels"]]
    if not codes or len(set(codes)) != len(codes):
        raise CaseError("must list at least one parcel, each once")
    for c in codes:
        if state[c]["open"] is not None:
            raise CaseError(f"parcel {c} is still in open case {state[c]['open']}")
    if kind != "relocation" and set(roles) != {"subject"}:
        raise CaseError(f"a {kind} case lists subject parcels only, got roles {sorted(roles)}")
    if kind == "reserve":
        for c in roles["subject"]:
            if state[c]["status"] not in ("zombie", "idle"):
                raise CaseError(f"parcel {c} is {state[c]['status']}; only zombie or idle land can be taken into reserve")
        if case["acquisition"] not in ACQUISITIONS:
            raise CaseError(f"acquisition {case['acquisition']!r} is not one of {sorted(ACQUISITIONS)}")
    elif kind == "relocation":
        if set(roles) != {"source", "target"} or len(roles["source"]) != 1 or len(roles["target"]) != 1:
            raise CaseError(f"a relocation names exactly one source and one target, got {roles}")
        s, t = state[roles["source"][0]], state[roles["target"][0]]
        if s["zone"] != "south" or not s["owner"]:
            raise CaseError(f"source {roles['source'][0]} must be in zone south with an owner "
                            f"(zone {s['zone']}, owner {s['owner']})")
        if case["enterprise"] != s["owner"]:
            raise CaseError(f"enterprise {case['enterprise']} is not the owner {s['owner']} of the source")
        if t["zone"] not in ("north", "bonded") or t["owner"] is not None or \
                t["status"] not in ("idle", "reserved", "vacated"):
            raise CaseError(f"target {roles['target'][0]} must be free land in north/bonded "
                            f"(zone {t['zone']}, owner {t['owner']}, status {t['status']})")
    elif kind == "redevelopment":
        for c in roles["subject"]:
            if state[c]["status"] not in ("reserved", "vacated"):
                raise CaseError(f"parcel {c} is {state[c]['status']}; redevelopment needs reserved or vacated land")
        if case["planned_use"] not in SERVICE_USES:
            raise CaseError(f"planned use {case['planned_use']!r} is not a service use {sorted(SERVICE_USES)}")
    else:
        if len(roles["subject"]) != 1:
            raise CaseError("an expansion names exactly one subject parcel")
        p = state[roles["subject"][0]]
        if not p["owner"] or p["status"] != "active" or case["enterprise"] != p["owner"]:
            raise CaseError(f"subject {roles['subject'][0]} must be active and owned by {case['enterprise']} "
                            f"(status {p['status']}, owner {p['owner']})")
        wan = case["planned_output_wan"]
        if not isinstance(wan, (int, float)) or isinstance(wan, bool) or not wan > 0:
            raise CaseError(f"planned_output_wan must be more than 0, got {wan!r}")
        if firms.get(case["enterprise"]) is None:
            raise CaseError(f"enterprise {case['enterprise']} is not in enterprises.json")
    return roles


def apply_stage(case, roles, stage, state, saved):
    """The parcel effects of entering `stage`."""
    kind = case["kind"]
    if stage in ("rejected", "cancelled"):
        for c, (status, owner) in saved.items():
            state[c].update(status=status, owner=owner)
        return
    if kind in ("reserve", "relocation") and stage in ("vacating", "in_reserve"):
        for c in roles["subject"] if kind == "reserve" else roles["source"]:
            state[c]["status"] = "relocating" if stage == "vacating" else "reserved"
            if stage == "in_reserve":
                state[c]["owner"] = None
    elif kind == "relocation" and stage == "supplied":
        state[roles["target"][0]].update(status="supplied", owner=case["enterprise"])
    elif kind == "relocation" and stage == "completed":
        state[roles["target"][0]]["status"] = "active"
    elif kind == "redevelopment" and stage == "supplied":
        for c in roles["subject"]:
            state[c].update(status="supplied", land_use=case["planned_use"])
    elif kind == "redevelopment" and stage == "completed":
        for c in roles["subject"]:
            state[c]["status"] = "redeveloped"
    elif kind == "expansion" and stage in ("started", "completed"):
        state[roles["subject"][0]]["status"] = "expanding" if stage == "started" else "active"


def check_reallocations(cases, parcels, firms):
    """Replay the cases in file order as the service does, with statuses and owners evolving."""
    if not isinstance(cases, list):
        fail("reallocations.json must be a JSON array of cases.")
        return
    state = {f["properties"]["parcel_id"]: {"zone": f["properties"]["zone"], "status": f["properties"]["status"],
                                            "owner": f["properties"]["owner"], "land_use": f["properties"]["land_use"],
                                            "open": None} for f in parcels["features"]}
    finals, started, intention = {}, {}, {}
    for i, case in enumerate(cases):
        codes = ", ".join(str(q.get("code")) for q in case.get("parcels", []) if isinstance(q, dict)) \
            if isinstance(case, dict) else "?"
        label = f"reallocations.json case {i} ({case.get('kind') if isinstance(case, dict) else '?'}; {codes})"
        try:
            if not isinstance(case, dict):
                raise CaseError("is not an object")
            roles = open_case(case, state, firms)
        except CaseError as e:
            fail(f"{label} cannot be opened: {e}.")
            continue
        kind = case["kind"]
        members = [c for cs in roles.values() for c in cs]
        saved = {c: (state[c]["status"], state[c]["owner"]) for c in members}
        for c in members:
            state[c]["open"] = i
        stage = START[kind]
        for k, t in enumerate(case["transitions"]):
            if t["to"] not in NEXT[kind].get(stage, ()):
                fail(f"{label}: transition {k} from {stage} to {t['to']} is not allowed for a {kind} case "
                     f"(allowed: {sorted(NEXT[kind].get(stage, ())) or 'none, the case is closed'}).")
                break
            stage = t["to"]
            apply_stage(case, roles, stage, state, saved)
        if stage in CLOSED:
            for c in members:
                state[c]["open"] = None
        finals.setdefault(kind, {}).setdefault(stage, 0)
        finals[kind][stage] += 1
        if kind == "expansion" and stage in ("started", "intention"):
            (started if stage == "started" else intention).setdefault(case["enterprise"], []).append(
                case["planned_output_wan"])
    check_case_mix(finals, started, intention, firms)
    return state


def check_case_mix(finals, started, intention, firms):
    n = sum(sum(row.values()) for row in finals.values())
    seen = {s for row in finals.values() for s in row}
    for stage in ALL_STAGES:
        if stage not in seen:
            fail(f"reallocations.json has no case ending at stage {stage}; every stage must be shown.")
    for stage in ALL_STAGES[:8]:
        kinds = [k for k, row in finals.items() if stage in row]
        if stage in seen and len(kinds) < 2:
            fail(f"stage {stage} appears only in {kinds} cases; show it for several kinds.")
    if not 40 <= n <= 75:
        fail(f"reallocations.json holds {n} cases, expected roughly 40-70.")
    upgrading = {name for name, e in firms.items() if e["upgrade_started"]}
    n_started = sum(len(v) for v in started.values())
    if n_started != 18 or set(started) != upgrading or any(len(v) > 1 for v in started.values()):
        fail(f"{n_started} expansion cases are started (firms {len(started)}), expected one for each of the 18 "
             "firms with upgrade_started.")
    bad = sorted(n for n in intention if not firms[n]["expansion_intent"] or firms[n]["upgrade_started"])
    if bad:
        fail(f"expansion cases at intention for firms without expansion intent or already started: {bad[:5]}.")
    total = sum(w for v in started.values() for w in v)
    if abs(total - STARTED_WAN) > 0.05 * STARTED_WAN:
        fail(f"the started expansion cases plan {total:,.0f} 万元 of new output, expected about {STARTED_WAN:,} 万元.")
    print(f"reallocations: {n} cases " + "; ".join(
        f"{k} {sum(row.values())} {dict(sorted(row.items()))}" for k, row in sorted(finals.items())))
    print(f"expansion: {n_started} started planning {total:,.0f} 万元, {sum(len(v) for v in intention.values())} "
          f"at intention planning {sum(w for v in intention.values() for w in v):,.0f} 万元")


# ------------------------------------------------------------------ public projects
# schools.geojson, projects.geojson and targets.json (DESIGN.md, "Public projects").
# Areas and lengths are geodesic on the WGS84 ellipsoid, as the service measures them: areas on
# the authalic sphere (spherical excess), lengths by Vincenty's inverse formula.
AS_OF = "2026-10-31"  # the date the sample statuses hold on (geodata/README.md)
ZONE_BOX = (125.25, 43.78, 125.65, 44.05)
PROJECT_STATUSES = {"planned", "under_construction", "completed"}
SCHOOL_KEYS = ["project_id", "name", "name_en", "kind", "level", "classes", "seats", "investment_wan", "status",
               "start_date", "completion_date", "percent_complete", "budget_wan", "parcels"]
PROJECT_KEYS = ["project_id", "name", "name_en", "kind", "status", "start_date", "completion_date",
                "percent_complete", "budget_wan", "households", "road", "parcels"]
PROJECT_KINDS = {"street_renovation": "LineString", "quarter_renovation": "Polygon", "greening": "Polygon",
                 "lighting": "LineString", "landscaping": "Polygon"}
SCHOOL_KINDS = {"new", "expansion", "existing"}
SCHOOL_LEVELS = {"primary", "middle", "nine_year"}
RADIUS_M = {"primary": 500.0, "middle": 1000.0}  # GB 50180-2018 life circles
SERVES = {"primary": ("primary", "nine_year"), "middle": ("middle", "nine_year")}
PROGRAMME = {"classes": 147, "seats": 6960, "investment_wan": 110000, "area_m2": 145000.0}
TARGET_IDS = ["schools_new", "schools_expanded", "school_land", "school_investment", "school_classes",
              "school_seats", "roads_renovated", "quarters_renovated", "greening", "lighting"]
WGS84_F = 1 / 298.257223563
_E2F = WGS84_F * (2 - WGS84_F)
_EF = math.sqrt(_E2F)


def _q(s):
    return (1 - _E2F) * (s / (1 - _E2F * s * s) - math.log((1 - _EF * s) / (1 + _EF * s)) / (2 * _EF))


_QP = _q(1.0)


def geo_area(ring):
    """Unsigned geodesic area (m2) of a closed lon/lat ring: authalic sphere, spherical excess."""
    tb = [math.tan(math.asin(_q(math.sin(math.radians(p[1]))) / _QP) / 2) for p in ring[:-1]]
    s = 0.0
    for i in range(len(tb)):
        j = (i + 1) % len(tb)
        dl = math.radians(ring[j][0] - ring[i][0])
        s += 2 * math.atan2(math.tan(dl / 2) * (tb[i] + tb[j]), 1 + tb[i] * tb[j])
    return abs(s) * A * A * _QP / 2


def geo_polygon_area(coords):
    return geo_area(coords[0]) - sum(geo_area(h) for h in coords[1:])


def geo_distance(p, q):
    """Vincenty's inverse formula on WGS84 (metres)."""
    f = WGS84_F
    b = A * (1 - f)
    lon_d = math.radians(q[0] - p[0])
    u1, u2 = math.atan((1 - f) * math.tan(math.radians(p[1]))), math.atan((1 - f) * math.tan(math.radians(q[1])))
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
    u_2 = c2a * (A * A - b * b) / (b * b)
    aa = 1 + u_2 / 16384 * (4096 + u_2 * (-768 + u_2 * (320 - 175 * u_2)))
    bb = u_2 / 1024 * (256 + u_2 * (-128 + u_2 * (74 - 47 * u_2)))
    ds = bb * ss * (c2m + bb / 4 * (cs * (-1 + 2 * c2m * c2m) - bb / 6 * c2m * (-3 + 4 * ss * ss) * (-3 + 4 * c2m * c2m)))
    return b * aa * (sig - ds)


def geo_length(line):
    return sum(geo_distance(a, b) for a, b in zip(line, line[1:]))


def measure(f, what):
    g = f["geometry"]
    if what == "area_m2":
        return sum(geo_polygon_area(poly) for poly in polygons(g)) if g["type"] in ("Polygon", "MultiPolygon") else 0.0
    if what == "length_m":
        return geo_length(g["coordinates"]) if g["type"] == "LineString" else 0.0
    return f["properties"].get(what) or 0


def ring_distance_m(ra, rb):
    """Distance (m) between two polygons' exterior rings, 0 if they touch or overlap: the least
    vertex-to-edge distance either way, in a local metric frame at their mean latitude."""
    mx, my = mpd((ra[0][1] + rb[0][1]) / 2)
    a = [(q[0] * mx, q[1] * my) for q in ra]
    b = [(q[0] * mx, q[1] * my) for q in rb]
    if any(seg_touch(*e, *g) for e in edges(a) for g in edges(b)) or pip(a[0], b) or pip(b[0], a):
        return 0.0

    def d(p, s, t):
        dx, dy = t[0] - s[0], t[1] - s[1]
        u = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((p[0] - s[0]) * dx + (p[1] - s[1]) * dy) / (dx * dx + dy * dy)))
        return math.hypot(p[0] - s[0] - u * dx, p[1] - s[1] - u * dy)
    return min(min(d(p, *e) for p in a[:-1] for e in edges(b)), min(d(p, *e) for p in b[:-1] for e in edges(a)))


def coverage_gaps(parcels, schools, completed_only=False):
    """{level: [parcel ids]}: R2 parcels farther than the radius from every school of the level."""
    out = {}
    for level, radius in RADIUS_M.items():
        rings = [f["geometry"]["coordinates"][0] for f in schools if f["properties"]["level"] in SERVES[level]
                 and (not completed_only or f["properties"]["status"] == "completed")]
        boxes = [bbox([r]) for r in rings]
        pad = (radius + 50) / MY * 1.5
        gaps = []
        for f in parcels["features"]:
            if f["properties"]["land_use"] != "R2":
                continue
            rs = [poly[0] for poly in polygons(f["geometry"])]
            pb = bbox(rs)
            near = [r for r, b in zip(rings, boxes) if b[0] - pad <= pb[2] and pb[0] <= b[2] + pad
                    and b[1] - pad <= pb[3] and pb[1] <= b[3] + pad]
            if all(min(ring_distance_m(r0, r) for r0 in rs) > radius for r in near):
                gaps.append(f["properties"]["parcel_id"])
        out[level] = gaps
    return out


def is_date(s):
    try:
        return isinstance(s, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", s) and date.fromisoformat(s)
    except ValueError:
        return False


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_status(label, p):
    st, start, end, pct = p["status"], p["start_date"], p["completion_date"], p["percent_complete"]
    if st not in PROJECT_STATUSES:
        fail(f"{label} has status {st!r}, expected one of {sorted(PROJECT_STATUSES)}.")
        return
    if not is_number(pct) or not 0 <= pct <= 100:
        fail(f"{label} has percent_complete {pct!r}, expected a number 0-100.")
        return
    if not is_date(end) or (start is not None and not is_date(start)):
        fail(f"{label} needs completion_date as YYYY-MM-DD and start_date as YYYY-MM-DD or null "
             f"(got {start!r}, {end!r}).")
        return
    if start is not None and not start < end:
        fail(f"{label} starts on {start}, not before its completion date {end}.")
    ok = {"completed": pct == 100 and end <= AS_OF,
          "under_construction": 0 < pct < 100 and start is not None and start <= AS_OF < end,
          "planned": pct == 0 and (start is None or start > AS_OF) and end > AS_OF}[st]
    if not ok:
        fail(f"{label} is {st} with {pct} % done, start {start}, completion {end}: inconsistent as of {AS_OF} "
             "(completed: 100 %, finished by then; under construction: 1-99 %, started, not finished; "
             "planned: 0 %, not started).")


def check_line(label, coords):
    if len(coords) < 2 or any(not isinstance(q, list) or len(q) != 2 for q in coords):
        fail(f"{label} must be a LineString of at least 2 positions.")
        return False
    if any(round(c, 6) != c for q in coords for c in q):
        fail(f"{label} has coordinates with more than 6 decimals.")
    if any(a == b for a, b in zip(coords, coords[1:])):
        fail(f"{label} repeats a vertex.")
        return False
    es = list(zip(coords, coords[1:]))
    for i in range(len(es)):
        for j in range(i + 2, len(es)):
            if seg_touch(*es[i], *es[j]):
                fail(f"{label} intersects itself.")
                return False
    return True


def in_zone_box(label, geom):
    pts = geom["coordinates"] if geom["type"] == "LineString" else [q for poly in polygons(geom) for r in poly for q in r]
    if not all(ZONE_BOX[0] <= q[0] <= ZONE_BOX[2] and ZONE_BOX[1] <= q[1] <= ZONE_BOX[3] for q in pts):
        fail(f"{label} has vertices outside the zone (lon {ZONE_BOX[0]}-{ZONE_BOX[2]}, lat {ZONE_BOX[1]}-{ZONE_BOX[3]}).")


class ParcelIndex:
    def __init__(self, parcels):
        self.rings, self.grid = {}, {}
        for f in parcels["features"]:
            pid = f["properties"]["parcel_id"]
            self.rings[pid] = [poly[0] for poly in polygons(f["geometry"])]
            for c in cells(bbox(self.rings[pid])):
                self.grid.setdefault(c, set()).add(pid)

    def overlapping(self, ring):
        found = set()
        for c in cells(bbox([ring])):
            for pid in self.grid.get(c, ()):
                if pid not in found and any(polys_overlap([ring], [r]) for r in self.rings[pid]):
                    found.add(pid)
        return found


def check_sites(label, f, index):
    """Listed parcels exist; a polygon project lies on exactly the parcels it lists (none: road reserve)."""
    codes = f["properties"]["parcels"]
    listed = []
    if codes is not None:
        listed = codes.split(",") if isinstance(codes, str) else None
        if not listed or any(c not in index.rings for c in listed) or len(set(listed)) != len(listed):
            fail(f"{label} lists parcels {codes!r}: expected comma-separated codes of parcels.geojson (or null).")
            return
    if f["geometry"]["type"] == "Polygon":
        on = index.overlapping(f["geometry"]["coordinates"][0])
        if on != set(listed):
            fail(f"{label} overlaps parcels {sorted(on)[:6]} but lists {listed}.")


def check_common(label, p, ids):
    if p["project_id"] in ids or not isinstance(p["project_id"], str) or not p["project_id"]:
        fail(f"{label} has a duplicate or empty project_id.")
    ids.add(p["project_id"])
    if not isinstance(p["name"], str) or not CJK.search(p["name"]) or not isinstance(p["name_en"], str) \
            or not p["name_en"].strip():
        fail(f"{label} needs a Chinese name and an English name_en.")
    if p["budget_wan"] is not None and (not is_number(p["budget_wan"]) or p["budget_wan"] <= 0):
        fail(f"{label} has budget_wan {p['budget_wan']!r}, expected a positive number (万元) or null.")
    check_status(label, p)


def check_schools(schools, parcels, index, ids):
    feats = schools["features"]
    for f in feats:
        p = f["properties"]
        label = f"school {p.get('project_id')}"
        check_keys(label, p, SCHOOL_KEYS)
        if set(p) != set(SCHOOL_KEYS):
            continue
        check_common(label, p, ids)
        if p["kind"] not in SCHOOL_KINDS or p["level"] not in SCHOOL_LEVELS:
            fail(f"{label} has kind {p['kind']!r} / level {p['level']!r}; expected {sorted(SCHOOL_KINDS)} / "
                 f"{sorted(SCHOOL_LEVELS)}.")
        for key in ("classes", "seats"):
            if not isinstance(p[key], int) or isinstance(p[key], bool) or p[key] <= 0:
                fail(f"{label} has {key} {p[key]!r}, expected a positive integer.")
        if isinstance(p["classes"], int) and isinstance(p["seats"], int) and \
                not 40 * p["classes"] <= p["seats"] <= 55 * p["classes"]:
            fail(f"{label} has {p['seats']} seats for {p['classes']} classes (expected 40-55 a class).")
        if p["kind"] == "existing":
            if p["status"] != "completed" or p["investment_wan"] is not None:
                fail(f"{label} is an existing school: status completed and investment_wan null expected.")
        elif not is_number(p["investment_wan"]) or p["investment_wan"] <= 0:
            fail(f"{label} is a {p['kind']} school and needs a positive investment_wan (万元).")
        g = f["geometry"]
        if g["type"] != "Polygon":
            fail(f"{label} must be a Polygon, not {g['type']}.")
            continue
        if check_polygon(label, g["coordinates"]):
            in_zone_box(label, g)
            check_sites(label, f, index)
    prog = [f for f in feats if f["properties"].get("kind") in ("new", "expansion")]
    kinds = [f["properties"]["kind"] for f in prog]
    if kinds.count("new") != 4 or kinds.count("expansion") != 1:
        fail(f"schools.geojson has {kinds.count('new')} new schools and {kinds.count('expansion')} expansions, "
             "expected 4 and 1.")
    sums = {k: sum(measure(f, k) for f in prog) for k in PROGRAMME}
    for k in ("classes", "seats", "investment_wan"):
        if sums[k] != PROGRAMME[k]:
            fail(f"the programme schools add up to {sums[k]:,} {k}, expected exactly {PROGRAMME[k]:,}.")
    if abs(sums["area_m2"] - PROGRAMME["area_m2"]) > 0.005 * PROGRAMME["area_m2"]:
        fail(f"the programme schools occupy {sums['area_m2']:,.0f} m2, expected {PROGRAMME['area_m2']:,.0f} +/- 0.5 %.")
    if len({f["properties"]["status"] for f in prog}) < 2:
        fail("the programme schools all have the same status; the sample should mix them.")
    n_existing = sum(f["properties"].get("kind") == "existing" for f in feats)
    if not 8 <= n_existing <= 20:
        fail(f"schools.geojson holds {n_existing} existing schools, expected about 10-14.")
    print(f"schools: {len(feats)} ({n_existing} existing); programme {len(prog)}: {sums['classes']} classes, "
          f"{sums['seats']:,} seats, {sums['investment_wan']:,} 万元, {sums['area_m2']:,.1f} m2")
    n_r2 = sum(f["properties"]["land_use"] == "R2" for f in parcels["features"])
    for scope, only in (("all schools", False), ("completed schools", True)):
        gaps = coverage_gaps(parcels, feats, only)
        for level, g in gaps.items():
            if not g:
                fail(f"every R2 parcel lies within {RADIUS_M[level]:.0f} m of a {level} school ({scope}); "
                     "the sample should show coverage gaps.")
            if len(g) == n_r2:
                fail(f"no R2 parcel lies within {RADIUS_M[level]:.0f} m of a {level} school ({scope}).")
        print(f"coverage gaps ({scope}): {len(gaps['primary'])} of {n_r2} R2 parcels beyond 500 m of a primary "
              f"school, {len(gaps['middle'])} beyond 1,000 m of a middle school")


def check_projects(projects, roads, index, ids):
    road_lines = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in roads["features"]}
    feats = projects["features"]
    by_kind = {}
    for f in feats:
        p = f["properties"]
        label = f"project {p.get('project_id')}"
        check_keys(label, p, PROJECT_KEYS)
        if set(p) != set(PROJECT_KEYS):
            continue
        check_common(label, p, ids)
        kind, g = p["kind"], f["geometry"]
        if kind not in PROJECT_KINDS:
            fail(f"{label} has kind {kind!r}, expected one of {sorted(PROJECT_KINDS)}.")
            continue
        by_kind.setdefault(kind, []).append(f)
        if g["type"] != PROJECT_KINDS[kind]:
            fail(f"{label} is a {kind} and must be a {PROJECT_KINDS[kind]}, not {g['type']}.")
            continue
        hh = p["households"]
        if (kind == "quarter_renovation") != (hh is not None) or \
                (hh is not None and (not isinstance(hh, int) or isinstance(hh, bool) or hh <= 0)):
            fail(f"{label} has households {hh!r}: a positive integer for quarter_renovation, null otherwise.")
        if kind in ("street_renovation", "lighting"):
            line = road_lines.get(p["road"])
            if line is None:
                fail(f"{label} runs along road {p['road']!r}, which is not in roads.geojson.")
            elif check_line(label, g["coordinates"]):
                off = max(min(seg_dist_m(q, a, b) for a, b in zip(line, line[1:])) for q in g["coordinates"])
                if off > 1.0:
                    fail(f"{label} leaves the line of {p['road']} by {off:.1f} m.")
        else:
            if p["road"] is not None:
                fail(f"{label} is a {kind}: road must be null.")
            if not check_polygon(label, g["coordinates"]):
                continue
            check_sites(label, f, index)
        in_zone_box(label, g)
    counts = {k: len(v) for k, v in by_kind.items()}
    streets = {f["properties"]["road"] for f in by_kind.get("street_renovation", [])}
    if counts.get("street_renovation") != 8 or len(streets) != 8 or "深圳街" not in streets:
        fail(f"projects.geojson renovates {counts.get('street_renovation', 0)} streets on {len(streets)} roads; "
             "expected 8 different roads including 深圳街.")
    quarters = [f["properties"]["name"] for f in by_kind.get("quarter_renovation", [])]
    if counts.get("quarter_renovation") != 11 or not all(any(q in n for n in quarters) for q in
                                                        ("经开一小区", "经开二小区", "经开六小区", "经开七小区")):
        fail(f"projects.geojson renovates {len(quarters)} old quarters; expected 11 including 经开一/二/六/七小区.")
    green = sum(measure(f, "area_m2") for f in by_kind.get("greening", []))
    light = sum(measure(f, "length_m") for f in by_kind.get("lighting", []))
    if abs(green - 270000) > 0.005 * 270000:
        fail(f"greening adds up to {green:,.0f} m2, expected 270,000 m2 +/- 0.5 %.")
    if abs(light - 12000) > 0.005 * 12000:
        fail(f"lighting adds up to {light:,.0f} m, expected 12,000 m +/- 0.5 %.")
    for kind in ("greening", "landscaping"):
        names = [f["properties"]["name"] for f in by_kind.get(kind, [])]
        if not any("世纪大街" in n for n in names) or not any("会展中心" in n or "展示" in n for n in names):
            fail(f"{kind} must include sites along 世纪大街 and at the expo centre.")
    for kind, fs in by_kind.items():
        if len({f["properties"]["status"] for f in fs}) < 2:
            fail(f"every {kind} project has the same status; the sample should mix them.")
    print(f"projects: {len(feats)} " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
          + f"; greening {green:,.1f} m2, lighting {light:,.1f} m")


def check_targets(targets, collections):
    if not isinstance(targets, list) or [t.get("id") for t in targets if isinstance(t, dict)] != TARGET_IDS:
        fail(f"targets.json must be an array of the targets {TARGET_IDS} in that order.")
        return
    for t in targets:
        label = f"target {t['id']}"
        check_keys(label, t, ["id", "title", "collection", "where", "measure", "target", "unit"])
        if t.get("collection") not in collections or not isinstance(t.get("where"), dict) or not is_number(t.get("target")):
            fail(f"{label} needs a collection (schools/projects), a where object and a numeric target.")
            continue

        def match(p):
            return all(p.get(k) in (v if isinstance(v, list) else [v]) for k, v in t["where"].items())
        chosen = [f for f in collections[t["collection"]]["features"] if match(f["properties"])]
        got = len(chosen) if t["measure"] == "count" else sum(measure(f, t["measure"]) for f in chosen)
        tol = 0.005 * t["target"] if t["measure"] in ("area_m2", "length_m") else 0
        if abs(got - t["target"]) > tol:
            fail(f"{label}: the data give {got:,.1f} {t['unit']}, target {t['target']:,}"
                 + (" +/- 0.5 %." if tol else " exactly."))
    print(f"targets: {len(targets)} met by the sample data")


def check_public_projects(parcels, roads):
    missing = [n for n in ("schools.geojson", "projects.geojson", "targets.json") if not (DIR / n).exists()]
    if missing:
        fail(f"{', '.join(missing)} missing; run geodata/generate.py.")
        return
    schools, projects = load("schools.geojson"), load("projects.geojson")
    index, ids = ParcelIndex(parcels), set()
    check_schools(schools, parcels, index, ids)
    check_projects(projects, roads, index, ids)
    check_targets(load("targets.json"), {"schools": schools, "projects": projects})


def main():
    size = (DIR / "parcels.geojson").stat().st_size
    if size > 3_200_000:
        fail(f"parcels.geojson is {size / 1e6:.1f} MB, over the ~3 MB budget.")
    firms = check_enterprises(load("enterprises.json"))
    zones = check_zones(load("zones.geojson"))
    roads = load("roads.geojson")
    segs = check_roads(roads)
    parcels = load("parcels.geojson")
    owned, sums = check_parcels(parcels, zones, segs, firms)
    check_sums(firms, owned, sums)
    if (DIR / "reallocations.json").exists():
        check_reallocations(load("reallocations.json"), parcels, firms)
    else:
        fail("reallocations.json is missing; run geodata/generate.py.")
    check_public_projects(parcels, roads)
    counts = {}
    for f in parcels["features"]:
        counts[f["properties"]["zone"]] = counts.get(f["properties"]["zone"], 0) + 1
    print(f"parcels: {len(parcels['features'])} {dict(sorted(counts.items()))}")
    if errors:
        for msg in errors[:40]:
            print("FAIL:", msg, file=sys.stderr)
        print(f"{len(errors)} problem(s) found.", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
