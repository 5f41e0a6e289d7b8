"""Four runs at once through the runner, as the dashboard starts them, sharing one store.

Each run has its own DAG shape with node names no other run uses, so any row, event or file
that strays into another run shows up by name.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from agents.llm.base import LLM
from agents.llm.fake import ScriptedLLM
from graph.runner import RunHandle, start_in_background
from graph.store import RunStore
from models.settings import Settings
from tests.reliability.figures import record
from tests.support.synthetic import SyntheticProject, chain, diamond, fan_out, independent

SHAPES = {
    "chain": chain(4),
    "diamond": diamond(),
    "fan-out": fan_out(3),
    "independent": independent(3),
}


def expected_files(project: SyntheticProject) -> dict[str, str]:
    files = {f"{n}.py": project.module(n, 0) for n in project.shape}
    files.update({f"tests/test_{n}.py": project.test(n) for n in project.shape})
    return files


def test_four_simultaneous_runs_keep_to_their_own_data(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, home=tmp_path, sandbox="local", max_workers=2)  # type: ignore[call-arg]
    projects = {name: SyntheticProject(shape) for name, shape in SHAPES.items()}
    models: dict[str, ScriptedLLM] = {}
    handles: dict[str, RunHandle] = {}

    def factory(name: str) -> LLM:
        models[name] = ScriptedLLM(projects[name], delay=0.3)
        return models[name]

    for name in SHAPES:
        handles[name] = start_in_background(
            settings,
            request=f"Modules that add up, shaped as a {name}.",
            llm_factory=lambda name=name: factory(name),  # type: ignore[misc]
        )
    results = {name: h.wait(timeout=120) for name, h in handles.items()}

    store = RunStore(settings.db_path)
    assert len({h.run_id for h in handles.values()}) == 4
    assert {r.run_id for r in store.list_runs()} == {h.run_id for h in handles.values()}
    for name, project in projects.items():
        run_id = handles[name].run_id
        result = results[name]
        assert handles[name].exception is None
        assert result is not None and result.status == "done", result and result.error
        assert result.summary.tests_passed == len(project.shape)
        assert store.get_run(run_id).status == "done"  # type: ignore[union-attr]

        files = expected_files(project)
        assert store.artifacts(run_id) == files
        assert result.output_dir is not None and result.zip_path is not None
        on_disk = {
            p.relative_to(result.output_dir).as_posix()
            for p in result.output_dir.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(result.output_dir).parts
        }
        assert on_disk == set(files) | {"README.md"}
        with zipfile.ZipFile(result.zip_path) as zf:
            assert set(zf.namelist()) == set(files) | {"README.md"}

        transitions = store.node_transitions(run_id)
        assert {t.node_id for t in transitions} == set(project.shape)
        assert {t.run_id for t in transitions} == {run_id}
        dag = store.get_dag(run_id)
        assert dag is not None and {n.id for n in dag.nodes} == set(project.shape)
        events = store.events(run_id)
        assert {e.run_id for e in events} == {run_id}
        plan_events = [e for e in events if e.message.startswith("plan: ")]
        assert [e.data for e in plan_events] == [{"files": [f"{n}.py" for n in project.shape]}]
        llm = models[name]
        usage = store.usage(run_id)
        assert len(usage) == len(llm.calls) + len(llm.warm_calls)
        assert {u.node_id for u in usage if u.role == "coder"} == set(project.shape)

    # The four runs were really in flight at the same moment.
    spans = [
        (min(c.started for c in m.calls), max(c.finished for c in m.calls)) for m in models.values()
    ]
    assert max(start for start, _ in spans) < min(end for _, end in spans)
    record(
        "concurrency",
        {
            "simultaneous_runs": len(SHAPES),
            "shapes": {name: len(shape) for name, shape in SHAPES.items()},
            "llm_calls": sum(len(m.calls) for m in models.values()),
            "rows_in_another_run": 0,
        },
    )
