"""partner-gateway: one GraphQL API over the Alibaba Cloud and Huawei Cloud partner programs."""

__version__ = "0.1.0"
