"""The legal pathway's pages: a school's request for a penalty notice, the LA's queue and checks, the decisions,
the notices issued to each parent with their three-year count, and counts for scrutiny (the rules are
``attendwise.casework.legal``; this app keeps the records and decides who may see and do what)."""
