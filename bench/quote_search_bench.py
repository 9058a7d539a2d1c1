#!/usr/bin/env python3
"""Benchmark past-quote search on SQLite and PostgreSQL with 100,000 generated quotes.

Seeds 1,000 customers (two teams) and 100,000 quotes through the sync engine's own
``apply_push`` with the search index hook (so seeding also shows the cost of indexing), then
measures through the Flask app (HTTP handling, JSON, scope included):

- search: a mix of 50 queries (free text in Japanese and English widths, synonyms,
  two-character words, drawing numbers, dimensions, filters), each run ``--rounds`` times,
  as office (every customer) and as a rep (one team): p50 and p95 in ms;
- similar quotes for 50 random quotes: p50 and p95 in ms.

Targets: search p95 <= 50 ms, similar p95 <= 100 ms. The load average is printed beside the
figures (the machine is shared). Run:

    .venv/bin/python bench/quote_search_bench.py --database sqlite
    .venv/bin/python bench/quote_search_bench.py --database postgresql+psycopg://postgres@127.0.0.1:5432/postgres

(``--quotes N`` scales it down; ``--keep DIR`` (SQLite) or ``--keep NAME`` (PostgreSQL) keeps
the seeded database to reuse next time.)
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMESPACE = uuid.UUID("7d3f5a10-2b6c-4e8f-9a1d-0c4b5e6f7a81")
TARGETS = {"search": 50, "similar": 100}
QUERIES = [
    {"q": "溶接"},
    {"q": "旋盤"},
    {"q": "研磨"},
    {"q": "曲げ"},
    {"q": "SUS304"},
    {"q": "ＳＵＳ３０４ シャフト"},
    {"q": "sus316l ノズル"},
    {"q": "ステンレス"},
    {"q": "ステンレス ブラケット"},
    {"q": "アルミ"},
    {"q": "アルミ ハウジング"},
    {"q": "a5052 カバー"},
    {"q": "鉄 架台"},
    {"q": "SS400 ベースプレート"},
    {"q": "真鍮 ブッシュ"},
    {"q": "フランジ"},
    {"q": "ふらんじ"},
    {"q": "ｼｬﾌﾄ"},
    {"q": "マニホールド"},
    {"q": "ガイドレール 研磨"},
    {"q": "びびり"},
    {"q": "溶接歪み"},
    {"q": "深穴"},
    {"q": "キズ厳禁"},
    {"q": "平面度"},
    {"q": "アルマイト"},
    {"q": "電解研磨"},
    {"q": "TIG溶接"},
    {"q": "ファイバーレーザー"},
    {"q": "φ40"},
    {"q": "φ50×200"},
    {"q": "t12"},
    {"q": "治具プレート t16"},
    {"q": "AS-2024"},
    {"q": "CS-2024-0153"},
    {"q": "0153"},
    {"q": "カバー", "material": "ステンレス"},
    {"q": "シャフト", "length_min": 100, "length_max": 300},
    {"material": "SUS316L"},
    {"processing_method": "溶接"},
    {"q": "フランジ", "processing_method": "旋盤"},
    {"q": "ブラケット", "submitted_from": "2025-01-01"},
    {"length_min": 1500},
    {"q": "治具", "material": "アルミ", "length_max": 400},
    {"product": "ハウジング"},
    {"drawing_no": "HF-2023"},
    {"q": "加工硬化"},
    {"q": "マシニング 2段取り"},
    {"q": "スプリングバック"},
    {"q": "存在しない部品名"},
]


def uid(key):
    return str(uuid.uuid5(NAMESPACE, key))


def generated(customers, quotes, today):
    """Yield (login, mutation): the customers, then quotes made like the demo's."""
    from demo.data import (
        CUSTOMER_SEEDS,
        DIFFICULTIES,
        MATERIAL_DIFFICULTIES,
        MATERIAL_FACTOR,
        PROCESS_FLOW,
        PRODUCTS,
        REP_OF_TEAM,
        SURFACES,
        _dimensions,
        _drawing_prefix,
    )

    rng = random.Random(2026)
    counter = 0

    def mutation(entity, key, **changes):
        nonlocal counter
        counter += 1
        return {
            "mutation_id": uid(f"m/{key}"),
            "entity": entity,
            "record_id": uid(key),
            "op": "upsert",
            "base_version": None,
            "changes": changes,
            "hlc": f"{int(time.time() * 1000):013d}:{counter % 1000000:06d}:bench",
        }

    owners = []
    for number in range(customers):
        seed = CUSTOMER_SEEDS[number % len(CUSTOMER_SEEDS)]
        rep = REP_OF_TEAM[seed.team]
        owners.append((rep, _drawing_prefix(seed.slug)))
        yield rep, mutation("customers", f"c{number}", name=f"{seed.name} 第{number}工場", owner_id=None)
    for number in range(quotes):
        customer = rng.randrange(customers)
        rep, prefix = owners[customer]
        product = rng.choice(PRODUCTS)
        material = rng.choice(product.materials)
        method = rng.choice(product.methods)
        day = today - timedelta(days=rng.randint(1, 1500))
        amount = round(
            rng.uniform(*product.unit_price) * MATERIAL_FACTOR[material] * rng.choice((1, 5, 20, 100)), -2
        )
        difficulties = [rng.choice(DIFFICULTIES[method])]
        if material in MATERIAL_DIFFICULTIES and rng.random() < 0.6:
            difficulties.append(MATERIAL_DIFFICULTIES[material])
        yield (
            rep,
            mutation(
                "quotes",
                f"q{number}",
                customer_id=uid(f"c{customer}"),
                product=product.name,
                drawing_no=f"{prefix}-{day.year}-{rng.randrange(1, 9999):04d}",
                material=material if rng.random() < 0.9 else material.translate(FULL_WIDTH),
                dimensions=_dimensions(product.shape, rng),
                processing_method=method,
                processing_details=PROCESS_FLOW[method].format(surface=rng.choice(SURFACES[material])),
                quantity=rng.choice((1, 5, 10, 50, 100)),
                amount=int(amount),
                actual_cost=int(amount * rng.uniform(0.7, 1.2)) if rng.random() < 0.5 else None,
                difficulties="。".join(difficulties) + "。",
                lead_time_days=rng.choice((7, 14, 30)),
                submitted_at=f"{day.isoformat()}T10:00:00+09:00",
                status="accepted",
            ),
        )


FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def seed(app, customers, quotes):
    """Create the demo users and push the generated records in batches of 500."""
    from sync import apply_push

    from demo.data import DEMO_USERS
    from server.core.db import writing_session
    from server.core.engine import ENGINE, actor as make_actor
    from server.core.users import create_user

    with app.app_context():
        session = writing_session()
        users = {
            u["login"]: create_user(session, u["login"], u["password"], u["role"], u["team"], u["name"])
            for u in DEMO_USERS
        }
        session.commit()
        actors = {
            login: make_actor(u.id, u.role, u.team, str(uuid.uuid5(NAMESPACE, login)))
            for login, u in users.items()
        }
        pending, started, pushed = {}, time.perf_counter(), 0

        def flush(login):
            nonlocal pushed
            mutations = pending.pop(login, [])
            if mutations:
                session = writing_session()
                results, _ = apply_push(
                    session, ENGINE, actors[login], mutations, now_ms=int(time.time() * 1000)
                )
                session.commit()
                bad = [r for r in results if r["status"] == "rejected"]
                assert not bad, bad[:3]
                pushed += len(mutations)
                if pushed % 10000 < 500:
                    print(f"  {pushed} records, {time.perf_counter() - started:.0f} s", flush=True)

        customers_done = False
        for login, mutation in generated(customers, quotes, date.today()):
            if mutation["entity"] == "quotes" and not customers_done:
                for other in list(pending):  # parents first
                    flush(other)
                customers_done = True
            pending.setdefault(login, []).append(mutation)
            if len(pending[login]) >= 500:
                flush(login)
        for login in list(pending):
            flush(login)
        return time.perf_counter() - started


