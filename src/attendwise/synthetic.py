"""A synthetic local authority ("the demo city"): realistic school registers from a seed.

:func:`generate_city` writes a folder in the attendwise CSV layout (``docs/csv-layout.md``):
``schools.csv``, ``pupils.csv`` (one row per enrolment), ``marks.csv`` (one row per pupil, school
and session), ``terms.csv`` and ``closures.csv``.  The same :class:`CitySpec` always gives
byte-identical files.  With ``CitySpec.until`` the files are what an LA would hold at the end of
that day (last year whole and this year so far, say): the same simulation, filtered as it is
written, so everything up to that day is byte for byte what the whole city has.

What is modelled
----------------
* **Calendar.**  English term dates for each academic year: autumn from the first weekday on or
  after 2 September, October half term (the week starting on the Monday between 22 and 28
  October), a Christmas break of about two weeks, February half term (the week starting on the
  Monday between 12 and 18 February), two weeks round Easter (computed), the May half term (the
  week of the spring bank holiday) and a summer term that ends about 22 July, so that every school
  meets on 195 days: 190 pupil days (380 sessions) after 5 INSET days (two LA-wide, three chosen
  by the school).  The early May bank holiday (and special bank holidays such as 8 May 2023) are
  LA-wide closures; a few primaries close for polling day and a few close early one afternoon.
* **Schools and pupils.**  About 77% primary, 17% secondary (half with a sixth form) and 6%
  special schools placed on a map, with deprivation and ethnic mix varying across the city.
  Pupils have dates of birth consistent with their year group, CBDS ethnicity codes, first
  language, FSM, SEN (support or EHC plan, with a primary need), CLA, CIN and CPP, a few boarders
  (in special schools) and names from small fixed lists.  Year on year, pupils move up a year,
  Year 6 moves to secondary schools chosen by distance, Year 11 leaves or stays for the sixth
  form, a new Reception intake arrives, and 5-8% of pupils join or leave during the year (some
  moving between the city's schools, so that enrolments exceed pupils).
* **Absence.**  Each pupil has a persistent latent propensity (correlation 0.65 from year to
  year) which, with FSM, SEN, CLA/CIN, ethnicity, phase, year group and the school, sets their
  rates of illness and of unauthorised absence.  Pupils whose latent, shifted by their
  characteristics, passes a threshold (about a quarter) form a persistently absent group with
  several times the typical rates: a lognormal alone cannot give 20% of pupils 10%+ absence at a
  7% mean without putting far too many over 50%.  Severe absence comes mostly from emotionally
  based school avoidance (runs of ``O``/``N``/``I`` that grow through the year and often persist
  into the next), children on roll who never attend and long illnesses.  On top sit the
  recognisable shapes of real registers: winter illness and a September dip, Monday and Friday
  peaks, end-of-term and pre-half-term peaks, term-time holidays next to breaks, medical
  appointments, lates, Eid, suspensions, part-time timetables, dual registration, trips, sport
  and work experience, a staggered Reception start (``X``), transport failures and one unexpected
  school closure a year.  Some pupils drift worse (or better) through the year.
* **Codes.**  Each mark uses the code set in force on its date: the 2006 set before 19 August
  2024 and the 2024 set from then on (``H``/``J``/``Y`` before, ``C``/``J1``/``Y1``-``Y7``/``Q``/
  ``K``/``C1``/``C2`` after).

Measured as the DfE does (enrolments of pupils aged 5-15, no boarders), the default city's
2024/25 lands on the national 2023/24 figures: overall absence 7.1% (authorised 4.7, unauthorised
2.4), persistent absence 20%, severe absence 2.3%, primary 5.6, secondary 8.8, special 12.8,
illness 3.6, unauthorised holidays 0.5; FSM 10.4% (PA 33%) against 6.0% (15%).  Generation is
vectorised with numpy (about 7 s and 0.7 GB for the default city) and ``marks.csv`` is written
with pyarrow in chunks.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from attendwise.calendar import easter_sunday
from attendwise.upn import check_letter

__all__ = ["CitySpec", "CitySummary", "generate_city", "last_day_before_february_half_term"]

Progress = Callable[[str, int, int], None]

# -------------------------------------------------------------------------------------------------
# Public API
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitySpec:
    """What city to generate.

    Attributes:
        pupils: approximate pupils on roll at the start of the first year.
        schools: approximate number of schools (~77% primary, ~17% secondary, ~6% special).
        first_year: the academic year of the first marks, by the calendar year it starts in
            (2024 is 2024/25).
        years: consecutive academic years of marks.
        seed: the random seed; the same spec gives byte-identical files.
        la_code: the 3-digit LA number used in URNs' ``la_code`` column and in UPNs.
        la_name: the city's name (used in school names).
        until: if set, write the registers as an LA would hold them at the end of that day: no
            marks after it, no enrolments admitted after it, leaving dates after it left blank
            (not yet known) and no closures after it.  Term dates stay whole for every year written
            (LAs publish them in advance); academic years starting after ``until`` are not
            generated.  The simulation itself is unchanged, so everything up to ``until`` is
            exactly what the same spec without ``until`` writes.  It must fall between the first
            school day of the first year and 31 August at the end of the last.
    """

    pupils: int = 60_000
    schools: int = 130
    first_year: int = 2024
    years: int = 1
    seed: int = 20240901
    la_code: str = "999"
    la_name: str = "Brindlecombe"
    until: dt.date | None = None

    def __post_init__(self) -> None:
        if self.pupils < 200:
            raise ValueError("a city needs at least 200 pupils")
        if self.schools < 3:
            raise ValueError("a city needs at least 3 schools (one of each phase)")
        if self.years < 1:
            raise ValueError("years must be at least 1")
        if not (len(self.la_code) == 3 and self.la_code.isdigit()):
            raise ValueError("la_code must be 3 digits")
        if self.seed < 0:
            raise ValueError("seed must not be negative")
        if not 1990 <= self.first_year <= 2090:
            raise ValueError("first_year must be a calendar year between 1990 and 2090")
        if self.until is not None:
            if not isinstance(self.until, dt.date) or isinstance(self.until, dt.datetime):
                raise ValueError(f"until must be a date, not {self.until!r}")
            first = _date(int(_academic_calendar(self.first_year).days[0]))
            last = dt.date(self.first_year + self.years, 8, 31)
            if not first <= self.until <= last:
                raise ValueError(
                    f"until ({self.until.isoformat()}) must fall within the generated years: "
                    f"from {first.isoformat()} (the first school day) to {last.isoformat()}"
                )

    @property
    def years_written(self) -> int:
        """Academic years with marks: all of them, or those starting on or before ``until``."""
        if self.until is None:
            return self.years
        start_year = self.until.year if self.until.month >= 9 else self.until.year - 1
        return min(self.years, start_year - self.first_year + 1)


@dataclass(frozen=True)
class CitySummary:
    """What :func:`generate_city` wrote.

    ``pupils`` counts distinct pupils, ``enrolments`` the rows of ``pupils.csv``, ``marks`` the
    rows of ``marks.csv``; ``paths`` maps ``"schools"``, ``"pupils"``, ``"marks"``, ``"terms"``
    and ``"closures"`` to the files written.
    """

    folder: Path
    schools: int
    pupils: int
    enrolments: int
    marks: int
    years: int
    academic_years: tuple[str, ...]
    paths: dict[str, Path] = field(default_factory=dict)


# -------------------------------------------------------------------------------------------------
# Codes.  Marks are simulated as internal "reasons" and mapped to the code set of the year.
# -------------------------------------------------------------------------------------------------

(
    _NONE,
    _PRESENT,
    _LATE,
    _ILL,
    _MEDICAL,
    _AUTH_OTHER,
    _EXCLUDED,
    _RELIGIOUS,
    _STUDY,
    _TRAVELLER,
    _AUTH_HOLIDAY,
    _PART_TIME,
    _INTERVIEW,
    _PERFORMANCE,
    _HOLIDAY,
    _NO_REASON,
    _UNAUTH,
    _LATE_AFTER,
    _TRIP,
    _SPORT,
    _OFFSITE,
    _WORK,
    _LA_PROVISION,
    _DUAL,
    _NOT_REQUIRED,
    _LA_ACCESS,
    _TRANSPORT,
    _SITE_CLOSED,
) = range(28)
_N_REASONS = 28

_CODES_2006: dict[int, str] = {
    _LATE: "L", _ILL: "I", _MEDICAL: "M", _AUTH_OTHER: "C", _EXCLUDED: "E", _RELIGIOUS: "R",
    _STUDY: "S", _TRAVELLER: "T", _AUTH_HOLIDAY: "H", _PART_TIME: "C", _INTERVIEW: "J",
    _PERFORMANCE: "C", _HOLIDAY: "G", _NO_REASON: "N", _UNAUTH: "O", _LATE_AFTER: "U", _TRIP: "V",
    _SPORT: "P", _OFFSITE: "B", _WORK: "W", _LA_PROVISION: "B", _DUAL: "D", _NOT_REQUIRED: "X",
    _LA_ACCESS: "Y", _TRANSPORT: "Y", _SITE_CLOSED: "Y",
}  # fmt: skip
_CODES_2024: dict[int, str] = {
    **_CODES_2006,
    _AUTH_HOLIDAY: "C", _PART_TIME: "C2", _INTERVIEW: "J1", _PERFORMANCE: "C1", _LA_PROVISION: "K",
    _LA_ACCESS: "Q", _TRANSPORT: "Y1", _SITE_CLOSED: "Y4",
}  # fmt: skip

#: The strings of every code we emit (the dictionary of the ``code`` column).
_CODE_STRINGS: list[str] = ["/", "\\", *sorted(set(_CODES_2006.values()) | set(_CODES_2024.values()))]
#: ``_CODE_LUT[code_set, session, reason]`` is the index in ``_CODE_STRINGS`` (set 0 = 2006, 1 = 2024).
_CODE_LUT = np.zeros((2, 2, _N_REASONS), dtype=np.int8)
for _set, _table in enumerate((_CODES_2006, _CODES_2024)):
    for _session in range(2):
        _CODE_LUT[_set, _session, _PRESENT] = _session  # "/" in the morning, "\" in the afternoon
        for _reason, _code in _table.items():
            _CODE_LUT[_set, _session, _reason] = _CODE_STRINGS.index(_code)

#: Statistical category of each reason by code set: 0 not counted, 1 attendance, 2 authorised,
#: 3 unauthorised (used for calibration and tests).
_CATEGORY = np.zeros((2, _N_REASONS), dtype=np.int8)
for _set in range(2):
    for _r in (_PRESENT, _LATE, _TRIP, _SPORT, _OFFSITE, _WORK, _LA_PROVISION):
        _CATEGORY[_set, _r] = 1
    for _r in (_ILL, _MEDICAL, _AUTH_OTHER, _EXCLUDED, _RELIGIOUS, _STUDY, _TRAVELLER, _AUTH_HOLIDAY,
               _PART_TIME, _PERFORMANCE):  # fmt: skip
        _CATEGORY[_set, _r] = 2
    for _r in (_HOLIDAY, _NO_REASON, _UNAUTH, _LATE_AFTER):
        _CATEGORY[_set, _r] = 3
_CATEGORY[0, _INTERVIEW] = 1  # J was an approved educational activity
_CATEGORY[1, _INTERVIEW] = 2  # J1 is authorised absence

_SWITCH_DATE = dt.date(2024, 8, 19)

# -------------------------------------------------------------------------------------------------
# Tuning: the knobs calibrated against the national 2023/24 figures (see the module docstring).
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tuning:
    # Illness (fraction of days) and ordinary unauthorised absence by NC year (R=0 .. 13), mainstream.
    ill_primary: tuple[float, ...] = (0.040, 0.036, 0.033, 0.030, 0.029, 0.029, 0.030)
    ill_secondary: tuple[float, ...] = (0.027, 0.030, 0.032, 0.032, 0.030, 0.031, 0.031)
    ill_special: float = 0.074
    unauth_primary: tuple[float, ...] = (0.0043, 0.0043, 0.0038, 0.0036, 0.0036, 0.0037, 0.0042)
    unauth_secondary: tuple[float, ...] = (0.0035, 0.0076, 0.0096, 0.0106, 0.0106, 0.0092, 0.0106)
    unauth_special: float = 0.0095
    # How the pupil's risk score (log scale) feeds illness and unauthorised absence.
    sigma_latent: float = 0.3
    ill_elasticity: float = 0.45
    ill_noise: float = 0.25
    unauth_elasticity: float = 1.0
    unauth_noise: float = 0.45
    latent_rho: float = 0.65
    # A smoothed step in the latent: pupils above it (about a quarter) are markedly more absent
    # (without it a lognormal puts too little mass at 10-30% and too much beyond 50%).
    step_at: tuple[float, float, float] = (0.75, 0.25, 0.45)  # by phase
    step_width: float = 0.2
    step_cov: float = 0.35
    ill_step: float = 2.1
    unauth_step: float = 3.0
    # Log multipliers of the risk score.
    fsm: float = 0.75
    sen_support: float = 0.30
    ehc: float = 0.35
    cla: float = 0.25
    cin: float = 0.45
    cpp: float = 0.15
    school_sd: float = 0.13
    school_deprivation: float = 0.08
    # Other reasons.
    medical_per_day: float = 0.0095
    auth_other_per_day: float = 0.0036
    holiday_takers: float = 0.13
    late_per_am: float = 0.022
    late_after_share: float = 0.045
    suspension_rate: tuple[float, float, float] = (0.02, 0.2, 0.08)
    refuser_rate: tuple[float, float, float] = (0.0065, 0.038, 0.018)
    initial_refusers: tuple[float, float, float] = (0.0042, 0.024, 0.017)
    never_attends: float = 0.0012
    long_illness: float = 0.005
    part_time: float = 0.0025
    dual_registered: float = 0.003
    no_reason_share: float = 0.07


_T = _Tuning()

# -------------------------------------------------------------------------------------------------
# Reference lists
# -------------------------------------------------------------------------------------------------

# code, weight (%), name group, P(first language other than English), P(Muslim heritage: Eid),
# absence multiplier, holiday multiplier, FSM log-odds shift
_ETHNICITY: list[tuple[str, float, int, float, float, float, float, float]] = [
    ("WBRI", 68.0, 0, 0.005, 0.0, 1.10, 1.00, 0.0),
    ("WIRI", 0.6, 6, 0.01, 0.0, 1.00, 1.00, -0.2),
    ("WIRT", 0.25, 6, 0.03, 0.0, 2.60, 0.30, 1.0),
    ("WROM", 0.7, 4, 0.85, 0.0, 2.20, 0.80, 1.0),
    ("WOTH", 7.0, 4, 0.70, 0.1, 0.95, 1.30, 0.0),
    ("MWBC", 2.4, 3, 0.02, 0.0, 1.25, 0.80, 0.6),
    ("MWBA", 1.1, 2, 0.10, 0.1, 1.00, 1.00, 0.3),
    ("MWAS", 1.5, 1, 0.08, 0.2, 1.00, 1.00, 0.0),
    ("MOTH", 2.5, 0, 0.15, 0.15, 1.00, 1.00, 0.2),
    ("AIND", 3.0, 1, 0.60, 0.1, 0.75, 1.40, -0.6),
    ("APKN", 8.0, 1, 0.75, 0.97, 1.05, 1.90, 0.4),
    ("ABAN", 2.2, 1, 0.85, 0.97, 0.95, 1.60, 0.6),
    ("CHNE", 0.8, 5, 0.70, 0.0, 0.55, 0.90, -0.8),
    ("AOTH", 2.3, 7, 0.75, 0.45, 0.80, 1.30, 0.2),
    ("BCRB", 1.5, 3, 0.02, 0.0, 1.05, 0.80, 0.5),
    ("BAFR", 5.0, 2, 0.60, 0.35, 0.70, 1.20, 0.4),
    ("BOTH", 1.0, 2, 0.30, 0.2, 0.85, 1.00, 0.4),
    ("OOTH", 2.0, 7, 0.80, 0.55, 0.85, 1.20, 0.5),
    ("REFU", 0.35, 7, 0.30, 0.3, 1.00, 1.00, 0.3),
    ("NOBT", 0.9, 0, 0.30, 0.1, 1.15, 1.00, 0.2),
]
_ETH_CODES = [e[0] for e in _ETHNICITY]
_ETH_WEIGHT = np.array([e[1] for e in _ETHNICITY]) / sum(e[1] for e in _ETHNICITY)
_ETH_NAMES = np.array([e[2] for e in _ETHNICITY], dtype=np.int8)
_ETH_EAL = np.array([e[3] for e in _ETHNICITY])
_ETH_MUSLIM = np.array([e[4] for e in _ETHNICITY])
_ETH_ABSENCE = np.log(np.array([e[5] for e in _ETHNICITY]))
_ETH_HOLIDAY = np.array([e[6] for e in _ETHNICITY])
_ETH_FSM = np.array([e[7] for e in _ETHNICITY])
_ETH_GRT = np.isin(_ETH_CODES, ["WIRT", "WROM"])
# Groups of the city map: south Asian, Black and eastern European heritage live in different areas.
_ETH_AREA = np.zeros((3, len(_ETHNICITY)))
for _i, _c in enumerate(_ETH_CODES):
    if _c in ("AIND", "APKN", "ABAN", "MWAS", "AOTH"):
        _ETH_AREA[0, _i] = 1.0
    if _c in ("BAFR", "BCRB", "BOTH", "MWBC", "MWBA"):
        _ETH_AREA[1, _i] = 1.0
    if _c in ("WOTH", "WROM"):
        _ETH_AREA[2, _i] = 1.0
# Pupils arriving from abroad during the year are more often of these backgrounds.
_ARRIVAL_BOOST = {"WOTH": 3.0, "WROM": 3.0, "BAFR": 2.0, "OOTH": 3.0, "REFU": 6.0, "AOTH": 2.0}
_ETH_ARRIVAL = np.array([_ARRIVAL_BOOST.get(c, 1.0) for c in _ETH_CODES])

_NEEDS = ["SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "OTH", "NSA"]
# weights by (support, primary), (support, secondary), (EHC mainstream), (special school)
_NEED_WEIGHTS = np.array(
    [
        [9, 17, 1, 0.1, 18, 30, 2, 1, 0.3, 3, 9, 5, 4],
        [20, 15, 1, 0.1, 23, 12, 2, 1, 0.3, 3, 11, 5, 4],
        [3, 8, 6, 1, 17, 18, 3, 1, 0.5, 6, 34, 2, 0],
        [0.5, 12, 19, 6, 15, 5, 1, 1, 0.5, 4, 36, 1, 0],
    ],
    dtype=float,
)
_NEED_WEIGHTS /= _NEED_WEIGHTS.sum(axis=1, keepdims=True)
# log multipliers on the risk score and on illness by primary need (index 0 = no need)
_NEED_RISK = np.array([0, 0.05, 0.05, 0.0, 0.0, 0.45, -0.05, 0.0, 0.0, 0.1, 0.0, 0.2, 0.1, 0.0])
_NEED_ILL = np.array([0, 0.0, 0.05, 0.25, 0.65, 0.0, 0.0, 0.05, 0.05, 0.2, 0.35, 0.05, 0.1, 0.0])
_NEED_IDX = {n: i + 1 for i, n in enumerate(_NEEDS)}

_FORENAMES: list[tuple[list[str], list[str]]] = [
    (  # 0 British
        ["Olivia", "Amelia", "Isla", "Ava", "Lily", "Freya", "Poppy", "Grace", "Evie", "Ella", "Mia",
         "Ruby", "Daisy", "Millie", "Chloe", "Holly", "Megan", "Emily", "Ellie", "Scarlett", "Phoebe",
         "Sophie", "Jessica", "Lucy", "Erin", "Harper", "Rosie", "Maisie"],
        ["Oliver", "George", "Harry", "Jack", "Noah", "Leo", "Charlie", "Alfie", "Freddie", "Jacob",
         "Thomas", "Oscar", "James", "William", "Henry", "Archie", "Joshua", "Mason", "Ethan", "Tyler",
         "Riley", "Kai", "Jayden", "Logan", "Reggie", "Theo", "Lewis", "Callum"],
    ),
    (  # 1 South Asian
        ["Aisha", "Maryam", "Zara", "Fatima", "Hafsa", "Inaya", "Anaya", "Priya", "Amira", "Khadija",
         "Noor", "Aleena", "Simran", "Hana", "Zainab", "Ayesha"],
        ["Muhammad", "Ibrahim", "Yusuf", "Ayaan", "Zain", "Hamza", "Arjun", "Aarav", "Rayyan", "Ali",
         "Omar", "Haris", "Harjeet", "Zayn", "Ishaan", "Adam"],
    ),
    (  # 2 African
        ["Blessing", "Grace", "Precious", "Esther", "Hodan", "Amina", "Favour", "Deborah", "Ruth",
         "Ifeoma", "Nia", "Fartun"],
        ["David", "Emmanuel", "Daniel", "Samuel", "Joshua", "Mohamed", "Abdi", "Tobi", "Kwame",
         "Michael", "Tobenna", "Kofi"],
    ),
    (  # 3 Caribbean
        ["Aaliyah", "Jada", "Tia", "Nevaeh", "Kiara", "Shanice", "Imani", "Jasmine"],
        ["Jayden", "Tyrese", "Malachi", "Isaiah", "Marcus", "Jerome", "Kyrie", "Elijah"],
    ),
    (  # 4 Eastern European
        ["Zuzanna", "Maja", "Julia", "Natalia", "Maria", "Ioana", "Lena", "Alexandra", "Oliwia", "Sara"],
        ["Jakub", "Filip", "Mateusz", "Luca", "Andrei", "David", "Oliwer", "Stefan", "Marek", "Antoni"],
    ),
    (  # 5 Chinese
        ["Mei", "Xin", "Yan", "Chloe", "Ling", "Jia", "Hui"],
        ["Hao", "Jun", "Wei", "Yi", "Ethan", "Ryan", "Zhi"],
    ),
    (  # 6 Irish and Traveller
        ["Siobhan", "Aoife", "Niamh", "Bridget", "Kathleen", "Mary", "Margaret", "Roisin"],
        ["Patrick", "Sean", "Michael", "Johnny", "Martin", "Ciaran", "Connor", "Eamon"],
    ),
    (  # 7 Middle Eastern and other
        ["Layla", "Yasmin", "Leila", "Sara", "Rania", "Dunya", "Shirin", "Nour"],
        ["Ahmed", "Omar", "Karim", "Hassan", "Reza", "Amir", "Mustafa", "Yousef"],
    ),
]  # fmt: skip
_SURNAMES: list[list[str]] = [
    ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
     "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
     "Hughes", "Turner", "Hill", "Baker", "Harris", "Lewis", "Cooper", "King", "Martin", "Morris",
     "Ward", "Moore", "Allen", "Bennett", "Carter", "Shaw", "Marshall", "Holmes", "Parker", "Booth"],
    ["Khan", "Hussain", "Ahmed", "Ali", "Begum", "Iqbal", "Shah", "Patel", "Rahman", "Mahmood", "Akhtar",
     "Singh", "Kaur", "Sharma", "Islam", "Uddin", "Miah", "Chowdhury", "Bibi", "Mistry"],
    ["Okafor", "Adeyemi", "Mensah", "Mohamed", "Abdi", "Osei", "Okoro", "Hassan", "Farah", "Nwosu",
     "Boateng", "Ali", "Adebayo", "Asante"],
    ["Campbell", "Brown", "Williams", "Grant", "Francis", "Reid", "Thomas", "Clarke", "Henry", "Bailey"],
    ["Nowak", "Kowalski", "Popescu", "Horvath", "Wisniewski", "Ionescu", "Kaminski", "Lewandowski",
     "Balogh", "Dumitru", "Petrov", "Novak"],
    ["Wang", "Li", "Zhang", "Chen", "Liu", "Wong", "Lam", "Cheung"],
    ["Murphy", "Kelly", "O'Brien", "McDonagh", "Ward", "Connors", "Doherty", "Maughan", "Joyce", "Byrne"],
    ["Karimi", "Mahmoud", "Rahimi", "Hosseini", "Saleh", "Abbas", "Haddad", "Yilmaz", "Aziz"],
]  # fmt: skip
_FORENAME_LIST: list[str] = sorted({n for f, m in _FORENAMES for n in f + m})
_SURNAME_LIST: list[str] = sorted({n for group in _SURNAMES for n in group})
_FORENAME_IDX = [
    (np.array([_FORENAME_LIST.index(n) for n in f]), np.array([_FORENAME_LIST.index(n) for n in m]))
    for f, m in _FORENAMES
]
_SURNAME_IDX = [np.array([_SURNAME_LIST.index(n) for n in group]) for group in _SURNAMES]

_PLACE_PREFIXES = [
    "Ash", "Brook", "Elm", "Fair", "Green", "Hazel", "Holly", "Kings", "Lark", "Mill", "Oak", "Park",
    "Queens", "Red", "Rose", "Stone", "Thorn", "Wester", "Whit", "Wood", "Bridge", "Church", "Cross",
    "Fern", "Hollin", "Marsh", "Moor", "Nor", "Sutton", "Black", "Bram", "Cole", "Dun", "Hather",
    "Lang", "Penn", "Rad", "Sel", "Wal", "Wyn",
]  # fmt: skip
_PLACE_SUFFIXES = [
    "field", "ley", "ton", "wood", "bank", "side", "gate", "well", "hurst", "croft", "dale", "moor",
    "brook", "lands", "mead", "thorpe", "by", "combe", "ford", "holme",
]  # fmt: skip
_SAINTS = ["Mary", "Joseph", "Peter", "Paul", "Anne", "Michael", "John", "Thomas", "Francis", "Patrick",
           "Bernadette", "Augustine", "Chad", "Margaret", "Luke", "Matthew", "Andrew", "Teresa"]  # fmt: skip
_OTHER_LAS = [330, 331, 332, 333, 334, 335, 336, 316, 212, 209, 855, 856, 871, 873, 878, 882, 886, 919,
              925, 937, 383, 384, 380, 381]  # fmt: skip

_PRIMARY, _SECONDARY, _SPECIAL = 0, 1, 2
_PHASE_NAMES = ("primary", "secondary", "special")
_NC_LABELS = ["R", *[str(n) for n in range(1, 14)]]
_EPOCH = dt.date(1970, 1, 1)


def _day(d: dt.date) -> int:
    return (d - _EPOCH).days


def _date(n: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(n))


# -------------------------------------------------------------------------------------------------
# Calendar
# -------------------------------------------------------------------------------------------------


def _weekday_on_or_after(d: dt.date) -> dt.date:
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def _monday_on_or_after(d: dt.date) -> dt.date:
    return d + dt.timedelta(days=(-d.weekday()) % 7)


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    n = (end - start).days + 1
    days = (start + dt.timedelta(days=i) for i in range(max(n, 0)))
    return [d for d in days if d.weekday() < 5]


# Bank holidays that moved or were added (VE Day 2020, the Queen's funeral, the Coronation).
_EARLY_MAY_MOVED = {2020: dt.date(2020, 5, 8)}
_EXTRA_BANK_HOLIDAYS = [dt.date(2022, 6, 2), dt.date(2022, 6, 3), dt.date(2022, 9, 19), dt.date(2023, 5, 8)]
_EID_AL_FITR_2025 = dt.date(2025, 3, 30)
_LUNAR_YEAR = 354.36707


def _eid_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Approximate dates of Eid al-Fitr and Eid al-Adha between two dates (within a day or so)."""
    out = []
    for k in range(-80, 80):
        fitr = _EID_AL_FITR_2025 + dt.timedelta(days=round(k * _LUNAR_YEAR))
        for eid in (fitr, fitr + dt.timedelta(days=68)):
            if start <= eid <= end:
                out.append(eid)
    return sorted(out)


