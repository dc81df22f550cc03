"""Which models litellm's bundled price map knows, read without importing litellm.

`agents validate` warns about models that nothing can price or route. Importing litellm costs
seconds, so the JSON file it ships is read directly, found through its package's location.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

MAP_FILE = "model_prices_and_context_window_backup.json"


@cache
def _known() -> dict[str, str]:
    """Model name → litellm provider, from the installed litellm's price map ({} if absent)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or spec.origin is None:
        return {}
    path = Path(spec.origin).parent / MAP_FILE
    try:
        entries = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {name: str(entry.get("litellm_provider", "")) for name, entry in entries.items()
            if isinstance(entry, dict)}


def knows(model: str) -> bool:
    """True if litellm can price `model` by its map: the name itself, or `provider/name` whose
    name the map gives to that provider."""
    known = _known()
    if model in known:
        return True
    provider, _, name = model.partition("/")
    return bool(name) and known.get(name) == provider


def unpriced(agent) -> list[str]:
    """The agent's models that litellm's map does not know, that its `pricing:` does not price
    and that are not an `openai/...` model served by an `api_base` of the agent's own."""
    if agent.pricing is not None:
        return []
    return [entry.model for entry in agent.models()
            if not knows(entry.model)
            and not (entry.model.startswith("openai/") and entry.api_base)]
