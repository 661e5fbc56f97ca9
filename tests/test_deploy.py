"""The deployment files, as far as this machine can check them (Docker does not run here): compose.yaml
names the set-up the two-replica test runs (two gateways, PostgreSQL, Redis, both simulators) and its
gateway configuration is one the gateway accepts with the environment compose gives it, the same file the
test runs with only addresses changed; the Dockerfile builds what compose and Kubernetes run; the Kubernetes
example probes /healthz and /readyz, keeps no state and takes its configuration and secrets from a
ConfigMap and a Secret that fit each other."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy.engine import make_url

from adapters.aliyun._plugin import _SIM_ACCESS_KEY_ID, _SIM_ACCESS_KEY_SECRET
from adapters.huaweicloud._plugin import DEMO_ACCESS_KEY, DEMO_DOMAIN_ID, DEMO_SECRET_KEY
from gateway.auth import hash_key
from gateway.config import CONFIG_ENV, GatewayConfig, check_exposure, load_config, parse_config
from gateway.registry import Registry
from tests.support.deploy import (
    COMPOSE_ADDRESSES,
    DOCKERFILE,
    GATEWAY_TOML,
    KUBERNETES,
    compose,
    gateway_environment,
    replica_config,
)

ROOT = Path(__file__).resolve().parents[1]
GATEWAYS = ("gateway-1", "gateway-2")
SIMULATORS = {"aliyun": "aliyun-sim", "huaweicloud": "huaweicloud-sim"}
COMPOSE_KEY = "pgw_compose-demo-admin-not-for-production"


def compose_config() -> GatewayConfig:
    return load_config(GATEWAY_TOML, Registry.discover(), gateway_environment())


def container_port(ports: list[str]) -> int:
    [mapping] = ports
    return int(mapping.rsplit(":", 1)[1])


# --- compose.yaml -----------------------------------------------------------------------------------------


def test_compose_runs_two_gateway_replicas_postgres_redis_and_both_simulators() -> None:
    services = compose()["services"]
    assert set(services) == {*GATEWAYS, "postgres", "redis", *SIMULATORS.values()}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for provider, name in SIMULATORS.items():
        command = services[name]["command"]
        assert command[:2] == ["simulator", provider]
        assert command[command.index("--host") + 1] == "0.0.0.0"  # reachable from the gateways' containers
        assert services[name]["image"] == services["gateway-1"]["image"]  # the one image
    for name in GATEWAYS:
        gateway = services[name]
        assert gateway["build"] == "."
        assert gateway["command"] == ["serve"]
        assert gateway["read_only"] is True  # no state in the container
        assert gateway["depends_on"] == {
            dependency: {"condition": "service_healthy"} for dependency in ("postgres", "redis", *SIMULATORS.values())
        }
    published = [services[name]["ports"][0].split(":")[0] for name in GATEWAYS]
    assert len(set(published)) == 2  # each replica on its own host port


def test_the_configuration_compose_mounts_is_valid_for_the_gateway_with_the_environment_compose_sets() -> None:
    services = compose()["services"]
    environment = gateway_environment()
    config = compose_config()
    for name in GATEWAYS:
        [volume] = services[name]["volumes"]
        source, target, mode = volume.split(":")
        assert (ROOT / source).resolve() == GATEWAY_TOML
        assert target == environment[CONFIG_ENV]
        assert mode == "ro"
        assert container_port(services[name]["ports"]) == config.server.port
    check_exposure(config, config.server.host)  # it listens on 0.0.0.0: keys are configured
    assert config.server.host == "0.0.0.0"
    # Every address is a compose service, at the port that service listens on.
    for entry in config.accounts:
        service = SIMULATORS[entry.account.provider]
        command = services[service]["command"]
        assert entry.account.endpoint == f"http://{service}:{command[command.index('--port') + 1]}"
    store = make_url(config.store_url)
    postgres = services["postgres"]["environment"]
    assert (store.drivername, store.host, store.username, store.database) == (
        "postgresql+asyncpg",
        "postgres",
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_DB"],
    )
    assert store.password is None  # PGPASSWORD, from the environment...
    assert services["gateway-1"]["environment"]["PGPASSWORD"] == postgres["POSTGRES_PASSWORD"]  # ...the same one
    assert config.redis is not None
    assert urlsplit(config.redis.url).hostname == "redis"


def test_the_gateways_sign_in_to_the_simulators_with_the_keys_the_simulators_start_with() -> None:
    config = compose_config()
    credentials = {entry.account.provider: entry for entry in config.accounts}
    aliyun, huawei = credentials["aliyun"], credentials["huaweicloud"]
    assert aliyun.credentials["access_key_id"].reveal() == _SIM_ACCESS_KEY_ID
    assert aliyun.credentials["access_key_secret"].reveal() == _SIM_ACCESS_KEY_SECRET
    assert huawei.credentials["access_key"].reveal() == DEMO_ACCESS_KEY
    assert huawei.credentials["secret_key"].reveal() == DEMO_SECRET_KEY
    assert huawei.account.settings["domain_id"] == DEMO_DOMAIN_ID
    # The simulators are started with their default keys: none given on their command lines.
    for service in SIMULATORS.values():
        assert not [arg for arg in compose()["services"][service]["command"] if "key" in arg]


def test_the_two_replica_test_runs_the_compose_configuration_with_only_its_addresses_changed() -> None:
    substituted = replica_config(
        aliyun="http://127.0.0.1:1",
        huaweicloud="http://127.0.0.1:2",
        store="postgresql+asyncpg://postgres@127.0.0.1:5432/t_x",
        redis="redis://127.0.0.1:6379/0",
        key_prefix="pgw-test-x:",
        requests_per_minute=6,
        api_keys={"test-key": hash_key("k")},
    )
    ours, theirs = tomllib.loads(substituted), tomllib.loads(GATEWAY_TOML.read_text())
    assert ours["api_keys"][:-1] == theirs["api_keys"]
    assert ours["api_keys"][-1]["name"] == "test-key"
    # Put compose's addresses back: then the two are the same configuration.
    back = replica_config(
        aliyun="http://aliyun-sim:8101",
        huaweicloud="http://huaweicloud-sim:8102",
        store="postgresql+asyncpg://gateway@postgres:5432/gateway",
        redis="redis://redis:6379/0",
        key_prefix="partner-gateway:",
        requests_per_minute=600,
        api_keys={},
    ).replace('host = "127.0.0.1"', COMPOSE_ADDRESSES["host"])
    assert tomllib.loads(back) == theirs
    config = parse_config(ours, Registry.discover(), gateway_environment())
    assert config.redis is not None
    assert config.redis.key_prefix == "pgw-test-x:"
    assert config.limits.requests_per_minute == 6


def test_the_readme_gives_the_key_compose_configures() -> None:
    readme = (ROOT / "README.md").read_text()
    assert COMPOSE_KEY in readme
    keys = tomllib.loads(GATEWAY_TOML.read_text())["api_keys"]
    assert [key["sha256"] for key in keys] == [hash_key(COMPOSE_KEY)]


# --- Dockerfile ---------------------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_dockerfile_installs_the_pinned_package_and_runs_it_unprivileged_with_a_healthcheck() -> None:
    steps = dockerfile()
    instructions = [name for name, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    [install] = [args for name, args in steps if name == "RUN" and "pip install" in args]
    assert "--constraint constraints.txt ." in install  # the versions CI tested
    copied = " ".join(args for name, args in steps if name == "COPY")
    assert "constraints.txt" in copied
    [user] = [args for name, args in steps if name == "USER"]
    assert user not in ("root", "0")
    assert instructions.index("USER") > instructions.index("RUN")  # installed as root, run as the user
    assert "VOLUME" not in instructions  # no state in the container
    [healthcheck] = [args for name, args in steps if name == "HEALTHCHECK"]
    assert f"http://127.0.0.1:{compose_config().server.port}/healthz" in healthcheck
    entrypoint = [json.loads(args) for name, args in steps if name == "ENTRYPOINT"]
    command = [json.loads(args) for name, args in steps if name == "CMD"]
    assert (entrypoint, command) == ([["partner-gateway"]], [["serve"]])
    [config_env] = [args for name, args in steps if name == "ENV" and CONFIG_ENV in args]
    assert shlex.split(config_env) == [f"{CONFIG_ENV}={gateway_environment()[CONFIG_ENV]}"]


def test_the_docker_build_context_holds_the_sources_and_pins_only() -> None:
    patterns = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and line[0] != "#"]
    assert patterns[0] == "*"  # nothing unless listed: no .venv, data directory or .git in the image
    assert {"!pyproject.toml", "!constraints.txt", "!README.md", "!gateway/", "!adapters/"} <= set(patterns)


# --- Kubernetes ----------------------------------------------------------------------------------------------


def kubernetes() -> dict[str, dict[str, Any]]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all(KUBERNETES.read_text())}


def test_the_kubernetes_example_probes_liveness_and_readiness_and_keeps_no_state() -> None:
    objects = kubernetes()
    deployment = objects["Deployment"]["spec"]
    assert deployment["replicas"] >= 2
    pod = deployment["template"]["spec"]
    [container] = pod["containers"]
    [port] = container["ports"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port["name"]}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port["name"]}
    assert container["readinessProbe"]["timeoutSeconds"] > 5  # /readyz gives each check 5 s
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert "volumeClaimTemplates" not in deployment
    assert {volume["name"]: set(volume) for volume in pod["volumes"]} == {"config": {"name", "configMap"}}
    config = kubernetes_config(objects)
    assert port["containerPort"] == config.server.port
    assert objects["Service"]["spec"]["ports"][0]["targetPort"] == port["name"]


def kubernetes_config(objects: dict[str, dict[str, Any]]) -> GatewayConfig:
    """The ConfigMap's configuration, read with the Secret's variables as the pod's environment."""
    environ = objects["Secret"]["stringData"]
    return parse_config(tomllib.loads(objects["ConfigMap"]["data"]["gateway.toml"]), Registry.discover(), environ)


