"""Annual review pages (revue de projet): the cité's reviews by year, one review's figures and comments, writing
it, proposing its validation to the troïka, its XLSX and PDF downloads, and the national consolidation."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from maillage.core.exports import XLSX, xlsx_download
from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.evaluation import documents
from maillage.evaluation.exports.review import national_workbook, review_workbook
from maillage.evaluation.forms.reviews import ReviewForm, StartReviewForm, SubmitReviewForm
from maillage.evaluation.models import AnnualReview
from maillage.evaluation.review import assemble_review
from maillage.evaluation.services import reviews as services
from maillage.governance.models import Approval, Verdict
from maillage.territories.models import Cite

HISTORY_LENGTH = 20
NOT_IN_PERIMETER = "L'évaluation de cette cité n'est pas dans votre périmètre."


def review_cite(request, anct_id) -> Cite:
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("evaluation.view_evaluation", cite):
        raise PermissionDenied(NOT_IN_PERIMETER)
    remember_cite(request, cite)
    return cite


def get_review(request, anct_id, year, *, write=False) -> AnnualReview:
    """The review of `year`, if the user may read it (and write it, with `write`). 404 until it is started."""
    cite = review_cite(request, anct_id)
    if write and not request.user.has_perm("evaluation.write_review", cite):
        raise PermissionDenied(services.ONLY_THE_COORDINATOR)
    rejections = Prefetch("decision__approvals", queryset=Approval.objects.filter(verdict=Verdict.REJECTED))
    review = get_object_or_404(
        AnnualReview.objects.select_related("decision__meeting").prefetch_related(rejections), cite=cite, year=year
    )
    review.cite = cite
    return review


def review_list(request, anct_id):
    """The cité's reviews by year; the coordinator starts the review of a year that has none (POST)."""
    cite = review_cite(request, anct_id)
    can_write = request.user.has_perm("evaluation.write_review", cite)
    form = StartReviewForm()
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(services.ONLY_THE_COORDINATOR)
        form = StartReviewForm(request.POST)
        if form.is_valid():
            try:
                review = services.start_review(actor=request.user, cite=cite, year=form.cleaned_data["year"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"La revue de projet {review.year} est commencée : rédigez ses commentaires.")
                return redirect("evaluation:review_update", anct_id=cite.anct_id, year=review.year)
    reviews = {review.year: review for review in AnnualReview.objects.filter(cite=cite).select_related("decision")}
    years = sorted(set(reviews) | set(services.review_years(cite)), reverse=True)
    return render(
        request,
        "evaluation/review_list.html",
        {
            "title": f"Revues de projet — {cite.name}",
            "cite": cite,
            "rows": [(year, reviews.get(year)) for year in years],
            "can_write": can_write,
            "form": form,
        },
    )


def review_detail(request, anct_id, year):
    review = get_review(request, anct_id, year)
    decision = review.decision
    return render(
        request,
        "evaluation/review_detail.html",
        {
            "title": f"Revue de projet {review.year} — {review.cite.name}",
            "cite": review.cite,
            "review": review,
            "figures": assemble_review(review.cite, review.year),
            "rejection": next(iter(decision.approvals.all()), None) if decision else None,
            "can_write": request.user.has_perm("evaluation.write_review", review.cite),
            "events": Event.objects.for_user(request.user).for_object(review).select_related("actor")[:HISTORY_LENGTH],
        },
    )


def review_update(request, anct_id, year):
    review = get_review(request, anct_id, year, write=True)
    form = None
    if review.is_editable:
        initial = {name: getattr(review, name) for name in services.TEXT_FIELDS}
        form = ReviewForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.update_review(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Les commentaires de la revue sont enregistrés.")
            return redirect(review)
    return render(
        request,
        "evaluation/review_form.html",
        {
            "title": f"Rédiger la revue de projet {review.year} — {review.cite.name}",
            "cite": review.cite,
            "review": review,
            "form": form,
        },
    )


def review_submit(request, anct_id, year):
    review = get_review(request, anct_id, year, write=True)
    form = None
    if review.is_editable:
        form = SubmitReviewForm(request.POST if request.method == "POST" else None, cite=review.cite)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            decision = services.submit_review(actor=request.user, review=review, meeting=form.cleaned_data["meeting"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"La revue est soumise à la troïka (décision n° {decision.number}) : elle attend l'avis des trois "
                "piliers.",
            )
            return redirect(review)
    return render(
        request,
        "evaluation/review_submit.html",
        {
            "title": f"Soumettre la revue de projet {review.year} — {review.cite.name}",
            "cite": review.cite,
            "review": review,
            "form": form,
        },
    )


def review_xlsx(request, anct_id, year):
    review = get_review(request, anct_id, year)
    workbook = review_workbook(assemble_review(review.cite, review.year), review)
    return xlsx_download(workbook, f"revue-de-projet-{review.year}", review.cite)


def review_pdf(request, anct_id, year):
    review = get_review(request, anct_id, year)
    pdf = documents.review_pdf(assemble_review(review.cite, review.year), review)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="revue-de-projet-{review.year}-{review.cite.anct_id}.pdf"'
    return response


def national_reviews_xlsx(request, year):
    if not request.user.has_perm("evaluation.view_national"):
        raise PermissionDenied("La consolidation nationale des revues est réservée au niveau national.")
    return FileResponse(
        national_workbook(year), as_attachment=True, filename=f"revues-de-projet-{year}.xlsx", content_type=XLSX
    )
