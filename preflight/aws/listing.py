"""A listing read page by page with botocore's paginator, bounded: a reply that keeps giving a new
NextToken (botocore stops only at a repeated one) ends the listing as a malformed reply, and a
caller's deadline ends it between pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

# More pages than any listing here needs: 1,000 pages of AWS's smallest page size (20 accounts) is
# 20,000 accounts, over an organization's quota of 10,000.
MAX_PAGES = 1_000


class EndlessListing(ValueError):
    """A listing of more than MAX_PAGES pages: a reply of another shape than AWS's."""


def items(
    client: Any, operation: str, key: str, stop: Callable[[], bool] | None = None, **arguments: Any
) -> Iterator[Any]:
    """The items under `key` of each page of `operation`. `stop` is asked before each page after the
    first; when it says so, TimeoutError."""
    for number, page in enumerate(client.get_paginator(operation).paginate(**arguments)):
        if number >= MAX_PAGES:
            raise EndlessListing(f"{operation} gave more than {MAX_PAGES:,} pages")
        if number and stop is not None and stop():
            raise TimeoutError(f"{operation} was still listing at the deadline")
        yield from page.get(key, [])
