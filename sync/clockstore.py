"""How a record's per-field clocks are stored: each distinct clock once, fields pointing at it.

A record's fields are mostly written by the same mutation, so ``{field: [hlc, version, device,
user]}`` repeats one clock per field (about 1.7 kB for a visit, more than its data). Stored as
``[[clock, ...], {field: index}]`` it takes about 0.3 kB. Rows written before in the plain
``{field: clock}`` form are read as they are.
"""

import json

from .wire import dump_json


def pack(clocks):
    """The stored text of ``{field: clock}``."""
    table: list[list] = []
    index: dict[tuple, int] = {}
    fields = {}
    last, position = None, 0
    for name, clock in clocks.items():
        if clock is not last:  # a new record's fields share one clock: look it up once
            key = tuple(clock)
            if key not in index:
                index[key] = len(table)
                table.append(clock)
            position, last = index[key], clock
        fields[name] = position
    return dump_json([table, fields])


def unpack(text):
    """``{field: clock}`` from its stored text, in either form."""
    value = json.loads(text)
    if isinstance(value, dict):
        return value
    table, fields = value
    return {name: list(table[position]) for name, position in fields.items()}
