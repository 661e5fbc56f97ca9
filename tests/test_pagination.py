from __future__ import annotations

import pytest

from gateway.errors import InvalidInput
from gateway.models import Customer, Page, PartnerAccount
from gateway.pagination import MAX_PAGE_SIZE, Fetch, MergedList, Position
from tests.support.fakes import FAKE_PROGRAM, FakeProvider, make_customers, unavailable

pytestmark = pytest.mark.anyio


def providers(*counts: int, short_pages: int | None = None) -> dict[str, FakeProvider]:
    result = {}
    for n, count in enumerate(counts):
        account = PartnerAccount(f"acct-{n}", "fake", f"Account {n}", "distributor", "https://x.invalid", FAKE_PROGRAM)
        result[account.id] = FakeProvider(account, make_customers(account.id, count), short_pages=short_pages)
    return result


def fetcher(by_id: dict[str, FakeProvider]) -> Fetch[Customer]:
    async def fetch(account_id: str, offset: int, limit: int) -> Page[Customer]:
        return await by_id[account_id].list_customers(offset, limit)

    return fetch


def merged(by_id: dict[str, FakeProvider], predicate: object = None, **kwargs: object) -> MergedList[Customer]:
    return MergedList("k", list(by_id), fetcher(by_id), predicate, **kwargs)  # type: ignore[arg-type]


async def walk(by_id: dict[str, FakeProvider], first: int, predicate: object = None) -> list[str]:
    seen: list[str] = []
    after = None
    for _ in range(200):
        listing = merged(by_id, predicate, scan_chunk=7)
        window = await listing.window(first, after)
        seen.extend(item.native_id for _, item in window.items)
        if not window.has_next_page:
            return seen
        after = window.items[-1][0].cursor(listing.key)
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("first", [1, 7, 20, 33, 100])
async def test_walking_every_page_sees_every_customer_once_in_order(first: int) -> None:
    by_id = providers(23, 0, 41, 5)
    expected = [c.native_id for p in by_id.values() for c in p.customers]
    assert await walk(by_id, first) == expected
    assert await merged(by_id).count() == 69


async def test_an_upstream_short_page_is_resumed_not_skipped() -> None:
    by_id = providers(30, 30, short_pages=7)
    expected = [c.native_id for p in by_id.values() for c in p.customers]
    assert await walk(by_id, 20) == expected


@pytest.mark.parametrize("first", [1, 4, 9, 50])
async def test_a_filtered_walk_resumes_exactly_across_upstream_pages(first: int) -> None:
    by_id = providers(23, 40, 5)

    def owned_by_li(customer: Customer) -> bool:
        return customer.owner == "li"

    expected = [c.native_id for p in by_id.values() for c in p.customers if owned_by_li(c)]
    assert await walk(by_id, first, owned_by_li) == expected
    assert await merged(by_id, owned_by_li, scan_chunk=7).count() == len(expected)


async def test_only_accounts_from_the_cursor_on_are_asked() -> None:
    by_id = providers(10, 10)
    listing = merged(by_id)
    window = await listing.window(5, Position("acct-1", 2).cursor(listing.key))
    assert [item.native_id for _, item in window.items] == [f"acct-1-{n}" for n in range(3, 8)]
    assert by_id["acct-0"].calls == []
    assert by_id["acct-1"].calls == [(3, 5)]
    assert window.has_previous_page
    assert window.has_next_page
    assert await listing.count() == 20
    assert by_id["acct-0"].calls == [(0, 0)]  # total only, and only when asked for


async def test_a_failing_account_is_skipped_and_reported() -> None:
    by_id = providers(3, 4, 5)
    by_id["acct-1"].fail_with = unavailable("acct-1")
    listing = merged(by_id)
    window = await listing.window(20, None)
    assert [item.native_id for _, item in window.items] == [f"acct-0-{n}" for n in range(3)] + [
        f"acct-2-{n}" for n in range(5)
    ]
    [failure] = window.failures
    assert failure.account_id == "acct-1"
    assert failure.error.upstream_code == "ServiceUnavailable"
    assert await listing.count() == 8


async def test_last_page_has_no_next_page() -> None:
    by_id = providers(3, 2)
    window = await merged(by_id).window(5, None)
    assert len(window.items) == 5
    assert not window.has_next_page
    assert not window.has_previous_page


@pytest.mark.parametrize(
    ("first", "after", "message"),
    [
        (0, None, "first must be between"),
        (MAX_PAGE_SIZE + 1, None, "first must be between"),
        (-3, None, "first must be between"),
        (5, "not base64!", "malformed cursor"),
        (5, Position("acct-0", 1).cursor("k")[:-3], "malformed cursor"),
        (5, Position("acct-0", 1).cursor("another-list"), "belongs to another list"),
        (5, Position("no-such-account", 1).cursor("k"), "not in this list"),
    ],
)
async def test_bad_arguments_are_typed_input_errors(first: int, after: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        await merged(providers(3)).window(first, after)