@dataclass(frozen=True)
class _HalfTerm:
    term: str
    half: int
    start: dt.date
    end: dt.date


@dataclass
class _YearCalendar:
    """One academic year of the LA calendar and each school's meeting days."""

    year: int
    half_terms: list[_HalfTerm]
    bank_holidays: list[dt.date]
    la_inset: list[dt.date]
    inset_candidates: list[dt.date]
    days: np.ndarray  # int32 day numbers: term weekdays less bank holidays and LA-wide INSET
    # filled per school by _school_closures
    closures: list[tuple[int | None, dt.date, str, str]] = field(default_factory=list)
    meets_am: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))
    meets_pm: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def code_set(self) -> int:
        return 1 if dt.date(self.year, 9, 1) >= _SWITCH_DATE else 0

    @property
    def n_days(self) -> int:
        return int(self.days.size)

    def half_term_of_days(self) -> np.ndarray:
        """The half term (0-5) of each day in ``days``."""
        ends = np.array([_day(h.end) for h in self.half_terms])
        return np.searchsorted(ends, self.days, side="left").astype(np.int8)

    def index_of(self, d: dt.date, side: str = "left") -> int:
        return int(np.searchsorted(self.days, _day(d), side=side))  # type: ignore[call-overload]


def _academic_calendar(year: int, pupil_days: int = 190, inset_days: int = 5) -> _YearCalendar:
    """English LA term dates for the academic year starting in September ``year``."""
    one = dt.timedelta(days=1)
    a1s = _weekday_on_or_after(dt.date(year, 9, 2))
    oct_ht = _monday_on_or_after(dt.date(year, 10, 22))
    dec22 = dt.date(year, 12, 22)
    a2e = dec22 - dt.timedelta(days=(dec22.weekday() - 4) % 7)
    s1s = _weekday_on_or_after(dt.date(year + 1, 1, 4))
    feb_ht = _monday_on_or_after(dt.date(year + 1, 2, 12))
    easter = easter_sunday(year + 1)
    may31 = dt.date(year + 1, 5, 31)
    may_ht = may31 - dt.timedelta(days=may31.weekday())
    halves = [
        ("autumn", 1, a1s, oct_ht - 3 * one),
        ("autumn", 2, oct_ht + 7 * one, a2e),
        ("spring", 1, s1s, feb_ht - 3 * one),
        ("spring", 2, feb_ht + 7 * one, easter - 9 * one),
        ("summer", 1, easter + 8 * one, may_ht - 3 * one),
    ]
    early_may = _EARLY_MAY_MOVED.get(year + 1, _monday_on_or_after(dt.date(year + 1, 5, 1)))
    candidates = [early_may, *_EXTRA_BANK_HOLIDAYS]
    term_days = {d for _, _, s, e in halves for d in _weekdays(s, e)}
    su2s = may_ht + 7 * one
    summer2 = _weekdays(su2s, dt.date(year + 1, 7, 31))
    bank_in_summer2 = {d for d in candidates if su2s <= d <= summer2[-1]}
    before = len(term_days - set(candidates))
    need = pupil_days + inset_days - before
    usable = [d for d in summer2 if d not in bank_in_summer2]
    end = usable[max(0, min(need, len(usable)) - 1)]
    end = min(max(end, _weekday_on_or_after(dt.date(year + 1, 7, 15))), dt.date(year + 1, 7, 24))
    halves.append(("summer", 2, su2s, end))
    term_days |= set(_weekdays(su2s, end))
    bank = sorted(d for d in candidates if d in term_days)
    la_inset = [a1s, s1s]
    meeting = sorted(term_days - set(bank) - set(la_inset))
    half_terms = [_HalfTerm(t, h, s, e) for t, h, s, e in halves]
    cands = [
        meeting[0],  # second day of autumn
        halves[0][3], halves[1][2], halves[2][3], halves[3][2], halves[4][2], halves[4][3], su2s, end,
    ]  # fmt: skip
    cands = sorted({_weekday_on_or_after(c) for c in cands} & set(meeting))
    return _YearCalendar(
        year=year,
        half_terms=half_terms,
        bank_holidays=bank,
        la_inset=la_inset,
        inset_candidates=cands,
        days=np.array([_day(d) for d in meeting], dtype=np.int32),
    )


