"""A deterministic generator of import files at scale: ``yixian demo generate``.

The same scale and seed give byte-identical files. Codes have the shapes of real division codes
(province 330000 → city 330300 → district 330302 → street 330302001 or town 330302101 → village
330302001001 → grid 330302001001G01, and departments 330302D01), ID numbers are well-formed with
a valid GB 11643 check digit and phones look like mobiles, but all of it is made up: every ID
number carries the region code ``xxxx99``, which no county holds, so none is anybody's.

Everything is written as it is generated, city by city: memory stays flat at province scale.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.demo.data import ID_CHECK, ID_WEIGHTS
from core.importing.kinds import CHECKERS


@dataclass(frozen=True)
class Scale:
    cities: int
    districts: int
    towns_per_district: int
    villages_per_city: int
    grids_per_village: int
    departments_per_district: int
    people_per_city: int
    postings_per_city: int
    metrics: int
    months: int = 12


SCALES = {
    "small": Scale(1, 2, 3, 24, 3, 2, 200, 60, 3),
    "city": Scale(1, 12, 15, 3000, 4, 25, 60_000, 20_000, 12),
    "province": Scale(10, 12, 15, 3000, 4, 25, 60_000, 20_000, 12),
}

CHARS = (
    "安宝北长城东丰福广和华江金京乐林龙美明南宁平青清庆瑞山上石顺泰塘天田文西溪新兴阳永云中竹"
    "桥岙湾港浦岭坑洋垟头岩峰"
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩俊凯晨欣怡婷"
DEPARTMENTS = (
    "区委办公室 区委组织部 区委宣传部 区委统战部 区委政法委 区纪委 发展改革局 教育局 科技局 "
    "公安分局 民政局 司法局 财政局 人力社保局 自然资源局 生态环境分局 住房城乡建设局 交通运输局 "
    "水利局 农业农村局 商务局 文化旅游局 卫生健康局 应急管理局 市场监管局"
).split()
METRICS = (
    ("core.households_visited", "走访户数", "户", "SUM", "INTEGER"),
    ("core.issues_collected", "收集问题数", "个", "SUM", "INTEGER"),
    ("core.resolution_rate", "问题解决率", "%", "AVG", "PERCENT"),
    ("core.issues_resolved", "解决问题数", "个", "SUM", "INTEGER"),
    ("core.meetings_held", "召开会议次数", "次", "SUM", "INTEGER"),
    ("core.volunteer_hours", "志愿服务时长", "小时", "SUM", "DECIMAL"),
    ("core.residents_registered", "登记常住人口", "人", "LAST", "INTEGER"),
    ("core.elderly_visited", "走访老人数", "人", "SUM", "INTEGER"),
    ("core.disputes_mediated", "调解纠纷数", "件", "SUM", "INTEGER"),
    ("core.satisfaction", "群众满意度", "%", "AVG", "PERCENT"),
    ("core.hazards_cleared", "排除隐患数", "处", "SUM", "INTEGER"),
    ("core.funds_raised", "筹集资金", "万元", "SUM", "DECIMAL"),
)
ROLES = (
    ("RESIDENT_CADRE", "驻村干部", 30),
    ("FIRST_SECRETARY", "驻村第一书记", 10),
    ("GRID_MEMBER", "专职网格员", 25),
    ("SECONDED", "挂职干部", 10),
    ("GUIDE", "换届指导员", 8),
    ("LIAISON", "联络员", 7),
    ("SUPERVISOR", "督导员", 5),
    ("ASSISTANT", "助理", 3),
    ("TRIAL_POST", "试岗干部", 2),
)
#: Postings are PLANNED, ACTIVE or COMPLETED as of this day (not today: the files must not
#: depend on when they are generated).
AS_OF = date(2025, 6, 30)
FIRST_MONTH = date(2024, 1, 1)


@dataclass(frozen=True, slots=True)
class GenUnit:
    code: str
    name: str
    kind: str
    parent_code: str | None


def _name(rng: random.Random, suffix: str) -> str:
    return rng.choice(CHARS) + rng.choice(CHARS) + suffix


def city_code(scale: Scale, index: int) -> str:
    """3303 for the city scale (温州); 3301…3310 for the cities of a province."""
    return "330300" if scale.cities == 1 else f"33{index + 1:02d}00"


def city_units(scale: Scale, seed: int, index: int) -> list[GenUnit]:
    """One city's units, parents first; the same for the same seed."""
    rng = random.Random(f"{seed}:units:{index}")
    city = city_code(scale, index)
    units = [GenUnit(city, _name(rng, "市"), "CITY", "330000")]
    towns = scale.districts * scale.towns_per_district
    base, extra = divmod(scale.villages_per_city, towns)
    town_number = 0
    for d in range(scale.districts):
        district = f"{city[:4]}{d + 2:02d}"
        units.append(GenUnit(district, _name(rng, "区" if d < 4 else "县"), "DISTRICT", city))
        for k in range(scale.departments_per_district):
            units.append(
                GenUnit(
                    f"{district}D{k + 1:02d}",
                    DEPARTMENTS[k % len(DEPARTMENTS)],
                    "DEPARTMENT",
                    district,
                )
            )
        for t in range(scale.towns_per_district):
            street = t < 5
            town = f"{district}{t + 1:03d}" if street else f"{district}{100 + t - 4:03d}"
            units.append(GenUnit(town, _name(rng, "街道" if street else "镇"), "TOWN", district))
            villages = base + (1 if town_number < extra else 0)
            town_number += 1
            for v in range(villages):
                village = f"{town}{v + 1:03d}"
                name = _name(rng, "社区" if street else "村")
                units.append(GenUnit(village, name, "VILLAGE", town))
                for g in range(scale.grids_per_village):
                    units.append(
                        GenUnit(f"{village}G{g + 1:02d}", f"{name}第{g + 1}网格", "GRID", village)
                    )
    return units


