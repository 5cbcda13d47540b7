"""The Video API's activity catalogue (seed 001, "Create Video")."""

from __future__ import annotations

from repstride.errors import UnknownActivity

#: domain -> activities, exactly as the seed's table lists them.
DOMAINS: dict[str, tuple[str, ...]] = {
    "weightlifting": ("bench_press", "clean_and_jerk", "deadlift", "snatch", "squat"),
    "calisthenics": ("bodyweight_squat", "burpee", "chin_up", "lunge", "push_up", "sit_up"),
    "martial_arts": ("punch", "front_kick"),
    "mobility": ("knee_to_chest",),
    "running": ("sprint",),
    "yoga": ("downward_dog",),
}

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
