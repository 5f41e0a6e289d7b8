"""The run store: one SQLite file (WAL) holding runs, node transitions, events, artifacts, usage.

The pipeline writes as things happen; the dashboard (other threads) and the CLI (other
processes) read it. Every write is one short transaction, so a killed writer never leaves a
torn row, and every row is keyed by run id, so concurrent runs never see each other's data.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from models.dag import TaskDAG
from models.paths import check_path
from models.state import PhaseTiming
from models.usage import LLMUsage, UsageTotals

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    provider TEXT NOT NULL,
    settings_json TEXT NOT NULL DEFAULT '{}',
    parent_run TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    phase TEXT,
    error TEXT,
    project_name TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    finished_at REAL,
    iteration INTEGER NOT NULL DEFAULT 0,
    output_dir TEXT,
    zip_path TEXT,
    plan_json TEXT,
    review_json TEXT,
    test_report_json TEXT,
    summary_json TEXT,
    speedup REAL,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at);
CREATE TABLE IF NOT EXISTS dags (
    run_id TEXT PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
    dag_json TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS node_transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    node_id TEXT NOT NULL,
    status TEXT NOT NULL,
    worker_id TEXT,
    at REAL NOT NULL,
    iteration INTEGER NOT NULL,
    error TEXT,
    UNIQUE (run_id, node_id, status, at, iteration)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    at REAL NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    data_json TEXT
);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id, id);
CREATE TABLE IF NOT EXISTS artifacts (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    node_id TEXT,
    iteration INTEGER NOT NULL,
    content TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (run_id, path)
);
CREATE TABLE IF NOT EXISTS artifact_history (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    iteration INTEGER NOT NULL,
    kind TEXT NOT NULL,
    node_id TEXT,
    content TEXT NOT NULL,
    written_at REAL NOT NULL,
    PRIMARY KEY (run_id, path, iteration)
);
CREATE TABLE IF NOT EXISTS usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    model TEXT NOT NULL,
    cost_usd REAL NOT NULL,
    data_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_run ON usage (run_id, id);
CREATE TABLE IF NOT EXISTS timings (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    iteration INTEGER NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL NOT NULL,
    PRIMARY KEY (run_id, phase, iteration, started_at)
);
"""

# Columns update_run may set; JSON columns also accept their short name (plan=...).
_PLAIN_COLUMNS = frozenset(
    {
        "status",
        "phase",
        "error",
        "project_name",
        "finished_at",
        "iteration",
        "output_dir",
        "zip_path",
        "speedup",
        "provider",
        "parent_run",
    }
)
_JSON_COLUMNS = frozenset(
    {"plan_json", "review_json", "test_report_json", "summary_json", "settings_json"}
)


@dataclass(frozen=True)
class RunRecord:
    """One run as stored; `*_json` fields hold the decoded JSON (dicts), or None."""

    run_id: str
    request: str
    provider: str
    settings_json: dict[str, Any]
    parent_run: str | None
    status: str
    phase: str | None
    error: str | None
    project_name: str | None
    created_at: float
    updated_at: float
    finished_at: float | None
    iteration: int
    output_dir: str | None
    zip_path: str | None
    plan_json: Any
    review_json: Any
    test_report_json: Any
    summary_json: Any
    speedup: float | None
    cancel_requested: bool

    @property
    def settings(self) -> dict[str, Any]:
        return self.settings_json

    @property
    def plan(self) -> Any:
        return self.plan_json

    @property
    def review(self) -> Any:
        return self.review_json

    @property
    def test_report(self) -> Any:
        return self.test_report_json

    @property
    def summary(self) -> Any:
        return self.summary_json


@dataclass(frozen=True)
class NodeTransition:
    run_id: str
    node_id: str
    status: str
    worker_id: str | None
    at: float
    iteration: int
    error: str | None = None


@dataclass(frozen=True)
class Event:
    id: int
    run_id: str
    at: float
    level: str
    kind: str
    message: str
    data: dict[str, Any] | None = None


class _Connection(sqlite3.Connection):
    """A connection that can be weakly referenced, so close() reaches every thread's one."""


def _to_json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, str):
        json.loads(value)  # already JSON text: refuse anything that is not
        return value
    return json.dumps(value, default=str)


