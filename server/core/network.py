"""Where a request comes from: the peer, or the client a trusted proxy names."""

from flask import current_app, request


def client_address():
    """The client's address; ``X-Forwarded-For`` counts only behind ``TRUSTED_PROXIES`` proxies.

    Each trusted proxy appends the address it saw, so the client is the entry that many places
    from the end; anything before it was written by the client and proves nothing.
    """
    proxies = current_app.config["TRUSTED_PROXIES"]
    if proxies > 0:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies][:64]
    return request.remote_addr or "unknown"