def _school_closures(rng: np.random.Generator, cal: _YearCalendar, schools: _Schools) -> None:
    """Choose each school's own INSET days and planned closures; fill the meeting-day matrices."""
    n, nd = schools.n, cal.n_days
    meets_am = np.ones((n, nd), dtype=bool)
    meets_pm = np.ones((n, nd), dtype=bool)
    closures: list[tuple[int | None, dt.date, str, str]] = []
    for d in cal.la_inset:
        closures.append((None, d, "", "INSET"))
    for d in cal.bank_holidays:
        closures.append((None, d, "", "Bank holiday"))
    cands = cal.inset_candidates
    n_own = 5 - len(cal.la_inset)
    polling = _monday_on_or_after(dt.date(cal.year + 1, 5, 1)) + dt.timedelta(days=3)
    for s in range(n):
        own = sorted(rng.choice(len(cands), size=min(n_own, len(cands)), replace=False))
        for i in own:
            closures.append((int(schools.urn[s]), cands[i], "", "INSET"))
            j = cal.index_of(cands[i])
            meets_am[s, j] = meets_pm[s, j] = False
        if schools.phase[s] == _PRIMARY and rng.random() < 0.05 and _day(polling) in cal.days:
            j = cal.index_of(polling)
            if meets_am[s, j]:
                closures.append((int(schools.urn[s]), polling, "", "Polling station"))
                meets_am[s, j] = meets_pm[s, j] = False
        if rng.random() < 0.06:
            j = cal.index_of(cal.half_terms[1].end, side="right") - 1  # last day before Christmas
            if meets_pm[s, j]:
                closures.append((int(schools.urn[s]), _date(int(cal.days[j])), "PM", "Early closure"))
                meets_pm[s, j] = False
    cal.closures = closures
    cal.meets_am = meets_am
    cal.meets_pm = meets_pm


# -------------------------------------------------------------------------------------------------
# Schools
# -------------------------------------------------------------------------------------------------


@dataclass
class _Schools:
    urn: np.ndarray
    estab: np.ndarray
    name: list[str]
    phase: np.ndarray
    xy: np.ndarray
    deprivation: np.ndarray
    effect: np.ndarray  # log multiplier on the risk score
    eth_weights: np.ndarray  # (n, n_eth)
    cohort: np.ndarray  # target pupils per year group
    sixth_form: np.ndarray
    induction_days: np.ndarray  # staggered Reception start

    @property
    def n(self) -> int:
        return int(self.urn.size)

    def offers(self, nc: np.ndarray) -> np.ndarray:
        """(n_schools, len(nc)) whether each school teaches each NC year."""
        nc = np.asarray(nc)
        ph = self.phase[:, None]
        return (
            ((ph == _PRIMARY) & (nc[None, :] <= 6))
            | ((ph == _SECONDARY) & (nc[None, :] >= 7) & ((nc[None, :] <= 11) | self.sixth_form[:, None]))
            | ((ph == _SPECIAL) & (nc[None, :] <= 13))
        )


def _field(rng: np.random.Generator, xy: np.ndarray, bumps: int = 6) -> np.ndarray:
    """A smooth random field over the city map, standardised over the given points."""
    centres = rng.random((bumps, 2))
    amps = rng.normal(0, 1, bumps)
    widths = rng.uniform(0.12, 0.3, bumps)
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    v = (amps[None, :] * np.exp(-d2 / (2 * widths[None, :] ** 2))).sum(axis=1)
    return (v - v.mean()) / (v.std() + 1e-9)


def _standardise_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = values.astype(float).copy()
    for g in np.unique(groups):
        m = groups == g
        v = out[m]
        out[m] = (v - v.mean()) / (v.std() if m.sum() > 1 and v.std() > 0 else 1.0)
    return out