def _from_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class RunStore:
    """Thread-safe access to the run database: one SQLite connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._guard = threading.Lock()
        self._closed = False
        try:
            self._init_schema()
        except BaseException:
            self.close()
            raise

    def _init_schema(self) -> None:
        conn = self._conn()
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # Readers never block the writer (and vice versa); the mode persists in the file.
            conn.execute("PRAGMA journal_mode=WAL")
        with self._write() as db:
            for statement in _statements(_SCHEMA):
                db.execute(statement)
            row = db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            elif row[0] > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path} was written by a newer version (schema {row[0]} > "
                    f"{SCHEMA_VERSION}); upgrade parallel-codegen to read it"
                )

    # -- connections and transactions ---------------------------------------------------
    def _conn(self) -> _Connection:
        conn: _Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise RuntimeError("the run store is closed")
            conn = sqlite3.connect(
                self.path,
                timeout=5.0,
                isolation_level=None,  # explicit BEGIN/COMMIT below
                check_same_thread=False,  # only close() touches it from another thread
                factory=_Connection,
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._guard:
                self._connections.add(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the write lock up front (no upgrade deadlock)."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        return self._conn().execute(sql, params).fetchall()

    def close(self) -> None:
        """Close every thread's connection; the store cannot be used afterwards."""
        with self._guard:
            self._closed = True
            connections = list(self._connections)
            self._connections = weakref.WeakSet()
        for conn in connections:
            conn.close()
        self._local = threading.local()

    # -- runs -----------------------------------------------------------------------------
    def create_run(
        self,
        run_id: str,
        request: str,
        *,
        provider: str,
        settings: dict[str, Any],
        parent_run: str | None = None,
    ) -> None:
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO runs (run_id, request, provider, settings_json, parent_run,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, request, provider, _to_json(settings) or "{}", parent_run, now, now),
            )

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Set the given columns (see RunRecord); JSON columns take models, dicts or JSON text."""
        assignments: dict[str, Any] = {}
        for name, value in fields.items():
            column = f"{name}_json" if f"{name}_json" in _JSON_COLUMNS else name
            if column in _JSON_COLUMNS:
                assignments[column] = _to_json(value)
            elif column in _PLAIN_COLUMNS:
                assignments[column] = _plain(value)
            else:
                allowed = sorted(_PLAIN_COLUMNS | _JSON_COLUMNS)
                raise ValueError(f"unknown run field {name!r}; expected one of {allowed}")
        assignments["updated_at"] = time.time()
        sql = ", ".join(f"{column} = ?" for column in assignments)
        with self._write() as db:
            cursor = db.execute(
                f"UPDATE runs SET {sql} WHERE run_id = ?", (*assignments.values(), run_id)
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no run {run_id!r}")

    def get_run(self, run_id: str) -> RunRecord | None:
        rows = self._read("SELECT * FROM runs WHERE run_id = ?", (run_id,))
        return _record(rows[0]) if rows else None

    def list_runs(self, limit: int = 100) -> list[RunRecord]:
        """Newest first."""
        rows = self._read(
            "SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
        )
        return [_record(row) for row in rows]

    def delete_run(self, run_id: str) -> None:
        """Remove a run and everything recorded for it."""
        with self._write() as db:
            db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))

    def request_cancel(self, run_id: str) -> None:
        """Ask the process running `run_id` to stop; it polls cancel_requested()."""
        self._set_cancel(run_id, True)

    def clear_cancel(self, run_id: str) -> None:
        """Forget an earlier cancel request, so a resumed run is not stopped at once."""
        self._set_cancel(run_id, False)

    def _set_cancel(self, run_id: str, flag: bool) -> None:
        with self._write() as db:
            cursor = db.execute(
                "UPDATE runs SET cancel_requested = ?, updated_at = ? WHERE run_id = ?",
                (int(flag), time.time(), run_id),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no run {run_id!r}")

    def cancel_requested(self, run_id: str) -> bool:
        rows = self._read("SELECT cancel_requested FROM runs WHERE run_id = ?", (run_id,))
        return bool(rows and rows[0][0])

    # -- DAG --------------------------------------------------------------------------------
    def set_dag(self, run_id: str, dag: TaskDAG) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO dags (run_id, dag_json, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (run_id) DO UPDATE SET dag_json = excluded.dag_json,"
                " updated_at = excluded.updated_at",
                (run_id, dag.model_dump_json(), time.time()),
            )

    def get_dag(self, run_id: str) -> TaskDAG | None:
        rows = self._read("SELECT dag_json FROM dags WHERE run_id = ?", (run_id,))
        return TaskDAG.model_validate_json(rows[0][0]) if rows else None

    def node_transition(
        self,
        run_id: str,
        node_id: str,
        status: str,
        *,
        worker_id: str | None,
        at: float,
        iteration: int,
        error: str | None = None,
    ) -> None:
        """Record a status change; the same transition written twice is stored once."""
        with self._write() as db:
            db.execute(
                "INSERT INTO node_transitions (run_id, node_id, status, worker_id, at,"
                " iteration, error) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (run_id, node_id, status, at, iteration) DO NOTHING",
                (run_id, node_id, _plain(status), worker_id, at, iteration, error),
            )

    def node_transitions(self, run_id: str) -> list[NodeTransition]:
        """Every transition of the run, oldest first."""
        rows = self._read(
            "SELECT run_id, node_id, status, worker_id, at, iteration, error"
            " FROM node_transitions WHERE run_id = ? ORDER BY at, id",
            (run_id,),
        )
        return [NodeTransition(*row) for row in rows]

    def node_states(self, run_id: str) -> dict[str, NodeTransition]:
        """The latest transition of each node."""
        return {t.node_id: t for t in self.node_transitions(run_id)}

    # -- events -----------------------------------------------------------------------------
    def add_event(
        self,
        run_id: str,
        message: str,
        *,
        level: str = "info",
        kind: str = "log",
        at: float | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO events (run_id, at, level, kind, message, data_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, time.time() if at is None else at, level, kind, message, _to_json(data)),
            )
            return int(cursor.lastrowid or 0)

    def events(self, run_id: str, after_id: int = 0, limit: int = 500) -> list[Event]:
        """Events with id > after_id, oldest first: poll with the last id seen."""
        rows = self._read(
            "SELECT id, run_id, at, level, kind, message, data_json FROM events"
            " WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
            (run_id, after_id, limit),
        )
        return [
            Event(
                id=row[0],
                run_id=row[1],
                at=row[2],
                level=row[3],
                kind=row[4],
                message=row[5],
                data=_from_json(row[6]),
            )
            for row in rows
        ]

    # -- artifacts --------------------------------------------------------------------------
    def put_artifacts(
        self,
        run_id: str,
        files: Mapping[str, str],
        *,
        kind: str,
        node_id: str | None,
        iteration: int,
    ) -> None:
        """Store the latest content of each path and a history row per iteration."""
        now = time.time()
        rows = [(run_id, check_path(path), content) for path, content in files.items()]
        with self._write() as db:
            for rid, path, content in rows:
                db.execute(
                    "INSERT INTO artifacts (run_id, path, kind, node_id, iteration, content,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, path)"
                    " DO UPDATE SET kind = excluded.kind, node_id = excluded.node_id,"
                    " iteration = excluded.iteration, content = excluded.content,"
                    " updated_at = excluded.updated_at",
                    (rid, path, kind, node_id, iteration, content, now),
                )
                db.execute(
                    "INSERT INTO artifact_history (run_id, path, iteration, kind, node_id,"
                    " content, written_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (run_id, path, iteration) DO UPDATE SET kind = excluded.kind,"
                    " node_id = excluded.node_id, content = excluded.content,"
                    " written_at = excluded.written_at",
                    (rid, path, iteration, kind, node_id, content, now),
                )

    def artifacts(self, run_id: str, kind: str | None = None) -> dict[str, str]:
        """Latest content per path, sorted by path."""
        if kind is None:
            rows = self._read(
                "SELECT path, content FROM artifacts WHERE run_id = ? ORDER BY path", (run_id,)
            )
        else:
            rows = self._read(
                "SELECT path, content FROM artifacts WHERE run_id = ? AND kind = ? ORDER BY path",
                (run_id, kind),
            )
        return {row[0]: row[1] for row in rows}

    def artifact_history(self, run_id: str, path: str) -> list[tuple[int, str]]:
        """(iteration, content) of every stored version of one file, oldest first."""
        rows = self._read(
            "SELECT iteration, content FROM artifact_history WHERE run_id = ? AND path = ?"
            " ORDER BY iteration",
            (run_id, check_path(path)),
        )
        return [(row[0], row[1]) for row in rows]

    # -- usage and timings --------------------------------------------------------------
    def add_usage(self, run_id: str, usage: LLMUsage) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO usage (run_id, role, model, cost_usd, data_json)"
                " VALUES (?, ?, ?, ?, ?)",
                (run_id, usage.role, usage.model, usage.cost_usd, usage.model_dump_json()),
            )

    def usage(self, run_id: str) -> list[LLMUsage]:
        rows = self._read("SELECT data_json FROM usage WHERE run_id = ? ORDER BY id", (run_id,))
        return [LLMUsage.model_validate_json(row[0]) for row in rows]

    def usage_totals(self, run_id: str) -> UsageTotals:
        return UsageTotals.of(self.usage(run_id))

    def add_timing(self, run_id: str, timing: PhaseTiming) -> None:
        """Record a phase; writing the same phase start again updates its end."""
        with self._write() as db:
            db.execute(
                "INSERT INTO timings (run_id, phase, iteration, started_at, finished_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, phase, iteration, started_at)"
                " DO UPDATE SET finished_at = excluded.finished_at",
                (run_id, timing.phase, timing.iteration, timing.started_at, timing.finished_at),
            )

    def timings(self, run_id: str) -> list[PhaseTiming]:
        rows = self._read(
            "SELECT phase, iteration, started_at, finished_at FROM timings WHERE run_id = ?"
            " ORDER BY started_at, phase",
            (run_id,),
        )
        return [
            PhaseTiming(phase=r[0], iteration=r[1], started_at=r[2], finished_at=r[3]) for r in rows
        ]


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _record(row: sqlite3.Row) -> RunRecord:
    values = {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row is not a dict
    for column in _JSON_COLUMNS:
        values[column] = _from_json(values[column])
    values["settings_json"] = values["settings_json"] or {}
    values["cancel_requested"] = bool(values["cancel_requested"])
    return RunRecord(**values)
