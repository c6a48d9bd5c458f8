"""The demo city's families: who each pupil's parents and carers are (``contacts.csv``).

The simulation draws pupils one by one, so families are made afterwards from the pupils written: children
with the same surname (from the same names' group) whose homes are in one small square of the city's map
and whose dates of birth are at least a year apart become brothers and sisters, in families of one to four
children, so that an older child at secondary school and a younger one at primary are siblings at different
schools. A home is near the child's first school written (for a child first seen at secondary school, near
one of the primary schools sending children there). Each family then gets:

* a mother (parental responsibility, living with the children) and, in about three families in four, a
  father with parental responsibility; in about a third of those he lives elsewhere (another address);
* for about one father in twelve of those living apart, a child in a nearby family without a father who is
  also his (half-siblings through him), so families chain as they do in real registers;
* for about one family in seven, a grandparent the school may also call (no parental responsibility);
* for a child looked after (at their latest enrolment), a foster carer the child lives with, and the birth
  mother with parental responsibility living elsewhere;
* names from the children's names' group, titles, addresses in the city with postcodes ``BC1`` to ``BC20``
  by area, phone numbers from Ofcom's ranges for drama (07700 900xxx, 01632 960xxx) and email addresses at
  ``example.org``, which are not anyone's.

The draws come from their own random generator (``[seed, 23]``), after the simulation, so the other files
are byte for byte what they were before the city had families, and the same spec gives the same contacts.
Imports the city's data (:mod:`attendwise.demo.population`), :class:`attendwise.demo.pupils.City`, the
spec and :mod:`attendwise.demo.terms` (day numbers).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

import numpy as np

from attendwise.demo.population import ETH_NAMES, FORENAME_IDX, FORENAME_LIST, SURNAME_LIST
from attendwise.demo.pupils import City
from attendwise.demo.spec import CitySpec
from attendwise.demo.terms import day_number

__all__ = ["CONTACT_COLUMNS", "contact_rows"]

CONTACT_COLUMNS = [
    "upn", "contact_id", "title", "forename", "surname", "relationship", "parental_responsibility", "lives_with",
    "address_line_1", "address_line_2", "town", "postcode", "phone", "email", "priority",
]  # fmt: skip

_STREETS = [
    "Mill Lane", "Church Street", "Station Road", "Victoria Road", "Park Avenue", "Queens Road", "The Crescent",
    "Orchard Close", "Kingsway", "Meadow View", "Canal Side", "Albert Terrace", "Brook Street", "Elm Grove",
    "Chapel Row", "High Street", "Forge Lane", "Willow Drive", "Castle Hill", "Riverside Walk", "Beech Road",
    "Market Place", "Priory Way", "Spring Gardens", "Holly Bank", "Foundry Street", "Ash Court", "Heath Lane",
]  # fmt: skip
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
#: Children per family: how many families of each size (before half-siblings chain some together).
_SIZES = np.array([0.46, 0.36, 0.13, 0.05])
_NEAR = 0.06  # how far apart (on the city's unit map) siblings' homes may be
_MIN_GAP = 330  # days between siblings' dates of birth (twins are left out: one name each is kept)
_MAX_GAP = 12 * 365
#: Parents' forenames for families with British names (children's names have changed faster than others').
_BRITISH_PARENTS = (
    ["Sarah", "Emma", "Laura", "Rebecca", "Gemma", "Claire", "Kelly", "Hannah", "Amy", "Natalie", "Louise",
     "Rachel", "Charlotte", "Victoria", "Nicola", "Lisa", "Katie", "Zoe", "Joanne", "Stacey"],
    ["James", "Daniel", "David", "Matthew", "Christopher", "Andrew", "Mark", "Paul", "Richard", "Lee",
     "Craig", "Stephen", "Michael", "Ryan", "Adam", "Carl", "Gareth", "Jamie", "Darren", "Simon"],
)  # fmt: skip


def _written_pupils(city: City, until: dt.date | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pupils pupils.csv holds, each with their first written school and their latest enrolment."""
    E = city.enrol
    keep = np.ones(E.n, dtype=bool) if until is None else E["admission"] <= day_number(until)
    rows = np.flatnonzero(keep)
    order = rows[np.lexsort((E["admission"][rows], E["pid"][rows]))]
    pid = E["pid"][order]
    first = np.r_[True, pid[1:] != pid[:-1]]
    last = np.r_[pid[1:] != pid[:-1], True]
    return pid[first], E["school"][order][first], order[last]


