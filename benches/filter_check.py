#!/usr/bin/env python3
"""Correctness (and per-kind c=1 timing) of the CQL2 filter benchmark (issue 14).

For each of the harness's 500 filters (../shared/bench/gen_filters.py: filters.tsv,
filters_geometry.txt, filters_geom.txt) this compares
  * landreuse's numberMatched   GET LR/collections/parcels/items?limit=100&<filters_geometry line>
  * PostGIS count(*)            SELECT count(*) FROM TABLE WHERE <the filter's SQL WHERE>
  * tipg's numberMatched        GET TIPG/collections/public.TABLE/items?limit=100&<filters_geom line>
and checks that landreuse's first page is made of matching parcels: every parcel_id on it
satisfies the SQL WHERE (set membership), and the page holds min(100, count) features.
It also says, for information, whether the page is exactly the SQL's first 100 by id and
whether tipg's page holds the same parcels.

  python filter_check.py                 correctness: prints x/500 agree and every disagreement
  python filter_check.py --timing        per-kind c=1 latency of the three sides, interleaved
                                         filter by filter (landreuse, tipg, the SQL function
                                         bench_filter that pgbench_sql.sh filters creates)

Run it with the harness's core venv (psycopg): /tmp/bench/venv-core/bin/python.
env / options: LR (http://127.0.0.1:8080), TIPG (http://127.0.0.1:8081), TABLE (parcels_1m),
DATA (/tmp/bench/data), PG_DSN (the harness's), --json-out FILE (one JSON line per filter).
Only loopback addresses are accepted.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse
from collections import defaultdict

import psycopg

KINDS = ['eq', 'in', 'range', 'like', 'and', 'spatial', 'mixed']


def loopback(url):
    u = urllib.parse.urlsplit(url)
    if u.hostname not in ('127.0.0.1', 'localhost', '::1'):
        sys.exit(f'refusing {url}: only loopback servers are used')
    return u.hostname, u.port or 80


class Http:
    """One keep-alive connection; get() returns (status, parsed JSON, seconds)."""

    def __init__(self, url, timeout):
        self.host, self.port = loopback(url)
        self.timeout = timeout
        self.conn = None

    def get(self, path):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            t0 = time.perf_counter()
            try:
                self.conn.request('GET', path, headers={'Accept': 'application/geo+json, application/json'})
                r = self.conn.getresponse()
                body = r.read()
            except (http.client.HTTPException, OSError):
                self.conn.close(); self.conn = None
                if attempt == 2:
                    raise
                continue
            dt = time.perf_counter() - t0
            try:
                doc = json.loads(body)
            except ValueError:
                doc = {'_raw': body[:300].decode('utf-8', 'replace')}
            return r.status, doc, dt


def load(data):
    rows = [l.rstrip('\n').split('\t') for l in open(os.path.join(data, 'filters.tsv'), encoding='utf-8')]
    geometry = [l.strip() for l in open(os.path.join(data, 'filters_geometry.txt'))]
    geom = [l.strip() for l in open(os.path.join(data, 'filters_geom.txt'))]
    assert len(rows) == len(geometry) == len(geom), 'filters.tsv and the query-string files differ in length'
    return [dict(i=i + 1, kind=k, cql=c, sql=s, q_lr=a, q_tipg=b)
            for i, ((k, c, s), a, b) in enumerate(zip(rows, geometry, geom))]


def page_ids(doc, prop):
    out = []
    for f in doc.get('features', []):
        p = f.get('properties') or {}
        out.append(str(p.get(prop, f.get('id'))))
    return out


def check(a, filters, lr, tipg, pg):
    agree = 0
    tallies = defaultdict(int)
    bad = []
    out = open(a.json_out, 'w') if a.json_out else None
    t_start = time.time()
    for f in filters:
        s1, d1, _ = lr.get(f'/collections/parcels/items?limit=100&{f["q_lr"]}')
        s2, d2, _ = tipg.get(f'/collections/public.{a.table}/items?limit=100&{f["q_tipg"]}') if tipg else (None, {}, 0)
        with pg.cursor() as cur:
            cur.execute(f'SELECT count(*) FROM {a.table} WHERE {f["sql"]}')
            n_sql = cur.fetchone()[0]
            cur.execute(f'SELECT parcel_id FROM {a.table} WHERE {f["sql"]} ORDER BY id LIMIT 100')
            sql_first = [r[0] for r in cur.fetchall()]
            ids = page_ids(d1, 'parcel_id') if s1 == 200 else []
            where = f['sql'].replace('%', '%%')  # LIKE patterns: % is psycopg's placeholder sign
            cur.execute(f'SELECT count(*) FROM {a.table} WHERE ({where}) AND parcel_id = ANY(%s)', (ids,))
            n_member = cur.fetchone()[0]
        n_lr = d1.get('numberMatched') if s1 == 200 else None
        n_tipg = d2.get('numberMatched') if s2 == 200 else None
        tipg_ids = page_ids(d2, 'parcel_id') if s2 == 200 else []
        r = dict(i=f['i'], kind=f['kind'], cql=f['cql'], lr_status=s1, lr=n_lr, sql=n_sql,
                 tipg_status=s2, tipg=n_tipg, page=len(ids), page_members=n_member,
                 page_is_sql_first100=ids == sql_first,
                 tipg_page_same_set=(set(tipg_ids) == set(ids)) if tipg else None)
        problems = []
        if n_lr != n_sql:
            problems.append(f'landreuse numberMatched {n_lr} (HTTP {s1}) != SQL count {n_sql}')
        if tipg and n_tipg != n_sql:
            problems.append(f'tipg numberMatched {n_tipg} (HTTP {s2}) != SQL count {n_sql}')
        if tipg and n_tipg != n_lr:
            problems.append(f'landreuse {n_lr} != tipg {n_tipg}')
        if n_member != len(ids) or len(ids) != len(set(ids)):
            problems.append(f'landreuse page: {len(ids) - n_member} of {len(ids)} parcels do not satisfy the SQL WHERE')
        if len(ids) != min(100, n_sql):
            problems.append(f'landreuse page holds {len(ids)} features, expected min(100, {n_sql})')
        tallies['lr=sql'] += n_lr == n_sql
        tallies['tipg=sql'] += bool(tipg) and n_tipg == n_sql
        tallies['lr=tipg'] += bool(tipg) and n_lr == n_tipg
        tallies['page members'] += n_member == len(ids) == min(100, n_sql)
        tallies['page = SQL first 100 by id'] += r['page_is_sql_first100']
        tallies['tipg page = landreuse page (as sets)'] += bool(r['tipg_page_same_set'])
        r['problems'] = problems
        if problems:
            bad.append(r)
        else:
            agree += 1
        if out:
            out.write(json.dumps(r, ensure_ascii=False) + '\n')
        if f['i'] % 50 == 0:
            print(f'  … {f["i"]}/{len(filters)} ({time.time() - t_start:.0f} s)', file=sys.stderr)
    n = len(filters)
    print(f'{agree}/{n} agree (landreuse numberMatched = SQL count(*)'
          f'{" = tipg numberMatched" if tipg else ""}, and the first page is made of matching parcels)')
    for k, v in tallies.items():
        if k.startswith('tipg') and not tipg:
            continue
        print(f'  {k}: {v}/{n}')
    by_kind = defaultdict(lambda: [0, 0])
    for f in filters:
        by_kind[f['kind']][1] += 1
    for r in bad:
        by_kind[r['kind']][0] += 1
    print('  by kind (disagreements/filters): ' + ', '.join(f'{k} {by_kind[k][0]}/{by_kind[k][1]}' for k in KINDS))
    for r in bad:
        print(f'DISAGREE #{r["i"]} [{r["kind"]}] {r["cql"]}')
        print(f'    landreuse {r["lr"]}  SQL {r["sql"]}  tipg {r["tipg"]}  page {r["page"]} ({r["page_members"]} match the SQL)')
        for p in r['problems']:
            print(f'    - {p}')
    return agree == n


def timing(a, filters, lr, tipg, pg):
    """Each filter once per side, interleaved; per-kind latency and the c=1 rate it implies."""
    with pg.cursor() as cur:
        cur.execute("SELECT to_regproc('bench_filter') IS NOT NULL AND to_regclass('bench_filters') IS NOT NULL")
        if not cur.fetchone()[0]:
            sys.exit('bench_filter() is missing: run ../shared/bench/pgbench_sql.sh filters TABLE first')
        cur.execute('SELECT count(*) FROM bench_filters')
        if cur.fetchone()[0] != len(filters):
            sys.exit('bench_filters does not hold these filters: rerun pgbench_sql.sh filters')
    lat = {side: defaultdict(list) for side in ('landreuse', 'tipg', 'sql')}
    failures = defaultdict(int)
    t_start = time.time()
    for f in filters:
        s, _, dt = lr.get(f'/collections/parcels/items?limit=100&{f["q_lr"]}')
        if s != 200:
            failures['landreuse'] += 1
        lat['landreuse'][f['kind']].append(dt)
        if tipg:
            s, _, dt = tipg.get(f'/collections/public.{a.table}/items?limit=100&{f["q_tipg"]}')
            if s != 200:
                failures['tipg'] += 1
            lat['tipg'][f['kind']].append(dt)
        with pg.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute('SELECT * FROM bench_filter(%s, %s)', (f['i'], a.table))
            cur.fetchall()
            lat['sql'][f['kind']].append(time.perf_counter() - t0)
        if f['i'] % 50 == 0:
            print(f'  … {f["i"]}/{len(filters)} ({time.time() - t_start:.0f} s)', file=sys.stderr)
    sides = ['landreuse', 'tipg', 'sql'] if tipg else ['landreuse', 'sql']
    print('| kind | filters | ' + ' | '.join(f'{s} mean / p50 / max ms' for s in sides)
          + ' | landreuse ÷ tipg | landreuse ÷ SQL |')
    print('|---' * (2 + len(sides) + 2) + '|')
    for kind in KINDS + ['all']:
        row = {}
        for s in sides:
            v = [x for k in KINDS for x in lat[s][k]] if kind == 'all' else lat[s][kind]
            row[s] = v
        if not row['landreuse']:
            continue
        cells = [f'{statistics.mean(v) * 1e3:.2f} / {statistics.median(v) * 1e3:.2f} / {max(v) * 1e3:.1f}' for v in row.values()]
        m = {s: statistics.mean(v) for s, v in row.items()}
        r_t = f'{m["tipg"] / m["landreuse"]:.1f}×' if tipg else '—'
        r_s = f'{m["sql"] / m["landreuse"]:.1f}×'
        print(f'| {kind} | {len(row["landreuse"])} | ' + ' | '.join(cells) + f' | {r_t} | {r_s} |')
    if failures:
        print(f'non-200 answers: {dict(failures)}')
    if a.json_out:
        with open(a.json_out, 'w') as out:
            for s in sides:
                for k in KINDS:
                    out.write(json.dumps({'side': s, 'kind': k, 'latencies_s': lat[s][k]}) + '\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lr', default=os.environ.get('LR', 'http://127.0.0.1:8080'))
    ap.add_argument('--tipg', default=os.environ.get('TIPG', 'http://127.0.0.1:8081'),
                    help="tipg's base URL; 'none' to leave tipg out")
    ap.add_argument('--table', default=os.environ.get('TABLE', 'parcels_1m'))
    ap.add_argument('--data', default=os.environ.get('DATA', '/tmp/bench/data'))
    ap.add_argument('--dsn', default=os.environ.get(
        'PG_DSN', 'host=127.0.0.1 port=55439 dbname=bench user=bench password=bench'))
    ap.add_argument('--timing', action='store_true')
    ap.add_argument('--only', help='comma-separated filter numbers (1-based), for diagnosis')
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('--json-out')
    a = ap.parse_args()
    filters = load(a.data)
    if a.only:
        keep = {int(x) for x in a.only.split(',')}
        filters = [f for f in filters if f['i'] in keep]
    lr = Http(a.lr, a.timeout)
    tipg = None if a.tipg == 'none' else Http(a.tipg, a.timeout)
    with psycopg.connect(a.dsn, autocommit=True) as pg:
        if a.timing:
            timing(a, filters, lr, tipg, pg)
        else:
            sys.exit(0 if check(a, filters, lr, tipg, pg) else 1)


if __name__ == '__main__':
    main()
