"""Pupil characteristics: CBDS codes as recorded in registers, and the DfE's published labels.

Groupings in measures use the DfE's wording, so a table of attendwise figures sits beside the
published characteristics files (``FSM eligible``, ``SEN support``, ``Asian / Asian British`` ...).
"""

from __future__ import annotations

__all__ = [
    "ETHNICITY",
    "ETHNICITY_MAJOR",
    "FSM_LABELS",
    "NC_YEARS",
    "PHASES",
    "SEN_LABELS",
    "SEX_LABELS",
    "ethnicity_groups",
]

WHITE = "White"
MIXED = "Mixed / Multiple ethnic groups"
ASIAN = "Asian / Asian British"
BLACK = "Black / African / Caribbean / Black British"
OTHER = "Other ethnic group"
UNCLASSIFIED = "Unclassified"

#: CBDS main ethnicity codes -> (DfE major group, DfE minor group).
ETHNICITY: dict[str, tuple[str, str]] = {
    "WBRI": (WHITE, "White British"),
    "WIRI": (WHITE, "Irish"),
    "WIRT": (WHITE, "Traveller of Irish heritage"),
    "WROM": (WHITE, "Gypsy / Roma"),
    "WOTH": (WHITE, "Any other White background"),
    "MWBC": (MIXED, "White and Black Caribbean"),
    "MWBA": (MIXED, "White and Black African"),
    "MWAS": (MIXED, "White and Asian"),
    "MOTH": (MIXED, "Any other Mixed background"),
    "AIND": (ASIAN, "Indian"),
    "APKN": (ASIAN, "Pakistani"),
    "ABAN": (ASIAN, "Bangladeshi"),
    "CHNE": (ASIAN, "Chinese"),
    "AOTH": (ASIAN, "Any other Asian background"),
    "BCRB": (BLACK, "Caribbean"),
    "BAFR": (BLACK, "African"),
    "BOTH": (BLACK, "Any other Black background"),
    "OOTH": (OTHER, "Any other ethnic group"),
    "NOBT": (UNCLASSIFIED, UNCLASSIFIED),
    "REFU": (UNCLASSIFIED, UNCLASSIFIED),
}

#: Extended CBDS codes roll up to a main code; where we do not list one, its first letter gives
#: the major group and it falls under that group's "any other" minor group.
_EXTENDED_FALLBACK = {"W": "WOTH", "M": "MOTH", "A": "AOTH", "B": "BOTH", "C": "CHNE", "O": "OOTH"}

ETHNICITY_MAJOR = [WHITE, MIXED, ASIAN, BLACK, OTHER, UNCLASSIFIED]


def ethnicity_groups(code: str) -> tuple[str, str] | None:
    """The DfE (major, minor) groups for a CBDS ethnicity code, or None if it is not one.

    >>> ethnicity_groups("APKN")
    ('Asian / Asian British', 'Pakistani')
    >>> ethnicity_groups("WALB")  # extended code: Albanian
    ('White', 'Any other White background')
    """
    if code in ETHNICITY:
        return ETHNICITY[code]
    if len(code) == 4 and code.isalpha() and code.isupper() and code[0] in _EXTENDED_FALLBACK:
        return ETHNICITY[_EXTENDED_FALLBACK[code[0]]]
    return None


FSM_LABELS = {True: "FSM eligible", False: "FSM not eligible"}
SEN_LABELS = {"N": "No identified SEN", "K": "SEN support", "E": "EHC plan"}
SEX_LABELS = {"F": "Female", "M": "Male", "U": "Unclassified"}
PHASES = {"primary": "State-funded primary", "secondary": "State-funded secondary", "special": "Special"}
NC_YEARS = ["N1", "N2", "R", *[str(n) for n in range(1, 15)]]
