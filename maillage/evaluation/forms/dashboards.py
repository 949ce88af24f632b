"""The year of the evaluation dashboards (of a cité, and national): the same choice as the funding dashboard's,
among the years with calls or envelopes; an unknown year falls back to the default one."""

from maillage.funding.forms.dashboards import YearForm

__all__ = ["YearForm"]
