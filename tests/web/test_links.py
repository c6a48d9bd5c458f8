"""Every link a user is shown leads somewhere they may go.

Given each role signed in on the test city
When they follow every link of every page they reach from the home page (each kind of address a few times)
Then no link answers 403 (a page that offers what its reader may not see), 404 or an error.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.web.conftest import ROLES

#: Each kind of address (the path with its numbers as N, and the names of its query) is followed this often.
PER_KIND = 3
#: The most pages one role's walk reads.
MOST = 250


def _kind(href: str) -> str:
    parts = urlsplit(href)
    return re.sub(r"\d+", "N", parts.path) + "?" + ",".join(sorted(k for k, _ in parse_qsl(parts.query)))


def _followed(href: str) -> bool:
    return href.startswith("/") and not href.startswith(("/static/", "/admin/", "/accounts/logout"))


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_link_leads_where_its_reader_may_not_go(client_as, role: str) -> None:
    client = client_as(role)
    queue, seen, kinds, broken = ["/"], set(), Counter(), []
    while queue and len(seen) < MOST:
        href = queue.pop(0).split("#")[0]
        if href in seen or kinds[_kind(href)] >= PER_KIND:
            continue
        seen.add(href)
        kinds[_kind(href)] += 1
        response = client.get(href, follow=True)
        if response.status_code != 200:
            broken.append((href, response.status_code))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = BeautifulSoup(response.content, "html.parser")
        main = page.select_one("#main-content") or page
        queue.extend(a["href"] for a in [*page.select("header a[href], footer a[href]"), *main.select("a[href]")])
        queue[:] = [h for h in queue if _followed(h)]
    assert len(seen) > 5, seen  # the walk went somewhere
    assert not broken, f"{role} is offered links that answer: {broken}"
