"""Assessment (考核): the quarterly ranking, how each score was made up, and SASAC's weights.

SASAC staff and leaders see the ranking; only SASAC staff compute scores and set weights
(a leader who tries gets 403). A liaison gets 403: the ranking compares SOEs with each other.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from progress.forms.assessment import AssessmentWeightsForm, QuarterForm
from progress.health import today
from progress.scoping import is_sasac, require_sasac, require_sees_everything
from progress.selectors.assessment import ranking, stored_quarters
from progress.services.assessment import (
    assessment_compute,
    assessment_weights_update,
    current_weights,
    quarter_bounds,
    quarter_of,
)


@login_required
@require_GET
def assessment(request):
    require_sees_everything(request.user)
    quarters = stored_quarters()
    form = QuarterForm(request.GET or None)
    quarter = form.cleaned_data["quarter"] if form.is_bound and form.is_valid() else None
    if form.is_bound and not form.is_valid():
        messages.error(request, _("%(error)s已显示最近一期。") % {"error": " ".join(form.errors["quarter"])})
    quarter = quarter or (quarters[0] if quarters else None)
    weights = current_weights()
    return render(
        request,
        "progress/assessment_ranking.html",
        {
            "quarter": quarter,
            "quarters": quarters,
            "current_quarter": quarter_of(today()),
            "rows": ranking(quarter=quarter, weights=weights) if quarter else [],
            "weights": weights,
            "can_manage": is_sasac(request.user),
        },
    )


@login_required
@require_POST
def assessment_compute_view(request):
    require_sasac(request.user)
    form = QuarterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("%(error)s未计算。") % {"error": " ".join(form.errors["quarter"])})
        return redirect("progress:assessment")
    quarter = form.cleaned_data["quarter"]
    on = today()
    if quarter_bounds(quarter)[0] > on:
        messages.error(request, _("%(quarter)s 尚未开始,未计算。") % {"quarter": quarter})
        return redirect("progress:assessment")
    scores = assessment_compute(quarter=quarter, on=on)
    messages.success(
        request, _("已计算 %(quarter)s 考核得分,共 %(count)d 家企业。") % {"quarter": quarter, "count": len(scores)}
    )
    return redirect(f"{reverse('progress:assessment')}?{urlencode({'quarter': quarter})}")


@login_required
@require_http_methods(["GET", "POST"])
def assessment_weights(request):
    require_sasac(request.user)
    weights = current_weights()
    if request.method == "POST":
        form = AssessmentWeightsForm(request.POST)
        if form.is_valid():
            assessment_weights_update(**form.cleaned_data, by=request.user)
            messages.success(request, _("考核权重已保存,各季度得分已按新权重重新计算。"))
            return redirect("progress:assessment")
        messages.error(request, _("权重未保存,请修正后重试。"))
    else:
        form = AssessmentWeightsForm(
            initial={
                "on_time_closure": weights.on_time_closure,
                "report_timeliness": weights.report_timeliness,
                "overdue_work": weights.overdue_work,
                "extensions": weights.extensions,
            }
        )
    return render(request, "progress/assessment_weights.html", {"form": form, "weights": weights})
