"""Families: the pupils who share a parent, across schools, and their attendance side by side.

Pupils who share a contact with parental responsibility (``contacts.csv``) are siblings, whichever schools
they attend. A family is a connected group: pupils are joined through every parent with parental
responsibility they share, and families chain. Two half-sisters who share a mother are one family, and so
is the half-brother of one of them through her father, although he shares no parent with the other: their
households are linked, and the reference's rule is that a family with children at several schools gets one
approach and one plan, with letters not duplicated (``shared/domain/casework-and-registers.md`` §1.2, where
"a family can have several parents in several households"). Each member lists the parents they have, so a
view can still say who is whose. Contacts without parental responsibility (a grandparent, a social worker,
a carer) join no one.

:func:`family_of` finds one pupil's family by following links from them (a few questions to the store);
:func:`families` finds every family in the store at once; :func:`family_attendance` puts each sibling's
attendance (:func:`attendwise.measures.attendance.pupil_attendance`) beside the others' for one period.

A family crosses schools, so what a person may see of it is the caller's to decide: a school's user may see
only the siblings on their own schools' roll, and the Virtual School only children looked after or with a
social worker (the web app's ``Scope.allows_enrolment``); these functions return the whole family.

>>> [sorted(f.upns) for f in connected_families([("A", "mum"), ("B", "mum"), ("B", "dad2"), ("C", "dad2"),
...                                              ("D", "other")])]
[['A', 'B', 'C'], ['D']]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendwise.core.calendar import Period
from attendwise.measures.attendance import PupilAttendance, pupil_attendance, year_so_far

if TYPE_CHECKING:
    from attendwise.store import Store
    from attendwise.store.questions import PupilContact

__all__ = [
    "Family",
    "FamilyAttendance",
    "FamilyLinks",
    "FamilyMember",
    "SiblingAttendance",
    "connected_families",
    "families",
    "family_attendance",
    "family_of",
]


@dataclass(frozen=True)
class FamilyLinks:
    """The pupils of one family and the parents (contact ids with parental responsibility) joining them."""

    upns: frozenset[str]
    contact_ids: frozenset[str]


def connected_families(links: Iterable[tuple[str, str]]) -> list[FamilyLinks]:
    """Group ``(upn, contact_id)`` links into families: connected components of pupils and parents.

    Families come largest first, then by their first UPN (the order is fixed for the same links).
    """
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for upn, contact_id in links:
        a, b = find(("p", upn)), find(("c", contact_id))
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for node in list(parent):
        pupils, contacts = groups.setdefault(find(node), (set(), set()))
        (pupils if node[0] == "p" else contacts).add(node[1])
    out = [FamilyLinks(frozenset(p), frozenset(c)) for p, c in groups.values() if p]
    return sorted(out, key=lambda f: (-len(f.upns), min(f.upns)))


@dataclass(frozen=True)
class FamilyMember:
    """One child of a family."""

    upn: str
    forename: str | None
    surname: str | None
    #: The schools whose roll they are on, as ``(urn, name)`` (their last school if they have left).
    schools: tuple[tuple[int, str], ...]
    #: Their contacts (every one, with parental responsibility or not), by priority.
    contacts: tuple[PupilContact, ...]

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.forename, self.surname) if p) or "Name not recorded"

    @property
    def parent_ids(self) -> frozenset[str]:
        """The contacts with parental responsibility for this child: what joins them to the family."""
        return frozenset(c.contact.contact_id for c in self.contacts if c.parental_responsibility)


@dataclass(frozen=True)
class Family:
    """Siblings across schools, and the parents they share."""

    members: tuple[FamilyMember, ...]

    @property
    def upns(self) -> tuple[str, ...]:
        return tuple(m.upn for m in self.members)

    @property
    def key(self) -> str:
        """A name for the family that stays while its members do: its first UPN."""
        return min(self.upns)

    @property
    def schools(self) -> tuple[tuple[int, str], ...]:
        """Every school a member is on the roll of, each once."""
        seen: dict[int, str] = {}
        for m in self.members:
            for urn, name in m.schools:
                seen.setdefault(urn, name)
        return tuple(sorted(seen.items()))

    def member(self, upn: str) -> FamilyMember | None:
        return next((m for m in self.members if m.upn == upn), None)

    def shared_parents(self, a: str, b: str) -> frozenset[str]:
        """The parents two members share (none for siblings joined only through others)."""
        first, second = self.member(a), self.member(b)
        return first.parent_ids & second.parent_ids if first and second else frozenset()


def _family(store: Store, upns: Iterable[str]) -> Family:
    members = sorted(set(upns))
    names = store.pupil_names(members)
    schools = store.pupil_schools(members)
    contacts = store.pupil_contacts(members)
    return Family(
        tuple(
            FamilyMember(
                upn=u,
                forename=names.get(u, (None, None))[0],
                surname=names.get(u, (None, None))[1],
                schools=tuple(schools.get(u, ())),
                contacts=tuple(contacts.get(u, ())),
            )
            for u in members
        )
    )


def family_of(store: Store, upn: str) -> Family | None:
    """The family of one pupil (just the pupil, if they share no parent with another); ``None`` for a pupil
    the store does not hold."""
    if not store.pupil_names([upn]):
        return None
    pupils, parents = {upn}, set()
    new_pupils: set[str] = {upn}
    while new_pupils:
        found = {c for _, c in store.parental_links(upns=new_pupils)} - parents
        parents |= found
        new_pupils = {u for u, _ in store.parental_links(contact_ids=found)} - pupils if found else set()
        pupils |= new_pupils
    return _family(store, pupils)


def families(store: Store, *, min_children: int = 2) -> list[Family]:
    """Every family with at least ``min_children`` children in the store, largest first."""
    groups = [g for g in connected_families(store.parental_links()) if len(g.upns) >= min_children]
    everyone = sorted({u for g in groups for u in g.upns})
    names = store.pupil_names(everyone)
    schools = store.pupil_schools(everyone)
    contacts = store.pupil_contacts(everyone)
    return [
        Family(
            tuple(
                FamilyMember(u, *names.get(u, (None, None)), tuple(schools.get(u, ())), tuple(contacts.get(u, ())))
                for u in sorted(g.upns)
            )
        )
        for g in groups
    ]


@dataclass(frozen=True)
class SiblingAttendance:
    """One child of the family and their attendance over the period (``None`` with no possible session)."""

    member: FamilyMember
    attendance: PupilAttendance | None


@dataclass(frozen=True)
class FamilyAttendance:
    """Each sibling's attendance over one period, for a family view: one approach for the whole family."""

    family: Family
    period: Period
    siblings: tuple[SiblingAttendance, ...]

    @property
    def sess_possible(self) -> int:
        return sum(s.attendance.sess_possible for s in self.siblings if s.attendance)

    @property
    def sess_missed(self) -> int:
        return sum(s.attendance.sess_missed for s in self.siblings if s.attendance)

    @property
    def persistently_absent(self) -> tuple[FamilyMember, ...]:
        """The siblings missing 10% or more of their sessions."""
        return tuple(s.member for s in self.siblings if s.attendance and s.attendance.persistently_absent)


def family_attendance(store: Store, upn: str, period: Period | None = None) -> FamilyAttendance | None:
    """The family of ``upn`` with every sibling's attendance over ``period`` (default: this year so far)."""
    family = family_of(store, upn)
    if family is None:
        return None
    period = period or year_so_far(store)
    figures = pupil_attendance(store, family.upns, period)
    return FamilyAttendance(family, period, tuple(SiblingAttendance(m, figures.get(m.upn)) for m in family.members))