def _make_schools(rng: np.random.Generator, spec: CitySpec) -> _Schools:
    n = spec.schools
    n_special = max(1, round(0.06 * n))
    n_secondary = max(1, round(0.17 * n))
    n_primary = max(1, n - n_special - n_secondary)
    phase = np.array([_PRIMARY] * n_primary + [_SECONDARY] * n_secondary + [_SPECIAL] * n_special)
    n = phase.size
    xy = rng.random((n, 2))
    dep_field = _field(rng, xy)
    deprivation = _standardise_within(dep_field + rng.normal(0, 0.4, n), phase)
    areas = np.stack([0.5 * dep_field + _field(rng, xy) for _ in range(3)])  # (3, n)
    log_w = np.log(_ETH_WEIGHT)[None, :] + (np.array([1.3, 1.0, 0.8])[:, None, None] * areas[:, :, None]
                                            * _ETH_AREA[:, None, :]).sum(axis=0)  # fmt: skip
    eth_w = np.exp(log_w)
    eth_w /= eth_w.sum(axis=1, keepdims=True)
    # secondary schools draw from the area round them; special schools from the whole city
    prim = phase == _PRIMARY
    for s in np.flatnonzero(~prim):
        if phase[s] == _SPECIAL:
            eth_w[s] = eth_w[prim].mean(axis=0)
        else:
            d = np.sqrt(((xy[prim] - xy[s]) ** 2).sum(axis=1))
            k = np.exp(-d / 0.2)
            eth_w[s] = (k[:, None] * eth_w[prim]).sum(axis=0) / k.sum()
    effect = _T.school_deprivation * deprivation + rng.normal(0, _T.school_sd, n)
    effect = effect - np.array([effect[phase == p].mean() for p in phase])
    sixth = np.zeros(n, dtype=bool)
    sec = np.flatnonzero(phase == _SECONDARY)
    sixth[rng.choice(sec, size=max(1, round(sec.size / 2)), replace=False)] = True
    # cohort sizes: ~1.8% of pupils in special schools, the rest across 7 primary and 5 secondary
    # year groups plus sixth forms
    mainstream = spec.pupils * (1 - 0.018)
    per_cohort = mainstream / (12 + 0.85 * sixth.sum() / max(1, sec.size))
    size = np.exp(rng.normal(0, 0.35, n))
    cohort = np.zeros(n)
    for p, total in ((_PRIMARY, per_cohort), (_SECONDARY, per_cohort)):
        m = phase == p
        cohort[m] = total * size[m] / size[m].sum()
    m = phase == _SPECIAL
    cohort[m] = spec.pupils * 0.018 / 14 * size[m] / size[m].sum()
    # names and numbers
    places = [p + s for p in _PLACE_PREFIXES for s in _PLACE_SUFFIXES]
    order = rng.permutation(len(places))
    names = []
    for i in range(n):
        place = places[order[i % len(places)]]
        r = rng.random()
        saint = _SAINTS[int(rng.integers(len(_SAINTS)))]
        if phase[i] == _PRIMARY:
            if r < 0.14:
                names.append(f"St {saint}'s CofE Primary School")
            elif r < 0.24:
                names.append(f"St {saint}'s Catholic Primary School")
            elif r < 0.45:
                names.append(f"{place} Primary Academy")
            elif r < 0.55:
                names.append(f"{place} Community Primary School")
            else:
                names.append(f"{place} Primary School")
        elif phase[i] == _SECONDARY:
            if r < 0.12:
                names.append(f"St {saint}'s Catholic High School")
            elif r < 0.55:
                names.append(f"{place} Academy")
            elif r < 0.8:
                names.append(f"{place} High School")
            else:
                names.append(f"{spec.la_name} {place} School")
        else:
            names.append(f"{place} School" if r < 0.5 else f"{place} Special School")
    seen: dict[str, int] = {}
    for i, nm in enumerate(names):  # make names unique
        seen[nm] = seen.get(nm, 0) + 1
        if seen[nm] > 1:
            names[i] = nm.replace(" School", f" School ({seen[nm]})").replace(" Academy", f" Academy ({seen[nm]})")
    urn = 100000 + rng.choice(50000, size=n, replace=False)
    estab = np.zeros(n, dtype=np.int64)
    for p, base in ((_PRIMARY, 2000), (_SECONDARY, 4000), (_SPECIAL, 7000)):
        idx = np.flatnonzero(phase == p)
        estab[idx] = base + 1 + rng.choice(999, size=idx.size, replace=False)
    induction = np.where(phase == _PRIMARY, rng.choice([0, 0, 3, 5, 5, 8, 10], size=n), 0)
    return _Schools(
        urn=urn.astype(np.int64),
        estab=estab,
        name=names,
        phase=phase,
        xy=xy,
        deprivation=deprivation,
        effect=effect,
        eth_weights=eth_w,
        cohort=cohort,
        sixth_form=sixth,
        induction_days=induction,
    )


# -------------------------------------------------------------------------------------------------
# Pupils and enrolments (struct-of-arrays tables that grow batch by batch)
# -------------------------------------------------------------------------------------------------


class _Table:
    """Columns of equal length that grow by appending batches."""

    def __init__(self) -> None:
        self.cols: dict[str, np.ndarray] = {}

    @property
    def n(self) -> int:
        return 0 if not self.cols else int(next(iter(self.cols.values())).size)

    def append(self, **cols: np.ndarray) -> np.ndarray:
        """Append a batch; return the new rows' ids."""
        start = self.n
        if not self.cols:
            self.cols = {k: np.asarray(v).copy() for k, v in cols.items()}
        else:
            if set(cols) != set(self.cols):
                raise KeyError(f"columns differ: {set(cols) ^ set(self.cols)}")
            self.cols = {k: np.concatenate([self.cols[k], np.asarray(cols[k], dtype=self.cols[k].dtype)])
                         for k in self.cols}  # fmt: skip
        return np.arange(start, self.n)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.cols[key]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _solve_intercept(x: np.ndarray, target: float) -> float:
    """The intercept a with mean(sigmoid(a + x)) == target."""
    lo, hi = -15.0, 15.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if _sigmoid(mid + x).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


class _City:
    """The evolving population: pupils, enrolments and the LA's UPN allocation."""

    def __init__(self, spec: CitySpec, rng: np.random.Generator) -> None:
        self.spec = spec
        self.rng = rng
        self.la = int(spec.la_code)
        self.schools = _make_schools(rng, spec)
        self.pupils = _Table()
        self.enrol = _Table()
        self.upn: list[str] = []
        self.upn_rank = np.zeros(0, dtype=np.int64)
        self._serials: dict[tuple[int, int, int], int] = {}
        self.intercepts: dict[str, float] = {}
        # secondary choice: primaries choose nearby secondaries, weighted by size
        sch = self.schools
        prim = np.flatnonzero(sch.phase == _PRIMARY)
        sec = np.flatnonzero(sch.phase == _SECONDARY)
        d = np.sqrt(((sch.xy[prim][:, None, :] - sch.xy[sec][None, :, :]) ** 2).sum(axis=2))
        w = sch.cohort[sec][None, :] * np.exp(-d / 0.18)
        self.sec_choice = np.zeros((sch.n, sec.size))
        self.sec_choice[prim] = w / w.sum(axis=1, keepdims=True)
        self.secondaries = sec

    # -- UPNs ------------------------------------------------------------------------------
    def _allocate_upns(self, la: np.ndarray, estab: np.ndarray, yy: np.ndarray) -> list[str]:
        out: list[str] = []
        for a, e, y in zip(la.tolist(), estab.tolist(), yy.tolist(), strict=True):
            key = (a, e, y)
            serial = self._serials.get(key, 0)
            while serial > 999:  # the school has used its serials for the year: use a neighbour
                e = 2000 + (e + 1) % 8000
                key = (a, e, y)
                serial = self._serials.get(key, 0)
            self._serials[key] = serial + 1
            body = f"{a:03d}{e:04d}{y % 100:02d}{serial:03d}"
            out.append(check_letter(body) + body)
        return out

    # -- new pupils ------------------------------------------------------------------------
    def new_pupils(self, school: np.ndarray, nc: np.ndarray, year: int, *, arrival: bool,
                   upn_mode: str) -> np.ndarray:  # fmt: skip
        """Create pupils at ``school`` in NC year ``nc`` during academic year ``year``.

        ``upn_mode``: ``"school"`` (this school allocates the UPN now), ``"history"`` (allocated by
        some school when they started school) or ``"mixed"`` (joiners: some from elsewhere).
        """
        rng, sch = self.rng, self.schools
        n = school.size
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        phase = sch.phase[school]
        special = phase == _SPECIAL
        # date of birth: age on 31 August = 4 + nc
        born_from = np.array([_day(dt.date(year - 5 - k, 9, 1)) for k in range(14)])
        born_to = np.array([_day(dt.date(year - 4 - k, 8, 31)) for k in range(14)])
        dob = born_from[nc] + (rng.random(n) * (born_to[nc] - born_from[nc] + 1)).astype(np.int64)
        sex = (rng.random(n) < np.where(special, 0.72, 0.51)).astype(np.int8)  # 1 = male
        w = sch.eth_weights[school] * (_ETH_ARRIVAL[None, :] if arrival else 1.0)
        w = w / w.sum(axis=1, keepdims=True)
        eth = (w.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1).clip(0, len(_ETH_CODES) - 1)
        eal_p = np.minimum(_ETH_EAL[eth] * (1.3 if arrival else 1.0), 0.97)
        lang = np.where(rng.random(n) < eal_p, 1, 0).astype(np.int8)
        lang[rng.random(n) < 0.004] = 2  # unclassified
        # FSM by school deprivation and ethnicity; intercepts fixed by the first (initial) batch
        x_fsm = 1.0 * sch.deprivation[school] + _ETH_FSM[eth] + (0.5 if arrival else 0.0)
        fsm = np.zeros(n, dtype=bool)
        for p, target in ((_PRIMARY, 0.235), (_SECONDARY, 0.265), (_SPECIAL, 0.45)):
            m = phase == p
            key = f"fsm{p}"
            if key not in self.intercepts and m.sum() >= 20:
                self.intercepts[key] = _solve_intercept(x_fsm[m], target)
            a = self.intercepts.get(key, math.log(target / (1 - target)))
            fsm[m] = rng.random(m.sum()) < _sigmoid(a + x_fsm[m])
        # SEN: support peaks in junior years; EHC plans grow with age
        x_sen = 0.75 * sex + 0.55 * fsm + 0.2 * sch.deprivation[school]
        x_sen = x_sen + np.where(nc <= 2, -0.35, np.where(nc <= 6, 0.1, 0.0))
        for key, target in (("k", 0.132), ("e", 0.028)):
            mm = ~special
            if key not in self.intercepts and mm.sum() >= 50:
                self.intercepts[key] = _solve_intercept(x_sen[mm] + (0.05 * nc[mm] if key == "e" else 0), target)
        pk = _sigmoid(self.intercepts.get("k", -2.2) + x_sen)
        pe = _sigmoid(self.intercepts.get("e", -3.8) + x_sen + 0.05 * nc)
        u = rng.random(n)
        sen = np.where(u < pe, 2, np.where(u < pe + pk, 1, 0)).astype(np.int8)
        sen[special] = np.where(rng.random(special.sum()) < 0.98, 2, 1)
        need = self._draw_need(sen, phase)
        # social care: CLA and CPP imply CIN
        cla = rng.random(n) < np.where(fsm, 0.016, 0.0035) * (1.3 if arrival else 1.0)
        cpp = rng.random(n) < np.where(fsm, 0.011, 0.0027)
        cin = cla | cpp | (rng.random(n) < np.where(fsm, 0.045, 0.012) + 0.02 * (sen > 0))
        boarder = special & (rng.random(n) < 0.11)
        # names
        group = _ETH_NAMES[eth].copy()
        mixed = np.isin(eth, [_ETH_CODES.index(c) for c in ("MWBC", "MWBA", "MWAS", "MOTH")])
        group[mixed & (rng.random(n) < 0.5)] = 0
        fore = np.zeros(n, dtype=np.int32)
        sur = np.zeros(n, dtype=np.int32)
        for g in np.unique(group):
            for sx in (0, 1):
                m = (group == g) & (sex == sx)
                fore[m] = rng.choice(_FORENAME_IDX[g][sx], size=m.sum())
            m = group == g
            sur[m] = rng.choice(_SURNAME_IDX[g], size=m.sum())
        # latent propensity and persistent habits
        z = rng.normal(0, 1, n) + (0.25 if arrival else 0.0)
        holiday = _ETH_HOLIDAY[eth] * np.exp(rng.normal(0, 0.7, n))
        late = np.exp(rng.normal(0, 0.9, n))
        muslim = rng.random(n) < _ETH_MUSLIM[eth]
        # UPNs: allocated by the school that first admitted the child, in the year they started
        start_year = year - np.maximum(nc, 0)
        la = np.full(n, self.la)
        prim = np.flatnonzero(sch.phase == _PRIMARY)
        estab = sch.estab[rng.choice(prim, size=n)]
        if upn_mode == "school":
            estab = sch.estab[school]
            start_year = np.full(n, year)
        elsewhere = np.zeros(n, dtype=bool)
        if upn_mode == "history":
            elsewhere = rng.random(n) < 0.12
            own = (nc == 0) & (phase == _PRIMARY)
            estab[own] = sch.estab[school[own]]
        elif upn_mode == "mixed":
            elsewhere = rng.random(n) < 0.55
            here = ~elsewhere
            estab[here] = sch.estab[school[here]]
            start_year[here] = year + (rng.random(here.sum()) < 0.4)
        la[elsewhere] = rng.choice(np.array([c for c in _OTHER_LAS if c != self.la]), size=elsewhere.sum())
        estab[elsewhere] = rng.integers(2001, 4999, size=elsewhere.sum())
        upns = self._allocate_upns(la, estab, start_year)
        self.upn.extend(upns)
        return self.pupils.append(
            dob=dob.astype(np.int64), sex=sex, eth=eth.astype(np.int16), lang=lang, fsm=fsm, sen=sen,
            need=need, cla=cla, cin=cin, cpp=cpp, boarder=boarder, fore=fore, sur=sur, z=z,
            holiday=holiday, late=late, muslim=muslim, refuser=np.zeros(n, dtype=np.float64),
            never=np.zeros(n, dtype=bool),
        )  # fmt: skip

    def _draw_need(self, sen: np.ndarray, phase: np.ndarray) -> np.ndarray:
        n = sen.size
        which = np.where(phase == _SPECIAL, 3, np.where(sen == 2, 2, np.where(phase == _SECONDARY, 1, 0)))
        cum = _NEED_WEIGHTS.cumsum(axis=1)[which]
        need = (cum < self.rng.random(n)[:, None]).sum(axis=1).clip(0, len(_NEEDS) - 1) + 1
        return np.where(sen > 0, need, 0).astype(np.int8)

    # -- enrolments ------------------------------------------------------------------------
    def enrol_pupils(self, pid: np.ndarray, school: np.ndarray, nc: np.ndarray, admission: np.ndarray) -> np.ndarray:
        n = pid.size
        return self.enrol.append(
            pid=pid.astype(np.int64), school=school.astype(np.int64), admission=admission.astype(np.int64),
            leaving=np.full(n, -1, dtype=np.int64), nc=nc.astype(np.int8),
            fsm=np.zeros(n, bool), sen=np.zeros(n, np.int8), need=np.zeros(n, np.int8),
            cla=np.zeros(n, bool), cin=np.zeros(n, bool), cpp=np.zeros(n, bool), boarder=np.zeros(n, bool),
        )  # fmt: skip


