"""The hall model: pydantic v2 models of a layout and a scenario (DESIGN §2, §3)."""
