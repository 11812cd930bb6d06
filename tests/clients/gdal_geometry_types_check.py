"""Opens every collection of a landreuse server with a modern GDAL (3.12, bundled in the
pyogrio wheel) through its OAPIF driver and prints, as JSON, the geometry type GDAL
gives each layer and the WKB types of every geometry it reads, for the Rust test.

usage: gdal_geometry_types_check.py BASE_URL
"""
import json
import struct
import sys

import pyogrio
import pyogrio.raw

WKB_NAMES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint",
             5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def wkb_type(wkb):
    order = "<" if wkb[0] == 1 else ">"
    return WKB_NAMES.get(struct.unpack(order + "I", wkb[1:5])[0] % 1000, "other")


def main():
    source = "OAPIF:" + sys.argv[1]
    out = {"gdal": pyogrio.__gdal_version_string__, "layers": {}}
    for name, declared in pyogrio.list_layers(source):
        meta, _, geometry, _ = pyogrio.raw.read(source, layer=name)
        read = sorted({wkb_type(g) for g in geometry if g is not None})
        out["layers"][name] = {
            "declared": declared,
            "info": pyogrio.read_info(source, layer=name)["geometry_type"],
            "read": read,
            "features": len(geometry),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
