"""Reads the parcels of a landreuse server with a modern GDAL (3.12, bundled in the
pyogrio wheel) through its OAPIF driver with the open option CRS=EPSG:4551, as QGIS
and ogr2ogr >= 3.7 do, and prints a JSON summary the Rust test checks.

GDAL then asks the server for crs=http://www.opengis.net/def/crs/EPSG/0/4551, reads
the Content-Crs header and turns the server's northing-first coordinates into its own
easting-first order. A bbox (easting/northing) is sent as bbox + bbox-crs.

usage: gdal_crs_check.py BASE_URL PARCEL_ID MIN_E MIN_N MAX_E MAX_N
"""
import json
import struct
import sys

import pyogrio
import pyogrio.raw


def first_vertex(wkb):
    """First position of a WKB Polygon or MultiPolygon."""
    order = "<" if wkb[0] == 1 else ">"
    kind = struct.unpack(order + "I", wkb[1:5])[0] % 1000
    offset = 5
    if kind == 6:  # MultiPolygon: skip the count and the first polygon's header
        offset += 4 + 5
    offset += 4 + 4  # ring count, point count of the first ring
    return list(struct.unpack(order + "dd", wkb[offset:offset + 16]))


def main():
    base, parcel = sys.argv[1], sys.argv[2]
    box = tuple(float(v) for v in sys.argv[3:7])
    url = f"OAPIF:{base}"
    meta, _, geoms, fields = pyogrio.raw.read(url, layer="parcels", CRS="EPSG:4551")
    names = list(meta["fields"])
    ids = list(fields[names.index("id")])
    at = ids.index(parcel)
    boxed = pyogrio.raw.read(url, layer="parcels", CRS="EPSG:4551", bbox=box)
    print(json.dumps({
        "gdal": pyogrio.__gdal_version_string__,
        "crs": meta["crs"],
        "features": len(ids),
        "vertex": first_vertex(geoms[at]),
        "in_box": sorted(str(v) for v in boxed[3][names.index("id")]),
    }))


if __name__ == "__main__":
    main()
