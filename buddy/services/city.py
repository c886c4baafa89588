"""City data: districts with centroid coordinates, loaded from buddy/cities/<city>.json."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from buddy.extensions import db
from buddy.models import District

CITIES = Path(__file__).resolve().parent.parent / "cities"


class CityError(ValueError):
    """The city file is missing or malformed; str() names the problem."""


def read_city(city: str) -> dict:
    """Read and check a city file: districts with unique ids, names and coordinates."""
    path = CITIES / f"{city}.json"
    if not path.is_file():
        raise CityError(f"CITY: no file {path.name} in {CITIES}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CityError(f"{path.name}: not valid JSON ({error})") from None
    districts = data.get("districts")
    if not isinstance(districts, list) or not districts:
        raise CityError(f"{path.name}: districts: a non-empty list is required")
    seen = set()
    for i, d in enumerate(districts):
        number = (int, float)
        for field, kind in (("id", str), ("name", str), ("lat", number), ("lon", number)):
            if not isinstance(d.get(field), kind) or isinstance(d.get(field), bool):
                raise CityError(f"{path.name}: districts[{i}].{field}: missing or wrong type")
        if d["id"] in seen:
            raise CityError(f"{path.name}: districts[{i}].id: duplicate id {d['id']!r}")
        seen.add(d["id"])
    return data


def load_city(city: str) -> int:
    """Insert or update the city's districts; return how many there are."""
    data = read_city(city)
    existing = {
        d.slug: d for d in db.session.scalars(select(District).where(District.city == city))
    }
    boroughs = {b["id"]: b["name"] for b in data.get("boroughs", [])}
    for item in data["districts"]:
        district = existing.get(item["id"]) or District(city=city, slug=item["id"])
        district.name = item["name"]
        district.borough = boroughs.get(item.get("borough", ""), item.get("borough", ""))
        district.lat = float(item["lat"])
        district.lon = float(item["lon"])
        db.session.add(district)
    db.session.commit()
    return len(data["districts"])


def districts(city: str) -> list[District]:
    """The city's districts, in the order of the city file (by borough)."""
    return list(
        db.session.scalars(
            select(District).where(District.city == city).order_by(District.id)
        )
    )
