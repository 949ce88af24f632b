"""Use cases of the decision register: proposing a decision at a meeting, and each troïka pillar's answer.

A decision is validated once a member of each of the three pillars has approved it; any pillar can reject
it, with a written reason. Every step is written to the event log.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.core.perimeter import perimeter_of
from maillage.governance.models import (
    PILLAR_OF_ROLE,
    Approval,
    Decision,
    DecisionStatus,
    Meeting,
    Pillar,
    Verdict,
)
from maillage.governance.signals import decision_closed
from maillage.partners.models import Organisation
from maillage.territories.models import Cite

ROLE_OF_PILLAR = {pillar: role for role, pillar in PILLAR_OF_ROLE.items()}


def pillars_of(user, cite_id: int) -> list[Pillar]:
    """The troïka pillars the user sits in for this cité, in the order of `Pillar`."""
    perimeter = perimeter_of(user)
    return [pillar for pillar in Pillar if perimeter.has_role(cite_id, ROLE_OF_PILLAR[pillar])]


def pillars_to_answer(user, decision: Decision) -> list[Pillar]:
    """The pillars the user may still answer for on a pending decision (approvals prefetched or not)."""
    if decision.status != DecisionStatus.PENDING:
        return []
    answered = {approval.pillar for approval in decision.approvals.all()}
    return [pillar for pillar in pillars_of(user, decision.cite_id) if pillar not in answered]


def next_number(cite_id: int) -> int:
    """The next number of the cité's register. The cité's row is locked first, so two decisions proposed at
    the same time get two numbers (SQLite serialises writing transactions by itself)."""
    Cite.objects.select_for_update().filter(pk=cite_id).exists()
    last = Decision.objects.filter(cite_id=cite_id).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


@transaction.atomic
def propose_decision(*, actor, meeting: Meeting, title: str, text: str, organisation: Organisation | None = None):
    """Record a decision taken at `meeting`, pending the troïka's validation."""
    title, text = (title or "").strip(), (text or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Donnez un intitulé à la décision."
    if not text:
        errors["text"] = "Écrivez le texte de la décision."
    in_cite = Organisation.objects.in_cites([meeting.cite_id])
    if organisation is not None and not in_cite.filter(pk=organisation.pk).exists():
        errors["organisation"] = "Cette structure n'intervient pas dans la cité de la réunion."
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        cite_id=meeting.cite_id,
        number=next_number(meeting.cite_id),
        meeting=meeting,
        organisation=organisation,
        title=title,
        text=text,
        proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    summary = f"Décision proposée à la réunion « {meeting.title} »"
    if organisation is not None:
        summary += f", concernant {organisation.name}"
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=decision,
        summary=summary,
        after={"intitulé": title, "structure": organisation.name if organisation else None},
    )
    return decision


@transaction.atomic
def answer_decision(*, actor, decision: Decision, pillar: str, verdict: str, reason: str = "") -> Decision:
    """One pillar's answer. Approving by the third pillar validates the decision; a rejection closes it.

    The decision's row is locked and read again, so two members answering at once cannot both count.
    Raises ValidationError (in French) and writes nothing when the answer is not allowed.
    """
    reason = (reason or "").strip()
    if pillar not in Pillar.values:
        raise ValidationError({"pillar": "Ce pilier de la troïka n'existe pas."})
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "Choisissez d'approuver ou de rejeter la décision."})
    pillar = Pillar(pillar)
    if not perimeter_of(actor).has_role(decision.cite_id, ROLE_OF_PILLAR[pillar]):
        raise ValidationError(
            {"pillar": f"Vous ne siégez pas à la troïka de cette cité au titre du pilier « {pillar.label} »."}
        )
    if verdict == Verdict.REJECTED and not reason:
        raise ValidationError({"reason": "Indiquez le motif du rejet : il est obligatoire."})
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if locked.status != DecisionStatus.PENDING:
        raise ValidationError(f"Cette décision est déjà {locked.get_status_display()} : elle ne reçoit plus d'avis.")
    answered = set(locked.approvals.values_list("pillar", flat=True))
    if pillar in answered:
        raise ValidationError({"pillar": f"Le pilier « {pillar.label} » a déjà donné son avis sur cette décision."})

    if verdict == Verdict.APPROVED:
        reason = ""
    Approval.objects.create(decision=locked, pillar=pillar, verdict=verdict, reason=reason, user=actor)
    if verdict == Verdict.REJECTED:
        locked.reject()
        locked.save(update_fields=["status", "closed_at"])
        decision_closed.send(sender=Decision, decision=locked, actor=actor)
        record_event(
            actor=actor,
            verb=Verb.DECISION_REJECTED,
            obj=locked,
            summary=f"Rejetée par le pilier « {pillar.label} » : {reason}",
            before={"statut": DecisionStatus.PENDING.label},
            after={"statut": DecisionStatus.REJECTED.label, "motif": reason},
        )
    else:
        record_event(
            actor=actor,
            verb=Verb.DECISION_APPROVED,
            obj=locked,
            summary=f"Approuvée par le pilier « {pillar.label} »",
            after={"pilier": pillar.label},
        )
        if answered | {pillar} == set(Pillar):
            locked.validate()
            locked.save(update_fields=["status", "closed_at"])
            decision_closed.send(sender=Decision, decision=locked, actor=actor)
            record_event(
                actor=actor,
                verb=Verb.DECISION_VALIDATED,
                obj=locked,
                summary="Approuvée par les trois piliers de la troïka",
                before={"statut": DecisionStatus.PENDING.label},
                after={"statut": DecisionStatus.VALIDATED.label},
            )
    return locked
