"""The pages of the API: API tokens (create, see last use, revoke) and the local docs (Swagger UI)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api import selectors, services
from api.forms import TokenCreateForm
from progress.scoping import can_manage_api_tokens_of, manages_all_api_tokens, require_role


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """Everyone with a role manages their own tokens here; SASAC staff everyone's.

    A new key is shown in the answer to the POST that made it, once, and is not kept.
    """
    require_role(request.user)
    form = TokenCreateForm(request.POST or None, user=request.user)
    created = None
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data.get("owner") or request.user
        if not can_manage_api_tokens_of(request.user, owner):
            raise Http404
        try:
            token, key = services.token_create(owner=owner, name=form.cleaned_data["name"], by=request.user)
        except services.TokenError as error:
            form.add_error("name", str(error))
        else:
            created = {"token": token, "key": key}
            form = TokenCreateForm(user=request.user)
    tokens = list(selectors.manageable_tokens(request.user))
    # The page with a new key is kept in no cache: the site marks every signed-in page no-store.
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "created": created,
            "active": [t for t in tokens if t.is_active],
            "revoked": [t for t in tokens if not t.is_active],
            "manages_all": manages_all_api_tokens(request.user),
            "api_root": request.build_absolute_uri(reverse("api:root")),
        },
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    require_role(request.user)
    token = selectors.manageable_tokens(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    if services.token_revoke(token=token, by=request.user, now=timezone.now()):
        messages.success(request, _("已撤销令牌“%(name)s”,使用它的程序将无法再访问接口。") % {"name": token.name})
    else:
        messages.info(request, _("令牌“%(name)s”此前已撤销。") % {"name": token.name})
    return redirect("api:tokens")


@login_required
@require_GET
def docs(request):
    """Swagger UI from drf-spectacular-sidecar's files, served by the app: the browser fetches nothing else."""
    require_role(request.user)
    return render(request, "api/docs.html")


@csrf_exempt  # it changes nothing, and a POST to a wrong path must get this answer, not the CSRF page
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: JSON, like every answer of the API."""
    message = _("接口地址不存在。")
    return JsonResponse(
        {"detail": message, "code": "not_found", "field": None, "errors": []},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
