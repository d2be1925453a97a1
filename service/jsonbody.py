"""Request bodies as JSON, bounded: nesting deeper than ``MAX_DEPTH`` is refused with a
400 on every JSON endpoint (Python's parser would raise RecursionError, a 500, at about
a thousand levels; and nothing here needs more than a handful)."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 32


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests lists/objects more than ``limit`` deep (iterative)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            value = None
        else:
            if not too_deep(value):
                return value
        raise BadRequest(f"the JSON body nests lists or objects more than {MAX_DEPTH} deep")