# -------------------------------------------------------------------------------------------------
# Year by year: who is on roll, when
# -------------------------------------------------------------------------------------------------


@dataclass
class _Records:
    """The enrolments active in one academic year (one row each), with this year's state."""

    enrol: np.ndarray
    pid: np.ndarray
    school: np.ndarray
    nc: np.ndarray
    start: np.ndarray  # first day index on roll
    end: np.ndarray  # last day index on roll (inclusive)
    leaver: np.ndarray  # 0 stays, 1 leaves the city mid-year, 2 moves school mid-year

    @property
    def n(self) -> int:
        return int(self.enrol.size)


def _initial_roster(city: _City, cal: _YearCalendar) -> tuple[np.ndarray, np.ndarray]:
    """Create the pupils on roll on the first day of the first year; return (enrolments, nc)."""
    rng, sch, year = city.rng, city.schools, cal.year
    schools, ncs = [], []
    special_age = np.array([0.3, 0.5, 0.7, 0.8, 0.9, 1.0, 1.0, 1.2, 1.2, 1.2, 1.2, 1.2, 0.9, 0.7])
    for s in range(sch.n):
        for k in range(14):
            if not sch.offers(np.array([k]))[s, 0]:
                continue
            base = sch.cohort[s]
            if sch.phase[s] == _SECONDARY and k >= 12:
                base *= 0.45 if k == 12 else 0.40
            if sch.phase[s] == _SPECIAL:
                base *= special_age[k] * 14 / special_age.sum()
            count = rng.poisson(base)
            schools.append(np.full(count, s))
            ncs.append(np.full(count, k))
    school = np.concatenate(schools)
    nc = np.concatenate(ncs)
    pid = city.new_pupils(school, nc, year, arrival=False, upn_mode="history")
    # some pupils already avoid school, or never come, when the first year starts
    P = city.pupils
    semh = np.isin(P["need"][pid], [_NEED_IDX["SEMH"], _NEED_IDX["ASD"]])
    by_year = np.array([0, 0.6, 0.7, 0.8, 0.9, 1, 1, 0.75, 0.85, 1.1, 1.25, 1.35, 1, 1])[nc]
    p_ref = np.array(_T.initial_refusers)[sch.phase[school]] * np.where(semh, 3.0, 1.0) * by_year
    P["refuser"][pid] = (rng.random(pid.size) < p_ref).astype(float)
    P["never"][pid] = rng.random(pid.size) < _T.never_attends * 0.5 * (nc >= 1)
    # admission dates: when they entered this school (a few joined part-way through)
    entry_nc = np.where(sch.phase[school] == _PRIMARY, 0, np.where(sch.phase[school] == _SECONDARY, 7, 0))
    sixth_new = (nc >= 12) & (rng.random(nc.size) < 0.3)
    entry_nc = np.where(sixth_new, 12, entry_nc)
    special = sch.phase[school] == _SPECIAL
    entry_nc = np.where(special, (rng.random(nc.size) * (nc + 1)).astype(int), entry_nc)
    entry_year = year - (nc - entry_nc)
    starts = {y: _day(_weekday_on_or_after(dt.date(y, 9, 2))) for y in range(year - 15, year + 1)}
    admission = np.array([starts[int(y)] for y in entry_year])
    joined_later = (rng.random(nc.size) < 0.04 * np.maximum(nc - entry_nc, 0)) & (nc > entry_nc)
    later = admission + (rng.random(nc.size) * (cal.days[0] - admission)).astype(np.int64)
    later = later + np.where((later + 3) % 7 >= 5, 2, 0)
    admission = np.where(joined_later, np.minimum(later, cal.days[0] - 1), admission)
    return city.enrol_pupils(pid, school, nc, admission), nc


