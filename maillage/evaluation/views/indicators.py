"""Placeholder until this module is written: every view answers 404."""

from django.http import Http404


def indicator_list(request, *args, **kwargs):
    raise Http404


def indicator_create(request, *args, **kwargs):
    raise Http404


def indicator_detail(request, *args, **kwargs):
    raise Http404


def indicator_update(request, *args, **kwargs):
    raise Http404
