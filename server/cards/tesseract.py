"""Tesseract through its C API (``libtesseract``, installed with Debian's ``tesseract-ocr``).

A card is read in several small passes (the page, then its name and address lines again), and
starting the ``tesseract`` program loads its language models anew each time: that load was
most of a card's time (0.17 s of CPU for every 0.02 s line). Here each language's model is
loaded once per process and kept; ``bench/card_bench.py`` measures the difference.
"""

import atexit
import ctypes
import os
import threading

# One thread per read: on a shared two-core server Tesseract's own threads only add switching.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

LIBRARY = "libtesseract.so.5"
DEADLINE_MS = 60_000  # a read that runs longer stops (as the tesseract program's timeout did)

_lock = threading.Lock()  # a TessBaseAPI is not safe to share between threads
_engines: dict[str, int] = {}
_library: ctypes.CDLL | None = None


class TesseractMissing(Exception):
    """libtesseract or its language data is not installed."""


class TesseractFailed(Exception):
    """Tesseract could not read the image (or passed its deadline)."""


def _load():
    """The C library, with the signatures of the few functions used."""
    global _library
    if _library is None:
        try:
            lib = ctypes.CDLL(LIBRARY)
        except OSError as err:
            raise TesseractMissing(f"{LIBRARY}: {err}") from err
        handle, text = ctypes.c_void_p, ctypes.c_char_p
        lib.TessBaseAPICreate.restype = handle
        lib.TessBaseAPIInit3.argtypes = [handle, text, text]
        lib.TessBaseAPISetVariable.argtypes = [handle, text, text]
        lib.TessBaseAPISetPageSegMode.argtypes = [handle, ctypes.c_int]
        lib.TessBaseAPISetImage.argtypes = [handle, ctypes.c_char_p] + [ctypes.c_int] * 4
        lib.TessMonitorCreate.restype = handle
        lib.TessMonitorSetDeadlineMSecs.argtypes = [handle, ctypes.c_int]
        lib.TessMonitorDelete.argtypes = [handle]
        lib.TessBaseAPIRecognize.argtypes = [handle, handle]
        lib.TessBaseAPIGetTsvText.argtypes = [handle, ctypes.c_int]
        lib.TessBaseAPIGetTsvText.restype = ctypes.c_void_p  # freed with TessDeleteText
        lib.TessDeleteText.argtypes = [ctypes.c_void_p]
        lib.TessBaseAPIClear.argtypes = [handle]
        lib.TessBaseAPIEnd.argtypes = [handle]
        lib.TessBaseAPIDelete.argtypes = [handle]
        _library = lib
        atexit.register(_unload)
    return _library


def _engine(lib, lang):
    """The engine for ``lang`` (``jpn+eng``…), its model loaded on first use."""
    if lang not in _engines:
        api = lib.TessBaseAPICreate()
        if lib.TessBaseAPIInit3(api, None, lang.encode()) != 0:
            lib.TessBaseAPIDelete(api)
            raise TesseractMissing(f"no Tesseract language data for {lang}")
        # Its notes ("Estimating resolution as 351") would fill the worker's log.
        lib.TessBaseAPISetVariable(api, b"debug_file", os.devnull.encode())
        _engines[lang] = api
    return _engines[lang]


def _unload():
    """Free the models at exit (Tesseract reports what is still held as a leak)."""
    with _lock:
        if _library is None:
            return
        for api in _engines.values():
            _library.TessBaseAPIEnd(api)
            _library.TessBaseAPIDelete(api)
        _engines.clear()


def tsv(image, psm, lang="jpn+eng"):
    """Tesseract's TSV (word boxes and text) for a PIL image, page segmentation ``psm``."""
    gray = image.convert("L")
    data = gray.tobytes()
    with _lock:
        lib = _load()
        api = _engine(lib, lang)
        lib.TessBaseAPISetPageSegMode(api, psm)
        lib.TessBaseAPISetImage(api, data, gray.width, gray.height, 1, gray.width)
        monitor = lib.TessMonitorCreate()
        pointer = None
        try:
            lib.TessMonitorSetDeadlineMSecs(monitor, DEADLINE_MS)
            if lib.TessBaseAPIRecognize(api, monitor) != 0:
                raise TesseractFailed(f"Tesseract could not read the image (psm {psm}, {lang})")
            pointer = lib.TessBaseAPIGetTsvText(api, 0)
            return ctypes.string_at(pointer).decode("utf-8") if pointer else ""
        finally:
            if pointer:
                lib.TessDeleteText(pointer)
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(api)
