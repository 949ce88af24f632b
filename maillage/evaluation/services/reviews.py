"""The annual review (revue de projet) of a cité, from its start to the troïka's validation.

1. The coordinator starts the review of a year the cité has a call for projects or an envelope for (not a
   year to come): one review per cité and year. Its figures are never stored: they are assembled from the
   platform's data each time the review is read (maillage.evaluation.review).
2. While it is a draft, the coordinator writes its six free-text sections.
3. The coordinator submits it: its validation is proposed as a governance decision at one of the cité's
   planned or held meetings, whose text sums up the review's key figures.
4. When the three pillars validate the decision, the review is validated; when a pillar rejects it, the review
   goes back to draft (the reason stays on the decision), to be corrected and submitted again.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.evaluation.models import AnnualReview, ReviewStatus
from maillage.evaluation.review import assemble_review
from maillage.funding.dashboards import dashboard_years
from maillage.governance.models import Decision, DecisionStatus, Meeting, Verdict
from maillage.governance.services.decisions import propose_decision
from maillage.programme.services.selection import selection_meetings
from maillage.territories.models import Cite

TEXT_FIELDS = (
    "highlights",
    "governance_comment",
    "deployment_comment",
    "finances_comment",
    "evaluation_comment",
    "outlook",
)
"""The free-text sections the coordinator writes, in the order of the review."""

MAX_TEXT_LENGTH = 20_000
TEXT_TOO_LONG = "Ce texte dépasse 20\u202f000 caractères : raccourcissez-le."
ONLY_THE_COORDINATOR = "Seule la coordination de la cité rédige et soumet la revue de projet."


def review_years(cite) -> list[int]:
    """The years a review can be started for: those with a call for projects or an envelope, up to the
    current year, latest first (one query)."""
    years, _ = dashboard_years(cite)
    this_year = timezone.localdate().year
    return [year for year in years if year <= this_year]


def review_meetings(cite_id: int):
    """Where the review's validation can be proposed: the cité's planned or held meetings, as for a selection."""
    return selection_meetings(cite_id)


def check_writer(actor, cite) -> None:
    if not actor.has_perm("evaluation.write_review", cite):
        raise ValidationError(ONLY_THE_COORDINATOR)


def locked(review: AnnualReview) -> AnnualReview:
    return AnnualReview.objects.select_for_update(of=("self",)).select_related("cite").get(pk=review.pk)


@transaction.atomic
def start_review(*, actor, cite: Cite, year: int) -> AnnualReview:
    """Open the review of `year` for `cite`, as a draft."""
    check_writer(actor, cite)
    if year is None or year > timezone.localdate().year:
        raise ValidationError({"year": "On ne rédige pas la revue de projet d'une année à venir."})
    if year not in review_years(cite):
        raise ValidationError(
            {"year": f"La cité n'a ni appel à projets ni enveloppe en {year} : il n'y a rien à passer en revue."}
        )
    Cite.objects.select_for_update().filter(pk=cite.pk).exists()  # two starts at once: the second one waits
    if AnnualReview.objects.filter(cite=cite, year=year).exists():
        raise ValidationError({"year": f"La revue de projet {year} est déjà commencée."})
    review = AnnualReview.objects.create(cite=cite, year=year, created_by=actor)
    record_event(actor=actor, verb=Verb.CREATED, obj=review, summary=f"Revue de projet {year} commencée")
    return review


@transaction.atomic
def update_review(
    *,
    actor,
    review: AnnualReview,
    highlights: str,
    governance_comment: str,
    deployment_comment: str,
    finances_comment: str,
    evaluation_comment: str,
    outlook: str,
) -> AnnualReview:
    """Write the six free-text sections of a draft review (plain text, shown as written)."""
    check_writer(actor, review.cite)
    texts = {
        "highlights": highlights,
        "governance_comment": governance_comment,
        "deployment_comment": deployment_comment,
        "finances_comment": finances_comment,
        "evaluation_comment": evaluation_comment,
        "outlook": outlook,
    }
    texts = {name: (text or "").strip() for name, text in texts.items()}
    too_long = {name: TEXT_TOO_LONG for name, text in texts.items() if len(text) > MAX_TEXT_LENGTH}
    if too_long:
        raise ValidationError(too_long)
    review = locked(review)
    if not review.is_editable:
        raise ValidationError(f"La revue est {review.get_status_display()} : elle ne se modifie plus.")
    changed = [name for name, text in texts.items() if getattr(review, name) != text]
    if not changed:
        return review
    labels = {name: str(AnnualReview._meta.get_field(name).verbose_name) for name in changed}
    before = {labels[name]: getattr(review, name) for name in changed}
    for name in changed:
        setattr(review, name, texts[name])
    review.save(update_fields=[*changed, "updated_at"])
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=review,
        summary="Revue modifiée : " + ", ".join(labels.values()),
        before=before,
        after={labels[name]: texts[name] for name in changed},
    )
    return review


def decision_text(review: AnnualReview) -> str:
    """The text of the validation decision: what is asked, then the review's key figures."""
    figures = assemble_review(review.cite, review.year)
    lines = "\n".join(f"- {section} : {text}" for section, text in figures.key_figures())
    return (
        f"La coordination propose à la troïka de valider la revue de projet {review.year} de la cité éducative "
        f"{review.cite.name}.\n\nChiffres clés :\n{lines}\n\n"
        f"La revue complète (tableaux, commentaires, perspectives) est consultable dans Maillage."
    )


