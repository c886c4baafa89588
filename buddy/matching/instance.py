"""Instance data classes and strict parsing/validation of the instance JSON."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")
SLOTS: tuple[str, ...] = tuple(f"{d}-{p}" for d in DAYS for p in PARTS)
SLOT_INDEX: dict[str, int] = {s: i for i, s in enumerate(SLOTS)}
LEVELS = ("A0", "A1", "A2", "B1", "B2", "C1")
GERMAN_FROM = "A2"
_SPEAKS_GERMAN = frozenset(LEVELS[LEVELS.index(GERMAN_FROM):])
MODES = ("in_person", "online", "either")
GENDERS = ("female", "male", "diverse", "unspecified")
BUDDY_GENDERS = ("any", "female", "male")
GERMAN = "de"
_LANG_RE = re.compile(r"^[a-z]{2,8}(-[a-z0-9]{1,8})*$")


class InstanceError(ValueError):
    """A bad instance; ``str()`` is one line: ``path: message``."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the four score components (each ≥ 0)."""

    language: float = 0.35
    time: float = 0.25
    place: float = 0.25
    waiting: float = 0.15

    def __post_init__(self) -> None:
        for name in ("language", "time", "place", "waiting"):
            value = getattr(self, name)
            if not _is_number(value) or value < 0:
                raise InstanceError(f"weights.{name}", f"must be a number ≥ 0, got {value!r}")


@lru_cache(maxsize=4096)
def _spoken(languages: tuple[str, ...], german: bool) -> frozenset[str]:
    """A person's languages for rule 1, with German when they count as speaking it."""
    return frozenset(languages) | {GERMAN} if german else frozenset(languages)


@dataclass(frozen=True, slots=True)
class District:
    """A district with its centroid; ``borough`` is an optional grouping (Stadtbezirk)."""

    id: str
    lat: float
    lon: float
    name: str = ""
    borough: str | None = None


@dataclass(frozen=True, slots=True)
class Newcomer:
    """A newcomer waiting for a buddy."""

    id: str
    languages: tuple[str, ...]
    german_level: str
    district: str
    availability: tuple[str, ...]
    mode: str
    gender: str = "unspecified"
    buddy_gender: str = "any"
    waiting_days: float = 0

    @property
    def speaks_german(self) -> bool:
        """True when the newcomer counts as speaking German (level A2 up, or listed)."""
        return self.german_level in _SPEAKS_GERMAN or GERMAN in self.languages

    @property
    def spoken(self) -> frozenset[str]:
        """Languages the newcomer counts as speaking for rule 1."""
        return _spoken(tuple(self.languages), self.speaks_german)


@dataclass(frozen=True, slots=True)
class Volunteer:
    """A volunteer with ``capacity`` free places."""

    id: str
    languages: tuple[str, ...]
    district: str
    max_km: float
    availability: tuple[str, ...]
    capacity: int
    mode: str
    gender: str = "unspecified"
    buddy_gender: str = "any"

    @property
    def spoken(self) -> frozenset[str]:
        """Languages the volunteer counts as speaking (always including German)."""
        return _spoken(tuple(self.languages), True)


@dataclass(frozen=True, slots=True, eq=False)
class Instance:
    """A matching instance: districts, people, excluded pairs and weights."""

    districts: tuple[District, ...]
    newcomers: tuple[Newcomer, ...]
    volunteers: tuple[Volunteer, ...]
    excluded: frozenset[tuple[str, str]] = frozenset()
    weights: Weights = field(default_factory=Weights)

    def district(self, district_id: str) -> District:
        """Return the district with this id (KeyError when unknown)."""
        for d in self.districts:
            if d.id == district_id:
                return d
        raise KeyError(district_id)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


