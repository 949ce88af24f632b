"""Counting the SQL queries of a page, for the tests that prove a page's cost does not grow with the data."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url, params=None, **kwargs) -> int:
    """The queries of one GET of `url`, after a first request (which also stores the current cité)."""
    client.get(url, params, **kwargs)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, **kwargs)
    assert response.status_code == 200
    return len(queries)