@transaction.atomic
def submit_review(*, actor, review: AnnualReview, meeting: Meeting | None) -> Decision:
    """Propose the review's validation to the troïka, as a decision of `meeting` (a planned or held meeting
    of the cité). The review is then submitted, and can no longer be changed unless the troïka rejects it."""
    check_writer(actor, review.cite)
    if meeting is None or not review_meetings(review.cite_id).filter(pk=meeting.pk).exists():
        raise ValidationError({"meeting": "Choisissez une réunion prévue ou tenue de la cité."})
    review = locked(review)
    if not review.is_editable:
        raise ValidationError(f"La revue est déjà {review.get_status_display()}.")
    decision = propose_decision(
        actor=actor,
        meeting=meeting,
        title=f"Validation de la revue de projet {review.year}",
        text=decision_text(review),
    )
    review.status, review.decision = ReviewStatus.SUBMITTED, decision
    review.save(update_fields=["status", "decision", "updated_at"])
    record_event(
        actor=actor,
        verb=Verb.REVIEW_SUBMITTED,
        obj=review,
        summary=f"Soumise à la troïka (décision n° {decision.number}, réunion « {meeting.title} »)",
        before={"statut": ReviewStatus.DRAFT.label},
        after={"statut": ReviewStatus.SUBMITTED.label, "décision": decision.number},
    )
    return decision


def apply_review_decision(*, decision: Decision, actor) -> None:
    """Follow the troïka's answer on a review's decision (called inside the answering transaction, for every
    closed decision: the others are ignored). Validated, the review is validated; rejected, it goes back to
    draft so the coordinator can correct it and submit it again."""
    review = (
        AnnualReview.objects.select_for_update(of=("self",))
        .select_related("cite")
        .filter(decision=decision, status=ReviewStatus.SUBMITTED)
        .first()
    )
    if review is None:
        return
    if decision.status == DecisionStatus.VALIDATED:
        review.status, review.validated_at = ReviewStatus.VALIDATED, timezone.now()
        review.save(update_fields=["status", "validated_at", "updated_at"])
        record_event(
            actor=actor,
            verb=Verb.REVIEW_VALIDATED,
            obj=review,
            summary=f"Validée par la troïka (décision n° {decision.number})",
            before={"statut": ReviewStatus.SUBMITTED.label},
            after={"statut": ReviewStatus.VALIDATED.label},
        )
    elif decision.status == DecisionStatus.REJECTED:
        rejection = decision.approvals.filter(verdict=Verdict.REJECTED).first()
        reason = f" : {rejection.reason}" if rejection and rejection.reason else ""
        review.status = ReviewStatus.DRAFT
        review.save(update_fields=["status", "updated_at"])
        record_event(
            actor=actor,
            verb=Verb.UPDATED,
            obj=review,
            summary=(
                f"La troïka a rejeté la décision n° {decision.number}{reason}. "
                "La revue revient en rédaction et pourra être soumise à nouveau."
            ),
            before={"statut": ReviewStatus.SUBMITTED.label},
            after={"statut": ReviewStatus.DRAFT.label},
        )
