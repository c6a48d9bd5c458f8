"""Registers of children absent from education, beside casework.

Children missing education, removals from roll, elective home education and the children-not-in-school
register, suspensions and permanent exclusions, part-time timetables and extended non-attendance panels:
their rules, deadlines (counted in school days) and settings, with no Django and no engine (the web app
keeps the entries in its own database, ``attendwise.web.registers``).
"""
