"""The field app's files: the service worker precaches exactly the shell, the manifest is
installable, and the server serves the worker, the shell and its versioned files right."""

import json
import posixpath
import re
import shutil
import struct
from pathlib import Path

import pytest

from server import create_app
from server.core.pwa import shell_version

PWA = Path(__file__).resolve().parent.parent / "pwa"
SERVED_ELSEWHERE = {"sw.js", "index.html"}  # the worker itself, and the shell (precached as "/")


def precache_files():
    source = (PWA / "sw.js").read_text(encoding="utf-8")
    block = re.search(r"^const FILES = \[(.*?)^\];", source, re.S | re.M).group(1)
    return re.findall(r'^\s*"([^"]+)",$', block, re.M)


def shell_files():
    return sorted(
        p.relative_to(PWA).as_posix()
        for p in PWA.rglob("*")
        if p.is_file() and p.relative_to(PWA).as_posix() not in SERVED_ELSEWHERE
    )


def js_sources():
    return {p.relative_to(PWA).as_posix(): p.read_text(encoding="utf-8") for p in PWA.rglob("*.js")}


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def client(tmp_path, sqlite_template):
    path = tmp_path / "genba.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "GENBA_DATA_DIR": str(tmp_path)}
    )
    return app.test_client()


def test_the_precache_list_is_exactly_the_files_of_the_shell():
    files = precache_files()
    assert files == sorted(set(files)), "keep FILES sorted and without repeats"
    assert files == shell_files()


def test_the_worker_caches_under_a_versioned_name_and_precaches_the_shell_page():
    source = (PWA / "sw.js").read_text(encoding="utf-8")
    assert 'const VERSION = "__GENBA_VERSION__";' in source
    assert "const CACHE = `genba-shell-v${VERSION}`;" in source
    assert "const PRECACHE = [SHELL, ...FILES.map((file) => APP + file)];" in source
    assert re.fullmatch(r"[0-9a-f]{12}", shell_version(str(PWA)))


def test_the_version_changes_exactly_when_a_file_of_the_app_changes(tmp_path):
    same, changed, added = tmp_path / "same", tmp_path / "changed", tmp_path / "added"
    for folder in (same, changed, added):
        shutil.copytree(PWA, folder)
    with open(changed / "css" / "app.css", "a", encoding="utf-8") as css:
        css.write("\n")
    (added / "js" / "new-screen.js").write_text("export {};\n", encoding="utf-8")
    versions = [shell_version(str(folder)) for folder in (PWA, same, changed, added)]
    assert versions[0] == versions[1]
    assert len(set(versions[1:])) == 3


def test_every_module_import_and_page_reference_is_precached():
    files = set(precache_files())
    for name, source in js_sources().items():
        if name == "sw.js":
            continue
        for target in re.findall(r'^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)";', source, re.M | re.S):
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
            assert resolved in files, f"{name} imports {target}, which is not precached"
    for target in re.findall(r'"\{\{APP\}\}/([^"]+)"', (PWA / "index.html").read_text(encoding="utf-8")):
        assert target in files


def test_the_shell_page_preloads_every_module_so_start_up_has_no_import_waterfall():
    html = (PWA / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<link rel="modulepreload" href="\{\{APP\}\}/([^"]+)">', html)
    preloaded = set(listed)
    assert len(listed) == len(preloaded), "a module is preloaded twice"
    modules = {f for f in precache_files() if f.endswith(".js")}
    # The pull worker starts in a realm of its own: a preload in the page would not reach it.
    assert preloaded == modules - {"js/app.js", "js/pull-worker.js"}


