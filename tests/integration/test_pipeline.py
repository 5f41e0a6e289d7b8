"""The compiled graph end to end with a scripted model, a real store and the real sandbox."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from agents.llm.fake import ScriptedLLM
from graph.runner import execute_run
from graph.store import RunStore
from models.settings import Settings
from tests.support.synthetic import SyntheticProject, chain, diamond, fan_out, independent


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"home": tmp_path / "home", "max_workers": 4, "sandbox": "local"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def generate(tmp_path: Path, project: SyntheticProject, *, delay: float = 0.0, **overrides):
    settings = make_settings(tmp_path, **overrides)
    llm = ScriptedLLM(project, delay=delay)
    store = RunStore(settings.db_path)
    result = await execute_run(settings, request="Modules that add up.", llm=llm, store=store)
    return result, llm, store


def coder_keys(llm: ScriptedLLM) -> list[str]:
    return sorted(r.call.key for r in llm.calls_for(role="coder"))


@pytest.mark.parametrize(
    "shape",
    [chain(4), diamond(), fan_out(8)],
    ids=["chain", "diamond", "fan-out-8"],
)
async def test_shapes_generate_projects_whose_tests_pass(tmp_path: Path, shape) -> None:
    result, llm, store = await generate(tmp_path, SyntheticProject(shape))

    assert result.status == "done", result.error
    assert result.summary.tests_passed == len(shape)
    assert result.summary.tests_total == len(shape)
    assert coder_keys(llm) == sorted(f"coder|{n}|0" for n in shape)
    # The project on disk and in the zip holds every module, its test and a README.
    assert result.output_dir is not None and result.zip_path is not None
    for node in shape:
        assert (result.output_dir / f"{node}.py").is_file()
        assert (result.output_dir / "tests" / f"test_{node}.py").is_file()
    with zipfile.ZipFile(result.zip_path) as zf:
        names = set(zf.namelist())
    assert {f"{n}.py" for n in shape} | {"README.md"} <= names
    # Every node ended DONE in the store, with a worker and timings.
    states = store.node_states(result.run_id)
    assert {n: s.status for n, s in states.items()} == {n: "DONE" for n in shape}
    assert store.get_run(result.run_id).status == "done"


async def test_revision_recodes_only_the_failing_node(tmp_path: Path) -> None:
    shape = fan_out(3)
    result, llm, _ = await generate(tmp_path, SyntheticProject(shape, bugs={"leaf1": 1}))

    assert result.status == "done", result.error
    assert result.summary.iterations == 2
    second_round = [r.call.node for r in llm.calls_for(role="coder") if r.call.iteration == 1]
    assert second_round == ["leaf1"]
    # No test file was rewritten: the tests were right, the module was wrong.
    assert all(r.call.iteration == 0 for r in llm.calls_for(role="tester"))
    state = result.state
    assert state is not None
    assert [rv.reset_nodes for rv in state.revisions] == [["leaf1"]]
    assert state.revisions[0].failing_files == ["leaf1.py"]
    assert result.summary.tests_passed == 4
    assert "return 1 + value_core() + 0" in (result.output_dir / "leaf1.py").read_text()


async def test_a_failing_test_blames_its_own_node_not_every_module_it_imports(
    tmp_path: Path,
) -> None:
    project = SyntheticProject(fan_out(3), bugs={"leaf1": 1}, tests_import_deps=True)
    result, llm, _ = await generate(tmp_path, project)

    assert result.status == "done", result.error
    recoded = [r.call.node for r in llm.calls_for(role="coder") if r.call.iteration == 1]
    assert recoded == ["leaf1"]  # test_leaf1 also imports core, which is not recoded


async def test_revision_of_a_chain_keeps_upstream_nodes(tmp_path: Path) -> None:
    shape = chain(4)
    result, llm, _ = await generate(tmp_path, SyntheticProject(shape, bugs={"m2": 1}))

    assert result.status == "done", result.error
    recoded = [r.call.node for r in llm.calls_for(role="coder") if r.call.iteration == 1]
    assert recoded == ["m2"]  # m0 and m1 are untouched; m3 keeps its code (same interface)


async def test_loop_ends_at_max_iterations_through_the_compiled_graph(tmp_path: Path) -> None:
    project = SyntheticProject(fan_out(2), bugs={"leaf0": 99})
    result, llm, store = await generate(tmp_path, project, max_iterations=3)

    assert result.status == "failed"
    assert "after 3 iteration(s)" in (result.error or "")
    assert "leaf0.py" in (result.error or "")
    assert [r.call.iteration for r in llm.calls_for(role="coder", node="leaf0")] == [0, 1, 2]
    assert len(llm.calls_for(role="coder", node="leaf1")) == 1
    # Every generated file is kept, even when generation failed.
    assert set(store.artifacts(result.run_id)) >= {"core.py", "leaf0.py", "leaf1.py"}
    assert (result.output_dir / "leaf0.py").is_file()


async def test_independent_nodes_run_at_the_same_time(tmp_path: Path) -> None:
    result, llm, _ = await generate(tmp_path, SyntheticProject(independent(4)), delay=0.3)

    assert result.status == "done", result.error
    coders = llm.calls_for(role="coder")
    assert len(coders) == 4
    latest_start = max(r.started for r in coders)
    earliest_end = min(r.finished for r in coders)
    assert latest_start < earliest_end  # all four running intervals overlap
    assert result.state is not None and result.state.coding[0].max_parallel == 4


async def test_workers_bound_the_parallelism(tmp_path: Path) -> None:
    result, _llm, _ = await generate(
        tmp_path, SyntheticProject(independent(4)), delay=0.2, max_workers=2
    )

    assert result.status == "done", result.error
    assert result.state is not None and result.state.coding[0].max_parallel == 2


@pytest.mark.parametrize("request_text", ["", "   \n\t ", "x" * 100_000])
async def test_bad_requests_are_rejected_before_any_spending(tmp_path: Path, request_text) -> None:
    settings = make_settings(tmp_path)
    llm = ScriptedLLM(SyntheticProject(diamond()))
    result = await execute_run(settings, request=request_text, llm=llm)

    assert result.status == "rejected"
    assert llm.calls == []
    assert result.summary.cost_usd == 0
    assert "Request rejected" in (result.error or "")


async def test_non_software_request_is_rejected_by_the_orchestrator(tmp_path: Path) -> None:
    result, llm, _ = await generate(tmp_path, SyntheticProject(diamond(), reject=True))

    assert result.status == "rejected"
    assert "not a software project" in (result.error or "")
    assert [r.call.role for r in llm.calls] == ["orchestrator"]
    assert result.output_dir is None


async def test_cache_prefix_is_warmed_before_the_fan_out(tmp_path: Path) -> None:
    result, llm, _ = await generate(tmp_path, SyntheticProject(fan_out(4)))

    assert result.status == "done", result.error
    assert [c.role for c in llm.warm_calls] == ["coder"]
    assert result.summary.cache_read_tokens > 0


async def test_a_test_file_that_failed_to_be_written_is_written_in_the_next_round(
    tmp_path: Path,
) -> None:
    project = SyntheticProject(fan_out(2))

    def handler(call, schema, repair):
        if call.key == "tester|leaf0|0":
            return "not json"  # and again on the repair turn: the job fails
        return project(call, schema, repair)

    settings = make_settings(tmp_path)
    llm = ScriptedLLM(handler)
    result = await execute_run(
        settings, request="Modules.", llm=llm, store=RunStore(settings.db_path)
    )

    assert result.status == "done", result.error
    assert result.summary.iterations == 2
    assert [r.call.iteration for r in llm.calls_for(role="tester", node="leaf0")] == [0, 0, 1]
    assert llm.calls_for(role="coder", node="leaf0")[-1].call.iteration == 0  # code kept
    assert result.summary.tests_passed == 3


async def test_plan_approval_pauses_and_codes_the_edited_plan(tmp_path: Path) -> None:
    project = SyntheticProject(diamond())
    settings = make_settings(tmp_path)
    store = RunStore(settings.db_path)
    llm = ScriptedLLM(project)

    paused = await execute_run(
        settings, request="Modules.", llm=llm, store=store, approve_plan=True
    )
    assert paused.status == "awaiting_approval"
    assert llm.calls_for(role="coder") == []
    assert paused.output_dir is None

    edited = project.plan().model_copy(update={"objective": "Edited by a person."})
    done = await execute_run(
        settings, run_id=paused.run_id, resume=True, plan_answer=edited, llm=llm, store=store
    )

    assert done.status == "done", done.error
    assert done.state is not None and done.state.plan is not None
    assert done.state.plan.objective == "Edited by a person."
    assert "Edited by a person." in llm.calls_for(role="coder")[0].call.context
    assert len(llm.calls_for(role="planner")) == 1
    approvals = [e.message for e in store.events(paused.run_id) if e.kind == "approval"]
    assert approvals == ["waiting for the plan to be approved", "plan approved: 4 files"]