def fake_id_number(city: str, birth: date, sequence: int, male: bool) -> str:
    """A well-formed 居民身份证号码 with a valid check digit, in region ``xxxx99`` (held by no
    county, so the number is nobody's)."""
    order = sequence % 500 * 2 + (1 if male else 0)
    body = f"{city[:4]}99{birth:%Y%m%d}{order:03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def _writer(folder: Path, kind: str):
    handle = open(folder / f"{kind}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([c.name for c in CHECKERS[kind].columns])
    return handle, writer


def generate(scale_name: str, seed: int, folder: Path) -> dict[str, int]:
    """Write units.csv, metrics.csv, people.csv, postings.csv and observations.csv into
    ``folder``; returns the rows written per file."""
    scale = SCALES[scale_name]
    folder.mkdir(parents=True, exist_ok=True)
    counts = {kind: 0 for kind in ("units", "metrics", "people", "postings", "observations")}

    handle, out = _writer(folder, "units")
    with handle:
        serial = 1
        out.writerow([f"U{serial:07d}", "330000", "浙江省", "PROVINCE", ""])
        for index in range(scale.cities):
            for unit in city_units(scale, seed, index):
                serial += 1
                out.writerow([f"U{serial:07d}", unit.code, unit.name, unit.kind, unit.parent_code])
        counts["units"] = serial

    metrics = METRICS[: scale.metrics]
    handle, out = _writer(folder, "metrics")
    with handle:
        for n, (code, name, measure, aggregation, value_type) in enumerate(metrics, 1):
            out.writerow([f"M{n:03d}", code, name, measure, aggregation, value_type, ""])
        counts["metrics"] = len(metrics)

    handle, out = _writer(folder, "people")
    with handle:
        for index in range(scale.cities):
            rng = random.Random(f"{seed}:people:{index}")
            city = city_code(scale, index)
            homes = [
                u.code
                for u in city_units(scale, seed, index)
                if u.kind in ("TOWN", "VILLAGE", "DEPARTMENT")
            ]
            for i in range(scale.people_per_city):
                serial = index * scale.people_per_city + i + 1
                male = rng.random() < 0.6
                birth = date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
                status = rng.choices(
                    ("CPC_MEMBER", "CPC_PROBATIONARY", "CYL_MEMBER", "MASSES", "NON_PARTISAN"),
                    (70, 5, 10, 10, 5),
                )[0]
                rank = rng.choices(
                    ("NONE", "SECTION_DEPUTY", "SECTION_CHIEF", "DIVISION_DEPUTY"), (50, 30, 15, 5)
                )[0]
                tags = rng.choices(
                    ("", "青年干部", "后备干部;青年干部", "选调生"), (70, 15, 10, 5)
                )[0]
                out.writerow(
                    [
                        f"P{serial:07d}",
                        rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
                        "MALE" if male else "FEMALE",
                        birth.year,
                        status,
                        rank,
                        rng.choice(homes),
                        rng.choice(("科员", "副主任", "主任", "副书记", "专员", "干事")),
                        f"199{serial:08d}",
                        fake_id_number(city, birth, serial, male),
                        tags,
                    ]
                )
                counts["people"] += 1

    handle, out = _writer(folder, "postings")
    roles = [r for r, _label, _w in ROLES]
    labels = {r: label for r, label, _w in ROLES}
    weights = [w for _r, _label, w in ROLES]
    with handle:
        for index in range(scale.cities):
            rng = random.Random(f"{seed}:postings:{index}")
            hosts = [
                u for u in city_units(scale, seed, index) if u.kind in ("TOWN", "VILLAGE", "GRID")
            ]
            people = scale.people_per_city
            for i in range(scale.postings_per_city):
                serial = index * scale.postings_per_city + i + 1
                # a permutation of the city's people: nobody is posted twice
                person = index * people + (i * 7919 + 13) % people + 1
                host = rng.choice(hosts)
                role = rng.choices(roles, weights)[0]
                start = date(2023 + rng.randint(0, 2), rng.randint(1, 12), 1)
                months = rng.randint(6, 24)
                end_month = start.month - 1 + months
                end = date(start.year + end_month // 12, end_month % 12 + 1, 1)
                if start > AS_OF:
                    status = "PLANNED"
                elif end < AS_OF:
                    status = "RECALLED" if rng.random() < 0.03 else "COMPLETED"
                else:
                    status = "ACTIVE"
                out.writerow(
                    [
                        f"S{serial:07d}",
                        f"P{person:07d}",
                        host.code,
                        role,
                        start.isoformat(),
                        end.isoformat(),
                        status,
                        f"{host.name}{labels[role]}",
                        "",
                        "因工作需要召回" if status == "RECALLED" else "",
                    ]
                )
                counts["postings"] += 1

    handle, out = _writer(folder, "observations")
    months = [
        date(FIRST_MONTH.year + m // 12, m % 12 + 1, 1).isoformat() for m in range(scale.months)
    ]
    with handle:
        serial = 0
        for index in range(scale.cities):
            rng = random.Random(f"{seed}:observations:{index}")
            for unit in _reporting(city_units(scale, seed, index)):
                for code, *_rest, value_type in metrics:
                    for month in months:
                        serial += 1
                        if value_type == "INTEGER":
                            value = str(rng.randrange(0, 200))
                        else:
                            value = f"{rng.uniform(60 if value_type == 'PERCENT' else 0, 100):.1f}"
                        out.writerow([f"O{serial:09d}", code, unit, "MONTH", month, value, "", ""])
        counts["observations"] = serial
    return counts


def _reporting(units: list[GenUnit]) -> Iterator[str]:
    """The units that report metrics: villages and grids."""
    return (u.code for u in units if u.kind in ("VILLAGE", "GRID"))
