"""Projects (deal registrations, 项目报备): the gateway's own writes, through the same door as the upstream
ones. Filing takes an idempotency key (the operation runner's, authorized on every call); each change
takes the version the caller read. Every attempt, filing or change, goes to the audit trail."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from gateway import projects as domain
from gateway.errors import GatewayError, NotFound, Reason, RuleViolation, VersionConflict
from gateway.models import Customer
from gateway.session._writes import Writes

__all__ = ["Projects"]

Change = Callable[[domain.Project, str, datetime], tuple[domain.Project, domain.ProjectEvent]]


class Projects(Writes):
    async def file_project(
        self,
        account_id: str,
        customer_id: str,
        *,
        name: str,
        win_rate: Decimal,
        industry: str | None,
        description: str | None,
        key: str | None,
        opportunity_id: str | None = None,
        third_party: bool = False,
        test_project: bool = False,
        bid: bool = False,
    ) -> tuple[domain.Project, bool]:
        """File a project for one of the principal's customers; the project and whether this is a replay.

        An opportunity id another project has is refused (``DUPLICATE_OPPORTUNITY``) and claims nothing."""
        account = self.account(account_id)

        def not_ours() -> RuleViolation:
            # DOMAIN.md: a customer of another partner cannot be filed by this one (nor another owner's).
            return RuleViolation(
                f"{customer_id} is not a customer of {account_id}", Reason.CUSTOMER_OF_ANOTHER_PARTNER, "customerId"
            )

        async def authorize() -> Customer:
            found = await self.customer(account_id, customer_id)
            if found is None:
                raise not_ours()
            return found

        async def file() -> dict[str, Any]:
            found = await authorize()
            project = domain.file_project(
                account_id=account_id,
                provider=account.provider,
                approval_required=account.program.projects_need_approval,
                customer_id=customer_id,
                customer_name=found.name,
                name=name,
                actor=self.principal.name,
                now=datetime.now(UTC),
                win_rate=win_rate,
                industry=industry,
                description=description,
                owner=found.owner,
                opportunity_id=opportunity_id,
                third_party=third_party,
                test_project=test_project,
                bid=bid,
            )
            stored = await self.gateway.store.insert_project(project, self.principal.name)
            return {"projectId": stored.id}

        data: dict[str, Any] = {
            "accountId": account_id,
            "customerId": customer_id,
            "name": name,
            "winRate": str(win_rate),
        }
        # Only what was given: a filing's input reads as it did before these fields existed (same key, same hash).
        data |= {"opportunityId": opportunity_id} if opportunity_id else {}
        flags = {"thirdParty": third_party, "testProject": test_project, "bid": bid}
        data |= {name: True for name, value in flags.items() if value}
        result, replayed = await self.gateway.operations.run_local(
            self.principal, "fileProject", data, key, file, authorize=authorize
        )
        project = await self.gateway.store.get_project(int(result["projectId"]))
        if project is None:
            raise NotFound(f"project {result['projectId']} no longer exists")
        return project, replayed

    async def record_project_approval(
        self, project_id: str, version: int, approved: bool, note: str = ""
    ) -> domain.Project:
        """Record the cloud BD's approval or rejection of a filing."""
        return await self._change(
            "recordProjectApproval",
            project_id,
            version,
            {"approved": approved, "note": note},
            lambda p, who, now: domain.record_approval(p, approved, actor=who, now=now, note=note),
        )

    async def confirm_project(self, project_id: str, version: int) -> domain.Project:
        return await self._change(
            "confirmProject",
            project_id,
            version,
            {},
            lambda p, who, now: domain.confirm_by_customer(p, actor=who, now=now),
        )

    async def advance_project(self, project_id: str, version: int, to: domain.Stage) -> domain.Project:
        return await self._change(
            "advanceProject",
            project_id,
            version,
            {"to": to.value},
            lambda p, who, now: domain.advance(p, to, actor=who, now=now),
        )

    async def close_project_lost(self, project_id: str, version: int, reason: str) -> domain.Project:
        return await self._change(
            "closeProjectLost",
            project_id,
            version,
            {"reason": reason},
            lambda p, who, now: domain.close_lost(p, reason, actor=who, now=now),
        )

    async def set_project_win_rate(self, project_id: str, version: int, win_rate: Decimal) -> domain.Project:
        return await self._change(
            "setProjectWinRate",
            project_id,
            version,
            {"winRate": str(win_rate)},
            lambda p, who, now: domain.set_win_rate(p, win_rate, actor=who, now=now),
        )

    async def link_project_opportunity(self, project_id: str, version: int, opportunity_id: str) -> domain.Project:
        return await self._change(
            "linkProjectOpportunity",
            project_id,
            version,
            {"opportunityId": opportunity_id},
            lambda p, who, now: domain.link_opportunity(p, opportunity_id, actor=who, now=now),
        )

    async def set_project_flags(
        self,
        project_id: str,
        version: int,
        *,
        third_party: bool | None = None,
        test_project: bool | None = None,
        bid: bool | None = None,
    ) -> domain.Project:
        """Change the filing's third-party, test-project and bid flags (``None``: as they are)."""
        flags = {"thirdParty": third_party, "testProject": test_project, "bid": bid}
        return await self._change(
            "setProjectFlags",
            project_id,
            version,
            {name: value for name, value in flags.items() if value is not None},
            lambda p, who, now: domain.set_flags(
                p, third_party=third_party, test_project=test_project, bid=bid, actor=who, now=now
            ),
        )

    async def add_project_configuration(self, project_id: str, version: int, name: str) -> domain.Project:
        """Add a configuration list (配置单) to a project, as a draft."""
        return await self._change(
            "addProjectConfiguration",
            project_id,
            version,
            {"name": name},
            lambda p, who, now: domain.add_configuration(p, name, actor=who, now=now),
        )

    async def set_project_configuration_status(
        self, project_id: str, version: int, number: int, status: domain.ConfigurationStatus
    ) -> domain.Project:
        """Move one of a project's configuration lists to another status."""
        return await self._change(
            "setProjectConfigurationStatus",
            project_id,
            version,
            {"number": number, "status": status.value},
            lambda p, who, now: domain.set_configuration_status(p, number, status, actor=who, now=now),
        )

    async def _change(
        self, operation: str, project_id: str, version: int, data: dict[str, Any], change: Change
    ) -> domain.Project:
        """Apply one rule-checked change to a project the principal sees, if ``version`` is still current."""
        started = time.monotonic()
        attempt = {"projectId": project_id, "version": version, **data}
        account_id = None
        try:
            project = await self.project(project_id)
            if project is None:
                raise RuleViolation(f"no project {project_id}", Reason.NOT_FOUND, "projectId")
            account_id = project.account_id
            if project.version != version:
                raise VersionConflict(
                    f"project {project.id} is at version {project.version}, not {version}: read it again"
                )
            updated, event = change(project, self.principal.name, datetime.now(UTC))
            events = domain.notifications(project, updated, event)
            saved = await self.gateway.store.save_project(updated, event, events=events)
        except GatewayError as exc:
            outcome = "CONFLICT" if isinstance(exc, VersionConflict) else "REJECTED"
            await self._audit(operation, account_id, attempt, outcome, started, error=exc)
            raise
        await self._audit(operation, account_id, attempt, "SUCCEEDED", started)
        return saved
