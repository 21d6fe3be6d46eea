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
