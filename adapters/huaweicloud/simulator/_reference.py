"""Fixed reference data: the region tree (GB/T 2260 codes) and the on-demand price list."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["CITIES", "COUNTIES", "PRICES", "PROVINCES", "SERVICES", "Price"]

PROVINCES: tuple[tuple[str, str], ...] = (
    ("110000", "北京市"),
    ("310000", "上海市"),
    ("330000", "浙江省"),
    ("440000", "广东省"),
    ("510000", "四川省"),
)
#: province code -> its cities
CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "110000": (("110100", "北京市"),),
    "310000": (("310100", "上海市"),),
    "330000": (("330100", "杭州市"), ("330200", "宁波市")),
    "440000": (("440100", "广州市"), ("440300", "深圳市")),
    "510000": (("510100", "成都市"),),
}
#: city code -> its counties / districts
COUNTIES: dict[str, tuple[tuple[str, str], ...]] = {
    "110100": (("110105", "朝阳区"), ("110108", "海淀区")),
    "310100": (("310104", "徐汇区"), ("310115", "浦东新区")),
    "330100": (("330106", "西湖区"), ("330110", "余杭区")),
    "330200": (("330203", "海曙区"),),
    "440100": (("440104", "越秀区"), ("440106", "天河区")),
    "440300": (("440304", "福田区"), ("440305", "南山区")),
    "510100": (("510104", "锦江区"), ("510107", "武侯区")),
}

#: service type code -> name (H.4.5, H.4.20)
SERVICES: dict[str, str] = {
    "hws.service.type.ec2": "弹性云服务器",
    "hws.service.type.ebs": "云硬盘",
    "hws.service.type.vpc": "虚拟私有云",
    "hws.service.type.obs": "对象存储服务",
    "hws.service.type.rds": "云数据库 RDS",
}

REGIONS = ("cn-north-1", "cn-north-4", "cn-east-3", "cn-south-1")


class Price:
    """An on-demand list price per usage unit (hour), and per size unit for linear products."""

    __slots__ = ("hourly", "product_id", "size_measure_id")

    def __init__(self, product_id: str, hourly: str, size_measure_id: int | None = None) -> None:
        self.product_id = product_id
        self.hourly = Decimal(hourly)
        self.size_measure_id = size_measure_id  # set for linear products (H.4.21): 17 GB, 15 Mbps

    @property
    def linear(self) -> bool:
        return self.size_measure_id is not None


#: (cloud_service_type, resource_type, resource_spec) -> price; every region in REGIONS has them (H.4.21).
PRICES: dict[tuple[str, str, str], Price] = {
    ("hws.service.type.ec2", "hws.resource.type.vm", "s6.small.1.linux"): Price("OFFI100000001", "0.1100"),
    ("hws.service.type.ec2", "hws.resource.type.vm", "s6.large.2.linux"): Price("OFFI100000002", "0.4500"),
    ("hws.service.type.ec2", "hws.resource.type.vm", "s6.large.2.win"): Price("OFFI100000003", "0.6200"),
    ("hws.service.type.ebs", "hws.resource.type.volume", "SSD"): Price("OFFI200000001", "0.001", 17),
    ("hws.service.type.ebs", "hws.resource.type.volume", "SAS"): Price("OFFI200000002", "0.0005", 17),
    ("hws.service.type.vpc", "hws.resource.type.bandwidth", "19_bgp"): Price("OFFI300000001", "0.063", 15),
    ("hws.service.type.vpc", "hws.resource.type.ip", "5_bgp"): Price("OFFI300000002", "0.02"),
}
