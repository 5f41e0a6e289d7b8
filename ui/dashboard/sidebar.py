"""The settings sidebar: provider (and why it is the active one), models, limits, sandbox."""

from __future__ import annotations

from typing import Any, get_args

import streamlit as st

from models.settings import ROLES, ProviderName, Settings, load_settings


def provider_statement(settings: Settings, chosen_here: bool) -> str:
    """Which provider runs the next generation, and the plain reason why."""
    if chosen_here:
        return f"{settings.resolved_provider()}: chosen in this sidebar"
    return settings.provider_reason()


def render() -> Settings:
    """Draw the sidebar and return the settings the next run uses."""
    base = load_settings()
    providers = list(get_args(ProviderName))
    overrides: dict[str, Any] = {}
    with st.sidebar:
        st.header("Settings")
        provider = st.selectbox(
            "Provider",
            providers,
            index=providers.index(base.provider),
            key="provider",
            help="auto: Anthropic with ANTHROPIC_API_KEY, an OpenAI-compatible server with "
            "OPENAI_BASE_URL, otherwise the recorded examples (replay).",
        )
        overrides["provider"] = provider
        preview = load_settings(provider=provider)
        st.info(
            "**Active provider:** " + provider_statement(preview, provider != base.provider),
            icon=":material/info:",
        )
        if preview.resolved_provider() == "anthropic" and preview.anthropic_api_key is None:
            st.warning("ANTHROPIC_API_KEY is not set (environment or .env): runs will fail.")
        if preview.resolved_provider() == "replay":
            overrides["replay_speed"] = st.slider(
                "Replay speed",
                min_value=0.0,
                max_value=2.0,
                value=float(base.dashboard_replay_speed),
                step=0.05,
                key="replay_speed",
                help="Scales the recorded latencies: 0 replies at once, 1 as recorded.",
            )
        with st.expander("Model per role"):
            for role in ROLES:
                overrides[f"model_{role}"] = st.text_input(
                    role.capitalize(), value=getattr(base, f"model_{role}"), key=f"model_{role}"
                )
        overrides["max_workers"] = st.number_input(
            "Workers", 1, 64, base.max_workers, key="max_workers",
            help="Coder workers running at the same time.",
        )  # fmt: skip
        overrides["max_iterations"] = st.number_input(
            "Max iterations", 1, 20, base.max_iterations, key="max_iterations",
            help="Rounds of revision before the run stops with what it has.",
        )  # fmt: skip
        overrides["budget_usd"] = st.number_input(
            "Budget (USD)", min_value=0.01, value=float(base.budget_usd), step=0.5,
            format="%.2f", key="budget_usd", help="The run stops before spending more.",
        )  # fmt: skip
        sandboxes = ["auto", "local", "docker"]
        overrides["sandbox"] = st.selectbox(
            "Sandbox backend", sandboxes, index=sandboxes.index(base.sandbox), key="sandbox",
            help="Where generated tests run: Docker when reachable, else a local sandbox.",
        )  # fmt: skip
        st.caption(f"Run store: `{base.db_path}`")
    return load_settings(**overrides)
