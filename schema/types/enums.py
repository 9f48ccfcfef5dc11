"""The core enums, exposed to GraphQL with descriptions carrying the Chinese terms."""

import strawberry

from core.initiatives.models import InitiativeKind, InitiativeStatus
from core.metrics.models import Aggregation, Period, ValueType
from core.people.models import Gender, PoliticalStatus, Rank
from core.postings.models import PostingRole, PostingStatus
from core.units.models import UnitKind

UnitKindEnum = strawberry.enum(
    UnitKind,
    name="UnitKind",
    description="省 PROVINCE, 市 CITY, 区县 DISTRICT, 乡镇街道 TOWN, 村社区 VILLAGE, 网格 GRID, "
    "部门 DEPARTMENT, OTHER.",
)
GenderEnum = strawberry.enum(Gender, name="Gender", description="性别.")
PoliticalStatusEnum = strawberry.enum(
    PoliticalStatus,
    name="PoliticalStatus",
    description="政治面貌: 中共党员 CPC_MEMBER, 预备党员 CPC_PROBATIONARY, 共青团员 CYL_MEMBER, "
    "无党派 NON_PARTISAN, 民主党派 DEMOCRATIC_PARTY, 群众 MASSES.",
)
RankEnum = strawberry.enum(
    Rank,
    name="Rank",
    description="职级: 副科 SECTION_DEPUTY, 正科 SECTION_CHIEF, 副处 DIVISION_DEPUTY, "
    "正处 DIVISION_CHIEF, 副厅 BUREAU_DEPUTY, 正厅 BUREAU_CHIEF.",
)
PostingRoleEnum = strawberry.enum(
    PostingRole,
    name="PostingRole",
    description="第一书记 FIRST_SECRETARY, 驻村干部 RESIDENT_CADRE, 挂职 SECONDED, 网格员 "
    "GRID_MEMBER, 督导 SUPERVISOR, 指导员 GUIDE, 联络员 LIAISON, 助理 ASSISTANT, 试岗 TRIAL_POST.",
)
PostingStatusEnum = strawberry.enum(
    PostingStatus,
    name="PostingStatus",
    description="PLANNED (starts later), ACTIVE, COMPLETED (期满), RECALLED (召回).",
)
InitiativeKindEnum = strawberry.enum(
    InitiativeKind,
    name="InitiativeKind",
    description="专项行动 CAMPAIGN, 测评 ASSESSMENT, 审查 REVIEW, 机制 PROGRAM, 项目 PROJECT.",
)
InitiativeStatusEnum = strawberry.enum(InitiativeStatus, name="InitiativeStatus")
AggregationEnum = strawberry.enum(
    Aggregation,
    name="Aggregation",
    description="How observations combine in a series point. LAST is for stocks: each unit's "
    "latest value in the period, summed over the group's units.",
)
ValueTypeEnum = strawberry.enum(
    ValueType,
    name="ValueType",
    description="INTEGER (counts), DECIMAL, PERCENT (0–100).",
)
PeriodEnum = strawberry.enum(Period, name="Period", description="Length of an observation period.")
