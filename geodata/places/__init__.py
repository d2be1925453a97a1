"""Places: each ICS's local footprints, as named sets of building blocks."""

from .model import Place, PlaceSet, builtin_sets
from .resolve import Membership, resolve_places, with_places

__all__ = ["Membership", "Place", "PlaceSet", "builtin_sets", "resolve_places", "with_places"]
