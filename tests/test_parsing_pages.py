"""``page:N`` for ``/ce list`` and ``/ce team``: which page, how many a page, and clear refusals."""

from __future__ import annotations

import pytest

from cebot.domain.parsing import ListRequest, ParseError, parse_list, parse_list_request, parse_page


@pytest.mark.parametrize(("text", "expected"), [
    ("", ListRequest(10, 1)), ("20", ListRequest(20, 1)), ("page:3", ListRequest(10, 3)),
    ("20 page:3", ListRequest(20, 3)), ("page:3 20", ListRequest(20, 3)), ("all page:2", ListRequest(50, 2)),
])
def test_list_takes_a_count_and_a_page(text: str, expected: ListRequest) -> None:
    """``/ce list [n] [page:N]`` in either order; the offset skips the newer pages."""
    assert parse_list_request(text) == expected
    assert parse_list(text) == expected.size
    assert parse_list_request("20 page:3").offset == 40


@pytest.mark.parametrize("text", ["page:x", "page:0", "page:1 page:2", "20 30", "x", "page:", "n:5"])
def test_list_refuses_a_bad_page_or_count_with_the_usage(text: str) -> None:
    """A bad page or count gets a clear answer that shows how to type it."""
    with pytest.raises(ParseError) as err:
        parse_list_request(text)
    assert "/ce list" in err.value.message


@pytest.mark.parametrize(("text", "page"), [("", 1), ("page:4", 4), ("7", 7)])
def test_team_takes_a_page(text: str, page: int) -> None:
    """``/ce team [page:N]`` (a bare number works too)."""
    assert parse_page(text, "team") == page


@pytest.mark.parametrize("text", ["x", "page:0", "1 2", "page:abc"])
def test_team_refuses_anything_else(text: str) -> None:
    """Anything but a page number is refused with the usage of ``/ce team``."""
    with pytest.raises(ParseError) as err:
        parse_page(text, "team")
    assert "/ce team" in err.value.message
