"""Django's "en" writes short dates the American way (12/05/2026 for 5 December) and times
with a.m./p.m.; in a Dutch practice an English-speaking client or coach reads 12/05/2026 as
12 May. Dates here name their month and times run to 24 hours, so no reader can take one
date for another; long and short dates put the day first, as the Dutch pages do, so that a
page does not mix "Dec. 4, 2026" with "4 Dec 2026". Only display formats: what a form accepts
stays Django's."""

DATE_FORMAT = "j F Y"  # 5 December 2026
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"  # 5 Dec 2026
SHORT_DATETIME_FORMAT = "j M Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, as in the Netherlands
