"""Lists the collections of a landreuse server with OWSLib and pages through every item
of one collection, printing a JSON summary the Rust test checks.

usage: owslib_check.py BASE_URL COLLECTION PAGE_SIZE
"""
import json
import sys

from owslib.ogcapi.features import Features


def main():
    base, collection, page = sys.argv[1], sys.argv[2], int(sys.argv[3])
    api = Features(base)
    ids = [c["id"] for c in api.collections()["collections"]]
    conformance = api.conformance()["conformsTo"]
    seen, offset, matched = [], 0, None
    while True:
        items = api.collection_items(collection, limit=page, offset=offset)
        matched = items["numberMatched"]
        seen.extend(f["id"] for f in items["features"])
        if not any(link["rel"] == "next" for link in items["links"]):
            break
        offset += items["numberReturned"]
    print(json.dumps({
        "collections": ids,
        "conformance": conformance,
        "matched": matched,
        "read": len(seen),
        "unique": len(set(seen)),
    }))


if __name__ == "__main__":
    main()