def contact_rows(city: City, spec: CitySpec, until: dt.date | None = None) -> list[list[str]]:
    """The rows of ``contacts.csv`` for the pupils ``pupils.csv`` holds, in UPN and priority order."""
    rng = np.random.default_rng([spec.seed, 23])
    P = city.pupils
    pids, first_school, latest = _written_pupils(city, until)
    n = pids.size
    if n == 0:
        return []
    home = _homes(city, rng, first_school)
    group = ETH_NAMES[P["eth"][pids]]
    sur = P["sur"][pids]
    families, key = _families(rng, group, sur, P["dob"][pids], home)
    area = ((home[:, 0] * 5).astype(int) * 4 + (home[:, 1] * 4).astype(int) + 1).tolist()  # BC1 .. BC20
    # Every later draw, made at once (a draw a call from the generator costs microseconds; 60,000 pupils
    # need about a million): a family takes at most 40 and a child looked after 20.
    people = _People(iter(rng.random(40 * len(families) + 20 * n + 1000).tolist()), area, spec.la_name)
    cla = city.enrol["cla"][latest].tolist()
    links = _links(people, families, key, group.tolist(), [SURNAME_LIST[k] for k in sur.tolist()], cla)
    return _rows(links, np.asarray(city.upn, dtype=object)[pids].tolist())


def _homes(city: City, rng: np.random.Generator, first_school: np.ndarray) -> np.ndarray:
    """Where each pupil lives: near their first school (a child first seen at secondary school, near one of
    the primaries sending children there)."""
    home_school = first_school.copy()
    for column, secondary in enumerate(city.secondaries.tolist()):
        theirs = np.flatnonzero(first_school == secondary)
        feeders = city.sec_choice[:, column]
        if theirs.size and feeders.sum() > 0:
            home_school[theirs] = rng.choice(feeders.size, size=theirs.size, p=feeders / feeders.sum())
    home = city.schools.xy[home_school] + rng.normal(0, 0.015, (first_school.size, 2))
    return home.clip(0, 0.999)


def _families(
    rng: np.random.Generator, group: np.ndarray, sur: np.ndarray, dob: np.ndarray, home: np.ndarray
) -> tuple[list[list[int]], list[tuple[object, ...]]]:
    """Brothers and sisters: same surname and names' group, homes in one small square of the map, a year or
    more between them (taken in order of birth within the square). Returns the families and each pupil's key."""
    n = sur.size
    cell = np.floor(home / _NEAR).astype(np.int64)
    order = np.lexsort((dob, cell[:, 1], cell[:, 0], sur, group)).tolist()
    key = list(zip(group.tolist(), sur.tolist(), cell[:, 0].tolist(), cell[:, 1].tolist(), strict=True))
    born = dob.tolist()
    sizes = (rng.choice(4, size=n, p=_SIZES) + 1).tolist()
    families: list[list[int]] = []
    open_: list[tuple[list[int], int]] = []
    for at, i in enumerate(order):
        if at and key[i] != key[order[at - 1]]:
            open_ = []
        for k, (family, size) in enumerate(open_):
            if born[i] - born[family[-1]] >= _MIN_GAP and born[i] - born[family[0]] <= _MAX_GAP:
                family.append(i)
                if len(family) == size:
                    del open_[k]
                break
        else:
            families.append([i])
            if sizes[i] > 1:
                open_.append((families[-1], sizes[i]))
    return families, key


class _People:
    """Parents and carers made up from one stream of random draws: names, addresses, phones, emails."""

    def __init__(self, stream: Iterator[float], area: list[int], la_name: str) -> None:
        self.stream, self.area, self.la_name = stream, area, la_name
        self.ids = iter(range(1, 10**7))

    def u(self) -> float:
        return next(self.stream)

    def pick(self, options: list[str] | tuple[str, ...] | str) -> str:
        return options[int(self.u() * len(options))]

    def person(self, g: int, female: bool, surname: str) -> tuple[str, str]:
        if g == 0:
            return self.pick(_BRITISH_PARENTS[0 if female else 1]), surname
        pool = FORENAME_IDX[g][0 if female else 1]
        return FORENAME_LIST[int(pool[int(self.u() * pool.size)])], surname

    def address(self, i: int) -> tuple[str, str, str]:
        number, street = int(1 + self.u() * 179), self.pick(_STREETS)
        digit = int(1 + self.u() * 9)
        postcode = f"BC{self.area[i]} {digit}{self.pick(_POSTCODE_LETTERS)}{self.pick(_POSTCODE_LETTERS)}"
        return f"{number} {street}", self.la_name, postcode

    def phone(self, mobile: bool) -> str:
        return f"07700 900{int(self.u() * 1000):03d}" if mobile else f"01632 960{int(self.u() * 1000):03d}"

    def email(self, forename: str, surname: str) -> str:
        if self.u() >= 0.6:
            return ""
        local = f"{forename}.{surname}".lower().replace(" ", "").replace("'", "")
        return f"{local}{int(1 + self.u() * 98)}@example.org"

    def contact(self, title: str, name: tuple[str, str], where: tuple[str, str, str], mobile: bool) -> dict:
        forename, surname = name
        return {"contact_id": f"C{next(self.ids):07d}", "title": title, "forename": forename, "surname": surname,
                "address": where, "phone": self.phone(mobile), "email": self.email(forename, surname)}  # fmt: skip


