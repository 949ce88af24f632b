"""Placeholder until this module is written: every view answers 404."""

from django.http import Http404


def dashboard(request, *args, **kwargs):
    raise Http404


def dashboard_export(request, *args, **kwargs):
    raise Http404


def national(request, *args, **kwargs):
    raise Http404
