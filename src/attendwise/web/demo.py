"""Demo accounts, one per role, for the demo city: what a new user signs in with first.

Each start of ``attendwise serve --demo`` gives every demo account a new random password and prints
them, so nothing guessable is ever left on a machine.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from attendwise.store import Store
from attendwise.web.models import Profile, Role, SchoolAccess

__all__ = ["DemoLogin", "ensure_demo_accounts"]

_WORDS = (
    "amber",
    "birch",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "grove",
    "heron",
    "inlet",
    "juniper",
    "kestrel",
    "larch",
    "maple",
    "nettle",
    "otter",
    "plover",
    "quartz",
    "raven",
    "sorrel",
    "thistle",
    "umber",
    "vale",
    "willow",
    "yarrow",
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    note: str


def _password() -> str:
    return "-".join(secrets.choice(_WORDS) for _ in range(3)) + f"-{secrets.randbelow(90) + 10}"


def ensure_demo_accounts(store: Store) -> list[DemoLogin]:
    """Create or refresh the demo accounts against the store's schools and print-ready logins."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    schools = [(s.urn, s.name) for s in store.schools()]  # the largest first
    first_school = schools[0] if schools else None
    assigned = [u for u, _ in schools[:3]]
    plans = [
        ("la-admin", Role.LA_ADMIN, [], "everything, the audit log and /admin/"),
        ("officer", Role.OFFICER, [], "every school and pupil"),
        ("officer-north", Role.OFFICER, assigned, f"{len(assigned)} assigned schools only"),
        (
            "school",
            Role.SCHOOL,
            [first_school[0]] if first_school else [],
            f"{first_school[1]} only" if first_school else "no school yet",
        ),
        ("virtual-school", Role.VIRTUAL_SCHOOL, [], "children looked after or with a social worker"),
        ("scrutiny", Role.SCRUTINY, [], "aggregates only, small numbers suppressed"),
    ]
    logins = []
    for username, role, urns, note in plans:
        user, _ = user_model.objects.get_or_create(username=username)
        password = _password()
        user.set_password(password)
        user.is_staff = user.is_superuser = role == Role.LA_ADMIN
        user.is_active = True
        user.save()
        Profile.objects.update_or_create(user=user, defaults={"role": role})
        SchoolAccess.objects.filter(user=user).delete()
        SchoolAccess.objects.bulk_create([SchoolAccess(user=user, urn=u) for u in urns])
        logins.append(DemoLogin(username, password, role, note))
    return logins
