"""The Alibaba Cloud (Aliyun) Agency plug-in: entry point ``aliyun = "adapters.aliyun:plugin"``."""

from adapters.aliyun._plugin import AliyunPlugin, plugin
from adapters.aliyun.provider import AliyunProvider

__all__ = ["AliyunPlugin", "AliyunProvider", "plugin"]
