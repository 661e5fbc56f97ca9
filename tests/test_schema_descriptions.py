"""Every type and field the rest of both partner APIs brought into the graph (issue #12) is described in the schema:
what a front-end developer reads in GraphiQL and in `schema.graphql`. A type or field added without a description
fails here."""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

from gateway.schema import build_schema

SCHEMA = build_schema()._schema

#: The types of issue #12 (consumption, program standing, credit controls, voucher templates and applications,
#: commissions and bills, Huawei's vouchers log, tags, policies, catalogue and subscription prices, reseller
#: movements, bulk resend, project details), with their connections.
TYPES = [
    "ApprovalStatus",
    "BatchItemStatus",
    "BillFile",
    "BillFileKind",
    "CatalogueEntry",
    "CatalogueKind",
    "CommissionableProduct",
    "CommissionableProductConnection",
    "CommissionableProductEdge",
    "ConfigurationStatus",
    "Consumption",
    "ConsumptionChange",
    "ConsumptionComparison",
    "ConsumptionFigure",
    "ConsumptionPoint",
    "ConsumptionSource",
    "CreditControls",
    "CreditRecord",
    "CreditRecordConnection",
    "CreditRecordEdge",
    "CreditRecordKind",
    "CustomerConsumption",
    "FiscalYear",
    "Granularity",
    "IncentivePolicy",
    "IncentivePolicyKind",
    "NewCustomerTag",
    "OwnVoucher",
    "OwnVoucherConnection",
    "OwnVoucherEdge",
    "PeriodUnit",
    "PriceOffer",
    "ProductConsumption",
    "ProgramStanding",
    "ProjectConfiguration",
    "ProjectRefusalReason",
    "ProjectRuleViolationError",
    "QuotaMovement",
    "QuotaMovementConnection",
    "QuotaMovementEdge",
    "QuotaMovementKind",
    "RebateStanding",
    "RebateTier",
    "RenewalRate",
    "ResendInvitationItem",
    "ResendInvitationOutcome",
    "ResendInvitationsPayload",
    "ShutdownPolicy",
    "TemplatePayload",
    "UpgradeStanding",
    "VoucherApplication",
    "VoucherApplicationConnection",
    "VoucherApplicationEdge",
    "VoucherGrant",
    "VoucherRecord",
    "VoucherRecordConnection",
    "VoucherRecordEdge",
    "VoucherRecordKind",
    "VoucherTemplate",
    "VoucherTemplateConnection",
    "VoucherTemplateEdge",
    "VoucherTemplateInput",
]
#: The fields of issue #12 on types that were there before.
FIELDS = [
    "Customer.consumption",
    "Customer.newCustomerTag",
    "Customer.creditHistory",
    "FileProjectInput.opportunityId",
    "FileProjectInput.thirdParty",
    "FileProjectInput.testProject",
    "FileProjectInput.bid",
    "Funds.controls",
    "Mutation.resendInvitations",
    "Mutation.setWarningThreshold",
    "Mutation.setNewPurchaseBan",
    "Mutation.setShutdownPolicy",
    "Mutation.setAutomaticWriteOff",
    "Mutation.createVoucherTemplate",
    "Mutation.deleteVoucherTemplate",
    "Mutation.decideVoucherApplication",
    "Mutation.setProjectFlags",
    "Mutation.addProjectConfiguration",
    "Mutation.setProjectConfigurationStatus",
    "Partner.voucherTemplates",
    "Partner.voucherTemplateProducts",
    "Partner.voucherApplications",
    "Partner.voucherApplication",
    "Partner.voucherRecords",
    "Partner.ownVouchers",
    "Partner.incentivePolicies",
    "Partner.commissionableProducts",
    "Partner.renewalRates",
    "Partner.billFiles",
    "Partner.quotaMovements",
    "Partner.consumption",
    "Partner.program",
    "PriceItemInput.periodUnit",
    "PriceItemInput.periodCount",
    "PriceQuote.offers",
    "Project.thirdParty",
    "Project.testProject",
    "Project.bid",
    "Project.configurations",
    "Query.consumption",
    "Query.catalogue",
    "Reseller.fundMovements",
    "Reseller.quotaMovements",
    "Reseller.performance",
]


@pytest.mark.parametrize("name", TYPES)
def test_each_new_type_and_its_fields_are_described(name: str) -> None:
    named = SCHEMA.get_type(name)
    assert named is not None, f"{name} is not in the schema"
    assert named.description, f"type {name} has no description"
    if isinstance(named, GraphQLEnumType):
        return
    assert isinstance(named, GraphQLObjectType | GraphQLInputObjectType)
    bare = [field for field, definition in named.fields.items() if not definition.description]
    assert bare == [], f"{name}: fields without a description"


def test_each_new_field_on_an_older_type_is_described() -> None:
    bare = []
    for path in FIELDS:
        type_name, field = path.split(".")
        named = SCHEMA.get_type(type_name)
        assert isinstance(named, GraphQLObjectType | GraphQLInputObjectType), type_name
        assert field in named.fields, f"{path} is not in the schema"
        if not named.fields[field].description:
            bare.append(path)
    assert bare == []
