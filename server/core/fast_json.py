"""The app's JSON through orjson, answering exactly what the standard library would.

orjson reads a push of 100 visits in about half the time and writes the answer many times
faster. Whatever it declines (a lone surrogate, an integer past 64 bits, NaN, a type only
Flask's ``default`` knows) goes through the standard library as before, so the values read and
written are the same. Only the spelling of some floats differs (``1e16`` for ``1e+16``), and a
NaN or infinity, which JSON cannot write, is written ``null`` rather than the invalid ``NaN``.
"""

import json

import orjson
from flask.json.provider import DefaultJSONProvider

from sync.wire import load_json

# Types orjson would write its own way (dates as RFC 3339, dataclasses, subclasses of str and
# dict) go to Flask's ``default`` instead, as they did before.
PASSTHROUGH = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
)
COMPACT = {"separators": (",", ":")}  # how Flask writes an answer; orjson writes only this


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, through orjson where it answers the same."""

    def dumps(self, obj, **kwargs):
        if kwargs != COMPACT or self.sort_keys or self.ensure_ascii:
            return super().dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj, default=self.default, option=PASSTHROUGH).decode()
        except TypeError:  # orjson's JSONEncodeError is one
            return super().dumps(obj, **kwargs)

    def response(self, *args, **kwargs):
        """Flask's JSON response, its body the bytes orjson wrote: a push's answer (about 50 kB,
        mostly Japanese) is not decoded to a ``str`` only to be encoded back to UTF-8."""
        if (
            self.sort_keys
            or self.ensure_ascii
            or self.compact is False
            or (self.compact is None and self._app.debug)
        ):
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=PASSTHROUGH | orjson.OPT_APPEND_NEWLINE)
        except TypeError:
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)

    def loads(self, s, **kwargs):
        if kwargs or type(s) not in (str, bytes):  # load_json reads these, exactly as json does
            return json.loads(s, **kwargs)
        return load_json(s)
