"""The agents of the pipeline, one module per role; `agents.llm` is the provider layer."""
