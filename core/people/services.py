"""Commands on people."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core import validation as check
from core.commands import CommandContext
from core.errors import DomainError
from core.people.models import Gender, Person, PoliticalStatus, Rank
from core.units.services import require_unit

UNSET: Any = object()


async def require_person(session: AsyncSession, person_id: int | None, field: str) -> Person:
    person = await session.get(Person, person_id) if person_id is not None else None
    if person is None:
        raise DomainError.one("NOT_FOUND", "no person has this id", field)
    return person


async def _apply(ctx: CommandContext, person: Person, values: dict[str, Any]) -> None:
    if "name" in values:
        person.name = check.required_text(values["name"], "name", 100)
    if "gender" in values:
        person.gender = values["gender"] or Gender.UNSPECIFIED
    if "birth_year" in values:
        person.birth_year = check.birth_year(values["birth_year"])
    if "political_status" in values:
        person.political_status = values["political_status"] or PoliticalStatus.MASSES
    if "rank" in values:
        person.rank = values["rank"] or Rank.NONE
    if "home_unit_code" in values:
        code = values["home_unit_code"]
        person.home_unit_id = (
            (await require_unit(ctx.session, code, "homeUnitCode")).id if code else None
        )
    if "home_post" in values:
        person.home_post = check.optional_text(values["home_post"], "homePost")
    if "phone" in values:
        person.phone = check.phone(values["phone"])
    if "id_number" in values:
        person.id_number = check.id_number(values["id_number"])
    if "tags" in values:
        tags = [t.strip() for t in values["tags"] or [] if t and t.strip()]
        person.tags = list(dict.fromkeys(tags))


async def create_person(ctx: CommandContext, **values: Any) -> Person:
    person = Person(tags=[])
    values.setdefault("name", None)
    await _apply(ctx, person, values)
    if person.home_unit_id is None and not (ctx.principal is None or ctx.principal.admin):
        # Nobody but admins would see a person without a unit.
        raise DomainError.one(
            "REQUIRED", "give the person a home unit in your scope", "homeUnitCode"
        )
    await ctx.validate("createPerson", {"name": person.name, "home_unit_id": person.home_unit_id})
    ctx.session.add(person)
    await ctx.session.flush()
    ctx.publish("person.created", person_id=person.id, name=person.name)
    return person


async def update_person(
    ctx: CommandContext, person_id: int, expected_version: int | None = None, **values: Any
) -> Person:
    person = await require_person(ctx.session, person_id, "id")
    ctx.expect_version(person, expected_version)
    await _apply(ctx, person, {k: v for k, v in values.items() if v is not UNSET})
    await ctx.validate(
        "updatePerson", {"person_id": person.id, "home_unit_id": person.home_unit_id}
    )
    await ctx.session.flush()
    return person