def test_the_manifest_makes_an_installable_standalone_app():
    manifest = json.loads((PWA / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] and manifest["short_name"] and manifest["lang"] == "ja"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert f'content="{manifest["theme_color"]}"' in (PWA / "index.html").read_text(encoding="utf-8")
    sizes = set()
    for icon in manifest["icons"]:
        width, height = png_size(PWA / icon["src"])
        assert icon["sizes"] == f"{width}x{height}" and icon["type"] == "image/png"
        sizes.add((width, icon["purpose"]))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= sizes


def test_the_worker_is_served_at_the_root_as_javascript_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_worker_is_served_with_the_version_of_the_files_filled_in(client):
    source = client.get("/sw.js").get_data(as_text=True)
    assert f'const VERSION = "{shell_version(str(PWA))}";' in source
    assert "__GENBA_VERSION__" not in source


def test_the_shell_page_points_at_the_current_version_and_allows_no_inline_code(client):
    response = client.get("/")
    version = shell_version(str(PWA))
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-cache"
    assert f'src="/app/v{version}/js/app.js"' in html and "{{APP}}" not in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize(
    "name, mimetype",
    [
        ("js/app.js", "text/javascript"),
        ("css/app.css", "text/css"),
        ("manifest.webmanifest", "application/manifest+json"),
        ("icons/icon-192.png", "image/png"),
    ],
)
def test_files_of_the_current_version_are_cached_for_a_year(client, name, mimetype):
    response = client.get(f"/app/v{shell_version(str(PWA))}/{name}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_files_asked_for_under_another_version_are_not_cached(client):
    response = client.get("/app/v000000000000/js/app.js")
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    ["/app/v1/sw.js", "/app/v1/../server/config.py", "/app/v1/%2e%2e/server/config.py", "/app/v1/nothing.js"],
)
def test_nothing_outside_the_shell_is_served(client, path):
    assert client.get(path).status_code == 404


def test_no_script_writes_markup():
    sinks = re.compile(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|eval\(|new Function")
    offenders = [name for name, source in js_sources().items() if sinks.search(source)]
    assert offenders == []


STRING = r'"((?:[^"\\]|\\.)*)"'


def messages(language):
    """``{key: text}``, where a text with a count is ``{form: text}`` (``{ one: "…", other: "…" }``)."""
    source = (PWA / "js" / f"messages-{language}.js").read_text(encoding="utf-8")
    out = {}
    for key, text, forms in re.findall(rf'^  "([^"]+)": (?:{STRING}|\{{ (.*) \}}),$', source, re.M):
        out[key] = dict(re.findall(rf"(\w+): {STRING}", forms)) if forms else text
    assert len(out) == len(re.findall(r'^  "', source, re.M)), f"messages-{language}.js: one entry per line"
    return out


def placeholders(entry):
    texts = entry.values() if isinstance(entry, dict) else [entry]
    return set().union(*(re.findall(r"\{(\w+)\}", text) for text in texts))


def test_every_text_the_screens_use_exists_in_japanese_and_english():
    ja, en = messages("ja"), messages("en")
    assert ja.keys() == en.keys()
    used = set()
    for source in js_sources().values():
        used.update(re.findall(r'\bt\("([\w.]+)"', source))
        for a, b in re.findall(r'\bt\(\w+ \? "([\w.]+)" : "([\w.]+)"', source):
            used.update((a, b))
    missing = sorted(key for key in used if key not in ja)
    assert missing == []


def test_a_text_with_a_count_has_the_plural_forms_of_both_languages():
    ja, en = messages("ja"), messages("en")
    counted = sorted(key for key in ja if isinstance(ja[key], dict) or isinstance(en[key], dict))
    assert "days.count" in counted
    for key in counted:
        assert set(en[key]) == {"one", "other"}, key  # "1 day", "2 days"
        assert set(ja[key]) == {"other"}, key  # Japanese has one form: 「1日」「2日」
        assert all("{n}" in text for text in [*en[key].values(), *ja[key].values()]), key


def test_both_languages_fill_the_same_placeholders():
    ja, en = messages("ja"), messages("en")
    assert {k: placeholders(v) for k, v in ja.items()} == {k: placeholders(v) for k, v in en.items()}


# Punctuation that belongs to Japanese text: full-width brackets, quotes, commas, stops, colon,
# middle dot and the full-width space.
JAPANESE_PUNCTUATION = re.compile("[（）「」『』【】、。，．：・　]")
# A string or template literal (group 1), or a comment; regular expressions are neither.
LITERAL_OR_COMMENT = re.compile(
    r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|//[^\n]*|/\*.*?\*/""", re.S
)


def test_english_texts_use_english_punctuation():
    en = messages("en")
    texts = {
        (key, text)
        for key, entry in en.items()
        for text in (entry.values() if isinstance(entry, dict) else [entry])
    }
    assert sorted((key, text) for key, text in texts if JAPANESE_PUNCTUATION.search(text)) == []


def test_no_script_writes_japanese_punctuation_into_what_every_language_shows():
    """「」（）、 and the full-width space come from the messages (i18n.js `list`, ``text.*``), or
    the English screens show them around English words."""
    found = []
    for name, source in js_sources().items():
        if name == "js/messages-ja.js":
            continue
        for match in LITERAL_OR_COMMENT.finditer(source):
            if match.group(1) and JAPANESE_PUNCTUATION.search(match.group(1)):
                found.append((name, match.group(1)))
    assert found == []
