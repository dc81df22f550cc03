"""Redaction of secrets in parameters and in any text derived from them.

A key is redacted when one of the configured key patterns matches it as a whole word sequence
(`api_key` matches `openai_api_key` and `apiKey`, `key` does not match `monkey`). Patterns that
start with `re:` are regular expressions matched against string values. Every redacted value is
also scrubbed from prompts, responses, error messages and every other stored string (another
parameter, metadata), so a secret appears nowhere. Secrets are collected first, then masked:
the order of the keys does not matter.
"""

from __future__ import annotations

import json
import re
from typing import Any

MASK = "[REDACTED]"
MESSAGE_LIMIT = 500  # characters of an error message that are stored
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

    def collect(self, value: Any) -> None:
        """Remember the secrets inside `value` (under secret keys, or matching a pattern)."""
        if isinstance(value, dict):
            for k, v in value.items():
                if self.key_is_secret(k):
                    self.remember(v)
                else:
                    self.collect(v)
        elif isinstance(value, list):
            for v in value:
                self.collect(v)
        elif isinstance(value, str) and any(p.search(value) for p in self.value_patterns):
            self.remember(value)

    def params(self, value: Any) -> Any:
        """A copy of `value` with secret keys masked and every known secret scrubbed from its
        strings; the secrets found are remembered for `text()`."""
        self.collect(value)
        return self._masked(value)

    def _masked(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: MASK if self.key_is_secret(k) and v not in (None, "")
                    else self._masked(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._masked(v) for v in value]
        return self.text(value) if isinstance(value, str) else value

    def remember(self, value: Any) -> None:
        """Treat `value` (or every value inside it) as a secret from now on."""
        if isinstance(value, (dict, list)):
            for v in value.values() if isinstance(value, dict) else value:
                self.remember(v)
        elif value not in (None, "") and not isinstance(value, bool):
            # also without its surrounding whitespace (a file read with `@path` ends in a
            # newline the model does not repeat), and as it reads inside JSON (an echoed body)
            for text in {str(value), str(value).strip()}:
                if len(text) >= 3:
                    self.secrets.update({text, json.dumps(text)[1:-1],
                                         json.dumps(text, ensure_ascii=False)[1:-1]})

    def text(self, value: str | None) -> str | None:
        """Scrub remembered secrets and value patterns from free text."""
        if not value:
            return value
        for secret in sorted(self.secrets, key=len, reverse=True):
            value = value.replace(secret, MASK)
        for pattern in self.value_patterns:
            value = pattern.sub(MASK, value)
        return value

    def clipped(self, value: str | None, limit: int = MESSAGE_LIMIT) -> str | None:
        """`value` scrubbed, then cut to `limit` characters: cut first, a secret that
        straddles the cut would no longer match and keep all but its end."""
        scrubbed = self.text(value)
        return scrubbed[:limit] if scrubbed else scrubbed
