"""Where attachment bytes live: content-addressed blobs behind one interface, with no local paths.

Every backend keeps three kinds of thing:

- blobs: complete files, named by their SHA-256, so the same bytes are stored once and a
  crash never leaves a half file under a blob's name;
- uploads in progress, one per attachment id, so a cut upload resumes from the last byte
  the store has (on any node, when the store is shared);
- derived files made from blobs (thumbnails), named after the blob they come from.

``ATTACHMENT_STORAGE`` chooses the backend: ``file:///path`` (this module) or
``s3://bucket/prefix`` (``server.attachments.object_store``).
"""

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
import urllib.parse
from datetime import UTC, datetime

CHUNK = 256 * 1024


class UploadBusy(Exception):
    """Another request is writing this attachment's bytes right now."""


class StorageUnavailable(Exception):
    """The place that keeps the bytes does not answer (an object store down or refusing)."""


class Storage:
    """What the attachment endpoints need from a place that keeps bytes."""

    def has(self, sha256):
        """Whether the blob with this SHA-256 is stored."""
        raise NotImplementedError

    def open_blob(self, sha256):
        """A readable binary stream of the blob (the caller closes it)."""
        raise NotImplementedError

    def blob_copy(self, sha256):
        """A seekable binary file with the blob's bytes (the caller closes it), for decoders."""
        raise NotImplementedError

    def received(self, attachment_id):
        """How many bytes of an unfinished upload are kept."""
        raise NotImplementedError

    def receiving(self, attachment_id):
        """A context manager holding the upload's parts (an ``Upload``)."""
        raise NotImplementedError

    def discard(self, attachment_id):
        """Forget an unfinished upload."""
        raise NotImplementedError

    def derived(self, name, make):
        """The bytes of a small file derived from a blob, made once by ``make()`` (bytes)."""
        raise NotImplementedError

    def blobs(self):
        """Every stored blob as ``(sha256, modified)`` (aware datetimes)."""
        raise NotImplementedError

    def uploads(self):
        """Every unfinished upload as ``(attachment_id, last written)``."""
        raise NotImplementedError

    def delete_blob(self, sha256):
        """Delete a blob and the files derived from it."""
        raise NotImplementedError


class Upload:
    """An unfinished upload, written from a given offset: ``size``, ``truncate``, ``write``,
    ``sync`` (make what came durable), ``head``, ``sha256`` and ``keep`` (make it a blob)."""


class FileUpload(Upload):
    """An unfinished upload's file, open for appending from a given offset."""

    def __init__(self, storage, attachment_id, handle):
        self.storage, self.attachment_id, self.handle = storage, attachment_id, handle

    @property
    def size(self):
        return os.fstat(self.handle.fileno()).st_size

    def truncate(self, offset):
        self.handle.truncate(offset)
        self.handle.seek(offset)

    def write(self, chunk):
        self.handle.write(chunk)

    def sync(self):
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def head(self, length=32):
        """The first bytes of the upload (for sniffing its type)."""
        self.handle.flush()
        return os.pread(self.handle.fileno(), length, 0)

    def sha256(self):
        self.handle.flush()
        digest = hashlib.sha256()
        offset = 0
        while chunk := os.pread(self.handle.fileno(), CHUNK * 4, offset):
            digest.update(chunk)
            offset += len(chunk)
        return digest.hexdigest()

    def keep(self, sha256):
        """Move the complete, verified upload into the blobs; the same bytes are kept once."""
        self.sync()
        self.storage.keep(self.attachment_id, sha256)


