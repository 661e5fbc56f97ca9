"""The deployment files as the tests read them: compose.yaml, its gateway configuration (deploy/gateway.toml)
and that configuration with compose's addresses swapped for this machine's, which the two-replica test runs.

Docker cannot run here, so the compose set-up is mirrored by processes: the same configuration file, the
same environment variables, the same services (two gateways, PostgreSQL, Redis, both simulators).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "COMPOSE",
    "COMPOSE_ADDRESSES",
    "DOCKERFILE",
    "GATEWAY_TOML",
    "KUBERNETES",
    "compose",
    "gateway_environment",
    "replica_config",
]

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
GATEWAY_TOML = ROOT / "deploy" / "gateway.toml"
KUBERNETES = ROOT / "deploy" / "kubernetes.yaml"

#: What compose's configuration names by its service addresses, and what the two-replica test puts there.
COMPOSE_ADDRESSES = {
    "aliyun": 'endpoint = "http://aliyun-sim:8101"',
    "huaweicloud": 'endpoint = "http://huaweicloud-sim:8102"',
    "store": 'url = "postgresql+asyncpg://gateway@postgres:5432/gateway"',
    "redis": 'url = "redis://redis:6379/0"',
    "key_prefix": 'key_prefix = "partner-gateway:"',
    "host": 'host = "0.0.0.0"',
    "requests_per_minute": "requests_per_minute = 600",
}


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def gateway_environment(service: str = "gateway-1") -> dict[str, str]:
    """The environment compose gives a gateway replica, ``${VAR:-default}`` taken at its default."""
    environment = compose()["services"][service]["environment"]
    return {name: _default(str(value)) for name, value in environment.items()}


def replica_config(
    *,
    aliyun: str,
    huaweicloud: str,
    store: str,
    redis: str,
    key_prefix: str,
    requests_per_minute: int,
    api_keys: dict[str, str],
) -> str:
    """deploy/gateway.toml with compose's addresses replaced (each must be there exactly once: a changed file
    fails here, not silently), listening on loopback, and more ``[[api_keys]]`` (name -> sha256, admins)."""
    text = GATEWAY_TOML.read_text()
    values = {
        "aliyun": f'endpoint = "{aliyun}"',
        "huaweicloud": f'endpoint = "{huaweicloud}"',
        "store": f'url = "{store}"',
        "redis": f'url = "{redis}"',
        "key_prefix": f'key_prefix = "{key_prefix}"',
        "host": 'host = "127.0.0.1"',
        "requests_per_minute": f"requests_per_minute = {requests_per_minute}",
    }
    for name, line in COMPOSE_ADDRESSES.items():
        found = text.count(line)
        if found != 1:
            raise AssertionError(f"deploy/gateway.toml has {line!r} {found} times, not once")
        text = text.replace(line, values[name])
    for name, digest in api_keys.items():
        text += f'\n[[api_keys]]\nname = "{name}"\nsha256 = "{digest}"\nrole = "admin"\n'
    return text


def _default(value: str) -> str:
    """``${VAR:-default}`` -> ``default`` (what compose uses when VAR is unset); anything else as it is."""
    if value.startswith("${") and value.endswith("}") and ":-" in value:
        return value[2:-1].split(":-", 1)[1]
    return value
