"""Every setting, read from the environment with a safe default (listed in the README)."""

import os

from server.core.calendar import parse_targets
from server.deals.follow_up import parse_follow_up
from server.load.capacity import parse_weights


def env_int(name, default):
    return int(os.environ.get(name, default))


class Config:
    def __init__(self, instance_path):
        data_dir = os.environ.get("GENBA_DATA_DIR", instance_path)
        # Werkzeug's method string; scrypt is slow by design, the tests use a cheap one.
        self.PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{os.path.join(data_dir, 'genba.sqlite3')}"
        )
        self.GENBA_DATA_DIR = data_dir
        self.SQLITE_BUSY_TIMEOUT_MS = env_int("SQLITE_BUSY_TIMEOUT_MS", 10000)
        self.MAX_CONTENT_LENGTH = env_int("MAX_REQUEST_BYTES", 5 * 1024 * 1024)
        self.MAX_PUSH_MUTATIONS = env_int("MAX_PUSH_MUTATIONS", 500)
        self.PULL_LIMIT_DEFAULT = env_int("PULL_LIMIT_DEFAULT", 500)
        self.PULL_LIMIT_MAX = env_int("PULL_LIMIT_MAX", 2000)
        self.TOMBSTONE_DAYS = env_int("TOMBSTONE_DAYS", 90)
        self.TOKEN_IDLE_DAYS = max(env_int("TOKEN_IDLE_DAYS", 90), self.TOMBSTONE_DAYS)
        self.CLOCK_SKEW_LIMIT_MS = env_int("CLOCK_SKEW_LIMIT_HOURS", 24) * 3600 * 1000
        self.MIN_PROTOCOL_VERSION = env_int("MIN_PROTOCOL_VERSION", 1)
        self.SERVER_NODE = os.environ.get("SERVER_NODE", "server")
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
        # Shared state lives in shared engines: with REDIS_URL every node counts sign-ins together.
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
        self.RESPONSE_TARGET_DAYS = parse_targets(
            os.environ.get("RESPONSE_TARGET_DAYS", "high=1,normal=3,low=10")
        )
        # The largest photo or file the attachment content endpoint takes.
        self.MAX_ATTACHMENT_BYTES = env_int("MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
        # Where attachment bytes live: file:///path or s3://bucket/prefix (shared by every node).
        # (None: the attachments folder of GENBA_DATA_DIR)
        self.ATTACHMENT_STORAGE = os.environ.get("ATTACHMENT_STORAGE") or None
        self.S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
        self.AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
        self.AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
        self.AWS_DEFAULT_REGION = os.environ.get("AWS_DEFAULT_REGION") or None
        # Unfinished uploads untouched this long are deleted by `genba compact`.
        self.STALE_UPLOAD_DAYS = env_int("STALE_UPLOAD_DAYS", 7)
        # When an open deal needs following up (the ball with us, with the customer, idle).
        self.FOLLOW_UP_DAYS = parse_follow_up(os.environ.get("FOLLOW_UP_DAYS", "ours=3,customer=14,idle=30"))
        # Trust: writes after a loss of scope, proxies, image and sign-in limits.
        self.SCOPE_GRACE_DAYS = env_int("SCOPE_GRACE_DAYS", 7)
        self.TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
        self.MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
        self.ADDRESS_RATE_LIMIT = os.environ.get("ADDRESS_RATE_LIMIT", "100 per hour")
        # Database errors never carry record contents into the logs. Connections are pinged
        # only after sitting idle (server.core.db.ping_when_idle), not at every checkout.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}
        # Background jobs: a claim held longer than the lease is taken over by another worker.
        self.JOB_LEASE_SECONDS = float(os.environ.get("JOB_LEASE_SECONDS", 300))
        self.JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 5)
        self.JOB_POLL_SECONDS = float(os.environ.get("JOB_POLL_SECONDS", 1))
        # Past-quote database: the editable synonym list (None: server/quotes/synonyms.txt).
        # Factory load: how much unconfirmed load counts, and how full a week may get by an order.
        self.LOAD_WEIGHTS = parse_weights(os.environ.get("LOAD_WEIGHTS", "likely=0.6,possible=0.3"))
        self.LOAD_LIMIT = float(os.environ.get("LOAD_LIMIT", "0.9"))
        # The company on printed reports: set once by whoever deploys (an admin), like the URL.
        self.COMPANY_NAME = os.environ.get("COMPANY_NAME", "株式会社 現場製作所")
        self.COMPANY_ADDRESS = os.environ.get("COMPANY_ADDRESS", "")
        self.COMPANY_PHONE = os.environ.get("COMPANY_PHONE", "")
        self.COMPANY_LOGO = os.environ.get("COMPANY_LOGO") or None
        self.QUOTE_SYNONYMS_FILE = os.environ.get("QUOTE_SYNONYMS_FILE") or None
