"""Attachment bytes in an S3-compatible object store (AWS S3, MinIO, Ceph, ...) through boto3.

Keys under the prefix:

- ``blobs/ab/<sha256>``: complete files; an object appears whole or not at all;
- ``partial/<attachment id>/<offset>``: the parts of an upload in progress, one object per
  stretch of bytes a request brought, named by the offset it starts at. The parts live in the
  store, not on a node, so any node continues any upload; how far an upload got is how far the
  parts reach without a gap. Parts may overlap (a resent part after a lost answer): the bytes
  at one offset of one file are the same, and the SHA-256 check at the end catches any that
  are not;
- ``derived/<name>``: thumbnails, named after their blob.
"""

import contextlib
import functools
import hashlib
import tempfile

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from server.attachments.storage import CHUNK, Storage, StorageUnavailable, Upload, copy_stream

PART_BYTES = 8 * 1024 * 1024  # a request's bytes go to the store at least this often
MEMORY_BYTES = 1024 * 1024  # beyond this a part being received spills to a temporary file


def translated(method):
    """Turn the store's failures into ``StorageUnavailable`` (the views answer 503)."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as err:
            raise StorageUnavailable(str(err)) from err

    return wrapper


def translating(cls):
    for name, value in list(vars(cls).items()):
        if callable(value) and (name == "__init__" or not name.startswith("_")):
            setattr(cls, name, translated(value))
    return cls


@translating
class ObjectStorage(Storage):
    """Blobs, upload parts and thumbnails as objects in one bucket under one prefix."""

    def __init__(self, bucket, prefix, config):
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        endpoint = config.get("S3_ENDPOINT_URL")
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=config.get("AWS_DEFAULT_REGION"),
            aws_access_key_id=config.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=config.get("AWS_SECRET_ACCESS_KEY"),
            # Self-hosted stores (MinIO and the like) answer on one host name: path-style keys.
            config=BotoConfig(
                s3={"addressing_style": "path" if endpoint else "auto"},
                retries={"max_attempts": 5, "mode": "standard"},
            ),
        )

    def blob_key(self, sha256):
        return f"{self.prefix}blobs/{sha256[:2]}/{sha256}"

    def part_prefix(self, attachment_id):
        return f"{self.prefix}partial/{attachment_id}/"

    def listing(self, prefix):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            yield from page.get("Contents", ())

    def delete(self, keys):
        keys = list(keys)
        for start in range(0, len(keys), 1000):
            self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": key} for key in keys[start : start + 1000]], "Quiet": True},
            )

    def has(self, sha256):
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.blob_key(sha256))
            return True
        except ClientError as err:
            if missing(err):
                return False
            raise

    def open_blob(self, sha256):
        return self.client.get_object(Bucket=self.bucket, Key=self.blob_key(sha256))["Body"]

    def blob_copy(self, sha256):
        copy = tempfile.SpooledTemporaryFile(MEMORY_BYTES)  # noqa: SIM115 - handed to the caller, who closes it
        try:
            self.client.download_fileobj(self.bucket, self.blob_key(sha256), copy)
        except BaseException:
            copy.close()
            raise
        copy.seek(0)
        return copy

    def parts(self, attachment_id):
        """The upload's parts as ``(offset, size, key)``, in order."""
        prefix = self.part_prefix(attachment_id)
        found = [
            (int(item["Key"][len(prefix) :]), item["Size"], item["Key"])
            for item in self.listing(prefix)
            if item["Key"][len(prefix) :].isdigit()
        ]
        return sorted(found)

    def received(self, attachment_id):
        return reach(self.parts(attachment_id))

    def receiving(self, attachment_id):
        return contextlib.closing(ObjectUpload(self, attachment_id))

    def discard(self, attachment_id):
        self.delete(key for _, _, key in self.parts(attachment_id))

    def derived(self, name, make):
        key = f"{self.prefix}derived/{name}"
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as err:
            if not missing(err):
                raise
        data = make()
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        return data

    def blobs(self):
        for item in self.listing(f"{self.prefix}blobs/"):
            yield item["Key"].rsplit("/", 1)[1], item["LastModified"]

    def uploads(self):
        latest = {}
        for item in self.listing(f"{self.prefix}partial/"):
            attachment_id = item["Key"][len(self.prefix) + len("partial/") :].split("/", 1)[0]
            latest[attachment_id] = max(latest.get(attachment_id, item["LastModified"]), item["LastModified"])
        return latest.items()

    def delete_blob(self, sha256):
        derived = [item["Key"] for item in self.listing(f"{self.prefix}derived/{sha256}")]
        self.delete([*derived, self.blob_key(sha256)])


