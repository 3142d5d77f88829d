"""The QuickBooks Online query language: parse a SELECT statement and run it over entity dicts.

The grammar (``query.lark``) is the one in qbo-facts.md §3::

    SELECT * | COUNT(*) FROM Entity [WHERE p op v [AND p op v ...]]
    [ORDERBY|ORDER BY p [ASC|DESC][, ...]] [STARTPOSITION n] [MAXRESULTS n]

plus what python-quickbooks 0.9.12 actually sends: ``ORDER BY`` (``.all()``), ``ORDERBY``
(``.where()``/``.filter()``), ``True``/``False`` booleans, ``\\'`` escapes, ``Id in ('1', '2')``
(``.choose()``), trailing spaces (``.count()``), and ``SELECT *, Sku FROM Item`` (``Item.all()``;
the extra names after ``*`` are accepted and ignored, as every field is returned anyway). A
projection without ``*`` (``SELECT DisplayName FROM Customer``), OR, NOT, joins, GROUP BY,
``!=``/``<>``, unquoted words as values, an unterminated string, MAXRESULTS outside 1..1000 or
STARTPOSITION below 1 are refused with QBO's parse fault: code 4000, HTTP 400, ValidationFault.

How the emulator compares, where Intuit's documentation is silent (decisions, kept in one place):

* Field names match the record's keys case-insensitively, segment by segment
  (``metadata.lastupdatedtime``). A reference (``ParentRef``, ``CustomerRef``...) compares by its
  ``value``.
* A field the record does not have (or holds as null, a list, or an object without ``value``) is
  SQL NULL: no comparison, IN or LIKE matches it, and it sorts first ascending (last descending).
  The caller checks the entity name and, with `check_fields`, that every field is a property of
  the entity (4001 otherwise, as QBO); a known property the record lacks matches nothing.
* Numbers compare as numbers when the record holds a number (``Balance > '50.0'`` works too) or
  the literal is an unquoted number; ``Id`` fields and references (QBO Ids are numeric strings)
  compare numerically when both sides are numeric, so ``Id > '5'`` holds for ``"10"`` and ORDER BY
  Id puts 10 after 9. Values of unlike kinds (a number field against ``'abc'``) never match.
* Values that look like ISO dates or datetimes compare in time: a datetime by instant (a naive one
  taken as UTC), a date literal against a datetime field as that day's midnight UTC.
* Other strings compare case-insensitively (=, IN, LIKE, < >, ORDER BY), as QBO's name lookups
  and its case-insensitive duplicate-name rule suggest. LIKE's only wildcard is ``%``.
* Booleans compare with ``true``/``false`` in any case (also when quoted).
* Without ORDER BY, records come in numeric Id order, so paging is stable.
* Name-list entities (``NAME_LIST_ENTITIES``) return active records only unless some condition is
  on ``Active``; a record without an ``Active`` key counts as active.
* The response's ``startPosition`` is the position used and ``maxResults`` the number of records
  returned; a page with no records is ``{}``; COUNT(*) ignores ORDER BY and paging.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from typing import NamedTuple

from lark import Lark
from lark import Token
from lark import Transformer
from lark import v_args
from lark.exceptions import UnexpectedCharacters
from lark.exceptions import UnexpectedEOF
from lark.exceptions import UnexpectedInput
from lark.exceptions import UnexpectedToken
from lark.exceptions import VisitError

from qbo_sandbox.faults import QBOFault

NAME_LIST_ENTITIES: frozenset[str] = frozenset(
    {
        "Account",
        "Class",
        "CompanyCurrency",
        "Customer",
        "CustomerType",
        "Department",
        "Employee",
        "Item",
        "PaymentMethod",
        "TaxCode",
        "TaxRate",
        "Term",
        "Vendor",
    }
)

# Unverified: Intuit documents no length limit. Parsing costs ~13 µs a character, so a 10 MB
# body would hold a worker for two minutes; 100,000 characters is 1,000 ids in an IN many times.
MAX_QUERY_LENGTH = 100_000
DEFAULT_MAX_RESULTS = 100
MAX_RESULTS_LIMIT = 1000

Literal = str | int | float | bool
Value = Literal | tuple[Literal, ...]


@dataclass(frozen=True)
class Condition:
    """One ``field op value`` of the WHERE clause.

    ``field`` is the dotted path as written; ``operator`` is one of ``=``, ``<``, ``>``, ``<=``,
    ``>=``, ``IN`` (``value`` a tuple) or ``LIKE`` (``value`` the pattern with its ``%``).
    """

    field: str
    operator: str
    value: Value


@dataclass(frozen=True)
class Query:
    entity: str
    count: bool
    conditions: tuple[Condition, ...] = ()
    order_by: tuple[tuple[str, bool], ...] = ()  # (field path, descending)
    start_position: int = 1
    max_results: int = DEFAULT_MAX_RESULTS


# --- parsing ---------------------------------------------------------------------------------

_PARSER = Lark.open(
    str(Path(__file__).with_name("query.lark")),
    parser="lalr",
    lexer="contextual",
    propagate_positions=False,
    maybe_placeholders=False,
)


def _parse_fault(detail: str) -> QBOFault:
    return QBOFault(
        "4000",
        "Error parsing query",
        f"QueryParserError: {detail}",
        http_status=400,
        fault_type="ValidationFault",
    )


def _unquote(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1], flags=re.DOTALL)


@v_args(inline=True)
class _ToQuery(Transformer[Token, Any]):
    """Turns the parse tree into plain values; ``start`` returns the fields of a `Query`."""

    def string(self, token: Token) -> str:
        return _unquote(str(token))

    def number(self, token: Token) -> int | float:
        text = str(token)
        return float(text) if "." in text else int(text)

    def boolean(self, token: Token) -> bool:
        return str(token).lower() == "true"

    def field(self, *names: Token) -> str:
        return ".".join(str(name) for name in names)

    def compare(self, field: str, operator: Token, value: Literal) -> Condition:
        return Condition(field, str(operator), value)

    def in_list(self, field: str, _in: Token, *values: Literal) -> Condition:
        return Condition(field, "IN", tuple(values))

    def like(self, field: str, _like: Token, pattern: Token) -> Condition:
        return Condition(field, "LIKE", _unquote(str(pattern)))

    def where(self, _where: Token, *items: Condition | Token) -> tuple[Condition, ...]:
        return tuple(item for item in items if isinstance(item, Condition))

    def sort_key(self, field: str, direction: Token | None = None) -> tuple[str, bool]:
        return (field, direction is not None and str(direction).lower() == "desc")

    def order_by(self, _keyword: Token, *keys: tuple[str, bool]) -> tuple[tuple[str, bool], ...]:
        return keys

    def start_position(self, _keyword: Token, number: Token) -> tuple[str, int]:
        return ("start_position", int(number))

    def max_results(self, _keyword: Token, number: Token) -> tuple[str, int]:
        return ("max_results", int(number))

    def paging(self, *settings: tuple[str, int]) -> dict[str, int]:
        return dict(settings)

    def select_all(self, _star: Token, *_extra_fields: str) -> bool:
        return False

    def select_count(self, _count: Token, _star: Token) -> bool:
        return True


def _describe(error: UnexpectedInput, text: str) -> str:
    if isinstance(error, UnexpectedCharacters):
        return f"Invalid content. Lexical error at line {error.line}, column {error.column}."
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        return f'Encountered "<EOF>" at line 1, column {len(text.rstrip()) + 1}.'
    if isinstance(error, UnexpectedToken):
        return f'Encountered "{error.token}" at line {error.line}, column {error.column}.'
    return "Invalid query."  # pragma: no cover - lark raises only the three above


def parse_query(text: str) -> Query:
    """Parse one QBO SELECT statement, or raise the 4000 fault QBO answers for a bad one."""
    if len(text) > MAX_QUERY_LENGTH:
        raise _parse_fault(f"A query may have at most {MAX_QUERY_LENGTH} characters.")
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as error:
        raise _parse_fault(_describe(error, text)) from None

    entity = ""
    count = False
    conditions: tuple[Condition, ...] = ()
    order_by: tuple[tuple[str, bool], ...] = ()
    paging: dict[str, int] = {}
    try:
        parts = _ToQuery().transform(tree).children
    except VisitError:
        # A number too long for Python's int() (over 4300 digits): a bad literal, not a crash.
        raise _parse_fault("A number in the query has too many digits.") from None
    for part in parts:
        if isinstance(part, Token):
            if part.type == "NAME":
                entity = str(part)
        elif isinstance(part, bool):
            count = part
        elif isinstance(part, dict):
            paging = part
        elif part and isinstance(part[0], Condition):
            conditions = part
        else:
            order_by = part

    start_position = paging.get("start_position", 1)
    max_results = paging.get("max_results", DEFAULT_MAX_RESULTS)
    if start_position < 1:
        raise _parse_fault(f"STARTPOSITION must be 1 or more, not {start_position}.")
    if not 1 <= max_results <= MAX_RESULTS_LIMIT:
        raise _parse_fault(
            f"MAXRESULTS must be between 1 and {MAX_RESULTS_LIMIT}, not {max_results}."
        )
    return Query(
        entity=entity,
        count=count,
        conditions=conditions,
        order_by=order_by,
        start_position=start_position,
        max_results=max_results,
    )


# --- validation ------------------------------------------------------------------------------


def unknown_property(entity: str, field: str) -> QBOFault:
    """QBO's answer to a WHERE or ORDER BY naming a property the entity does not have: 4001
    "Invalid query", "QueryValidationError: Property X not found for Entity Y" (the text public
    reports quote for a property that does not exist; "property 'X' is not queryable" is QBO's
    answer for one that exists but cannot be filtered on, which the emulator does not model)."""
    return QBOFault(
        "4001",
        "Invalid query",
        f"QueryValidationError: Property {field} not found for Entity {entity}",
        http_status=400,
        fault_type="ValidationFault",
    )


def check_fields(query: Query, known: Iterable[str], paths: Iterable[str] = ()) -> None:
    """Refuse (4001) a condition or sort key whose property ``known`` (the entity's top-level
    properties) lacks; a dotted path must be one of ``paths``. Case-insensitive, as matching."""
    top = {name.lower() for name in known}
    dotted = {path.lower() for path in paths}
    fields = [condition.field for condition in query.conditions]
    fields += [field for field, _descending in query.order_by]
    for field in fields:
        lowered = field.lower()
        if "." in lowered:
            if lowered not in dotted:
                raise unknown_property(query.entity, field)
        elif lowered not in top:
            raise unknown_property(query.entity, field)


# --- execution -------------------------------------------------------------------------------

_MISSING = object()
_NUMERIC = re.compile(r"-?\d+(\.\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _lookup(record: dict[str, Any], path: Sequence[str]) -> Any:
    """The value at a dotted path, matching keys case-insensitively; a ref gives its value.

    `_MISSING` when the record lacks it, holds null, or holds an object or list there.
    """
    current: Any = record
    for segment in path:
        if not isinstance(current, dict):
            return _MISSING
        if segment in current:
            current = current[segment]
            continue
        lowered = segment.lower()
        for key, value in current.items():
            if key.lower() == lowered:
                current = value
                break
        else:
            return _MISSING
    if isinstance(current, dict):
        current = current.get("value")
    if current is None or isinstance(current, dict | list):
        return _MISSING
    return current


def _is_id_like(path: Sequence[str]) -> bool:
    last = path[-1].lower()
    return last == "id" or last.endswith("ref")


def _as_instant(text: str) -> datetime | date | None:
    if not _ISO_DATE.match(text):
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class _Form(NamedTuple):
    """A scalar read every way a comparison may need it, computed once per value."""

    is_bool: bool  # a JSON boolean or an unquoted true/false, not a string
    boolean: bool | None  # a bool, or a "true"/"false" string
    number: float | None  # a number, or a numeric string
    is_number: bool  # a JSON number or an unquoted numeric literal, not a string
    instant: datetime | date | None  # an ISO date or datetime string
    text: str  # casefolded, for string comparison and LIKE


def _form(value: Literal) -> _Form:
    if isinstance(value, bool):
        return _Form(True, value, None, False, None, "true" if value else "false")
    if isinstance(value, int | float):
        return _Form(False, None, float(value), True, None, str(value).casefold())
    text = str(value)
    if text.isascii() and text.isdigit():  # the common case, an Id: skip the regexes
        return _Form(False, None, float(text), False, None, text)
    lowered = text.casefold()
    boolean = (lowered == "true") if lowered in ("true", "false") else None
    number = float(text) if _NUMERIC.fullmatch(text) else None
    instant = _as_instant(text) if text[:1].isdigit() else None
    return _Form(False, boolean, number, False, instant, lowered)


def _operands(field: _Form, literal: _Form, id_like: bool) -> tuple[Any, Any] | None:
    """The record's value and the literal as two comparable Python values, or None when they
    cannot be compared (the condition is then false, as a type mismatch in SQL)."""
    if field.is_bool or literal.is_bool:
        if field.boolean is None or literal.boolean is None:
            return None
        return field.boolean, literal.boolean
    if field.is_number or literal.is_number or id_like:
        if field.number is not None and literal.number is not None:
            return field.number, literal.number
        if field.is_number:
            return None
    if field.instant is not None and literal.instant is not None:
        left, right = field.instant, literal.instant
        if isinstance(left, datetime) != isinstance(right, datetime):
            # A date against a datetime: the date stands for its midnight UTC.
            left = left if isinstance(left, datetime) else _midnight(left)
            right = right if isinstance(right, datetime) else _midnight(right)
        return left, right
    return field.text, literal.text


# A sort key: (rank, value). Ranks keep unlike kinds apart so every key is orderable.
_Key = tuple[int, Any]


def _sort_rank(form: _Form, id_like: bool) -> _Key:
    if form.is_bool:
        return (1, form.boolean)
    if form.number is not None and (form.is_number or id_like):
        return (2, form.number)
    if isinstance(form.instant, datetime):
        return (3, form.instant)
    if form.instant is not None:
        return (4, form.instant)
    return (5, form.text)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def _like(pattern: str) -> Callable[[str], bool]:
    """A LIKE test for casefolded text, `%` the only wildcard, in linear time.

    Not a regex: `%a%a%a%a%a%c` as `.*a.*a.*a.*a.*a.*c` backtracks for tens of seconds on one
    100-character name. With `%` alone, taking each fixed piece at its leftmost place is exact.
    """
    pieces = pattern.casefold().split("%")
    if len(pieces) == 1:
        return lambda text: text == pieces[0]
    head, middle, tail = pieces[0], pieces[1:-1], pieces[-1]

    def like(text: str) -> bool:
        if len(text) < len(head) + len(tail) or not text.startswith(head):
            return False
        if not text.endswith(tail):
            return False
        position, end = len(head), len(text) - len(tail)
        for piece in middle:
            found = text.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True

    return like


@lru_cache(maxsize=256)
def _path(field: str) -> tuple[str, ...]:
    return tuple(field.split("."))


def _matcher(condition: Condition) -> Callable[[dict[str, Any]], bool]:
    path = _path(condition.field)
    id_like = _is_id_like(path)

    if condition.operator == "LIKE":
        matches_like = _like(str(condition.value))

        def like(record: dict[str, Any]) -> bool:
            value = _lookup(record, path)
            return value is not _MISSING and matches_like(_form(value).text)

        return like

    literals = condition.value if isinstance(condition.value, tuple) else (condition.value,)
    forms = [_form(literal) for literal in literals]
    compare = _OPERATORS["=" if condition.operator == "IN" else condition.operator]

    def matches(record: dict[str, Any]) -> bool:
        value = _lookup(record, path)
        if value is _MISSING:
            return False
        field = _form(value)
        for literal in forms:
            pair = _operands(field, literal, id_like)
            if pair is not None and compare(pair[0], pair[1]):
                return True
        return False

    return matches


def _is_active(record: dict[str, Any]) -> bool:
    value = _lookup(record, ("Active",))
    return value is _MISSING or _form(value).boolean is not False


def _sort_key(field: str) -> Callable[[dict[str, Any]], tuple[int, _Key]]:
    path = _path(field)
    id_like = _is_id_like(path)

    def sort_key(record: dict[str, Any]) -> tuple[int, _Key]:
        value = _lookup(record, path)
        if value is _MISSING:
            return (0, (0, 0))
        return (1, _sort_rank(_form(value), id_like))

    return sort_key


def _sort(records: list[dict[str, Any]], order_by: Sequence[tuple[str, bool]]) -> None:
    # Stable sorts from the last key to the first give a multi-key order with mixed directions.
    for field, descending in reversed(order_by):
        records.sort(key=_sort_key(field), reverse=descending)


def execute_query(query: Query, records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Run a parsed query over one entity's records; returns the value of ``QueryResponse``.

    ``records`` are that entity's dicts in QBO's JSON shape; they are returned as given (not
    copied). The caller has checked that ``query.entity`` exists.
    """
    matchers = [_matcher(condition) for condition in query.conditions]
    if query.entity in NAME_LIST_ENTITIES and not any(
        condition.field.lower() == "active" for condition in query.conditions
    ):
        matchers.append(_is_active)

    selected = [record for record in records if all(match(record) for match in matchers)]
    if query.count:
        return {"totalCount": len(selected)}

    _sort(selected, query.order_by or (("Id", False),))
    first = query.start_position - 1
    page = selected[first : first + query.max_results]
    if not page:
        return {}
    return {query.entity: page, "startPosition": query.start_position, "maxResults": len(page)}
