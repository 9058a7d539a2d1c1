#!/usr/bin/env python3
"""Benchmark the field app in Debian's Chromium against a real server (gunicorn, SQLite).

Seeds the demo data scaled to 5,000 customers, 10,000 contacts and 50,000 visits (through the
sync engine's own ``apply_push``), then measures what a field worker waits for:

- first sync of all of it on a fresh device (seconds, records/s);
- cold offline start to interactive (ms): the browser restarted with no network;
- customer search per keystroke over 5,000 customers (ms, p95);
- save of a visit to IndexedDB, record + outbox in one transaction (ms, p95);
- how long after it the pull worker has filed the visits by author and day, and a technician's
  busiest day opened on 今日 by that index (ms);
- the daily device check's digest of every record on the device (s), and the check mending one
  visit lost among them (s).

Targets: usable (customers listed and searchable) <= 2 s, first sync complete <= 6 s, offline start <= 1 s, search p95 <= 50 ms, save p95 <= 30 ms.
Run: ``.venv/bin/python bench/pwa_bench.py`` (``--customers N`` scales it down for a quick look).
"""

import argparse
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("GENBA_CHROMIUM", "/usr/lib/chromium/chromium")
NAMESPACE = uuid.UUID("2f6c8e1a-4b7d-4c1e-9a3f-5d8e7b6a1c20")
TARGETS = {
    "usable: customers listed and searchable (s)": 2,
    "first sync (s)": 6,
    "offline start (ms)": 1000,
    "search p95 (ms)": 50,
    "save p95 (ms)": 30,
}
PURPOSES = [
    "定期点検",
    "新製品の紹介",
    "見積の説明",
    "納期の確認",
    "不具合の確認",
    "図面の打ち合わせ",
    "立ち会い検査",
]
NOTES = [
    "工場長と面談。次期設備更新の計画があり、治具の相談を受けた。",
    "ローラー部の振動を確認。ベアリングの摩耗が進んでいるため交換を提案。",
    "SUS304の溶接フレームの見積について説明。価格は前回比5%増で了承を得た。",
    "試作品の寸法を一緒に確認。公差±0.05に収まっていることを確認してもらった。",
    "競合他社の提案と比較検討中とのこと。納期短縮が決め手になりそう。",
]


ENTITY_RANK = {"customers": 0, "contacts": 1, "visits": 2}

