"""CSV rows of people: read a file as Excel writes it and check each row with the sign-up form.

The columns are the sign-up form's field names and each row is validated by that same form, so
the file and the form cannot drift apart.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SelectMultipleField

from buddy.extensions import db
from buddy.forms.profile import newcomer_data, volunteer_data
from buddy.forms.spreadsheets import IMPORT_MAX_BYTES, ROW_FORMS
from buddy.models import User

KINDS = tuple(ROW_FORMS)
IMPORT_MAX_ROWS = 20_000
_NOT_COLUMNS = {"csrf_token", "submit", "password"}
_FIRST = ("display_name", "email", "phone")
_YES = {"y", "yes", "ja", "j", "1", "true", "x", "wahr", "oui"}
_GUARDED = re.compile(r"'(?=[=+\-@\t\r])")
EXAMPLES = {
    "newcomer": {"display_name": "Amina Haddad", "phone": "+49 151 23456789",
                 "email": "amina@example.org", "languages": "ar en", "german_level": "A1",
                 "availability": "mon-evening sat-morning", "topics": "everyday letters",
                 "locale": "ar", "consent": "yes"},
    "volunteer": {"display_name": "Julia Weber", "email": "julia@example.org", "phone": "",
                  "languages": "en fr", "availability": "mon-evening sat-morning",
                  "motivation": "", "consent": "yes"},
}
EMPTY = _l("The file is empty.")
NOT_CSV = _l("This is not a CSV file. Please save the spreadsheet as “CSV UTF-8” and try again.")
NOT_UTF8 = _l("The file is not in UTF-8. In Excel, save it as “CSV UTF-8”.")
TOO_BIG = _l("The file is too large. At most %(size)s MB, please.", size=5)
NO_HEADER = _l("The first row must name the columns, such as display_name and email. "
               "Please start from the template.")
NO_ROWS = _l("The file has no rows below the column names.")
TOO_MANY = _l("The file has more than %(rows)s rows. Please split it.", rows="20,000")
EXTRA_CELLS = _l("This row has more cells than there are columns.")
IN_DATABASE = _l("Someone with this contact is already registered.")
IN_FILE = _l("The same contact is already in row %(row)s.")


class ImportFileError(ValueError):
    """The upload cannot be read as a CSV file; the message says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RowResult:
    """One data row: its number as Excel shows it, the cells, and errors by column."""

    line: int
    values: dict[str, str]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        """True when the row would be imported."""
        return not self.errors


@dataclass
class Checked:
    """A checked file: its columns, every row's result, and the valid rows as sign-up data."""

    header: list[str]
    unknown: list[str]
    results: list[RowResult] = field(default_factory=list)
    data: dict[int, tuple] = field(default_factory=dict)  # row number → (sign-up data, locale)


def _row_form(kind: str):
    return ROW_FORMS[kind](formdata=None, meta={"csrf": False})


def columns(kind: str, form=None) -> list[str]:
    """The CSV columns for newcomers or volunteers: the sign-up form's field names."""
    names = [f.name for f in (form or _row_form(kind)) if f.name not in _NOT_COLUMNS]
    return [n for n in _FIRST if n in names] + [n for n in names if n not in _FIRST]


def template_csv(kind: str) -> str:
    """A CSV template: the column names and one example row (with a BOM, for Excel)."""
    form = _row_form(kind)
    names = columns(kind, form)
    examples = EXAMPLES[kind]
    row = []
    for name in names:
        f = form[name]
        default = f.default if f.default is not None and not isinstance(f, BooleanField) else ""
        value = examples.get(name, default)
        if value == "" and name not in examples and getattr(f, "choices", None):
            value = f.choices[0].value
        row.append(str(value))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([names, row])
    return "\ufeff" + out.getvalue()


def _decode(data: bytes) -> str:
    if len(data) > IMPORT_MAX_BYTES:
        raise ImportFileError(TOO_BIG)
    if not data.strip():
        raise ImportFileError(EMPTY)
    if data.startswith(b"%PDF") or b"\x00" in data:
        raise ImportFileError(NOT_CSV)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(NOT_UTF8) from None
    if any(ch in text for ch in "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x1a\x1b\x7f"):
        raise ImportFileError(NOT_CSV)
    return text


