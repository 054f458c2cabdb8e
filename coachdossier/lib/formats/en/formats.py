"""Django's "en" writes short dates the American way (12/05/2026 for 5 December) and times
with a.m./p.m.; in a Dutch practice an English-speaking client or coach reads 12/05/2026 as
12 May. Dates here name their month and times run to 24 hours, so no reader can take one
date for another. Only display formats: what a form accepts stays Django's."""

DATE_FORMAT = "N j, Y"  # Dec. 5, 2026, as before
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATE_FORMAT = "j M Y"  # 5 Dec 2026
SHORT_DATETIME_FORMAT = "j M Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, as in the Netherlands