# Polled in the page from sign-in, on the customer list (as a user would wait on it), reading
# only the screen: the first moment the list counts every customer and, searched for a name,
# shows it ("customers listed and searchable").
# Lose one visit on the device, as a bug or a restored browser profile might: it leaves its group.
LOSE_A_VISIT = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("genba");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const store = open.result.transaction("visit_groups", "readwrite").objectStore("visit_groups");
    const cursor = store.openCursor();
    cursor.onsuccess = () => {
      const group = cursor.result.value;
      const [lost, ...kept] = group.visits;
      cursor.result.update({ ...group, visits: kept, ids: group.ids.filter((id) => id !== lost.id) });
      store.transaction.oncomplete = () => { open.result.close(); resolve(lost.id); };
    };
  };
})"""

# Whether fillDays (records.js) has yet to file the visits by day.
DAYS_PENDING = """() => new Promise((resolve) => {
    const open = indexedDB.open("genba");
    open.onsuccess = () => {
        const request = open.result.transaction("meta").objectStore("meta").get("days_pending");
        request.onsuccess = () => { open.result.close(); resolve(request.result !== undefined); };
    };
})"""

# Open 今日 for tech1's busiest day five times, the sync page between; each open's ms until
# its visits are drawn.
OPEN_A_DAY = """async (name) => {
    const base = document.querySelector('script[type=module]').src.replace('app.js', '');
    const db = await import(base + 'db.js');
    const { companyDay } = await import(base + 'format.js');
    const tech = (await db.getAll('users')).find((u) => u.name === name);
    const days = new Map();
    const tx = await db.transaction(['visits']);
    for (const v of await db.req(tx.objectStore('visits').getAll())) {
        if (v.author_id !== tech.id) continue;
        const day = companyDay(v.visited_at);
        days.set(day, (days.get(day) || 0) + 1);
    }
    const busiest = [...days].sort((a, b) => b[1] - a[1])[0][0];
    const times = [];
    for (let i = 0; i < 5; i++) {
        location.hash = '#/sync';
        await new Promise((resolve) => setTimeout(resolve, 300));
        const t0 = performance.now();
        location.hash = `#/today?date=${busiest}&user=${tech.id}`;
        while (!document.querySelector('[data-testid=day-visits] li')) await new Promise(requestAnimationFrame);
        times.push(performance.now() - t0);
    }
    return times;
}"""

USABLE_PROBE = """(customers) => {
  let clicked = null;
  document.addEventListener('click', () => { clicked = clicked ?? performance.now(); }, true);
  const probe = async () => {
    const count = document.querySelector('[data-testid=customer-count]');
    if (clicked !== null && location.hash !== '#/customers' && document.querySelector('[data-testid=tab-bar], [data-testid=menu-button]')) {
      location.hash = '#/customers';
    }
    const total = Number((count?.textContent || '').replace(/[,，]/g, '').replace(/[^0-9].*$/, '')) || 0;
    if (clicked !== null && total >= customers) {
      const input = document.querySelector('[data-testid=customer-search]');
      input.value = 'ヤマダ';
      input.dispatchEvent(new Event('input'));
      await new Promise(requestAnimationFrame);
      const found = document.querySelectorAll('[data-testid=customer-list] li').length;
      window.__usable = { at: performance.now() - clicked, found };
      input.value = '';
      input.dispatchEvent(new Event('input'));
      return;
    }
    setTimeout(probe, 20);
  };
  probe();
}"""


def uid(key):
    return str(uuid.uuid5(NAMESPACE, key))


def scaled_mutations(user_ids, customers, contacts_per, visits_per, today):
    """The demo data's customers, named after the demo seeds, scaled up; yields (login, mutation)."""
    from demo.data import CUSTOMER_SEEDS, REP_OF_TEAM

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

    for number in range(customers):
        seed = CUSTOMER_SEEDS[number % len(CUSTOMER_SEEDS)]
        branch = number // len(CUSTOMER_SEEDS)
        name = seed.name if branch == 0 else f"{seed.name} 第{branch}工場"
        kana = seed.kana if branch == 0 else f"{seed.kana} ダイ{branch}コウジョウ"
        rep = REP_OF_TEAM[seed.team]
        yield (
            rep,
            mutation(
                "customers",
                f"c{number}",
                name=name,
                name_kana=kana,
                address=seed.address,
                phone=f"{seed.area}-{rng.randint(200, 999)}-{number % 10000:04d}",
                owner_id=user_ids[rep],
            ),
        )
        contact_ids = []
        for index in range(contacts_per):
            contact_ids.append(uid(f"c{number}/p{index}"))
            yield (
                rep,
                mutation(
                    "contacts",
                    f"c{number}/p{index}",
                    customer_id=uid(f"c{number}"),
                    name=rng.choice(["山田", "佐藤", "鈴木", "高橋", "田中"])
                    + " "
                    + rng.choice(["太郎", "花子", "健一", "美咲"]),
                    department=rng.choice(["製造部", "購買部", "技術部", "品質保証部"]),
                ),
            )
        for index in range(visits_per):
            day = today - timedelta(days=rng.randint(1, 900))
            author = "tech1" if index % 3 == 0 else rep
            yield (
                author,
                mutation(
                    "visits",
                    f"c{number}/v{index}",
                    customer_id=uid(f"c{number}"),
                    kind="aftercare" if author == "tech1" else "sales",
                    visited_at=f"{day.isoformat()}T{rng.randint(9, 17):02d}:00:00+09:00",
                    contact_ids=contact_ids[: 1 + index % 2],
                    purpose=rng.choice(PURPOSES),
                    notes=rng.choice(NOTES),
                    next_action="見積を再提出",
                    next_action_due=(day + timedelta(days=14)).isoformat(),
                ),
            )


