"""The test devices' common part: their protocol moves are the reference client's
(``sync.client.Client``), so tests speak the wire contract through one implementation."""

from sync.client import Client


class WireDevice:
    """A signed-in device of one user, driven by a reference client over ``transport``."""

    def __init__(self, transport, login, password, device_id=None, name="test", **clock):
        self.wire = Client(transport, login, password, device_id, device_name=name, **clock)
        self.sign_in()

    def sign_in(self, password=None):
        if password is not None:
            self.wire.password = password
        self.wire.sign_in()

    @property
    def id(self):
        return self.wire.device_id

    @property
    def login(self):
        return self.wire.login

    @property
    def token(self):
        return self.wire.token

    @property
    def user(self):
        return self.wire.user

    @property
    def cursor(self):
        """Where the next ``sync`` pulls from (``None``: the whole scope)."""
        return self.wire.replica.cursor

    @cursor.setter
    def cursor(self, value):
        self.wire.replica.cursor = value

    def hlc(self):
        return self.wire.tick()

    def mutation(self, entity, record_id=None, op="upsert", base_version=None, **changes):
        return self.wire.mutation(entity, record_id, op, base_version, **changes)

    def sync(self, limit=None):
        """Pull until ``has_more`` is false from the device's cursor; return the changes."""
        return self.wire.pull(limit)
