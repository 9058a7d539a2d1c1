"""gunicorn killed in the middle of a photo upload: no half file is ever visible, the resume completes."""

import hashlib
import http.client
import json
import os
import signal
import socket
import time
import urllib.parse

from live import HttpDevice, start_gunicorn
from test_kill import workers_of

SIZE = 6 * 1024 * 1024
SENT_BEFORE_KILL = 2 * 1024 * 1024


def fake_jpeg():
    """JPEG magic bytes then noise: the server sniffs the type and checks the sha256."""
    return b"\xff\xd8\xff\xe0" + os.urandom(SIZE - 4)


def files_under(folder):
    return sorted(
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, names in os.walk(folder)
        for name in names
    )


def start_upload(base_url, device, attachment_id, data):
    """Open a PUT of the whole file and send only its first part; return the connection."""
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.putrequest("PUT", f"/api/v1/attachments/{attachment_id}/content")
    connection.putheader("Authorization", f"Bearer {device.token}")
    connection.putheader("Content-Type", "application/octet-stream")
    connection.putheader("Content-Length", str(len(data)))
    connection.endheaders()
    connection.send(data[:SENT_BEFORE_KILL])
    return connection


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def upload_offset(base_url, device, attachment_id):
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(
            "HEAD",
            f"/api/v1/attachments/{attachment_id}/content",
            headers={"Authorization": f"Bearer {device.token}"},
        )
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        return int(response.headers["Upload-Offset"])
    finally:
        connection.close()


def put_part(base_url, device, attachment_id, data, start):
    """Send the file from byte ``start`` with Content-Range; return ``(status, JSON)``."""
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request(
            "PUT",
            f"/api/v1/attachments/{attachment_id}/content",
            body=data[start:],
            headers={
                "Authorization": f"Bearer {device.token}",
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}",
            },
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def photo_of_a_visit(rep, digest):
    """A customer, an aftercare visit and its photo's record (not yet uploaded)."""
    customer = rep.push(rep.mutation("customers", name="山田製作所"))[0]["record"]
    visit = rep.push(
        rep.mutation(
            "visits", customer_id=customer["id"], kind="aftercare", visited_at="2026-11-27T10:00:00+09:00"
        )
    )[0]["record"]
    return rep.push(
        rep.mutation(
            "attachments",
            customer_id=customer["id"],
            owner_entity="visits",
            owner_id=visit["id"],
            filename="machine.jpg",
            content_type="image/jpeg",
            size=SIZE,
            sha256=digest,
        )
    )[0]["record"]


def half_sent(url, master):
    """A photo's record and a PUT of its bytes that has sent the first part and waits: return
    ``(rep, attachment, data, storage, connection)``."""
    data = fake_jpeg()
    storage = os.path.join(os.path.dirname(master.log_path), "attachments")
    rep = HttpDevice(url, "rep_a")
    attachment = photo_of_a_visit(rep, hashlib.sha256(data).hexdigest())
    partial = os.path.join(storage, "partial", attachment["id"])
    connection = start_upload(url, rep, attachment["id"], data)
    wait_for(lambda: os.path.exists(partial) and os.path.getsize(partial) >= SENT_BEFORE_KILL // 2)
    return rep, attachment, data, storage, connection


def assert_resume_completes(url, rep, attachment, data, storage, start):
    """Send the rest from ``start``: the photo is stored whole and nothing partial is left."""
    digest = hashlib.sha256(data).hexdigest()
    status, body = put_part(url, rep, attachment["id"], data, start)
    assert status == 200, body
    assert body["record"]["uploaded"]
    assert files_under(os.path.join(storage, "blobs")) == [os.path.join(digest[:2], digest)]
    assert files_under(os.path.join(storage, "partial")) == []
    with open(os.path.join(storage, "blobs", digest[:2], digest), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == digest


def test_a_worker_killed_during_an_upload_leaves_no_visible_file_and_the_resume_completes(database_url):
    with start_gunicorn(database_url, workers=2) as (url, master):
        rep, attachment, data, storage, connection = half_sent(url, master)
        for pid in workers_of(master.pid):
            os.kill(pid, signal.SIGKILL)
        connection.close()

        assert files_under(os.path.join(storage, "blobs")) == []
        wait_for(lambda: len(workers_of(master.pid)) == 2)
        status, body = rep.call("GET", f"/api/v1/attachments/{attachment['id']}/content")
        assert status == 404 and body["reason"] == "not_uploaded"
        have = upload_offset(url, rep, attachment["id"])
        assert 0 < have <= SENT_BEFORE_KILL
        assert_resume_completes(url, rep, attachment, data, storage, have)


def test_a_signal_lost_mid_upload_keeps_what_came_and_the_resume_sends_only_the_rest(database_url):
    """The phone on the shop floor loses its signal halfway through a photo: the connection
    closes, the worker lives on. What arrived is kept; the photo is not shown half; the device
    asks how far it got and sends the rest."""
    with start_gunicorn(database_url, workers=1) as (url, master):
        rep, attachment, data, storage, connection = half_sent(url, master)
        connection.sock.shutdown(socket.SHUT_RDWR)  # the signal goes: no more bytes, ever
        connection.close()

        wait_for(lambda: upload_offset(url, rep, attachment["id"]) == SENT_BEFORE_KILL)
        status, body = rep.call("GET", f"/api/v1/attachments/{attachment['id']}/content")
        assert status == 404 and body["reason"] == "not_uploaded"
        assert files_under(os.path.join(storage, "blobs")) == []
        assert_resume_completes(url, rep, attachment, data, storage, SENT_BEFORE_KILL)
