"""The demo data, taken from the five reports digested in SCHEMES.md. Pure data, no database.

Units carry the national division code (GB/T 2260) down to county level. Below that the codes are
our own and stable: the parent's code plus a suffix, ``0xx`` for a street (街道), ``1xx`` for a
town (镇), ``2xx`` for a township (乡), then ``001``… for a village or community, ``G01``… for a
grid, ``D01``… for a department and ``Z01``… for anything else (a zone, a headquarters, a project).

People are the cadres the reports name. Their gender, birth year and (where the report is silent)
political status and rank are plausible guesses; their phone numbers and ID numbers are FAKE:
phones are ``1380000xxxx`` and ID numbers carry a deliberately wrong check digit, so that no demo
number can be anybody's real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.initiatives.models import InitiativeKind, InitiativeStatus
from core.metrics.models import Aggregation, Period, ValueType
from core.people.models import Gender, PoliticalStatus, Rank
from core.postings.models import PostingRole, PostingStatus
from core.units.models import UnitKind

# --- Shapes ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoUnit:
    code: str
    name: str
    kind: UnitKind
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class DemoPerson:
    external_key: str
    #: Numbers the fake phone and ID number; unique and never reused.
    serial: int
    name: str
    gender: Gender
    birth_year: int
    political_status: PoliticalStatus
    rank: Rank
    home_unit_code: str
    home_post: str
    tags: tuple[str, ...] = ()

    @property
    def phone(self) -> str:
        return fake_phone(self.serial)

    @property
    def id_number(self) -> str:
        return fake_id_number(self.home_unit_code[:6], self.birth_year, self.serial, self.gender)


@dataclass(frozen=True, slots=True)
class DemoInitiative:
    code: str
    name: str
    kind: InitiativeKind
    scheme: str
    owner_unit_code: str
    start_date: date
    end_date: date | None
    status: InitiativeStatus
    description: str


@dataclass(frozen=True, slots=True)
class DemoPosting:
    person_key: str
    host_unit_code: str
    role: PostingRole
    title: str
    start_date: date
    end_date: date | None
    status: PostingStatus
    initiative_code: str | None = None
    recall_reason: str | None = None


@dataclass(frozen=True, slots=True)
class DemoMetric:
    #: ``core`` or the scheme (plugin) key the metric belongs to.
    source: str
    slug: str
    name: str
    unit_of_measure: str
    aggregation: Aggregation
    value_type: ValueType
    description: str

    @property
    def code(self) -> str:
        return f"{self.source}.{self.slug}"


@dataclass(frozen=True, slots=True)
class DemoObservation:
    metric_code: str
    unit_code: str
    period: Period
    period_start: date
    value: float
    initiative_code: str | None = None
    person_key: str | None = None

    @property
    def external_key(self) -> str:
        key = f"demo:{self.metric_code}@{self.unit_code}/{self.period_start.isoformat()}"
        return key if self.person_key is None else f"{key}/{self.person_key.removeprefix('demo:')}"


# --- Fake personal information ------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def fake_phone(serial: int) -> str:
    """``1380000`` and four digits: an obviously made-up mobile number."""
    return f"1380000{serial:04d}"


def fake_id_number(region: str, birth_year: int, serial: int, gender: Gender) -> str:
    """18 characters shaped like a 居民身份证号码 whose check digit is deliberately wrong.

    Region, birth date and a ``9xx`` sequence (odd for men, even for women, as the real scheme)
    make 17 digits; the 18th is the GB 11643 check character shifted by one, so the number is
    well-formed but can never be valid, hence never a real person's.
    """
    month, day = serial % 12 + 1, serial % 28 + 1
    sequence = 900 + (serial % 50) * 2 + (1 if gender is Gender.MALE else 0)
    body = f"{region}{birth_year:04d}{month:02d}{day:02d}{sequence:03d}"
    valid = ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
    wrong = ID_CHECK[(ID_CHECK.index(valid) + 1) % len(ID_CHECK)]
    return body + wrong


# --- Units --------------------------------------------------------------------------------------

P, C, D, T, V, G = (
    UnitKind.PROVINCE,
    UnitKind.CITY,
    UnitKind.DISTRICT,
    UnitKind.TOWN,
    UnitKind.VILLAGE,
    UnitKind.GRID,
)
DEPT, OTHER = UnitKind.DEPARTMENT, UnitKind.OTHER

#: The 15 member departments of Taishun's online joint review (云联审). The report names only
#: 县纪委 and 县委组织部; the other thirteen are the usual vetting departments of a county.
TAISHUN_REVIEW_DEPARTMENTS = (
    "县纪委",
    "县委组织部",
    "县委政法委",
    "县法院",
    "县检察院",
    "县公安局",
    "县司法局",
    "县信访局",
    "县民政局",
    "县自然资源和规划局",
    "县卫生健康局",
    "县市场监管局",
    "县税务局",
    "县农业农村局",
    "县应急管理局",
)

UNITS: tuple[DemoUnit, ...] = (
    # 浙江省 · 温州市 (seed 002)
    DemoUnit("330000", "浙江省", P, None),
    DemoUnit("330300", "温州市", C, "330000"),
    DemoUnit("330302", "鹿城区", D, "330300"),
    # 藤桥镇 is named; the other four are real streets and towns of 鹿城区, added so that the
    # four-visit households spread over several towns.
    DemoUnit("330302001", "双屿街道", T, "330302"),
    DemoUnit("330302002", "七都街道", T, "330302"),
    DemoUnit("330302003", "仰义街道", T, "330302"),
    DemoUnit("330302101", "藤桥镇", T, "330302"),
    DemoUnit("330302102", "山福镇", T, "330302"),
    DemoUnit("330303", "龙湾区", D, "330300"),
    DemoUnit("330303001", "状元街道", T, "330303"),
    DemoUnit("330304", "瓯海区", D, "330300"),
    DemoUnit("330304001", "郭溪街道", T, "330304"),
    DemoUnit("330304001001", "贾福村", V, "330304001"),
    DemoUnit("330305", "洞头区", D, "330300"),
    DemoUnit("330305001", "元觉街道", T, "330305"),
    DemoUnit("330305001001", "状元村", V, "330305001"),
    DemoUnit("330324", "永嘉县", D, "330300"),
    DemoUnit("330324101", "岩头镇", T, "330324"),
    DemoUnit("330326", "平阳县", D, "330300"),
    DemoUnit("330326101", "昆阳镇", T, "330326"),
    DemoUnit("330326101001", "府前社区", V, "330326101"),
    DemoUnit("330327", "苍南县", D, "330300"),
    DemoUnit("330327101", "宜山镇", T, "330327"),
    DemoUnit("330327101001", "梁宅村", V, "330327101"),
    DemoUnit("330328", "文成县", D, "330300"),
    DemoUnit("330328101", "峃口镇", T, "330328"),
    DemoUnit("330328101001", "渡渎村", V, "330328101"),
    DemoUnit("330328101002", "新联村", V, "330328101"),
    DemoUnit("330329", "泰顺县", D, "330300"),
    *(
        DemoUnit(f"330329D{index:02d}", name, DEPT, "330329")
        for index, name in enumerate(TAISHUN_REVIEW_DEPARTMENTS, start=1)
    ),
    DemoUnit("330381", "瑞安市", D, "330300"),
    DemoUnit("330381101", "高楼镇", T, "330381"),
    DemoUnit("330381101001", "龙山村", V, "330381101"),
    DemoUnit("330382", "乐清市", D, "330300"),
    DemoUnit("330382001", "城东街道", T, "330382"),
    DemoUnit("330382101", "柳市镇", T, "330382"),
    # 龙港 has no towns: the city manages its communities directly (市管村居).
    DemoUnit("330383", "龙港市", D, "330300"),
    DemoUnit("330383000001", "方岩社区", V, "330383"),
    DemoUnit("330383D01", "市基层治理委员会", DEPT, "330383"),
    DemoUnit("330300Z01", "浙南产业集聚区", OTHER, "330300"),
    DemoUnit("330300Z01001", "海城街道", T, "330300Z01"),
    # 浙江省 · 台州市 · 三门县 (seed 000)
    DemoUnit("331000", "台州市", C, "330000"),
    DemoUnit("331022", "三门县", D, "331000"),
    DemoUnit("331022001", "海游街道", T, "331022"),
    DemoUnit("331022002", "海润街道", T, "331022"),
    DemoUnit("331022101", "珠岙镇", T, "331022"),
    DemoUnit("331022101001", "珠岙村", V, "331022101"),
    DemoUnit("331022101002", "高视村", V, "331022101"),
    DemoUnit("331022101003", "里塘村", V, "331022101"),
    DemoUnit("331022102", "亭旁镇", T, "331022"),
    DemoUnit("331022Z01", "西区指挥部", OTHER, "331022"),
    DemoUnit("331022D01", "县综治办", DEPT, "331022"),
    DemoUnit("331022D02", "县旧城改造办公室", DEPT, "331022"),
    DemoUnit("331022D03", "县商务局", DEPT, "331022"),
    DemoUnit("331022D04", "县市场监督管理局", DEPT, "331022"),
    DemoUnit("331022D05", "县社科联", DEPT, "331022"),
    DemoUnit("331022D06", "县总工会", DEPT, "331022"),
    DemoUnit("331022D07", "县民政局", DEPT, "331022"),
    # 江苏省 · 南通市 · 通州区 (seed 001)
    DemoUnit("320000", "江苏省", P, None),
    DemoUnit("320600", "南通市", C, "320000"),
    DemoUnit("320612", "通州区", D, "320600"),
    DemoUnit("320612001", "金新街道", T, "320612"),
    DemoUnit("320612101", "东社镇", T, "320612"),
    DemoUnit("320612101001", "新桥村", V, "320612101"),
    DemoUnit("320612102", "刘桥镇", T, "320612"),
    DemoUnit("320612102001", "长岸村", V, "320612102"),
    DemoUnit("320612103", "二甲镇", T, "320612"),
    DemoUnit("320612103001", "余西社区", V, "320612103"),
    DemoUnit("320612103001G01", "余西社区第一综合网格", G, "320612103001"),
    DemoUnit("320612103001G02", "余西社区第二综合网格", G, "320612103001"),
    DemoUnit("320612104", "川姜镇", T, "320612"),
    DemoUnit("320612104001", "志浩村", V, "320612104"),
    DemoUnit("320612105", "西亭镇", T, "320612"),
    DemoUnit("320612105001", "西禅寺村", V, "320612105"),
    DemoUnit("320612105001G01", "西禅寺村网格", G, "320612105001"),
    DemoUnit("320612Z01", "通州高新区", OTHER, "320612"),
    DemoUnit("320612Z02", "江海大道东延工程", OTHER, "320612"),
    DemoUnit("320612D01", "区信访局", DEPT, "320612"),
    # 湖南省 · 湘潭市 · 湘乡市 (seed 003; the report of 2007 calls the street 东山办事处)
    DemoUnit("430000", "湖南省", P, None),
    DemoUnit("430300", "湘潭市", C, "430000"),
    DemoUnit("430381", "湘乡市", D, "430300"),
    DemoUnit("430381001", "东山街道", T, "430381"),
    DemoUnit("430381001001", "东山村", V, "430381001"),
    DemoUnit("430381001002", "张江村", V, "430381001"),
    DemoUnit("430381001003", "先进村", V, "430381001"),
    DemoUnit("430381001004", "新岸村", V, "430381001"),
    DemoUnit("430381001005", "东台村", V, "430381001"),
    DemoUnit("430381001006", "东岸村", V, "430381001"),
    DemoUnit("430381001007", "东胜村", V, "430381001"),
    # 辽宁省 (seed 004)
    DemoUnit("210000", "辽宁省", P, None),
    DemoUnit("210100", "沈阳市", C, "210000"),
    DemoUnit("210103", "沈河区", D, "210100"),
    DemoUnit("210103001", "万莲街道", T, "210103"),
    DemoUnit("210103001001", "大万莲社区", V, "210103001"),
    DemoUnit("210103001002", "松泉社区", V, "210103001"),
    DemoUnit("210103001003", "清泉社区", V, "210103001"),
    DemoUnit("210400", "抚顺市", C, "210000"),
    DemoUnit("210421", "抚顺县", D, "210400"),
    DemoUnit("210421201", "峡河乡", T, "210421"),
    DemoUnit("210421201001", "三家子村", V, "210421201"),
    DemoUnit("211100", "盘锦市", C, "210000"),
    DemoUnit("211104", "大洼区", D, "211100"),
    DemoUnit("211200", "铁岭市", C, "210000"),
    DemoUnit("211204", "清河区", D, "211200"),
    DemoUnit("211204101", "杨木林子镇", T, "211204"),
    DemoUnit("211204101001", "八社村", V, "211204101"),
    DemoUnit("211204101002", "九社村", V, "211204101"),
    DemoUnit("211300", "朝阳市", C, "210000"),
    DemoUnit("211303", "龙城区", D, "211300"),
    DemoUnit("211303001", "新华街道", T, "211303"),
    DemoUnit("211303001001", "新北社区", V, "211303001"),
    DemoUnit("211322", "建平县", D, "211300"),
    DemoUnit("211322001", "铁南街道", T, "211322"),
    DemoUnit("211322001001", "铁东社区", V, "211322001"),
    DemoUnit("211381", "北票市", D, "211300"),
    DemoUnit("211381001", "南山街道", T, "211381"),
)

# --- Initiatives: one or more per scheme --------------------------------------------------------

CAMPAIGN, ASSESSMENT, REVIEW, PROGRAM, PROJECT = (
    InitiativeKind.CAMPAIGN,
    InitiativeKind.ASSESSMENT,
    InitiativeKind.REVIEW,
    InitiativeKind.PROGRAM,
    InitiativeKind.PROJECT,
)
ACTIVE_I, COMPLETED_I, PLANNED_I = (
    InitiativeStatus.ACTIVE,
    InitiativeStatus.COMPLETED,
    InitiativeStatus.PLANNED,
)

INITIATIVES: tuple[DemoInitiative, ...] = (
    # The three named first.
    DemoInitiative(
        "taishun-joint-review-2020",
        "村社组织换届初步人选“云联审”",
        REVIEW,
        "taishun.joint_review",
        "330329",
        date(2020, 5, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "Online joint review (云联审): 15 departments vet the preliminary candidates of the "
        "village/community election on a DingTalk platform, 7 days a week, in 2.5 working days "
        "instead of 3 to 7.",
    ),
    DemoInitiative(
        "wencheng-three-degree-2020",
        "后备干部“三度测评一试岗”",
        ASSESSMENT,
        "wencheng.three_degree",
        "330328",
        date(2020, 4, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "Reserve cadres (后备干部) are scored on loyalty, satisfaction and competence "
        "(忠诚度、满意度、胜任度); after one meeting and one public notice the best serve a "
        "2-month trial post (试岗) before entering the candidate pool (人选库).",
    ),
    DemoInitiative(
        "lucheng-four-visits-2020",
        "“四访四问”大走访",
        CAMPAIGN,
        "lucheng.four_visits",
        "330302",
        date(2020, 4, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "Town leaders and village-resident cadres visit door to door (访民问需、访怨问由、"
        "访贤问计、访能问效); 32,000+ households visited by late May 2020.",
    ),
    DemoInitiative(
        "lucheng-two-votes-one-rating-2020",
        "“两票一度”测评",
        ASSESSMENT,
        "lucheng.two_votes_one_rating",
        "330302",
        date(2020, 4, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "Party-member and villager-representative trust votes plus a satisfaction rating of each "
        "village team (两票一度), weighted 3:5:2; negative information goes to a negative list "
        "(负面清单).",
    ),
    # Wenzhou, election preparation 2020 (seed 002).
    DemoInitiative(
        "ouhai-standard-year-2020",
        "村社运行规范年",
        PROGRAM,
        "ouhai.standard_year",
        "330304",
        date(2020, 3, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "Standard-operation year (村社运行规范年): 18 measures in 5 areas, village tasks turned "
        "into indicators per cadre and the daily four must-checks (四个必查).",
    ),
    DemoInitiative(
        "yueqing-graduates-135-2020",
        "返乡大学生“135”发展计划",
        PROGRAM,
        "yueqing.graduates_135",
        "330382",
        date(2020, 5, 1),
        date(2021, 12, 31),
        ACTIVE_I,
        "Returning graduates become village cadres (返乡大学生“135”): a talent pool, 3 platforms "
        "and 5 actions; 1,359 graduates cover all 514 villages.",
    ),
    DemoInitiative(
        "yongjia-two-promotions-one-stability-2020",
        "“双促一稳”大走访大调研大宣传",
        CAMPAIGN,
        "yongjia.two_promotions_one_stability",
        "330324",
        date(2020, 4, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "A survey of every village team (双促一稳) with the five goals (五个一), an end-of-term "
        "check and the three rates (三率), ending in one strategy and one table per village.",
    ),
    DemoInitiative(
        "pingyang-election-volunteers-2020",
        "换届志愿服务队",
        PROGRAM,
        "pingyang.election_volunteers",
        "330326",
        date(2020, 4, 1),
        date(2021, 3, 31),
        ACTIVE_I,
        "An election volunteer team (换届志愿服务队) in each of 453 villages, 1,640 members: "
        "publicity, surveys, mediation and supervision.",
    ),
    DemoInitiative(
        "cangnan-member-home-visits-2020",
        "“党员家访”",
        CAMPAIGN,
        "cangnan.member_home_visits",
        "330327",
        date(2020, 4, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "242 township leaders visit the party members and cadres of their linked villages "
        "(党员家访), phone visits for those away; problems go on a battle map and are closed "
        "one by one (挂图作战、动态销号).",
    ),
    DemoInitiative(
        "longwan-two-evaluations-three-exams-2020",
        "“双评三考”",
        ASSESSMENT,
        "longwan.two_evaluations_three_exams",
        "330303",
        date(2020, 4, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "Self-evaluation and public comment, then the minister's inquiry, a law exam and a "
        "special cadre exam (双评三考): 43 problems in 6 categories, 139 inspection reports.",
    ),
    DemoInitiative(
        "dongtou-secretary-home-visits-2020",
        "“书记家访”",
        CAMPAIGN,
        "dongtou.secretary_home_visits",
        "330305",
        date(2020, 4, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "Secretaries visit party members at home (书记家访): two asks, two listens (两问两听) and "
        "talks covering every member, villager representative and notable (三个谈话全覆盖).",
    ),
    DemoInitiative(
        "ruian-form-map-book-rates-2020",
        "驻村干部“一表一图一本两率”",
        PROGRAM,
        "ruian.form_map_book_rates",
        "330381",
        date(2020, 4, 1),
        date(2021, 3, 31),
        ACTIVE_I,
        "Each village-resident cadre keeps an election-situation form, a dated battle map, a "
        "record book and two estimated support rates (一表一图一本两率).",
    ),
    DemoInitiative(
        "longgang-three-visits-three-inspections-2020",
        "部门科级干部“三访三察”",
        CAMPAIGN,
        "longgang.three_visits_three_inspections",
        "330383",
        date(2020, 1, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "134 section-level cadres linked to 102 communities visit teams, members and masses and "
        "inspect competence, satisfaction and integration (三访三察).",
    ),
    DemoInitiative(
        "zhenan-problems-to-zero-2020",
        "“五个先行”“六清”行动与“问题清零”",
        CAMPAIGN,
        "zhenan.problems_to_zero",
        "330300Z01",
        date(2020, 4, 1),
        date(2020, 12, 31),
        ACTIVE_I,
        "Five firsts (五个先行) and six clears (六清): 10 survey teams, 3,000+ talks and 5,571 "
        "households; difficult villages get a file and named responsibility (问题清零).",
    ),
    # Sanmen county (seed 000).
    DemoInitiative(
        "sanmen-five-line-2018",
        "五线历练",
        PROGRAM,
        "sanmen.five_line",
        "331022",
        date(2018, 3, 1),
        date(2018, 8, 31),
        COMPLETED_I,
        "Five-line tempering (五线历练): county cadres seconded for 4 to 6 months to towns, a "
        "street and the western headquarters, in numbered groups with a leader.",
    ),
    DemoInitiative(
        "sanmen-hairun-project-vote-2018",
        "海润街道民生实事项目票选制",
        PROJECT,
        "sanmen.project_vote",
        "331022002",
        date(2018, 1, 1),
        date(2018, 12, 31),
        COMPLETED_I,
        "Livelihood project vote (民生实事项目票选制): 8–10 screened candidates, deputies and "
        "councillors chose 6 projects in January 2018, then quarterly supervision and a "
        "year-end satisfaction rating.",
    ),
    # Tongzhou district (seed 001).
    DemoInitiative(
        "tongzhou-frontline-secondment-2021",
        "年轻干部一线挂职锻炼",
        PROGRAM,
        "tongzhou.frontline_secondment",
        "320612",
        date(2021, 3, 1),
        date(2022, 2, 28),
        ACTIVE_I,
        "100 cadres seconded for a year to villages, parks, firms, petition and investment posts "
        "(一线挂职锻炼), with a political and a business mentor; nominal postings (空挂、虚挂) "
        "are recalled.",
    ),
    DemoInitiative(
        "tongzhou-advanced-areas-2022",
        "赴省直机关及上海、苏南跟班学习",
        PROGRAM,
        "tongzhou.frontline_secondment",
        "320612",
        date(2022, 3, 1),
        date(2022, 12, 31),
        PLANNED_I,
        "The next step of the secondment scheme: 10 cadres to provincial organs and to Shanghai "
        "and south Jiangsu (跟班学习、压担锻炼), in batches.",
    ),
    DemoInitiative(
        "tongzhou-erjia-grids-2021",
        "二甲镇网格化服务闭环",
        PROGRAM,
        "tongzhou.erjia_grids",
        "320612103",
        date(2021, 1, 1),
        None,
        ACTIVE_I,
        "12 villages in 53 comprehensive and 4 dedicated grids, 600+ grid workers (网格员); "
        "collect, analyse, dispatch and supervise to closure (闭环), 1–2 legal helpers per grid.",
    ),
    # Xiangxiang, Dongshan (seed 003).
    DemoInitiative(
        "xiangxiang-sentiment-talks-2007",
        "民情恳谈会制度",
        CAMPAIGN,
        "xiangxiang.sentiment_talks",
        "430381001",
        date(2007, 4, 15),
        date(2007, 12, 31),
        COMPLETED_I,
        "Leaders stay in a village, visit in the evenings and hold forums under the five no's "
        "(五不); 30+ meetings, 20+ reports, 4 guidance opinions, 40+ problems solved.",
    ),
    DemoInitiative(
        "xiangxiang-frontline-work-2007",
        "一线工作制",
        PROGRAM,
        "xiangxiang.frontline_work",
        "430381001",
        date(2007, 4, 18),
        date(2007, 12, 31),
        COMPLETED_I,
        "Front-line work rule (一线工作制): 80% of cadres spend 80%+ of their time in villages, "
        "assessed monthly and tied to bonuses.",
    ),
    DemoInitiative(
        "xiangxiang-cadre-evaluation-2007",
        "干部评价机制",
        ASSESSMENT,
        "xiangxiang.cadre_evaluation",
        "430381001",
        date(2007, 1, 1),
        date(2007, 12, 31),
        COMPLETED_I,
        "Every half year deputies, CPPCC members, investors, village cadres and masses rate the "
        "leaders and office cadres on 德能勤绩廉 (morality, ability, diligence, results, "
        "integrity).",
    ),
    # Liaoning (seed 004).
    DemoInitiative(
        "chaoyang-four-roles-2022",
        "选派“四员”下沉街道社区",
        PROGRAM,
        "chaoyang.four_roles",
        "211300",
        date(2022, 3, 1),
        None,
        ACTIVE_I,
        "263 cadres as the four roles (四员): 7 supervisors, 28 guides, 28 liaisons and 200 "
        "assistants, with 13 duties, 8 management rules and a half-year ranking.",
    ),
    DemoInitiative(
        "shenhe-wanlian-party-projects-2023",
        "万莲街道三级党建项目库与社会组织孵化基地",
        PROJECT,
        "shenhe.wanlian_party_projects",
        "210103001",
        date(2023, 1, 1),
        None,
        ACTIVE_I,
        "A three-level library of party projects with 125 secretary projects (书记项目) and an "
        "incubation base hosting 171 organisations; 9 first secretaries.",
    ),
    DemoInitiative(
        "fushun-sanjiazi-services-2022",
        "三家子村“村民办事不出屯”",
        PROJECT,
        "fushun.sanjiazi_services",
        "210421201001",
        date(2022, 1, 1),
        date(2022, 12, 31),
        COMPLETED_I,
        "39 common services as QR codes and 21 county services online (办事不出屯); 200+ "
        "matters handled in 2022.",
    ),
    DemoInitiative(
        "dawa-rotation-2023",
        "中层管理人员交流轮岗",
        PROGRAM,
        "dawa.rotation",
        "211104",
        date(2023, 1, 1),
        None,
        ACTIVE_I,
        "Middle managers in sensitive posts rotate after 3 years (交流轮岗); 95% done across "
        "99 units.",
    ),
    DemoInitiative(
        "qinghe-industry-party-committee-2023",
        "产业联合党委推动校地合作",
        PROJECT,
        "qinghe.industry_party_committee",
        "211204101",
        date(2023, 1, 1),
        None,
        ACTIVE_I,
        "An industry party committee (产业联合党委) pairs villages with 沈阳农业大学 for "
        "crop trials and product advice.",
    ),
)

# --- People -------------------------------------------------------------------------------------

M, F = Gender.MALE, Gender.FEMALE
CPC, PROBATIONARY, NON_PARTISAN, MASSES = (
    PoliticalStatus.CPC_MEMBER,
    PoliticalStatus.CPC_PROBATIONARY,
    PoliticalStatus.NON_PARTISAN,
    PoliticalStatus.MASSES,
)
NO_RANK, SECTION_DEPUTY, SECTION_CHIEF, DIVISION_DEPUTY = (
    Rank.NONE,
    Rank.SECTION_DEPUTY,
    Rank.SECTION_CHIEF,
    Rank.DIVISION_DEPUTY,
)

PEOPLE: tuple[DemoPerson, ...] = (
    # 文成 三度测评一试岗
    DemoPerson(
        "demo:zheng-guofeng",
        1,
        "郑国峰",
        M,
        1986,
        CPC,
        NO_RANK,
        "330328101001",
        "渡渎村党支部副书记",
        ("后备干部", "三度测评"),
    ),
    DemoPerson(
        "demo:hu-caifen",
        2,
        "胡彩芬",
        F,
        1990,
        PROBATIONARY,
        NO_RANK,
        "330328101002",
        "新联村后备干部",
        ("后备干部", "三度测评"),
    ),
    # 瓯海、平阳、苍南、龙湾、洞头、瑞安、龙港、浙南产业集聚区
    DemoPerson(
        "demo:jia-xiuqiang",
        3,
        "贾秀强",
        M,
        1968,
        CPC,
        NO_RANK,
        "330304001001",
        "贾福村党总支书记",
        ("村社干部",),
    ),
    DemoPerson(
        "demo:ye-laiwang",
        4,
        "叶来旺",
        M,
        1956,
        MASSES,
        NO_RANK,
        "330326101001",
        "府前社区换届志愿服务队队员",
        ("换届志愿服务队", "莲花鼓词传承人"),
    ),
    DemoPerson(
        "demo:liang-shifeng",
        5,
        "梁世峰",
        M,
        1982,
        CPC,
        SECTION_DEPUTY,
        "330327101",
        "宜山镇副镇长",
        ("乡镇领导干部",),
    ),
    DemoPerson(
        "demo:lin-yuanan",
        6,
        "林元安",
        M,
        1948,
        CPC,
        NO_RANK,
        "330327101001",
        "梁宅村老党员",
        ("老党员",),
    ),
    DemoPerson(
        "demo:zhang-hongbo",
        7,
        "张洪博",
        M,
        1991,
        CPC,
        NO_RANK,
        "330303001",
        "状元街道驻村干部",
        ("驻村干部",),
    ),
    DemoPerson(
        "demo:zhan-jingwei",
        8,
        "詹景伟",
        M,
        1975,
        CPC,
        SECTION_CHIEF,
        "330305001",
        "元觉街道党工委书记",
        ("乡镇领导干部",),
    ),
    DemoPerson(
        "demo:zhu-jinfu",
        9,
        "朱金福",
        M,
        1950,
        CPC,
        NO_RANK,
        "330305001001",
        "状元村老党员",
        ("老党员",),
    ),
    DemoPerson(
        "demo:zeng-qiliang",
        10,
        "曾启亮",
        M,
        1984,
        CPC,
        NO_RANK,
        "330381101",
        "高楼镇驻村干部",
        ("驻村干部",),
    ),
    DemoPerson(
        "demo:jiang-mingxing",
        11,
        "蒋明星",
        M,
        1978,
        CPC,
        SECTION_CHIEF,
        "330383D01",
        "市基层治理委员会科级干部",
        ("科级干部包社区",),
    ),
    DemoPerson(
        "demo:mei-xianchun",
        12,
        "梅显春",
        M,
        1972,
        CPC,
        SECTION_CHIEF,
        "330300Z01001",
        "海城街道党工委书记",
        ("乡镇领导干部",),
    ),
    # 三门 五线历练 (group 3, western theatre) and the Hairun project vote
    DemoPerson(
        "demo:mao-wuyong",
        13,
        "毛武勇",
        M,
        1978,
        CPC,
        SECTION_DEPUTY,
        "331022D01",
        "县综治办副主任",
        ("五线历练", "第三组组长", "西部战区"),
    ),
    DemoPerson(
        "demo:zheng-haiying",
        14,
        "郑海英",
        F,
        1980,
        NON_PARTISAN,
        NO_RANK,
        "331022D02",
        "县旧城改造办公室法制科科长",
        ("五线历练",),
    ),
    DemoPerson(
        "demo:he-kaiyong",
        15,
        "何开永",
        M,
        1983,
        CPC,
        NO_RANK,
        "331022D03",
        "县商务局办公室主任",
        ("五线历练",),
    ),
    DemoPerson(
        "demo:fang-botao",
        16,
        "方波涛",
        M,
        1976,
        CPC,
        SECTION_DEPUTY,
        "331022D04",
        "海游市场监督管理所所长(保留副科级)",
        ("五线历练",),
    ),
    DemoPerson(
        "demo:shao-guoqian",
        17,
        "邵国骞",
        M,
        1979,
        CPC,
        SECTION_DEPUTY,
        "331022D05",
        "县社科联副主席",
        ("五线历练",),
    ),
    DemoPerson(
        "demo:lai-dali",
        18,
        "赖达莉",
        F,
        1985,
        CPC,
        NO_RANK,
        "331022D06",
        "县总工会职工服务中心主任",
        ("五线历练",),
    ),
    DemoPerson(
        "demo:zhang-bin",
        19,
        "章斌",
        M,
        1982,
        CPC,
        NO_RANK,
        "331022D07",
        "县民政局优抚安置科科长",
        ("五线历练",),
    ),
    DemoPerson(
        "demo:qin-xiangxuan",
        20,
        "秦象选",
        M,
        1965,
        CPC,
        SECTION_CHIEF,
        "331022002",
        "海润街道人大工委主任",
        ("人大工委",),
    ),
    # 通州 一线挂职锻炼 and the grids
    DemoPerson(
        "demo:liu-zhongwen",
        21,
        "刘钟文",
        M,
        1996,
        CPC,
        NO_RANK,
        "320612",
        "区级机关科员",
        ("三门干部", "一线挂职"),
    ),
    DemoPerson(
        "demo:lu-wentao",
        22,
        "陆文韬",
        M,
        1995,
        CPC,
        NO_RANK,
        "320612",
        "区级机关科员",
        ("三门干部", "一线挂职"),
    ),
    DemoPerson(
        "demo:mao-jinbin",
        23,
        "茅晋宾",
        M,
        1988,
        CPC,
        NO_RANK,
        "320612",
        "区级机关干部",
        ("一线挂职", "第一书记"),
    ),
    DemoPerson(
        "demo:zhang-xuetong",
        24,
        "张雪彤",
        F,
        1993,
        CPC,
        NO_RANK,
        "320612",
        "区级机关干部",
        ("一线挂职",),
    ),
    DemoPerson(
        "demo:zhu-junlong",
        25,
        "朱钧泷",
        M,
        1991,
        CPC,
        NO_RANK,
        "320612",
        "区级机关干部",
        ("一线挂职", "研究生", "招商一线"),
    ),
    DemoPerson(
        "demo:xu-haifu",
        26,
        "徐海富",
        M,
        1989,
        CPC,
        NO_RANK,
        "320612",
        "区级机关干部",
        ("一线挂职", "信访一线"),
    ),
    # Fictional: the report names no recalled cadre, and a real name must not carry a recall.
    DemoPerson(
        "demo:tongzhou-recalled-cadre",
        27,
        "陈某(虚构)",
        M,
        1990,
        CPC,
        NO_RANK,
        "320612",
        "区级机关干部",
        ("一线挂职", "虚构示例"),
    ),
    DemoPerson(
        "demo:bian-shuiyang",
        28,
        "卞水洋",
        M,
        1970,
        CPC,
        NO_RANK,
        "320612105001",
        "西禅寺村网格长",
        ("网格长",),
    ),
    DemoPerson(
        "demo:zhang-weijian",
        29,
        "张伟建",
        M,
        1975,
        MASSES,
        NO_RANK,
        "320612105001",
        "西禅寺村网格长",
        ("网格长",),
    ),
    DemoPerson(
        "demo:yu-zhaohui",
        30,
        "虞朝晖",
        F,
        1980,
        CPC,
        NO_RANK,
        "320612103001",
        "余西社区疫情防控联络员",
        ("网格员",),
    ),
    DemoPerson(
        "demo:cao-xiaojun",
        31,
        "曹晓军",
        M,
        1972,
        CPC,
        NO_RANK,
        "320612103001",
        "余西社区党总支书记",
        ("村社干部",),
    ),
    # 朝阳 四员
    DemoPerson(
        "demo:lv-xin",
        32,
        "吕鑫",
        M,
        1994,
        CPC,
        NO_RANK,
        "211303",
        "区直机关年轻干部",
        ("四员", "大党委助理员"),
    ),
    DemoPerson(
        "demo:li-zhongren",
        33,
        "李忠仁",
        M,
        1968,
        CPC,
        DIVISION_DEPUTY,
        "211381",
        "市直机关副处级干部",
        ("四员", "基层治理指导员"),
    ),
    DemoPerson(
        "demo:liu-zhenhai",
        34,
        "刘振海",
        M,
        1970,
        CPC,
        DIVISION_DEPUTY,
        "211322",
        "县直机关副处级干部",
        ("四员", "城市基层治理指导员"),
    ),
    # 沈河 万莲街道, 抚顺县 三家子村
    DemoPerson(
        "demo:wang-guangyu",
        35,
        "王光宇",
        M,
        1985,
        CPC,
        NO_RANK,
        "210103",
        "区卫生健康系统干部",
        ("第一书记",),
    ),
    DemoPerson(
        "demo:deng-yuguo",
        36,
        "邓玉国",
        M,
        1970,
        CPC,
        NO_RANK,
        "210421201001",
        "三家子村党支部书记",
        ("村社干部",),
    ),
    DemoPerson(
        "demo:deng-bin",
        37,
        "邓斌",
        M,
        1990,
        MASSES,
        NO_RANK,
        "210421201001",
        "三家子村办事员",
        ("村务工作者",),
    ),
)

# --- Postings -----------------------------------------------------------------------------------

ACTIVE, COMPLETED, RECALLED, PLANNED = (
    PostingStatus.ACTIVE,
    PostingStatus.COMPLETED,
    PostingStatus.RECALLED,
    PostingStatus.PLANNED,
)
R = PostingRole
FIVE_LINE = "sanmen-five-line-2018"
TONGZHOU = "tongzhou-frontline-secondment-2021"
FIVE_LINE_START, TONGZHOU_START = date(2018, 3, 1), date(2021, 3, 1)

POSTINGS: tuple[DemoPosting, ...] = (
    DemoPosting(
        "demo:zheng-guofeng",
        "330328101001",
        R.TRIAL_POST,
        "后备干部到渡渎村试岗",
        date(2020, 5, 6),
        date(2020, 7, 5),
        ACTIVE,
        "wencheng-three-degree-2020",
    ),
    DemoPosting(
        "demo:hu-caifen",
        "330328101002",
        R.TRIAL_POST,
        "试岗担任新联村妇联副主席",
        date(2020, 6, 1),
        date(2020, 7, 31),
        PLANNED,
        "wencheng-three-degree-2020",
    ),
    DemoPosting(
        "demo:ye-laiwang",
        "330326101001",
        R.OTHER,
        "府前社区换届志愿服务队队员",
        date(2020, 4, 15),
        date(2021, 3, 31),
        ACTIVE,
        "pingyang-election-volunteers-2020",
    ),
    DemoPosting(
        "demo:liang-shifeng",
        "330327101001",
        R.LIAISON,
        "联系梁宅村(党员家访)",
        date(2020, 4, 1),
        None,
        ACTIVE,
        "cangnan-member-home-visits-2020",
    ),
    DemoPosting(
        "demo:zhang-hongbo",
        "330303001",
        R.RESIDENT_CADRE,
        "状元街道驻村干部",
        date(2020, 3, 1),
        None,
        ACTIVE,
        "longwan-two-evaluations-three-exams-2020",
    ),
    DemoPosting(
        "demo:zeng-qiliang",
        "330381101001",
        R.RESIDENT_CADRE,
        "龙山村驻村干部",
        date(2020, 3, 1),
        None,
        ACTIVE,
        "ruian-form-map-book-rates-2020",
    ),
    DemoPosting(
        "demo:jiang-mingxing",
        "330383000001",
        R.LIAISON,
        "科级干部包联方岩社区",
        date(2020, 1, 1),
        None,
        ACTIVE,
        "longgang-three-visits-three-inspections-2020",
    ),
    # 三门 五线历练: four to six months in 2018, all completed.
    DemoPosting(
        "demo:mao-wuyong",
        "331022101",
        R.SECONDED,
        "挂职任珠岙镇党委副书记",
        FIVE_LINE_START,
        date(2018, 8, 31),
        COMPLETED,
        FIVE_LINE,
    ),
    DemoPosting(
        "demo:zheng-haiying",
        "331022Z01",
        R.SECONDED,
        "挂职到西区指挥部",
        FIVE_LINE_START,
        date(2018, 8, 31),
        COMPLETED,
        FIVE_LINE,
    ),
    DemoPosting(
        "demo:he-kaiyong",
        "331022101",
        R.SECONDED,
        "挂职珠岙镇(驻里塘村)",
        FIVE_LINE_START,
        date(2018, 6, 30),
        COMPLETED,
        FIVE_LINE,
    ),
    DemoPosting(
        "demo:fang-botao",
        "331022102",
        R.SECONDED,
        "挂职任亭旁镇党委委员",
        FIVE_LINE_START,
        date(2018, 8, 31),
        COMPLETED,
        FIVE_LINE,
    ),
    DemoPosting(
        "demo:shao-guoqian",
        "331022001",
        R.SECONDED,
        "挂职任海游街道办事处主任助理",
        FIVE_LINE_START,
        date(2018, 8, 31),
        COMPLETED,
        FIVE_LINE,
    ),
    DemoPosting(
        "demo:lai-dali",
        "331022101",
        R.SECONDED,
        "挂职珠岙镇",
        FIVE_LINE_START,
        date(2018, 8, 31),
        COMPLETED,
        FIVE_LINE,
    ),
    DemoPosting(
        "demo:zhang-bin",
        "331022102",
        R.SECONDED,
        "挂职亭旁镇",
        FIVE_LINE_START,
        date(2018, 8, 31),
        COMPLETED,
        FIVE_LINE,
    ),
    # 通州 一线挂职锻炼: one year from March 2021.
    DemoPosting(
        "demo:liu-zhongwen",
        "320612101001",
        R.FIRST_SECRETARY,
        "挂职东社镇新桥村第一书记",
        TONGZHOU_START,
        date(2022, 2, 28),
        ACTIVE,
        TONGZHOU,
    ),
    DemoPosting(
        "demo:lu-wentao",
        "320612Z01",
        R.SECONDED,
        "挂职通州高新区",
        TONGZHOU_START,
        date(2022, 2, 28),
        ACTIVE,
        TONGZHOU,
    ),
    DemoPosting(
        "demo:mao-jinbin",
        "320612102001",
        R.FIRST_SECRETARY,
        "挂职刘桥镇长岸村第一书记",
        TONGZHOU_START,
        date(2022, 2, 28),
        ACTIVE,
        TONGZHOU,
    ),
    DemoPosting(
        "demo:zhang-xuetong",
        "320612Z02",
        R.SECONDED,
        "挂职江海大道东延项目",
        TONGZHOU_START,
        date(2022, 2, 28),
        ACTIVE,
        TONGZHOU,
    ),
    DemoPosting(
        "demo:zhu-junlong",
        "320612Z01",
        R.SECONDED,
        "招商一线挂职",
        TONGZHOU_START,
        date(2022, 2, 28),
        ACTIVE,
        TONGZHOU,
    ),
    DemoPosting(
        "demo:xu-haifu",
        "320612D01",
        R.SECONDED,
        "信访一线挂职",
        TONGZHOU_START,
        date(2022, 2, 28),
        ACTIVE,
        TONGZHOU,
    ),
    DemoPosting(
        "demo:tongzhou-recalled-cadre",
        "320612102",
        R.SECONDED,
        "挂职刘桥镇党委委员",
        TONGZHOU_START,
        date(2021, 9, 30),
        RECALLED,
        TONGZHOU,
        "“空挂”:挂职期间长期不在岗,召回“回炉再造”(虚构示例)",
    ),
    DemoPosting(
        "demo:bian-shuiyang",
        "320612105001G01",
        R.GRID_MEMBER,
        "西禅寺村网格长",
        date(2021, 1, 1),
        None,
        ACTIVE,
    ),
    DemoPosting(
        "demo:zhang-weijian",
        "320612105001G01",
        R.GRID_MEMBER,
        "西禅寺村网格长",
        date(2021, 1, 1),
        None,
        ACTIVE,
    ),
    DemoPosting(
        "demo:yu-zhaohui",
        "320612103001G01",
        R.GRID_MEMBER,
        "余西社区疫情防控联络员",
        date(2021, 1, 1),
        None,
        ACTIVE,
        "tongzhou-erjia-grids-2021",
    ),
    # 朝阳 四员
    DemoPosting(
        "demo:lv-xin",
        "211303001001",
        R.ASSISTANT,
        "新北社区“大党委”助理员",
        date(2022, 3, 1),
        None,
        ACTIVE,
        "chaoyang-four-roles-2022",
    ),
    DemoPosting(
        "demo:li-zhongren",
        "211381001",
        R.GUIDE,
        "南山街道基层治理指导员",
        date(2022, 3, 1),
        None,
        ACTIVE,
        "chaoyang-four-roles-2022",
    ),
    DemoPosting(
        "demo:liu-zhenhai",
        "211322001",
        R.GUIDE,
        "铁南街道城市基层治理指导员",
        date(2022, 3, 1),
        None,
        ACTIVE,
        "chaoyang-four-roles-2022",
    ),
    DemoPosting(
        "demo:wang-guangyu",
        "210103001002",
        R.FIRST_SECRETARY,
        "派驻松泉社区第一书记",
        date(2023, 1, 1),
        None,
        ACTIVE,
        "shenhe-wanlian-party-projects-2023",
    ),
)

# --- Metrics ------------------------------------------------------------------------------------

SUM, AVG, MIN, MAX, LAST = (
    Aggregation.SUM,
    Aggregation.AVG,
    Aggregation.MIN,
    Aggregation.MAX,
    Aggregation.LAST,
)
INT, DEC, PCT = ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT


def _m(
    source: str, slug: str, name: str, uom: str, agg: Aggregation, vt: ValueType, description: str
) -> DemoMetric:
    return DemoMetric(source, slug, name, uom, agg, vt, description)


METRICS: tuple[DemoMetric, ...] = (
    # 泰顺 云联审
    _m(
        "taishun.joint_review",
        "departments",
        "联审单位数 reviewing departments",
        "个",
        LAST,
        INT,
        "Departments that vet each preliminary election candidate.",
    ),
    _m(
        "taishun.joint_review",
        "offline_days_min",
        "线下联审最短时长 offline review, fastest",
        "天",
        MIN,
        INT,
        "Paper review carried to every department, fastest case (before).",
    ),
    _m(
        "taishun.joint_review",
        "offline_days_max",
        "线下联审最长时长 offline review, slowest",
        "天",
        MAX,
        INT,
        "Paper review carried to every department, slowest case (before).",
    ),
    _m(
        "taishun.joint_review",
        "turnaround_working_days",
        "云联审时长 online review turnaround",
        "工作日",
        AVG,
        DEC,
        "Working days from a town's submission to its feedback, online.",
    ),
    _m(
        "taishun.joint_review",
        "review_days_per_week",
        "每周审核天数 review days per week",
        "天",
        LAST,
        INT,
        "Departments review as submissions arrive (随报随审).",
    ),
    # 文成 三度测评一试岗
    _m(
        "wencheng.three_degree",
        "reserve_cadres_on_trial",
        "试岗后备干部数 reserve cadres on trial",
        "人",
        SUM,
        INT,
        "Reserve cadres sent to a 2-month trial post after the assessment and public notice.",
    ),
    _m(
        "wencheng.three_degree",
        "trial_months",
        "试岗期限 trial post length",
        "月",
        LAST,
        INT,
        "Length of the trial post (试岗).",
    ),
    # 鹿城 四访四问
    _m(
        "lucheng.four_visits",
        "households_visited",
        "走访户数 households visited",
        "户",
        SUM,
        INT,
        "Households visited door to door by town leaders and village-resident cadres.",
    ),
    # 瓯海 村社运行规范年
    _m(
        "ouhai.standard_year",
        "measures",
        "规范举措数 measures",
        "条",
        LAST,
        INT,
        "Measures of the standard-operation year, in 5 areas.",
    ),
    _m(
        "ouhai.standard_year",
        "projects_started",
        "开工项目数 projects started",
        "个",
        SUM,
        INT,
        "Village collective-economy projects started.",
    ),
    # 乐清 返乡大学生“135”
    _m(
        "yueqing.graduates_135",
        "graduate_village_cadres",
        "返乡大学生村干部数 graduate village cadres",
        "人",
        LAST,
        INT,
        "Returning graduates now serving as village cadres.",
    ),
    _m(
        "yueqing.graduates_135",
        "villages_covered",
        "覆盖村社数 villages covered",
        "个",
        LAST,
        INT,
        "Villages and communities with at least one graduate cadre.",
    ),
    _m(
        "yueqing.graduates_135",
        "seconded_young_cadres",
        "挂职锻炼年轻干部数 young cadres seconded",
        "人",
        SUM,
        INT,
        "Young village cadres on a one-month secondment.",
    ),
    _m(
        "yueqing.graduates_135",
        "trainees",
        "能力提升班学员数 trainees",
        "人",
        SUM,
        INT,
        "Young village cadres in a capability class.",
    ),
    # 永嘉 双促一稳: the three rates (三率); the report gives no figures.
    _m(
        "yongjia.two_promotions_one_stability",
        "satisfaction_rate",
        "满意率 satisfaction rate",
        "%",
        AVG,
        PCT,
        "Satisfaction with the current village team.",
    ),
    _m(
        "yongjia.two_promotions_one_stability",
        "recommendation_rate",
        "推荐得票率 recommendation vote rate",
        "%",
        AVG,
        PCT,
        "Share of recommendation votes a prospective candidate won.",
    ),
    _m(
        "yongjia.two_promotions_one_stability",
        "election_probability",
        "当选概率 election probability",
        "%",
        AVG,
        PCT,
        "Estimated chance that a prospective candidate is elected.",
    ),
    # 平阳 换届志愿服务队
    _m(
        "pingyang.election_volunteers",
        "teams",
        "志愿服务队数 volunteer teams",
        "支",
        SUM,
        INT,
        "Election volunteer teams, one per village or community.",
    ),
    _m(
        "pingyang.election_volunteers",
        "members",
        "志愿者人数 volunteers",
        "人",
        SUM,
        INT,
        "Members of the election volunteer teams.",
    ),
    # 苍南 党员家访
    _m(
        "cangnan.member_home_visits",
        "visiting_leaders",
        "家访乡镇领导干部数 visiting leaders",
        "人",
        SUM,
        INT,
        "Township leaders visiting the members of their linked villages.",
    ),
    _m(
        "cangnan.member_home_visits",
        "members_visited",
        "走访党员和村干部数 members visited",
        "人",
        SUM,
        INT,
        "Party members and village cadres visited, at home or by phone.",
    ),
    # 龙湾 双评三考
    _m(
        "longwan.two_evaluations_three_exams",
        "problem_categories",
        "难题类别数 problem categories",
        "类",
        LAST,
        INT,
        "Categories of problems found before the election.",
    ),
    _m(
        "longwan.two_evaluations_three_exams",
        "problems_found",
        "具体问题数 problems found",
        "个",
        SUM,
        INT,
        "Specific problems found before the election.",
    ),
    _m(
        "longwan.two_evaluations_three_exams",
        "inspection_reports",
        "主职干部考察报告数 inspection reports",
        "份",
        SUM,
        INT,
        "Inspection reports on main village cadres.",
    ),
    _m(
        "longwan.two_evaluations_three_exams",
        "public_requests",
        "群众诉求数 public requests",
        "条",
        SUM,
        INT,
        "Requests collected from the public.",
    ),
    # 瑞安 一表一图一本两率 (one village-resident cadre's figures)
    _m(
        "ruian.form_map_book_rates",
        "meetings_held",
        "召开会议数 meetings held",
        "场",
        SUM,
        INT,
        "Meetings held by a village-resident cadre.",
    ),
    _m(
        "ruian.form_map_book_rates",
        "household_visits",
        "入户走访次数 household visits",
        "次",
        SUM,
        INT,
        "Household visits by a village-resident cadre.",
    ),
    _m(
        "ruian.form_map_book_rates",
        "people_talked_to",
        "谈话人次 people talked to",
        "人次",
        SUM,
        INT,
        "Party members and villagers talked to by a village-resident cadre.",
    ),
    # 龙港 三访三察
    _m(
        "longgang.three_visits_three_inspections",
        "linked_cadres",
        "包联科级干部数 linked cadres",
        "人",
        SUM,
        INT,
        "Section-level cadres linked to communities.",
    ),
    _m(
        "longgang.three_visits_three_inspections",
        "communities_linked",
        "包联社区数 communities linked",
        "个",
        SUM,
        INT,
        "Communities with at least one linked cadre.",
    ),
    _m(
        "longgang.three_visits_three_inspections",
        "talks",
        "谈心谈话人次 talks",
        "人次",
        SUM,
        INT,
        "Talks with community cadres, members and masses.",
    ),
    _m(
        "longgang.three_visits_three_inspections",
        "matters_solved",
        "协调解决事项数 matters solved",
        "件",
        SUM,
        INT,
        "Matters solved: livelihood, land, housing.",
    ),
    # 浙南产业集聚区 五个先行 / 问题清零
    _m(
        "zhenan.problems_to_zero",
        "survey_teams",
        "清底调查队数 survey teams",
        "支",
        SUM,
        INT,
        "Teams of a linked leader and a village group.",
    ),
    _m(
        "zhenan.problems_to_zero",
        "people_talked_to",
        "谈话党员群众数 people talked to",
        "人",
        SUM,
        INT,
        "Party members and masses talked to.",
    ),
    _m(
        "zhenan.problems_to_zero",
        "households_visited",
        "调查走访户数 households visited",
        "户",
        SUM,
        INT,
        "Households visited by the survey teams.",
    ),
    # 三门 五线历练 (each seconded cadre's quantified experience)
    _m(
        "sanmen.five_line",
        "petition_backlog_resolved",
        "化解信访积案数 old petition cases resolved",
        "起",
        SUM,
        INT,
        "Petition cases open for a decade or more, resolved.",
    ),
    _m(
        "sanmen.five_line",
        "first_petitions_closed",
        "办结初信初访数 first petitions closed",
        "件",
        SUM,
        INT,
        "First letters and visits closed.",
    ),
    _m(
        "sanmen.five_line",
        "disputes_mediated",
        "调解纠纷数 disputes mediated",
        "起",
        SUM,
        INT,
        "Disputes between residents mediated.",
    ),
    _m(
        "sanmen.five_line",
        "firms_visited",
        "走访企业数 firms visited",
        "家",
        SUM,
        INT,
        "Firms visited to collect data.",
    ),
    _m(
        "sanmen.five_line",
        "firms_closed",
        "关停企业数 firms closed",
        "家",
        SUM,
        INT,
        "Low-yield unsafe firms closed.",
    ),
    _m(
        "sanmen.five_line",
        "firms_relocated",
        "搬离企业数 firms relocated",
        "家",
        SUM,
        INT,
        "Low-yield firms moved away.",
    ),
    _m(
        "sanmen.five_line",
        "firms_upgraded",
        "整改提升企业数 firms upgraded",
        "家",
        SUM,
        INT,
        "Low-yield firms upgraded.",
    ),
    _m(
        "sanmen.five_line",
        "villages_without_toilet_renovation",
        "未改厕村数 villages without toilet renovation",
        "个",
        SUM,
        INT,
        "Villages found without rural toilet renovation.",
    ),
    _m(
        "sanmen.five_line",
        "households_without_toilet_renovation",
        "未改厕户数 households without toilet renovation",
        "户",
        SUM,
        INT,
        "Households found without rural toilet renovation.",
    ),
    _m(
        "sanmen.five_line",
        "legacy_issues_resolved",
        "历史遗留问题解决数 legacy issues resolved",
        "件",
        SUM,
        INT,
        "Old permit and title problems of firms resolved.",
    ),
    # 三门 海润街道 民生实事项目票选制
    _m(
        "sanmen.project_vote",
        "projects_chosen",
        "票选实事项目数 projects chosen",
        "件",
        SUM,
        INT,
        "Livelihood projects chosen by the deputies' vote.",
    ),
    # 通州 一线挂职锻炼
    _m(
        "tongzhou.frontline_secondment",
        "cadres_seconded",
        "一线挂职干部数 cadres seconded",
        "人",
        SUM,
        INT,
        "Cadres seconded to the front line for a year.",
    ),
    _m(
        "tongzhou.frontline_secondment",
        "three_door_cadres",
        "“三门”干部挂职数 three-door cadres seconded",
        "人",
        SUM,
        INT,
        "Home-school-office cadres sent to villages, parks and firms.",
    ),
    _m(
        "tongzhou.frontline_secondment",
        "investment_postgraduates",
        "招商一线研究生数 postgraduates in investment promotion",
        "人",
        SUM,
        INT,
        "Postgraduates around 30 sent to investment promotion.",
    ),
    _m(
        "tongzhou.frontline_secondment",
        "department_committee_members",
        "挂职部门党委成员数 department committee members",
        "人",
        SUM,
        INT,
        "Young cadres seconded as members of department party committees.",
    ),
    _m(
        "tongzhou.frontline_secondment",
        "first_secretaries",
        "驻村第一书记数 first secretaries",
        "人",
        SUM,
        INT,
        "Cadres serving as village or community first secretaries.",
    ),
    _m(
        "tongzhou.frontline_secondment",
        "key_project_person_times",
        "重点工作抽调人次 key-project person-times",
        "人次",
        SUM,
        INT,
        "Person-times on key projects.",
    ),
    _m(
        "tongzhou.frontline_secondment",
        "promoted",
        "提拔使用数 promoted",
        "人",
        SUM,
        INT,
        "Seconded cadres later promoted.",
    ),
    _m(
        "tongzhou.frontline_secondment",
        "advanced_area_secondments",
        "赴先进地区跟班学习数 sent to advanced areas",
        "人",
        SUM,
        INT,
        "Cadres sent to provincial organs, Shanghai and south Jiangsu.",
    ),
    # 通州 二甲镇 网格
    _m(
        "tongzhou.erjia_grids",
        "villages",
        "村居数 villages",
        "个",
        LAST,
        INT,
        "Villages and communities of the town.",
    ),
    _m(
        "tongzhou.erjia_grids",
        "comprehensive_grids",
        "综合网格数 comprehensive grids",
        "个",
        LAST,
        INT,
        "Comprehensive grids (综合网格).",
    ),
    _m(
        "tongzhou.erjia_grids",
        "dedicated_grids",
        "专属网格数 dedicated grids",
        "个",
        LAST,
        INT,
        "Dedicated grids (专属网格).",
    ),
    _m(
        "tongzhou.erjia_grids",
        "grid_workers",
        "网格力量人数 grid workers",
        "人",
        LAST,
        INT,
        "Grid workers of the town.",
    ),
    _m(
        "tongzhou.erjia_grids",
        "anti_fraud_activities",
        "反诈活动次数 anti-fraud activities",
        "次",
        SUM,
        INT,
        "Anti-fraud activities held.",
    ),
    _m(
        "tongzhou.erjia_grids",
        "anti_fraud_leaflets",
        "反诈宣传手册数 anti-fraud leaflets",
        "份",
        SUM,
        INT,
        "Anti-fraud leaflets handed out.",
    ),
    _m(
        "tongzhou.erjia_grids",
        "anti_fraud_links",
        "反诈链接推广数 anti-fraud links",
        "条",
        SUM,
        INT,
        "Anti-fraud links promoted.",
    ),
    _m(
        "tongzhou.erjia_grids",
        "anti_fraud_lectures",
        "反诈讲座场次 anti-fraud lectures",
        "场",
        SUM,
        INT,
        "Anti-fraud lectures given.",
    ),
    _m(
        "tongzhou.erjia_grids",
        "legal_cases_pushed",
        "推送普法案例数 legal cases pushed",
        "条",
        SUM,
        INT,
        "Legal-education cases pushed online.",
    ),
    # 湘乡 东山
    _m(
        "xiangxiang.sentiment_talks",
        "meetings",
        "调研会恳谈会场次 talk meetings",
        "场",
        SUM,
        INT,
        "Survey meetings and sentiment talk meetings held.",
    ),
    _m(
        "xiangxiang.sentiment_talks",
        "reports",
        "调研文章篇数 survey reports",
        "篇",
        SUM,
        INT,
        "Survey reports written.",
    ),
    _m(
        "xiangxiang.sentiment_talks",
        "guidance_opinions",
        "导向操作性意见数 guidance opinions",
        "个",
        SUM,
        INT,
        "Guidance opinions issued.",
    ),
    _m(
        "xiangxiang.sentiment_talks",
        "problems_solved",
        "解决群众实际问题数 problems solved",
        "个",
        SUM,
        INT,
        "Practical problems of the masses solved.",
    ),
    _m(
        "xiangxiang.frontline_work",
        "cadre_share_target",
        "下村干部比例 share of cadres in villages",
        "%",
        LAST,
        PCT,
        "Target share of office cadres working in the villages.",
    ),
    _m(
        "xiangxiang.frontline_work",
        "time_share_target",
        "下村时间比例 share of time in villages",
        "%",
        LAST,
        PCT,
        "Target share of their time those cadres spend there.",
    ),
    _m(
        "xiangxiang.frontline_work",
        "visiting_cadres",
        "走访机关干部数 visiting cadres",
        "人",
        SUM,
        INT,
        "Office cadres who visited households with a questionnaire.",
    ),
    _m(
        "xiangxiang.frontline_work",
        "households_visited",
        "走访农户数 households visited",
        "户",
        SUM,
        INT,
        "Households visited with a questionnaire.",
    ),
    _m(
        "xiangxiang.cadre_evaluation",
        "offices_competed",
        "竞聘上岗站办所数 offices competed",
        "个",
        SUM,
        INT,
        "Offices whose middle managers competed for their posts.",
    ),
    # 朝阳 四员
    _m(
        "chaoyang.four_roles",
        "cadres_dispatched",
        "“四员”选派人数 cadres dispatched",
        "人",
        SUM,
        INT,
        "Cadres dispatched as the four roles, all roles together.",
    ),
    _m(
        "chaoyang.four_roles",
        "supervisors",
        "社会治理督导员数 supervisors",
        "人",
        SUM,
        INT,
        "County-level cadres as social-governance supervisors.",
    ),
    _m(
        "chaoyang.four_roles",
        "guides",
        "城市基层治理指导员数 guides",
        "人",
        SUM,
        INT,
        "Deputy-division-level cadres as urban governance guides.",
    ),
    _m(
        "chaoyang.four_roles",
        "liaisons",
        "街道“大工委”联络员数 liaisons",
        "人",
        SUM,
        INT,
        "Retired section-level cadres as liaisons of street big working committees.",
    ),
    _m(
        "chaoyang.four_roles",
        "assistants",
        "社区“大党委”助理员数 assistants",
        "人",
        SUM,
        INT,
        "Young cadres as assistants of community big party committees.",
    ),
    _m(
        "chaoyang.four_roles",
        "excellent_share",
        "半年考察优秀占比 share rated excellent",
        "%",
        LAST,
        PCT,
        "Share of dispatched cadres rated excellent at the half-year review.",
    ),
    _m(
        "chaoyang.four_roles",
        "household_checks",
        "入户排查人次 household checks",
        "人次",
        SUM,
        INT,
        "Household checks by the dispatched cadres, all together.",
    ),
    _m(
        "chaoyang.four_roles",
        "urgent_problems_solved",
        "解决急难愁盼问题数 urgent problems solved",
        "件",
        SUM,
        INT,
        "Urgent problems of the masses solved, all cadres together.",
    ),
    _m(
        "chaoyang.four_roles",
        "livelihood_matters",
        "民生实事数 livelihood matters",
        "件",
        SUM,
        INT,
        "Livelihood matters arranged, all cadres together.",
    ),
    _m(
        "chaoyang.four_roles",
        "communities_visited",
        "走访社区数 communities visited",
        "个",
        SUM,
        INT,
        "Communities one guide visited.",
    ),
    _m(
        "chaoyang.four_roles",
        "requests_handled",
        "协助解决群众诉求件次 requests handled",
        "件次",
        SUM,
        INT,
        "Requests one guide helped the street resolve.",
    ),
    _m(
        "chaoyang.four_roles",
        "street_problems_solved",
        "帮助街道社区解决问题数 problems solved for the street",
        "件",
        SUM,
        INT,
        "Practical problems one guide solved.",
    ),
    _m(
        "chaoyang.four_roles",
        "households_helped",
        "解决吃水难户数 households helped",
        "户",
        SUM,
        INT,
        "Households whose frozen water supply one guide got restored.",
    ),
    # 沈河 万莲街道
    _m(
        "shenhe.wanlian_party_projects",
        "secretary_projects",
        "书记项目数 secretary projects",
        "个",
        SUM,
        INT,
        "Secretary projects in the three-level party project library.",
    ),
    _m(
        "shenhe.wanlian_party_projects",
        "incubated_organisations",
        "入驻孵化组织数 incubated organisations",
        "家",
        SUM,
        INT,
        "Organisations hosted by the incubation base.",
    ),
    _m(
        "shenhe.wanlian_party_projects",
        "first_secretaries",
        "派驻第一书记数 first secretaries",
        "人",
        SUM,
        INT,
        "First secretaries posted to the communities.",
    ),
    # 抚顺县 三家子村
    _m(
        "fushun.sanjiazi_services",
        "qr_services",
        "二维码服务事项数 QR-code services",
        "项",
        LAST,
        INT,
        "Common services offered as QR codes.",
    ),
    _m(
        "fushun.sanjiazi_services",
        "county_services_online",
        "全县通办事项数 county services online",
        "项",
        LAST,
        INT,
        "County services handled online from the village.",
    ),
    _m(
        "fushun.sanjiazi_services",
        "matters_handled",
        "办理服务事项数 matters handled",
        "件",
        SUM,
        INT,
        "Service matters handled for villagers.",
    ),
    # 大洼 交流轮岗
    _m(
        "dawa.rotation",
        "completion_rate",
        "轮岗完成率 rotation completion rate",
        "%",
        LAST,
        PCT,
        "Share of due middle managers rotated.",
    ),
    _m(
        "dawa.rotation",
        "units",
        "轮岗单位数 units rotating",
        "家",
        LAST,
        INT,
        "Organs and institutions taking part in the rotation.",
    ),
    _m(
        "dawa.rotation",
        "rotation_rounds",
        "轮岗批次数 rotation rounds",
        "次",
        SUM,
        INT,
        "Rounds of middle-manager rotation.",
    ),
    _m(
        "dawa.rotation",
        "inspections",
        "专项督导次数 inspections",
        "次",
        SUM,
        INT,
        "Inspections of how the rotation is carried out.",
    ),
)

# --- Observations -------------------------------------------------------------------------------

WEEK, MONTH, QUARTER, YEAR = Period.WEEK, Period.MONTH, Period.QUARTER, Period.YEAR

#: 鹿城 四访四问: 32,000 households by town and month (April and May 2020), summing exactly.
LUCHENG_VISITS: tuple[tuple[str, int, int], ...] = (
    # (town, April, May)
    ("330302101", 4200, 3900),  # 藤桥镇
    ("330302102", 2600, 2300),  # 山福镇
    ("330302001", 3800, 3200),  # 双屿街道
    ("330302002", 3300, 3100),  # 七都街道
    ("330302003", 2900, 2700),  # 仰义街道
)


def _scheme_observations(
    initiative: str,
    scheme: str,
    unit: str,
    period: Period,
    start: date,
    values: dict[str, float],
    person: str | None = None,
) -> tuple[DemoObservation, ...]:
    return tuple(
        DemoObservation(f"{scheme}.{slug}", unit, period, start, value, initiative, person)
        for slug, value in values.items()
    )


Y2020, Y2021, Y2022, Y2023 = date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1), date(2023, 1, 1)
Y2018, Y2007 = date(2018, 1, 1), date(2007, 1, 1)

OBSERVATIONS: tuple[DemoObservation, ...] = (
    # 鹿城 四访四问
    *(
        DemoObservation(
            "lucheng.four_visits.households_visited",
            town,
            MONTH,
            date(2020, month, 1),
            value,
            "lucheng-four-visits-2020",
        )
        for town, april, may in LUCHENG_VISITS
        for month, value in ((4, april), (5, may))
    ),
    # 泰顺 云联审: before (the 2017 election round) and now.
    *_scheme_observations(
        "taishun-joint-review-2020",
        "taishun.joint_review",
        "330329",
        YEAR,
        date(2017, 1, 1),
        {"offline_days_min": 3, "offline_days_max": 7},
    ),
    *_scheme_observations(
        "taishun-joint-review-2020",
        "taishun.joint_review",
        "330329",
        YEAR,
        Y2020,
        {"departments": 15, "turnaround_working_days": 2.5},
    ),
    *_scheme_observations(
        "taishun-joint-review-2020",
        "taishun.joint_review",
        "330329",
        WEEK,
        date(2020, 5, 25),
        {"review_days_per_week": 7},
    ),
    # 文成 三度测评一试岗
    *_scheme_observations(
        "wencheng-three-degree-2020",
        "wencheng.three_degree",
        "330328",
        YEAR,
        Y2020,
        {"reserve_cadres_on_trial": 27, "trial_months": 2},
    ),
    # 瓯海 村社运行规范年
    *_scheme_observations(
        "ouhai-standard-year-2020", "ouhai.standard_year", "330304", YEAR, Y2020, {"measures": 18}
    ),
    *_scheme_observations(
        "ouhai-standard-year-2020",
        "ouhai.standard_year",
        "330304",
        QUARTER,
        date(2020, 4, 1),
        {"projects_started": 40},
    ),
    # 乐清 返乡大学生“135”
    *_scheme_observations(
        "yueqing-graduates-135-2020",
        "yueqing.graduates_135",
        "330382",
        YEAR,
        Y2020,
        {"graduate_village_cadres": 1359, "villages_covered": 514},
    ),
    *_scheme_observations(
        "yueqing-graduates-135-2020",
        "yueqing.graduates_135",
        "330382101",
        MONTH,
        date(2020, 5, 1),
        {"seconded_young_cadres": 8},
    ),
    *_scheme_observations(
        "yueqing-graduates-135-2020",
        "yueqing.graduates_135",
        "330382001",
        MONTH,
        date(2020, 5, 1),
        {"trainees": 50},
    ),
    # 平阳 换届志愿服务队
    *_scheme_observations(
        "pingyang-election-volunteers-2020",
        "pingyang.election_volunteers",
        "330326",
        YEAR,
        Y2020,
        {"teams": 453, "members": 1640},
    ),
    # 苍南 党员家访
    *_scheme_observations(
        "cangnan-member-home-visits-2020",
        "cangnan.member_home_visits",
        "330327",
        YEAR,
        Y2020,
        {"visiting_leaders": 242, "members_visited": 15000},
    ),
    # 龙湾 双评三考
    *_scheme_observations(
        "longwan-two-evaluations-three-exams-2020",
        "longwan.two_evaluations_three_exams",
        "330303",
        YEAR,
        Y2020,
        {
            "problem_categories": 6,
            "problems_found": 43,
            "inspection_reports": 139,
            "public_requests": 100,
        },
    ),
    # 瑞安 一表一图一本两率: 曾启亮 at 龙山村
    *_scheme_observations(
        "ruian-form-map-book-rates-2020",
        "ruian.form_map_book_rates",
        "330381101001",
        YEAR,
        Y2020,
        {"meetings_held": 10, "household_visits": 300, "people_talked_to": 420},
        person="demo:zeng-qiliang",
    ),
    # 龙港 三访三察
    *_scheme_observations(
        "longgang-three-visits-three-inspections-2020",
        "longgang.three_visits_three_inspections",
        "330383",
        YEAR,
        Y2020,
        {"linked_cadres": 134, "communities_linked": 102, "talks": 372, "matters_solved": 165},
    ),
    # 浙南产业集聚区 海城街道
    *_scheme_observations(
        "zhenan-problems-to-zero-2020",
        "zhenan.problems_to_zero",
        "330300Z01001",
        YEAR,
        Y2020,
        {"survey_teams": 10, "people_talked_to": 3000, "households_visited": 5571},
    ),
    # 三门 五线历练: each cadre's figures at the host unit
    *_scheme_observations(
        FIVE_LINE,
        "sanmen.five_line",
        "331022101",
        YEAR,
        Y2018,
        {"petition_backlog_resolved": 2, "first_petitions_closed": 6, "disputes_mediated": 12},
        person="demo:mao-wuyong",
    ),
    *_scheme_observations(
        FIVE_LINE,
        "sanmen.five_line",
        "331022Z01",
        YEAR,
        Y2018,
        {"firms_visited": 130},
        person="demo:zheng-haiying",
    ),
    *_scheme_observations(
        FIVE_LINE,
        "sanmen.five_line",
        "331022101",
        YEAR,
        Y2018,
        {"legacy_issues_resolved": 5},
        person="demo:he-kaiyong",
    ),
    *_scheme_observations(
        FIVE_LINE,
        "sanmen.five_line",
        "331022001",
        YEAR,
        Y2018,
        {"firms_closed": 15, "firms_relocated": 9, "firms_upgraded": 34},
        person="demo:shao-guoqian",
    ),
    *_scheme_observations(
        FIVE_LINE,
        "sanmen.five_line",
        "331022101",
        YEAR,
        Y2018,
        {"villages_without_toilet_renovation": 44, "households_without_toilet_renovation": 832},
        person="demo:lai-dali",
    ),
    # 三门 海润街道 票选制, January 2018
    *_scheme_observations(
        "sanmen-hairun-project-vote-2018",
        "sanmen.project_vote",
        "331022002",
        MONTH,
        date(2018, 1, 1),
        {"projects_chosen": 6},
    ),
    # 通州 一线挂职锻炼
    *_scheme_observations(
        TONGZHOU,
        "tongzhou.frontline_secondment",
        "320612",
        YEAR,
        Y2021,
        {
            "cadres_seconded": 100,
            "three_door_cadres": 15,
            "investment_postgraduates": 5,
            "department_committee_members": 45,
            "first_secretaries": 80,
            "key_project_person_times": 200,
            "promoted": 52,
        },
    ),
    *_scheme_observations(
        "tongzhou-advanced-areas-2022",
        "tongzhou.frontline_secondment",
        "320612",
        YEAR,
        Y2022,
        {"advanced_area_secondments": 10},
    ),
    # 通州 二甲镇 网格
    *_scheme_observations(
        "tongzhou-erjia-grids-2021",
        "tongzhou.erjia_grids",
        "320612103",
        YEAR,
        Y2021,
        {
            "villages": 12,
            "comprehensive_grids": 53,
            "dedicated_grids": 4,
            "grid_workers": 600,
            "anti_fraud_activities": 60,
            "anti_fraud_leaflets": 15000,
            "anti_fraud_links": 4000,
            "anti_fraud_lectures": 30,
            "legal_cases_pushed": 1500,
        },
    ),
    # 湘乡 东山街道, 2007 (the competition for posts took place in April 2006)
    *_scheme_observations(
        "xiangxiang-sentiment-talks-2007",
        "xiangxiang.sentiment_talks",
        "430381001",
        YEAR,
        Y2007,
        {"meetings": 30, "reports": 20, "guidance_opinions": 4, "problems_solved": 40},
    ),
    *_scheme_observations(
        "xiangxiang-frontline-work-2007",
        "xiangxiang.frontline_work",
        "430381001",
        YEAR,
        Y2007,
        {
            "cadre_share_target": 80,
            "time_share_target": 80,
            "visiting_cadres": 60,
            "households_visited": 500,
        },
    ),
    *_scheme_observations(
        "xiangxiang-cadre-evaluation-2007",
        "xiangxiang.cadre_evaluation",
        "430381001",
        YEAR,
        date(2006, 1, 1),
        {"offices_competed": 21},
    ),
    # 朝阳 四员: totals for the city, then two guides' own figures
    *_scheme_observations(
        "chaoyang-four-roles-2022",
        "chaoyang.four_roles",
        "211300",
        YEAR,
        Y2022,
        {
            "cadres_dispatched": 263,
            "supervisors": 7,
            "guides": 28,
            "liaisons": 28,
            "assistants": 200,
            "excellent_share": 30,
            "household_checks": 50000,
            "urgent_problems_solved": 5800,
            "livelihood_matters": 2000,
        },
    ),
    *_scheme_observations(
        "chaoyang-four-roles-2022",
        "chaoyang.four_roles",
        "211381001",
        YEAR,
        Y2022,
        {"communities_visited": 8, "requests_handled": 681, "street_problems_solved": 75},
        person="demo:li-zhongren",
    ),
    *_scheme_observations(
        "chaoyang-four-roles-2022",
        "chaoyang.four_roles",
        "211322001001",
        YEAR,
        Y2022,
        {"households_helped": 60},
        person="demo:liu-zhenhai",
    ),
    # 沈河 万莲街道
    *_scheme_observations(
        "shenhe-wanlian-party-projects-2023",
        "shenhe.wanlian_party_projects",
        "210103001",
        YEAR,
        Y2023,
        {"secretary_projects": 125, "incubated_organisations": 171, "first_secretaries": 9},
    ),
    # 抚顺县 三家子村
    *_scheme_observations(
        "fushun-sanjiazi-services-2022",
        "fushun.sanjiazi_services",
        "210421201001",
        YEAR,
        Y2022,
        {"qr_services": 39, "county_services_online": 21, "matters_handled": 200},
    ),
    # 大洼区
    *_scheme_observations(
        "dawa-rotation-2023",
        "dawa.rotation",
        "211104",
        YEAR,
        Y2023,
        {"completion_rate": 95, "units": 99, "rotation_rounds": 6, "inspections": 70},
    ),
)
