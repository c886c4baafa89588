"""People: user accounts, newcomer and volunteer profiles, and the city's districts."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from buddy import clock
from buddy.extensions import db
from buddy.models.types import (
    Availability,
    AvailabilityType,
    BuddyGender,
    CodeList,
    Gender,
    GermanLevel,
    Mode,
    NewcomerStatus,
    Role,
    VolunteerStatus,
    enum_column,
)


class User(UserMixin, db.Model):
    """A login: e-mail and/or phone (E.164), a password hash, a role and a preferred locale."""

    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="has_login"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    newcomer: Mapped[Newcomer | None] = relationship(back_populates="user")
    volunteer: Mapped[Volunteer | None] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:
        """Flask-Login: disabled accounts cannot log in."""
        return self.is_enabled

    def get_id(self) -> str:
        """Flask-Login: the id plus the session version, so old sessions stop working."""
        return f"{self.id}:{self.session_version}"

    @property
    def login(self) -> str:
        """What the person types to log in: the e-mail address, else the phone number."""
        return self.email or self.phone or ""

    @property
    def profile(self) -> Newcomer | Volunteer | None:
        """The newcomer or volunteer profile, if any."""
        return self.newcomer or self.volunteer

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value} {self.login!r}>"


class District(db.Model):
    """A part of a city with the coordinates of its centre."""

    __tablename__ = "district"
    __table_args__ = (UniqueConstraint("city", "slug", name="city_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(40))
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(100))
    borough: Mapped[str] = mapped_column(String(60), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<District {self.city}/{self.slug}>"


class NewcomerLanguage(db.Model):
    """One language a newcomer speaks (a lowercase code such as 'ar')."""

    __tablename__ = "newcomer_language"
    __table_args__ = (Index("ix_newcomer_language_code_newcomer", "code", "newcomer_id"),)
    newcomer_id: Mapped[int] = mapped_column(
        ForeignKey("newcomer.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(12), primary_key=True, index=True)


class VolunteerLanguage(db.Model):
    """One language a volunteer speaks besides German."""

    __tablename__ = "volunteer_language"
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(12), primary_key=True, index=True)


class _Profile:
    """Columns shared by newcomer and volunteer profiles."""

    display_name: Mapped[str] = mapped_column(String(100))
    availability: Mapped[Availability] = mapped_column(AvailabilityType, default=Availability())
    mode: Mapped[Mode] = mapped_column(enum_column(Mode), default=Mode.EITHER)
    gender: Mapped[Gender] = mapped_column(enum_column(Gender), default=Gender.UNSPECIFIED)
    buddy_gender: Mapped[BuddyGender] = mapped_column(
        enum_column(BuddyGender), default=BuddyGender.ANY
    )
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now, onupdate=clock.now)

    @property
    def first_name(self) -> str:
        """The first word of the display name, shown to a buddy."""
        return self.display_name.split()[0] if self.display_name.strip() else ""


class Newcomer(_Profile, db.Model):
    """A person who wants to learn German with a buddy."""

    __tablename__ = "newcomer"
    __table_args__ = (Index("ix_newcomer_status_waiting", "status", "waiting_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    german_level: Mapped[GermanLevel] = mapped_column(enum_column(GermanLevel))
    topics: Mapped[list[str]] = mapped_column(CodeList, default=list)
    status: Mapped[NewcomerStatus] = mapped_column(
        enum_column(NewcomerStatus), default=NewcomerStatus.WAITING, index=True
    )
    waiting_since: Mapped[datetime] = mapped_column(DateTime, default=clock.now, index=True)
    stale_asked_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    stale_answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="newcomer")
    district: Mapped[District] = relationship()
    language_rows: Mapped[list[NewcomerLanguage]] = relationship(
        cascade="all, delete-orphan", order_by=NewcomerLanguage.code
    )
    languages: AssociationProxy[list[str]] = association_proxy(
        "language_rows", "code", creator=lambda code: NewcomerLanguage(code=code)
    )

    def __repr__(self) -> str:
        return f"<Newcomer {self.id} {self.status.value}>"


class Volunteer(_Profile, db.Model):
    """A person who meets one to three newcomers to practise German."""

    __tablename__ = "volunteer"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("active_matches >= 0", name="active_not_negative"),
        CheckConstraint("active_matches <= capacity", name="within_capacity"),
        CheckConstraint("max_km >= 0", name="max_km_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    max_km: Mapped[float] = mapped_column(Float, default=5.0)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    active_matches: Mapped[int] = mapped_column(Integer, default=0)
    motivation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[VolunteerStatus] = mapped_column(
        enum_column(VolunteerStatus), default=VolunteerStatus.PENDING, index=True
    )
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="volunteer")
    district: Mapped[District] = relationship()
    language_rows: Mapped[list[VolunteerLanguage]] = relationship(
        cascade="all, delete-orphan", order_by=VolunteerLanguage.code
    )
    languages: AssociationProxy[list[str]] = association_proxy(
        "language_rows", "code", creator=lambda code: VolunteerLanguage(code=code)
    )

    @property
    def free_places(self) -> int:
        """How many more buddies this volunteer can take."""
        return max(self.capacity - self.active_matches, 0)

    def __repr__(self) -> str:
        return f"<Volunteer {self.id} {self.status.value} {self.active_matches}/{self.capacity}>"
