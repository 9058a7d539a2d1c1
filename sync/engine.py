"""The engine as the server configures it: its entities, its scope model and its hooks."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .entity import Entity, Rules, conflicts_entity, history_entity


@dataclass(frozen=True)
class Actor:
    """The signed-in user and the device they push from.

    ``sees_everything`` is decided by the server (which roles see every scope root);
    everyone else sees the roots they own, those of their team and those they are members of.
    ``reads_private`` lets them read every private record, not only their own.
    ``pulled_seq`` is a feed position the device is known to have pulled past (the server
    keeps it), which ends the grace of writes made before a loss of scope.
    """

    user_id: str
    role: str
    team: str | None
    device_id: str
    sees_everything: bool = False
    reads_private: bool = False
    pulled_seq: int = 0


@dataclass
class ScopeModel:
    """How records are grouped for reading: each record goes with one scope root.

    ``root`` is the entity every scoped record points at through its ``field``; the root's
    ``owner_field``/``team_field`` and the ``membership`` entity (whose ``owner_field`` names
    the member) decide who sees it. ``watchers`` answers which scope-limited users see a root
    (its data and its members' ids), for the feed's scope events; it may read only those
    fields, the ``decisive_fields`` and the members (roots alike in them are asked once).
    ``pending`` is the value of the membership's ``team_field`` that marks one granting nothing
    yet (read from the indexed column, in SQL and in Python alike). A member always reads their own membership records,
    granted or not. A change of a ``decisive_fields`` field of a root or membership is
    a scope change; ``out_of_scope`` is the message of a refused write.
    ``redirect_field`` names a root field the server sets when it merges one root into another:
    later upserts naming the merged root (as their record or as their scope field) are applied
    to the root it names, also after its tombstone is compacted.
    """

    root: str
    membership: str
    watchers: Callable[[object, dict, set], set]
    field: str = "scope_id"
    out_of_scope: str = "this record is not in your scope"
    decisive_fields: frozenset = frozenset()
    pending: str | None = None
    redirect_field: str | None = None

    def grants(self, membership_team: str | None) -> bool:
        """Whether a membership whose ``team_field`` holds this value grants its root."""
        return self.pending is None or membership_team != self.pending


@dataclass
class Engine:
    """Everything the engine needs to know about the server's data, handed to every call."""

    entities: dict[str, Entity]
    scope: ScopeModel
    order: list[str]
    records_written: list[Callable] = field(default_factory=list)
    # The entities a prioritised first pull sends before the rest, in this order (parents first):
    # what a device needs to list and search its scope while the history streams in.
    first: list[str] = field(default_factory=list)
    # Statements built once for this engine, keyed by what their shape depends on (their
    # values are bound parameters): building one costs more CPU than a small request's query.
    statements: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        entities: Iterable[Entity],
        scope: ScopeModel,
        records_written: Iterable[Callable] = (),
        conflict_rules: Iterable[Rules] = (),
        first: Iterable[str] = (),
    ) -> "Engine":
        """Register ``entities`` (parents first) plus the engine's own."""
        all_ = list(entities) + [conflicts_entity(conflict_rules), history_entity()]
        by_name = {e.name: e for e in all_}
        for entity in all_:
            entity.scope_field = scope.field if entity.scoped and entity.name != scope.root else None
        if scope.redirect_field is not None:
            root = by_name[scope.root]
            root.kept_when_compacted = root.kept_when_compacted | {scope.redirect_field}
        assert len(by_name) == len(all_), "two entities share a name"
        for entity in all_:
            for target in entity.references.values():
                assert target in by_name, f"{entity.name} refers to unknown {target}"
        order = [e.name for e in all_]
        assert set(first) <= set(order), "a first entity is not registered"
        first_ = [name for name in order if name in set(first)]
        return cls(by_name, scope, order, list(records_written), first_)

    def entity(self, name: str) -> Entity:
        return self.entities[name]