def test_the_kubernetes_configuration_and_secret_fit_each_other() -> None:
    objects = kubernetes()
    [container] = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    [mount] = container["volumeMounts"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert Path(env[CONFIG_ENV]).parent == Path(mount["mountPath"])
    assert [ref["secretRef"]["name"] for ref in container["envFrom"]] == [objects["Secret"]["metadata"]["name"]]
    config = kubernetes_config(objects)  # every credential variable it names is in the Secret
    check_exposure(config, config.server.host)
    secret = objects["Secret"]["stringData"]
    assert config.redis is not None
    assert config.redis.url == secret["PARTNER_GATEWAY_REDIS_URL"]  # the Redis password is in the Secret only
    assert "PGPASSWORD" in secret
    assert make_url(config.store_url).password is None
    assert "change-me" not in objects["ConfigMap"]["data"]["gateway.toml"]


@pytest.mark.parametrize("path", [GATEWAY_TOML, KUBERNETES, ROOT / "compose.yaml"], ids=lambda p: p.name)
def test_no_deployment_file_holds_a_cloud_secret_of_its_own(path: Path) -> None:
    """Only the simulators' published demo keys and placeholders: real keys come from the environment."""
    text = path.read_text()
    assert not re.search(r"LTAI[0-9A-Za-z]{12,}", text.replace(_SIM_ACCESS_KEY_ID, ""))
