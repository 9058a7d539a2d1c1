"""Where attachment bytes live: content-addressed blobs behind a small interface.

The filesystem backend keeps, under its root folder:

- ``blobs/ab/<sha256>``: complete files, named by their SHA-256, so the same bytes are stored
  once; written to a temporary file, fsynced, then renamed, so a crash never leaves a half
  file under a blob's name;
- ``partial/<attachment id>``: an upload in progress, appended to by each part, so a cut
  upload resumes from the last byte the server has;
- ``derived/<name>``: files made from blobs (thumbnails), written the same atomic way.

A production deployment can put an S3-compatible object store behind the same methods.
"""
import contextlib
import fcntl
import hashlib
import os
import tempfile

CHUNK = 256 * 1024


class UploadBusy(Exception):
    """Another request is writing this attachment's bytes right now."""


class Storage:
    """What the attachment endpoints need from a place that keeps bytes."""

    def has(self, sha256):
        """Whether the blob with this SHA-256 is stored."""
        raise NotImplementedError

    def blob_path(self, sha256):
        """A local path to read the blob from."""
        raise NotImplementedError

    def received(self, attachment_id):
        """How many bytes of an unfinished upload are kept."""
        raise NotImplementedError

    def receiving(self, attachment_id):
        """A context manager holding the upload's partial file, exclusively."""
        raise NotImplementedError

    def discard(self, attachment_id):
        """Forget an unfinished upload."""
        raise NotImplementedError

    def derived(self, name, make):
        """The path of a file derived from a blob, made once by ``make()`` (bytes)."""
        raise NotImplementedError


class Partial:
    """An unfinished upload's file, open for appending from a given offset."""

    def __init__(self, handle):
        self.handle = handle

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


class FileStorage(Storage):
    """Blobs in a folder on the local disk."""

    def __init__(self, root):
        self.root = root
        for folder in ("blobs", "partial", "derived", "tmp"):
            os.makedirs(os.path.join(root, folder), exist_ok=True)

    def blob_path(self, sha256):
        return os.path.join(self.root, "blobs", sha256[:2], sha256)

    def has(self, sha256):
        return os.path.exists(self.blob_path(sha256))

    def partial_path(self, attachment_id):
        return os.path.join(self.root, "partial", attachment_id)

    def received(self, attachment_id):
        try:
            return os.path.getsize(self.partial_path(attachment_id))
        except FileNotFoundError:
            return 0

    @contextlib.contextmanager
    def receiving(self, attachment_id):
        path = self.partial_path(attachment_id)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+b", buffering=CHUNK) as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadBusy(attachment_id)
            yield Partial(handle)

    def keep(self, attachment_id, sha256):
        """Move a complete, verified upload into the blobs; the same bytes are kept once."""
        source = self.partial_path(attachment_id)
        target = self.blob_path(sha256)
        if os.path.exists(target):
            os.unlink(source)
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(source, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(source, target)
        sync_folder(os.path.dirname(target))
        sync_folder(os.path.dirname(source))

    def discard(self, attachment_id):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.partial_path(attachment_id))

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
        if not os.path.exists(path):
            write_atomically(path, make(), os.path.join(self.root, "tmp"))
        return path


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


def storage_for(app):
    """The app's storage: the filesystem backend under the data folder."""
    storage = app.extensions.get("genba_storage")
    if storage is None:
        storage = FileStorage(os.path.join(app.config["GENBA_DATA_DIR"], "attachments"))
        app.extensions["genba_storage"] = storage
    return storage
