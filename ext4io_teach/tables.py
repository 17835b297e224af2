"""Plain tables for when pandas is not installed (the zero-install browser site runs without it).

``trace.to_frame`` and the ``metrics`` frames return a pandas DataFrame when pandas can be imported,
and otherwise a ``Table``: rows under an index, shown as an HTML table in a notebook and as aligned text
elsewhere. A ``Table`` answers the few DataFrame operations the notebooks use on these frames (a column
as ``t.io`` or ``t["io"]``, rows by a comparison ``t[t.io == 0]``, columns by a list ``t[["i", "name"]]``,
``reset_index(drop=True)``, ``drop(columns=...)``, ``.T``, ``.loc[row]``, ``.loc[row, cols]``,
``.iloc[k]``) and nothing more: it is a table to read, not a data-analysis library.
"""

from __future__ import annotations

import html
from typing import Any


def pandas_or_none():
    """The pandas module, or None when it cannot be imported."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


class Column(list):
    """One column's values; comparing it with a value gives a row mask, as in pandas."""

    __hash__ = None  # type: ignore[assignment]

    def _mask(self, op, other) -> list[bool]:
        return [op(v, other) for v in self]

    def __eq__(self, other):  # type: ignore[override]
        return self._mask(lambda a, b: a == b, other)

    def __ne__(self, other):  # type: ignore[override]
        return self._mask(lambda a, b: a != b, other)

    def __lt__(self, other):
        return self._mask(lambda a, b: a is not None and a < b, other)

    def __gt__(self, other):
        return self._mask(lambda a, b: a is not None and a > b, other)


class _Loc:
    def __init__(self, table: Table, positional: bool):
        self.table, self.positional = table, positional

    def __getitem__(self, key):
        t = self.table
        row, cols = key if isinstance(key, tuple) else (key, None)
        k = row if self.positional else t.index.index(row)
        values = dict(zip(t.columns, t.rows[k]))
        if cols is None:
            return values
        if isinstance(cols, str):
            return values[cols]
        return {c: values[c] for c in cols}


class Table:
    """Rows (lists of values, one per column) under an index; see the module docstring."""

    def __init__(self, columns: list[str], rows: list[list[Any]], index: list[Any] | None = None,
                 index_name: str | None = None):
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        self.index = list(range(len(self.rows))) if index is None else list(index)
        self.index_name = index_name

    @classmethod
    def from_dicts(cls, dicts: list[dict], columns: list[str] | None = None) -> Table:
        cols = columns if columns is not None else list(dict.fromkeys(k for d in dicts for k in d))
        return cls(cols, [[d.get(c) for c in cols] for d in dicts])

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> Column:
        k = self.columns.index(name)
        return Column(r[k] for r in self.rows)

    def __getattr__(self, name: str) -> Column:
        if name.startswith("_") or name not in self.__dict__.get("columns", ()):
            raise AttributeError(name)
        return self.column(name)

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.column(key)
        key = list(key)
        if key and all(isinstance(k, bool) for k in key):  # a row mask
            keep = [i for i, m in enumerate(key) if m]
            return Table(self.columns, [self.rows[i] for i in keep], [self.index[i] for i in keep], self.index_name)
        ks = [self.columns.index(c) for c in key]
        return Table(key, [[r[k] for k in ks] for r in self.rows], self.index, self.index_name)

    def set_index(self, name: str) -> Table:
        k = self.columns.index(name)
        rest = [c for c in self.columns if c != name]
        return Table(rest, [[v for j, v in enumerate(r) if j != k] for r in self.rows], [r[k] for r in self.rows],
                     name)

    def reset_index(self, drop: bool = False) -> Table:
        if drop:
            return Table(self.columns, self.rows)
        return Table([self.index_name or "index", *self.columns], [[i, *r] for i, r in zip(self.index, self.rows)])

    def drop(self, columns) -> Table:
        gone = {columns} if isinstance(columns, str) else set(columns)
        return self[[c for c in self.columns if c not in gone]]

    @property
    def T(self) -> Table:  # noqa: N802 (pandas' name)
        return Table([str(i) for i in self.index], [list(col) for col in zip(*self.rows)] if self.rows
                     else [[] for _ in self.columns], self.columns)

    @property
    def loc(self) -> _Loc:
        return _Loc(self, positional=False)

    @property
    def iloc(self) -> _Loc:
        return _Loc(self, positional=True)

    # ------------------------------------------------------------------ display
    @staticmethod
    def _cell(v) -> str:
        if v is None:
            return "None"
        return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(str(c))}</th>" for c in [self.index_name or "", *self.columns])
        body = "".join("<tr><th>" + esc(self._cell(i)) + "</th>" + "".join(f"<td>{esc(self._cell(v))}</td>" for v in r)
                       + "</tr>" for i, r in zip(self.index, self.rows))
        return (f'<table class="e4-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
                f"<p>{len(self)} rows × {len(self.columns)} columns</p>")

    def __repr__(self) -> str:
        grid = [[self.index_name or "", *map(str, self.columns)]]
        grid += [[self._cell(i), *map(self._cell, r)] for i, r in zip(self.index, self.rows)]
        widths = [max(len(row[k]) for row in grid) for k in range(len(grid[0]))]
        return "\n".join("  ".join(c.rjust(w) for c, w in zip(row, widths)).rstrip() for row in grid)
