from django import forms
from django.utils.translation import gettext_lazy as _

from api.selectors import token_owners
from enterprises.names import person_name
from progress.scoping import manages_all_api_tokens


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        profile = getattr(user, "profile", None)
        parts = [person_name(user), f"({user.username})"]
        if profile is not None:
            parts.append(f"· {profile.get_role_display()}")
            if profile.enterprise_id:
                parts.append(f"· {profile.enterprise.short_name}")
        return " ".join(parts)


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=100,
        help_text=_("写明用途,便于日后识别和撤销,例如“COSMOPlat 台账同步”“驾驶舱大屏”。"),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if manages_all_api_tokens(user):
            # SASAC staff may make a token for anyone (an SOE's system acts as its liaison).
            self.fields["owner"] = OwnerChoiceField(
                label=_("所属用户"),
                queryset=token_owners(user),
                initial=user.pk,
                help_text=_("令牌以该用户的身份和权限访问接口。"),
                widget=forms.Select(attrs={"class": "form-select"}),
            )
