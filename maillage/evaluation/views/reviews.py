"""Placeholder until this module is written: every view answers 404."""

from django.http import Http404


def review_list(request, *args, **kwargs):
    raise Http404


def review_detail(request, *args, **kwargs):
    raise Http404


def review_update(request, *args, **kwargs):
    raise Http404


def review_submit(request, *args, **kwargs):
    raise Http404


def review_xlsx(request, *args, **kwargs):
    raise Http404


def review_pdf(request, *args, **kwargs):
    raise Http404


def national_reviews_xlsx(request, *args, **kwargs):
    raise Http404