def _new_year_roster(
    city: _City, prev_cal: _YearCalendar, cal: _YearCalendar, enrol_end: np.ndarray, nc_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """From the enrolments on roll at the end of last year, the roster on the first day of this one.

    Pupils move up a year; Year 6 moves to secondary; Year 11 leaves or stays for the sixth form;
    a new Reception intake arrives; some pupils leave the city or change school over the summer.
    """
    rng, sch, E = city.rng, city.schools, city.enrol
    last_day = _day(prev_cal.half_terms[-1].end)
    first_day = _day(cal.half_terms[0].start)
    school = E["school"][enrol_end]
    pid = E["pid"][enrol_end]
    phase = sch.phase[school]
    nc = nc_end + 1
    n = enrol_end.size
    u = rng.random(n)
    leave_city = u < 0.02
    move = (u >= 0.02) & (u < 0.032) & (phase != _SPECIAL)
    to_secondary = (phase == _PRIMARY) & (nc == 7)
    y6_leave = to_secondary & (rng.random(n) < 0.05)
    y11 = (phase == _SECONDARY) & (nc == 12)
    stay6 = y11 & sch.sixth_form[school] & (rng.random(n) < 0.5)
    other6 = y11 & ~stay6 & (rng.random(n) < 0.12)
    y13 = (phase == _SECONDARY) & (nc == 13) & (rng.random(n) < 0.1)
    aged_out = ((phase == _SECONDARY) & (nc >= 14)) | ((phase == _SPECIAL) & (nc >= 14))
    leaving = leave_city | y6_leave | (y11 & ~stay6 & ~other6) | y13 | aged_out
    changes = (move | to_secondary | other6) & ~leaving
    # enrolments that end at the end of last year
    ended = leaving | changes
    E["leaving"][enrol_end[ended]] = last_day
    keep = ~ended
    roster_e = [enrol_end[keep]]
    roster_nc = [nc[keep]]
    # new enrolments for pupils changing school
    new_school = np.full(n, -1)
    idx = np.flatnonzero(changes & to_secondary)
    if idx.size:
        probs = city.sec_choice[school[idx]]
        pick = (probs.cumsum(axis=1) < rng.random(idx.size)[:, None]).sum(axis=1).clip(0, probs.shape[1] - 1)
        new_school[idx] = city.secondaries[pick]
    idx = np.flatnonzero(changes & ~to_secondary)
    for i in idx:
        ok = np.flatnonzero(sch.offers(np.array([nc[i]]))[:, 0] & (sch.phase != _SPECIAL))
        ok = ok[ok != school[i]]
        new_school[i] = rng.choice(ok) if ok.size else school[i]
    idx = np.flatnonzero(changes)
    roster_e.append(city.enrol_pupils(pid[idx], new_school[idx], nc[idx], np.full(idx.size, first_day)))
    roster_nc.append(nc[idx])
    # new Reception intake, joiners from outside the city and special school places
    intake_s, intake_nc, join_s, join_nc = [], [], [], []
    for s in range(sch.n):
        if sch.phase[s] == _PRIMARY:
            c = rng.poisson(sch.cohort[s] * rng.uniform(0.93, 1.03))
            intake_s.append(np.full(c, s))
            intake_nc.append(np.zeros(c, dtype=int))
        if sch.phase[s] == _SECONDARY:
            c = rng.poisson(sch.cohort[s] * 0.06)
            join_s.append(np.full(c, s))
            join_nc.append(np.full(c, 7))
        if sch.phase[s] == _SPECIAL:
            c = rng.poisson(sch.cohort[s] * 1.0)
            join_s.append(np.full(c, s))
            join_nc.append(rng.choice([0, 1, 2, 3, 5, 7, 8, 9], size=c))
    # joiners over the summer into every school's year groups (about 1.5% of roll)
    roll = np.bincount(np.concatenate([school[keep], new_school[idx]]), minlength=sch.n)
    for s in range(sch.n):
        if sch.phase[s] == _SPECIAL:
            continue
        c = rng.poisson(roll[s] * 0.015)
        years = np.arange(14)[sch.offers(np.arange(14))[s]]
        years = years[(years != 0) & (years < 12)]
        join_s.append(np.full(c, s))
        join_nc.append(rng.choice(years, size=c))
    for ss, kk, mode, arrival in ((intake_s, intake_nc, "school", False), (join_s, join_nc, "mixed", True)):
        s_arr = np.concatenate(ss) if ss else np.zeros(0, int)
        k_arr = np.concatenate(kk) if kk else np.zeros(0, int)
        new_pid = city.new_pupils(s_arr, k_arr, cal.year, arrival=arrival, upn_mode=mode)
        roster_e.append(city.enrol_pupils(new_pid, s_arr, k_arr, np.full(new_pid.size, first_day)))
        roster_nc.append(k_arr)
    # pupils' characteristics change a little from year to year
    _age_characteristics(city, pid[~leaving], sch.phase[np.where(new_school >= 0, new_school, school)][~leaving])
    return np.concatenate(roster_e), np.concatenate(roster_nc)


def _age_characteristics(city: _City, pid: np.ndarray, phase: np.ndarray) -> None:
    rng, P = city.rng, city.pupils
    n = pid.size
    rho = _T.latent_rho
    P["z"][pid] = rho * P["z"][pid] + math.sqrt(1 - rho * rho) * rng.normal(0, 1, n)
    fsm = P["fsm"][pid]
    u = rng.random(n)
    P["fsm"][pid] = np.where(fsm, u > 0.07, u < 0.024)
    sen = P["sen"][pid]
    u = rng.random(n)
    new_sen = sen.copy()
    new_sen[(sen == 0) & (u < 0.02)] = 1
    new_sen[(sen == 1) & (u < 0.11)] = 0
    new_sen[(sen == 1) & (u >= 0.11) & (u < 0.14)] = 2
    new_sen[phase == _SPECIAL] = np.maximum(new_sen[phase == _SPECIAL], 1)
    need = P["need"][pid].copy()
    fresh = (new_sen > 0) & (sen == 0)
    need[fresh] = city._draw_need(new_sen[fresh], phase[fresh])
    need[new_sen == 0] = 0
    P["sen"][pid] = new_sen
    P["need"][pid] = need
    cla = P["cla"][pid]
    P["cla"][pid] = np.where(cla, rng.random(n) < 0.85, rng.random(n) < 0.0012 * (1 + 3 * P["fsm"][pid]))
    cpp = np.where(P["cpp"][pid], rng.random(n) < 0.35, rng.random(n) < 0.004)
    P["cpp"][pid] = cpp
    P["cin"][pid] = P["cla"][pid] | cpp | np.where(P["cin"][pid], rng.random(n) < 0.5, rng.random(n) < 0.015)
    # school refusal and never-attending persist for some
    ref = P["refuser"][pid]
    P["refuser"][pid] = np.where((ref > 0) & (rng.random(n) < 0.6), ref + 1, 0)
    P["never"][pid] = P["never"][pid] & (rng.random(n) < 0.5)


def _midyear_moves(city: _City, cal: _YearCalendar, roster_e: np.ndarray, roster_nc: np.ndarray) -> _Records:
    """Mid-year leavers, school moves within the city and joiners from outside; the year's records."""
    rng, sch, E = city.rng, city.schools, city.enrol
    nd = cal.n_days
    n = roster_e.size
    school = E["school"][roster_e]
    pid = E["pid"][roster_e]
    P = city.pupils
    risk = 1 + 1.5 * P["fsm"][pid] + 2 * P["cla"][pid] + 1.0 * (P["z"][pid] > 1.5)
    leave = rng.random(n) < 0.028 * risk * np.where(sch.phase[school] == _SPECIAL, 0.3, 1.0)
    leave_day = rng.integers(8, nd - 5, size=n)
    move = leave & (rng.random(n) < 0.6)
    leaver = np.where(move, 2, np.where(leave, 1, 0))
    end = np.where(leave, leave_day, nd - 1)
    E["leaving"][roster_e[leave]] = cal.days[leave_day[leave]]
    start = np.searchsorted(cal.days, E["admission"][roster_e])
    rec_e, rec_nc, rec_start, rec_end, rec_leaver = [roster_e], [roster_nc], [start], [end], [leaver]
    # movers: a new enrolment at another school after a gap
    idx = np.flatnonzero(move)
    gap = 1 + rng.geometric(0.2, size=idx.size)
    ok = leave_day[idx] + gap < nd - 1
    idx, gap = idx[ok], gap[ok]
    new_school = np.empty(idx.size, dtype=np.int64)
    offers = sch.offers(np.arange(14))
    for j, i in enumerate(idx):
        cand = np.flatnonzero(offers[:, roster_nc[i]] & (sch.phase != _SPECIAL))
        if P["sen"][pid[i]] == 2 and rng.random() < 0.08:
            cand = np.flatnonzero(offers[:, roster_nc[i]] & (sch.phase == _SPECIAL))
        cand = cand[cand != school[i]]
        new_school[j] = rng.choice(cand) if cand.size else school[i]
    s_day = leave_day[idx] + gap
    rec_e.append(city.enrol_pupils(pid[idx], new_school, roster_nc[idx], cal.days[s_day]))
    rec_nc.append(roster_nc[idx])
    rec_start.append(s_day)
    rec_end.append(np.full(idx.size, nd - 1))
    rec_leaver.append(np.zeros(idx.size, dtype=int))
    # joiners from outside the city
    roll = np.bincount(school, minlength=sch.n)
    js, jk = [], []
    for s in range(sch.n):
        c = rng.poisson(roll[s] * (0.026 if sch.phase[s] != _SPECIAL else 0.01))
        years = np.arange(14)[offers[s]]
        years = years[years < 12] if sch.phase[s] != _SPECIAL else years
        js.append(np.full(c, s))
        jk.append(rng.choice(years, size=c))
    j_school = np.concatenate(js)
    j_nc = np.concatenate(jk)
    j_day = rng.integers(1, nd - 3, size=j_school.size)
    new_pid = city.new_pupils(j_school, j_nc, cal.year, arrival=True, upn_mode="mixed")
    rec_e.append(city.enrol_pupils(new_pid, j_school, j_nc, cal.days[j_day]))
    rec_nc.append(j_nc)
    rec_start.append(j_day)
    rec_end.append(np.full(j_school.size, nd - 1))
    rec_leaver.append(np.zeros(j_school.size, dtype=int))
    enrol = np.concatenate(rec_e)
    return _Records(
        enrol=enrol,
        pid=E["pid"][enrol],
        school=E["school"][enrol],
        nc=np.concatenate(rec_nc).astype(np.int8),
        start=np.concatenate(rec_start).astype(np.int64),
        end=np.concatenate(rec_end).astype(np.int64),
        leaver=np.concatenate(rec_leaver).astype(np.int8),
    )


# -------------------------------------------------------------------------------------------------
# Marks
# -------------------------------------------------------------------------------------------------


def _runs(
    rows: np.ndarray, cols: np.ndarray, lengths: np.ndarray, nd: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand runs (row, first column, length) into cells, clipped to the year.

    Returns the cells' rows, columns and the index of the run each came from.
    """
    lengths = np.maximum(np.asarray(lengths, dtype=np.int64), 0)
    rep = np.repeat(np.arange(rows.size), lengths)
    offs = np.arange(rep.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    c = np.asarray(cols, dtype=np.int64)[rep] + offs
    keep = (c >= 0) & (c < nd)
    return rows[rep][keep], c[keep], rep[keep]


def _pick(rng: np.random.Generator, values: list[int], weights: list[float], size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(np.asarray(values), size=size, p=p / p.sum())


def _simulate_marks(city: _City, cal: _YearCalendar, rec: _Records) -> tuple[np.ndarray, np.ndarray]:
    """The year's morning and afternoon reasons: two (n_records, n_days) uint8 matrices (0 = no mark)."""
    rng, sch, P, T = city.rng, city.schools, city.pupils, _T
    n, nd = rec.n, cal.n_days
    pid, school, nc = rec.pid, rec.school, rec.nc.astype(np.int64)
    phase = sch.phase[school]
    days = cal.days
    dates = [_date(int(d)) for d in days]
    month = np.array([d.month for d in dates])
    dow = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    half = cal.half_term_of_days()
    frac = np.arange(nd) / max(nd - 1, 1)
    first_of_half = np.r_[True, half[1:] != half[:-1]]
    last_of_half = np.r_[half[1:] != half[:-1], True]
    last_of_term = last_of_half & np.isin(half, [1, 3, 5])
    # ----- pupil propensities --------------------------------------------------------------
    fsm, sen, need = P["fsm"][pid], P["sen"][pid], P["need"][pid]
    cla, cin, cpp = P["cla"][pid], P["cin"][pid], P["cpp"][pid]
    eth = P["eth"][pid]
    mainstream_sen = np.where(phase == _SPECIAL, 0.0, np.where(sen == 2, T.ehc, np.where(sen == 1, T.sen_support, 0)))
    cov = (
        T.fsm * fsm + mainstream_sen + T.cla * cla + T.cin * cin + T.cpp * cpp + _NEED_RISK[need]
        + _ETH_ABSENCE[eth] + sch.effect[school] + 0.15 * (rec.start > 0)
    )  # fmt: skip
    z = P["z"][pid]
    risk = cov + T.sigma_latent * z
    # a smoothed step: pupils whose latent (shifted by their characteristics) passes it form the
    # persistently absent group (see the module docstring)
    high = np.clip((z + T.step_cov * (cov - cov.mean()) - np.array(T.step_at)[phase]) / T.step_width, 0, 1)
    ill_base = np.where(
        phase == _PRIMARY, np.array(T.ill_primary)[np.minimum(nc, 6)],
        np.where(phase == _SECONDARY, np.array(T.ill_secondary)[np.clip(nc - 7, 0, 6)], T.ill_special),
    )  # fmt: skip
    un_base = np.where(
        phase == _PRIMARY, np.array(T.unauth_primary)[np.minimum(nc, 6)],
        np.where(phase == _SECONDARY, np.array(T.unauth_secondary)[np.clip(nc - 7, 0, 6)], T.unauth_special),
    )  # fmt: skip
    m_ill = np.exp(T.ill_elasticity * risk + T.ill_step * high + _NEED_ILL[need] + T.ill_noise * rng.normal(0, 1, n))
    m_un = np.exp(T.unauth_elasticity * risk + T.unauth_step * high + T.unauth_noise * rng.normal(0, 1, n))
    for p in (_PRIMARY, _SECONDARY, _SPECIAL):  # keep each phase's mean on its target
        m = phase == p
        if m.any():
            m_ill[m] /= m_ill[m].mean()
            m_un[m] /= m_un[m].mean()
    lam_ill = ill_base * m_ill
    lam_un = np.minimum(un_base * m_un, 0.85)
    # drift through the year: some pupils deteriorate, a few improve
    u = rng.random(n)
    drift = np.where(u < 0.12, rng.uniform(0.8, 2.2, n), np.where(u < 0.18, -rng.uniform(0.5, 1.5, n),
                                                                   rng.normal(0, 0.2, n)))  # fmt: skip
    # ----- day shapes ----------------------------------------------------------------------
    season = {9: 0.7, 10: 0.95, 11: 1.05, 12: 1.35, 1: 1.25, 2: 1.15, 3: 1.0, 4: 0.85, 5: 0.8, 6: 0.8, 7: 0.85}
    f_ill = np.array([season[m] for m in month]) * np.array([1.08, 0.98, 0.95, 0.96, 1.03, 1, 1])[dow]
    f_ill *= np.where(last_of_term, 1.3, 1.0)
    f_ill /= f_ill.mean()
    term_trend = np.array([0.95, 1.0, 1.0, 1.0, 1.05, 1.1])[half]
    f_un = term_trend * np.array([1.12, 0.92, 0.9, 0.93, 1.23, 1, 1])[dow]
    f_un *= np.where(last_of_half, 1.4, 1.0) * np.where(last_of_term, 1.5, 1.0) * np.where(first_of_half, 1.15, 1)
    f_un *= np.where((half == 5) & (np.arange(nd) >= nd - 5), 1.5, 1.0)
    f_un /= f_un.mean()
    am = np.full((n, nd), _PRESENT, dtype=np.uint8)
    pm = np.full((n, nd), _PRESENT, dtype=np.uint8)
    rows_all = np.arange(n)
    secondary = phase == _SECONDARY
    # ----- lates (morning) -----------------------------------------------------------------
    p_late = T.late_per_am * P["late"][pid] * np.exp(0.6 * risk) / np.exp(0.6 * risk).mean()
    p_late = np.minimum(p_late * np.where(secondary, 1.3, 1.0), 0.6)
    u = rng.random((n, nd), dtype=np.float32)
    am[u < p_late[:, None]] = _LATE
    am[u < (p_late * T.late_after_share * np.where(secondary, 2.5, 1.0))[:, None]] = _LATE_AFTER
    # ----- sport (afternoons) ----------------------------------------------------------------
    u = rng.random((n, nd), dtype=np.float32)
    pm[u < np.where(secondary, 0.002, 0.0006)[:, None] * np.where(dow == 4, 3.0, 0.5)[None, :]] = _SPORT
    # ----- medical appointments (usually one session) ------------------------------------------
    p_med = T.medical_per_day * np.exp(0.3 * risk + _NEED_ILL[need]) * np.where(phase == _SPECIAL, 2.5, 1.0)
    p_med = p_med / np.exp(0.3 * risk).mean()
    u = rng.random((n, nd), dtype=np.float32)
    r, c = np.nonzero(u < p_med[:, None])
    v = rng.random(r.size)
    am[r[v < 0.5], c[v < 0.5]] = _MEDICAL
    pm[r[v >= 0.4], c[v >= 0.4]] = _MEDICAL
    # ----- authorised other (exceptional circumstances) -------------------------------------
    u = rng.random((n, nd), dtype=np.float32)
    r, c = np.nonzero(u < (T.auth_other_per_day * np.exp(0.3 * risk) / np.exp(0.3 * risk).mean())[:, None])
    am[r, c] = _AUTH_OTHER
    pm[r, c] = _AUTH_OTHER
    # ----- illness episodes ----------------------------------------------------------------
    ill_len_values = [1, 2, 3, 4, 5, 6, 8, 10]
    ill_len_p = [0.50, 0.24, 0.12, 0.06, 0.04, 0.02, 0.015, 0.005]
    mean_len = float(np.dot(ill_len_values, ill_len_p))
    h = (lam_ill / mean_len)[:, None] * f_ill[None, :] * np.exp(0.5 * drift[:, None] * (frac[None, :] - 0.5))
    r, c = np.nonzero(rng.random((n, nd), dtype=np.float32) < h)
    lengths = _pick(rng, ill_len_values, ill_len_p, r.size)
    half_day = (lengths == 1) & (rng.random(r.size) < 0.2)
    rr, cc, _ = _runs(r[~half_day], c[~half_day], lengths[~half_day], nd)
    am[rr, cc] = _ILL
    pm[rr, cc] = _ILL
    hd_pm = rng.random(half_day.sum()) < 0.7
    pm[r[half_day][hd_pm], c[half_day][hd_pm]] = _ILL
    am[r[half_day][~hd_pm], c[half_day][~hd_pm]] = _ILL
    # ----- unauthorised absence runs (O, some N) ---------------------------------------------
    extra = np.clip(6.0 * lam_un, 0.15, 4.0)
    h = (lam_un / (1 + extra))[:, None] * f_un[None, :] * np.exp(drift[:, None] * (frac[None, :] - 0.5))
    r, c = np.nonzero(rng.random((n, nd), dtype=np.float32) < h)
    lengths = rng.geometric(1 / (1 + extra[r]))
    code = np.where(rng.random(r.size) < T.no_reason_share, _NO_REASON, _UNAUTH).astype(np.uint8)
    half_day = (lengths == 1) & (rng.random(r.size) < 0.12)
    keep = ~half_day
    rr, cc, k = _runs(r[keep], c[keep], lengths[keep], nd)
    am[rr, cc] = code[keep][k]
    pm[rr, cc] = code[keep][k]
    pm[r[half_day], c[half_day]] = code[half_day]
    # ----- term-time holidays next to breaks ---------------------------------------------------
    firsts = np.flatnonzero(first_of_half)
    lasts = np.flatnonzero(last_of_half)
    p_hol = T.holiday_takers * P["holiday"][pid] * np.where(phase == _PRIMARY, 1.4, np.where(secondary, 1.1, 0.6))
    p_hol *= np.where(nc >= 10, 0.5, 1.0) * np.where(fsm, 0.9, 1.0)
    p_hol = np.minimum(p_hol / P["holiday"][pid].mean(), 0.9)
    takers = np.flatnonzero(rng.random(n) < p_hol)
    takers = np.concatenate([takers, takers[rng.random(takers.size) < 0.1]])
    lengths = _pick(rng, [2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20],
                    [0.05, 0.1, 0.12, 0.25, 0.1, 0.08, 0.07, 0.06, 0.12, 0.03, 0.02], takers.size)  # fmt: skip
    # where: (0..5 = before the end of half term h, 6..11 = after the start of half term h-6, 12 = anywhere)
    where = _pick(rng, list(range(13)), [0.07, 0.10, 0.06, 0.10, 0.06, 0.22, 0.06, 0.04, 0.06, 0.03, 0.06,
                                         0.04, 0.10], takers.size)  # fmt: skip
    start = np.where(
        where < 6, lasts[np.minimum(where, 5)] - lengths + 1,
        np.where(where < 12, firsts[np.clip(where - 6, 0, 5)], rng.integers(0, nd, takers.size)),
    )  # fmt: skip
    rr, cc, k = _runs(takers, start, lengths, nd)
    hol_auth = rng.random(takers.size) < (0.08 if cal.code_set == 0 else 0.04)
    hol_code = np.where(hol_auth, _AUTH_HOLIDAY, _HOLIDAY).astype(np.uint8)
    am[rr, cc] = hol_code[k]
    pm[rr, cc] = hol_code[k]
    # ----- Eid ---------------------------------------------------------------------------------
    year_start, year_end = _date(int(days[0])), _date(int(days[-1]))
    muslim = P["muslim"][pid]
    for eid in _eid_days(year_start, year_end):
        j = cal.index_of(eid)
        if j < nd and days[j] == _day(eid):
            take = muslim & (rng.random(n) < 0.7)
            am[take, j] = pm[take, j] = _RELIGIOUS
            if j + 1 < nd and days[j + 1] == days[j] + 1:
                take2 = take & (rng.random(n) < 0.2)
                am[take2, j + 1] = pm[take2, j + 1] = _RELIGIOUS
    # ----- travelling (Gypsy, Roma and Traveller families) ---------------------------------------
    grt = np.flatnonzero(_ETH_GRT[eth] & (rng.random(n) < 0.3))
    if grt.size:
        s_lo = firsts[4]
        start = rng.integers(s_lo, nd, size=grt.size)
        rr, cc, _ = _runs(grt, start, rng.integers(10, 26, size=grt.size), nd)
        am[rr, cc] = pm[rr, cc] = _TRAVELLER
    # ----- interviews, performances, study leave -------------------------------------------------
    spring = np.flatnonzero((half == 2) | (half == 3))
    who = np.flatnonzero(np.isin(nc, [11, 13]) & (rng.random(n) < 0.2))
    pm[who, rng.choice(spring, size=who.size)] = _INTERVIEW
    who = np.flatnonzero(rng.random(n) < 0.001)
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), rng.integers(1, 4, who.size), nd)
    am[rr, cc] = pm[rr, cc] = _PERFORMANCE
    study_school = rng.random(sch.n) < 0.5
    who = np.flatnonzero(np.isin(nc, [11, 13]) & secondary & study_school[school])
    summer2 = np.flatnonzero(half == 5)[:15]
    if who.size and summer2.size:
        k = rng.integers(2, 9, size=who.size)
        r = np.repeat(who, k)
        pm[r, rng.choice(summer2, size=r.size)] = _STUDY
    # ----- suspensions ---------------------------------------------------------------------------
    rate = np.array(T.suspension_rate)[phase] * np.exp(
        0.5 * P["sex"][pid] + 0.7 * fsm + 1.0 * (need == _NEED_IDX["SEMH"]) + 0.4 * (sen > 0)
        + 0.6 * cla + 0.5 * P["z"][pid] - 1.0
    )  # fmt: skip
    k = rng.poisson(np.minimum(rate, 5))
    who = np.repeat(rows_all, k)
    lengths = _pick(rng, [1, 2, 3, 4, 5], [0.42, 0.25, 0.18, 0.05, 0.10], who.size)
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), lengths, nd)
    am[rr, cc] = pm[rr, cc] = _EXCLUDED
    # ----- long illness, part-time timetables, dual registration, LA provision -------------------
    who = np.flatnonzero(rng.random(n) < T.long_illness * np.exp(_NEED_ILL[need]))
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), rng.integers(10, 50, who.size), nd)
    am[rr, cc] = pm[rr, cc] = _ILL
    semh = np.isin(need, [_NEED_IDX["SEMH"], _NEED_IDX["ASD"]])
    p_pt = T.part_time * np.where(semh, 8.0, np.where(sen > 0, 1.5, 0.15)) * np.where(phase == _PRIMARY, 0.6, 1.4)
    who = np.flatnonzero(rng.random(n) < p_pt)
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), rng.integers(20, 80, who.size), nd)
    pm[rr, cc] = _PART_TIME
    p_dual = T.dual_registered * secondary * np.where(semh, 6.0, 1.0) * np.exp(0.5 * P["z"][pid])
    who = np.flatnonzero(rng.random(n) < p_dual)
    if who.size:
        rr, cc, k = _runs(who, rng.integers(0, nd, who.size), rng.integers(30, 120, who.size), nd)
        ap_days = rng.integers(0, 5, size=(who.size, 2))
        on_ap = (dow[cc] == ap_days[k, 0]) | (dow[cc] == ap_days[k, 1])
        am[rr[on_ap], cc[on_ap]] = pm[rr[on_ap], cc[on_ap]] = _DUAL
    who = np.flatnonzero(rng.random(n) < 0.0006 * (1 + 5 * (sen > 0)))
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), rng.integers(10, 40, who.size), nd)
    am[rr, cc] = pm[rr, cc] = _LA_PROVISION
    # ----- emotionally based school avoidance: runs that grow through the year -----------------
    ref_prev = P["refuser"][pid] > 0
    centred = risk - risk.mean()
    by_year = np.array([0, 0.6, 0.7, 0.8, 0.9, 1, 1, 0.75, 0.85, 1.1, 1.25, 1.35, 1, 1])[nc]
    p_ref = np.array(T.refuser_rate)[phase] * by_year * np.exp(0.6 * semh + 0.6 * fsm + 0.6 * centred - 0.6)
    new_ref = ~ref_prev & (rng.random(n) < p_ref) & (nc >= 1)
    refusers = np.flatnonzero((ref_prev & (P["refuser"][pid] > 0)) | new_ref)
    if refusers.size:
        onset = np.where(new_ref[refusers], rng.integers(0, int(nd * 0.75), refusers.size), 0)
        p0 = np.where(new_ref[refusers], rng.uniform(0.15, 0.4, refusers.size), rng.uniform(0.35, 0.7, refusers.size))
        slope = rng.uniform(0.3, 1.3, refusers.size)
        absent_prev = np.zeros(refusers.size, dtype=bool)
        kappa = 0.6
        for d in range(nd):
            p = np.clip(p0 + slope * (d - onset) / nd, 0, 0.95) * (d >= onset)
            p_stay = p + (1 - p) * kappa
            p_start = p * (1 - kappa)
            absent = rng.random(refusers.size) < np.where(absent_prev, p_stay, p_start)
            rows = refusers[absent]
            uu = rng.random(rows.size)
            codes = np.where(uu < 0.5, _UNAUTH, np.where(uu < 0.58, _NO_REASON, _ILL)).astype(np.uint8)
            am[rows, d] = codes
            pm[rows, d] = codes
            absent_prev = absent
        P["refuser"][pid[refusers]] = np.maximum(P["refuser"][pid[refusers]], 1)
    # ----- on roll but never attending ---------------------------------------------------------
    new_never = rng.random(n) < T.never_attends * np.exp(0.6 * centred + 0.6 * fsm - 0.6)
    never = new_never | P["never"][pid]
    P["never"][pid[never]] = True
    if never.any():
        codes = np.where(rng.random((never.sum(), nd)) < 0.93, _UNAUTH, _NO_REASON).astype(np.uint8)
        am[never] = codes
        pm[never] = codes
    # ----- leavers often stop coming before the school takes them off roll ----------------------
    who = np.flatnonzero((rec.leaver == 1) & (rng.random(n) < 0.35))
    k = rng.integers(3, 16, size=who.size)
    rr, cc, _ = _runs(who, rec.end[who] - k + 1, k, nd)
    v = np.where(rng.random(rr.size) < 0.7, _UNAUTH, _NO_REASON).astype(np.uint8)
    am[rr, cc] = v
    pm[rr, cc] = v
    # ----- approved educational activities on days the pupil would have been in -----------------
    present_am = (am == _PRESENT) | (am == _LATE)
    present_pm = pm == _PRESENT
    trips = _class_days(rng, sch, nc, school, half, nd)
    for rows, cols, reason, share in trips:
        go = rng.random(rows.size) < share
        rows, cols = rows[go], cols[go]
        ok_am = present_am[rows, cols]
        ok_pm = present_pm[rows, cols]
        am[rows[ok_am], cols[ok_am]] = reason
        pm[rows[ok_pm], cols[ok_pm]] = reason
    who = np.flatnonzero(np.isin(nc, [10, 11]) & secondary & (rng.random(n) < 0.006))
    if who.size:
        weekday = rng.integers(0, 5, who.size)
        start = rng.integers(0, max(1, nd - 60), who.size)
        rr, cc, k = _runs(who, start, np.full(who.size, 60), nd)
        ok = dow[cc] == weekday[k]
        rr, cc = rr[ok], cc[ok]
        ok_am = present_am[rr, cc]
        am[rr[ok_am], cc[ok_am]] = _OFFSITE
        ok_pm = present_pm[rr, cc]
        pm[rr[ok_pm], cc[ok_pm]] = _OFFSITE
    # ----- not required, unable to attend, closed ------------------------------------------------
    rec_r = nc == 0
    induction = sch.induction_days[school]
    for d in range(int(induction.max(initial=0))):
        sel = rec_r & (induction > d) & (rec.start <= d)
        pm[sel, d] = _NOT_REQUIRED
        stagger = sel & (rng.random(n) < max(0.0, 0.5 - 0.17 * d))
        am[stagger, d] = _NOT_REQUIRED
    part = np.flatnonzero(rec_r & (rng.random(n) < 0.02))
    autumn = np.flatnonzero(half <= 1)
    if part.size and autumn.size:
        pm[np.ix_(part, autumn)] = _NOT_REQUIRED
    who = np.flatnonzero((phase == _SPECIAL) & (rng.random(n) < 0.04))
    rr, cc, _ = _runs(who, rec.start[who], rng.integers(2, 6, who.size), nd)
    am[rr, cc] = pm[rr, cc] = _LA_ACCESS
    who = np.flatnonzero(rng.random(n) < 0.002)
    cc = rng.integers(0, nd, who.size)
    am[who, cc] = pm[who, cc] = _TRANSPORT
    # one school closed unexpectedly for a day (snow, heating) in January or February
    winter = np.flatnonzero((month == 1) | (month == 2))
    if winter.size:
        s = int(rng.integers(sch.n))
        j = int(rng.choice(winter))
        am[school == s, j] = _SITE_CLOSED
        pm[school == s, j] = _SITE_CLOSED
    # ----- only while on roll and the school meets ------------------------------------------------
    col = np.arange(nd)
    on_roll = (col[None, :] >= rec.start[:, None]) & (col[None, :] <= rec.end[:, None])
    am[~(on_roll & cal.meets_am[school])] = _NONE
    pm[~(on_roll & cal.meets_pm[school])] = _NONE
    return am, pm


