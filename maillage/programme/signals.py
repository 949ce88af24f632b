"""The programme follows the troïka: when the decision recording a committee's choice is closed, its actions
move (see services.selection.apply_selection)."""

from django.dispatch import receiver

from maillage.governance.signals import decision_closed


@receiver(decision_closed)
def follow_selection_decision(sender, decision, actor, **kwargs):
    from maillage.programme.services.selection import apply_selection

    apply_selection(decision=decision, actor=actor)