class _Parser:
    def __init__(self, districts: Iterable[str]) -> None:
        self.districts = set(districts)

    @staticmethod
    def field(obj: Mapping[str, Any], path: str, name: str, default: Any = ...) -> Any:
        if name not in obj:
            if default is ...:
                raise InstanceError(f"{path}.{name}", "missing required field")
            return default
        return obj[name]

    @staticmethod
    def obj(value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise InstanceError(path, f"expected an object, got {_kind(value)}")
        return value

    @staticmethod
    def lst(value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise InstanceError(path, f"expected a list, got {_kind(value)}")
        return value

    @staticmethod
    def string(value: Any, path: str) -> str:
        if not isinstance(value, str) or not value:
            raise InstanceError(path, f"expected a non-empty string, got {value!r}")
        return value

    @staticmethod
    def number(value: Any, path: str, minimum: float | None = 0.0) -> float:
        if not _is_number(value):
            raise InstanceError(path, f"expected a number, got {value!r}")
        if minimum is not None and value < minimum:
            raise InstanceError(path, f"must be ≥ {minimum:g}, got {value!r}")
        return value

    @staticmethod
    def choice(value: Any, path: str, options: tuple[str, ...], what: str) -> str:
        if not isinstance(value, str) or value not in options:
            raise InstanceError(
                path, f"unknown {what} {value!r} (expected one of {', '.join(options)})"
            )
        return value

    def languages(self, value: Any, path: str) -> tuple[str, ...]:
        out: list[str] = []
        for k, code in enumerate(self.lst(value, path)):
            if not isinstance(code, str) or not _LANG_RE.match(code):
                raise InstanceError(
                    f"{path}[{k}]", f"expected a lowercase language code, got {code!r}"
                )
            if code not in out:
                out.append(code)
        return tuple(out)

    def slots(self, value: Any, path: str) -> tuple[str, ...]:
        out: set[str] = set()
        for k, slot in enumerate(self.lst(value, path)):
            if not isinstance(slot, str) or slot not in SLOT_INDEX:
                raise InstanceError(f"{path}[{k}]", f"unknown slot {slot!r}")
            out.add(slot)
        return tuple(sorted(out, key=SLOT_INDEX.__getitem__))

    def district(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or value not in self.districts:
            raise InstanceError(path, f"unknown district {value!r}")
        return value

    def newcomer(self, raw: Any, path: str) -> Newcomer:
        o = self.obj(raw, path)
        f = self.field
        return Newcomer(
            id=self.string(f(o, path, "id"), f"{path}.id"),
            languages=self.languages(f(o, path, "languages"), f"{path}.languages"),
            german_level=self.choice(
                f(o, path, "german_level"), f"{path}.german_level", LEVELS, "level"
            ),
            district=self.district(f(o, path, "district"), f"{path}.district"),
            availability=self.slots(f(o, path, "availability"), f"{path}.availability"),
            mode=self.choice(f(o, path, "mode"), f"{path}.mode", MODES, "mode"),
            gender=self.choice(
                f(o, path, "gender", "unspecified"), f"{path}.gender", GENDERS, "gender"
            ),
            buddy_gender=self.choice(
                f(o, path, "buddy_gender", "any"),
                f"{path}.buddy_gender",
                BUDDY_GENDERS,
                "buddy_gender",
            ),
            waiting_days=self.number(f(o, path, "waiting_days", 0), f"{path}.waiting_days"),
        )

    def volunteer(self, raw: Any, path: str) -> Volunteer:
        o = self.obj(raw, path)
        f = self.field
        capacity = f(o, path, "capacity")
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
            raise InstanceError(f"{path}.capacity", f"must be an integer ≥ 0, got {capacity!r}")
        return Volunteer(
            id=self.string(f(o, path, "id"), f"{path}.id"),
            languages=self.languages(f(o, path, "languages"), f"{path}.languages"),
            district=self.district(f(o, path, "district"), f"{path}.district"),
            max_km=float(self.number(f(o, path, "max_km"), f"{path}.max_km")),
            availability=self.slots(f(o, path, "availability"), f"{path}.availability"),
            capacity=capacity,
            mode=self.choice(f(o, path, "mode"), f"{path}.mode", MODES, "mode"),
            gender=self.choice(
                f(o, path, "gender", "unspecified"), f"{path}.gender", GENDERS, "gender"
            ),
            buddy_gender=self.choice(
                f(o, path, "buddy_gender", "any"),
                f"{path}.buddy_gender",
                BUDDY_GENDERS,
                "buddy_gender",
            ),
        )


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def parse_weights(raw: Any, path: str = "weights") -> Weights:
    """Parse a weights object; missing weights take their defaults."""
    o = _Parser.obj(raw, path)
    values: dict[str, float] = {}
    for key, value in o.items():
        if key not in Weights.__dataclass_fields__:
            raise InstanceError(f"{path}.{key}", "unknown weight")
        if not _is_number(value) or value < 0:
            raise InstanceError(f"{path}.{key}", f"must be a number ≥ 0, got {value!r}")
        values[key] = float(value)
    return Weights(**values)


def _parse_districts(raw: Any) -> tuple[District, ...]:
    out: list[District] = []
    seen: set[str] = set()
    for k, item in enumerate(_Parser.lst(raw, "districts")):
        path = f"districts[{k}]"
        o = _Parser.obj(item, path)
        did = _Parser.string(_Parser.field(o, path, "id"), f"{path}.id")
        if did in seen:
            raise InstanceError(f"{path}.id", f"duplicate id {did!r}")
        seen.add(did)
        lat = _Parser.number(_Parser.field(o, path, "lat"), f"{path}.lat", None)
        lon = _Parser.number(_Parser.field(o, path, "lon"), f"{path}.lon", None)
        if not -90 <= lat <= 90:
            raise InstanceError(f"{path}.lat", f"must be between -90 and 90, got {lat!r}")
        if not -180 <= lon <= 180:
            raise InstanceError(f"{path}.lon", f"must be between -180 and 180, got {lon!r}")
        name = o.get("name", "")
        if not isinstance(name, str):
            raise InstanceError(f"{path}.name", f"expected a string, got {name!r}")
        borough = o.get("borough")
        if borough is not None and not isinstance(borough, str | int):
            raise InstanceError(f"{path}.borough", f"expected a string, got {borough!r}")
        out.append(
            District(did, float(lat), float(lon), name, None if borough is None else str(borough))
        )
    return tuple(out)


def parse_instance(data: Any) -> Instance:
    """Validate a decoded instance JSON value and build an Instance (raises InstanceError)."""
    root = _Parser.obj(data, "instance")
    districts = _parse_districts(_Parser.field(root, "instance", "districts"))
    parser = _Parser(d.id for d in districts)
    weights = parse_weights(root["weights"]) if "weights" in root else Weights()
    people: dict[str, list[Any]] = {}
    for side, make in (("newcomers", parser.newcomer), ("volunteers", parser.volunteer)):
        seen: set[str] = set()
        items = []
        for k, raw in enumerate(_Parser.lst(_Parser.field(root, "instance", side), side)):
            person = make(raw, f"{side}[{k}]")
            if person.id in seen:
                raise InstanceError(f"{side}[{k}].id", f"duplicate id {person.id!r}")
            seen.add(person.id)
            items.append(person)
        people[side] = items
    excluded: set[tuple[str, str]] = set()
    for k, pair in enumerate(_Parser.lst(root.get("excluded", []), "excluded")):
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(x, str) and x for x in pair)
        ):
            raise InstanceError(
                f"excluded[{k}]", f"expected [newcomer id, volunteer id], got {pair!r}"
            )
        excluded.add((pair[0], pair[1]))
    return Instance(
        districts=districts,
        newcomers=tuple(people["newcomers"]),
        volunteers=tuple(people["volunteers"]),
        excluded=frozenset(excluded),
        weights=weights,
    )
