"""A synthetic local authority ("the demo city", Brindlecombe): realistic school registers from a seed.

:func:`generate_city` writes a folder in the attendwise CSV layout (``docs/csv-layout.md``):
``schools.csv``, ``pupils.csv`` (one row per enrolment), ``marks.csv`` (one row per pupil, school and
session), ``terms.csv``, ``closures.csv``, ``contacts.csv`` (parents and carers) and ``cohorts.csv``
(the LA's two priority cohorts). The same :class:`CitySpec` always gives byte-identical files. With
``CitySpec.until`` the files are what an LA would hold at the end of that day (last year whole and this
year so far, say): the same simulation, filtered as it is written, so everything up to that day is byte
for byte what the whole city has.

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
* **Families.**  Brothers and sisters are made from pupils with one surname whose homes are near and
  whose birthdays are a year or more apart (so siblings are often at a primary and a secondary school),
  each family with a mother, usually a father (some living elsewhere, a few also fathering a half-sibling
  nearby), sometimes a grandparent, and foster carers for children looked after, written as
  ``contacts.csv`` from draws of their own (the other files do not change with them).
* **Priority cohorts** (:mod:`attendwise.demo.cohorts`).  The LA's two: emotionally based school
  avoidance, the planted pattern (the pupils whose avoidance the marks simulate, referred to the EBSA
  panel 10 to 30 school days after it began, so the cohort's severe absence inside its dates is many
  times everyone else's), and youth justice involvement (sensitive; no pattern planted), with dated
  memberships in ``cohorts.csv``, from draws of their own.
* **Codes.**  Each mark uses the code set in force on its date: the 2006 set before 19 August
  2024 and the 2024 set from then on (``H``/``J``/``Y`` before, ``C``/``J1``/``Y1``-``Y7``/``Q``/
  ``K``/``C1``/``C2`` after).

Measured as the DfE does (enrolments of pupils aged 5-15, no boarders), the default city's
2024/25 lands on the national 2023/24 figures: overall absence 7.1% (authorised 4.7, unauthorised
2.4), persistent absence 20%, severe absence 2.3%, primary 5.6, secondary 8.8, special 12.8,
illness 3.6, unauthorised holidays 0.5; FSM 10.4% (PA 33%) against 6.0% (15%).  Generation is
vectorised with numpy (about 7 s and 0.7 GB for the default city) and ``marks.csv`` is written
with pyarrow in chunks.

The package, by what it simulates
---------------------------------
``population`` and ``tuning`` (the data and the calibrated knobs), ``codes`` (the reasons a mark
is simulated as and the code each gives), ``terms`` (the calendar), ``spec`` (what to generate and
what was written), ``schools`` (the schools, the map and each school's closures), ``pupils`` (who
the pupils are), ``rosters`` (who is on roll where, year by year), ``absence`` (the marks),
``families`` (brothers and sisters, and their parents and carers), ``cohorts`` (the priority cohorts'
memberships), ``files`` (the CSV files) and
``city`` (the years driven in turn, and :func:`generate_city`).  Each module imports only modules
before it in this list; this face is the package's public API.
"""

from __future__ import annotations

from attendwise.demo.city import generate_city
from attendwise.demo.spec import CitySpec, CitySummary, Progress
from attendwise.demo.terms import last_day_before_february_half_term

__all__ = ["CitySpec", "CitySummary", "Progress", "generate_city", "last_day_before_february_half_term"]