def seed(database_url, folder, customers):
    """Migrate a fresh database, create the demo users, load the demo data scaled up."""
    import flask_migrate

    from sync import apply_push

    from demo.data import DEMO_USERS, demo_batches
    from server import create_app
    from server.core.db import writing_session
    from server.core.engine import ENGINE, actor as make_actor
    from server.core.users import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "GENBA_DATA_DIR": str(folder)})
    with app.app_context():
        flask_migrate.upgrade()
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
        batches = demo_batches(date.today(), {k: u.id for k, u in users.items()})
        scaled = scaled_mutations({k: u.id for k, u in users.items()}, customers, 2, 10, date.today())
        pending, total, started = {}, 0, time.perf_counter()

        def flush(login):
            nonlocal total
            mutations = pending.pop(login, [])
            if not mutations:
                return
            session = writing_session()
            results, _ = apply_push(session, ENGINE, actors[login], mutations, now_ms=int(time.time() * 1000))
            session.commit()
            bad = [r for r in results if r["status"] == "rejected"]
            assert not bad, bad[:3]
            total += len(mutations)

        for login, mutations in batches:
            pending[login] = mutations
            flush(login)
        # parents before children: every customer, then contacts, then visits, by author, each
        # author's visits in the order they were made (so customers interleave, as in the field)
        scaled = sorted(
            scaled,
            key=lambda item: (
                ENTITY_RANK[item[1]["entity"]],
                item[0],
                item[1]["changes"].get("visited_at", ""),
            ),
        )
        for login, mutation in scaled:
            if login not in pending:
                for other in list(pending):
                    flush(other)
            pending.setdefault(login, []).append(mutation)
            if len(pending[login]) >= 500:
                flush(login)
        for login in list(pending):
            flush(login)
        print(f"seeded {total} mutations in {time.perf_counter() - started:.1f} s", flush=True)


