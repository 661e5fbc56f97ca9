"""The product catalogue (CONTRACTS.md H.6.9) and the products customers consume (H.6.1, H.6.2, H.6.8).

The code tables are what the bill and rating operations refer to: every ``service_type_code``,
``resource_type_code``, ``usage_type`` and ``*_measure_id`` in a fee record is one of these. Codes and
names follow Huawei's console; the measure ids 14 (count), 15 (Mbps) and 17 (GB of capacity) are those
of H.4.21/H.6.8, 10 (GB of traffic) that of H.6.9; the others are the simulator's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ._reference import PRICES, SERVICES

__all__ = [
    "CONVERSIONS",
    "MEASURE_UNITS",
    "PRODUCTS",
    "REGION_NAMES",
    "RESOURCE_TYPES",
    "SERVICE_TYPES",
    "USAGE_TYPES",
    "Product",
]

#: service type code -> (name, abbreviation): the five of ``_reference.SERVICES`` (same names), three more.
SERVICE_TYPES: dict[str, tuple[str, str]] = {
    "hws.service.type.ec2": (SERVICES["hws.service.type.ec2"], "ECS"),
    "hws.service.type.ebs": (SERVICES["hws.service.type.ebs"], "EVS"),
    "hws.service.type.vpc": (SERVICES["hws.service.type.vpc"], "VPC"),
    "hws.service.type.obs": (SERVICES["hws.service.type.obs"], "OBS"),
    "hws.service.type.rds": (SERVICES["hws.service.type.rds"], "RDS"),
    "hws.service.type.cdn": ("内容分发网络", "CDN"),
    "hws.service.type.dcs": ("分布式缓存服务", "DCS"),
    "hws.service.type.elb": ("弹性负载均衡", "ELB"),
}

#: resource type code -> (name, description, service type code)
RESOURCE_TYPES: dict[str, tuple[str, str, str]] = {
    "hws.resource.type.vm": ("云主机", "弹性云服务器实例", "hws.service.type.ec2"),
    "hws.resource.type.volume": ("云硬盘", "块存储卷", "hws.service.type.ebs"),
    "hws.resource.type.bandwidth": ("带宽", "公网带宽", "hws.service.type.vpc"),
    "hws.resource.type.ip": ("弹性公网IP", "公网IP地址", "hws.service.type.vpc"),
    "hws.resource.type.obs": ("对象存储", "标准存储", "hws.service.type.obs"),
    "hws.resource.type.rds.vm": ("云数据库实例", "RDS for MySQL 实例", "hws.service.type.rds"),
    "hws.resource.type.cdn": ("CDN流量", "中国大陆加速流量", "hws.service.type.cdn"),
    "hws.resource.type.dcs": ("缓存实例", "Redis 实例", "hws.service.type.dcs"),
    "hws.resource.type.elb": ("负载均衡器", "独享型负载均衡实例", "hws.service.type.elb"),
}

#: (usage type code, name, resource type code): what ``usage_amount`` of a fee record counts.
USAGE_TYPES: tuple[tuple[str, str, str], ...] = (
    ("Duration", "时长", "hws.resource.type.vm"),
    ("Duration", "时长", "hws.resource.type.volume"),
    ("Duration", "时长", "hws.resource.type.bandwidth"),
    ("Duration", "时长", "hws.resource.type.ip"),
    ("capacity", "存储容量", "hws.resource.type.obs"),
    ("reqNumber", "请求次数", "hws.resource.type.obs"),
    ("Duration", "时长", "hws.resource.type.rds.vm"),
    ("upFlow", "流量", "hws.resource.type.cdn"),
    ("Duration", "时长", "hws.resource.type.dcs"),
    ("Duration", "时长", "hws.resource.type.elb"),
)

#: (measure_id, measure_name, abbreviation, measure_type): 1 currency, 2 duration, 3 traffic, 4 quantity,
#: 7 capacity, 16 bandwidth rate (H.6.9).
MEASURE_UNITS: tuple[tuple[int, str, str, int], ...] = (
    (1, "元", "CNY", 1),
    (2, "角", "jiao", 1),
    (3, "分", "fen", 1),
    (4, "小时", "h", 2),
    (5, "分钟", "min", 2),
    (6, "秒", "s", 2),
    (10, "GB", "GB", 3),
    (11, "MB", "MB", 3),
    (12, "KB", "KB", 3),
    (14, "个", "pcs", 4),
    (15, "Mbps", "Mbps", 16),
    (16, "Kbps", "Kbps", 16),
    (17, "GB", "GB", 7),
    (18, "MB", "MB", 7),
    (21, "次", "times", 4),
    (22, "万次", "10k times", 4),
)

#: (measure_id, ref_measure_id, conversion_ratio, measure_type): 1 of measure_id = ratio of ref_measure_id.
CONVERSIONS: tuple[tuple[int, int, int, int], ...] = (
    (1, 2, 10, 1),
    (2, 3, 10, 1),
    (4, 5, 60, 2),
    (5, 6, 60, 2),
    (10, 11, 1024, 3),
    (11, 12, 1024, 3),
    (17, 18, 1024, 7),
    (15, 16, 1024, 16),
    (22, 21, 10000, 4),
)

REGION_NAMES = {
    "cn-north-1": "华北-北京一",
    "cn-north-4": "华北-北京四",
    "cn-east-3": "华东-上海一",
    "cn-south-1": "华南-广州",
}


@dataclass(frozen=True, slots=True)
class Product:
    """Something a customer consumes: its catalogue codes, spec and prices.

    ``unit_price``: the pay-per-use list price of one ``usage_measure_id`` unit (per hour for the
    durations), for a resource of ``size`` (GB, Mbps; 1 otherwise). ``monthly``: the yearly/monthly list
    price of one month (H.6.8; a year is 10 months' price).
    """

    product_id: str
    service_type: str
    resource_type: str
    spec: str
    usage_type: str
    usage_measure_id: int
    unit_price: Decimal
    monthly: Decimal
    size: int = 1
    size_measure_id: int | None = None

    @property
    def service_name(self) -> str:
        return SERVICE_TYPES[self.service_type][0]

    @property
    def resource_name(self) -> str:
        return RESOURCE_TYPES[self.resource_type][0]

    @property
    def subscribable(self) -> bool:
        """Sold yearly/monthly as well as pay-per-use (traffic and requests are pay-per-use only)."""
        return self.usage_type == "Duration"


def _product(
    product_id: str,
    service: str,
    resource: str,
    spec: str,
    unit_price: str | None = None,
    *,
    usage: tuple[str, int] = ("Duration", 4),
    size: int = 1,
    size_measure_id: int | None = None,
) -> Product:
    # The on-demand price list's products keep its hourly price (H.4.21 and H.6.2 agree).
    price = PRICES[(service, resource, spec)].hourly if unit_price is None else Decimal(unit_price)
    return Product(
        product_id=product_id,
        service_type=service,
        resource_type=resource,
        spec=spec,
        usage_type=usage[0],
        usage_measure_id=usage[1],
        unit_price=price,
        monthly=(price * size * 720 * Decimal("0.7")).quantize(Decimal("0.01")),
        size=size,
        size_measure_id=size_measure_id,
    )


_EC2, _EBS, _VPC = "hws.service.type.ec2", "hws.service.type.ebs", "hws.service.type.vpc"
_VM, _VOLUME = "hws.resource.type.vm", "hws.resource.type.volume"
#: Every product, by (service type, resource type, spec): the on-demand price list's, and five more.
PRODUCTS: dict[tuple[str, str, str], Product] = {
    (p.service_type, p.resource_type, p.spec): p
    for p in (
        _product("OFFI100000001", _EC2, _VM, "s6.small.1.linux"),
        _product("OFFI100000002", _EC2, _VM, "s6.large.2.linux"),
        _product("OFFI100000003", _EC2, _VM, "s6.large.2.win"),
        _product("OFFI200000001", _EBS, _VOLUME, "SSD", size=100, size_measure_id=17),
        _product("OFFI200000002", _EBS, _VOLUME, "SAS", size=200, size_measure_id=17),
        _product("OFFI300000001", _VPC, "hws.resource.type.bandwidth", "19_bgp", size=5, size_measure_id=15),
        _product("OFFI300000002", _VPC, "hws.resource.type.ip", "5_bgp"),
        _product(
            "OFFI400000001",
            "hws.service.type.obs",
            "hws.resource.type.obs",
            "obs.standard",
            "0.000139",
            usage=("capacity", 17),
            size=500,
        ),
        _product("OFFI500000001", "hws.service.type.rds", "hws.resource.type.rds.vm", "rds.mysql.c6.large.2", "0.90"),
        _product(
            "OFFI600000001",
            "hws.service.type.cdn",
            "hws.resource.type.cdn",
            "cdn.mainland",
            "0.2",
            usage=("upFlow", 10),
        ),
        _product("OFFI700000001", "hws.service.type.dcs", "hws.resource.type.dcs", "redis.single.xu1.large.2", "0.17"),
        _product("OFFI800000001", "hws.service.type.elb", "hws.resource.type.elb", "elbv3.basic.1az", "0.07"),
    )
}
