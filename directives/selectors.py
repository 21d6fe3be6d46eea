"""Reads of the notice and its directive tree (nothing here knows about progress)."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from directives.models import Directive, Indicator, Notice


@dataclass
class Clause:
    directive: Directive
    children: list["Clause"] = field(default_factory=list)


def current_notice() -> Notice | None:
    return Notice.objects.order_by("-issued_on", "pk").first()


def notice_outline(notice: Notice) -> list[Clause]:
    """The notice's active clauses as a tree in reading order (one query)."""
    directives = list(notice.directives.filter(is_active=True).order_by("position", "pk"))
    clauses = {d.pk: Clause(d) for d in directives}
    roots = []
    for directive in directives:
        parent = clauses.get(directive.parent_id)
        (parent.children if parent else roots).append(clauses[directive.pk])
    return roots


def directive_with_ancestors(directive_id: int) -> Directive:
    """The directive with its parent and grandparent loaded; Directive.DoesNotExist if missing."""
    return Directive.objects.select_related("notice", "parent__parent").get(pk=directive_id)


def subtree_condition(directive: Directive, *, path: str = "directive") -> Q:
    """Rows whose ``path`` is the directive or one of its descendants (the tree is three deep)."""
    return Q(**{path: directive}) | Q(**{f"{path}__parent": directive}) | Q(**{f"{path}__parent__parent": directive})


def child_directives(directive: Directive) -> QuerySet[Directive]:
    return directive.children.filter(is_active=True).order_by("position")


def directive_indicators(directive: Directive) -> QuerySet[Indicator]:
    """The indicators of the directive and of its measures."""
    return (
        Indicator.objects.filter(subtree_condition(directive))
        .select_related("directive")
        .order_by("directive__position", "code")
    )