def read(data: bytes, known: list[str]) -> tuple[list[str], list[tuple[int, list]]]:
    """Header and data rows (with their row numbers) of a CSV file, or ImportFileError."""
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise ImportFileError(NOT_CSV) from None
    header = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in records[0]]
    if not set(header) & set(known):
        raise ImportFileError(NO_HEADER)
    rows = [(number, cells) for number, cells in enumerate(records[1:], start=2)
            if any(cell.strip() for cell in cells)]
    if not rows:
        raise ImportFileError(NO_ROWS)
    if len(rows) > IMPORT_MAX_ROWS:
        raise ImportFileError(TOO_MANY)
    return header, rows


def _formdata(form, header: list[str], cells: list[str]) -> MultiDict:
    """A CSV row as the form's input: lists split at spaces or "|", the form's defaults."""
    formdata = MultiDict()
    for name, cell in zip(header, cells, strict=False):
        if name not in form or name in _NOT_COLUMNS:
            continue
        cell = _GUARDED.sub("", cell.strip(), count=1)
        f = form[name]
        if isinstance(f, SelectMultipleField):
            formdata.setlist(name, [v for v in re.split(r"[\s|]+", cell) if v])
        elif isinstance(f, BooleanField):
            if cell.lower() in _YES:
                formdata[name] = "y"
        elif cell:
            formdata[name] = cell
    for f in form:
        if f.name not in formdata and f.default is not None and not isinstance(
                f, BooleanField | SelectMultipleField) and f.name not in _NOT_COLUMNS:
            formdata[f.name] = str(f.default)
    return formdata


def _taken(values: set[str], column) -> set[str]:
    taken: set[str] = set()
    ordered = sorted(values)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        taken.update(db.session.scalars(select(column).where(column.in_(chunk))))
    return taken


def check(kind: str, data: bytes, progress: Callable[[int], None] | None = None) -> Checked:
    """Validate every row with the sign-up form; duplicates (in the file or the database) too."""
    form = _row_form(kind)
    known = columns(kind, form)
    header, rows = read(data, known)
    checked = Checked(header, [n for n in dict.fromkeys(header) if n and n not in known])
    contacts: list[tuple[int, str, str]] = []
    pending: list[tuple[int, dict, dict]] = []
    for index, (line, cells) in enumerate(rows):
        form.process(formdata=_formdata(form, header, cells))
        valid = form.validate()
        errors = {f.name: str(f.errors[0]) for f in form if f.errors}
        if len(cells) > len(header):
            errors["row"] = str(EXTRA_CELLS)
        if valid:
            checked.data[line] = ((newcomer_data(form), form.locale.data) if kind == "newcomer"
                                  else (volunteer_data(form), "de"))
        for name in ("email", "phone"):
            if form[name].data and name not in errors:
                contacts.append((line, name, form[name].data))
        values = {n: c.strip() for n, c in zip(header, cells, strict=False) if n in known}
        pending.append((line, values, errors))
        if progress and index % 200 == 0:
            progress(index)
    in_db = {"email": _taken({v for _, n, v in contacts if n == "email"}, User.email),
             "phone": _taken({v for _, n, v in contacts if n == "phone"}, User.phone)}
    first_seen: dict[tuple[str, str], int] = {}
    duplicates: dict[int, dict[str, str]] = {}
    for line, name, value in contacts:
        if value in in_db[name]:
            duplicates.setdefault(line, {})[name] = str(IN_DATABASE)
        elif (name, value) in first_seen:
            duplicates.setdefault(line, {})[name] = str(IN_FILE) % {"row": first_seen[name, value]}
        else:
            first_seen[name, value] = line
    for line, values, errors in pending:
        errors.update(duplicates.get(line, {}))
        if errors:
            checked.data.pop(line, None)
        checked.results.append(RowResult(line, values, errors))
    return checked


def digest(data: bytes, checked: Checked) -> str:
    """A fingerprint of the file and of which rows would be written."""
    valid = ",".join(str(line) for line in sorted(checked.data))
    return hashlib.sha256(data + b"\n" + valid.encode()).hexdigest()