def timed(client, path, headers, params=None):
    started = time.perf_counter()
    response = client.get(path, query_string=params or {}, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.get_json()
    return elapsed, response.get_json()["results"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def sign_in(client, login):
    from demo.data import DEMO_USERS

    password = next(u["password"] for u in DEMO_USERS if u["login"] == login)
    response = client.post(
        "/api/v1/auth/token",
        json={"login": login, "password": password, "device": {"id": str(uuid.uuid4()), "name": "bench"}},
    )
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def measure(app, rounds):
    """Time the query mix as office and as a rep, and similar quotes of 50 random quotes."""
    client = app.test_client()
    figures, hits = {}, {}
    for login in ("office1", "rep1"):
        headers = sign_in(client, login)
        for params in QUERIES:  # warm the caches once
            client.get("/api/v1/quotes/search", query_string=params, headers=headers)
        times = []
        for _ in range(rounds):
            for params in QUERIES:
                elapsed, results = timed(client, "/api/v1/quotes/search", headers, params)
                times.append(elapsed)
                hits[str(params)] = len(results)
        figures[f"search as {login}"] = times
    headers = sign_in(client, "office1")
    rng = random.Random(7)
    quote_ids = [uid(f"q{rng.randrange(app.config['BENCH_QUOTES'])}") for _ in range(50)]
    for quote_id in quote_ids[:5]:
        client.get(f"/api/v1/quotes/{quote_id}/similar", headers=headers)
    figures["similar as office1"] = [
        timed(client, f"/api/v1/quotes/{q}/similar", headers)[0] for _ in range(rounds) for q in quote_ids
    ]
    empty = [q for q, n in hits.items() if n == 0]
    return figures, empty


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL server URL")
    parser.add_argument("--quotes", type=int, default=100000)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--keep",
        help="keep the database to reuse next time: a folder for SQLite, a database name for PostgreSQL",
    )
    args = parser.parse_args()
    import flask_migrate
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from server import create_app
    from server.core.db import db

    with tempfile.TemporaryDirectory(prefix="genba-quote-bench-") as folder:
        dropped = None
        if args.database == "sqlite":
            path = Path(args.keep or folder) / "quotes.sqlite3"
            path.parent.mkdir(parents=True, exist_ok=True)
            url, fresh = f"sqlite:///{path}", not path.exists()
        else:
            name = args.keep or f"genba_quote_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(make_url(args.database), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                fresh = not conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).scalar()
                if fresh:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(args.database).set(database=name).render_as_string(hide_password=False)
            dropped = None if args.keep else name
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "GENBA_DATA_DIR": folder,
                "RATELIMIT_ENABLED": False,
                "BENCH_QUOTES": args.quotes,
            }
        )
        try:
            with app.app_context():
                flask_migrate.upgrade()
                db.session.remove()
            if fresh:
                print(
                    f"seeding {args.customers} customers and {args.quotes} quotes on {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]} …",
                    flush=True,
                )
                seconds = seed(app, args.customers, args.quotes)
                print(f"seeded in {seconds:.0f} s ({args.quotes / seconds:.0f} quotes/s, index included)")
            if args.database != "sqlite" and fresh:  # what autovacuum does soon after a bulk load
                with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
                    conn.execute(text("VACUUM ANALYZE"))
            load = os.getloadavg()
            figures, empty = measure(app, args.rounds)
            load_after = os.getloadavg()
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            if dropped:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)'))
    print(
        f"\n{args.quotes:,} quotes, {args.customers:,} customers, {len(QUERIES)} queries × {args.rounds} rounds; "
        f"load average {load[0]:.2f} before, {load_after[0]:.2f} after (2 cores)"
    )
    print("| figure | p50 ms | p95 ms | target p95 |")
    print("| --- | --- | --- | --- |")
    for name, values in figures.items():
        target = TARGETS["similar" if name.startswith("similar") else "search"]
        print(f"| {name} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} | ≤ {target} |")
    if empty:
        print("queries with no results:", ", ".join(empty))


if __name__ == "__main__":
    main()
