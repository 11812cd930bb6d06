"""Reads one feature of a landreuse server, after the Rust test has replayed QGIS's
editing requests on it, with two other real clients, and prints a JSON summary the
Rust test checks:

- GDAL 3.12 (bundled in the pyogrio wheel) through its OAPIF driver with the open
  option CRS=EPSG:4551, as QGIS reads a layer in the survey projection: it asks for
  crs= and bbox-crs=, and gives the coordinates in its own easting-first order;
- OWSLib's OGC API - Features client: the feature by its id (in CRS84) and the ids of
  the features in a box given in EPSG:4551 (northing first, as the CRS defines it).

usage: qgis_edit_sequence_check.py BASE_URL COLLECTION FEATURE_ID MIN_E MIN_N MAX_E MAX_N
"""
import json
import math
import struct
import sys

import pyogrio
import pyogrio.raw
from owslib.ogcapi.features import Features

EPSG_4551 = "http://www.opengis.net/def/crs/EPSG/0/4551"


def exterior_ring(wkb):
    """The exterior ring of the first polygon of a WKB Polygon or MultiPolygon."""
    order = "<" if wkb[0] == 1 else ">"
    kind = struct.unpack(order + "I", wkb[1:5])[0] % 1000
    offset = 5
    if kind == 6:  # MultiPolygon: the polygon count, then the first polygon's header
        offset += 4
        order = "<" if wkb[offset] == 1 else ">"
        offset += 5
    elif kind != 3:
        raise ValueError(f"WKB geometry type {kind} is not a (multi)polygon")
    offset += 4  # ring count
    (points,) = struct.unpack(order + "I", wkb[offset:offset + 4])
    offset += 4
    return [
        list(struct.unpack(order + "dd", wkb[offset + 16 * i:offset + 16 * (i + 1)]))
        for i in range(points)
    ]


def plain(value):
    """A field value as JSON: numpy scalars as numbers, NaN or NaT (null) as null, a
    date-time (GDAL types updated_at as one, and so does QGIS, through OGR) in ISO 8601."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def gdal_read(base, collection, fid, box):
    meta, _, geoms, fields = pyogrio.raw.read(
        f"OAPIF:{base}", layer=collection, CRS="EPSG:4551", bbox=box
    )
    names = list(meta["fields"])
    ids = [str(v) for v in fields[names.index("id")]]
    feature = None
    if fid in ids:
        at = ids.index(fid)
        feature = {
            "properties": {
                n: plain(fields[i][at]) for i, n in enumerate(names) if n != "id"
            },
            "ring": exterior_ring(geoms[at]),
        }
    return {"crs": meta["crs"], "ids_in_box": sorted(ids), "feature": feature}


def owslib_read(base, collection, fid, box):
    api = Features(base)
    try:
        item = api.collection_item(collection, fid)
        found = {"feature": item, "error": None}
    except RuntimeError as e:  # OWSLib raises the response text of a failed request
        found = {"feature": None, "error": str(e)}
    e0, n0, e1, n1 = box
    items = api.collection_items(
        collection, bbox=[n0, e0, n1, e1], limit=1000, **{"bbox-crs": EPSG_4551}
    )
    found["ids_in_box"] = sorted(f["id"] for f in items["features"])
    return found


def main():
    base, collection, fid = sys.argv[1], sys.argv[2], sys.argv[3]
    box = tuple(float(v) for v in sys.argv[4:8])
    print(json.dumps({
        "gdal": pyogrio.__gdal_version_string__,
        "gdal_4551": gdal_read(base, collection, fid, box),
        "owslib": owslib_read(base, collection, fid, box),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