def _class_days(
    rng: np.random.Generator, sch: _Schools, nc: np.ndarray, school: np.ndarray, half: np.ndarray, nd: int
) -> Iterator[tuple[np.ndarray, np.ndarray, int, float]]:
    """Trips, residentials and work experience: (rows, day columns, reason, participation)."""
    key = school * 16 + nc
    order = np.argsort(key, kind="stable")
    keys, first, counts = np.unique(key[order], return_index=True, return_counts=True)
    summer = np.flatnonzero(half >= 4)
    for kv, f, cnt in zip(keys.tolist(), first.tolist(), counts.tolist(), strict=True):
        s, k = divmod(kv, 16)
        rows = order[f : f + cnt]
        phase = sch.phase[s]
        n_trips = 2 if phase == _PRIMARY else 1
        for _ in range(n_trips):
            day = int(rng.choice(summer)) if rng.random() < 0.5 else int(rng.integers(0, nd))
            yield rows, np.full(rows.size, day), _TRIP, (0.92 if phase == _PRIMARY else 0.5)
        if phase == _PRIMARY and k == 6 and summer.size > 5:
            d0 = int(rng.choice(summer[:-3]))
            for d in range(d0, min(d0 + 3, nd)):
                yield rows, np.full(rows.size, d), _TRIP, 0.8
        if phase == _SECONDARY and k == 10 and rng.random() < 0.6 and summer.size > 10:
            d0 = int(rng.choice(summer[5:-5]))
            for d in range(d0, min(d0 + 5, nd)):
                yield rows, np.full(rows.size, d), _WORK, 0.85


