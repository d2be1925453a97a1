"""Finished JSON responses kept per loaded vintage. The store is read-only for the life
of a process, so a response for the same parameters is always the same bytes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Response, current_app

from geodata.store import VintageData

MAX_ENTRIES = 1024  # thresholds and bboxes are free numbers: keep the cache bounded


def cached_json(data: VintageData, key: Hashable, build: Callable[[], Any]) -> Response:
    cache: OrderedDict[Hashable, bytes] = data.cache.setdefault("responses", OrderedDict())
    body = cache.get(key)
    if body is None:
        body = current_app.json.dumps(build()).encode("utf-8")
        cache[key] = body
        if len(cache) > MAX_ENTRIES:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return current_app.response_class(body, mimetype="application/json")
