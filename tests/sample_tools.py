"""Tool functions for the tests, importable as `sample_tools:NAME` (tests/ is on the path)."""

from __future__ import annotations

from typing import Literal


def get_weather(city: str, unit: Literal["c", "f"] = "c") -> str:
    """Current weather for a city.

    Args:
        city: The city name, e.g. Paris.
        unit: Celsius or Fahrenheit.
    """
    return f"sunny in {city}, 21{unit.upper()}"


def explode(reason: str) -> str:
    """A tool that always fails."""
    raise RuntimeError(f"tool failed: {reason}")


def forecast(days: int) -> dict:
    """A tool whose result is not text."""
    return {"days": days, "outlook": ["sun"] * days}


def no_hints(city):
    return city


NOT_CALLABLE = 42


def login(user: str, api_key: str) -> str:
    """A tool whose arguments hold a secret."""
    return f"logged in as {user}"
