"""What the invited customer does outside the API: register through the link (and pass real-name
verification), after which the account is associated with the partner (DOMAIN.md, seed 000)."""

from __future__ import annotations

from decimal import Decimal

from adapters.aliyun.simulator._records import SubPartner
from adapters.aliyun.simulator._state import EndAccount, Invitation, InvitationStatus, PartnerState, SimulatorState

__all__ = ["RegistrationError", "register"]


class RegistrationError(Exception):
    """The registration page refuses: ``status`` is the control endpoint's HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _find(state: SimulatorState, invite_id: int) -> tuple[PartnerState, Invitation]:
    for partner in state.partners.values():
        invitation = partner.invitation(invite_id)
        if invitation is not None:
            return partner, invitation
    raise RegistrationError(404, "InvitationNotFound", f"No invitation {invite_id}.")


def register(state: SimulatorState, invite_id: int, *, uid: int | None = None) -> EndAccount:
    """Register through invitation ``invite_id``: a new Aliyun account, or (agency and T2 invitations
    only) the existing account ``uid``. Consignment (代销) accounts have no identity of their own
    (DOMAIN.md), so they are always new accounts under the partner."""
    with state.lock:
        partner, invitation = _find(state, invite_id)
        now = state.now()
        status = invitation.status(now)
        if status is InvitationStatus.ASSOCIATED:
            raise RegistrationError(409, "InvitationUsed", "This invitation has already been used to register.")
        if status is InvitationStatus.EXPIRED:
            raise RegistrationError(410, "InvitationExpired", "The registration link has expired (72 hours).")
        if uid is not None and invitation.sub_account_type == 2:
            raise RegistrationError(
                409, "ConsignmentNeedsNewAccount", "A consignment account cannot be an existing Aliyun account."
            )
        owner = state.owner_of(email=invitation.email, uid=uid)
        if owner is not None:
            raise RegistrationError(
                409, "AccountBelongsToAnotherPartner", "The account already belongs to a partner and cannot be taken."
            )
        filing = partner.filing(invitation.cid) if invitation.cid is not None else None
        user_type = 3 if invitation.reseller else (1 if filing is not None and filing.individual else 2)
        login = invitation.email.split("@", 1)[0]
        account = EndAccount(
            uid=uid if uid is not None else state.next_id(),
            cid=invitation.cid if invitation.cid is not None else state.next_id(),
            user_type=user_type,
            nickname=invitation.nickname,
            aliyun_id=f"{login}@aliyun.com",
            email=invitation.email,
            mobile="",
            sub_account_type=invitation.sub_account_type,
            customer_account_type=1,
            enterprise_certified=1 if user_type != 1 else 0,
            customer_bd=invitation.customer_bd,
            new_buy_status=invitation.new_buy_status,
            delay_status="normal",
            delay_amount=Decimal("0.00"),
            associated_at=now,
            register_country_code=invitation.register_nation,
            remark=invitation.remark,
            credit_line=invitation.credit_line,
            shutdown_policy=invitation.shutdown_policy,
            invite_id=invitation.invite_id,
        )
        partner.accounts.append(account)
        invitation.uid = account.uid
        invitation.associated_at = now
        if user_type == 3:
            partner.sub_partners.append(
                SubPartner(
                    f"P{account.uid % 10**10}",
                    account.nickname,
                    account.uid,
                    account.aliyun_id,
                    invitation.customer_bd,
                    "1",
                    "已签约",
                    now,
                    "",
                    "",
                    "",
                    "",
                )
            )
        return account
