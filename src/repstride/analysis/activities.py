"""The Video API's activity catalogue (seed 001, "Create Video").

The catalogue is assembled from the activities' own declarations: every exercise spec names its
domain (``analysis/exercise/specs.py``), the sprint is analysed by ``analysis/running``. Adding an
exercise to an existing domain therefore needs no change here.
"""

from __future__ import annotations

from repstride.analysis.exercise.specs import SPECS
from repstride.errors import UnknownActivity

#: The Video API's domains, in the order of its catalogue.
DOMAIN_ORDER: tuple[str, ...] = (
    "weightlifting", "calisthenics", "martial_arts", "mobility", "running", "yoga")
#: Activities analysed outside the exercise engine -> their domain.
_NON_EXERCISE: dict[str, str] = {"sprint": "running"}
_MEMBERS = [(name, spec.domain) for name, spec in SPECS.items()] + list(_NON_EXERCISE.items())
_STRAY = sorted({d for _, d in _MEMBERS} - set(DOMAIN_ORDER))
if _STRAY:
    raise ValueError(f"activity specs name unknown domains {_STRAY}; add them to DOMAIN_ORDER")

#: domain -> activities (spec order), as the seed's table lists them.
DOMAINS: dict[str, tuple[str, ...]] = {
    d: tuple(a for a, dom in _MEMBERS if dom == d) for d in DOMAIN_ORDER}

#: activity -> its domain.
ACTIVITY_DOMAIN: dict[str, str] = {a: d for d, acts in DOMAINS.items() for a in acts}

ALL_ACTIVITIES: tuple[str, ...] = tuple(ACTIVITY_DOMAIN)


def resolve_activity(domain: str | None, activity: str | None) -> tuple[str | None, str | None]:
    """Validate a (domain, activity) pair from a client; fill the domain from the activity.

    Returns ``(domain, activity)``; either may be ``None`` when the client left it out (the
    activity is then recognised from the video). Raises :class:`UnknownActivity` with the
    accepted values when the domain or activity is unknown or the activity is outside its domain.
    """
    if domain is not None and domain not in DOMAINS:
        raise UnknownActivity(
            f"Unknown domain {domain!r}.", details={"accepted_domains": sorted(DOMAINS)}
        )
    if activity is not None:
        if activity not in ACTIVITY_DOMAIN:
            accepted = list(DOMAINS[domain]) if domain else sorted(ACTIVITY_DOMAIN)
            raise UnknownActivity(
                f"Unknown activity {activity!r}.", details={"accepted_activities": accepted}
            )
        if domain is not None and ACTIVITY_DOMAIN[activity] != domain:
            raise UnknownActivity(
                f"Activity {activity!r} is not in domain {domain!r}.",
                details={"accepted_activities": list(DOMAINS[domain])},
            )
        domain = ACTIVITY_DOMAIN[activity]
    return domain, activity