# -------------------------------------------------------------------------------------------------
# Driving the years
# -------------------------------------------------------------------------------------------------


@dataclass
class _YearResult:
    cal: _YearCalendar
    rec: _Records
    am: np.ndarray
    pm: np.ndarray


def _simulate(spec: CitySpec) -> tuple[_City, list[_YearCalendar], Iterator[_YearResult]]:
    """Build the city and its first-day roster; return it with an iterator over the simulated years.

    Each year is simulated when the iterator reaches it (and pupils' state moves on), so a caller
    can write one year's marks and let them go before the next.  Years starting after
    ``spec.until`` are not simulated: no year's draws depend on a later year, so the years before
    are the same either way.
    """
    seq = np.random.SeedSequence(spec.seed)
    city = _City(spec, np.random.default_rng(seq.spawn(1)[0]))
    cals = []
    for t in range(spec.years_written):
        cal = _academic_calendar(spec.first_year + t)
        _school_closures(np.random.default_rng([spec.seed, 7, t]), cal, city.schools)
        cals.append(cal)

    first_roster = _initial_roster(city, cals[0])

    def years() -> Iterator[_YearResult]:
        roster_e, roster_nc = first_roster
        end_e, end_nc = roster_e, roster_nc
        for t, cal in enumerate(cals):
            if t > 0:
                roster_e, roster_nc = _new_year_roster(city, cals[t - 1], cal, end_e, end_nc)
            rec = _midyear_moves(city, cal, roster_e, roster_nc)
            _snapshot(city, rec)
            am, pm = _simulate_marks(city, cal, rec)
            still = rec.end == cal.n_days - 1
            end_e, end_nc = rec.enrol[still], rec.nc[still].astype(np.int64)
            yield _YearResult(cal, rec, am, pm)

    return city, cals, years()


def _snapshot(city: _City, rec: _Records) -> None:
    """Record this year's NC year and characteristics on each active enrolment (latest wins)."""
    E, P = city.enrol, city.pupils
    E["nc"][rec.enrol] = rec.nc
    for col in ("fsm", "sen", "need", "cla", "cin", "cpp", "boarder"):
        E[col][rec.enrol] = P[col][rec.pid]


# -------------------------------------------------------------------------------------------------
# Writing
# -------------------------------------------------------------------------------------------------

_MARKS_SCHEMA = pa.schema(
    [
        ("upn", pa.dictionary(pa.int32(), pa.string())),
        ("urn", pa.int64()),
        ("date", pa.date32()),
        ("session", pa.dictionary(pa.int8(), pa.string())),
        ("code", pa.dictionary(pa.int8(), pa.string())),
    ]
)
_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=1 << 20)


def _write_marks_year(
    sink: pacsv.CSVWriter,
    city: _City,
    upn_dict: pa.Array,
    res: _YearResult,
    chunk_cells: int = 4_000_000,
    on_chunk: Callable[[float], None] | None = None,
    until: dt.date | None = None,
) -> int:
    """Write one year's marks in chunks of about ``chunk_cells`` cells; return the number written.

    With ``until``, only the days up to it are written (the same rows, in the same order, as
    without it: the cut drops whole day columns before the marks are flattened).
    """
    rec, cal = res.rec, res.cal
    nd = cal.n_days if until is None else cal.index_of(until, side="right")
    urn = city.schools.urn[rec.school]
    upn_rank = city.upn_rank
    order = np.lexsort((city.enrol["admission"][rec.enrol], upn_rank[rec.pid], urn))
    codes = np.stack([res.am[order, :nd], res.pm[order, :nd]], axis=2)  # (n, nd, 2)
    lut = _CODE_LUT[cal.code_set]
    sessions = pa.array(["AM", "PM"])
    code_dict = pa.array(_CODE_STRINGS)
    pid = rec.pid[order].astype(np.int32)
    urn = urn[order]
    rows_per_chunk = max(1, chunk_cells // (nd * 2))
    written = 0
    for r0 in range(0, rec.n, rows_per_chunk):
        block = codes[r0 : r0 + rows_per_chunk].reshape(-1)
        nz = np.flatnonzero(block)
        row = r0 + nz // (nd * 2)
        rem = nz % (nd * 2)
        day = rem // 2
        session = (rem % 2).astype(np.int8)
        code = lut[session, block[nz]]
        table = pa.Table.from_arrays(
            [
                pa.DictionaryArray.from_arrays(pa.array(pid[row]), upn_dict),
                pa.array(urn[row]),
                pa.array(cal.days[day], type=pa.int32()).view(pa.date32()),
                pa.DictionaryArray.from_arrays(pa.array(session), sessions),
                pa.DictionaryArray.from_arrays(pa.array(code), code_dict),
            ],
            schema=_MARKS_SCHEMA,
        )
        sink.write_table(table)
        written += nz.size
        if on_chunk:
            on_chunk(min(1.0, (r0 + rows_per_chunk) / rec.n))
    return written


def _yn(a: np.ndarray) -> np.ndarray:
    return np.where(a, "Y", "N")


def _write_small_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _write_pupils(path: Path, city: _City, until: dt.date | None = None) -> tuple[int, int]:
    """Write ``pupils.csv``; return the enrolments and distinct pupils written.

    With ``until``, enrolments admitted after it are left out and leaving dates after it blank.
    """
    E, P = city.enrol, city.pupils
    pid = E["pid"]
    order = np.lexsort((E["admission"], city.upn_rank[pid], city.schools.urn[E["school"]]))
    leaving = E["leaving"][order]
    if until is not None:
        cut = _day(until)
        order = order[E["admission"][order] <= cut]
        leaving = E["leaving"][order]
        leaving = np.where(leaving > cut, -1, leaving)
    pid = pid[order]
    upn = np.asarray(city.upn, dtype=object)
    fore = np.asarray(_FORENAME_LIST, dtype=object)
    sur = np.asarray(_SURNAME_LIST, dtype=object)
    need_codes = np.asarray(["", *_NEEDS], dtype=object)
    cols = {
        "upn": upn[pid],
        "urn": city.schools.urn[E["school"][order]],
        "forename": fore[P["fore"][pid]],
        "surname": sur[P["sur"][pid]],
        "date_of_birth": pa.array(P["dob"][pid].astype(np.int32), type=pa.int32()).view(pa.date32()),
        "sex": np.where(P["sex"][pid] == 1, "M", "F"),
        "ethnicity": np.asarray(_ETH_CODES, dtype=object)[P["eth"][pid]],
        "fsm": _yn(E["fsm"][order]),
        "sen": np.asarray(["N", "K", "E"])[E["sen"][order]],
        "sen_primary_need": need_codes[E["need"][order]],
        "first_language": np.asarray(["ENG", "OTH", ""])[P["lang"][pid]],
        "cla": _yn(E["cla"][order]),
        "cin": _yn(E["cin"][order]),
        "cpp": _yn(E["cpp"][order]),
        "nc_year": np.asarray(_NC_LABELS)[E["nc"][order]],
        "admission_date": pa.array(E["admission"][order].astype(np.int32), type=pa.int32()).view(pa.date32()),
        "leaving_date": pa.array(
            leaving.astype(np.int32), type=pa.int32(), mask=leaving < 0
        ).view(pa.date32()),
        "boarder": _yn(E["boarder"][order]),
    }  # fmt: skip
    table = pa.table({k: v if isinstance(v, pa.Array) else pa.array(v) for k, v in cols.items()})
    with path.open("wb") as f:
        f.write((",".join(cols) + "\n").encode())
        pacsv.write_csv(table, f, write_options=_CSV_OPTIONS)
    return int(order.size), int(np.unique(pid).size)


def last_day_before_february_half_term(year: int) -> dt.date:
    """The last school day before the February half term (the end of spring 1) of the generated
    calendar for the academic year starting in September ``year``: a Friday in mid-February."""
    return _academic_calendar(year).half_terms[2].end


def generate_city(folder: Path, spec: CitySpec = CitySpec(), *, progress: Progress | None = None) -> CitySummary:
    """Generate the demo city's registers into ``folder`` (created if missing).

    Args:
        folder: where to write ``schools.csv``, ``pupils.csv``, ``marks.csv``, ``terms.csv`` and
            ``closures.csv`` (existing files of those names are replaced).
        spec: the city; the same spec always gives byte-identical files.
        progress: optional ``progress(stage, done, total)`` callback, called a few times per stage
            (stages ``"population"``, ``"marks"`` and ``"writing"``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if progress:
        progress("population", 0, 1)
    city, cals, years = _simulate(spec)
    if progress:
        progress("population", 1, 1)
    paths = {name: folder / f"{name}.csv" for name in ("schools", "pupils", "marks", "terms", "closures")}
    total_marks = 0
    labels = []
    marks_tmp = paths["marks"].with_suffix(".csv.part")
    with marks_tmp.open("wb") as f:
        f.write(b"upn,urn,date,session,code\n")
        with pacsv.CSVWriter(f, _MARKS_SCHEMA, write_options=_CSV_OPTIONS) as sink:
            steps = 10 * spec.years_written
            if progress:
                progress("marks", 0, steps)
            for t, res in enumerate(years):
                if progress:
                    progress("marks", 10 * t + 3, steps)
                # UPNs of every pupil created so far (the dictionary grows year by year)
                city.upn_rank = _ranks(city.upn)
                upn_dict = pa.array(city.upn)

                def on_chunk(frac: float, t: int = t) -> None:
                    if progress:
                        progress("marks", 10 * t + 3 + round(7 * frac), steps)

                total_marks += _write_marks_year(sink, city, upn_dict, res, on_chunk=on_chunk, until=spec.until)
                labels.append(res.cal.label)
                res.am = res.pm = np.zeros((0, 0), np.uint8)
    marks_tmp.replace(paths["marks"])
    if progress:
        progress("writing", 0, 3)
    city.upn_rank = _ranks(city.upn)
    enrolments, pupils = _write_pupils(paths["pupils"], city, spec.until)
    if progress:
        progress("writing", 1, 3)
    sch = city.schools
    order = np.argsort(sch.urn)
    _write_small_csv(
        paths["schools"],
        ["urn", "name", "phase", "la_code", "la_name"],
        [[str(sch.urn[i]), sch.name[i], _PHASE_NAMES[sch.phase[i]], spec.la_code, spec.la_name] for i in order],
    )
    _write_small_csv(
        paths["terms"],
        ["academic_year", "term", "half_term", "start_date", "end_date"],
        [[c.label, h.term, str(h.half), h.start.isoformat(), h.end.isoformat()] for c in cals for h in c.half_terms],
    )
    closure_rows = [
        row
        for cal in cals
        for row in _merge_closures([c for c in cal.closures if spec.until is None or c[1] <= spec.until])
    ]
    _write_small_csv(paths["closures"], ["urn", "start_date", "end_date", "session", "reason"], closure_rows)
    if progress:
        progress("writing", 3, 3)
    return CitySummary(
        folder=folder,
        schools=sch.n,
        pupils=pupils,
        enrolments=enrolments,
        marks=total_marks,
        years=len(cals),
        academic_years=tuple(labels),
        paths=paths,
    )


def _ranks(values: list[str]) -> np.ndarray:
    order = np.argsort(np.asarray(values), kind="stable")
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    return rank


def _merge_closures(closures: list[tuple[int | None, dt.date, str, str]]) -> list[list[str]]:
    """Closure rows, merging consecutive days of the same school, session and reason into ranges."""
    rows: list[list[str]] = []
    keyed = sorted(closures, key=lambda c: (c[0] is not None, c[0] or 0, c[2], c[3], c[1]))
    run: list[tuple[int | None, dt.date, str, str]] = []

    def flush() -> None:
        if run:
            urn, first, session, reason = run[0]
            last = run[-1][1]
            rows.append(["" if urn is None else str(urn), first.isoformat(),
                         "" if last == first else last.isoformat(), session, reason])  # fmt: skip

    for c in keyed:
        if run and (c[0], c[2], c[3]) == (run[-1][0], run[-1][2], run[-1][3]) and (c[1] - run[-1][1]).days == 1:
            run.append(c)
        else:
            flush()
            run = [c]
    flush()
    rows.sort(key=lambda r: (r[1], r[0]))
    return rows
