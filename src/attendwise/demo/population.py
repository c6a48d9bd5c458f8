"""The demo city's people and places, as data: ethnicities, special educational needs, names, place names.

Each ethnicity (CBDS code) carries its weight in the city, the group its names come from and how it shifts
first language, Eid, absence, holidays and FSM; each primary need how it shifts absence and illness.  The
schools (:mod:`attendwise.demo.schools`) and pupils (:mod:`attendwise.demo.pupils`) draw from these
tables.  Imports numpy only.
"""

from __future__ import annotations

import numpy as np

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
ETH_CODES = [e[0] for e in _ETHNICITY]
ETH_WEIGHT = np.array([e[1] for e in _ETHNICITY]) / sum(e[1] for e in _ETHNICITY)
ETH_NAMES = np.array([e[2] for e in _ETHNICITY], dtype=np.int8)
ETH_EAL = np.array([e[3] for e in _ETHNICITY])
ETH_MUSLIM = np.array([e[4] for e in _ETHNICITY])
ETH_ABSENCE = np.log(np.array([e[5] for e in _ETHNICITY]))
ETH_HOLIDAY = np.array([e[6] for e in _ETHNICITY])
ETH_FSM = np.array([e[7] for e in _ETHNICITY])
ETH_GRT = np.isin(ETH_CODES, ["WIRT", "WROM"])


def _areas() -> np.ndarray:
    """Groups of the city map: south Asian, Black and eastern European heritage live in different areas."""
    area = np.zeros((3, len(_ETHNICITY)))
    for i, c in enumerate(ETH_CODES):
        if c in ("AIND", "APKN", "ABAN", "MWAS", "AOTH"):
            area[0, i] = 1.0
        if c in ("BAFR", "BCRB", "BOTH", "MWBC", "MWBA"):
            area[1, i] = 1.0
        if c in ("WOTH", "WROM"):
            area[2, i] = 1.0
    return area


ETH_AREA = _areas()
# Pupils arriving from abroad during the year are more often of these backgrounds.
_ARRIVAL_BOOST = {"WOTH": 3.0, "WROM": 3.0, "BAFR": 2.0, "OOTH": 3.0, "REFU": 6.0, "AOTH": 2.0}
ETH_ARRIVAL = np.array([_ARRIVAL_BOOST.get(c, 1.0) for c in ETH_CODES])

NEEDS = ["SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "OTH", "NSA"]
# weights by (support, primary), (support, secondary), (EHC mainstream), (special school)
NEED_WEIGHTS = np.array(
    [
        [9, 17, 1, 0.1, 18, 30, 2, 1, 0.3, 3, 9, 5, 4],
        [20, 15, 1, 0.1, 23, 12, 2, 1, 0.3, 3, 11, 5, 4],
        [3, 8, 6, 1, 17, 18, 3, 1, 0.5, 6, 34, 2, 0],
        [0.5, 12, 19, 6, 15, 5, 1, 1, 0.5, 4, 36, 1, 0],
    ],
    dtype=float,
)
NEED_WEIGHTS /= NEED_WEIGHTS.sum(axis=1, keepdims=True)
# log multipliers on the risk score and on illness by primary need (index 0 = no need)
NEED_RISK = np.array([0, 0.05, 0.05, 0.0, 0.0, 0.45, -0.05, 0.0, 0.0, 0.1, 0.0, 0.2, 0.1, 0.0])
NEED_ILL = np.array([0, 0.0, 0.05, 0.25, 0.65, 0.0, 0.0, 0.05, 0.05, 0.2, 0.35, 0.05, 0.1, 0.0])
NEED_IDX = {n: i + 1 for i, n in enumerate(NEEDS)}

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
FORENAME_LIST: list[str] = sorted({n for f, m in _FORENAMES for n in f + m})
SURNAME_LIST: list[str] = sorted({n for group in _SURNAMES for n in group})
FORENAME_IDX = [
    (np.array([FORENAME_LIST.index(n) for n in f]), np.array([FORENAME_LIST.index(n) for n in m]))
    for f, m in _FORENAMES
]
SURNAME_IDX = [np.array([SURNAME_LIST.index(n) for n in group]) for group in _SURNAMES]

PLACE_PREFIXES = [
    "Ash", "Brook", "Elm", "Fair", "Green", "Hazel", "Holly", "Kings", "Lark", "Mill", "Oak", "Park",
    "Queens", "Red", "Rose", "Stone", "Thorn", "Wester", "Whit", "Wood", "Bridge", "Church", "Cross",
    "Fern", "Hollin", "Marsh", "Moor", "Nor", "Sutton", "Black", "Bram", "Cole", "Dun", "Hather",
    "Lang", "Penn", "Rad", "Sel", "Wal", "Wyn",
]  # fmt: skip
PLACE_SUFFIXES = [
    "field", "ley", "ton", "wood", "bank", "side", "gate", "well", "hurst", "croft", "dale", "moor",
    "brook", "lands", "mead", "thorpe", "by", "combe", "ford", "holme",
]  # fmt: skip
SAINTS = ["Mary", "Joseph", "Peter", "Paul", "Anne", "Michael", "John", "Thomas", "Francis", "Patrick",
          "Bernadette", "Augustine", "Chad", "Margaret", "Luke", "Matthew", "Andrew", "Teresa"]  # fmt: skip
OTHER_LAS = [330, 331, 332, 333, 334, 335, 336, 316, 212, 209, 855, 856, 871, 873, 878, 882, 886, 919,
             925, 937, 383, 384, 380, 381]  # fmt: skip