_Link = tuple[int, dict, str, bool, bool]  # (pupil, contact, relationship, parental responsibility, lives with)


def _links(
    people: _People,
    families: list[list[int]],
    key: list[tuple[object, ...]],
    groups: list[int],
    surnames: list[str],
    cla: list[bool],
) -> list[_Link]:
    """Each family's mother, father (at home or apart), grandparent and, for a child looked after, foster
    carer; and half-siblings: a father who lives apart is also the father of a child in a family nearby."""
    links: list[_Link] = []
    fathers: list[tuple[dict, int]] = []  # fathers who live elsewhere, with a child of their family
    u, pick, person = people.u, people.pick, people.person
    for family in families:
        first = family[0]
        g, surname = groups[first], surnames[first]
        home_address = people.address(first)
        mother_surname = surname if u() < 0.85 else pick(SURNAME_LIST)
        title = pick(["Mrs"] * 9 + ["Ms"] * 6 + ["Miss"] * 2 + [""] * 3)
        mother = people.contact(title, person(g, True, mother_surname), home_address, True)
        father = None
        if u() < 0.75:
            apart = u() < 0.33
            father = people.contact(
                "Mr" if u() < 0.85 else "", person(g, False, surname),
                people.address(first) if apart else home_address, True,
            )  # fmt: skip
            if apart:
                fathers.append((father, first))
        grandparent = None
        if u() < 0.14:
            grandparent = people.contact("Mrs", person(g, True, surname), people.address(first), False)
        for child in family:
            if cla[child]:
                carer_surname = pick(SURNAME_LIST)
                carer = people.contact("Mrs", person(0, True, carer_surname), people.address(child), True)
                links += [(child, carer, "foster carer", False, True), (child, mother, "mother", True, False)]
                continue
            links.append((child, mother, "mother", True, True))
            if father is not None:
                links.append((child, father, "father", True, father["address"] == home_address))
            if grandparent is not None:
                links.append((child, grandparent, "grandparent", False, False))
    with_father = {lk[0] for lk in links if lk[2] == "father"}
    candidates: dict[tuple[object, object, object], list[int]] = defaultdict(list)
    for f in families:
        if not with_father.intersection(f) and not cla[f[-1]]:
            candidates[key[f[-1]][0], key[f[-1]][2], key[f[-1]][3]].append(f[-1])
    for dad, theirs in fathers:
        if u() >= 0.08:
            continue
        near = candidates.get((key[theirs][0], key[theirs][2], key[theirs][3]))
        if near:
            child = near.pop(int(u() * len(near)))
            links.append((child, dad, "father", True, False))
    return links


def _rows(links: list[_Link], upns: list[str]) -> list[list[str]]:
    """contacts.csv's rows: each child's contacts, those living with the child and with parental
    responsibility first, in UPN order."""
    rows: list[list[str]] = []
    per_child: dict[int, list[tuple[dict, str, bool, bool]]] = defaultdict(list)
    for child, c, relationship, pr, lives_with in links:
        per_child[child].append((c, relationship, pr, lives_with))
    for child in sorted(per_child, key=lambda i: upns[i]):
        ordered = sorted(per_child[child], key=lambda x: (not x[3], not x[2], x[0]["contact_id"]))
        for priority, (c, relationship, pr, lives_with) in enumerate(ordered, start=1):
            line_1, town, postcode = c["address"]
            rows.append([
                str(upns[child]), c["contact_id"], c["title"], c["forename"], c["surname"], relationship,
                "Y" if pr else "N", "Y" if lives_with else "N", line_1, "", town, postcode, c["phone"], c["email"],
                str(priority),
            ])  # fmt: skip
    return rows
