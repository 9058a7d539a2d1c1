"""Settings that depend on each other: shared engines chosen from one variable."""

import pytest

from server.attachments.storage import FileStorage, open_storage
from server.core.config import Config


def test_rate_limit_counters_go_to_redis_when_redis_url_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    assert Config(str(tmp_path)).RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/2"


def test_rate_limit_counters_stay_in_memory_without_redis(monkeypatch, tmp_path):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert Config(str(tmp_path)).RATELIMIT_STORAGE_URI == "memory://"


def test_attachment_bytes_default_to_the_data_folder(tmp_path):
    storage = open_storage({"ATTACHMENT_STORAGE": None, "GENBA_DATA_DIR": str(tmp_path)})
    assert isinstance(storage, FileStorage) and storage.root == str(tmp_path / "attachments")


def test_an_unknown_attachment_storage_is_refused(tmp_path):
    with pytest.raises(ValueError, match="file:// or s3://"):
        open_storage({"ATTACHMENT_STORAGE": "ftp://example.com/x", "GENBA_DATA_DIR": str(tmp_path)})
