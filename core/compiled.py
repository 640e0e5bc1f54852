"""`CompiledValues`: a `.values()` list whose count and pages run SQL the ORM compiled once.

Django compiles a queryset into SQL every time it is evaluated. For a list API answering 20
rows, compiling the count and the page (the rank order's CASE, the annotations, the theme-id
subquery) cost about as much as the database's work on them, and with reading the rows through
the ORM it was most of what our answer spent beyond hand-written SQL. When a list's queryset is
a function of the request's query string alone (no user, no clock), the SQL of its count and of
each page is the same for every request with that query string: it is compiled on the first,
kept (with its parameters and the backend's converters) under a key naming the database and the
query string, and executed as it is on the next. Results are never kept, only statements: a
change to the data shows at once. The keys are bounded (least recently used dropped first).

The SQLAlchemy ORM keeps a compiled cache for the same reason; Django has none.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class Statement:
    """A compiled SELECT: its SQL and parameters, the names of its columns, and for the columns
    that need them the converters the ORM would apply (position, functions, expression)."""

    sql: str
    params: tuple
    names: tuple[str, ...]
    converters: tuple = ()


EMPTY = Statement("", (), ())  # a query Django proved empty without asking the database


class Statements:
    """At most `size` compiled statements, least recently used dropped first (thread-safe)."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            statement = self._items.get(key)
            if statement is not None:
                self._items.move_to_end(key)
            return statement

    def put(self, key, statement: Statement) -> None:
        with self._lock:
            self._items[key] = statement
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


STATEMENTS = Statements()


class CompiledValues:
    """A sliceable, countable stand-in for a `.values()` queryset, for Django's Paginator.

    `key` must determine the queryset: two requests with the same key must build the same
    queryset (the database alias is added here). The queryset is built by the caller as usual
    (so filters are validated as usual) but compiled only when its statement is not kept yet.
    """

    ordered = True  # the Paginator warns about unordered lists; the caller's queryset is ordered

    def __init__(self, queryset: QuerySet, *, key, statements: Statements = STATEMENTS):
        self.queryset = queryset
        self.alias = queryset.db
        self.key = (self.alias, key)
        self.statements = statements

    def count(self) -> int:
        key = (*self.key, "count")
        statement = self.statements.get(key)
        if statement is None:
            statement, count = _count_statement(self.queryset)
            if statement is not None:  # None: not one plain statement, left to the ORM every time
                self.statements.put(key, statement)
            return count
        if statement is EMPTY:
            return 0
        return self._run(statement)[0][0]

    def __getitem__(self, index: slice) -> list[dict]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("CompiledValues takes a slice without a step")
        key = (*self.key, "rows", index.start, index.stop)
        statement = self.statements.get(key)
        if statement is None:
            statement = _rows_statement(self.queryset[index])
            self.statements.put(key, statement)
        if statement is EMPTY:
            return []
        return [dict(zip(statement.names, row, strict=True)) for row in self._run(statement)]

    def _run(self, statement: Statement) -> list:
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params)
            rows = cursor.fetchall()
        if not statement.converters:
            return rows
        rows = [list(row) for row in rows]
        for row in rows:
            for position, functions, expression in statement.converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
        return rows


def _rows_statement(queryset: QuerySet) -> Statement:
    """The SELECT of a `.values()` queryset, with its column names and converters as
    `ValuesIterable` and `SQLCompiler.results_iter` read them."""
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return EMPTY
    if query.selected:
        names = list(query.selected)
    else:  # extra(select=...) columns come first, as ValuesIterable reads them
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(fields).items()
    )
    return Statement(sql, tuple(params), tuple(names), converters)


def _count_statement(queryset: QuerySet) -> tuple[Statement | None, int]:
    """`queryset.count()` and the statement it sent, recorded as it ran: None when it was not
    exactly one statement (then nothing is kept), EMPTY when Django knew the answer without the
    database (a filter that matches nothing by construction)."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connections[queryset.db].execute_wrapper(record):
        count = queryset.count()
    if not seen:
        return (EMPTY if count == 0 else None), count
    if len(seen) != 1:
        return None, count
    sql, params = seen[0]
    return Statement(sql, tuple(params or ()), ("count",)), count
