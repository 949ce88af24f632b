"""Placeholder until this module is written: every view answers 404."""

from django.http import Http404


def report_list(request, *args, **kwargs):
    raise Http404


def report_detail(request, *args, **kwargs):
    raise Http404


def report_update(request, *args, **kwargs):
    raise Http404


def report_submit(request, *args, **kwargs):
    raise Http404
