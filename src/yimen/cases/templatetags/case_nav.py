"""`{% load case_nav %}{% case_pages user as pages %}`: the case pages the user's work opens
(`pages.window` for clerks, `pages.work` for reviewers, inspectors and approvers,
`pages.mine` for citizens)."""

from django import template

from yimen.cases.selectors import case_pages

register = template.Library()
register.simple_tag(case_pages, name="case_pages")
