from django import forms
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend

from api.exceptions import InvalidInput


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing a wrong filter value with the API's 400 (the field named by its label)."""

    def filter_queryset(self, request, queryset, view):
        return self.valid_filterset(request, queryset, view).qs

    def valid_filterset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise InvalidInput(filterset.errors, fields=filterset.form.fields)
        return filterset


class IdFilter(filters.NumberFilter):
    """A row's id: a whole number (django-filter's NumberFilter takes decimals such as 1e37)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)
