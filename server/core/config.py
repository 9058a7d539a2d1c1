"""Every setting, read from the environment with a safe default (listed in the README)."""
import os

from server.core.calendar import parse_targets
from server.deals.follow_up import parse_follow_up


def env_int(name, default):
    return int(os.environ.get(name, default))


class Config:
    def __init__(self, instance_path):
        data_dir = os.environ.get("GENBA_DATA_DIR", instance_path)
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{os.path.join(data_dir, 'genba.sqlite3')}")
        self.GENBA_DATA_DIR = data_dir
        self.SQLITE_BUSY_TIMEOUT_MS = env_int("SQLITE_BUSY_TIMEOUT_MS", 30000)
        self.MAX_CONTENT_LENGTH = env_int("MAX_REQUEST_BYTES", 5 * 1024 * 1024)
        self.MAX_PUSH_MUTATIONS = env_int("MAX_PUSH_MUTATIONS", 500)
        self.PULL_LIMIT_DEFAULT = env_int("PULL_LIMIT_DEFAULT", 500)
        self.PULL_LIMIT_MAX = env_int("PULL_LIMIT_MAX", 2000)
        self.TOMBSTONE_DAYS = env_int("TOMBSTONE_DAYS", 90)
        self.TOKEN_IDLE_DAYS = max(env_int("TOKEN_IDLE_DAYS", 90), self.TOMBSTONE_DAYS)
        self.CLOCK_SKEW_LIMIT_MS = env_int("CLOCK_SKEW_LIMIT_HOURS", 24) * 3600 * 1000
        self.MIN_PROTOCOL_VERSION = env_int("MIN_PROTOCOL_VERSION", 1)
        self.SERVER_NODE = os.environ.get("SERVER_NODE", "server")
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
        self.RESPONSE_TARGET_DAYS = parse_targets(
            os.environ.get("RESPONSE_TARGET_DAYS", "high=1,normal=3,low=10"))
        # attachments (issue 8): the largest photo or file the content endpoint takes
        self.MAX_ATTACHMENT_BYTES = env_int("MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
        # Deals, ball and follow-up (issue 6)
        self.FOLLOW_UP_DAYS = parse_follow_up(
            os.environ.get("FOLLOW_UP_DAYS", "ours=3,customer=14,idle=30"))
        # Background jobs: a claim held longer than the lease is taken over by another worker.
        self.JOB_LEASE_SECONDS = float(os.environ.get("JOB_LEASE_SECONDS", 300))
        self.JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 5)
        self.JOB_POLL_SECONDS = float(os.environ.get("JOB_POLL_SECONDS", 1))
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # Past-quote database: the editable synonym list (None: server/quotes/synonyms.txt).
        self.QUOTE_SYNONYMS_FILE = os.environ.get("QUOTE_SYNONYMS_FILE") or None