@contextlib.contextmanager
def gunicorn(database_url, folder, workers=2):
    """Serve the app with gunicorn on a free port, as in production; yield its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GENBA_INSTANCE_PATH": str(folder),
        "GENBA_DATA_DIR": str(folder),
        "RATELIMIT_ENABLED": "0",
        "PYTHONPATH": str(ROOT),
    }
    log = open(Path(folder) / "gunicorn.log", "wb")  # noqa: SIM115 (gunicorn writes to it until stopped)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--no-control-socket",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "server:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/api/v1/openapi.json", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "gunicorn did not start: " + (Path(folder) / "gunicorn.log").read_text()
                    )
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def print_timeline(page):
    """Each page's fetching, writing and storing on the sync's clock (ms from its start)."""
    rows = page.evaluate(
        "(() => { const t0 = performance.getEntriesByName('genba:sync')[0]?.startTime ?? 0;"
        " return ['genba:pull-fetch', 'genba:pull-write', 'genba:pull-store', 'genba:pull-recent'].flatMap((name) =>"
        " performance.getEntriesByName(name).map((m) => [m.startTime - t0, m.duration, name.slice(11), m.detail]))"
        ".sort((a, b) => a[0] - b[0]); })()"
    )
    print("  timeline (ms from the sync's start): start  duration  phase  records")
    for start, duration, name, detail in rows:
        print(f"    {start:8.0f} {duration:8.0f}  {name:<6} {detail if detail is not None else ''}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--login", default="office1", help="who signs in (office sees every customer)")
    parser.add_argument("--timeline", action="store_true", help="print each page's fetch, write and store")
    parser.add_argument("--keep", help="a folder to keep the seeded database in and reuse next time")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    from demo.data import DEMO_USERS

    password = next(u["password"] for u in DEMO_USERS if u["login"] == args.login)
    figures = {}
    with tempfile.TemporaryDirectory(prefix="genba-bench-") as folder:
        folder = Path(folder)
        database = Path(args.keep or folder) / "genba.sqlite3"
        database_url = f"sqlite:///{database}"
        if not database.exists():
            database.parent.mkdir(parents=True, exist_ok=True)
            seed(database_url, database.parent, args.customers)
        with gunicorn(database_url, folder) as base_url, sync_playwright() as pw:
            profile = folder / "profile"
            launch = dict(
                executable_path=CHROMIUM,
                args=["--disable-gpu", "--disable-quic"],
                locale="ja-JP",
                timezone_id="Asia/Tokyo",
                viewport={"width": 1280, "height": 800},
            )
            context = pw.chromium.launch_persistent_context(str(profile), **launch)
            version = context.browser.version if context.browser else "?"
            page = context.new_page()
            page.goto(base_url + "/")
            page.get_by_label("ログインID").fill(args.login)
            page.get_by_label("パスワード").fill(password)
            page.evaluate(USABLE_PROBE, args.customers)
            started = time.perf_counter()
            page.get_by_role("button", name="ログイン").click()
            page.wait_for_function(
                "() => document.querySelector('[data-testid=sync-status]')?.dataset.lastSync", timeout=300_000
            )
            wall = time.perf_counter() - started
            usable = page.wait_for_function("() => window.__usable", timeout=300_000).json_value()
            figures["usable: customers listed and searchable (s)"] = usable["at"] / 1000
            figures["usable: customers found by search"] = usable["found"]
            phases = page.evaluate(
                "['genba:pull-fetch', 'genba:pull-write', 'genba:pull-store'].map((name) => {"
                " const all = performance.getEntriesByName(name);"
                " return [all.length, all.reduce((t, m) => t + m.duration, 0)]; })"
            )
            # Where the first sync's time goes (the pull worker's own clock; fetching overlaps
            # writing, and one page is stored while the next is written).
            figures["pages"] = phases[0][0]
            figures["fetching pages (server, network, JSON), total (s)"] = phases[0][1] / 1000
            figures["writing pages (put() clones each record), total (s)"] = phases[1][1] / 1000
            figures["storing pages (to each transaction's end), total (s)"] = phases[2][1] / 1000
            if args.timeline:
                print_timeline(page)
            sync = page.evaluate(
                "performance.getEntriesByName('genba:sync').map(m => [m.duration, m.detail.pulled])"
            )[0]
            figures["first sync (s)"] = sync[0] / 1000
            figures["records pulled"] = sync[1]
            figures["records/s"] = sync[1] / (sync[0] / 1000)
            figures["sign-in + first sync, wall (s)"] = wall
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            counts = page.evaluate("""async () => {
                const { count } = await import(document.querySelector('script[type=module]').src.replace('app.js', 'db.js'));
                return { customers: await count('customers'), contacts: await count('contacts'), visits: await count('visits') };
            }""")
            figures.update({f"{k} on the device": v for k, v in counts.items()})
            # After the first sync the pull worker files the visits by author and day (fillDays);
            # then 今日 reads a person's day by that index. A technician's busiest day, opened
            # by this office user as from the reports list, alternating with the sync page.
            started = time.perf_counter()
            while page.evaluate(DAYS_PENDING):
                page.wait_for_timeout(50)
            figures["visits filed by day after the first sync (s)"] = time.perf_counter() - started
            technician = next(u["name"] for u in DEMO_USERS if u["login"] == "tech1")
            opens = page.evaluate(OPEN_A_DAY, technician)
            figures["a technician's day opened (ms, median of 5)"] = statistics.median(opens)
            figures["its visits"] = page.evaluate(
                "document.querySelectorAll('[data-testid=day-visits] li').length"
            )
            # 今日's next actions of that technician (reports.js nextActions, by the groups' index of
            # authors and due dates, then each listed customer's visits): every visit here sets one.
            actions = page.evaluate(
                """async (name) => {
                const base = document.querySelector('script[type=module]').src.replace('app.js', '');
                const db = await import(base + 'db.js');
                const { nextActions } = await import(base + 'reports.js');
                const tech = (await db.getAll('users')).find((u) => u.name === name);
                const times = [];
                let listed = 0;
                for (let i = 0; i < 5; i++) {
                    const t0 = performance.now();
                    listed = (await nextActions(tech.id)).length;
                    times.push(performance.now() - t0);
                }
                return { times, listed };
            }""",
                technician,
            )
            figures["a technician's next actions read (ms, median of 5)"] = statistics.median(
                actions["times"]
            )
            figures["next actions listed"] = actions["listed"]
            # The daily self-check's own read (check.js): every synced store summed a page at a time.
            check = page.evaluate("""async () => {
                const base = document.querySelector('script[type=module]').src.replace('app.js', '');
                const { deviceDigest } = await import(base + 'check.js');
                const t0 = performance.now();
                const digest = await deviceDigest();
                const ms = performance.now() - t0;
                return { ms, records: Object.values(digest).reduce((n, d) => n + d.count, 0) };
            }""")
            figures["device check: digest of every record (s)"] = check["ms"] / 1000
            figures["device check: records summed"] = check["records"]
            # The check mending that one visit lost among them all: a pull to the end with the
            # scope's digest, the device's digest, the narrowing by the ids' last digits, and one
            # range of a few hundred visits fetched and replaced.
            page.evaluate(LOSE_A_VISIT)
            page.goto(base_url + "/#/sync")
            started = time.perf_counter()
            page.get_by_test_id("check-now").click()
            page.wait_for_function(
                "() => /1件をサーバー/.test(document.querySelector('[data-testid=device-check]')?.textContent)",
                timeout=300_000,
            )
            figures["device check: one lost visit mended, wall (s)"] = time.perf_counter() - started
            context.close()

            starts = []
            for _ in range(3):
                context = pw.chromium.launch_persistent_context(str(profile), offline=True, **launch)
                page = context.pages[0] if context.pages else context.new_page()
                page.goto(base_url + "/")
                page.wait_for_function(
                    "() => document.body.dataset.ready === 'true' && document.querySelector('[data-testid=customer-list] li')"
                )
                starts.append(page.evaluate("performance.getEntriesByName('genba:interactive')[0].startTime"))
                context.close()
            figures["offline start (ms)"] = statistics.median(starts)
            figures["offline start, each run (ms)"] = ", ".join(f"{s:.0f}" for s in starts)

            context = pw.chromium.launch_persistent_context(str(profile), offline=True, **launch)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(base_url + "/")
            page.wait_for_function("() => document.body.dataset.ready === 'true'")
            keystrokes = page.evaluate("""async () => {
                const input = document.querySelector('[data-testid=customer-search]');
                const words = ['ヤマダ', 'ﾔﾏﾀﾞｾｲｻｸｼｮ', 'やまだせいさくしょ', '山田製作所 第3', 'ほくしん', 'ｶﾝﾄｳ', '048-', '株式会社', 'ダイ12コウジョウ', 'さかい'];
                const times = [];
                for (const word of words) {
                    for (let i = 1; i <= word.length; i++) {
                        const t0 = performance.now();
                        input.value = word.slice(0, i);
                        input.dispatchEvent(new Event('input'));
                        document.body.offsetHeight;  // include style and layout of the new list
                        times.push(performance.now() - t0);
                        await new Promise(requestAnimationFrame);
                    }
                    input.value = '';
                    input.dispatchEvent(new Event('input'));
                }
                return times;
            }""")
            figures["search p95 (ms)"] = p95(keystrokes)
            figures["search median (ms)"] = statistics.median(keystrokes)
            figures["search keystrokes"] = len(keystrokes)

            saves = page.evaluate("""async () => {
                const base = document.querySelector('script[type=module]').src.replace('app.js', '');
                const outbox = await import(base + 'outbox.js');
                const { customerIndex } = await import(base + 'records.js');
                const customers = (await customerIndex()).slice(0, 100);
                performance.clearMeasures('genba:save');
                for (const c of customers) {
                    await outbox.save([{ entity: 'visits', id: crypto.randomUUID(), changes: {
                        customer_id: c.id, kind: 'aftercare', visited_at: new Date().toISOString(),
                        contact_ids: [], purpose: '定期点検', handling: 'ローラー部の点検と給油。異音なし。',
                        next_action: '次回点検', next_action_due: '2026-12-20' } }]);
                }
                return performance.getEntriesByName('genba:save').map((m) => m.duration);
            }""")
            figures["save p95 (ms)"] = p95(saves)
            figures["save median (ms)"] = statistics.median(saves)
            figures["saves"] = len(saves)
            context.close()

    print(f"\nGenba PWA benchmark — Chromium {version}, {os.cpu_count()} CPUs, gunicorn 2 workers, SQLite")
    for name, value in figures.items():
        target = TARGETS.get(name)
        shown = (
            f"{value:,.1f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else value
        )
        verdict = (
            ""
            if target is None
            else ("  ok (target <= %s)" % target if value <= target else "  OVER target %s" % target)
        )
        print(f"  {name:<34} {shown}{verdict}")


if __name__ == "__main__":
    main()