@translating
class ObjectUpload(Upload):
    """An upload written as part objects; the bytes of a request are buffered up to a part."""

    def __init__(self, storage, attachment_id):
        self.storage, self.attachment_id = storage, attachment_id
        self.stored = storage.parts(attachment_id)
        self.start, self.buffer, self.pending = reach(self.stored), None, 0
        self.whole = None  # the assembled file, once asked for

    @property
    def size(self):
        return reach(self.stored + ([(self.start, self.pending, None)] if self.pending else []))

    def truncate(self, offset):
        if self.pending and self.start < offset:
            self.sync()
        else:
            self.drop_buffer()
        doomed = [part for part in self.stored if part[0] >= offset]
        self.storage.delete(key for _, _, key in doomed)
        self.stored = [part for part in self.stored if part[0] < offset]
        self.start = offset
        self.forget_whole()

    def write(self, chunk):
        if self.buffer is None:
            self.buffer = tempfile.SpooledTemporaryFile(MEMORY_BYTES)  # noqa: SIM115 - kept open while the upload lasts
        self.buffer.write(chunk)
        self.pending += len(chunk)
        if self.pending >= PART_BYTES:
            self.sync()

    def sync(self):
        """Store the bytes buffered so far as one part (the device resumes after them)."""
        if not self.pending:
            return
        key = f"{self.storage.part_prefix(self.attachment_id)}{self.start:012d}"
        self.buffer.seek(0)
        self.storage.client.upload_fileobj(self.buffer, self.storage.bucket, key)
        self.buffer.close()
        self.stored = sorted([*self.stored, (self.start, self.pending, key)])
        self.start, self.buffer, self.pending = self.start + self.pending, None, 0
        self.forget_whole()

    def assembled(self):
        """The upload's bytes as one local temporary file (parts joined, overlaps skipped)."""
        self.sync()
        if self.whole is None:
            self.whole = tempfile.TemporaryFile()  # noqa: SIM115 - kept open while the upload lasts
            for offset, _size, key in self.stored:
                written = self.whole.tell()
                if offset > written:
                    break  # a gap: what follows is not part of the file yet
                body = self.storage.client.get_object(Bucket=self.storage.bucket, Key=key)["Body"]
                skip = written - offset
                while skip > 0:
                    skip -= len(body.read(min(CHUNK, skip)))
                copy_stream(body, self.whole)
        self.whole.seek(0)
        return self.whole

    def head(self, length=32):
        return self.assembled().read(length)

    def sha256(self):
        digest, whole = hashlib.sha256(), self.assembled()
        while chunk := whole.read(CHUNK * 4):
            digest.update(chunk)
        return digest.hexdigest()

    def keep(self, sha256):
        """Store the complete, verified upload as its blob, then drop its parts."""
        if not self.storage.has(sha256):
            self.storage.client.upload_fileobj(
                self.assembled(), self.storage.bucket, self.storage.blob_key(sha256)
            )
        self.storage.discard(self.attachment_id)
        self.stored = []

    def forget_whole(self):
        if self.whole is not None:
            self.whole.close()
            self.whole = None

    def drop_buffer(self):
        if self.buffer is not None:
            self.buffer.close()
        self.buffer, self.pending = None, 0

    def close(self):
        self.drop_buffer()
        self.forget_whole()


def reach(parts):
    """How far parts ``(offset, size, ...)`` cover the file from byte 0 without a gap."""
    end = 0
    for offset, size, *_ in sorted(parts, key=lambda part: part[0]):
        if offset > end:
            break
        end = max(end, offset + size)
    return end


def missing(err):
    return err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")
