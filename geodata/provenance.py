"""What every result states about itself: vintage, population source, method, attribution."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence "
    "v.3.0. Contains OS data © Crown copyright and database right. Contains information "
    "from NHS England (NHS Digital), licensed under the Open Government Licence."
)

LSOA_METHOD = (
    "LSOA building blocks: each English LSOA's population is counted whole in the unit "
    "its ONS lookup assigns it to; both layers are unions of LSOAs, so the split is exact "
    "bookkeeping. Wales is out of scope."
)


def _status_filter(meta: dict[str, Any]) -> str:
    """The units a status filter left out say so in the method (see ``unit_status``)."""
    filters = meta.get("status_filter") or {}
    return "".join(
        f" Only established units of layer {layer} count; the LSOAs of proposed ones are "
        "counted as none." for layer, status in filters.items() if status == "established"
    )  # fmt: skip


@dataclass(frozen=True)
class Provenance:
    vintage: str
    title: str
    boundaries: str
    population_source: str
    method: str
    attribution: str = ATTRIBUTION
    #: The vintage declaration's ``note`` (e.g. that its lookup is a reconstruction),
    #: shown wherever the vintage is: its words come from the declaration, not from code.
    note: str = ""

    @classmethod
    def of(cls, meta: dict[str, Any], method: str = LSOA_METHOD) -> Provenance:
        return cls(
            vintage=meta["vintage"],
            title=meta.get("title", ""),
            boundaries=meta.get("boundaries", ""),
            population_source=meta["population_source"],
            method=method + _status_filter(meta),
            note=meta.get("note") or "",
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def lines(self) -> list[str]:
        return [
            f"Vintage: {self.vintage} ({self.title})",
            f"Boundaries: {self.boundaries}",
            f"Population: {self.population_source}",
            f"Method: {self.method}",
            *([f"Note: {self.note}"] if self.note else []),
            self.attribution,
        ]
