#!/usr/bin/env python3
"""Time the Excel imports and exports at their largest: a customer list and a quote ledger of
5,000 rows each, through the Flask app (upload, parsing, matching, writing, the audit event).

On a fresh database, as the office (office1 of the demo users):

- customer list, Shift_JIS CSV, a company and its contact person a row: the preview, the
  import, the same file again (everything kept, nothing written), then the file with two
  cells filled a row (a company's 住所, a person's 役職: every kept record filled);
- quote ledger, Shift_JIS CSV, a quote a row for those customers: the same four steps, the
  filled cells 原価 and 状態 (提出 to 受注);
- both exports (.xlsx): seconds and size.

Run: ``.venv/bin/python bench/import_bench.py`` (``--database`` a PostgreSQL server URL such as
postgresql+psycopg://postgres@127.0.0.1:5432/postgres, ``--rows N``). Prints a table of
seconds with the load average.
"""

import argparse
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OFFICE = "office1"
PREFECTURES = ["埼玉県川口市", "東京都大田区", "大阪府東大阪市", "愛知県豊田市", "新潟県燕市"]


def customer_list(rows, filled=False):
    """A 顧客台帳 of ``rows`` companies, each with one person; ``filled``: 住所 and 役職 too."""
    lines = ["会社名,フリガナ,電話番号,住所,担当者名,役職,業種"]
    for n in range(rows):
        address = f"{PREFECTURES[n % 5]}本町{n % 90 + 1}-{n % 7 + 1}" if filled else ""
        title = "部長" if filled else ""
        lines.append(
            f"株式会社テスト製作所{n:05d},ﾃｽﾄｾｲｻｸｼｮ,03-{n // 10000:04d}-{n % 10000:04d},{address},"
            f"担当 {n:05d},{title},金属加工"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def quote_ledger(rows, filled=False):
    """A 見積台帳 of ``rows`` quotes to the generated customers; ``filled``: 原価 and 受注."""
    lines = ["顧客名,見積番号,見積日,図番,品名,材質,寸法,加工方法,数量,金額,原価,状態"]
    for n in range(rows):
        cost, status = (f"{80000 + n}", "受注") if filled else ("", "提出")
        lines.append(
            f"株式会社テスト製作所{n:05d},Q-{n:05d},令和5年4月{n % 28 + 1}日,TS-{n:05d},シャフト,SUS304,"
            f'φ45×120,旋盤,10個,"￥128,000",{cost},{status}'
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def timed(client, headers, path, content=None, dry_run=False):
    """``(seconds, answer)`` of one request: an upload, or a download when ``content`` is None."""
    started = time.perf_counter()
    if content is None:
        response = client.get(path, headers=headers)
        answer = {"bytes": len(response.get_data())}
    else:
        response = client.post(
            path + ("?dry_run=true" if dry_run else ""),
            headers=headers,
            data={"file": (io.BytesIO(content), "list.csv")},
            content_type="multipart/form-data",
        )
        answer = response.get_json()
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return time.perf_counter() - started, answer


def steps(rows):
    """(label, path, content, dry_run, what the answer must say)."""
    first, filled = customer_list(rows), customer_list(rows, filled=True)
    ledger, won = quote_ledger(rows), quote_ledger(rows, filled=True)
    customers, quotes = "/api/v1/customers/import", "/api/v1/quotes/import"
    return [
        ("customers: preview", customers, first, True, {"customers_created": rows}),
        ("customers: import", customers, first, False, {"customers_created": rows, "contacts_created": rows}),
        ("customers: same file again", customers, first, False, {"customers_existing": rows}),
        (
            "customers: 住所 and 役職 filled",
            customers,
            filled,
            False,
            {"customers_updated": rows, "contacts_updated": rows},
        ),
        ("quotes: preview", quotes, ledger, True, {"quotes_created": rows}),
        ("quotes: import", quotes, ledger, False, {"quotes_created": rows}),
        ("quotes: same file again", quotes, ledger, False, {"quotes_existing": rows, "quotes_updated": 0}),
        ("quotes: 原価 and 受注 filled", quotes, won, False, {"quotes_updated": rows}),
        ("customers: export .xlsx", "/api/v1/customers/export.xlsx", None, False, {}),
        ("quotes: export .xlsx", "/api/v1/quotes/export.xlsx", None, False, {}),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL server URL")
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    import flask_migrate
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from demo.data import DEMO_USERS
    from server import create_app
    from server.core.db import db, writing_session
    from server.core.users import create_user

    with tempfile.TemporaryDirectory(prefix="genba-import-bench-") as folder:
        dropped, admin = None, None
        if args.database == "sqlite":
            url = f"sqlite:///{folder}/import.sqlite3"
        else:
            dropped = f"genba_import_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(make_url(args.database), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{dropped}"'))
            url = make_url(args.database).set(database=dropped).render_as_string(hide_password=False)
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "GENBA_DATA_DIR": folder, "RATELIMIT_ENABLED": False}
        )
        try:
            with app.app_context():
                flask_migrate.upgrade()
                session = writing_session()
                office = next(u for u in DEMO_USERS if u["login"] == OFFICE)
                create_user(
                    session, OFFICE, office["password"], office["role"], office["team"], office["name"]
                )
                session.commit()
            client = app.test_client()
            token = client.post(
                "/api/v1/auth/token",
                json={"login": OFFICE, "password": office["password"], "device": {"id": str(uuid.uuid4())}},
            ).get_json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            load = os.getloadavg()
            figures = []
            for label, path, content, dry_run, expected in steps(args.rows):
                seconds, answer = timed(client, headers, path, content, dry_run)
                wrong = {k: answer.get(k) for k, v in expected.items() if answer.get(k) != v}
                assert not wrong, f"{label}: {wrong}"
                size = f"{answer['bytes'] / 1024:,.0f} kB" if "bytes" in answer else ""
                figures.append((label, seconds, size))
                print(f"  {label}: {seconds:.2f} s {size}", flush=True)
            load_after = os.getloadavg()
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            if dropped:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)'))
    kind = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    print(
        f"\n{args.rows:,} rows on {kind}, in process; load average {load[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print("| step | seconds | file |")
    print("| --- | --- | --- |")
    for label, seconds, size in figures:
        print(f"| {label} | {seconds:.2f} | {size} |")


if __name__ == "__main__":
    main()