class FileStorage(Storage):
    """Blobs in a folder on the local disk: ``blobs/ab/<sha256>``, ``partial/<attachment id>``
    and ``derived/<name>``, each written through a fsynced temporary file and a rename."""

    def __init__(self, root):
        self.root = root
        for folder in ("blobs", "partial", "derived", "tmp"):
            os.makedirs(os.path.join(root, folder), exist_ok=True)

    def _blob_path(self, sha256):
        return os.path.join(self.root, "blobs", sha256[:2], sha256)

    def _partial_path(self, attachment_id):
        return os.path.join(self.root, "partial", attachment_id)

    def has(self, sha256):
        return os.path.exists(self._blob_path(sha256))

    def open_blob(self, sha256):
        return open(self._blob_path(sha256), "rb")

    def blob_copy(self, sha256):
        return self.open_blob(sha256)

    def received(self, attachment_id):
        try:
            return os.path.getsize(self._partial_path(attachment_id))
        except FileNotFoundError:
            return 0

    @contextlib.contextmanager
    def receiving(self, attachment_id):
        fd = os.open(self._partial_path(attachment_id), os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+b", buffering=CHUNK) as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadBusy(attachment_id)
            yield FileUpload(self, attachment_id, handle)

    def keep(self, attachment_id, sha256):
        source = self._partial_path(attachment_id)
        target = self._blob_path(sha256)
        if os.path.exists(target):
            os.unlink(source)
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(source, target)
        sync_folder(os.path.dirname(target))
        sync_folder(os.path.dirname(source))

    def discard(self, attachment_id):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._partial_path(attachment_id))

    def sweep(self, keep, partial_before):
        """Remove the blobs (and their thumbnails) whose SHA-256 is not in ``keep``, and the
        unfinished uploads last written before ``partial_before`` (epoch seconds); return how
        many files went."""
        removed = 0
        for folder, _, names in os.walk(os.path.join(self.root, "blobs")):
            for name in names:
                if name not in keep:
                    removed += remove(os.path.join(folder, name))
                    removed += remove(os.path.join(self.root, "derived", f"{name}-thumb.jpg"))
        partial = os.path.join(self.root, "partial")
        for name in os.listdir(partial):
            path = os.path.join(partial, name)
            with contextlib.suppress(FileNotFoundError):
                if os.path.getmtime(path) < partial_before:
                    removed += remove(path)
        return removed

    def derived(self, name, make):
        path = os.path.join(self.root, "derived", name)
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            data = make()
            write_atomically(path, data, os.path.join(self.root, "tmp"))
            return data

    def blobs(self):
        for folder, _, names in os.walk(os.path.join(self.root, "blobs")):
            for name in names:
                yield name, modified(os.path.join(folder, name))

    def uploads(self):
        folder = os.path.join(self.root, "partial")
        for name in os.listdir(folder):
            yield name, modified(os.path.join(folder, name))

    def delete_blob(self, sha256):
        derived = os.path.join(self.root, "derived")
        for name in os.listdir(derived):
            if name.startswith(sha256):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(derived, name))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._blob_path(sha256))


def modified(path):
    return datetime.fromtimestamp(os.stat(path).st_mtime, UTC)


def remove(path):
    try:
        os.unlink(path)
        return 1
    except FileNotFoundError:
        return 0


def write_atomically(path, data, tmp_folder):
    """Write ``data`` to ``path`` through a fsynced temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(dir=tmp_folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    sync_folder(os.path.dirname(path))


def sync_folder(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_stream(source, target):
    shutil.copyfileobj(source, target, CHUNK)


def open_storage(config):
    """The backend ``ATTACHMENT_STORAGE`` names (``file:///path`` or ``s3://bucket/prefix``)."""
    url = urllib.parse.urlsplit(
        config["ATTACHMENT_STORAGE"]
        or "file://"
        + urllib.parse.quote(os.path.join(os.path.abspath(config["GENBA_DATA_DIR"]), "attachments"))
    )
    if url.scheme == "s3":
        from server.attachments.object_store import ObjectStorage

        return ObjectStorage(url.netloc, url.path.strip("/"), config)
    if url.scheme == "file":
        return FileStorage(urllib.parse.unquote(url.path))
    raise ValueError(f"ATTACHMENT_STORAGE must start with file:// or s3://, not {url.scheme!r}")


def storage_for(app):
    """The app's storage, opened once per app."""
    storage = app.extensions.get("genba_storage")
    if storage is None:
        storage = open_storage(app.config)
        app.extensions["genba_storage"] = storage
    return storage
