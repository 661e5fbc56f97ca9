"""The Huawei Cloud BSS v2 provider plug-in (entry point ``huaweicloud = "adapters.huaweicloud:plugin"``)."""

from ._plugin import HuaweiCloudPlugin
from .provider import HuaweiCloudProvider

__all__ = ["HuaweiCloudProvider", "plugin"]

plugin = HuaweiCloudPlugin()
