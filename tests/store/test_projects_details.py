"""Projects' filing details in the store, on SQLite and on the real PostgreSQL server: flags and configuration
lists round-trip, one project per upstream opportunity across two stores on one database (two gateway
processes), and migration step 4 over a store that already holds two projects of one opportunity."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.errors import ProjectRefusal, ProjectRuleViolation
from gateway.projects import ConfigurationStatus, Project, add_configuration, file_project, link_opportunity
from gateway.store import Store, open_store
from gateway.store._migrations import MIGRATIONS, migrate
from tests.store.conftest import T0, Place

pytestmark = pytest.mark.anyio


def filing(n: int, *, provider: str = "aliyun", opportunity: str | None = None, **flags: bool) -> Project:
    return file_project(
        account_id=f"{provider}-a",
        provider=provider,
        approval_required=provider == "aliyun",
        customer_id=f"c{n}",
        customer_name=f"客户 {n}",
        name=f"Project {n}",
        actor="admin",
        now=T0 + timedelta(minutes=n),
        win_rate=Decimal(20),
        opportunity_id=opportunity,
        **flags,
    )


async def test_flags_and_configuration_lists_round_trip(store: Store) -> None:
    project = await store.insert_project(filing(1, third_party=True, bid=True), "admin")
    assert (project.third_party, project.test_project, project.bid, project.configurations) == (True, False, True, ())
    assert await store.get_project(project.id) == project
    added, event = add_configuration(project, "ECS 配置单", actor="li", now=T0 + timedelta(hours=1))
    await store.save_project(added, event)
    stored = await store.get_project(project.id)
    assert stored == added
    assert stored is not None
    [configuration] = stored.configurations
    assert (configuration.number, configuration.status, configuration.created_at) == (
        1,
        ConfigurationStatus.DRAFT,
        T0 + timedelta(hours=1),
    )


async def test_one_project_per_opportunity_across_two_stores_on_one_database(place: Place) -> None:
    stores = [await open_store(place.url, **place.options) for _ in range(2)]
    try:
        results = await asyncio.gather(
            *(s.insert_project(filing(n, opportunity="202611220001"), "admin") for n, s in enumerate(stores)),
            return_exceptions=True,
        )
        won = [r for r in results if isinstance(r, Project)]
        lost = [r for r in results if isinstance(r, ProjectRuleViolation)]
        assert (len(won), len(lost)) == (1, 1), results
        assert (lost[0].reason, lost[0].field) == (ProjectRefusal.DUPLICATE_OPPORTUNITY, "opportunityId")
        # Unlinked projects are as many as wanted; the same id at another provider is another opportunity.
        free = [await stores[1].insert_project(filing(n), "admin") for n in (3, 4)]
        await stores[0].insert_project(filing(5, provider="huaweicloud", opportunity="202611220001"), "admin")
        # Linking a taken opportunity is refused, and leaves the project as it was.
        linked, event = link_opportunity(free[0], "202611220001", actor="li", now=T0 + timedelta(hours=1))
        with pytest.raises(ProjectRuleViolation) as refused:
            await stores[1].save_project(linked, event)
        assert refused.value.reason is ProjectRefusal.DUPLICATE_OPPORTUNITY
        assert await stores[0].get_project(free[0].id) == free[0]
        assert [e.kind for e in await stores[0].project_events(free[0].id)] == ["FILED"]
        other, event = link_opportunity(free[0], "202611220009", actor="li", now=T0 + timedelta(hours=1))
        assert (await stores[1].save_project(other, event)).opportunity_id == "202611220009"
    finally:
        for s in stores:
            await s.close()


async def test_step_4_keeps_the_oldest_link_of_an_opportunity_and_unlinks_the_others(place: Place) -> None:
    engine = create_async_engine(place.url, **place.options)
    try:
        assert await migrate(engine, MIGRATIONS[:3]) == [1, 2, 3]
        rows = [
            ("aliyun", "202611220001"),  # 1: keeps it
            ("aliyun", None),  # 2
            ("aliyun", "202611220001"),  # 3: unlinked
            ("huaweicloud", "202611220001"),  # 4: another provider's opportunity: keeps it
        ]
        async with engine.begin() as conn:
            for n, (provider, opportunity) in enumerate(rows, 1):
                await conn.execute(
                    sa.text(
                        "INSERT INTO projects (account_id, provider, customer_id, customer_name, name, stage, status,"
                        " win_rate, approval, customer_confirmed, opportunity_id, created_by, created_at, updated_at,"
                        " version) VALUES ('a', :provider, :customer, '客户', :name, 'POTENTIAL_OPPORTUNITY',"
                        " 'IN_PROGRESS', '10', 'PENDING', :confirmed, :opportunity, 'admin', :at, :at, 1)"
                    ).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),
                    {
                        "provider": provider,
                        "customer": f"c{n}",
                        "name": f"P{n}",
                        "confirmed": False,
                        "opportunity": opportunity,
                        "at": T0,
                    },
                )
    finally:
        await engine.dispose()

    store = await open_store(place.url, **place.options)
    try:
        projects = [await store.get_project(n) for n in range(1, 5)]
        assert all(p is not None for p in projects)
        one, two, three, four = (p for p in projects if p is not None)
        assert [p.opportunity_id for p in (one, two, three, four)] == ["202611220001", None, None, "202611220001"]
        assert [p.version for p in (one, two, three, four)] == [1, 1, 2, 1]
        assert all(
            (p.third_party, p.test_project, p.bid, p.configurations) == (False, False, False, ()) for p in projects if p
        )
        [event] = await store.project_events(three.id)
        assert (event.kind, event.actor, event.detail) == (
            "UNLINKED",
            "gateway (store migration 4)",
            "202611220001 is project 1's",
        )
        with pytest.raises(ProjectRuleViolation):
            await store.insert_project(filing(9, opportunity="202611220001"), "admin")
        relinked = replace(three, opportunity_id="202611220002", version=3)
        _, event = link_opportunity(three, "202611220002", actor="li", now=T0)
        assert (await store.save_project(relinked, event)).opportunity_id == "202611220002"
    finally:
        await store.close()
