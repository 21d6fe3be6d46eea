"""A directive (/directives/<id>/): its wording, indicators, measures, and its assignments across SOEs
with roll-up progress, then its milestones: from the notice's clause to the ledger in two clicks.

Routed from progress/urls.py, not directives/urls.py, because it reads assignments' progress
and imports go one way (progress -> directives).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from directives.models import Directive
from directives.selectors import child_directives, directive_indicators, directive_with_ancestors, subtree_condition
from progress.health import today
from progress.scoping import can_write_instruction, require_role, visible_milestones
from progress.selectors.directives import directive_rollup, rollup_total
from progress.views.board import milestone_table_context


@login_required
@require_GET
def directive_detail(request, directive_id: int):
    """Any role; a liaison sees only their own enterprise's assignments and milestones."""
    require_role(request.user)
    try:
        directive = directive_with_ancestors(directive_id)
    except Directive.DoesNotExist:
        raise Http404 from None
    rollup = directive_rollup(request.user, directive, on=today())
    milestones = visible_milestones(request.user).filter(subtree_condition(directive, path="assignment__directive"))
    context = {
        "directive": directive,
        "ancestors": [a for a in (directive.parent.parent if directive.parent else None, directive.parent) if a],
        "children": child_directives(directive),
        "indicators": directive_indicators(directive),
        "rollup": rollup,
        "rollup_total": rollup_total(rollup),
        "can_instruct": can_write_instruction(request.user),
        **milestone_table_context(request, base=milestones),
    }
    return render(request, "directives/directive_detail.html", context)
