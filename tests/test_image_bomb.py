"""A decompression bomb sent as a photo costs a real gunicorn worker no real memory.

A PNG of 13,000 × 13,000 black pixels compresses to well under a megabyte but decodes to
about 500 MB (RGB); any signed-in user can send one. The worker's peak memory is read from
``/proc/<pid>/status`` (``VmHWM``, reset just before the upload).
"""

import hashlib
import http.client
import json
import struct
import urllib.parse
import zlib
from pathlib import Path

import pytest

from live import HttpDevice, start_gunicorn

SIDE = 13_000
ALLOWED_GROWTH_MB = 200


def black_png(width, height):
    """A real PNG (every row present) of ``width`` × ``height`` black RGB pixels."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)  # filter byte, then the pixels
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb():
    return black_png(SIDE, SIDE)


def send(base_url, method, path, token, body=None):
    """One request with raw bytes; answer ``(status, body bytes)``."""
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/octet-stream"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def memory_mb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def only_worker(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def test_an_image_bomb_is_refused_and_costs_the_worker_under_200_mb(database_url, bomb):
    assert len(bomb) < 1_000_000  # small on the wire: anyone can send it again and again
    with start_gunicorn(database_url, workers=1) as (base_url, process):
        rep = HttpDevice(base_url, "rep_a")
        customer = rep.mutation("customers", name="山田製作所")
        visit = rep.mutation(
            "visits", customer_id=customer["record_id"], kind="sales", visited_at="2026-11-27T10:00:00+09:00"
        )
        photo = rep.mutation(
            "attachments",
            customer_id=customer["record_id"],
            owner_entity="visits",
            owner_id=visit["record_id"],
            filename="IMG_0001.png",
            content_type="image/png",
            size=len(bomb),
            sha256=hashlib.sha256(bomb).hexdigest(),
        )
        assert [r["status"] for r in rep.push(customer, visit, photo)] == ["applied"] * 3
        worker = only_worker(process.pid)
        baseline = memory_mb(worker, "VmRSS")
        Path(f"/proc/{worker}/clear_refs").write_text("5")  # the peak from now on

        content = f"/api/v1/attachments/{photo['record_id']}/content"
        status, answer = send(base_url, "PUT", content, rep.token, bomb)
        thumbnail_status, _ = send(base_url, "GET", content.replace("content", "thumbnail"), rep.token)

        growth = memory_mb(worker, "VmHWM") - baseline
        assert only_worker(process.pid) == worker  # the same worker, not a fresh one after a crash
    assert growth < ALLOWED_GROWTH_MB, f"the worker grew {growth:.0f} MB"
    error = json.loads(answer)
    assert status == 422 and error["code"] == 422 and error["message"], error
    assert error["reason"] == "image_too_large"
    assert thumbnail_status == 404  # nothing was kept to make a thumbnail of
