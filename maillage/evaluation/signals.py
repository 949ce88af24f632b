"""The review follows the troïka: when the decision validating a revue de projet is closed, the review is
validated, or goes back to the coordinator (see services.reviews.apply_review_decision)."""

from django.dispatch import receiver

from maillage.governance.signals import decision_closed


@receiver(decision_closed)
def follow_review_decision(sender, decision, actor, **kwargs):
    from maillage.evaluation.services.reviews import apply_review_decision

    apply_review_decision(decision=decision, actor=actor)
