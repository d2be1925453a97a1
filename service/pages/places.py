"""Pages for place-based partnership analysts: place sets, a form to define one, checks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from geodata.errors import BoundaryLabError
from geodata.output import records
from geodata.places import PlaceSet, builtin_sets, resolve_places
from geodata.places.checks import check_places
from geodata.provenance import ATTRIBUTION

from ..auth import check_access, form_writer, identity
from ..context import services
from ..errors import ApiError
from .chrome import chosen_vintage, show_vintage

place_pages = Blueprint("place_pages", __name__, url_prefix="/places")


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, attribution=ATTRIBUTION, **context), status


@place_pages.get("/")
def index(error: str | None = None, status: int = 200) -> tuple[str, int]:
    check_access("viewer")
    data = services().vintage(request.form.get("vintage") or chosen_vintage())
    sets = [{"id": f"builtin-{key}", "name": s.name, "places": len(s.places), "author": ""}
            for key, s in builtin_sets(data).items()]  # fmt: skip
    sets += [{"id": r.id, "name": r.name, "places": len(r.spec["places"]), "author": r.author}
             for r in services().db.list_place_sets() if r.vintage == data.name]  # fmt: skip
    return _page("places.html", status, error=error, form=request.form, sets=sets,
                 vintage=data.name, vintages=list(reversed(services().usable())))  # fmt: skip


def _places(text: str) -> list[dict[str, Any]]:
    """'Name = layer:code, layer:code' lines as place dicts."""
    places = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, blocks = line.partition("=")
        if not sep or not name.strip() or not blocks.strip():
            raise BoundaryLabError(f"places line {number}: {line.strip()!r} is not "
                                   "'name = layer:code, layer:code'")  # fmt: skip
        parsed = []
        for block in blocks.split(","):
            layer, colon, code = block.strip().partition(":")
            if not colon:
                raise BoundaryLabError(f"places line {number}: {block.strip()!r} is not "
                                       "layer:code")  # fmt: skip
            parsed.append({"layer": layer.strip(), "code": code.strip()})
        places.append({"name": name.strip(), "blocks": parsed})
    if not places:
        raise BoundaryLabError("give at least one place")
    return places


@place_pages.post("/")
def create() -> WerkzeugResponse | tuple[str, int]:
    try:
        form_writer()
        icbs = [c.strip() for c in request.form.get("icbs", "").split(",") if c.strip()]
        place_set = PlaceSet.from_dict({
            "name": request.form.get("name", ""), "vintage": request.form.get("vintage", ""),
            "icbs": icbs, "allow_overlaps": "allow_overlaps" in request.form,
            "places": _places(request.form.get("places", "")),
        })  # fmt: skip
        resolve_places(services().vintage(place_set.vintage), place_set)
        record = services().db.save_place_set(place_set.as_dict(), identity().actor)
    except ApiError as exc:
        return index(exc.message, exc.status)
    except BoundaryLabError as exc:
        return index(str(exc), 400)
    return redirect(url_for("place_pages.show", ref=record.id, vintage=record.vintage), 303)


@place_pages.get("/<ref>")
def show(ref: str) -> tuple[str, int]:
    check_access("viewer")
    from ..api.places import resolve_ref

    try:
        place_set, data, _ = resolve_ref(ref)
    except ApiError as exc:
        return index(exc.message, exc.status)
    show_vintage(place_set.vintage)
    checks = check_places(data, resolve_places(data, place_set))
    gaps = {"lsoas": len(checks.gaps), "population": int(checks.gaps["population"].sum())}
    straddling = (None if checks.pcns_straddling is None
                  else records(checks.pcns_straddling))  # fmt: skip
    return _page("place_set.html", place_set=place_set, ref=ref, vintage=data.name,
                 checks=checks, places=records(checks.places), gaps=gaps,
                 overlaps=len(checks.overlaps), straddling=straddling)  # fmt: skip
