"""Working days in Asia/Shanghai.

Arithmetic (pure, no database): ``yimen.worktime.calendar``.
The current calendar, with admin-entered years: ``yimen.worktime.selectors.get_calendar``.
Entering a year from the State Council notice: ``yimen.worktime.services.calendar_year_set``.
"""
