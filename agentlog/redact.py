"""Redaction of secrets in parameters and in any text derived from them.

A key is redacted when one of the configured key patterns matches it as a whole word sequence
(`api_key` matches `openai_api_key` and `apiKey`, `key` does not match `monkey`). Patterns that
start with `re:` are regular expressions matched against string values. Every redacted value is
also scrubbed from prompts, responses and error messages, so a secret appears nowhere.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "[REDACTED]"
DEFAULT_PATTERNS = (
    "password", "token", "api_key", "secret", "key", "credential", "auth",
    "access_token", "refresh_token", "private_key",
)


def _words(name: str) -> list[str]:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", name.lower()) if w]


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return n > 0 and any(words[i:i + n] == part for i in range(len(words) - n + 1))


class Redactor:
    def __init__(self, patterns: list[str] | tuple[str, ...] = DEFAULT_PATTERNS):
        self.key_patterns = [_words(p) for p in patterns if not p.startswith("re:")]
        self.value_patterns = [re.compile(p[3:]) for p in patterns if p.startswith("re:")]
        self.secrets: set[str] = set()

    def key_is_secret(self, key: str) -> bool:
        words = _words(str(key))
        return any(_contains(words, p) for p in self.key_patterns)

    def params(self, value: Any) -> Any:
        """Return a copy of `value` with secret keys and secret-looking values masked.

        The masked values are remembered so that `text()` can scrub them elsewhere.
        """
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if self.key_is_secret(k) and v not in (None, ""):
                    self._remember(v)
                    out[k] = MASK
                else:
                    out[k] = self.params(v)
            return out
        if isinstance(value, list):
            return [self.params(v) for v in value]
        if isinstance(value, str) and any(p.search(value) for p in self.value_patterns):
            self._remember(value)
            return self.text(value)
        return value

    def _remember(self, value: Any) -> None:
        if isinstance(value, (dict, list)):
            for v in value.values() if isinstance(value, dict) else value:
                self._remember(v)
        elif value not in (None, "") and not isinstance(value, bool):
            text = str(value)
            if len(text) >= 3:
                self.secrets.add(text)

    def text(self, value: str | None) -> str | None:
        """Scrub remembered secrets and value patterns from free text."""
        if not value:
            return value
        for secret in sorted(self.secrets, key=len, reverse=True):
            value = value.replace(secret, MASK)
        for pattern in self.value_patterns:
            value = pattern.sub(MASK, value)
        return value
