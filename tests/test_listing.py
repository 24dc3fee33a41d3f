"""A listing that never ends: botocore's paginator stops only at a repeated NextToken, so a reply that
gives a new one each page would page for ever. A stand-in for botocore's client gives such pages."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from preflight.aws.listing import MAX_PAGES, EndlessListing, items


class EndlessPages:
    """botocore's client as far as a listing uses it: a paginator whose pages never end."""

    def __init__(self) -> None:
        self.pages = 0

    def get_paginator(self, operation: str) -> EndlessPages:
        return self

    def paginate(self, **arguments: Any) -> Iterator[dict[str, Any]]:
        for number in itertools.count():
            self.pages += 1
            yield {"ConfigRules": [{"ConfigRuleName": f"rule-{number}"}], "NextToken": f"token-{number}"}


def test_a_listing_of_more_pages_than_any_reply_has_is_a_malformed_reply() -> None:
    client = EndlessPages()
    with pytest.raises(EndlessListing, match="describe_config_rules gave more than 1,000 pages"):
        list(items(client, "describe_config_rules", "ConfigRules"))
    assert client.pages == MAX_PAGES + 1
    assert isinstance(EndlessListing("x"), ValueError)  # the online checks' "malformed reply from AWS"


def test_a_deadline_ends_a_listing_between_pages() -> None:
    client = EndlessPages()
    asked = iter([False, False, True])
    found: list[str] = []
    with pytest.raises(TimeoutError, match="describe_config_rules was still listing at the deadline"):
        for rule in items(client, "describe_config_rules", "ConfigRules", lambda: next(asked)):
            found.append(rule["ConfigRuleName"])
    assert found == ["rule-0", "rule-1", "rule-2"]
