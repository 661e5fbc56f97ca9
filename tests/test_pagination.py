from __future__ import annotations

import pytest

from gateway.errors import InvalidInput
from gateway.models import Customer, Page, PartnerAccount, PartnerRole
from gateway.pagination import MAX_PAGE_SIZE, Fetch, Position, merged_window
from tests.fakes import FakeProvider, make_customers

pytestmark = pytest.mark.anyio


def providers(*counts: int, short_pages: int | None = None) -> dict[str, FakeProvider]:
    result = {}
    for n, count in enumerate(counts):
        account = PartnerAccount(f"acct-{n}", "fake", f"Account {n}", PartnerRole.DISTRIBUTOR, "https://x.invalid")
        result[account.id] = FakeProvider(account, make_customers(account.id, count), short_pages=short_pages)
    return result


def fetcher(by_id: dict[str, FakeProvider]) -> Fetch[Customer]:
    async def fetch(account_id: str, offset: int, limit: int) -> Page[Customer]:
        return await by_id[account_id].list_customers(offset, limit)

    return fetch


async def walk(by_id: dict[str, FakeProvider], first: int) -> list[str]:
    seen: list[str] = []
    after = None
    for _ in range(100):
        window = await merged_window(list(by_id), fetcher(by_id), first, after)
        assert window.total == sum(len(p.customers) for p in by_id.values())
        seen.extend(item.native_id for _, item in window.items)
        if not window.has_next_page:
            return seen
        after = window.items[-1][0].cursor()
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("first", [1, 7, 20, 33, 100])
async def test_walking_every_page_sees_every_customer_once_in_order(first: int) -> None:
    by_id = providers(23, 0, 41, 5)
    expected = [c.native_id for p in by_id.values() for c in p.customers]
    assert await walk(by_id, first) == expected


async def test_an_upstream_short_page_is_resumed_not_skipped() -> None:
    by_id = providers(30, 30, short_pages=7)
    expected = [c.native_id for p in by_id.values() for c in p.customers]
    assert await walk(by_id, 20) == expected


async def test_accounts_before_the_cursor_are_asked_only_for_their_total() -> None:
    by_id = providers(10, 10)

    after = Position("acct-1", 2).cursor()
    window = await merged_window(list(by_id), fetcher(by_id), 5, after)
    assert [item.native_id for _, item in window.items] == [f"acct-1-{n}" for n in range(3, 8)]
    assert by_id["acct-0"].calls == [(0, 0)]
    assert by_id["acct-1"].calls == [(3, 5)]
    assert window.has_previous_page
    assert window.has_next_page


async def test_last_page_has_no_next_page() -> None:
    by_id = providers(3, 2)

    window = await merged_window(list(by_id), fetcher(by_id), 5, None)
    assert len(window.items) == 5
    assert not window.has_next_page
    assert not window.has_previous_page


@pytest.mark.parametrize(
    ("first", "after", "field"),
    [
        (0, None, "first"),
        (MAX_PAGE_SIZE + 1, None, "first"),
        (-3, None, "first"),
        (5, "not base64!", "after"),
        (5, Position("acct-0", 1).cursor()[:-2], "after"),
        (5, Position("no-such-account", 1).cursor(), "after"),
    ],
)
async def test_bad_arguments_are_typed_input_errors(first: int, after: str | None, field: str) -> None:
    by_id = providers(3)

    with pytest.raises(InvalidInput) as caught:
        await merged_window(list(by_id), fetcher(by_id), first, after)
    assert caught.value.field == field
