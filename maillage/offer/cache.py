"""The cache of the public pages (home, search, cité, activity, .ics, sitemap).

Anonymous visitors are served the page stored in `caches["public"]` (files shared by every server process in
production), keyed by the day, the host, the full path with its query string, and whether htmx asked for a
fragment.
Signed-in visitors always get a fresh page: their header names them; so does a visitor with a message waiting.
`maillage.offer.signals` empties the cache whenever the offer changes, so the public never sees stale data;
browsers and proxies may keep a page one minute.
"""

import hashlib
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connection, transaction
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

BROWSER_MAX_AGE = 60  # seconds


def public_cache():
    return caches["public"]


def is_fragment(request) -> bool:
    """htmx asked for the results only (a history restore asks for the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def cache_key(request) -> str:
    """Today's date is part of the key: "this week" and the first session of an .ics start from today."""
    raw = f"{timezone.localdate()}|{request.get_host()}|{request.get_full_path()}|{int(is_fragment(request))}"
    return "offer-page:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_public_page(view):
    """Serve `view` from the public cache to anonymous GET (and HEAD) requests; store its 200 answers."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated or len(get_messages(request)):
            return view(request, *args, **kwargs)  # a message is for one visitor only: not for the cache
        key = cache_key(request)
        response = public_cache().get(key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:  # no one's cookie
            if hasattr(response, "render"):
                response.render()  # a TemplateResponse (the sitemap) is stored with its content
            patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
            patch_vary_headers(response, ["HX-Request"])
            public_cache().set(key, response)
        return response

    return wrapper


def clear_public_cache() -> None:
    """Empty the cache now and, inside a transaction, again once it commits: a page rendered by another
    process between the two would otherwise keep the data from before the change."""
    public_cache().clear()
    if connection.in_atomic_block:
        transaction.on_commit(public_cache().clear, robust=True)
