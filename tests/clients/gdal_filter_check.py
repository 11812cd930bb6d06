"""Reads the parcels of a landreuse server with GDAL 3.12 (bundled in the pyogrio wheel)
through its OAPIF driver with attribute filters (`ogr2ogr -where`, SetAttributeFilter),
and prints a JSON summary the Rust test checks against the server's own answers and its
request log.

GDAL translates a filter to CQL text and sends it as filter=...&filter-lang=cql-text
when the OpenAPI document lists cql-text among the values of filter-lang; otherwise it
downloads the whole layer and filters on the client.

usage: gdal_filter_check.py BASE_URL WHERE [WHERE ...]
"""
import json
import sys

import pyogrio
import pyogrio.raw


def main():
    base, wheres = sys.argv[1], sys.argv[2:]
    url = f"OAPIF:{base}"
    counts = {}
    for where in wheres:
        meta, _, _, fields = pyogrio.raw.read(url, layer="parcels", where=where)
        names = list(meta["fields"])
        counts[where] = sorted(str(v) for v in fields[names.index("id")])
    print(json.dumps({"gdal": pyogrio.__gdal_version_string__, "ids": counts}))


if __name__ == "__main__":
    main()
