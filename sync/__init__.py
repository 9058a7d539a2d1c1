"""The sync engine: apply pushed mutations, merge fields, serve the change feed.

Plain Python over SQLAlchemy: it takes a session and plain values, never a Flask request, and
names no business entity. The server describes its entities and rules as an ``Engine``
(``sync.engine``) and hands it to every call. The public API:

- ``apply_push`` applies a client's batch; ``changes_since`` reads the feed (``sync.pull``);
- ``write_changes`` is the one way the server changes records itself (``sync.write``), and
  ``empty`` says which values its fills fill;
- ``live_records``/``live_record`` read records through a reader's scope (``sync.read``);
- ``survivor_of`` is the live scope root a merged one now stands for;
- ``move_scope`` turns a change of who a user is (role, team) into their scope events.
"""

from .engine import Actor, Engine, ScopeModel
from .entity import Entity, Rejected, Rules
from .pull import changes_since
from .push import apply_push, survivor_of
from .read import live_record, live_records, stored_record
from .rescope import move_scope
from .write import empty, write_changes

__all__ = [
    "Actor",
    "Engine",
    "Entity",
    "Rejected",
    "Rules",
    "ScopeModel",
    "apply_push",
    "changes_since",
    "empty",
    "live_record",
    "live_records",
    "move_scope",
    "stored_record",
    "survivor_of",
    "write_changes",
]
